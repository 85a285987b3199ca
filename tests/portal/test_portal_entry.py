from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from amanah.ledger.models import LogEntry, SignedCheckpoint
from amanah.ledger.services import integrate_pending, record
from amanah.ledger.wiring import log_signer
from amanah.transparency import Receipt, parse_verifier_key, verify_receipt
from conftest import DemoLog

pytestmark = pytest.mark.django_db

SECRET_NAME = "Beneficiary Secretname"
SECRET_PLACE = "warehouse-7-grid-31.5017N-34.4668E"


@pytest.fixture
def private_entry(demo_log: DemoLog) -> int:
    """Entry 91: public data plus private details that must never be shown."""
    with transaction.atomic():
        logged = record(
            "aid.delivered",
            {"governorate": "PS0270", "parcels": 120, "note": "مساعدات غذائية"},
            actor="partner:unrwa",
            private={"beneficiary": SECRET_NAME, "location": SECRET_PLACE},
        )
    integrate_pending()
    return logged.index


def test_entry_page_shows_the_entry_as_logged(client: Client, demo_log: DemoLog) -> None:
    # The fund's first pledge: Pakistan's, recorded by the secretariat's user.
    logged = LogEntry.objects.filter(kind="fund.pledge_recorded").order_by("index").first()
    assert logged is not None
    response = client.get(f"/entries/{logged.index}/")

    assert response.status_code == 200
    html = response.content.decode()
    entry = bytes(logged.entry)
    assert f"<h1>Log entry {logged.index}</h1>" in html
    assert f"<dd>{logged.index}</dd>" in html
    assert '<code dir="ltr">fund.pledge_recorded</code>' in html
    assert logged.actor.startswith("user:")
    assert f'<code dir="ltr">{logged.actor}</code>' in html
    assert f'<time datetime="{logged.recorded_at.isoformat()}">' in html
    assert " UTC</time>" in html
    leaf = base64.b64encode(hashlib.sha256(b"\x00" + entry).digest()).decode()
    assert f'<code dir="ltr">{leaf}</code>' in html
    assert f"<dd>{demo_log.size}</dd>" in html  # the checkpoint that covers it
    pretty = json.dumps(json.loads(entry)["data"], indent=2, ensure_ascii=False)
    assert f'<pre dir="ltr" class="entry-data"><code>{html_lib.escape(pretty)}</code></pre>' in html
    assert "&quot;XI-DEMO-PK-NDMA&quot;" in html


