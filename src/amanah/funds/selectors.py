"""Reads of the fund: the public figures, balances and facts for pages and the API.

`fund_figures` aggregates in the database, one query per kind of fact; the audit computes
the same figures independently by replaying the log (`book.FundBook.figures`), and the two
must agree to the cent. Keep the shape and the grouping rules of both in step:
- USD totals are sums of each fact's own USD equivalent (converted at its logged rate);
- donors' money (pledged, committed, paid) counts under its earmark's sector and
  governorate ("any" where it is not earmarked); the project's money (allocated,
  disbursed, refunded, spent) under the project's;
- "as of log size N" counts the facts logged before N and not reversed before N.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from amanah.funds import chart
from amanah.funds.book import ANY, STAGES
from amanah.funds.earmarks import Earmark
from amanah.funds.models import (
    AccountBalance,
    Allocation,
    Commitment,
    Contribution,
    Conversion,
    Disbursement,
    Expenditure,
    FxRate,
    MoveStatus,
    Pledge,
    Refund,
    Reversal,
)
from amanah.funds.money import USD, Money
from amanah.ledger.selectors import log_size_now
from amanah.orgs.models import Organisation
from amanah.projects.models import Project

__all__ = [
    "AllocationRow",
    "DisbursementListRow",
    "DisbursementRow",
    "DonorFactRow",
    "FactChoice",
    "FiguresRow",
    "FundAllocationPage",
    "FundDonorPage",
    "FundOverview",
    "GovernorateProjects",
    "PaidShare",
    "PartnerFactRow",
    "PoolRow",
    "ProjectDisbursementRow",
    "ProjectFactRow",
    "ProjectMoney",
    "ProjectTotals",
    "ProjectUsd",
    "ReversalRow",
    "account_balances",
    "allocation_list",
    "commitment_list",
    "contribution_list",
    "conversion_list",
    "disbursement_list",
    "donor_totals",
    "expenditure_list",
    "fund_allocation_list",
    "fund_allocation_page",
    "fund_commitment_choices",
    "fund_disbursement_rows",
    "fund_donor_fact_rows",
    "fund_donor_page",
    "fund_expenditure_rows",
    "fund_figures",
    "fund_overview",
    "fund_pledge_choices",
    "fund_pools",
    "fund_project_money",
    "fund_project_usd",
    "fund_projects_by_governorate",
    "fund_rate_list",
    "fund_reversible_choices",
    "fx_rate_list",
    "log_size_now",
    "pledge_list",
    "refund_list",
    "reversal_list",
]


def _in_force(queryset: QuerySet[Any], size: int, logged: str = "log_index") -> QuerySet[Any]:
    return queryset.filter(**{f"{logged}__lt": size}).filter(
        Q(reversed_index__isnull=True) | Q(reversed_index__gte=size)
    )


def _rows(
    queryset: QuerySet[Any], stage: str, *, donor: bool, sector: str, governorate: str
) -> Iterable[dict[str, Any]]:
    """(stage, donor, currency, sector, governorate, month) groups with their sums."""
    group = {"sector_key": F(sector), "governorate_key": F(governorate)}
    values = ["currency", "sector_key", "governorate_key", "on"]
    if donor:
        group["donor_key"] = F("donor__iati_identifier")
        values.append("donor_key")
    rows = (
        queryset.annotate(**group)
        .values(*values)
        .annotate(native=Sum("amount_minor"), usd=Sum("usd_minor"))
        .order_by()
    )
    for row in rows:
        yield {"stage": stage, **row}


def fund_figures(*, log_size: int | None = None) -> dict[str, Any]:
    """The public totals as of `log_size` (default: everything logged so far), in the
    shape `FundBook.figures()` gives."""
    size = log_size_now() if log_size is None else log_size
    sources = [
        (
            _in_force(Pledge.objects.all(), size),
            "pledged",
            True,
            "earmark_sector",
            "earmark_governorate",
        ),
        (
            _in_force(Commitment.objects.all(), size),
            "committed",
            True,
            "earmark_sector",
            "earmark_governorate",
        ),
        (
            _in_force(Contribution.objects.all(), size),
            "paid",
            True,
            "earmark_sector",
            "earmark_governorate",
        ),
        (
            Allocation.objects.filter(status=MoveStatus.APPROVED, approved_index__lt=size),
            "allocated",
            False,
            "project__sector",
            "project__governorate",
        ),
        (
            Disbursement.objects.filter(status=MoveStatus.APPROVED, approved_index__lt=size),
            "disbursed",
            False,
            "allocation__project__sector",
            "allocation__project__governorate",
        ),
        (
            _in_force(Refund.objects.all(), size),
            "refunded",
            False,
            "allocation__project__sector",
            "allocation__project__governorate",
        ),
        (
            _in_force(Expenditure.objects.all(), size),
            "spent",
            False,
            "allocation__project__sector",
            "allocation__project__governorate",
        ),
    ]

    def stages() -> dict[str, int]:
        return dict.fromkeys(STAGES, 0)

    totals = stages()
    by_donor: dict[str, dict[str, int]] = defaultdict(stages)
    native: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    by_sector: dict[str, dict[str, int]] = defaultdict(stages)
    by_governorate: dict[str, dict[str, int]] = defaultdict(stages)
    by_month: dict[str, dict[str, int]] = defaultdict(stages)
    for queryset, stage, donor, sector, governorate in sources:
        for row in _rows(queryset, stage, donor=donor, sector=sector, governorate=governorate):
            usd = int(row["usd"])
            totals[stage] += usd
            by_sector[row["sector_key"] or ANY][stage] += usd
            by_governorate[row["governorate_key"] or ANY][stage] += usd
            by_month[row["on"].strftime("%Y-%m")][stage] += usd
            if donor:
                by_donor[row["donor_key"]][stage] += usd
                in_currency = native[row["donor_key"]].setdefault(
                    row["currency"], dict.fromkeys(STAGES[:3], 0)
                )
                in_currency[stage] += int(row["native"])

    def usd(table: dict[str, int]) -> dict[str, str]:
        return {stage: str(Money.from_minor(minor, USD).amount) for stage, minor in table.items()}

    def in_(currency: str, table: dict[str, int]) -> dict[str, str]:
        return {s: str(Money.from_minor(minor, currency).amount) for s, minor in table.items()}

    return {
        "log_size": size,
        "currency": USD,
        "totals": usd(totals),
        "by_donor": {
            donor: {
                "usd": usd(by_donor[donor]),
                "native": {c: in_(c, t) for c, t in sorted(native[donor].items())},
            }
            for donor in sorted(by_donor)
        },
        "by_sector": {k: usd(v) for k, v in sorted(by_sector.items())},
        "by_governorate": {k: usd(v) for k, v in sorted(by_governorate.items())},
        "by_month": {k: usd(v) for k, v in sorted(by_month.items())},
    }


# --- lists for pages and the API: newest first, public fields only ------------------------
# (The private fields, bank_reference, bank_account and reported_by, stay on the rows; the
# API's schemas never name them.)


def fx_rate_list() -> QuerySet[FxRate]:
    return FxRate.objects.order_by("-log_index")


def pledge_list() -> QuerySet[Pledge]:
    return Pledge.objects.select_related("donor", "rate").order_by("-log_index")


def commitment_list() -> QuerySet[Commitment]:
    return Commitment.objects.select_related("donor", "rate").order_by("-log_index")


def contribution_list() -> QuerySet[Contribution]:
    return Contribution.objects.select_related("donor", "rate").order_by("-log_index")


def conversion_list() -> QuerySet[Conversion]:
    return Conversion.objects.order_by("-log_index")


def allocation_list() -> QuerySet[Allocation]:
    return (
        Allocation.objects.select_related("project", "rate")
        .prefetch_related("draws")
        .order_by("-reserved_index")
    )


def disbursement_list() -> QuerySet[Disbursement]:
    return Disbursement.objects.select_related("rate").order_by("-reserved_index")


def expenditure_list() -> QuerySet[Expenditure]:
    return Expenditure.objects.select_related("rate").order_by("-log_index")


def refund_list() -> QuerySet[Refund]:
    return Refund.objects.select_related("rate").prefetch_related("returns").order_by("-log_index")


def reversal_list() -> QuerySet[Reversal]:
    return Reversal.objects.order_by("-log_index")


def account_balances() -> dict[str, Any]:
    """Every account's balance in each currency (debit positive), and per currency the
    sum of them all, which balanced books keep at zero."""
    balances = []
    totals: dict[str, int] = defaultdict(int)
    for row in AccountBalance.objects.order_by("account", "currency"):
        balances.append(
            {"account": row.account, "currency": row.currency, "balance": str(row.balance.amount)}
        )
        totals[row.currency] += row.balance_minor
    return {
        "balances": balances,
        "totals": {c: str(Money.from_minor(m, c).amount) for c, m in sorted(totals.items())},
    }


_SHARE = Decimal("0.0001")
_DONOR_STAGES = STAGES[:3]  # pledged, committed, paid


def donor_totals(*, log_size: int | None = None) -> list[dict[str, Any]]:
    """Each organisation that pledged, committed or paid, with what it did in each of its
    currencies, the USD totals (sums of each fact's own USD equivalent, as `fund_figures`),
    and the share of its pledges paid so far (in USD, four decimals; None when it pledged
    nothing). Counts the facts in force as of `log_size` (default: now), by IATI identifier.
    """
    size = log_size_now() if log_size is None else log_size
    native: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    usd: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_DONOR_STAGES, 0))
    for model, stage in ((Pledge, "pledged"), (Commitment, "committed"), (Contribution, "paid")):
        rows = (
            _in_force(model.objects.all(), size)
            .values("donor_id", "currency")
            .annotate(native=Sum("amount_minor"), usd=Sum("usd_minor"))
            .order_by()
        )
        for row in rows:
            in_currency = native[row["donor_id"]].setdefault(
                row["currency"], dict.fromkeys(_DONOR_STAGES, 0)
            )
            in_currency[stage] += int(row["native"])
            usd[row["donor_id"]][stage] += int(row["usd"])
    donors = Organisation.objects.filter(pk__in=list(native)).order_by("iati_identifier")
    result = []
    for donor in donors:
        totals = usd[donor.pk]
        pledged = totals["pledged"]
        share = (
            None
            if pledged == 0
            else str((Decimal(totals["paid"]) / Decimal(pledged)).quantize(_SHARE, ROUND_HALF_EVEN))
        )
        result.append(
            {
                "iati_identifier": donor.iati_identifier,
                "name_en": donor.name_en,
                "name_ar": donor.name_ar,
                "country": donor.country,
                "currencies": {
                    currency: {
                        stage: str(Money.from_minor(minor, currency).amount)
                        for stage, minor in table.items()
                    }
                    for currency, table in sorted(native[donor.pk].items())
                },
                "usd": {
                    stage: str(Money.from_minor(minor, USD).amount)
                    for stage, minor in totals.items()
                },
                "paid_share_of_pledged": share,
            }
        )
    return result


# --- the fund's public pages and the secretariat's forms ----------------------------------
# Rows below carry public fields only, copied out of the models: a page cannot show a
# private field (a bank reference, a partner's bank account, who reported an expenditure)
# that its row does not have.

_PERCENT = Context(prec=28, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class FiguresRow:
    """One row of a figures table: its key and the USD amount of each stage (`STAGES`)."""

    key: str
    amounts: tuple[Decimal, ...]


@dataclass(frozen=True)
class FundOverview:
    figures: dict[str, Any]  # `fund_figures()`, as served
    totals: tuple[Decimal, ...]
    by_donor: tuple[FiguresRow, ...]
    donors: dict[str, Organisation]
    by_sector: tuple[FiguresRow, ...]
    by_governorate: tuple[FiguresRow, ...]
    by_month: tuple[FiguresRow, ...]


def _figure_rows(table: dict[str, dict[str, str]]) -> tuple[FiguresRow, ...]:
    return tuple(
        FiguresRow(key, tuple(Decimal(row[stage]) for stage in STAGES))
        for key, row in table.items()
    )


def fund_overview(*, log_size: int | None = None) -> FundOverview:
    """`fund_figures()` as rows for tables, with the donors' organisations."""
    figures = fund_figures(log_size=log_size)
    by_donor = {key: row["usd"] for key, row in figures["by_donor"].items()}
    return FundOverview(
        figures=figures,
        totals=tuple(Decimal(figures["totals"][stage]) for stage in STAGES),
        by_donor=_figure_rows(by_donor),
        donors=Organisation.objects.in_bulk(list(by_donor), field_name="iati_identifier"),
        by_sector=_figure_rows(figures["by_sector"]),
        by_governorate=_figure_rows(figures["by_governorate"]),
        by_month=_figure_rows(figures["by_month"]),
    )


@dataclass(frozen=True)
class ReversalRow:
    reason: str
    log_index: int


@dataclass(frozen=True)
class DonorFactRow:
    """A pledge, commitment or contribution, public fields only."""

    id: uuid.UUID
    kind: str
    donor: str
    amount: Money
    on: datetime.date
    earmark: Earmark
    usd: Money
    rate: FxRate | None
    log_index: int
    reversal: ReversalRow | None
    note: str  # a pledge's description, a commitment's agreement reference
    settles: uuid.UUID | None  # the pledge a commitment, or the commitment a payment, meets


@dataclass(frozen=True)
class PaidShare:
    """What a donor has paid of what it pledged, in one currency (facts in force)."""

    currency: str
    pledged: Money
    paid: Money
    percent: Decimal | None  # None when nothing is pledged in the currency


@dataclass(frozen=True)
class FundDonorPage:
    organisation: Organisation
    pledges: tuple[DonorFactRow, ...]
    commitments: tuple[DonorFactRow, ...]
    contributions: tuple[DonorFactRow, ...]
    shares: tuple[PaidShare, ...]


def _reversals(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ReversalRow]:
    return {
        row.reverses: ReversalRow(row.reason, row.log_index)
        for row in Reversal.objects.filter(reverses__in=list(ids))
    }


def _donor_rows(kind: str, queryset: QuerySet[Any], note: str, settles: str) -> list[Any]:
    facts = list(queryset.select_related("rate", "donor"))
    reversals = _reversals(fact.id for fact in facts)
    return [
        DonorFactRow(
            id=fact.id,
            kind=kind,
            donor=fact.donor.iati_identifier,
            amount=fact.amount,
            on=fact.on,
            earmark=fact.earmark,
            usd=fact.usd,
            rate=fact.rate,
            log_index=fact.log_index,
            reversal=reversals.get(fact.id),
            note=getattr(fact, note) if note else "",
            settles=getattr(fact, settles) if settles else None,
        )
        for fact in facts
    ]


def _percent(part: Money, whole: Money) -> Decimal | None:
    if whole.is_zero():
        return None
    ratio = _PERCENT.divide(Decimal(part.minor) * 100, Decimal(whole.minor))
    return ratio.quantize(Decimal("0.1"), context=_PERCENT)


def _paid_shares(
    pledges: Iterable[DonorFactRow], contributions: Iterable[DonorFactRow]
) -> tuple[PaidShare, ...]:
    pledged: dict[str, Money] = {}
    paid: dict[str, Money] = {}
    for rows, totals in ((pledges, pledged), (contributions, paid)):
        for row in rows:
            if row.reversal is None:
                code = row.amount.currency
                totals[code] = totals.get(code, Money.zero(code)) + row.amount
    shares = []
    for code in sorted(set(pledged) | set(paid)):
        whole, part = pledged.get(code, Money.zero(code)), paid.get(code, Money.zero(code))
        shares.append(PaidShare(code, whole, part, _percent(part, whole)))
    return tuple(shares)


def fund_donor_page(iati_identifier: str) -> FundDonorPage | None:
    """A donor's pledges, commitments and contributions, reversed ones included, and
    what it has paid of its pledges; None when no organisation has the identifier."""
    organisation = Organisation.objects.filter(iati_identifier=iati_identifier).first()
    if organisation is None:
        return None
    pledges = _donor_rows("pledge", Pledge.objects.filter(donor=organisation), "description", "")
    commitments = _donor_rows(
        "commitment",
        Commitment.objects.filter(donor=organisation),
        "agreement_reference",
        "pledge_id",
    )
    contributions = _donor_rows(
        "contribution", Contribution.objects.filter(donor=organisation), "", "commitment_id"
    )
    return FundDonorPage(
        organisation=organisation,
        pledges=tuple(pledges),
        commitments=tuple(commitments),
        contributions=tuple(contributions),
        shares=_paid_shares(pledges, contributions),
    )


@dataclass(frozen=True)
class AllocationRow:
    """An allocation with what has happened to its money, public fields only."""

    id: uuid.UUID
    project: Project  # with its lead
    motion_id: uuid.UUID
    amount: Money
    status: str
    status_label: str
    reserved_index: int
    approved_index: int | None
    released_index: int | None
    on: datetime.date | None
    usd: Money | None
    draws: tuple[tuple[Earmark, Money], ...]
    disbursed: Money  # approved tranches
    spent: Money  # expenditure in force
    refunded: Money  # refunds in force
    left: Money | None  # left to disburse, once approved

    @property
    def is_reserved(self) -> bool:
        return self.status == MoveStatus.RESERVED

    @property
    def is_approved(self) -> bool:
        return self.status == MoveStatus.APPROVED


def _sums(queryset: QuerySet[Any]) -> dict[uuid.UUID, int]:
    rows = queryset.values("allocation_id").annotate(total=Sum("amount_minor")).order_by()
    return {row["allocation_id"]: int(row["total"]) for row in rows}


def _allocation_rows(queryset: QuerySet[Allocation]) -> list[AllocationRow]:
    allocations = list(
        queryset.select_related("project__lead")
        .prefetch_related("draws")
        .order_by("-reserved_index")
    )
    ids = [allocation.id for allocation in allocations]
    disbursed = _sums(Disbursement.objects.filter(allocation__in=ids, status=MoveStatus.APPROVED))
    spent = _sums(Expenditure.objects.filter(allocation__in=ids, reversed_index__isnull=True))
    refunded = _sums(Refund.objects.filter(allocation__in=ids, reversed_index__isnull=True))
    accounts = {chart.allocation_account(str(a), "undisbursed"): a for a in ids}
    undisbursed = {
        (accounts[row.account], row.currency): row.balance_minor
        for row in AccountBalance.objects.filter(account__in=list(accounts))
    }
    rows = []
    for allocation in allocations:
        code, key = allocation.currency, allocation.id
        approved = allocation.status == MoveStatus.APPROVED
        rows.append(
            AllocationRow(
                id=key,
                project=allocation.project,
                motion_id=allocation.motion_id,
                amount=allocation.amount,
                status=allocation.status,
                status_label=allocation.get_status_display(),
                reserved_index=allocation.reserved_index,
                approved_index=allocation.approved_index,
                released_index=allocation.released_index,
                on=allocation.on,
                usd=None
                if allocation.usd_minor is None
                else Money.from_minor(allocation.usd_minor, USD),
                draws=tuple(
                    (draw.earmark, Money.from_minor(draw.amount_minor, code))
                    for draw in allocation.draws.all()
                ),
                disbursed=Money.from_minor(disbursed.get(key, 0), code),
                spent=Money.from_minor(spent.get(key, 0), code),
                refunded=Money.from_minor(refunded.get(key, 0), code),
                left=-Money.from_minor(undisbursed.get((key, code), 0), code) if approved else None,
            )
        )
    return rows


def fund_allocation_list(
    *, approved_only: bool = False, lead: str | None = None
) -> list[AllocationRow]:
    """Allocations, newest first, in a constant number of queries; only the approved ones,
    or only those of projects `lead` (an IATI identifier) leads, when asked."""
    queryset = Allocation.objects.all()
    if approved_only:
        queryset = queryset.filter(status=MoveStatus.APPROVED)
    if lead is not None:
        queryset = queryset.filter(project__lead__iati_identifier=lead)
    return _allocation_rows(queryset)


@dataclass(frozen=True)
class DisbursementRow:
    id: uuid.UUID
    tranche: int
    amount: Money
    status: str
    status_label: str
    motion_id: uuid.UUID
    reserved_index: int
    approved_index: int | None
    released_index: int | None
    on: datetime.date | None
    usd: Money | None

    @property
    def is_reserved(self) -> bool:
        return self.status == MoveStatus.RESERVED


def _tranche_fields(row: Disbursement) -> dict[str, Any]:
    """What every public row of a tranche shows (`DisbursementRow`'s fields)."""
    return {
        "id": row.id,
        "tranche": row.tranche,
        "amount": row.amount,
        "status": row.status,
        "status_label": row.get_status_display(),
        "motion_id": row.motion_id,
        "reserved_index": row.reserved_index,
        "approved_index": row.approved_index,
        "released_index": row.released_index,
        "on": row.on,
        "usd": None if row.usd_minor is None else Money.from_minor(row.usd_minor, USD),
    }


@dataclass(frozen=True)
class PartnerFactRow:
    """An expenditure or a refund, public fields only."""

    id: uuid.UUID
    amount: Money
    on: datetime.date
    usd: Money
    rate: FxRate | None
    description: str
    log_index: int
    reversal: ReversalRow | None
    returns: tuple[tuple[Earmark, Money], ...] = ()


@dataclass(frozen=True)
class FundAllocationPage:
    allocation: AllocationRow
    disbursements: tuple[DisbursementRow, ...]
    expenditures: tuple[PartnerFactRow, ...]
    refunds: tuple[PartnerFactRow, ...]


def _partner_rows(queryset: QuerySet[Any], *, returns: bool = False) -> tuple[PartnerFactRow, ...]:
    if returns:
        queryset = queryset.prefetch_related("returns")
    facts = list(queryset.select_related("rate").order_by("on", "log_index"))
    reversals = _reversals(fact.id for fact in facts)
    return tuple(
        PartnerFactRow(
            id=fact.id,
            amount=fact.amount,
            on=fact.on,
            usd=Money.from_minor(fact.usd_minor, USD),
            rate=fact.rate,
            description=fact.description,
            log_index=fact.log_index,
            reversal=reversals.get(fact.id),
            returns=tuple(
                (part.earmark, Money.from_minor(part.amount_minor, fact.currency))
                for part in fact.returns.all()
            )
            if returns
            else (),
        )
        for fact in facts
    )


def fund_allocation_page(allocation_id: uuid.UUID) -> FundAllocationPage | None:
    """One allocation with its tranches, expenditure and refunds; None if there is none."""
    rows = _allocation_rows(Allocation.objects.filter(pk=allocation_id))
    if not rows:
        return None
    disbursements = tuple(
        DisbursementRow(**_tranche_fields(row))
        for row in Disbursement.objects.filter(allocation_id=allocation_id).order_by("tranche")
    )
    return FundAllocationPage(
        allocation=rows[0],
        disbursements=disbursements,
        expenditures=_partner_rows(Expenditure.objects.filter(allocation_id=allocation_id)),
        refunds=_partner_rows(Refund.objects.filter(allocation_id=allocation_id), returns=True),
    )


def fund_rate_list() -> QuerySet[FxRate]:
    """Every exchange rate logged, by currency, newest first (every field is public)."""
    return FxRate.objects.order_by("currency", "-on")


@dataclass(frozen=True)
class FactChoice:
    """A fact in force that a form may name: a pledge, a commitment, or any reversible one."""

    kind: str
    id: uuid.UUID
    amount: Money
    on: datetime.date
    who: str  # the donor's IATI identifier, or the project's code
    log_index: int


def _choices(
    kind: str, queryset: QuerySet[Any], related: str, who: Callable[[Any], str]
) -> list[FactChoice]:
    rows = queryset.filter(reversed_index__isnull=True).order_by("-log_index")
    if related:
        rows = rows.select_related(related)
    return [
        FactChoice(
            kind,
            fact.id,
            fact.sold if kind == "conversion" else fact.amount,
            fact.on,
            who(fact),
            fact.log_index,
        )
        for fact in rows
    ]


def _donor(fact: Any) -> str:
    return str(fact.donor.iati_identifier)


def _project(fact: Any) -> str:
    return str(fact.allocation.project.code)


def fund_pledge_choices() -> list[FactChoice]:
    return _choices("pledge", Pledge.objects.all(), "donor", _donor)


def fund_commitment_choices() -> list[FactChoice]:
    return _choices("commitment", Commitment.objects.all(), "donor", _donor)


def fund_reversible_choices() -> list[FactChoice]:
    """Every fact in force that a reversal may take back, newest first within each kind."""
    return [
        *fund_pledge_choices(),
        *fund_commitment_choices(),
        *_choices("contribution", Contribution.objects.all(), "donor", _donor),
        *_choices("conversion", Conversion.objects.all(), "", lambda fact: ""),
        *_choices("expenditure", Expenditure.objects.all(), "allocation__project", _project),
        *_choices("refund", Refund.objects.all(), "allocation__project", _project),
    ]


@dataclass(frozen=True)
class PoolRow:
    """The fund's money of one earmark in one currency: free to allocate, and set aside
    for allocation motions the board has not decided yet."""

    earmark: Earmark
    available: Money
    reserved: Money


def fund_pools() -> list[PoolRow]:
    """Every earmark pool holding money, flexible money first, then the most specific
    earmarks; one query. Balances are credit balances in the books, shown as positive."""
    pools: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"available": 0, "reserved": 0}
    )
    rows = AccountBalance.objects.filter(
        Q(account__startswith="fund:available:") | Q(account__startswith="fund:reserved:")
    ).values_list("account", "currency", "balance_minor")
    for account, currency, minor in rows:
        _fund, pool, key = account.split(":")
        pools[(key, currency)][pool] -= minor
    result = [
        PoolRow(
            Earmark.from_key(key),
            Money.from_minor(amounts["available"], currency),
            Money.from_minor(amounts["reserved"], currency),
        )
        for (key, currency), amounts in pools.items()
        if amounts["available"] or amounts["reserved"]
    ]
    return sorted(
        result, key=lambda row: (row.earmark.specificity, row.earmark.key, row.available.currency)
    )


