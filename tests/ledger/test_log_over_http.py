from __future__ import annotations

import json

from pytest_django.live_server_helper import LiveServer

from amanah.transparency import HttpReader, parse_verifier_key, verify_log
from conftest import DemoLog


def test_the_served_log_verifies_as_an_outsider_would_check_it(
    live_server: LiveServer, demo_log: DemoLog
) -> None:
    key = parse_verifier_key(demo_log.key_text)

    with HttpReader(f"{live_server.url}/log") as reader:
        report = verify_log(reader, key, entries=[0, 12, 47, 90])

    assert report.checkpoint.size == demo_log.size == 91
    assert report.checkpoint.origin == "localhost/amanah-demo"
    first, pledge, last_fact, board = (json.loads(e.entry) for e in report.entries)
    assert first["type"] == "amanah.organisation.registered.v1"
    assert first["data"]["country"] == "PK"
    assert pledge["data"]["donor"]["name"] == "Pakistan"
    assert last_fact["type"] == "amanah.demo.milestone.verified.v1"
    # The demo board ends with the policy its second motion set.
    assert board["type"] == "amanah.policy.set.v1"
