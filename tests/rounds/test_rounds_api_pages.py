"""Rounds over the API (create, open, add, score, optimise, read) and the pages (the
public round page with the greedy baseline beside the optimiser; the reviewers' form)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client
from round_services_support import CODE, CRITERIA, SCORES, Setup, build_setup, run_round

_API = Path(__file__).resolve().parents[1] / "api"
if str(_API) not in sys.path:
    sys.path.insert(0, str(_API))

from api_support import assert_no_personal_data_in, send  # noqa: E402

from amanah.rounds import services  # noqa: E402
from amanah.rounds.models import Score  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(var_dir: Path) -> Setup:
    return build_setup()


def _body() -> dict:
    return {
        "code": CODE,
        "title_en": "First round",
        "title_ar": "الجولة الأولى",
        "criteria": CRITERIA,
        "pools": [
            {"sector": "", "governorate": "", "amount_cents": 150_000_000},
            {"sector": "housing", "governorate": "PS0270", "amount_cents": 100_000_000},
        ],
        "max_share_by_sector": {"housing": "0.6"},
        "min_share_by_governorate": {"PS0260": "0.2"},
    }


def test_a_round_over_the_api(setup: Setup, client: Client) -> None:
    s, base = setup.fund.secretariat, "/api/v1/rounds"
    assert send(client, "post", base, _body(), setup.monitor).status_code == 403
    created = send(client, "post", base, _body(), s)
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    assert send(client, "post", f"{base}/{CODE}/open", {}, s).status_code == 200
    for proposal in setup.proposals.values():
        added = send(client, "post", f"{base}/{CODE}/proposals", {"proposal": str(proposal.pk)}, s)
        assert added.status_code == 201, added.content
    for name, criteria in SCORES.items():
        for code, (mine, theirs) in criteria.items():
            for user, score in ((s, mine), (setup.monitor, theirs)):
                body = {
                    "proposal": str(setup.proposals[name].pk),
                    "criterion": code,
                    "score": score,
                }
                response = send(client, "post", f"{base}/{CODE}/scores", body, user)
                assert response.status_code == 201, response.content
                assert response.json()["reviewer"] == f"user:{user.pk}"
    bad = {"proposal": str(setup.proposals["school"].pk), "criterion": "need", "score": "9"}
    assert send(client, "post", f"{base}/{CODE}/scores", bad, setup.monitor).status_code == 422
    assert send(client, "post", f"{base}/{CODE}/scores", bad, setup.staff).status_code == 403

    optimised = send(client, "post", f"{base}/{CODE}/optimise", {}, s)

    assert optimised.status_code == 200, optimised.content
    public = client.get(f"{base}/{CODE}")
    assert public.status_code == 200
    data = public.json()
    assert data["status"] == "optimised"
    assert data["result"]["selected"] == optimised.json()["result"]["selected"]
    assert "greedy" in data["result"]
    assert len(data["entries"][0]["scores"]) == 6
    assert_no_personal_data_in(public)
    assert client.get(f"{base}/R-1999-99").status_code == 404
    assert [r["code"] for r in client.get(base).json()["rounds"]] == [CODE]


def test_the_public_round_page(setup: Setup, client: Client) -> None:
    run_round(setup)
    services.round_optimise(round=CODE, actor=setup.fund.secretariat)

    page = client.get(f"/rounds/{CODE}/")
    arabic = client.get(f"/ar/rounds/{CODE}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "First round" in text
    assert "Greedy baseline" in text
    assert f"user:{setup.monitor.pk}" in text
    assert "housing.PS0270" in text
    assert_no_personal_data_in(page)
    assert arabic.status_code == 200
    assert "الجولة الأولى" in arabic.content.decode()
    assert client.get("/rounds/").status_code == 200
    assert client.get("/rounds/R-1999-99/").status_code == 404


def test_the_scoring_page(setup: Setup, client: Client) -> None:
    from round_services_support import create_round

    create_round(setup)
    s = setup.fund.secretariat
    services.round_open(round=CODE, actor=s)
    pid = str(setup.proposals["school"].pk)
    services.round_add_proposal(round=CODE, proposal=pid, actor=s)
    url = f"/rounds/{CODE}/score/"
    assert client.get(url).status_code == 403  # anonymous
    client.force_login(setup.staff)
    assert client.get(url).status_code == 403  # partner staff never score
    client.force_login(setup.monitor)
    assert client.get(url).status_code == 200

    done = client.post(url, {"proposal": pid, "criterion": "need", "score": "4.5"})
    refused = client.post(url, {"proposal": pid, "criterion": "readiness", "score": "7"})

    assert done.status_code == 302
    assert refused.status_code == 422
    assert Score.objects.get().reviewer == setup.monitor
    assert "you scored 4.5" in client.get(url).content.decode()
