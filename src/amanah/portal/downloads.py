"""Open data: every public table as CSV, and the page that lists them.

Each CSV is streamed (a long table never sits whole in memory), opens with a UTF-8 byte
order mark so that Excel reads Arabic names correctly, then a header row of English
snake_case names and, under it, an HXL hashtag row (hxlstandard.org) as the imports read
(`#org+donor`, `#sector`, `#adm2+code`, `#value` ...; `#x_` ones where HXL has none).
Numbers are plain decimal strings ("1250.50": no grouping, no exponent), dates ISO 8601,
flags `true`/`false`, and an empty cell means "none".

Rows come from the public selectors only, whose row types carry public fields only; the
columns below name every field written, so a private one (a bank reference or account,
who reported an expenditure, a proposal's municipality or exact point, a warehouse, a
verification's point, an asset's point or an assessment's note) cannot slip in.
"""

from __future__ import annotations

import csv
import datetime
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from amanah.assets import selectors as assets
from amanah.assets.models import Assessment
from amanah.funds import selectors as funds
from amanah.funds.money import Money
from amanah.governance.selectors import motion_approvals, motion_list
from amanah.materials import selectors as materials
from amanah.monitoring.selectors import milestone_list_all, project_list, project_list_rows
from amanah.projects.selectors import proposal_list_public, proposal_public
from amanah.rounds.selectors import round_list, round_public

# A text cell that a spreadsheet would read as a formula gets a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str  # the header, English snake_case
    hxl: str  # the hashtag row
    value: Callable[[Any], object]


@dataclass(frozen=True)
class Table:
    slug: str  # the file name, without `.csv`
    url_name: str
    title: Promise
    description: Promise
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Any]]


def cell(value: object) -> str:
    """One value as the CSV writes it (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Line:
    """A file-like object that hands back what `csv.writer` writes to it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([column.name for column in table.columns])
    yield writer.writerow([column.hxl for column in table.columns])
    for row in table.rows():
        yield writer.writerow([cell(column.value(row)) for column in table.columns])


def _csv_view(table: Table) -> Callable[[HttpRequest], StreamingHttpResponse]:
    @require_safe
    def view(request: HttpRequest) -> StreamingHttpResponse:
        response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="amanah-{table.slug}.csv"'
        return response

    view.__name__ = view.__qualname__ = table.url_name.replace("-", "_")
    view.__doc__ = f"The public table {table.slug!r} as CSV."
    return view


# --- columns shared by several tables ------------------------------------------------------


def _amount(get: Callable[[Any], Money | None]) -> Callable[[Any], Decimal | None]:
    def value(row: Any) -> Decimal | None:
        money = get(row)
        return None if money is None else money.amount

    return value


def _money_columns(name: str, hxl: str, get: Callable[[Any], Money]) -> tuple[Column, ...]:
    return (
        Column(name, hxl, _amount(get)),
        Column("currency", "#currency", lambda row: get(row).currency),
    )


def _fact_columns(fact: Callable[[Any], Any]) -> tuple[Column, ...]:
    """A dated fact in a currency with its USD equivalent, log entry and reversal."""
    return (
        Column("date", "#date", lambda row: fact(row).on),
        *_money_columns("amount", "#value", lambda row: fact(row).amount),
        Column("usd", "#value+usd", _amount(lambda row: fact(row).usd)),
        Column(
            "units_per_usd",
            "#x_rate+usd",
            lambda row: None if fact(row).rate is None else Decimal(fact(row).rate.units_per_usd),
        ),
        Column("log_index", "#x_log_index", lambda row: fact(row).log_index),
        Column(
            "reversed_at_log_index",
            "#x_log_index+reversed",
            lambda row: None if fact(row).reversal is None else fact(row).reversal.log_index,
        ),
        Column(
            "reversal_reason",
            "#description+reversal",
            lambda row: None if fact(row).reversal is None else fact(row).reversal.reason,
        ),
    )


def _earmark_columns() -> tuple[Column, ...]:
    return (
        Column("earmark_sector", "#sector+code", lambda row: row.earmark.sector),
        Column("earmark_governorate", "#adm2+code", lambda row: row.earmark.governorate),
    )