# --- one project's money, for its public page ----------------------------------------------


@dataclass(frozen=True)
class ProjectDisbursementRow(DisbursementRow):
    allocation_id: uuid.UUID


@dataclass(frozen=True)
class ProjectTotals:
    """A project's money in one currency: approved allocations and tranches, expenditure
    and refunds in force, and what its approved allocations have left to disburse."""

    currency: str
    allocated: Money
    disbursed: Money
    spent: Money
    refunded: Money
    undisbursed: Money


@dataclass(frozen=True)
class ProjectUsd:
    """The same totals in US dollars: sums of each fact's own USD equivalent (so there is
    no undisbursed figure in USD: it would convert a difference of sums)."""

    allocated: Money
    disbursed: Money
    spent: Money
    refunded: Money


@dataclass(frozen=True)
class ProjectMoney:
    allocations: tuple[AllocationRow, ...]  # newest first
    disbursements: tuple[ProjectDisbursementRow, ...]  # in the order they were set aside
    expenditures: tuple[PartnerFactRow, ...]  # by date
    refunds: tuple[PartnerFactRow, ...]
    totals: tuple[ProjectTotals, ...]  # one per currency, by code
    usd: ProjectUsd


def fund_project_money(project: Project) -> ProjectMoney:
    """Everything public about a project's money: its allocations (with their status and
    log entries), tranches, expenditure (never who reported it) and refunds, and totals.
    A bounded number of queries, whatever the number of facts."""
    allocations = tuple(_allocation_rows(Allocation.objects.filter(project=project)))
    tranches = list(
        Disbursement.objects.filter(allocation__project=project).order_by("reserved_index")
    )
    disbursements = tuple(
        ProjectDisbursementRow(
            **_tranche_fields(row),
            allocation_id=row.allocation_id,
        )
        for row in tranches
    )
    expenditures = _partner_rows(Expenditure.objects.filter(allocation__project=project))
    refunds = _partner_rows(Refund.objects.filter(allocation__project=project), returns=True)

    currencies = sorted({row.amount.currency for row in allocations})
    totals = []
    for code in currencies:
        zero = Money.from_minor(0, code)
        approved = [a for a in allocations if a.is_approved and a.amount.currency == code]
        totals.append(
            ProjectTotals(
                currency=code,
                allocated=sum((a.amount for a in approved), zero),
                disbursed=sum((a.disbursed for a in approved), zero),
                spent=sum((a.spent for a in approved), zero),
                refunded=sum((a.refunded for a in approved), zero),
                undisbursed=sum((a.left for a in approved if a.left is not None), zero),
            )
        )
    approved_allocations = [a for a in allocations if a.is_approved]
    usd = ProjectUsd(
        allocated=Money.from_minor(
            sum(a.usd.minor for a in approved_allocations if a.usd is not None), USD
        ),
        disbursed=Money.from_minor(
            sum(row.usd_minor for row in tranches
                if row.status == MoveStatus.APPROVED and row.usd_minor is not None),
            USD,
        ),
        spent=Money.from_minor(sum(f.usd.minor for f in expenditures if f.reversal is None), USD),
        refunded=Money.from_minor(sum(f.usd.minor for f in refunds if f.reversal is None), USD),
    )  # fmt: skip
    return ProjectMoney(
        allocations=allocations,
        disbursements=disbursements,
        expenditures=expenditures,
        refunds=refunds,
        totals=tuple(totals),
        usd=usd,
    )


