"""The public pages of issue 7: home (the fund at a glance), about, downloads and the log.

Each answers in English and in Arabic; home shows the same figures as the fund page and
the board's latest decisions; about shows the log's key and the quorum policy; every CSV
on the downloads page is served, with its header and HXL rows, and carries no private
detail; the log page pages and filters its entries. List pages run a bounded number of
queries, whatever the size of the log.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from amanah.access.models import Warehouse
from amanah.accounts.models import User
from amanah.assets.models import Assessment, Asset
from amanah.funds.models import Contribution, Disbursement, Expenditure, FxRate
from amanah.funds.selectors import fund_figures
from amanah.governance.models import Motion, MotionStatus
from amanah.ledger.models import LogEntry, SignedCheckpoint
from amanah.ledger.services import integrate_pending
from amanah.materials.models import UnaccountedFlag
from amanah.monitoring.models import Verification, VerificationResult
from amanah.portal.downloads import MATERIALS, TABLES, cell
from amanah.projects.models import Proposal
from conftest import DemoLog

pytestmark = pytest.mark.django_db

PAGES = ("/", "/about/", "/downloads/", "/transparency-log/")
HEADLINE = ("pledged", "paid", "allocated", "disbursed", "spent")


def private_values() -> set[str]:
    """Every private detail the demo holds: the leak tests' words, read from the rows."""
    values: set[str] = set()
    values |= set(Contribution.objects.values_list("bank_reference", flat=True))
    values |= set(Disbursement.objects.values_list("bank_account", flat=True))
    values |= set(Expenditure.objects.values_list("reported_by", flat=True))
    for latitude, longitude in Proposal.objects.values_list("latitude", "longitude"):
        values |= {str(latitude), str(longitude)}
    values |= set(Warehouse.objects.values_list("name", flat=True))
    for latitude, longitude in Asset.objects.values_list("latitude", "longitude"):
        values |= {str(latitude), str(longitude)}
    values |= set(Assessment.objects.values_list("note", flat=True))
    for user in User.objects.all():
        values |= {user.email, user.first_name, user.last_name}
    return values - {"", "None"}


@pytest.mark.parametrize("url", PAGES)
def test_each_page_answers_in_english_and_in_arabic(
    client: Client, demo_log: DemoLog, url: str
) -> None:
    english = client.get(url)
    arabic = client.get(f"/ar{url}")

    assert english.status_code == 200
    assert '<html lang="en" dir="ltr">' in english.content.decode()
    assert arabic.status_code == 200
    assert '<html lang="ar" dir="rtl">' in arabic.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_no_page_needs_javascript_or_shows_a_private_detail(
    client: Client, demo_log: DemoLog, url: str
) -> None:
    secrets = private_values()
    assert "DEMO-PS00-0000-0000" in secrets  # the demo's partner bank account

    for prefix in ("", "/ar"):
        html = client.get(f"{prefix}{url}").content.decode()
        assert "<script" not in html
        assert not [secret for secret in secrets if secret in html], url