def _move_columns() -> tuple[Column, ...]:
    """An allocation's or a tranche's decision: its motion, status and log entries."""
    return (
        Column("motion_id", "#x_motion", lambda row: row.motion_id),
        Column("status", "#status", lambda row: row.status),
        *_money_columns("amount", "#value", lambda row: row.amount),
        Column("usd", "#value+usd", _amount(lambda row: row.usd)),
        Column("approved_on", "#date+approved", lambda row: row.on),
        Column("reserved_log_index", "#x_log_index+reserved", lambda row: row.reserved_index),
        Column("approved_log_index", "#x_log_index+approved", lambda row: row.approved_index),
        Column("released_log_index", "#x_log_index+released", lambda row: row.released_index),
    )


def _id() -> Column:
    return Column("id", "#x_id", lambda row: row.id)


# --- the tables ----------------------------------------------------------------------------


def _donor_totals(stage: str) -> Column:
    return Column(f"{stage}_usd", f"#value+usd+{stage}", lambda row: Decimal(row["usd"][stage]))


DONORS = Table(
    slug="fund-donors",
    url_name="download-donors",
    title=_("Donors"),
    description=_(
        "Each organisation that pledged, committed or paid, with its totals in US dollars "
        "and the share of its pledges paid so far."
    ),
    columns=(
        Column("iati_identifier", "#org+donor+code", lambda row: row["iati_identifier"]),
        Column("name_en", "#org+donor+name+i_en", lambda row: row["name_en"]),
        Column("name_ar", "#org+donor+name+i_ar", lambda row: row["name_ar"]),
        Column("country", "#country+code", lambda row: row["country"]),
        _donor_totals("pledged"),
        _donor_totals("committed"),
        _donor_totals("paid"),
        Column(
            "paid_share_of_pledged",
            "#x_share+paid",
            lambda row: (
                None
                if row["paid_share_of_pledged"] is None
                else Decimal(row["paid_share_of_pledged"])
            ),
        ),
    ),
    rows=lambda: funds.donor_totals(),
)


def _donor_facts(kind: str) -> Callable[[], list[funds.DonorFactRow]]:
    return lambda: funds.fund_donor_fact_rows(kind)


def _donor_fact_columns(*extra: Column) -> tuple[Column, ...]:
    return (
        _id(),
        Column("donor", "#org+donor+code", lambda row: row.donor),
        *_fact_columns(lambda row: row),
        *_earmark_columns(),
        *extra,
    )


PLEDGES = Table(
    slug="fund-pledges",
    url_name="download-pledges",
    title=_("Pledges"),
    description=_("What each donor promised, reversed pledges included, in the log’s order."),
    columns=_donor_fact_columns(Column("description", "#description", lambda row: row.note)),
    rows=_donor_facts("pledge"),
)

COMMITMENTS = Table(
    slug="fund-commitments",
    url_name="download-commitments",
    title=_("Commitments"),
    description=_("Signed agreements that turn pledges into commitments."),
    columns=_donor_fact_columns(
        Column("agreement_reference", "#x_agreement", lambda row: row.note),
        Column("pledge_id", "#x_pledge", lambda row: row.settles),
    ),
    rows=_donor_facts("commitment"),
)

CONTRIBUTIONS = Table(
    slug="fund-contributions",
    url_name="download-contributions",
    title=_("Contributions"),
    description=_("Money the fund received from each donor (never the bank’s reference)."),
    columns=_donor_fact_columns(
        Column("commitment_id", "#x_commitment", lambda row: row.settles),
    ),
    rows=_donor_facts("contribution"),
)

ALLOCATIONS = Table(
    slug="fund-allocations",
    url_name="download-allocations",
    title=_("Allocations"),
    description=_(
        "Money the board allocated to projects, with what was disbursed, spent and refunded "
        "of it, in the allocation’s currency."
    ),
    columns=(
        _id(),
        Column("project_code", "#activity+code", lambda row: row.project.code),
        Column("project_lead", "#org+impl+code", lambda row: row.project.lead.iati_identifier),
        Column("sector", "#sector+code", lambda row: row.project.sector),
        Column("governorate", "#adm2+code", lambda row: row.project.governorate),
        *_move_columns(),
        Column("disbursed", "#value+disbursed", _amount(lambda row: row.disbursed)),
        Column("spent", "#value+spent", _amount(lambda row: row.spent)),
        Column("refunded", "#value+refunded", _amount(lambda row: row.refunded)),
        Column("left_to_disburse", "#value+undisbursed", _amount(lambda row: row.left)),
    ),
    rows=lambda: reversed(funds.fund_allocation_list()),
)

