"""Issue 5, end to end over the API: a partner's proposal goes through scoring,
optimisation, the board's signed allocation, milestone evidence, the monitor's
verification and the tranche's payment, only through HTTP on /api/v1 with Bearer tokens.

Set-up alone calls the services and the test factories (the board with its members' keys,
the donors, exchange rates, the fund's money, the risk policy, the lead's assessment, and a
competing proposal already submitted). Every step after it is an HTTP request as the role
that takes it; each step asserts the status and what the public then sees. At the end the
log alone replays clean: the fund's books (`FundBook`) and the board's decisions
(`amanah.governance.replay`).
"""

from __future__ import annotations

import base64
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

_TESTS = Path(__file__).resolve().parent
for _directory in ("rounds", "projects", "governance", "funds", "api"):
    if str(_TESTS / _directory) not in sys.path:
        sys.path.insert(0, str(_TESTS / _directory))

from fund_factories import LEAD, Fund, build_fund, replay_log  # noqa: E402
from governance_factories import make_user  # noqa: E402
from proposal_factories import draft_input, ready  # noqa: E402
from round_services_support import CRITERIA  # noqa: E402

from amanah.accounts.models import Role, User  # noqa: E402
from amanah.accounts.services import api_token_create  # noqa: E402
from amanah.funds.services import contribution_record  # noqa: E402
from amanah.governance.replay import replay  # noqa: E402
from amanah.ledger.models import LogEntry  # noqa: E402
from amanah.monitoring.samples import tiny_jpeg, tiny_pdf  # noqa: E402
from amanah.projects.models import Proposal  # noqa: E402
from amanah.projects.services import proposal_save_draft, proposal_submit  # noqa: E402

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROUND = "R-2026-E2E"
# Three seats, the Palestinian one among them: the test quorum. None of them is the lead
# (a beneficiary, recused) or a donor state whose earmarked money is drawn.
SIGNERS = ("tr", "eg", "ps-1")
# A third of the 1,200,000 allocation: within low risk's 60% first tranche. The plan has
# one milestone, so its tranche is the plan's last: low risk's one visit (the monitor's
# pass) allows it, where medium risk would hold it for a second visit.
TRANCHE = "400000.00"
SCORES = {  # criterion -> (reviewer A, reviewer B), for the partner's proposal / the other
    "ours": {"need": ("5", "4.5"), "readiness": ("4", "4.25"), "value": ("3.5", "4")},
    "theirs": {"need": ("3", "2.5"), "readiness": ("2", "3"), "value": ("3", "2")},
}