def test_home_shows_the_five_stages_as_the_fund_page_computes_them(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/").content.decode()
    totals = fund_figures()["totals"]

    for stage in HEADLINE:
        figure = html.split(f'id="headline-{stage}"', 1)[1].split("</div>", 1)[0]
        assert f'<data value="{totals[stage]}">' in figure, stage
    for table in ("home-by-donor", "home-by-sector", "home-by-governorate", "home-by-month"):
        assert f'id="{table}"' in html
    assert "{# map" not in html  # the spot for the map is a template comment
    assert 'href="/fund/"' in html


def test_home_lists_the_last_five_decisions_the_latest_first(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/").content.decode()
    section = html.split('id="decisions"', 1)[1].split("</section>", 1)[0]
    executed = Motion.objects.filter(status=MotionStatus.EXECUTED).order_by("-executed_index")
    assert executed.count() > 5

    shown = re.findall(r'href="/motions/([0-9a-f-]+)/"', section)
    assert shown == [str(motion.id) for motion in executed[:5]]
    assert executed[0].title_en in section
    assert f'href="/entries/{executed[0].executed_index}/"' in section


def test_home_shows_access_this_week_and_the_latest_round(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/").content.decode()

    access = html.split('id="access"', 1)[1].split("</section>", 1)[0]
    for figure in ("trucks_requested", "trucks_cleared", "trucks_crossed", "trucks_turned_back"):
        assert f'data-figure="{figure}">0<' in access  # the demo here has no days of access
    assert 'data-figure="denial_rate">—<' in access
    assert 'href="/access/"' in access
    assert re.search(r'href="/rounds/R-2026-01/"', access)  # the demo's round
    assert 'href="/transparency-log/"' in html.split('id="log"', 1)[1]


def test_about_shows_the_log_key_the_commands_and_the_policy(
    client: Client, demo_log: DemoLog
) -> None:
    html = client.get("/about/").content.decode()

    assert f'<code dir="ltr" id="log-key">{demo_log.key_text}</code>' in html
    assert f"amanah-verify log http://testserver/log --key {demo_log.key_text}" in html
    assert (
        f"amanah audit http://testserver/log --key {demo_log.key_text}"
        " --against http://testserver" in html
    )
    policy = html.split('id="quorum-policy"', 1)[1].split("</div>", 1)[0]
    assert "seats must sign" in policy
    assert "Palestinian seat" in policy
    assert 'href="/board/"' in html
    assert 'href="/risk-policy/"' in html
    assert "AGPL-3.0-or-later" in html
    assert "bank accounts" in html  # what is never published


def test_about_before_the_log_has_a_key_shows_none_and_creates_none(
    client: Client, demo_log: DemoLog
) -> None:
    (demo_log.var_dir / "log.key").unlink()

    html = client.get("/about/").content.decode()

    assert demo_log.key_text not in html
    assert "--key VERIFIER_KEY" in html
    assert not (demo_log.var_dir / "log.key").exists()


def download_links(client: Client) -> list[str]:
    html = client.get("/downloads/").content.decode()
    return re.findall(r'<a href="([^"]+\.csv)"', html)


def test_the_downloads_page_links_every_table_the_access_csvs_tiles_and_the_api(
    client: Client, demo_log: DemoLog
) -> None:
    links = download_links(client)
    html = client.get("/downloads/").content.decode()

    assert len(links) == len(TABLES) + 2
    assert "/api/v1/access/metrics.csv" in links
    assert "/api/v1/access/metrics/rejected.csv" in links
    assert 'href="/log/checkpoint"' in html
    assert "amanah log export DIR" in html
    assert 'href="/api/v1/docs"' in html
    assert 'href="/api/v1/openapi.json"' in html


def read_csv(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/csv; charset=utf-8", url
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_every_download_is_csv_with_a_header_and_no_private_detail(
    client: Client, demo_log: DemoLog
) -> None:
    secrets = private_values()

    for url in download_links(client):
        rows = read_csv(client, url)
        header = rows[0]
        assert header, url
        assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in header), url
        assert not {"bank_reference", "bank_account", "reported_by", "latitude"} & set(header)
        text = "\n".join(",".join(row) for row in rows)
        assert not [secret for secret in secrets if secret in text], url


def test_the_new_tables_open_with_a_bom_and_an_hxl_row_and_hold_the_demo(
    client: Client, demo_log: DemoLog
) -> None:
    for table in TABLES:
        response = client.get(f"/downloads/{table.slug}.csv")
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert body.startswith(b"\xef\xbb\xbf"), table.slug  # Excel then reads the Arabic
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0] == [column.name for column in table.columns]
        assert all(tag.startswith("#") for tag in rows[1]), table.slug
        if table is not MATERIALS:  # materials arrive with consignments, which it lacks
            assert len(rows) > 2, f"{table.slug} is empty in the demo"
        assert all(len(row) == len(rows[0]) for row in rows)


def test_the_pledges_file_matches_the_fund_figures(client: Client, demo_log: DemoLog) -> None:
    rows = read_csv(client, "/downloads/fund-pledges.csv")
    header, data = rows[0], rows[2:]
    usd, reversed_at = header.index("usd"), header.index("reversed_at_log_index")
    in_force = sum((Decimal(row[usd]) for row in data if not row[reversed_at]), Decimal(0))

    assert str(in_force) == fund_figures()["totals"]["pledged"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data[0][header.index("date")])


def csv_dicts(client: Client, url: str) -> list[dict[str, str]]:
    """A CSV's data rows (under its header and HXL rows), by column name."""
    rows = read_csv(client, url)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[2:]]


@pytest.fixture
def demo_with_materials(db: None, var_dir: Path) -> None:
    """`load_demo` with two days of consignments, and so with construction materials."""
    from django.core.management import call_command

    call_command("load_demo", "--access-days", "2", stdout=StringIO())
    integrate_pending()


def test_the_materials_file_has_the_demos_flagged_gap_and_no_warehouse(
    client: Client, demo_with_materials: None
) -> None:
    rows = csv_dicts(client, "/downloads/materials-reconciliation.csv")
    text = "\n".join(",".join(row.values()) for row in rows)
    flag = UnaccountedFlag.objects.select_related("project", "material").get()

    flagged = [row for row in rows if row["flag_open"] == "true"]
    assert [(row["project_code"], row["material"]) for row in flagged] == [
        (flag.project.code, flag.material.code)
    ]
    assert Decimal(flagged[0]["gap"]) > 0
    assert flagged[0]["flag_raised_log_index"] == str(flag.raised_index)
    assert all(row["flag_open"] == "false" for row in rows if row not in flagged)
    assert "19.8000" not in text  # quantities are plain, without the database's zeros
    assert not [name for name in Warehouse.objects.values_list("name", flat=True) if name in text]
    assert not [secret for secret in private_values() if secret in text]


def test_the_motions_file_has_the_rounds_allocation_executed(
    client: Client, demo_log: DemoLog
) -> None:
    rows = csv_dicts(client, "/downloads/motions.csv")
    motion = Motion.objects.get(kind="round.allocate")

    (row,) = [row for row in rows if row["kind"] == "round.allocate"]
    assert row["id"] == str(motion.id)
    assert row["status"] == "executed"
    assert row["executed_log_index"] == str(motion.executed_index)
    assert int(row["signatures"]) == motion.signatures.count() > 0
    assert len(rows) == Motion.objects.count()


def test_the_milestones_file_has_a_verified_milestone_with_its_evidence(
    client: Client, demo_log: DemoLog
) -> None:
    rows = csv_dicts(client, "/downloads/milestones.csv")
    verification = (
        Verification.objects.filter(result=VerificationResult.PASS, evidence__isnull=False)
        .select_related("milestone__project")
        .order_by("log_index")
        .first()
    )
    assert verification is not None
    milestone = verification.milestone

    (row,) = [
        row
        for row in rows
        if (row["project_code"], row["number"]) == (milestone.project.code, str(milestone.number))
    ]
    assert row["status"] == "verified"
    assert row["verification_result"] == "pass"
    assert row["verified_on"] == verification.visited_on.isoformat()
    assert set(row["evidence_sha256"].split(" ")) == {
        file.sha256 for file in verification.evidence.all()
    }
    assert row["tranche"] == format(milestone.tranche.amount, "f")
    assert not {"latitude", "longitude", "findings"} & set(rows[0])


def test_the_rates_file_lists_every_logged_rate(client: Client, demo_log: DemoLog) -> None:
    rows = csv_dicts(client, "/downloads/fund-rates.csv")
    rate = FxRate.objects.order_by("log_index").first()
    assert rate is not None

    assert len(rows) == FxRate.objects.count()
    assert {
        "currency": rate.currency,
        "on": rate.on.isoformat(),
        "units_per_usd": rate.units_per_usd,
        "source": rate.source,
        "log_index": str(rate.log_index),
    } in rows


def test_the_proposals_file_lists_submitted_proposals_and_never_their_place(
    client: Client, demo_log: DemoLog
) -> None:
    rows = read_csv(client, "/downloads/proposals.csv")
    header = rows[0]
    text = "\n".join(",".join(row) for row in rows)
    submitted = Proposal.objects.filter(submitted_index__isnull=False)

    assert not {"latitude", "longitude", "municipality"} & set(header)
    assert len(rows) - 2 == submitted.count() > 0
    points = {str(v) for p in submitted for v in (p.latitude, p.longitude)} - {"None"}
    assert points
    assert not [point for point in points if point in text]
    drafts = Proposal.objects.filter(submitted_index__isnull=True)
    assert not [str(draft.id) for draft in drafts if str(draft.id) in text]
    proposal = submitted.order_by("submitted_index").first()
    assert proposal is not None
    first = dict(zip(header, rows[2], strict=True))
    assert first["id"] == str(proposal.id)
    assert first["beneficiaries_total"] == str(proposal.beneficiaries_total)
    assert first["status"] == proposal.status


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, ""),
        (True, "true"),
        (Decimal("-1250.50"), "-1250.50"),
        (Decimal("1E+3"), "1000"),
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("مدرسة", "مدرسة"),
    ],
)
def test_a_cell_is_plain_and_never_a_formula(value: object, written: str) -> None:
    assert cell(value) == written