@dataclass(frozen=True)
class GovernorateProjects:
    """The projects in one governorate: how many, and what the board allocated to them."""

    projects: int
    allocated: Money  # approved allocations, in US dollars


def fund_projects_by_governorate(projects: QuerySet[Project]) -> dict[str, GovernorateProjects]:
    """For the projects of `projects` (any queryset of them, filtered as a list is), by
    governorate P-code: how many there are, and the US dollars of their approved
    allocations (sums of each one's own USD equivalent). Only the governorates that have
    some of the projects appear. One query."""
    rows = (
        Project.objects.filter(pk__in=projects.values("pk"))
        .values("governorate")
        .annotate(
            n=Count("pk", distinct=True),
            usd=Sum("allocations__usd_minor", filter=Q(allocations__status=MoveStatus.APPROVED)),
        )
        .order_by("governorate")
    )
    return {
        row["governorate"]: GovernorateProjects(
            row["n"], Money.from_minor(int(row["usd"] or 0), USD)
        )
        for row in rows
    }


def fund_project_usd(project_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[Money, Money]]:
    """(allocated, disbursed) in US dollars for each project named, approved only, as
    sums of each fact's own USD equivalent. Two queries."""
    ids = list(project_ids)
    allocated = dict(
        Allocation.objects.filter(project__in=ids, status=MoveStatus.APPROVED)
        .values("project_id")
        .annotate(total=Sum("usd_minor"))
        .order_by()
        .values_list("project_id", "total")
    )
    disbursed = dict(
        Disbursement.objects.filter(allocation__project__in=ids, status=MoveStatus.APPROVED)
        .values("allocation__project_id")
        .annotate(total=Sum("usd_minor"))
        .order_by()
        .values_list("allocation__project_id", "total")
    )
    return {
        key: (
            Money.from_minor(int(allocated.get(key) or 0), USD),
            Money.from_minor(int(disbursed.get(key) or 0), USD),
        )
        for key in ids
    }