@dataclass
class Cast:
    """Who acts, each with an API token, and the proposal the partner competes with."""

    client: Client
    fund: Fund
    tokens: dict[str, dict[str, str]]  # role name or seat -> Authorization header
    competitor: Proposal

    def call(
        self, method: str, path: str, who: str | None, body: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A JSON request as `who` (None: no token)."""
        headers = {} if who is None else self.tokens[who]
        response: HttpResponse = getattr(self.client, method)(
            f"{API}{path}", body or {}, content_type="application/json", headers=headers
        )
        return response

    def fetch(self, path: str, who: str | None) -> tuple[int, str | None]:
        """GET a file: the status and the SHA-256 of the bytes served (the stream closed)."""
        headers = {} if who is None else self.tokens[who]
        response = self.client.get(f"{API}{path}", headers=headers)
        digest = None
        if response.status_code == 200:
            content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            digest = hashlib.sha256(content).hexdigest()
        response.close()
        return response.status_code, digest

    def multipart(self, path: str, who: str, body: dict[str, Any]) -> HttpResponse:
        response: HttpResponse = self.client.post(f"{API}{path}", body, headers=self.tokens[who])
        return response


def _token(user: User) -> dict[str, str]:
    _, plaintext = api_token_create(user=user, name="end-to-end")
    return {"Authorization": f"Bearer {plaintext}"}


def _ok(response: HttpResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()[:2000]
    body: dict[str, Any] = response.json()
    return body


def _today() -> str:
    return timezone.now().date().isoformat()


@pytest.fixture
def cast(var_dir: Path, client: Client) -> Cast:
    """Set-up, through the services: the board, donors, rates and lead (`build_fund`), the
    risk policy and the lead assessed at low risk (`ready`), USD 1,500,000 of flexible
    money paid in, and a competing proposal (USD 800,000, education in Gaza) submitted."""
    fund = build_fund()
    partner = ready(fund, "low")
    contribution_record(
        donor=fund.donor("PK"),
        amount="1500000",
        currency="USD",
        on="2026-01-06",
        actor=fund.secretariat,
    )
    other = proposal_save_draft(
        **draft_input(
            title_en="Rebuild a school",
            sector="education",
            dac_codes=["72012"],
            governorate="PS0260",
            latitude=None,
            longitude=None,
            budget_lines=[{"description": "Works", "amount": "800000"}],
        ),
        actor=partner,
    )
    competitor = proposal_submit(proposal=other.id, actor=partner)
    people = {
        "secretariat": fund.secretariat,
        "partner": partner,
        "reviewer-a": make_user("reviewer-a", Role.MONITOR),
        "reviewer-b": make_user("reviewer-b", Role.MONITOR),
        "monitor": make_user("monitor-1", Role.MONITOR),
        **{seat: fund.board.members[seat] for seat in SIGNERS},
    }
    return Cast(client, fund, {who: _token(user) for who, user in people.items()}, competitor)


# --- the story, one helper per step -------------------------------------------------------


def partner_drafts_and_submits(cast: Cast) -> str:
    """The partner saves an incomplete draft, completes it, and submits it."""
    complete = draft_input()  # housing in Khan Younis, USD 1,200,000, a private point
    first = _ok(
        cast.call("post", "/projects/proposals", "partner", {"title_en": complete["title_en"]}),
        201,
    )
    pid = first["id"]
    assert first["status"] == "draft"
    assert cast.call("get", f"/projects/proposals/{pid}", None).status_code == 404  # a draft
    saved = _ok(cast.call("put", f"/projects/proposals/{pid}", "partner", complete), 200)
    assert saved["budget_total"] == "1200000.00"
    # The secretariat cannot submit a partner's proposal.
    refused = cast.call("post", f"/projects/proposals/{pid}/submission", "secretariat")
    assert refused.status_code == 403

    submitted = _ok(cast.call("post", f"/projects/proposals/{pid}/submission", "partner"), 201)

    assert submitted["status"] == "submitted"
    response = cast.call("get", f"/projects/proposals/{pid}", None)
    public = _ok(response, 200)
    assert public["lead"] == LEAD
    assert complete["latitude"] not in response.content.decode()  # the point stays private
    assert public["submitted_index"] == submitted["submitted_index"]
    return str(pid)


def secretariat_runs_a_round(cast: Cast, ours: str) -> None:
    """Create a draft round, open it (round.opened), add both submitted proposals."""
    body = {
        "code": ROUND,
        "title_en": "End-to-end round",
        "title_ar": "جولة من البداية إلى النهاية",
        "criteria": CRITERIA,
        "pools": [{"sector": "", "governorate": "", "amount_cents": 150_000_000}],
    }
    assert cast.call("post", "/rounds", "partner", body).status_code == 403
    created = _ok(cast.call("post", "/rounds", "secretariat", body), 201)
    assert created["status"] == "draft"

    opened = _ok(cast.call("post", f"/rounds/{ROUND}/open", "secretariat"), 200)
    assert opened["status"] == "open"
    assert opened["opened_index"] is not None

    for pid in (ours, str(cast.competitor.id)):
        _ok(cast.call("post", f"/rounds/{ROUND}/proposals", "secretariat", {"proposal": pid}), 201)
    public = _ok(cast.call("get", f"/rounds/{ROUND}", None), 200)
    assert {e["proposal"] for e in public["entries"]} == {ours, str(cast.competitor.id)}


def two_reviewers_score(cast: Cast, ours: str) -> None:
    """Both reviewers score both proposals on every criterion; the partner may not."""
    ids = {"ours": ours, "theirs": str(cast.competitor.id)}
    refused = {"proposal": ours, "criterion": "need", "score": "5"}
    assert cast.call("post", f"/rounds/{ROUND}/scores", "partner", refused).status_code == 403
    for name, criteria in SCORES.items():
        for criterion, pair in criteria.items():
            for reviewer, score in zip(("reviewer-a", "reviewer-b"), pair, strict=True):
                body = {"proposal": ids[name], "criterion": criterion, "score": score}
                scored = _ok(cast.call("post", f"/rounds/{ROUND}/scores", reviewer, body), 201)
                assert scored["reviewer"].startswith("user:")
    public = _ok(cast.call("get", f"/rounds/{ROUND}", None), 200)
    assert all(len(e["scores"]) == 2 * len(CRITERIA) for e in public["entries"])


def secretariat_optimises(cast: Cast, ours: str) -> None:
    """The optimiser selects the partner's proposal: both do not fit the envelope."""
    optimised = _ok(cast.call("post", f"/rounds/{ROUND}/optimise", "secretariat"), 200)
    assert optimised["status"] == "optimised"
    assert optimised["result"]["selected"] == [ours]
    assert sum(optimised["result"]["draws"][ours].values()) == 120_000_000
    assert "greedy" in optimised["result"]


def portfolio_to_the_board(cast: Cast, ours: str) -> tuple[str, str]:
    """The secretariat puts the recommendation, unchanged, to the board as one motion.
    Returns the motion's id and the code of the project the proposal became."""
    assert cast.call("post", f"/rounds/{ROUND}/portfolio", "partner").status_code == 403
    proposed = _ok(cast.call("post", f"/rounds/{ROUND}/portfolio", "secretariat"), 201)
    portfolio = proposed["portfolio"]
    assert portfolio["status"] == "open"
    assert portfolio["deviations"] == []
    [allocation] = portfolio["allocations"]
    assert allocation["proposal"] == ours
    assert allocation["amount"] == "1200000.00"
    return portfolio["motion"], allocation["project"]


def board_signs(cast: Cast, motion_id: str) -> dict[str, Any]:
    """Each member fetches the motion, signs exactly its payload bytes with their own key,
    and posts the signature; the third signature meets the quorum and executes it."""
    motion = _ok(cast.call("get", f"/motions/{motion_id}", None), 200)
    assert motion["status"] == "open"
    payload = base64.b64decode(motion["payload_base64"])
    board = cast.fund.board
    statuses = []
    for seat in SIGNERS:
        body = {
            "key_id": board.key_id(seat),
            "signature_base64": base64.b64encode(board.private_keys[seat].sign(payload)).decode(),
        }
        signed = _ok(cast.call("post", f"/motions/{motion_id}/signatures", seat, body), 201)
        statuses.append(signed["status"])
    assert statuses == ["open", "open", "executed"]
    decided = _ok(cast.call("get", f"/motions/{motion_id}", None), 200)
    assert decided["status"] == "executed"
    return decided


def allocation_is_approved(cast: Cast, project: str, motion_id: str) -> str:
    """The project's allocation is approved, on the fund's API and the round's."""
    page = _ok(cast.call("get", f"/monitoring/projects/{project}", None), 200)
    [listed] = page["money"]["allocations"]
    allocation = _ok(cast.call("get", f"/fund/allocations/{listed['id']}", None), 200)
    assert allocation["status"] == "approved"
    assert allocation["approved_index"] is not None
    assert str(allocation["motion"]) == motion_id
    assert allocation["amount"] == "1200000.00"
    assert allocation["project"] == project
    public = _ok(cast.call("get", f"/rounds/{ROUND}", None), 200)
    assert public["status"] == "allocated"
    assert public["portfolio"]["status"] == "executed"
    return str(allocation["id"])


def secretariat_defines_a_milestone(cast: Cast, project: str, allocation: str) -> str:
    body = {
        "deliverable_en": "Frame of both blocks",
        "deliverable_ar": "هيكل العمارتين",
        "due": "2027-01-15",
        "allocation": allocation,
        "tranche": TRANCHE,
    }
    path = f"/monitoring/projects/{project}/milestones"
    assert cast.call("post", path, "partner", body).status_code == 403
    milestone = _ok(cast.call("post", path, "secretariat", body), 201)
    assert milestone["status"] == "planned"
    assert milestone["tranche"] == {"value": TRANCHE, "currency": "USD"}
    return str(milestone["id"])


def partner_reports_with_evidence(cast: Cast, milestone: str) -> dict[str, str]:
    """A multipart report with a photo (public) and an invoice (private by default).
    Returns the evidence's SHA-256 by kind."""
    body = {
        "reported_on": _today(),
        "summary": "Both frames are up.",
        "photo": SimpleUploadedFile("frame.jpg", tiny_jpeg("frame"), content_type="image/jpeg"),
        "invoice": SimpleUploadedFile("invoice.pdf", tiny_pdf("Invoice 17"), "application/pdf"),
    }
    filed = _ok(cast.multipart(f"/monitoring/milestones/{milestone}/reports", "partner", body), 201)
    evidence = {f["kind"]: f for f in filed["report"]["evidence"]}
    assert set(evidence) == {"photo", "invoice"}
    assert evidence["photo"]["public"] is True
    assert evidence["invoice"]["public"] is False
    assert _ok(cast.call("get", f"/monitoring/milestones/{milestone}", None), 200)["status"] == (
        "reported"
    )
    # Anyone may fetch the photo, whose bytes hash to what the log holds; the invoice
    # exists only for those who may see it.
    photo, invoice = evidence["photo"]["sha256"], evidence["invoice"]["sha256"]
    assert cast.fetch(f"/monitoring/evidence/{photo}/content", None) == (200, photo)
    assert cast.fetch(f"/monitoring/evidence/{invoice}/content", None) == (404, None)
    assert cast.fetch(f"/monitoring/evidence/{invoice}/content", "monitor") == (200, invoice)
    return {kind: f["sha256"] for kind, f in evidence.items()}


def monitor_verifies(cast: Cast, milestone: str) -> str:
    """A pass prepares the tranche at once: a fund.disburse motion and its reservation.
    Returns the disbursement motion's id."""

    def body() -> dict[str, Any]:
        photo = SimpleUploadedFile("visit.jpg", tiny_jpeg("visit"), content_type="image/jpeg")
        return {
            "visited_on": _today(),
            "result": "pass",
            "findings": "Both frames stand as reported.",
            "latitude": "31.346213",
            "longitude": "34.306318",
            "photo": photo,
        }

    path = f"/monitoring/milestones/{milestone}/verifications"
    assert cast.multipart(path, "partner", body()).status_code == 403
    filed = _ok(cast.multipart(path, "monitor", body()), 201)
    verification = filed["verification"]
    assert verification["result"] == "pass"
    assert verification["point"] == {"lat": "31.346", "lon": "34.306"}  # rounded in public
    disbursement = str(verification["disbursement"])
    listed = _ok(cast.call("get", "/fund/disbursements", None), 200)["disbursements"]
    [tranche] = [d for d in listed if str(d["id"]) == disbursement]
    assert tranche["status"] == "reserved"
    assert tranche["amount"] == TRANCHE
    assert _ok(cast.call("get", f"/monitoring/milestones/{milestone}", None), 200)["status"] == (
        "verified"
    )
    return str(tranche["motion"])


def tranche_is_paid(cast: Cast, project: str, milestone: str, evidence: dict[str, str]) -> None:
    """The public project API shows the tranche approved (paid), the board's two motions
    with their signatures, and the milestone with every evidence file's hash."""
    page = _ok(cast.call("get", f"/monitoring/projects/{project}", None), 200)
    [tranche] = page["money"]["disbursements"]
    assert tranche["status"] == "approved"
    assert tranche["approved_index"] is not None
    assert tranche["amount"] == {"value": TRANCHE, "currency": "USD"}
    assert page["money"]["usd"]["allocated"]["value"] == "1200000.00"
    assert page["money"]["usd"]["disbursed"]["value"] == TRANCHE
    assert {a["kind"] for a in page["approvals"]} == {"round.allocate", "fund.disburse"}
    for approval in page["approvals"]:
        assert approval["status"] == "executed"
        assert {s["key_id"] for s in approval["signatures"]} == {
            cast.fund.board.key_id(seat) for seat in SIGNERS
        }
    [shown] = page["milestones"]
    assert shown["id"] == milestone
    assert shown["status"] == "verified"
    hashes = {f["sha256"] for r in shown["reports"] for f in r["evidence"]}
    assert hashes == set(evidence.values())  # the private invoice's hash too
    listed = _ok(cast.call("get", "/fund/disbursements", None), 200)["disbursements"]
    assert [d["status"] for d in listed if str(d["id"]) == str(tranche["id"])] == ["approved"]


def the_log_replays_clean() -> None:
    book = replay_log()
    assert [f"{v.code}: {v.message}" for v in book.violations] == []
    report = replay((e.index, bytes(e.entry)) for e in LogEntry.objects.order_by("index"))
    assert report.violations == []
    kinds = [m.kind for m in report.motions_executed]
    assert kinds[-2:] == ["round.allocate", "fund.disburse"]


# --- the test -------------------------------------------------------------------------------


def test_a_proposal_goes_from_draft_to_a_paid_tranche_over_the_api(cast: Cast) -> None:
    ours = partner_drafts_and_submits(cast)
    secretariat_runs_a_round(cast, ours)
    two_reviewers_score(cast, ours)
    secretariat_optimises(cast, ours)
    motion, project = portfolio_to_the_board(cast, ours)
    board_signs(cast, motion)
    allocation = allocation_is_approved(cast, project, motion)
    milestone = secretariat_defines_a_milestone(cast, project, allocation)
    evidence = partner_reports_with_evidence(cast, milestone)
    tranche_motion = monitor_verifies(cast, milestone)
    board_signs(cast, tranche_motion)
    tranche_is_paid(cast, project, milestone, evidence)
    the_log_replays_clean()
