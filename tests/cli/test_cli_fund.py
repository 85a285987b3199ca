"""`amanah fund ...` against a live server: the secretariat records the fund's money from
rates to refund, a partner reports its spending, the board decides in between, and the
figures the command shows are the server's; refusals exit 1 naming the field."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer
from typer.testing import CliRunner, Result

from amanah.accounts.models import User
from amanah.accounts.services import api_token_create
from amanah.cli.main import app
from amanah.funds.models import Allocation, Contribution, Disbursement, Expenditure, Pledge
from amanah.funds.selectors import fund_figures

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "funds"))
from fund_factories import Fund, build_fund, partner_staff, replay_log

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def amanah(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _token_file(tmp_path: Path, user: User) -> Path:
    _, plaintext = api_token_create(user=user, name="cli")
    path = tmp_path / f"{user.username}.token"
    path.write_text(plaintext + "\n")
    return path


def _id(result: Result, kind: str) -> str:
    assert result.exit_code == 0, result.output
    match = re.search(rf"^{kind} ({UUID})$", result.output, re.MULTILINE)
    assert match, result.output
    return match.group(1)


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def test_from_rate_to_refund_with_the_cli(
    live_server: LiveServer, fund: Fund, tmp_path: Path
) -> None:
    server = ("--server", live_server.url)
    secretariat = (*server, "--token-file", _token_file(tmp_path, fund.secretariat))
    partner = (*server, "--token-file", _token_file(tmp_path, partner_staff()))
    qatar = fund.donor("QA")

    rate = amanah("fund", "rate", "QAR", "2026-01-10", "3.65", "--source", "UN ORE", *secretariat)
    assert rate.exit_code == 0, rate.output
    assert "1 USD = 3.65 QAR on 2026-01-10 (UN ORE)" in rate.output

    pledged = amanah("fund", "pledge", qatar, "3640000", "QAR", "2026-01-06", *secretariat)
    pledge = _id(pledged, "pledge")
    assert "pledged 3640000.00 QAR on 2026-01-06" in pledged.output
    assert "(= 1000000.00 USD at 3.64 QAR/USD of 2026-01-05)" in pledged.output
    commitment = _id(
        amanah(
            "fund", "commit", qatar, "3640000", "QAR", "2026-01-07", "--pledge", pledge,
            *secretariat,
        ),
        "commitment",
    )  # fmt: skip
    contribution = _id(
        amanah(
            "fund", "contribute", qatar, "1820000.00", "QAR", "2026-01-11",
            "--commitment", commitment, "--bank-reference", "QNB TRX 99812", *secretariat,
        ),
        "contribution",
    )  # fmt: skip
    assert Contribution.objects.get(pk=contribution).bank_reference == "QNB TRX 99812"
    converted = amanah(
        "fund", "convert", "364", "QAR", "99.70", "USD", "2026-01-12", *secretariat
    )  # fmt: skip
    _id(converted, "conversion")
    assert "sold 364.00 QAR for 99.70 USD on 2026-01-12" in converted.output

    allocated = amanah("fund", "allocate", "GZ-HOU-0001", "1000000", "QAR", *secretariat)
    allocation = _id(allocated, "allocation")
    motion = _id(allocated, "motion")
    assert str(Allocation.objects.get(pk=allocation).motion_id) == motion
    fund.pass_motion(Allocation.objects.get(pk=allocation).motion)

    disbursed = amanah(
        "fund", "disburse", allocation, "400000", "--bank-account", "PS92 PALS 0000",
        *secretariat,
    )  # fmt: skip
    disbursement = _id(disbursed, "disbursement")
    assert "tranche 1, 400000.00 QAR" in disbursed.output
    row = Disbursement.objects.get(pk=disbursement)
    assert str(row.motion_id) == _id(disbursed, "motion")
    fund.pass_motion(row.motion)

    spent = amanah(
        "fund", "spend", allocation, "300000.50", "2026-01-20", "--description", "Cement",
        "--reported-by", "Eng. Example Name", *partner,
    )  # fmt: skip
    expenditure = _id(spent, "expenditure")
    assert Expenditure.objects.get(pk=expenditure).reported_by == "Eng. Example Name"
    _id(amanah("fund", "refund", allocation, "50000", "2026-01-25", *secretariat), "refund")

    extra = _id(amanah("fund", "pledge", qatar, "5", "USD", "2026-01-06", *secretariat), "pledge")
    reversed_ = amanah("fund", "reverse", "pledge", extra, "--reason", "Twice", *secretariat)
    _id(reversed_, "reversal")
    assert Pledge.objects.get(pk=extra).reversed_index is not None

    as_json = amanah("fund", "figures", *server, "--json")
    assert as_json.exit_code == 0, as_json.output
    figures = json.loads(as_json.output)
    assert figures == fund_figures()
    book = replay_log()
    assert book.violations == []
    assert figures == book.figures()
    table = amanah("fund", "figures", *server)
    assert table.exit_code == 0, table.output
    assert re.search(r"pledged\s.*1000000\.00", table.output), table.output
    assert re.search(r"spent\s.*\d", table.output), table.output


def test_a_refusal_exits_1_and_names_the_field(
    live_server: LiveServer, fund: Fund, tmp_path: Path
) -> None:
    secretariat = (
        "--server",
        live_server.url,
        "--token-file",
        _token_file(tmp_path, fund.secretariat),
    )

    bad_amount = amanah(
        "fund", "pledge", fund.donor("QA"), "12.5.0", "QAR", "2026-01-06", *secretariat
    )
    no_rate = amanah(
        "fund", "contribute", fund.donor("QA"), "10", "EGP", "2026-01-06", *secretariat
    )
    too_much = amanah("fund", "allocate", "GZ-HOU-0001", "1", "USD", *secretariat)

    for result, field in ((bad_amount, "amount"), (no_rate, "on"), (too_much, "amount")):
        assert result.exit_code == 1, result.output
        assert "refused by the server" in result.output
        assert f"  {field}: " in result.output
    assert not Pledge.objects.exists()


def test_only_the_secretariat_records(live_server: LiveServer, fund: Fund, tmp_path: Path) -> None:
    partner = ("--server", live_server.url, "--token-file", _token_file(tmp_path, partner_staff()))

    result = amanah("fund", "pledge", fund.donor("QA"), "1", "QAR", "2026-01-06", *partner)

    assert result.exit_code == 1
    assert "role_required" in result.output


def test_usage_and_io_errors_exit_2(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("amanah_x\n")
    missing = tmp_path / "missing"

    def run(server: str, token_file: Path) -> Result:
        return amanah(
            "fund", "allocate", "GZ-HOU-0001", "1", "USD", "--server", server,
            "--token-file", token_file,
        )  # fmt: skip

    assert run("ftp://x", token).exit_code == 2
    assert run("http://127.0.0.1:9", missing).exit_code == 2
    assert run("http://127.0.0.1:9", token).exit_code == 2  # nothing listens there
    assert amanah("fund", "figures", "--server", "http://127.0.0.1:9").exit_code == 2
    assert amanah("fund", "allocate", "GZ-HOU-0001").exit_code == 2  # missing arguments


def test_the_fund_commands_need_no_django() -> None:
    code = "import sys, amanah.cli.fund; print(sorted(m for m in sys.modules if 'django' in m))"

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"


STATEMENT = """donor,amount,currency,date,bank_reference
XM-DAC-QA-1,364.00,QAR,2026-01-07,QNB-1
XM-DAC-PK-1,100,USD,2026-01-07,HBL-1
"""


def test_a_statement_is_imported_over_the_api(
    live_server: LiveServer, fund: Fund, tmp_path: Path
) -> None:
    statement = tmp_path / "statement.csv"
    statement.write_text(STATEMENT)
    token = _token_file(tmp_path, fund.secretariat)
    command = ("fund", "import", statement, "--server", live_server.url, "--token-file", token)

    first = amanah(*command)
    assert first.exit_code == 0, first.output
    assert "recorded 2 contribution(s); 0 row(s) were already recorded" in first.output
    again = amanah(*command)
    assert "recorded 0 contribution(s); 2 row(s) were already recorded" in again.output

    statement.write_text(STATEMENT + "XM-DAC-PK-1,1.001,USD,2026-01-07,HBL-2\n")
    refused = amanah(*command)
    assert refused.exit_code == 1
    assert "nothing was imported" in refused.output
    assert "line 4: amount: USD amounts have at most 2 decimal places." in refused.output
    assert Contribution.objects.count() == 2


@pytest.mark.django_db
def test_a_statement_is_imported_on_the_server_itself(fund: Fund, tmp_path: Path) -> None:
    statement = tmp_path / "statement.csv"
    statement.write_text(STATEMENT)

    done = amanah("fund", "import-local", statement, "--as", fund.secretariat.username)
    assert done.exit_code == 0, done.output
    assert "Contributions recorded: 2. Rows recorded before, skipped: 0." in done.output

    statement.write_text(
        "donor,amount,currency,date,bank_reference\nXM-NOBODY,1,USD,2026-01-07,X\n"
    )
    refused = amanah("fund", "import-local", statement, "--as", fund.secretariat.username)
    assert refused.exit_code == 1
    assert "line 2 donor: Name the organisation by a registered IATI identifier." in refused.output
    member = amanah("fund", "import-local", statement, "--as", fund.board.members["pk"].username)
    assert member.exit_code == 2
    assert Contribution.objects.count() == 2
