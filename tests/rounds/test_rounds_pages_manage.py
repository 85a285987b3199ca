"""The secretariat's pages: create a round (percentages and dollars become the service's
fractions and cents; errors go next to their fields and nothing is written), run it (open,
add proposals, follow the scoring, optimise), and the reviewers' workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from round_services_support import CODE, Setup, build_setup, create_round

from amanah.rounds import forms
from amanah.rounds.models import Round, RoundResult, RoundStatus

pytestmark = pytest.mark.django_db

RUBRIC = [
    {"code": "need", "name_en": "Severity of need", "name_ar": "شدة الحاجة", "weight": "0.5"},
    {"code": "readiness", "name_en": "Readiness", "name_ar": "الجاهزية", "weight": "0.3"},
    {"code": "value", "name_en": "Cost per beneficiary", "name_ar": "الكلفة", "weight": "0.2"},
]
POOLS = [
    {"sector": "", "governorate": "", "amount": "1500000"},
    {"sector": "housing", "governorate": "PS0270", "amount": "1000000.00"},
]


@pytest.fixture
def setup(var_dir: Path) -> Setup:
    return build_setup()


def _formset(prefix: str, rows: list[dict[str, str]], extra: int = 0) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def _form(
    criteria: list[dict[str, str]] = RUBRIC,
    pools: list[dict[str, str]] = POOLS,
    **fields: str,
) -> dict[str, str]:
    return {
        "code": CODE,
        "title_en": "First round",
        "title_ar": "الجولة الأولى",
        "max_sector_housing": "60",
        "min_governorate_PS0260": "20",
        **fields,
        **_formset("criteria", criteria, extra=1),
        **_formset("pools", pools, extra=2),
    }


def _secretariat(client: Client, setup: Setup) -> Client:
    client.force_login(setup.fund.secretariat)
    return client


def test_the_form_offers_the_standard_rubric_and_the_funds_pools(
    setup: Setup, client: Client
) -> None:
    page = _secretariat(client, setup).get("/rounds/new/")

    assert page.status_code == 200
    text = page.content.decode()
    for code in ("severity", "cost_per_beneficiary", "sector_priority", "partner_performance"):
        assert f'value="{code}"' in text
    assert "Severity of need in the governorate" in text
    assert "any.any" in text
    assert "housing.PS0270" in text
    assert 'value="1500000.00"' in text  # a pool row prefilled from the fund's money
    assert 'name="max_sector_housing"' in text
    assert 'name="min_governorate_PS0260"' in text


def test_the_secretariat_creates_a_draft_in_the_services_units(
    setup: Setup, client: Client
) -> None:
    _secretariat(client, setup)
    extra = {"code": "equity", "name_en": "Equity", "name_ar": "الإنصاف", "weight": "0.125"}

    response = client.post(
        "/rounds/new/",
        _form(
            criteria=[*RUBRIC, extra],
            max_per_partner="1000000.50",
            min_sector_health="12.5",
            max_governorate_PS0260="100",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"/rounds/{CODE}/manage/"
    row = Round.objects.get(code=CODE)
    assert row.status == RoundStatus.DRAFT
    assert row.title_ar == "الجولة الأولى"
    weights = {c.code: str(c.weight.normalize()) for c in row.criteria.all()}
    assert weights == {"equity": "0.125", "need": "0.5", "readiness": "0.3", "value": "0.2"}
    assert row.criteria.get(code="equity").name_ar == "الإنصاف"
    pools = {p.earmark.key: p.amount_cents for p in row.pools.all()}
    assert pools == {"any.any": 150_000_000, "housing.PS0270": 100_000_000}
    assert row.max_share_by_sector == {"housing": "0.6"}
    assert row.min_share_by_sector == {"health": "0.125"}
    assert row.min_share_by_governorate == {"PS0260": "0.2"}
    assert row.max_share_by_governorate == {"PS0260": "1"}
    assert row.max_per_partner_cents == 100_000_050
    # A draft is seen only on the management page.
    assert client.get(f"/rounds/{CODE}/").status_code == 404
    assert client.get(f"/rounds/{CODE}/manage/").status_code == 200
    assert CODE in client.get("/rounds/").content.decode()  # under "Drafts"
    assert CODE not in Client().get("/rounds/").content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"min_sector_housing": "70"},
            "min_sector_housing",
            "The minimum share is larger than the maximum",
        ),
        ({"max_governorate_PS0270": "150"}, "max_governorate_PS0270", "100"),
        ({"max_per_partner": "1.000,50"}, "max_per_partner", "Give an amount in US dollars"),
    ],
)
def test_a_bad_constraint_is_shown_on_its_field_and_nothing_is_written(
    setup: Setup, client: Client, fields: dict[str, str], field: str, message: str
) -> None:
    response = _secretariat(client, setup).post("/rounds/new/", _form(**fields))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert message in response.content.decode()
    assert response.context["form"]["title_en"].value() == "First round"  # input kept
    assert not Round.objects.exists()


def test_a_pool_larger_than_the_fund_has_is_refused_on_its_row(
    setup: Setup, client: Client
) -> None:
    pools = [POOLS[0], {"sector": "housing", "governorate": "PS0270", "amount": "1000000.01"}]

    response = _secretariat(client, setup).post("/rounds/new/", _form(pools=pools))

    assert response.status_code == 400
    row_errors = response.context["pools"].errors
    assert row_errors[0] == {}
    assert "1000000.00 US dollars free to allocate under housing.PS0270" in str(
        row_errors[1]["amount"]
    )
    assert 'value="1000000.01"' in response.content.decode()
    assert not Round.objects.exists()


def test_a_pool_of_two_rows_for_one_earmark_or_none_at_all_is_refused(
    setup: Setup, client: Client
) -> None:
    _secretariat(client, setup)
    twice = [POOLS[0], {"sector": "", "governorate": "", "amount": "5"}]

    doubled = client.post("/rounds/new/", _form(pools=twice))
    empty = client.post("/rounds/new/", _form(pools=[]))

    assert doubled.status_code == 400
    assert "give one per earmark" in str(doubled.context["pools"].errors[1]["sector"])
    assert empty.status_code == 400
    assert "at least one pool" in str(empty.context["pools"].non_form_errors())
    assert not Round.objects.exists()


def test_the_services_errors_go_next_to_their_fields(setup: Setup, client: Client) -> None:
    create_round(setup)  # R-2026-01 exists already
    _secretariat(client, setup)

    taken = client.post("/rounds/new/", _form())
    no_title = client.post("/rounds/new/", _form(code="R-2026-02", title_en="", title_ar=""))

    assert taken.status_code == 400
    assert "no other round has" in taken.context["form"].errors["code"][0]
    assert no_title.status_code == 400
    assert "title_en" in no_title.context["form"].errors
    assert Round.objects.count() == 1


def test_a_services_share_error_is_put_on_its_row() -> None:
    form = forms.RoundForm({"code": CODE, "title_en": "x"})
    criteria = forms.CriterionFormSet({**_formset("criteria", RUBRIC)}, prefix="criteria")
    pools = forms.PoolFormSet(_formset("pools", POOLS), prefix="pools", available={})
    assert form.is_valid()
    criteria.is_valid()
    pools.is_valid()
    error = ValidationError(
        {
            "min_share_by_sector": "min_share_by_sector[housing] 0.7 exceeds max 0.6",
            "criteria": "Two criteria have the same code.",
            "max_per_partner_cents": "Give a whole number of cents.",
        }
    )

    forms.add_service_error(error, form, criteria, pools)

    assert form.errors["min_sector_housing"] == ["min_share_by_sector[housing] 0.7 exceeds max 0.6"]
    assert form.errors["max_per_partner"] == ["Give a whole number of cents."]
    assert list(criteria.non_form_errors()) == ["Two criteria have the same code."]


def test_reserved_codes_are_refused(setup: Setup, client: Client) -> None:
    response = _secretariat(client, setup).post("/rounds/new/", _form(code="review"))

    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert not Round.objects.exists()


def test_opening_refuses_a_pool_the_fund_cannot_cover(setup: Setup, client: Client) -> None:
    pools = [{"sector": "", "governorate": "", "amount_cents": 150_000_001}]
    create_round(setup, pools=pools)  # the service checks the money only when opening

    response = _secretariat(client, setup).post(f"/rounds/{CODE}/manage/open/")

    assert response.status_code == 422
    assert "asks for 150000001 cents" in response.content.decode()
    assert Round.objects.get(code=CODE).status == RoundStatus.DRAFT


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_round_from_the_form_to_the_published_portfolio(setup: Setup, client: Client) -> None:
    s, monitor = setup.fund.secretariat, setup.monitor
    ids = {name: str(p.pk) for name, p in setup.proposals.items()}
    _secretariat(client, setup)
    assert client.post("/rounds/new/", _form()).status_code == 302
    manage = f"/rounds/{CODE}/manage/"
    assert "Open the round" in client.get(manage).content.decode()

    opened = client.post(f"{manage}open/")

    assert opened.status_code == 302
    assert Round.objects.get(code=CODE).status == RoundStatus.OPEN
    listed = client.get(manage).content.decode()
    assert all(pid in listed for pid in ids.values())
    education = client.get(manage, {"sector": "education"}).content.decode()
    assert ids["school"] in education
    assert ids["housing"] not in education

    first = client.post(
        f"{manage}proposals/", {"proposal": [ids["school"]], "sector": "education"}, follow=True
    )
    assert first.redirect_chain[-1][0] == f"{manage}?sector=education"
    assert any("Added to the round" in m for m in _messages(first))
    rest = client.post(f"{manage}proposals/", {"proposal": list(ids.values())}, follow=True)
    said = _messages(rest)
    assert [m.count(";") for m in said if m.startswith("Added to the round")] == [1], said
    assert [m for m in said if m.startswith("Not added")] == [
        f"Not added: {setup.proposals['school'].title}: This proposal is already in the round."
    ]
    assert Round.objects.get(code=CODE).entries.count() == 3

    # Scoring through the existing score page; the reviewer's workspace shows progress.
    reviewer = Client()
    reviewer.force_login(monitor)
    review = reviewer.get("/rounds/review/")
    assert review.status_code == 200
    assert review.context["rows"][0]["complete"] == 0
    assert review.context["rows"][0]["entries"] == 3
    assert f"/rounds/{CODE}/score/" in review.content.decode()
    for who, score in ((client, "4"), (reviewer, "3.5")):
        for name, pid in ids.items():
            for code in ("need", "readiness", "value"):
                value = "5" if name == "clinic" and code == "need" else score
                done = who.post(
                    f"/rounds/{CODE}/score/", {"proposal": pid, "criterion": code, "score": value}
                )
                assert done.status_code == 302, done.content.decode()[:2000]
            if who is reviewer and name == "housing":
                assert reviewer.get("/rounds/review/").context["rows"][0]["complete"] == 1
    assert reviewer.get("/rounds/review/").context["rows"][0]["complete"] == 3
    progress = client.get(manage).context["progress"]
    assert progress["ready"] == 3
    assert {r["reviewer"]: r["complete"] for r in progress["reviewers"]} == {
        f"user:{s.pk}": 3,
        f"user:{monitor.pk}": 3,
    }
    assert progress["entries_by_reviewers"] == [{"reviewers": 2, "entries": 3}]
    assert Round.objects.get(code=CODE).status == RoundStatus.SCORED

    optimised = client.post(f"{manage}optimise/", follow=True)

    assert optimised.redirect_chain[-1][0] == f"/rounds/{CODE}/"
    result = RoundResult.objects.get()
    assert result.selected
    text = optimised.content.decode()
    assert "The portfolio" in text
    assert "Greedy baseline" in text
    assert f"logged at entry {result.log_index}" in text
    public = Client().get(f"/rounds/{CODE}/").content.decode()
    assert "selected by the optimiser" in public
    assert result.total_score in public


def test_optimising_an_unscored_round_says_why(setup: Setup, client: Client) -> None:
    create_round(setup)
    _secretariat(client, setup)
    client.post(f"/rounds/{CODE}/manage/open/")

    response = client.post(f"/rounds/{CODE}/manage/optimise/")

    assert response.status_code == 422
    assert "Only a round whose every proposal is scored" in response.content.decode()
    assert not RoundResult.objects.exists()


@pytest.mark.parametrize("path", ["new/", f"{CODE}/manage/"])
def test_only_the_secretariat_creates_and_manages(setup: Setup, client: Client, path: str) -> None:
    create_round(setup)

    anonymous = client.get(f"/rounds/{path}")
    client.force_login(setup.monitor)
    monitor = client.get(f"/rounds/{path}")
    client.force_login(setup.staff)
    staff = client.get(f"/rounds/{path}")

    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    assert monitor.status_code == 403
    assert staff.status_code == 403


def test_only_the_secretariat_acts_on_a_round(setup: Setup, client: Client) -> None:
    create_round(setup)
    client.force_login(setup.monitor)

    for action in ("open", "proposals", "optimise"):
        assert client.post(f"/rounds/{CODE}/manage/{action}/").status_code == 403
    assert client.post("/rounds/new/", _form(code="R-2026-09")).status_code == 403
    assert Round.objects.get().status == RoundStatus.DRAFT
    assert Client().post(f"/rounds/{CODE}/manage/open/").status_code == 302  # to log in


def test_the_review_workspace_is_for_reviewers(setup: Setup, client: Client) -> None:
    assert client.get("/rounds/review/").status_code == 302
    client.force_login(setup.staff)
    assert client.get("/rounds/review/").status_code == 403
    client.force_login(setup.monitor)
    page = client.get("/rounds/review/")
    assert page.status_code == 200
    assert "No round is open for scoring." in page.content.decode()


def test_the_links_to_the_new_pages(setup: Setup, client: Client) -> None:
    create_round(setup)
    s = setup.fund.secretariat
    from amanah.rounds import services

    services.round_open(round=CODE, actor=s)

    client.force_login(s)
    listing = client.get("/rounds/").content.decode()
    detail = client.get(f"/rounds/{CODE}/").content.decode()
    client.force_login(setup.monitor)
    listing_monitor = client.get("/rounds/").content.decode()
    detail_monitor = client.get(f"/rounds/{CODE}/").content.decode()

    assert 'href="/rounds/new/"' in listing
    assert 'href="/rounds/review/"' in listing
    assert f'href="/rounds/{CODE}/manage/"' in detail
    assert 'href="/rounds/new/"' not in listing_monitor
    assert 'href="/rounds/review/"' in listing_monitor
    assert "/manage/" not in detail_monitor


def test_the_arabic_form_is_right_to_left(setup: Setup, client: Client) -> None:
    page = _secretariat(client, setup).get("/ar/rounds/new/")

    assert page.status_code == 200
    text = page.content.decode()
    assert 'dir="rtl"' in text
    assert 'action="/ar/rounds/new/"' in text
    assert "شدة الحاجة في المحافظة" in text


def test_the_review_workspace_queries_do_not_grow_with_the_rounds(
    setup: Setup, client: Client
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amanah.rounds import services

    s = setup.fund.secretariat
    client.force_login(setup.monitor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/rounds/review/").status_code == 200
        return len(queries)

    create_round(setup)
    services.round_open(round=CODE, actor=s)
    one = count()
    create_round(setup, code="R-2026-02")
    services.round_open(round="R-2026-02", actor=s)
    for proposal in setup.proposals.values():
        services.round_add_proposal(round="R-2026-02", proposal=str(proposal.pk), actor=s)

    assert count() == one