def test_the_log_page_shows_the_latest_checkpoints_and_no_witness_yet(
    client: Client, append_entries: Callable[..., None]
) -> None:
    append_entries(3)
    append_entries(2)

    html = client.get("/transparency-log/").content.decode()

    latest = SignedCheckpoint.objects.order_by("-size").first()
    assert latest is not None
    assert f'id="checkpoint-{latest.size}"' in html
    assert latest.note.splitlines()[0] in html  # the note's origin line, in its <pre>
    assert "No witness has cosigned yet." in html


def test_the_log_page_pages_fifty_entries_newest_first(
    client: Client, append_entries: Callable[..., None]
) -> None:
    append_entries(120)

    first = client.get("/transparency-log/").content.decode()
    third = client.get("/transparency-log/?page=3").content.decode()

    assert re.findall(r'href="/entries/(\d+)/"', first) == [str(i) for i in range(119, 69, -1)]
    assert 'href="?page=2#entries"' in first
    assert re.findall(r'href="/entries/(\d+)/"', third) == [str(i) for i in range(19, -1, -1)]
    assert "test:fixture" in first  # the actor's handle


def test_the_log_page_filters_by_kind_and_keeps_the_filter_across_pages(
    client: Client, append_entries: Callable[..., None]
) -> None:
    append_entries(60, kind="test.wanted")
    append_entries(5, kind="test.other")

    html = client.get("/transparency-log/?kind=test.wanted").content.decode()

    assert '<option value="test.other">' in html
    assert '<option value="test.wanted" selected>' in html
    shown = [int(i) for i in re.findall(r'href="/entries/(\d+)/"', html)]
    assert shown == list(range(59, 9, -1))
    assert 'href="?kind=test.wanted&amp;page=2#entries"' in html
    assert "test.other</code>" not in html
    assert LogEntry.objects.filter(kind="test.other").count() == 5


def test_the_log_page_before_the_first_checkpoint_says_so(client: Client, var_dir: object) -> None:
    html = client.get("/transparency-log/").content.decode()

    assert "The log has not published a checkpoint yet." in html
    assert 'href="/entries/' not in html


def test_home_runs_a_bounded_number_of_queries(
    client: Client, demo_log: DemoLog, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client.get("/")  # warm the signing key's cache: reading it is file I/O, not a query

    # The log (four), the fund's figures (a count of the log, then one per stage), the
    # donors, the decisions, the access metrics (four), the latest round, the damage to
    # assets (one).
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200


def test_the_log_page_runs_a_bounded_number_of_queries(
    client: Client,
    append_entries: Callable[..., None],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    append_entries(200)

    # Whether anything waits (two), the checkpoints, the kinds, the count, the page.
    with django_assert_max_num_queries(6):
        response = client.get("/transparency-log/?page=2")

    assert response.content.decode().count('href="/entries/') == 50