DISBURSEMENTS = Table(
    slug="fund-disbursements",
    url_name="download-disbursements",
    title=_("Disbursements"),
    description=_(
        "Tranches paid to the projects’ partners, each decided by the board (never the "
        "partner’s bank account)."
    ),
    columns=(
        _id(),
        Column("allocation_id", "#x_allocation", lambda row: row.allocation_id),
        Column("project_code", "#activity+code", lambda row: row.project_code),
        Column("tranche", "#x_tranche", lambda row: row.tranche),
        *_move_columns(),
    ),
    rows=lambda: funds.fund_disbursement_rows(),
)

EXPENDITURES = Table(
    slug="fund-expenditures",
    url_name="download-expenditures",
    title=_("Expenditure"),
    description=_("What the partners report they spent (never who reported it)."),
    columns=(
        Column("id", "#x_id", lambda row: row.fact.id),
        Column("allocation_id", "#x_allocation", lambda row: row.allocation_id),
        Column("project_code", "#activity+code", lambda row: row.project_code),
        *_fact_columns(lambda row: row.fact),
        Column("description", "#description", lambda row: row.fact.description),
    ),
    rows=lambda: funds.fund_expenditure_rows(),
)

PROJECTS = Table(
    slug="projects",
    url_name="download-projects",
    title=_("Projects"),
    description=_(
        "Every project with its Palestinian lead, sector, governorate, status, the money "
        "allocated and disbursed in US dollars, and its milestones."
    ),
    columns=(
        Column("code", "#activity+code", lambda row: row.project.code),
        Column("title_en", "#activity+name+i_en", lambda row: row.project.title_en),
        Column("title_ar", "#activity+name+i_ar", lambda row: row.project.title_ar),
        Column("lead", "#org+impl+code", lambda row: row.project.lead.iati_identifier),
        Column("lead_name_en", "#org+impl+name+i_en", lambda row: row.project.lead.name_en),
        Column("lead_name_ar", "#org+impl+name+i_ar", lambda row: row.project.lead.name_ar),
        Column("sector", "#sector+code", lambda row: row.project.sector),
        Column("governorate", "#adm2+code", lambda row: row.project.governorate),
        Column("status", "#status", lambda row: row.project.status),
        Column("allocated_usd", "#value+usd+allocated", _amount(lambda row: row.allocated_usd)),
        Column("disbursed_usd", "#value+usd+disbursed", _amount(lambda row: row.disbursed_usd)),
        Column("milestones", "#x_milestones+total", lambda row: row.milestones_total),
        Column(
            "milestones_verified", "#x_milestones+verified", lambda row: row.milestones_verified
        ),
        Column("registered_log_index", "#x_log_index", lambda row: row.project.registered_index),
    ),
    rows=lambda: project_list_rows(project_list()),
)


def _round_rows() -> Iterator[dict[str, Any]]:
    """Each proposal of each public round, with the latest optimiser result and the board's
    decision. Titles in English (Arabic where a proposal has no English title), whatever
    the language of the address the file was asked for."""
    with translation.override("en"):
        for row in round_list().order_by("created_index"):
            public = round_public(row)
            result = public["result"]
            for entry in public["entries"]:
                yield {
                    **entry,
                    "round": public["code"],
                    "round_status": public["status"],
                    "result_log_index": None if result is None else result["log_index"],
                }


def _cents(key: str) -> Callable[[dict[str, Any]], Decimal | None]:
    def value(row: dict[str, Any]) -> Decimal | None:
        cents = row[key]
        return None if cents is None else Decimal(cents).scaleb(-2)

    return value


ROUND_RESULTS = Table(
    slug="round-results",
    url_name="download-round-results",
    title=_("Allocation round results"),
    description=_(
        "Each proposal of each allocation round: what the optimiser selected, what the "
        "simple ranking would have, what the board decided, and any deviation with its reason."
    ),
    columns=(
        Column("round", "#x_round+code", lambda row: row["round"]),
        Column("round_status", "#status+round", lambda row: row["round_status"]),
        Column("proposal_id", "#x_proposal", lambda row: row["proposal"]),
        Column("proposal_title", "#activity+name", lambda row: row["title"]),
        Column("partner", "#org+impl+code", lambda row: row["partner"]),
        Column("sector", "#sector+code", lambda row: row["sector"]),
        Column("governorate", "#adm2+code", lambda row: row["governorate"]),
        Column("cost_usd", "#value+usd+cost", _cents("cost_cents")),
        Column("beneficiaries", "#x_beneficiaries", lambda row: row["beneficiaries"]),
        Column("selected_by_optimiser", "#x_selected+optimiser", lambda row: row["selected"]),
        Column("selected_by_ranking", "#x_selected+greedy", lambda row: row["greedy"]),
        Column("recommended_usd", "#value+usd+recommended", _cents("recommended_cents")),
        Column("decided_usd", "#value+usd+decided", _cents("decided_cents")),
        Column("deviation_reason", "#description+deviation", lambda row: row["deviation"]),
        Column("entry_log_index", "#x_log_index", lambda row: row["log_index"]),
        Column("result_log_index", "#x_log_index+result", lambda row: row["result_log_index"]),
    ),
    rows=_round_rows,
)


