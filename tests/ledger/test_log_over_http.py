from __future__ import annotations

from pathlib import Path

from pytest_django.live_server_helper import LiveServer

from amanah.ledger.demo import demo_entries
from amanah.transparency import HttpReader, parse_verifier_key, verify_log


def test_the_served_log_verifies_as_an_outsider_would_check_it(
    live_server: LiveServer, demo_log: Path
) -> None:
    key = parse_verifier_key((demo_log.parent / "log-key.pub").read_text())

    with HttpReader(f"{live_server.url}/log") as reader:
        report = verify_log(reader, key, entries=[0, 35])

    assert report.checkpoint.size == len(demo_entries())
