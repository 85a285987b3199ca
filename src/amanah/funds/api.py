"""The fund over the API (/api/v1/fund): public figures, balances, donors and every fact,
and the secretariat's writes (partner staff report their own expenditure).

Reading needs no token, like the log: everything read here is public, and the schemas
never name a private field. The handlers are thin: the services check the caller's role
(`role_required`, 403) and the input, naming the field at fault (422), log the fact and
post it to the books in one transaction. Allocations and disbursements are prepared here
and decided by the board: a member signs their motion at /api/v1/motions/{id}/signatures.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from amanah.accounts.models import User
from amanah.core.errors import NotFound, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.funds import imports, selectors, services
from amanah.funds.schemas import (
    AllocationIn,
    AllocationListOut,
    AllocationOut,
    BalancesOut,
    CommitmentIn,
    CommitmentListOut,
    CommitmentOut,
    ContributionIn,
    ContributionListOut,
    ContributionOut,
    ConversionIn,
    ConversionListOut,
    ConversionOut,
    DisbursementIn,
    DisbursementListOut,
    DisbursementOut,
    DonorListOut,
    ExpenditureIn,
    ExpenditureListOut,
    ExpenditureOut,
    FiguresIn,
    FiguresOut,
    PageIn,
    PledgeIn,
    PledgeListOut,
    PledgeOut,
    RateIn,
    RateListOut,
    RateOut,
    RefundIn,
    RefundListOut,
    RefundOut,
    ReversalIn,
    ReversalListOut,
    ReversalOut,
    allocation_out,
    commitment_out,
    contribution_out,
    conversion_out,
    disbursement_out,
    expenditure_out,
    pledge_out,
    refund_out,
    reversal_out,
)

router = Router(tags=["fund"])

_T = TypeVar("_T")
_M = TypeVar("_M", bound=Model)
_WRITE = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
_LIST = {422: ErrorOut}


def _actor(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _service(call: Callable[[], _T]) -> _T:
    """Run a service; its ValidationError (naming the fields) becomes the API's 422."""
    try:
        return call()
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None


def _page(
    queryset: QuerySet[_M], page: PageIn, name: str, out: Callable[[_M], dict[str, Any]]
) -> dict[str, Any]:
    rows = queryset[page.offset : page.offset + page.limit]
    return {
        name: [out(row) for row in rows],
        "total": queryset.count(),
        "limit": page.limit,
        "offset": page.offset,
    }


def _rate_out(row: Any) -> dict[str, Any]:
    return {
        "currency": row.currency,
        "on": row.on,
        "units_per_usd": row.units_per_usd,
        "source": row.source,
        "log_index": row.log_index,
    }


def _reloaded(queryset: QuerySet[_M], pk: Any) -> _M:
    return queryset.get(pk=pk)


# --- the public figures ------------------------------------------------------------------------


@router.get(
    "/figures",
    response={200: FiguresOut, 422: ErrorOut},
    auth=None,
    summary="The public totals by stage, donor, sector, governorate and month, in USD",
    description="Exactly what `amanah audit` recomputes from the log's first `log_size`"
    " entries (`FundBook.figures()`), to the cent.",
)
def figures(request: HttpRequest, query: Query[FiguresIn]) -> dict[str, Any]:
    size = query.log_size
    if size is not None and not 0 <= size <= selectors.log_size_now():
        raise RequestInvalid(
            {"log_size": _("Give a log size between 0 and the log's current size.")}
        )
    return selectors.fund_figures(log_size=size)


@router.get(
    "/balances",
    response={200: BalancesOut},
    auth=None,
    summary="Every account's balance in each currency, and the per-currency totals (zero)",
)
def balances(request: HttpRequest) -> dict[str, Any]:
    return selectors.account_balances()


@router.get(
    "/donors",
    response={200: DonorListOut},
    auth=None,
    summary="Each donor: pledged, committed and paid by currency and in USD",
)
def donors(request: HttpRequest) -> dict[str, Any]:
    return {"donors": selectors.donor_totals()}


# --- exchange rates ----------------------------------------------------------------------------


