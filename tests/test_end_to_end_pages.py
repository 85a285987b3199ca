"""Issue 5, end to end through the pages: a partner's proposal goes through scoring,
optimisation, the board's signed allocation, milestone evidence, the monitor's
verification and the tranche's payment, in the server-rendered UI, with Django's test
client logged in as each role in turn.

Every form is posted as a browser would post it: the page is fetched, the form is found in
its HTML, its fields are sent with the values the page gives them (hidden fields, prefilled
rows, the CSRF token) and only the fields a person would type or tick are changed. A field
the template does not render fails the test (`post_form` refuses to fill it).

The board signs in the browser with WebCrypto (sign.js); here each member's key is the
test board's Ed25519 key, and the test does what the script does: it reads the payload
bytes from the motion page's `data-payload`, signs exactly those bytes, and posts `key_id`
and `signature_base64` with the sign form's fields to the form's action.

Set-up alone calls the services and the test factories (the board with its members' keys,
the donors, exchange rates, the fund's money, the risk policy, the lead's assessment, and a
competing proposal already submitted). At the end the log alone replays clean: the fund's
books (`FundBook`) and the board's decisions (`amanah.governance.replay`).
"""

from __future__ import annotations

import base64
import re
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
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

from amanah.accounts.models import Role, User  # noqa: E402
from amanah.funds.services import contribution_record  # noqa: E402
from amanah.governance.replay import replay  # noqa: E402
from amanah.ledger.models import LogEntry  # noqa: E402
from amanah.monitoring.models import Milestone  # noqa: E402
from amanah.monitoring.samples import tiny_jpeg, tiny_pdf  # noqa: E402
from amanah.projects.models import Proposal  # noqa: E402
from amanah.projects.services import proposal_save_draft, proposal_submit  # noqa: E402

pytestmark = pytest.mark.django_db

ROUND = "R-2026-PAGES"
TITLE = "Rebuild the Al-Amal blocks"
# Three seats, the Palestinian one among them: the test quorum. None of them is the lead
# (a beneficiary, recused) or a donor state whose earmarked money is drawn.
SIGNERS = ("tr", "eg", "ps-1")
# A third of the 1,200,000 allocation: within low risk's 60% first tranche. The plan has
# one milestone, so its tranche is the plan's last: low risk's one visit (the monitor's
# pass) allows it, where medium risk would hold it for a second visit.
TRANCHE = "400000.00"
# The rubric the new-round page prefills (rounds.forms.STANDARD_CRITERIA), scored by two
# reviewers: (reviewer A, reviewer B) for the partner's proposal and for the other one.
SCORES = {
    "ours": {
        "severity": ("5", "4.5"),
        "cost_per_beneficiary": ("3.5", "4"),
        "sector_priority": ("4", "4"),
        "partner_performance": ("4", "3.5"),
        "readiness": ("4", "4.25"),
    },
    "theirs": {
        "severity": ("3", "2.5"),
        "cost_per_beneficiary": ("3", "2"),
        "sector_priority": ("2", "3"),
        "partner_performance": ("3", "3"),
        "readiness": ("2", "2.5"),
    },
}


# --- reading pages as a browser does --------------------------------------------------------


@dataclass
class HtmlForm:
    """A form as the page renders it: where it posts and what it would send."""

    action: str
    attrs: dict[str, str]
    fields: list[tuple[str, str, str, bool]] = field(default_factory=list)  # name, type, value, on
    textareas: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> set[str]:
        return {name for name, *_ in self.fields} | set(self.textareas)

    def kind(self, name: str) -> str:
        return next((kind for n, kind, *_ in self.fields if n == name), "textarea")

    def options(self, name: str) -> set[str]:
        return {value for n, kind, value, _on in self.fields if n == name}

    def values(self) -> dict[str, list[str]]:
        """What submitting the form unchanged sends (files and buttons aside)."""
        sent: dict[str, list[str]] = {}
        for name, kind, value, on in self.fields:
            if kind in ("file", "submit", "button", "reset", "image"):
                continue
            if kind in ("checkbox", "radio", "option") and not on:
                continue
            sent.setdefault(name, []).append(value)
        for name, text in self.textareas.items():
            sent.setdefault(name, []).append(text)
        return sent