def test_entry_page_links_the_receipt_and_prints_the_verify_command(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/entries/7/").content.decode()

    assert (
        '<a href="/entries/7/receipt" download="amanah-entry-7.tlog-proof">Download the receipt</a>'
    ) in html
    assert (
        f"<code>amanah-verify receipt amanah-entry-7.tlog-proof --key {demo_log.key_text}</code>"
        in html
    )


def test_receipt_downloads_as_a_tlog_proof_that_verifies(
    client: Client, demo_log: DemoLog, tmp_path: Path
) -> None:
    response = client.get("/entries/7/receipt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="amanah-entry-7.tlog-proof"'
    assert response.content.startswith(b"c2sp.org/tlog-proof@v1\nextra ")
    receipt = Receipt.from_bytes(response.content)
    signed = verify_receipt(receipt, parse_verifier_key(demo_log.key_text))
    assert receipt.index == 7
    assert receipt.extra == bytes(LogEntry.objects.get(index=7).entry)
    assert signed.checkpoint.size == demo_log.size
    assert receipt.checkpoint_note == SignedCheckpoint.objects.get().note.encode()


def test_receipt_verifies_with_the_command_the_page_prints(
    client: Client, demo_log: DemoLog, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from amanah.cli.verify import app

    (tmp_path / "amanah-entry-3.tlog-proof").write_bytes(
        client.get("/ar/entries/3/receipt").content
    )

    result = CliRunner().invoke(
        app,
        ["receipt", str(tmp_path / "amanah-entry-3.tlog-proof"), "--key", demo_log.key_text],
    )

    assert result.exit_code == 0, result.output
    assert (
        f"OK entry 3 is in localhost/amanah-demo (checkpoint of {demo_log.size} entries)"
        in result.output
    )


def test_private_details_never_appear_on_the_page_or_in_the_receipt(
    client: Client, private_entry: int
) -> None:
    page = client.get(f"/entries/{private_entry}/").content.decode()
    arabic_page = client.get(f"/ar/entries/{private_entry}/").content.decode()
    receipt = client.get(f"/entries/{private_entry}/receipt").content

    for secret in (SECRET_NAME, SECRET_PLACE, "beneficiary"):
        assert secret not in page
        assert secret not in arabic_page
        assert secret.encode() not in receipt
        assert secret.encode() not in base64.b64decode(receipt.split(b"\n")[1].split()[1])
    # The public part and the commitment to the private part are shown.
    commitment = json.loads(LogEntry.objects.get(index=private_entry).entry)["private_commitment"]
    assert f'<code dir="ltr">{commitment}</code>' in page
    assert "&quot;parcels&quot;: 120" in page
    assert "مساعدات غذائية" in page


def test_entry_page_in_arabic_is_right_to_left_with_data_left_to_right(
    client: Client, demo_log: DemoLog
) -> None:
    response = client.get("/ar/entries/5/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "القيد رقم 5" in html
    assert "تنزيل الإيصال" in html
    assert "Download the receipt" not in html
    assert '<pre dir="ltr" class="entry-data">' in html
    assert 'href="/ar/entries/5/receipt"' in html
    assert '<link rel="alternate" hreflang="en" href="/entries/5/">' in html
    assert '<input type="hidden" name="next" value="/entries/5/">' in html


@pytest.mark.parametrize("path", ["/entries/{size}/", "/entries/{size}/receipt"])
def test_an_entry_a_batch_still_holds_is_integrated_when_read(
    client: Client, demo_log: DemoLog, path: str
) -> None:
    with transaction.atomic():
        record("test.unsigned", {"n": 1}, actor="test:pending")  # committed, not integrated
    assert LogEntry.objects.filter(index=demo_log.size).exists()
    assert not SignedCheckpoint.objects.filter(size__gt=demo_log.size).exists()

    # Reading the log integrates what a batch still holds: the entry is there, signed.
    assert client.get(path.format(size=demo_log.size)).status_code == 200
    assert SignedCheckpoint.objects.filter(size=demo_log.size + 1).exists()
    assert client.get(path.format(size=demo_log.size + 1)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/entries/{size}/",
        "/entries/99999999999999999999999/",
        "/entries/99999999999999999999999/receipt",
        "/entries/-1/",
        "/entries/007/",
        "/entries/00/receipt",
        "/entries/+7/",
        "/entries/x/",
        "/ar/entries/{size}/receipt",
    ],
)
def test_entries_beyond_the_log_are_404(client: Client, demo_log: DemoLog, path: str) -> None:
    assert client.get(path.format(size=demo_log.size)).status_code == 404


def test_entry_pages_are_404_before_the_first_checkpoint(client: Client, var_dir: Path) -> None:
    assert client.get("/entries/0/").status_code == 404
    assert client.get("/entries/0/receipt").status_code == 404


def test_receipt_of_an_old_entry_uses_the_latest_checkpoint_after_tiles_fill_up(
    client: Client, append_entries: Callable[..., None], var_dir: Path
) -> None:
    append_entries(100)
    append_entries(200)  # tile 0/000 is now full; its partials are gone

    receipt = Receipt.from_bytes(client.get("/entries/42/receipt").content)

    signed = verify_receipt(receipt, log_signer().verifier())
    assert signed.checkpoint.size == 300
    assert receipt.index == 42


def test_entry_pages_refuse_writes(client: Client, demo_log: DemoLog) -> None:
    assert client.post("/entries/0/").status_code == 405
    assert client.post("/entries/0/receipt").status_code == 405


def test_entry_page_runs_four_queries(
    client: Client, demo_log: DemoLog, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Whether anything waits to be integrated (the tree's size, any entry beyond it),
    # then the latest checkpoint's size, then the entry (never its private columns).
    with django_assert_num_queries(4) as captured:
        response = client.get("/entries/12/")

    assert response.status_code == 200
    assert "private_data" not in captured.captured_queries[3]["sql"]
