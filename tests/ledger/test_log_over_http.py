from __future__ import annotations

import json

from pytest_django.live_server_helper import LiveServer

from amanah.ledger.models import LogEntry
from amanah.transparency import HttpReader, parse_verifier_key, verify_log
from conftest import DemoLog


def test_the_served_log_verifies_as_an_outsider_would_check_it(
    live_server: LiveServer, demo_log: DemoLog
) -> None:
    key = parse_verifier_key(demo_log.key_text)
    # 13 organisations, the board (ending at 48), then the fund (tests/ledger/test_load_demo).
    first_pledge = LogEntry.objects.filter(kind="fund.pledge_recorded").order_by("index")[0]
    last = demo_log.size - 1

    with HttpReader(f"{live_server.url}/log") as reader:
        report = verify_log(reader, key, entries=[0, 13, 48, 49, first_pledge.index, last])

    assert report.checkpoint.size == demo_log.size == LogEntry.objects.count()
    assert report.checkpoint.origin == "localhost/amanah-demo"
    first, seat, board, fund, pledge, newest = (json.loads(e.entry) for e in report.entries)
    assert first["type"] == "amanah.organisation.registered.v1"
    assert first["data"]["country"] == "PK"
    assert seat["type"] == "amanah.seat.created.v1"
    # The demo board ends with the policy its motion set; the fund starts with its rates.
    assert board["type"] == "amanah.policy.set.v1"
    assert fund["type"] == "amanah.fund.fx_rate_recorded.v1"
    assert pledge["type"] == "amanah.fund.pledge_recorded.v1"
    assert pledge["data"]["donor"] == "XI-DEMO-PK-NDMA"
    assert newest["type"] == f"amanah.{LogEntry.objects.get(index=last).kind}.v1"