@router.get("/rates", response={200: RateListOut, **_LIST}, auth=None, summary="Exchange rates")
def rates(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.fx_rate_list(), page, "rates", _rate_out)


@router.post(
    "/rates",
    response={201: RateOut, **_WRITE},
    summary="Record an exchange rate (the secretariat)",
)
def rate_create(request: HttpRequest, body: RateIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.fx_rate_record(**body.dict(), actor=actor))
    return Status(201, _rate_out(row))


# --- donors' money -----------------------------------------------------------------------------


@router.get("/pledges", response={200: PledgeListOut, **_LIST}, auth=None, summary="Pledges")
def pledges(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.pledge_list(), page, "pledges", pledge_out)


@router.post(
    "/pledges", response={201: PledgeOut, **_WRITE}, summary="Record a pledge (the secretariat)"
)
def pledge_create(request: HttpRequest, body: PledgeIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.pledge_record(**body.dict(), actor=actor))
    return Status(201, pledge_out(_reloaded(selectors.pledge_list(), row.pk)))


@router.get(
    "/commitments",
    response={200: CommitmentListOut, **_LIST},
    auth=None,
    summary="Commitments (signed agreements)",
)
def commitments(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.commitment_list(), page, "commitments", commitment_out)


@router.post(
    "/commitments",
    response={201: CommitmentOut, **_WRITE},
    summary="Record a commitment (the secretariat)",
)
def commitment_create(request: HttpRequest, body: CommitmentIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.commitment_record(**body.dict(), actor=actor))
    return Status(201, commitment_out(_reloaded(selectors.commitment_list(), row.pk)))


@router.get(
    "/contributions",
    response={200: ContributionListOut, **_LIST},
    auth=None,
    summary="Contributions (money received)",
)
def contributions(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.contribution_list(), page, "contributions", contribution_out)


@router.post(
    "/contributions",
    response={201: ContributionOut, **_WRITE},
    summary="Record a contribution received (the secretariat); the bank reference stays private",
)
def contribution_create(request: HttpRequest, body: ContributionIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.contribution_record(**body.dict(), actor=actor))
    return Status(201, contribution_out(_reloaded(selectors.contribution_list(), row.pk)))


class ImportIn(Schema):
    csv: str = Field(
        description="The file's text: a header row naming the columns (donor, amount, currency,"
        " date, bank_reference; optionally sector, governorate, commitment) or an HXL hashtag"
        " row, then one contribution per row. See docs/fund.md."
    )


class ImportOut(Schema):
    recorded: int = Field(description="Contributions recorded by this import.")
    already_recorded: int = Field(
        description="Rows whose donor and bank reference were recorded before: skipped."
    )
    contributions: list[uuid.UUID] = Field(description="The ids of the contributions recorded.")