class _Page(HTMLParser):
    """The forms of a page, and the attributes of every element with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self.by_id: dict[str, dict[str, str]] = {}
        self._form: HtmlForm | None = None
        self._textarea: str | None = None
        self._select: tuple[str, int] | None = None  # name, index of its first option

    def handle_starttag(self, tag: str, pairs: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in pairs}
        on = {key for key, _value in pairs}
        if "id" in attrs:
            self.by_id[attrs["id"]] = attrs
        if tag == "form":
            self._form = HtmlForm(attrs.get("action", ""), attrs)
            self.forms.append(self._form)
        elif self._form is None or tag not in ("input", "textarea", "select", "option"):
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.fields.append(
                (attrs["name"], kind, attrs.get("value", default), "checked" in on)
            )
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form.textareas[self._textarea] = ""
        elif tag == "select" and attrs.get("name"):
            self._select = (attrs["name"], len(self._form.fields))
        elif tag == "option" and self._select is not None:
            name = self._select[0]
            self._form.fields.append((name, "option", attrs.get("value", ""), "selected" in on))

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.textareas[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            text = self._form.textareas[self._textarea]  # a browser drops one leading newline
            self._form.textareas[self._textarea] = text.removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._form is not None and self._select is not None:
            first = self._select[1]
            options = self._form.fields[first:]
            if options and not any(on for *_, on in options):  # a browser sends the first
                self._form.fields[first] = (*options[0][:3], True)
            self._select = None


def read(response: HttpResponse) -> _Page:
    assert response.status_code == 200, response.content.decode()[:2000]
    page = _Page()
    page.feed(response.content.decode())
    return page


def post_form(
    client: Client,
    url: str,
    fill: Mapping[str, Any] | None = None,
    *,
    action: str | None = None,
    hidden: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """GET `url`, find the one form posting to `action` (default: any) whose hidden fields
    match `hidden` and that renders every field in `fill`, and submit it with `fill`
    typed in (a list ticks several checkboxes; an uploaded file goes in a file input)."""
    fill = dict(fill or {})
    page = read(client.get(url))
    found = [
        form
        for form in page.forms
        if form.attrs.get("method", "get").lower() == "post"
        and (action is None or form.action == action)
        and all(form.values().get(k) == [v] for k, v in (hidden or {}).items())
        and set(fill) <= form.names
    ]
    assert len(found) == 1, (url, action, hidden, sorted(fill), [f.action for f in page.forms])
    [form] = found
    data: dict[str, Any] = {k: v[0] if len(v) == 1 else v for k, v in form.values().items()}
    for name, value in fill.items():
        kind = form.kind(name)
        if kind == "file":
            assert isinstance(value, SimpleUploadedFile), name
        elif kind in ("checkbox", "radio", "option"):
            given = value if isinstance(value, list) else [value]
            assert set(given) <= form.options(name), (name, given, form.options(name))
        data[name] = value
    response: HttpResponse = client.post(form.action or url, data, headers=dict(headers or {}))
    return response


def redirected_to(response: HttpResponse) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    return str(response["Location"])


def row_of(html: str, row_id: str) -> str:
    """The HTML of the table row with this id."""
    found = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', html, re.DOTALL)
    assert found, row_id
    return found.group(1)


def motion_in(html: str) -> str:
    found = re.search(r'href="/motions/([0-9a-f-]{36})/"', html)
    assert found, html[:500]
    return found.group(1)


def _today() -> str:
    return timezone.now().date().isoformat()


def _jpeg(label: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{label}.jpg", tiny_jpeg(label), content_type="image/jpeg")


# --- the cast -------------------------------------------------------------------------------


@dataclass
class Cast:
    client: Client
    fund: Fund
    people: dict[str, User]
    competitor: Proposal

    def as_(self, who: str) -> Client:
        self.client.force_login(self.people[who])
        return self.client


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
    people = {
        "secretariat": fund.secretariat,
        "partner": partner,
        "reviewer-a": make_user("reviewer-a", Role.MONITOR),
        "reviewer-b": make_user("reviewer-b", Role.MONITOR),
        "monitor": make_user("monitor-1", Role.MONITOR),
        **{seat: fund.board.members[seat] for seat in SIGNERS},
    }
    return Cast(client, fund, people, proposal_submit(proposal=other.id, actor=partner))


# --- the story, one helper per step -------------------------------------------------------


def partner_drafts_edits_and_submits(cast: Cast) -> str:
    """/proposals/new/ (a title only), /proposals/<id>/edit/ (everything, two budget lines
    and two milestones in the formsets' empty rows), then the submit button."""
    client = cast.as_("partner")
    where = redirected_to(post_form(client, "/proposals/new/", {"title_en": TITLE}))
    pid = str(uuid.UUID(where.strip("/").split("/")[-1]))
    assert where == f"/proposals/{pid}/"
    client.logout()
    assert client.get(where).status_code == 404  # a draft is not public
    client = cast.as_("partner")

    filled = {
        "title_ar": "إعادة بناء عمارات الأمل",
        "description_en": "Two housing blocks.",
        "sector": "housing",
        "dac_codes": "16040 73010",
        "governorate": "PS0270",
        "municipality": "Bani Suheila",
        "latitude": "31.3462",
        "longitude": "34.3063",
        "beneficiaries_total": "240",
        "beneficiaries_women": "120",
        "beneficiaries_children": "100",
        "starts_on": "2026-03-01",
        "ends_on": "2027-03-01",
        "lines-0-description": "Structure",
        "lines-0-amount": "800000",
        "lines-1-description": "Finishing",
        "lines-1-amount": "400000",
        "steps-0-title": "Frame",
        "steps-0-due_on": "2026-08-01",
        "steps-0-budget_percent": "40",
        "steps-1-title": "Hand-over",
        "steps-1-due_on": "2027-02-01",
        "steps-1-budget_percent": "60",
    }
    assert redirected_to(post_form(client, f"/proposals/{pid}/edit/", filled)) == where
    own = client.get(where).content.decode()
    assert TITLE in own
    assert "31.3462" in own  # its own staff see the private point

    submitted = post_form(client, where, action=f"/proposals/{pid}/submit")

    assert redirected_to(submitted) == where
    assert "Proposal submitted: log entry" in client.get(where).content.decode()
    client.logout()
    public = client.get(where)
    assert public.status_code == 200
    assert TITLE in public.content.decode()
    assert "31.3462" not in public.content.decode()
    assert "Bani Suheila" not in public.content.decode()
    assert TITLE in client.get("/proposals/").content.decode()
    return pid


def secretariat_creates_and_opens_a_round(cast: Cast) -> str:
    """/rounds/new/ with the prefilled rubric and the prefilled pool (all the fund's free
    money), then Open on the management page."""
    client = cast.as_("secretariat")
    form = {"code": ROUND, "title_en": "Round by the pages", "title_ar": "جولة عبر الصفحات"}
    manage = redirected_to(post_form(client, "/rounds/new/", form))
    assert manage == f"/rounds/{ROUND}/manage/"
    page = client.get(manage).content.decode()
    assert all(code in page for code in SCORES["ours"])
    assert "1,500,000.00" in page  # the envelope: the prefilled pool, all the free money

    opened = post_form(client, manage, action=f"/rounds/{ROUND}/manage/open/")

    assert redirected_to(opened) == manage
    assert "Opened at log entry" in client.get(manage).content.decode()
    return manage


def secretariat_adds_the_proposals(cast: Cast, manage: str, ours: str) -> None:
    client = cast.as_("secretariat")
    both = [ours, str(cast.competitor.id)]

    added = post_form(
        client, manage, {"proposal": both}, action=f"/rounds/{ROUND}/manage/proposals/"
    )

    assert redirected_to(added) == manage
    assert "2 proposals are in the round." in client.get(manage).content.decode()


def two_reviewers_score(cast: Cast, ours: str) -> None:
    """Each reviewer finds the round on /rounds/review/ and records every score on
    /rounds/<code>/score/, one small form per proposal and criterion."""
    ids = {"ours": ours, "theirs": str(cast.competitor.id)}
    url = f"/rounds/{ROUND}/score/"
    for index, reviewer in enumerate(("reviewer-a", "reviewer-b")):
        client = cast.as_(reviewer)
        assert url in client.get("/rounds/review/").content.decode()
        for name, criteria in SCORES.items():
            for criterion, pair in criteria.items():
                response = post_form(
                    client,
                    url,
                    {"score": pair[index]},
                    hidden={"proposal": ids[name], "criterion": criterion},
                )
                assert redirected_to(response) == url
    client = cast.as_("secretariat")
    page = client.get(f"/rounds/{ROUND}/manage/").content.decode()
    assert "2 of 2 proposals have at least one score on each of the 5 criteria." in page


def secretariat_optimises(cast: Cast, manage: str) -> None:
    client = cast.as_("secretariat")

    optimised = post_form(client, manage, action=f"/rounds/{ROUND}/manage/optimise/")

    assert redirected_to(optimised) == f"/rounds/{ROUND}/"
    page = client.get(f"/rounds/{ROUND}/").content.decode()
    assert "Greedy baseline" in page
    # Both do not fit the envelope: the optimiser recommends the partner's proposal alone.
    recommended = page.split('id="decision"', 1)[1].split("Proposals and scores", 1)[0]
    assert TITLE in recommended
    assert "1,200,000.00" in recommended
    assert "Rebuild a school" not in recommended
    assert "The portfolio has not been put to the board yet." in page


def secretariat_puts_the_portfolio_to_the_board(cast: Cast, manage: str) -> str:
    """From the management page's link, the portfolio page, submitted unchanged: the
    optimiser's recommendation exactly. Returns the motion's id."""
    client = cast.as_("secretariat")
    url = f"/rounds/{ROUND}/manage/portfolio/"
    assert url in client.get(manage).content.decode()

    response = post_form(client, url, action=url)

    motion = redirected_to(response)
    assert re.fullmatch(r"/motions/[0-9a-f-]{36}/", motion)
    page = client.get(motion).content.decode()
    assert "round.allocate" in page
    assert f"to 1 projects of round {ROUND}" in page
    return motion.strip("/").split("/")[-1]


def board_signs_in_the_browser(cast: Cast, motion: str) -> None:
    """Each member opens the motion page and does what sign.js does: sign the bytes in
    `data-payload` with their key and post the sign form with `key_id` and
    `signature_base64`, asking for JSON."""
    url = f"/motions/{motion}/"
    board = cast.fund.board
    statuses = []
    for seat in SIGNERS:
        client = cast.as_(seat)
        section = read(client.get(url)).by_id["sign-motion"]
        assert section["data-member"] == f"member-{board.members[seat].pk}"
        payload = base64.b64decode(section["data-payload"], validate=True)
        signature = board.private_keys[seat].sign(payload)
        fill = {
            "key_id": board.key_id(seat),
            "signature_base64": base64.b64encode(signature).decode("ascii"),
        }

        response = post_form(
            client,
            url,
            fill,
            action=f"/motions/{motion}/sign",
            headers={"Accept": "application/json"},
        )

        assert response.status_code == 200, response.content.decode()
        statuses.append(response.json()["status"])
    assert statuses == ["open", "open", "executed"]
    client.logout()
    page = client.get(url).content.decode()
    assert "Decided at log entry" in page
    assert 'id="sign-motion"' not in page


def the_project_is_found(cast: Cast) -> str:
    """The funded proposal is now a project: find it on the public projects list, by its
    lead and title. Returns its code."""
    html = cast.client.get(f"/monitoring/projects/?lead={LEAD}").content.decode()
    codes = [
        code
        for code, row in re.findall(r'<tr id="project-([^"]+)">(.*?)</tr>', html, re.DOTALL)
        if TITLE in row
    ]
    assert len(codes) == 1, html[:3000]
    return codes[0]


def allocation_is_approved(cast: Cast, project: str) -> str:
    """The project page shows the allocation approved; so does its fund page. The round's
    public page shows the portfolio decided. Returns the allocation's id."""
    cast.client.logout()
    html = cast.client.get(f"/monitoring/projects/{project}/").content.decode()
    found = re.search(r'<tr id="allocation-([0-9a-f-]{36})">', html)
    assert found, html[:3000]
    allocation = found.group(1)
    assert "Approved" in row_of(html, f"allocation-{allocation}")
    fund_page = cast.client.get(f"/fund/allocations/{allocation}/")
    assert fund_page.status_code == 200
    assert "Approved" in fund_page.content.decode()
    round_page = cast.client.get(f"/rounds/{ROUND}/").content.decode()
    assert "decided by the board at log entry" in round_page
    assert "The motion follows the optimiser's recommendation exactly." in round_page
    return allocation


def secretariat_defines_a_milestone(cast: Cast, project: str, allocation: str) -> str:
    """The project page links the secretariat to its milestone plan; the form names the
    deliverable, its due date, the allocation and the tranche it releases."""
    client = cast.as_("secretariat")
    page = client.get(f"/monitoring/projects/{project}/").content.decode()
    plan = f"/monitoring/projects/{project}/milestones/new/"
    assert f'href="{plan}"' in page
    response = post_form(
        client,
        plan,
        {
            "deliverable_en": "Frame of both blocks",
            "deliverable_ar": "هيكل العمارتين",
            "due": "2027-01-15",
            "allocation": allocation,
            "tranche": TRANCHE,
        },
    )
    assert redirected_to(response) == f"/monitoring/projects/{project}/"
    # The plan is read back from the state the page wrote, as the next pages would.
    return str(Milestone.objects.get(project__code=project, number=1).id)


def partner_reports_with_evidence(cast: Cast, milestone: str) -> None:
    """/monitoring/partner/: the milestone's upload form, with a photo and an invoice."""
    client = cast.as_("partner")
    fill = {
        f"{milestone}-reported_on": _today(),
        f"{milestone}-summary": "Both frames are up.",
        f"{milestone}-photo": _jpeg("frame"),
        f"{milestone}-invoice": SimpleUploadedFile(
            "invoice.pdf", tiny_pdf("Invoice 17"), content_type="application/pdf"
        ),
    }

    response = post_form(client, "/monitoring/partner/", fill, hidden={"milestone": milestone})

    assert redirected_to(response) == "/monitoring/partner/"
    assert (
        "Reported. A monitor will verify it on site."
        in client.get("/monitoring/partner/").content.decode()
    )


def monitor_verifies_on_site(cast: Cast, milestone: str) -> None:
    """The monitor's workspace lists the milestone; its verification form, passed, puts
    the tranche to the board at once."""
    client = cast.as_("monitor")
    url = f"/monitoring/monitor/{milestone}/"
    assert url in client.get("/monitoring/monitor/").content.decode()
    fill = {
        "result": "pass",
        "visited_on": _today(),
        "findings": "Both frames stand as reported.",
        "latitude": "31.346213",
        "longitude": "34.306318",
        "photo": _jpeg("visit"),
    }

    response = post_form(client, url, fill)

    assert redirected_to(response) == "/monitoring/monitor/"
    page = client.get("/monitoring/monitor/").content.decode()
    assert "Passed: the tranche is put to the board." in page
    assert url not in page


def the_tranche_awaits_the_board(cast: Cast, project: str) -> str:
    """The public project page shows the tranche awaiting the board, linked to its
    motion. Returns the motion's id."""
    cast.client.logout()
    html = cast.client.get(f"/monitoring/projects/{project}/").content.decode()
    found = re.search(r'<tr id="(disbursement-[0-9a-f-]{36})">', html)
    assert found, html[:3000]
    row = row_of(html, found.group(1))
    assert "Awaiting the board" in row
    return motion_in(row)


def the_public_pages_show_it_all(cast: Cast, project: str, ours: str) -> None:
    """The project page: the tranche approved (paid), the milestone verified, the hash of
    every evidence file (the private invoice's too, without a link), the verification's
    point rounded; the round page: the portfolio decided."""
    from amanah.monitoring.models import EvidenceFile

    cast.client.logout()
    html = cast.client.get(f"/monitoring/projects/{project}/").content.decode()
    found = re.search(r'<tr id="(disbursement-[0-9a-f-]{36})">', html)
    assert found
    tranche = row_of(html, found.group(1))
    assert "Approved" in tranche
    assert "400,000.00 USD" in tranche
    assert "<strong>Verified</strong>" in html
    files = list(EvidenceFile.objects.all())
    assert {f.kind for f in files} == {"photo", "invoice"}
    for file in files:
        assert file.sha256 in html
        linked = f"/monitoring/evidence/{file.sha256}/" in html
        assert linked == file.public
    assert "31.346" in html
    assert "31.346213" not in html
    assert "Bani Suheila" not in html  # the proposal's municipality stays private
    round_page = cast.client.get(f"/rounds/{ROUND}/").content.decode()
    assert "decided by the board at log entry" in round_page
    assert f"/proposals/{ours}/" in round_page


def the_log_replays_clean() -> None:
    book = replay_log()
    assert [f"{v.code}: {v.message}" for v in book.violations] == []
    report = replay((e.index, bytes(e.entry)) for e in LogEntry.objects.order_by("index"))
    assert report.violations == []
    assert [m.kind for m in report.motions_executed][-2:] == ["round.allocate", "fund.disburse"]


# --- the test -------------------------------------------------------------------------------


def test_a_proposal_goes_from_draft_to_a_paid_tranche_through_the_pages(cast: Cast) -> None:
    ours = partner_drafts_edits_and_submits(cast)
    manage = secretariat_creates_and_opens_a_round(cast)
    secretariat_adds_the_proposals(cast, manage, ours)
    two_reviewers_score(cast, ours)
    secretariat_optimises(cast, manage)
    motion = secretariat_puts_the_portfolio_to_the_board(cast, manage)
    board_signs_in_the_browser(cast, motion)
    project = the_project_is_found(cast)
    allocation = allocation_is_approved(cast, project)
    milestone = secretariat_defines_a_milestone(cast, project, allocation)
    partner_reports_with_evidence(cast, milestone)
    monitor_verifies_on_site(cast, milestone)
    tranche_motion = the_tranche_awaits_the_board(cast, project)
    board_signs_in_the_browser(cast, tranche_motion)
    the_public_pages_show_it_all(cast, project, ours)
    the_log_replays_clean()