# --- whole public tables, for the open-data downloads ---------------------------------------
# The rows above, for every donor or project at once: still public fields only.

_DONOR_FACTS: dict[str, tuple[type[Pledge | Commitment | Contribution], str, str]] = {
    "pledge": (Pledge, "description", ""),
    "commitment": (Commitment, "agreement_reference", "pledge_id"),
    "contribution": (Contribution, "", "commitment_id"),
}


def fund_donor_fact_rows(kind: str) -> list[DonorFactRow]:
    """Every pledge, commitment or contribution (`kind`), reversed ones included, in log
    order. Two queries. Raises KeyError for another kind."""
    model, note, settles = _DONOR_FACTS[kind]
    return _donor_rows(kind, model.objects.order_by("log_index"), note, settles)


@dataclass(frozen=True)
class DisbursementListRow(ProjectDisbursementRow):
    project_code: str


def fund_disbursement_rows() -> list[DisbursementListRow]:
    """Every tranche, in the order it was set aside, with its project. One query."""
    tranches = Disbursement.objects.select_related("allocation__project").order_by("reserved_index")
    return [
        DisbursementListRow(
            **_tranche_fields(row),
            allocation_id=row.allocation_id,
            project_code=row.allocation.project.code,
        )
        for row in tranches
    ]


@dataclass(frozen=True)
class ProjectFactRow:
    """An expenditure (never who reported it) with the allocation and project it is under."""

    allocation_id: uuid.UUID
    project_code: str
    fact: PartnerFactRow


def fund_expenditure_rows() -> list[ProjectFactRow]:
    """Every expenditure reported, reversed ones included, by date. Three queries."""
    facts = _partner_rows(Expenditure.objects.all())
    under = {
        key: (allocation, code)
        for key, allocation, code in Expenditure.objects.values_list(
            "id", "allocation_id", "allocation__project__code"
        )
    }
    return [ProjectFactRow(*under[fact.id], fact) for fact in facts]
