"""Open data: every public table as CSV, and the page that lists them.

Each CSV is streamed (a long table never sits whole in memory), opens with a UTF-8 byte
order mark so that Excel reads Arabic names correctly, then a header row of English
snake_case names and, under it, an HXL hashtag row (hxlstandard.org) as the imports read
(`#org+donor`, `#sector`, `#adm2+code`, `#value` ...; `#x_` ones where HXL has none).
Numbers are plain decimal strings ("1250.50": no grouping, no exponent), dates ISO 8601,
flags `true`/`false`, and an empty cell means "none".

Rows come from the public selectors only, whose row types carry public fields only; the
columns below name every field written, so a private one (a bank reference or account,
who reported an expenditure, a proposal's exact point, a warehouse) cannot slip in.
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

from amanah.funds import selectors as funds
from amanah.funds.money import Money
from amanah.monitoring.selectors import project_list, project_list_rows
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

TABLES = (
    DONORS,
    PLEDGES,
    COMMITMENTS,
    CONTRIBUTIONS,
    ALLOCATIONS,
    DISBURSEMENTS,
    EXPENDITURES,
    PROJECTS,
    ROUND_RESULTS,
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