@router.post(
    "/contributions/import",
    response={201: ImportOut, **_WRITE},
    summary="Import contributions from a CSV bank statement (the secretariat): all or none",
    description="Every row is recorded, or none; a 422 names each wrong row as"
    ' "line N: column". Rows already recorded (same donor and bank reference) are skipped,'
    " so the same file can be sent again safely.",
)
def contribution_import(request: HttpRequest, body: ImportIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        result = imports.contribution_import(body.csv, actor=actor)
    except imports.ImportInvalid as error:
        raise RequestInvalid(error.problems()) from None
    return Status(
        201,
        {
            "recorded": result.recorded,
            "already_recorded": result.already_recorded,
            "contributions": [c.id for c in result.contributions],
        },
    )


@router.get(
    "/conversions",
    response={200: ConversionListOut, **_LIST},
    auth=None,
    summary="Currency conversions by the fund's bank",
)
def conversions(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.conversion_list(), page, "conversions", conversion_out)


@router.post(
    "/conversions",
    response={201: ConversionOut, **_WRITE},
    summary="Record a currency conversion (the secretariat)",
)
def conversion_create(request: HttpRequest, body: ConversionIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.conversion_record(**body.dict(), actor=actor))
    return Status(201, conversion_out(row))


# --- allocations and disbursements: prepared here, decided by the board ------------------------


@router.get(
    "/allocations",
    response={200: AllocationListOut, **_LIST},
    auth=None,
    summary="Allocations to projects, whatever the board decided",
)
def allocations(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.allocation_list(), page, "allocations", allocation_out)


@router.get(
    "/allocations/{allocation_id}",
    response={200: AllocationOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="One allocation",
)
def allocation(request: HttpRequest, allocation_id: uuid.UUID) -> dict[str, Any]:
    row = selectors.allocation_list().filter(pk=allocation_id).first()
    if row is None:
        raise NotFound()
    return allocation_out(row)


@router.post(
    "/allocations",
    response={201: AllocationOut, **_WRITE},
    summary="Reserve money for a project and put the allocation to the board (the secretariat)",
    description="Draws from the earmark pools that allow the project, most specific first,"
    " and opens a `fund.allocate` motion (`motion`); the money is allocated when the board"
    " executes it.",
)
def allocation_create(request: HttpRequest, body: AllocationIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.allocation_prepare(**body.dict(), actor=actor))
    return Status(201, allocation_out(_reloaded(selectors.allocation_list(), row.pk)))


@router.get(
    "/disbursements",
    response={200: DisbursementListOut, **_LIST},
    auth=None,
    summary="Disbursements (tranches paid to partners), whatever the board decided",
)
def disbursements(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.disbursement_list(), page, "disbursements", disbursement_out)


@router.get(
    "/disbursements/{disbursement_id}",
    response={200: DisbursementOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="One disbursement (a tranche)",
)
def disbursement(request: HttpRequest, disbursement_id: uuid.UUID) -> dict[str, Any]:
    row = selectors.disbursement_list().filter(pk=disbursement_id).first()
    if row is None:
        raise NotFound()
    return disbursement_out(row)


@router.post(
    "/disbursements",
    response={201: DisbursementOut, **_WRITE},
    summary="Reserve a tranche of an approved allocation and put its payment to the board"
    " (the secretariat)",
)
def disbursement_create(request: HttpRequest, body: DisbursementIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.disbursement_prepare(**body.dict(), actor=actor))
    return Status(201, disbursement_out(_reloaded(selectors.disbursement_list(), row.pk)))


# --- what partners report, refunds, reversals ----------------------------------------------------


@router.get(
    "/expenditures",
    response={200: ExpenditureListOut, **_LIST},
    auth=None,
    summary="Expenditure reported by partners",
)
def expenditures(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.expenditure_list(), page, "expenditures", expenditure_out)


@router.post(
    "/expenditures",
    response={201: ExpenditureOut, **_WRITE},
    summary="Report expenditure under an allocation (partner staff of the lead, or the"
    " secretariat); who reported it stays private",
)
def expenditure_create(request: HttpRequest, body: ExpenditureIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.expenditure_report(**body.dict(), actor=actor))
    return Status(201, expenditure_out(_reloaded(selectors.expenditure_list(), row.pk)))


@router.get("/refunds", response={200: RefundListOut, **_LIST}, auth=None, summary="Refunds")
def refunds(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.refund_list(), page, "refunds", refund_out)


@router.post(
    "/refunds",
    response={201: RefundOut, **_WRITE},
    summary="Record money a partner returned (the secretariat)",
)
def refund_create(request: HttpRequest, body: RefundIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.refund_record(**body.dict(), actor=actor))
    return Status(201, refund_out(_reloaded(selectors.refund_list(), row.pk)))


@router.get(
    "/reversals",
    response={200: ReversalListOut, **_LIST},
    auth=None,
    summary="Reversals (corrections)",
)
def reversals(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    return _page(selectors.reversal_list(), page, "reversals", reversal_out)


@router.post(
    "/reversals",
    response={201: ReversalOut, **_WRITE},
    summary="Take back a recorded fact, saying why (the secretariat)",
)
def reversal_create(request: HttpRequest, body: ReversalIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.reversal_record(**body.dict(), actor=actor))
    return Status(201, reversal_out(row))