def _quantity(name: str) -> Callable[[materials.Line], Decimal]:
    """A reconciled quantity, without the database's trailing zeros ("19.8", not
    "19.8000000000000")."""
    return lambda row: Decimal(getattr(row.totals, name)).normalize()


MATERIALS = Table(
    slug="materials-reconciliation",
    url_name="download-materials",
    title=_("Materials reconciliation"),
    description=_(
        "Each project’s construction materials from each vendor: received, used, in stock, "
        "returned and lost, and any gap still unaccounted for (never a warehouse)."
    ),
    columns=(
        Column("project_code", "#activity+code", lambda row: row.project.code),
        Column("vendor", "#org+vendor+name", lambda row: row.vendor.name),
        Column("material", "#item+code", lambda row: row.material.code),
        Column("unit", "#item+unit", lambda row: row.material.unit),
        Column("received", "#x_quantity+received", _quantity("received")),
        Column("used", "#x_quantity+used", _quantity("used")),
        Column("in_stock", "#x_quantity+in_stock", _quantity("in_stock")),
        Column("returned", "#x_quantity+returned", _quantity("returned")),
        Column("lost", "#x_quantity+lost", _quantity("lost")),
        Column(
            "on_site_within_allowance",
            "#x_quantity+on_site",
            _quantity("on_site_within_allowance"),
        ),
        Column("gap", "#x_quantity+gap", _quantity("gap")),
        Column("flag_open", "#x_flag+open", lambda row: row.open_flag is not None),
        Column(
            "flag_raised_log_index",
            "#x_log_index+flag",
            lambda row: None if row.open_flag is None else row.open_flag.raised_index,
        ),
    ),
    rows=lambda: materials.lines(),
)


