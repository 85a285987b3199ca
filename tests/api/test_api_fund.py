"""The fund over the API: anyone reads the figures, balances, donors and facts; the
secretariat records (partner staff report their own expenditure); every refusal names
its field; nothing private is ever served; and the figures served through the API alone
equal the figures replayed from the log."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from api_support import assert_no_personal_data_in, bearer, send
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from fund_api_support import FUND, Funded, funded, post, sign_over_api
from fund_factories import LEAD, Fund, build_fund, partner_staff, replay_log
from governance_factories import make_user
from openapi_check import checked

from amanah.accounts.models import Role, User
from amanah.funds import services
from amanah.funds.models import Allocation, Contribution, MoveStatus, Pledge
from amanah.funds.selectors import fund_figures
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

QAR_RATE = {"currency": "QAR", "on": "2026-01-05", "units_per_usd": "3.64"}
SECRETS = ("QNB TRX 99812", "PS92 PALS 0000 1234", "Eng. Reporter Secretname")
PRIVATE_KEYS = ("bank_reference", "bank_account", "reported_by")


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


@pytest.fixture
def ready(fund: Fund) -> Funded:
    return funded(fund)


def _refused(response: HttpResponse, *fields: str) -> dict[str, Any]:
    assert response.status_code == 422, response.content
    body = checked(response)
    assert body["code"] == "validation_failed"
    for field in fields:
        assert field in body["fields"], body
    return body


def _created(response: HttpResponse) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    body: dict[str, Any] = checked(response)
    return body


def _donor_body(fund: Fund, **overrides: Any) -> dict[str, Any]:
    return {
        "donor": fund.donor("QA"),
        "amount": "3640.00",
        "currency": "QAR",
        "on": "2026-01-06",
        **overrides,
    }


def _tomorrow() -> str:
    return (timezone.now().date() + datetime.timedelta(days=1)).isoformat()


# --- figures, balances, donors -------------------------------------------------------------


def test_the_figures_are_the_selectors_and_public(client: Client, ready: Funded) -> None:
    body = checked(client.get(f"{FUND}/figures"))

    assert body == fund_figures()
    assert body["totals"]["allocated"] == "5000.00"
    assert body["totals"]["disbursed"] == "3000.00"


def test_the_figures_as_of_an_earlier_log_size(client: Client, fund: Fund) -> None:
    size = LogEntry.objects.count()
    services.contribution_record(
        donor=fund.donor("PK"), amount="10", currency="USD", on="2026-01-06", actor=fund.secretariat
    )

    earlier = checked(client.get(f"{FUND}/figures", {"log_size": size}))
    now = checked(client.get(f"{FUND}/figures"))

    assert earlier == fund_figures(log_size=size)
    assert earlier["log_size"] == size
    assert earlier["totals"]["paid"] == "0.00"
    assert now["totals"]["paid"] == "10.00"


@pytest.mark.parametrize("delta", [-1, 1])
def test_a_log_size_outside_the_log_names_log_size(client: Client, fund: Fund, delta: int) -> None:
    size = -1 if delta < 0 else LogEntry.objects.count() + 1

    _refused(client.get(f"{FUND}/figures", {"log_size": size}), "log_size")


def test_the_balances_sum_to_zero_per_currency(client: Client, ready: Funded) -> None:
    services.contribution_record(
        donor=ready.fund.donor("QA"),
        amount="364",
        currency="QAR",
        on="2026-01-06",
        actor=ready.fund.secretariat,
    )

    body = checked(client.get(f"{FUND}/balances"))

    assert body["totals"] == {"QAR": "0.00", "USD": "0.00"}
    balances = {(b["account"], b["currency"]): b["balance"] for b in body["balances"]}
    assert balances[("fund:cash", "USD")] == "5000.00"  # 8000 received, 3000 disbursed
    assert balances[("fund:available:any.any", "QAR")] == "-364.00"
    allocation = str(ready.allocation.id)
    assert balances[(f"allocation:{allocation}:advance", "USD")] == "3000.00"


def test_the_donors_with_their_money_and_paid_share(client: Client, fund: Fund) -> None:
    s = fund.secretariat
    services.pledge_record(
        donor=fund.donor("QA"), amount="7280", currency="QAR", on="2026-01-06", actor=s
    )
    services.contribution_record(
        donor=fund.donor("QA"), amount="1820", currency="QAR", on="2026-01-06", actor=s
    )
    services.contribution_record(
        donor=fund.donor("QA"), amount="500", currency="USD", on="2026-01-06", actor=s
    )
    services.contribution_record(
        donor=fund.donor("PK"), amount="5", currency="USD", on="2026-01-06", actor=s
    )

    body = checked(client.get(f"{FUND}/donors"))

    donors = {d["iati_identifier"]: d for d in body["donors"]}
    assert list(donors) == [fund.donor("PK"), fund.donor("QA")]
    qatar = donors[fund.donor("QA")]
    assert qatar["name_en"] == "Qatar Fund for Development"
    assert qatar["country"] == "QA"
    assert qatar["currencies"] == {
        "QAR": {"pledged": "7280.00", "committed": "0.00", "paid": "1820.00"},
        "USD": {"pledged": "0.00", "committed": "0.00", "paid": "500.00"},
    }
    # 7280 QAR is 2000 USD; 1820 QAR is 500 USD, with 500 USD more: half of the pledge.
    assert qatar["usd"] == {"pledged": "2000.00", "committed": "0.00", "paid": "1000.00"}
    assert qatar["paid_share_of_pledged"] == "0.5000"
    assert donors[fund.donor("PK")]["paid_share_of_pledged"] is None
    # The same USD totals the figures give.
    assert qatar["usd"] == {
        k: v
        for k, v in fund_figures()["by_donor"][fund.donor("QA")]["usd"].items()
        if k in ("pledged", "committed", "paid")
    }


# --- recording donors' money ---------------------------------------------------------------


def test_the_secretariat_records_a_rate(client: Client, fund: Fund) -> None:
    body = {"currency": "EGP", "on": "2026-01-05", "units_per_usd": "48.50", "source": "UN ORE"}

    created = _created(post(client, "/rates", body, fund.secretariat))

    assert {k: created[k] for k in body} == body
    listed = checked(client.get(f"{FUND}/rates"))
    assert listed["rates"][0] == created
    assert listed["total"] == 4


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"units_per_usd": 48.5}, "units_per_usd"),
        ({"units_per_usd": "-3"}, "units_per_usd"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "USD", "units_per_usd": "1"}, "currency"),
        ({"on": _tomorrow()}, "on"),
        ({"on": "2026-13-01"}, "on"),
        ({"on": "2026-01-05", "currency": "QAR"}, "on"),  # already recorded that day
        ({"source": " "}, "source"),
    ],
)
def test_a_bad_rate_names_its_field(
    client: Client, fund: Fund, overrides: dict[str, Any], field: str
) -> None:
    body = {
        "currency": "EGP",
        "on": "2026-01-05",
        "units_per_usd": "48.50",
        "source": "UN ORE",
        **overrides,
    }
    before = LogEntry.objects.count()

    _refused(post(client, "/rates", body, fund.secretariat), field)
    assert LogEntry.objects.count() == before


def test_a_pledge_names_its_rate_and_usd(client: Client, fund: Fund) -> None:
    created = _created(post(client, "/pledges", _donor_body(fund), fund.secretariat))

    assert created["amount"] == "3640.00"
    assert created["currency"] == "QAR"
    assert created["usd"] == "1000.00"
    assert created["rate"] == QAR_RATE
    assert created["earmark"] == {"sector": None, "governorate": None}
    assert created["reversed_index"] is None
    assert Pledge.objects.get().log_index == created["log_index"]


def test_a_usd_amount_uses_no_rate(client: Client, fund: Fund) -> None:
    body = _donor_body(fund, amount="12.50", currency="USD", sector="housing")

    created = _created(post(client, "/pledges", body, fund.secretariat))

    assert (created["usd"], created["rate"]) == ("12.50", None)
    assert created["earmark"] == {"sector": "housing", "governorate": None}


@pytest.mark.parametrize("path", ["/pledges", "/commitments", "/contributions"])
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "12.5.0"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": 12}, "amount"),
        ({"amount": "1,000"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "usd"}, "currency"),
        ({"on": _tomorrow()}, "on"),
        ({"on": "06/01/2026"}, "on"),
        ({"currency": "EGP", "amount": "10"}, "on"),  # no EGP rate: say which date lacks one
        ({"donor": "XM-NOBODY"}, "donor"),
        ({"sector": "astronautics"}, "sector"),
        ({"governorate": "PS9999"}, "governorate"),
    ],
)
def test_a_bad_donor_fact_names_its_field(
    client: Client, fund: Fund, path: str, overrides: dict[str, Any], field: str
) -> None:
    before = LogEntry.objects.count()

    _refused(post(client, path, _donor_body(fund, **overrides), fund.secretariat), field)
    assert LogEntry.objects.count() == before


def test_a_missing_field_is_named(client: Client, fund: Fund) -> None:
    body = _donor_body(fund)
    del body["donor"], body["on"]

    _refused(post(client, "/pledges", body, fund.secretariat), "donor", "on")


def test_a_contribution_pays_a_commitment(client: Client, fund: Fund) -> None:
    s = fund.secretariat
    pledge = _created(post(client, "/pledges", _donor_body(fund), s))
    commitment = _created(post(client, "/commitments", _donor_body(fund, pledge=pledge["id"]), s))
    body = _donor_body(fund, commitment=commitment["id"], bank_reference=SECRETS[0])

    contribution = _created(post(client, "/contributions", body, s))

    assert commitment["pledge"] == pledge["id"]
    assert contribution["commitment"] == commitment["id"]
    assert "bank_reference" not in contribution
    assert Contribution.objects.get().bank_reference == SECRETS[0]
    # Paying the commitment twice would settle more than the donor owes.
    _refused(post(client, "/contributions", body, s), "amount")
    # A commitment is paid in its own currency.
    usd = _donor_body(fund, commitment=commitment["id"], currency="USD", amount="1")
    _refused(post(client, "/contributions", usd, s), "currency")


def test_a_conversion(client: Client, fund: Fund) -> None:
    s = fund.secretariat
    _created(post(client, "/contributions", _donor_body(fund), s))
    body = {
        "sold_amount": "3640.00",
        "sold_currency": "QAR",
        "bought_amount": "999.50",
        "bought_currency": "USD",
        "on": "2026-01-07",
    }

    created = _created(post(client, "/conversions", body, s))

    assert {k: created[k] for k in body} == body
    # Nothing left to sell.
    _refused(post(client, "/conversions", body, s), "sold_amount")
    _refused(post(client, "/conversions", {**body, "bought_currency": "QAR"}, s), "bought_currency")
    _refused(post(client, "/conversions", {**body, "sold_amount": 3640}, s), "sold_amount")


# --- allocations and disbursements ---------------------------------------------------------


def test_an_allocation_waits_for_the_board(client: Client, fund: Fund) -> None:
    s = fund.secretariat
    body = _donor_body(fund, amount="1000", currency="USD")
    _created(post(client, "/contributions", body, s))

    created = _created(
        post(
            client,
            "/allocations",
            {"project": "GZ-EDU-0001", "amount": "600", "currency": "USD"},
            s,
        )
    )

    assert created["status"] == "reserved"
    assert created["project"] == "GZ-EDU-0001"
    assert created["draws"] == [
        {"earmark": {"sector": None, "governorate": None}, "amount": "600.00"}
    ]
    assert (created["usd"], created["rate"], created["on"]) == (None, None, None)
    motion = checked(client.get(f"/api/v1/motions/{created['motion']}"))
    assert motion["kind"] == "fund.allocate"
    assert motion["payload"]["effect"]["allocation"] == created["id"]
    # Approved by the board over the API, it has its date and USD equivalent.
    assert sign_over_api(client, fund, created["motion"]) == ["open", "open", "executed"]
    approved = checked(client.get(f"{FUND}/allocations/{created['id']}"))
    assert approved["status"] == "approved"
    assert approved["usd"] == "600.00"
    assert approved["approved_index"] is not None
    assert approved["on"] == timezone.now().date().isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": "GZ-NOPE", "amount": "1", "currency": "USD"}, "project"),
        ({"project": "GZ-EDU-0001", "amount": "9000.01", "currency": "USD"}, "amount"),  # overdraw
        ({"project": "GZ-EDU-0001", "amount": 1, "currency": "USD"}, "amount"),
        ({"project": "GZ-EDU-0001", "amount": "1", "currency": "EGP"}, "currency"),  # no rate
        ({"project": "GZ-EDU-0001", "amount": "1", "currency": "ZZZ"}, "currency"),
    ],
)
def test_a_bad_allocation_names_its_field(
    client: Client, ready: Funded, body: dict[str, Any], field: str
) -> None:
    before = Allocation.objects.count()

    _refused(post(client, "/allocations", body, ready.fund.secretariat), field)
    assert Allocation.objects.count() == before


def test_an_unknown_allocation_is_404(client: Client, db: None) -> None:
    response = client.get(f"{FUND}/allocations/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert checked(response)["code"] == "not_found"


def test_a_disbursement_keeps_the_bank_account_private(client: Client, ready: Funded) -> None:
    body = {"allocation": str(ready.allocation.id), "amount": "1500", "bank_account": SECRETS[1]}

    created = _created(post(client, "/disbursements", body, ready.fund.secretariat))

    assert created["tranche"] == 2
    assert created["status"] == "reserved"
    assert "bank_account" not in created
    assert SECRETS[1] not in json.dumps(checked(client.get(f"{FUND}/disbursements")))
    one = checked(client.get(f"{FUND}/disbursements/{created['id']}"))
    assert one == created
    assert SECRETS[1] not in json.dumps(one)
    missing = client.get(f"{FUND}/disbursements/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "2000.01"}, "amount"),  # 5000 allocated, 3000 disbursed
        ({"amount": 10.0}, "amount"),
        ({"amount": "1", "allocation": "00000000-0000-4000-8000-000000000000"}, "allocation"),
        ({"amount": "1", "allocation": "not-a-uuid"}, "allocation"),
    ],
)
def test_a_bad_disbursement_names_its_field(
    client: Client, ready: Funded, body: dict[str, Any], field: str
) -> None:
    payload = {"allocation": str(ready.allocation.id), **body}

    _refused(post(client, "/disbursements", payload, ready.fund.secretariat), field)


# --- expenditure, refunds, reversals -------------------------------------------------------


def test_partner_staff_of_the_lead_report_expenditure(client: Client, ready: Funded) -> None:
    body = {
        "allocation": str(ready.allocation.id),
        "amount": "1200.50",
        "on": "2026-01-20",
        "description": "Cement",
        "reported_by": SECRETS[2],
    }

    created = _created(post(client, "/expenditures", body, partner_staff()))

    assert created["description"] == "Cement"
    assert (created["amount"], created["usd"], created["rate"]) == ("1200.50", "1200.50", None)
    assert "reported_by" not in created
    # More than the partner holds is refused; so is another organisation's staff.
    _refused(
        post(client, "/expenditures", {**body, "amount": "1800"}, partner_staff("p-2")), "amount"
    )
    other = User.objects.create_user(
        username="other-partner", role=Role.PARTNER_STAFF, organisation_iati_id="XM-DAC-QA-1"
    )
    _refused(post(client, "/expenditures", body, other), "allocation")


def test_a_refund_goes_back_to_the_pools(client: Client, ready: Funded) -> None:
    body = {"allocation": str(ready.allocation.id), "amount": "250", "on": "2026-01-25"}

    created = _created(post(client, "/refunds", body, ready.fund.secretariat))

    assert created["returns"] == [
        {"earmark": {"sector": None, "governorate": None}, "amount": "250.00"}
    ]
    assert checked(client.get(f"{FUND}/refunds"))["refunds"] == [created]
    _refused(
        post(client, "/refunds", {**body, "amount": "2750.01"}, ready.fund.secretariat), "amount"
    )
    _refused(post(client, "/refunds", {**body, "on": _tomorrow()}, ready.fund.secretariat), "on")


def test_a_reversal_takes_a_pledge_back(client: Client, ready: Funded) -> None:
    s = ready.fund.secretariat
    body = {"kind": "pledge", "fact": str(ready.pledge.id), "reason": "Entered twice"}
    _refused(post(client, "/reversals", {**body, "reason": " "}, s), "reason")
    _refused(post(client, "/reversals", {**body, "kind": "allocation"}, s), "kind")

    created = _created(post(client, "/reversals", body, s))

    assert (created["kind"], created["fact"], created["reason"]) == (
        "pledge",
        str(ready.pledge.id),
        "Entered twice",
    )
    pledge = checked(client.get(f"{FUND}/pledges"))["pledges"][0]
    assert pledge["reversed_index"] == created["log_index"]
    assert checked(client.get(f"{FUND}/reversals"))["reversals"] == [created]
    assert checked(client.get(f"{FUND}/figures"))["totals"]["pledged"] == "0.00"
    _refused(post(client, "/reversals", body, s), "fact")  # once only


# --- lists ---------------------------------------------------------------------------------


def test_lists_are_newest_first_a_page_at_a_time(client: Client, fund: Fund) -> None:
    for amount in ("1", "2", "3"):
        _created(post(client, "/pledges", _donor_body(fund, amount=amount), fund.secretariat))

    first = checked(client.get(f"{FUND}/pledges", {"limit": 2}))
    second = checked(client.get(f"{FUND}/pledges", {"limit": 2, "offset": 2}))

    assert [p["amount"] for p in first["pledges"]] == ["3.00", "2.00"]
    assert [p["amount"] for p in second["pledges"]] == ["1.00"]
    assert (first["total"], first["limit"], second["offset"]) == (3, 2, 2)
    _refused(client.get(f"{FUND}/pledges", {"limit": 1001}), "limit")
    _refused(client.get(f"{FUND}/pledges", {"limit": 0}), "limit")
    _refused(client.get(f"{FUND}/pledges", {"offset": -1}), "offset")


# --- who may write -------------------------------------------------------------------------


def _bodies(ready: Funded) -> dict[str, dict[str, Any]]:
    fund, allocation = ready.fund, str(ready.allocation.id)
    return {
        "/rates": {"currency": "EGP", "on": "2026-01-05", "units_per_usd": "48.5", "source": "UN"},
        "/pledges": _donor_body(fund),
        "/commitments": _donor_body(fund),
        "/contributions": _donor_body(fund),
        "/conversions": {
            "sold_amount": "10",
            "sold_currency": "USD",
            "bought_amount": "36.40",
            "bought_currency": "QAR",
            "on": "2026-01-07",
        },
        "/allocations": {"project": "GZ-EDU-0001", "amount": "10", "currency": "USD"},
        "/disbursements": {"allocation": allocation, "amount": "10"},
        "/expenditures": {"allocation": allocation, "amount": "10", "on": "2026-01-20"},
        "/refunds": {"allocation": allocation, "amount": "10", "on": "2026-01-20"},
        "/reversals": {"kind": "pledge", "fact": str(ready.pledge.id), "reason": "Test"},
    }


PATHS = [
    "/rates",
    "/pledges",
    "/commitments",
    "/contributions",
    "/conversions",
    "/allocations",
    "/disbursements",
    "/expenditures",
    "/refunds",
    "/reversals",
]


@pytest.mark.parametrize("path", PATHS)
def test_the_secretariat_may_write_each(client: Client, ready: Funded, path: str) -> None:
    _created(post(client, path, _bodies(ready)[path], ready.fund.secretariat))


@pytest.mark.parametrize(
    ("path", "role"),
    [
        (path, role)
        for path in PATHS
        for role in (Role.BOARD_MEMBER, Role.MONITOR, Role.PARTNER_STAFF, "")
        # Partner staff of the lead do report expenditure: tested on its own.
        if (path, role) != ("/expenditures", Role.PARTNER_STAFF)
    ],
)
def test_other_roles_may_not_write(client: Client, ready: Funded, path: str, role: str) -> None:
    if role == Role.PARTNER_STAFF:
        user = partner_staff("partner-x")
    else:
        user = make_user(f"someone-{role or 'none'}", role)
    before = LogEntry.objects.count()

    response = post(client, path, _bodies(ready)[path], user)

    assert response.status_code == 403, response.content
    assert checked(response)["code"] == "role_required"
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize("path", PATHS)
def test_writing_needs_a_token(client: Client, ready: Funded, path: str) -> None:
    response = post(client, path, _bodies(ready)[path], None)

    assert response.status_code == 401
    assert checked(response)["code"] == "authentication_required"


def test_a_bad_token_is_401(client: Client, ready: Funded) -> None:
    response = client.post(
        f"{FUND}/pledges",
        _donor_body(ready.fund),
        content_type="application/json",
        headers={"Authorization": "Bearer amanah_nonsense"},
    )

    assert response.status_code == 401
    assert checked(response)["code"] == "token_invalid"


# --- through the API alone, from rates to refund -------------------------------------------


GETS = [
    "/figures",
    "/balances",
    "/donors",
    "/rates",
    "/pledges",
    "/commitments",
    "/contributions",
    "/conversions",
    "/allocations",
    "/disbursements",
    "/expenditures",
    "/refunds",
    "/reversals",
]


def test_from_rates_to_refund_through_the_api(client: Client, fund: Fund) -> None:
    s, qatar = fund.secretariat, fund.donor("QA")
    partner = partner_staff()
    _created(
        post(
            client,
            "/rates",
            {"currency": "QAR", "on": "2026-01-10", "units_per_usd": "3.65", "source": "UN ORE"},
            s,
        )
    )
    pledge = _created(post(client, "/pledges", _donor_body(fund, amount="3640000"), s))
    commitment = _created(
        post(client, "/commitments", _donor_body(fund, amount="3640000", pledge=pledge["id"]), s)
    )
    contribution = _created(
        post(
            client,
            "/contributions",
            _donor_body(
                fund,
                amount="1820000.00",
                on="2026-01-11",
                commitment=commitment["id"],
                bank_reference=SECRETS[0],
            ),
            s,
        )
    )
    # Paid after the new rate: it uses the rate of 2026-01-10, the latest on or before.
    assert contribution["rate"] == {"currency": "QAR", "on": "2026-01-10", "units_per_usd": "3.65"}
    allocation = _created(
        post(
            client,
            "/allocations",
            {"project": "GZ-HOU-0001", "amount": "1000000", "currency": "QAR"},
            s,
        )
    )
    assert sign_over_api(client, fund, allocation["motion"])[-1] == "executed"
    disbursement = _created(
        post(
            client,
            "/disbursements",
            {"allocation": allocation["id"], "amount": "400000", "bank_account": SECRETS[1]},
            s,
        )
    )
    assert sign_over_api(client, fund, disbursement["motion"])[-1] == "executed"
    _created(
        post(
            client,
            "/expenditures",
            {
                "allocation": allocation["id"],
                "amount": "300000.50",
                "on": "2026-01-20",
                "description": "Cement and labour",
                "reported_by": SECRETS[2],
            },
            partner,
        )
    )
    _created(
        post(
            client,
            "/refunds",
            {"allocation": allocation["id"], "amount": "50000", "on": "2026-01-25"},
            s,
        )
    )

    served = checked(client.get(f"{FUND}/figures"))
    book = replay_log()
    assert book.violations == []
    assert served == book.figures()
    assert served["by_donor"][qatar]["native"]["QAR"] == {
        "pledged": "3640000.00",
        "committed": "3640000.00",
        "paid": "1820000.00",
    }
    assert served["totals"]["pledged"] == "1000000.00"
    assert served["totals"]["paid"] == "498630.14"  # 1,820,000 QAR at 3.65
    approved = checked(client.get(f"{FUND}/allocations/{allocation['id']}"))
    assert approved["status"] == MoveStatus.APPROVED
    assert approved["rate"]["on"] == "2026-01-10"
    assert checked(client.get(f"{FUND}/balances"))["totals"] == {"QAR": "0.00"}
    assert checked(client.get("/api/v1/projects"))["projects"][0]["lead"] == LEAD

    # Nothing private, and no person, in any answer or in the log.
    for path in GETS:
        response = client.get(f"{FUND}{path}")
        assert response.status_code == 200, (path, response.content)
        checked(response)
        text = response.content.decode()
        assert not [secret for secret in SECRETS if secret in text], path
        assert not [key for key in PRIVATE_KEYS if f'"{key}"' in text], path
        assert_no_personal_data_in(response)
    for entry in LogEntry.objects.all():
        logged = bytes(entry.entry).decode()
        assert not [secret for secret in SECRETS if secret in logged], entry.index
        assert str(partner.username) not in logged


def test_errors_follow_the_language_of_the_request(client: Client, fund: Fund) -> None:
    response = client.post(
        f"{FUND}/pledges",
        _donor_body(fund, amount=12.5),
        content_type="application/json",
        headers={**bearer(fund.secretariat), "Accept-Language": "ar"},
    )

    assert response.status_code == 422
    assert response["Content-Language"] == "ar"
    assert "amount" in checked(response)["fields"]


def test_reading_needs_no_token_and_names_no_one(client: Client, ready: Funded) -> None:
    for path in GETS:
        response = send(client, "get", f"{FUND}{path}", {}, None)
        assert response.status_code == 200, (path, response.content)
        checked(response)
        assert_no_personal_data_in(response)