def _motion_rows() -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every motion, oldest first, with the seats recused from it."""
    motions = list(motion_list())[::-1]  # one query
    approvals = motion_approvals([motion.id for motion in motions])
    for motion in motions:
        approval = approvals.get(motion.id)
        recused = () if approval is None else tuple(seat.id for seat in approval.recused)
        yield motion, recused


MOTIONS = Table(
    slug="motions",
    url_name="download-motions",
    title=_("Board motions"),
    description=_(
        "Every motion put to the board: its kind, status, the log entries that opened, "
        "executed or withdrew it, how many members signed it and the seats recused from it."
    ),
    columns=(
        Column("id", "#x_id", lambda row: row[0].id),
        Column("kind", "#x_motion+kind", lambda row: row[0].kind),
        Column("title_en", "#x_motion+name+i_en", lambda row: row[0].title_en),
        Column("title_ar", "#x_motion+name+i_ar", lambda row: row[0].title_ar),
        Column("status", "#status", lambda row: row[0].status),
        Column("opened_log_index", "#x_log_index+opened", lambda row: row[0].opened_index),
        Column("executed_log_index", "#x_log_index+executed", lambda row: row[0].executed_index),
        Column("withdrawn_log_index", "#x_log_index+withdrawn", lambda row: row[0].withdrawn_index),
        Column("signatures", "#x_signatures", lambda row: row[0].signature_count),
        Column("seats_recused", "#x_seats+recused", lambda row: " ".join(row[1])),
    ),
    rows=_motion_rows,
)


def _latest_verification(milestone: Any) -> Any:
    verifications = list(milestone.verifications.all())  # prefetched, in log order
    return verifications[-1] if verifications else None


def _verification(get: Callable[[Any], object]) -> Callable[[Any], object]:
    def value(row: Any) -> object:
        verification = _latest_verification(row)
        return None if verification is None else get(verification)

    return value


MILESTONES = Table(
    slug="milestones",
    url_name="download-milestones",
    title=_("Milestones"),
    description=_(
        "Every project’s milestones: the deliverable, when it is due, the tranche it "
        "releases, its status, and the latest site verification with the SHA-256 of its "
        "evidence files."
    ),
    columns=(
        Column("project_code", "#activity+code", lambda row: row.project.code),
        Column("number", "#x_milestone+number", lambda row: row.number),
        Column("deliverable_en", "#x_milestone+name+i_en", lambda row: row.deliverable_en),
        Column("deliverable_ar", "#x_milestone+name+i_ar", lambda row: row.deliverable_ar),
        Column("due", "#date+due", lambda row: row.due),
        *_money_columns("tranche", "#value+tranche", lambda row: row.tranche),
        Column("status", "#status", lambda row: row.status),
        Column("defined_log_index", "#x_log_index+defined", lambda row: row.defined_index),
        Column(
            "verification_result",
            "#x_verification+result",
            _verification(lambda verification: verification.result),
        ),
        Column(
            "verified_on",
            "#date+verified",
            _verification(lambda verification: verification.visited_on),
        ),
        Column(
            "verification_log_index",
            "#x_log_index+verified",
            _verification(lambda verification: verification.log_index),
        ),
        Column(
            "evidence_sha256",
            "#x_evidence+sha256",
            _verification(
                lambda verification: " ".join(
                    sorted(file.sha256 for file in verification.evidence.all())
                )
            ),
        ),
    ),
    rows=lambda: milestone_list_all(),
)

RATES = Table(
    slug="fund-rates",
    url_name="download-rates",
    title=_("Exchange rates"),
    description=_(
        "Every exchange rate the fund logged to convert amounts to US dollars, with its source."
    ),
    columns=(
        Column("currency", "#currency", lambda row: row.currency),
        Column("on", "#date", lambda row: row.on),
        Column("units_per_usd", "#x_rate+usd", lambda row: Decimal(row.units_per_usd)),
        Column("source", "#meta+source", lambda row: row.source),
        Column("log_index", "#x_log_index", lambda row: row.log_index),
    ),
    rows=lambda: funds.fund_rate_list(),
)


def _proposal_rows() -> Iterator[dict[str, Any]]:
    """Every submitted proposal, oldest first: what `proposal.submitted` logs (never the
    municipality or the point), with its status and log entry."""
    for proposal in list(proposal_list_public())[::-1]:
        yield {
            **proposal_public(proposal),
            "status": proposal.status,
            "submitted_index": proposal.submitted_index,
        }


PROPOSALS = Table(
    slug="proposals",
    url_name="download-proposals",
    title=_("Submitted proposals"),
    description=_(
        "Every proposal submitted to the fund, withdrawn ones too: its lead, sector, "
        "governorate, beneficiaries and budget (never its exact place)."
    ),
    columns=(
        Column("id", "#x_proposal", lambda row: row["proposal"]),
        Column("title_en", "#activity+name+i_en", lambda row: row["title_en"]),
        Column("title_ar", "#activity+name+i_ar", lambda row: row["title_ar"]),
        Column("lead", "#org+impl+code", lambda row: row["lead"]),
        Column("sector", "#sector+code", lambda row: row["sector"]),
        Column("governorate", "#adm2+code", lambda row: row["governorate"]),
        Column("dac_codes", "#sector+dac", lambda row: " ".join(row["dac_codes"])),
        Column("beneficiaries_total", "#reached+total", lambda row: row["beneficiaries"]["total"]),
        Column("beneficiaries_women", "#reached+f", lambda row: row["beneficiaries"]["women"]),
        Column(
            "beneficiaries_children",
            "#reached+children",
            lambda row: row["beneficiaries"]["children"],
        ),
        Column("budget_usd", "#value+usd+budget", lambda row: Decimal(row["budget"]["total"])),
        Column("submitted_log_index", "#x_log_index", lambda row: row["submitted_index"]),
        Column("status", "#status", lambda row: row["status"]),
    ),
    rows=_proposal_rows,
)

ASSETS = Table(
    slug="assets",
    url_name="download-assets",
    title=_("Damaged and rebuilt assets"),
    description=_(
        "Every registered asset, such as a school, a clinic or a residential building: its "
        "kind, governorate, owner, the project rebuilding it and its latest condition (never "
        "its exact place)."
    ),
    columns=(
        Column("code", "#loc+code", lambda row: row.code),
        Column("name_en", "#loc+name+i_en", lambda row: row.name_en),
        Column("name_ar", "#loc+name+i_ar", lambda row: row.name_ar),
        Column("kind", "#loc+type", lambda row: row.kind),
        Column("governorate", "#adm2+code", lambda row: row.governorate),
        Column("owner", "#org+owner+code", lambda row: row.owner and row.owner.iati_identifier),
        Column("project_code", "#activity+code", lambda row: row.project and row.project.code),
        Column("condition", "#status+condition", lambda row: row.condition),
        Column("condition_on", "#date+assessed", lambda row: row.condition_on),
        Column("registered_log_index", "#x_log_index", lambda row: row.registered_index),
    ),
    rows=lambda: assets.assets().iterator(chunk_size=2000),
)


def _assessment_rows() -> Iterable[dict[str, Any]]:
    """Every assessment of every asset, in the log's order: its public fields only (the
    note is never read)."""
    public = ("asset__code", "assessed_on", "condition", "method", "source", "log_index")
    return Assessment.objects.order_by("log_index").values(*public).iterator(chunk_size=2000)


ASSESSMENTS = Table(
    slug="asset-assessments",
    url_name="download-asset-assessments",
    title=_("Assessments of assets"),
    description=_(
        "Every assessment of every asset, in the log’s order: the day, the condition on "
        "UNOSAT’s damage scale or restored, the method and the source (never a note)."
    ),
    columns=(
        Column("code", "#loc+code", lambda row: row["asset__code"]),
        Column("assessed_on", "#date+assessed", lambda row: row["assessed_on"]),
        Column("condition", "#status+condition", lambda row: row["condition"]),
        Column("method", "#x_method", lambda row: row["method"]),
        Column("source", "#meta+source", lambda row: row["source"]),
        Column("log_index", "#x_log_index", lambda row: row["log_index"]),
    ),
    rows=_assessment_rows,
)

TABLES = (
    DONORS,
    PLEDGES,
    COMMITMENTS,
    CONTRIBUTIONS,
    ALLOCATIONS,
    DISBURSEMENTS,
    EXPENDITURES,
    RATES,
    PROJECTS,
    MILESTONES,
    MATERIALS,
    ASSETS,
    ASSESSMENTS,
    PROPOSALS,
    ROUND_RESULTS,
    MOTIONS,
)

donors_csv = _csv_view(DONORS)
pledges_csv = _csv_view(PLEDGES)
commitments_csv = _csv_view(COMMITMENTS)
contributions_csv = _csv_view(CONTRIBUTIONS)
allocations_csv = _csv_view(ALLOCATIONS)
disbursements_csv = _csv_view(DISBURSEMENTS)
expenditures_csv = _csv_view(EXPENDITURES)
projects_csv = _csv_view(PROJECTS)
round_results_csv = _csv_view(ROUND_RESULTS)
materials_csv = _csv_view(MATERIALS)
motions_csv = _csv_view(MOTIONS)
milestones_csv = _csv_view(MILESTONES)
rates_csv = _csv_view(RATES)
proposals_csv = _csv_view(PROPOSALS)
assets_csv = _csv_view(ASSETS)
asset_assessments_csv = _csv_view(ASSESSMENTS)


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    title: Promise
    description: Promise
    url: str
    columns: tuple[str, ...]


def _downloads() -> list[Download]:
    """The tables above, then the access tables the API serves as CSV."""
    access = (
        (
            _("Access by day and crossing"),
            _(
                "Trucks requested, cleared, crossed and turned back, and the denial rate, by "
                "day and crossing; published after a delay, never per consignment."
            ),
            reverse("api-v1:metrics_csv"),
        ),
        (
            _("Items rejected at the crossings"),
            _("Rejected items by day, crossing, category and reason."),
            reverse("api-v1:rejected_csv"),
        ),
    )
    return [
        *(
            Download(t.title, t.description, reverse(f"portal:{t.url_name}"), _names(t))
            for t in TABLES
        ),
        *(Download(title, text, url, ()) for title, text, url in access),
    ]


def _names(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.columns)


@require_safe
def downloads(request: HttpRequest) -> HttpResponse:
    """Every public table as CSV, the log as static tiles, the API's schema."""
    context = {
        "downloads": _downloads(),
        "log_url": request.build_absolute_uri(reverse("ledger:checkpoint")).removesuffix(
            "/checkpoint"
        ),
    }
    return render(request, "portal/downloads.html", context)
