"""API schemas of the fund, one per operation. Descriptions are in English like the rest
of docs/openapi.json.

Amounts travel as decimal strings in plain notation with exactly the currency's decimals
("1250.50"), next to their ISO 4217 `currency`; never as JSON numbers, which a reader may
turn into binary floats. Every money row out also gives its US dollar equivalent (`usd`)
and the rate that equivalent used (`rate`, null for US dollars), as the log states them.

Private fields (a contribution's `bank_reference`, a disbursement's `bank_account`, an
expenditure's `reported_by`) are accepted on input and never returned: they stay in the
database, and the log holds only a commitment to them.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from amanah.funds.money import Money, MoneyError, currency

__all__ = [
    "AllocationIn",
    "AllocationListOut",
    "AllocationOut",
    "BalancesOut",
    "CommitmentIn",
    "CommitmentListOut",
    "CommitmentOut",
    "ContributionIn",
    "ContributionListOut",
    "ContributionOut",
    "ConversionIn",
    "ConversionListOut",
    "ConversionOut",
    "DisbursementIn",
    "DisbursementListOut",
    "DisbursementOut",
    "DonorListOut",
    "ExpenditureIn",
    "ExpenditureListOut",
    "ExpenditureOut",
    "FiguresIn",
    "FiguresOut",
    "PageIn",
    "PledgeIn",
    "PledgeListOut",
    "PledgeOut",
    "RateIn",
    "RateListOut",
    "RateOut",
    "RefundIn",
    "RefundListOut",
    "RefundOut",
    "ReversalIn",
    "ReversalListOut",
    "ReversalOut",
]

MAX_PAGE = 1000
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_AMOUNT_DOC = 'A decimal string, like "1250.50": never a JSON number.'
_DATE_DOC = "YYYY-MM-DD, not in the future."


# --- input checks (each raises ValueError with a translated sentence: errors.py shows it) ---


def _amount_text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(_('Give the amount as a decimal string, like "1250.50", not a number.'))
    if not _AMOUNT.fullmatch(value.strip()):
        raise ValueError(_("Give the amount as digits with a point for decimals, like 1250.50."))
    return value.strip()


def _currency_code(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(_("Give the currency as its ISO 4217 code, like USD."))
    try:
        currency(value)
    except MoneyError:
        raise ValueError(
            _("{code} is not an ISO 4217 currency code the fund can hold.").format(code=value)
        ) from None
    return value


def _date_text(value: object) -> str:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(_("Give the date as YYYY-MM-DD."))
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("Give the date as YYYY-MM-DD.")) from None
    return value


class _AmountIn(Schema):
    amount: str = Field(description=_AMOUNT_DOC)

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> str:
        return _amount_text(value)


class _MoneyIn(_AmountIn):
    currency: str = Field(max_length=3, description="ISO 4217 code, like USD or QAR.")

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: object) -> str:
        return _currency_code(value)


class _DatedIn(Schema):
    on: str = Field(description=_DATE_DOC)

    @field_validator("on", mode="before")
    @classmethod
    def _on(cls, value: object) -> str:
        return _date_text(value)


class _EarmarkIn(Schema):
    sector: str = Field("", max_length=20, description="Sector code; empty: any sector.")
    governorate: str = Field(
        "", max_length=10, description="Governorate P-code; empty: any governorate."
    )


# --- output pieces ---------------------------------------------------------------------------


class RateUsedOut(Schema):
    currency: str
    on: datetime.date
    units_per_usd: str = Field(description="Units of the currency one US dollar bought.")


class EarmarkOut(Schema):
    sector: str | None = Field(description="Sector code; null: any sector.")
    governorate: str | None = Field(description="Governorate P-code; null: any governorate.")


class DrawOut(Schema):
    earmark: EarmarkOut
    amount: str = Field(description="Drawn from (or returned to) this earmark's pool.")


def _usd_doc(what: str = "") -> str:
    return f"The US dollar equivalent, a decimal string{what}."


_RATE_DOC = "The rate the USD equivalent used; null for US dollars."


def money_text(minor: int | None, code: str) -> str | None:
    return None if minor is None else str(Money.from_minor(int(minor), code).amount)


def rate_used(row: Any) -> dict[str, Any] | None:
    rate = row.rate
    if rate is None:
        return None
    return {"currency": rate.currency, "on": rate.on, "units_per_usd": rate.units_per_usd}


def earmark_out(row: Any) -> dict[str, str | None]:
    return {"sector": row.earmark_sector or None, "governorate": row.earmark_governorate or None}


class PageIn(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE, description="At most this many rows.")
    offset: int = Field(0, ge=0, description="Skip this many rows first.")


class _ListOut(Schema):
    total: int = Field(description="How many rows there are in all.")
    limit: int
    offset: int


# --- exchange rates --------------------------------------------------------------------------


class RateIn(_DatedIn):
    currency: str = Field(max_length=3, description="ISO 4217 code; not USD.")
    units_per_usd: str = Field(
        max_length=40, description='Units one US dollar bought, a decimal string: "278.50".'
    )
    source: str = Field(max_length=200, description="Where the rate comes from (UN ORE ...).")

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: object) -> str:
        return _currency_code(value)

    @field_validator("units_per_usd", mode="before")
    @classmethod
    def _rate(cls, value: object) -> str:
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value.strip()):
            raise ValueError(_('Give the rate as a decimal string, like "278.50".'))
        return value.strip()


class RateOut(Schema):
    currency: str
    on: datetime.date
    units_per_usd: str
    source: str
    log_index: int = Field(description="Index of its `fund.fx_rate_recorded` entry.")


class RateListOut(_ListOut):
    rates: list[RateOut] = Field(description="Newest recorded first.")


# --- donors' money ---------------------------------------------------------------------------


class _DonorFactIn(_MoneyIn, _DatedIn, _EarmarkIn):
    donor: str = Field(max_length=150, description="The donor's IATI identifier.")


class PledgeIn(_DonorFactIn):
    description: str = Field("", max_length=300)


class CommitmentIn(_DonorFactIn):
    pledge: uuid.UUID | None = Field(None, description="The pledge it fulfils, if any.")
    agreement_reference: str = Field("", max_length=100, description="Public.")


class ContributionIn(_DonorFactIn):
    commitment: uuid.UUID | None = Field(
        None, description="The commitment it pays; its earmark and currency then apply."
    )
    bank_reference: str = Field(
        "", max_length=100, description="Private: kept by the fund, never published."
    )


class _DonorFactOut(Schema):
    id: uuid.UUID
    donor: str = Field(description="IATI identifier.")
    amount: str
    currency: str
    on: datetime.date
    earmark: EarmarkOut
    usd: str = Field(description=_usd_doc())
    rate: RateUsedOut | None = Field(description=_RATE_DOC)
    log_index: int
    reversed_index: int | None = Field(description="Index of its reversal; null if in force.")


class PledgeOut(_DonorFactOut):
    description: str


class CommitmentOut(_DonorFactOut):
    pledge: uuid.UUID | None
    agreement_reference: str


class ContributionOut(_DonorFactOut):
    commitment: uuid.UUID | None


def _donor_fact_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "donor": row.donor.iati_identifier,
        "amount": money_text(row.amount_minor, row.currency),
        "currency": row.currency,
        "on": row.on,
        "earmark": earmark_out(row),
        "usd": money_text(row.usd_minor, "USD"),
        "rate": rate_used(row),
        "log_index": row.log_index,
        "reversed_index": row.reversed_index,
    }


def pledge_out(row: Any) -> dict[str, Any]:
    return {**_donor_fact_out(row), "description": row.description}


def commitment_out(row: Any) -> dict[str, Any]:
    return {
        **_donor_fact_out(row),
        "pledge": row.pledge_id,
        "agreement_reference": row.agreement_reference,
    }


def contribution_out(row: Any) -> dict[str, Any]:
    return {**_donor_fact_out(row), "commitment": row.commitment_id}


class PledgeListOut(_ListOut):
    pledges: list[PledgeOut] = Field(description="Newest recorded first.")


class CommitmentListOut(_ListOut):
    commitments: list[CommitmentOut] = Field(description="Newest recorded first.")


class ContributionListOut(_ListOut):
    contributions: list[ContributionOut] = Field(description="Newest recorded first.")


# --- conversions -----------------------------------------------------------------------------


class ConversionIn(_DatedIn, _EarmarkIn):
    sold_amount: str = Field(description=_AMOUNT_DOC)
    sold_currency: str = Field(max_length=3)
    bought_amount: str = Field(description=_AMOUNT_DOC)
    bought_currency: str = Field(max_length=3)

    @field_validator("sold_amount", "bought_amount", mode="before")
    @classmethod
    def _amounts(cls, value: object) -> str:
        return _amount_text(value)

    @field_validator("sold_currency", "bought_currency", mode="before")
    @classmethod
    def _currencies(cls, value: object) -> str:
        return _currency_code(value)


class ConversionOut(Schema):
    id: uuid.UUID
    sold_amount: str
    sold_currency: str
    bought_amount: str
    bought_currency: str
    on: datetime.date
    earmark: EarmarkOut = Field(description="The pool whose available money changed currency.")
    log_index: int
    reversed_index: int | None


def conversion_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "sold_amount": money_text(row.sold_minor, row.sold_currency),
        "sold_currency": row.sold_currency,
        "bought_amount": money_text(row.bought_minor, row.bought_currency),
        "bought_currency": row.bought_currency,
        "on": row.on,
        "earmark": earmark_out(row),
        "log_index": row.log_index,
        "reversed_index": row.reversed_index,
    }


class ConversionListOut(_ListOut):
    conversions: list[ConversionOut] = Field(description="Newest recorded first.")


# --- allocations and disbursements ------------------------------------------------------------


class AllocationIn(_MoneyIn):
    project: str = Field(max_length=40, description="The project's code, like GZ-HOU-0001.")


_STATUS_DOC = "reserved (awaiting the board), approved, or released (motion withdrawn)."
_MOVE_USD_DOC = "The US dollar equivalent on the day the board approved it; null until approved."


class AllocationOut(Schema):
    id: uuid.UUID
    project: str = Field(description="The project's code.")
    motion: uuid.UUID = Field(description="The board's motion deciding it.")
    amount: str
    currency: str
    status: str = Field(description=_STATUS_DOC)
    draws: list[DrawOut] = Field(description="The earmark pools the money is drawn from.")
    reserved_index: int
    approved_index: int | None
    released_index: int | None
    on: datetime.date | None = Field(description="The day the board approved it.")
    usd: str | None = Field(description=_MOVE_USD_DOC)
    rate: RateUsedOut | None = Field(description=_RATE_DOC)


def allocation_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "project": row.project.code,
        "motion": row.motion_id,
        "amount": money_text(row.amount_minor, row.currency),
        "currency": row.currency,
        "status": row.status,
        "draws": [
            {"earmark": earmark_out(draw), "amount": money_text(draw.amount_minor, row.currency)}
            for draw in sorted(row.draws.all(), key=lambda d: d.pk)
        ],
        "reserved_index": row.reserved_index,
        "approved_index": row.approved_index,
        "released_index": row.released_index,
        "on": row.on,
        "usd": money_text(row.usd_minor, "USD"),
        "rate": rate_used(row),
    }


class AllocationListOut(_ListOut):
    allocations: list[AllocationOut] = Field(description="Newest first.")


class DisbursementIn(_AmountIn):
    allocation: uuid.UUID = Field(description="An allocation the board approved.")
    bank_account: str = Field(
        "", max_length=100, description="The partner's account. Private: never returned."
    )


class DisbursementOut(Schema):
    id: uuid.UUID
    allocation: uuid.UUID
    motion: uuid.UUID = Field(description="The board's motion deciding it.")
    tranche: int
    amount: str
    currency: str = Field(description="The allocation's currency.")
    status: str = Field(description=_STATUS_DOC)
    reserved_index: int
    approved_index: int | None
    released_index: int | None
    on: datetime.date | None
    usd: str | None = Field(description=_MOVE_USD_DOC)
    rate: RateUsedOut | None = Field(description=_RATE_DOC)


def disbursement_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "allocation": row.allocation_id,
        "motion": row.motion_id,
        "tranche": row.tranche,
        "amount": money_text(row.amount_minor, row.currency),
        "currency": row.currency,
        "status": row.status,
        "reserved_index": row.reserved_index,
        "approved_index": row.approved_index,
        "released_index": row.released_index,
        "on": row.on,
        "usd": money_text(row.usd_minor, "USD"),
        "rate": rate_used(row),
    }


class DisbursementListOut(_ListOut):
    disbursements: list[DisbursementOut] = Field(description="Newest first.")


# --- what partners report, refunds, reversals --------------------------------------------------


class ExpenditureIn(_AmountIn, _DatedIn):
    allocation: uuid.UUID = Field(description="An allocation the board approved.")
    description: str = Field("", max_length=300, description="Public.")
    reported_by: str = Field(
        "", max_length=200, description="Who reported it. Private: never returned."
    )


class RefundIn(_AmountIn, _DatedIn):
    allocation: uuid.UUID = Field(description="An allocation the board approved.")


class _PartnerFactOut(Schema):
    id: uuid.UUID
    allocation: uuid.UUID
    amount: str
    currency: str = Field(description="The allocation's currency.")
    on: datetime.date
    usd: str = Field(description=_usd_doc())
    rate: RateUsedOut | None = Field(description=_RATE_DOC)
    log_index: int
    reversed_index: int | None


class ExpenditureOut(_PartnerFactOut):
    description: str


class RefundOut(_PartnerFactOut):
    returns: list[DrawOut] = Field(description="The pools the money went back to.")


def _partner_fact_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "allocation": row.allocation_id,
        "amount": money_text(row.amount_minor, row.currency),
        "currency": row.currency,
        "on": row.on,
        "usd": money_text(row.usd_minor, "USD"),
        "rate": rate_used(row),
        "log_index": row.log_index,
        "reversed_index": row.reversed_index,
    }


def expenditure_out(row: Any) -> dict[str, Any]:
    return {**_partner_fact_out(row), "description": row.description}


def refund_out(row: Any) -> dict[str, Any]:
    return {
        **_partner_fact_out(row),
        "returns": [
            {"earmark": earmark_out(r), "amount": money_text(r.amount_minor, row.currency)}
            for r in sorted(row.returns.all(), key=lambda r: r.pk)
        ],
    }


class ExpenditureListOut(_ListOut):
    expenditures: list[ExpenditureOut] = Field(description="Newest recorded first.")


class RefundListOut(_ListOut):
    refunds: list[RefundOut] = Field(description="Newest recorded first.")


class ReversalIn(Schema):
    kind: str = Field(
        max_length=20,
        description="pledge, commitment, contribution, conversion, expenditure or refund.",
    )
    fact: uuid.UUID = Field(description="The id of the fact to take back.")
    reason: str = Field(max_length=2000, description="Why (public).")


class ReversalOut(Schema):
    id: uuid.UUID
    kind: str
    fact: uuid.UUID
    reason: str
    log_index: int = Field(description="Index of its `fund.reversal_recorded` entry.")


def reversal_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.reverses_kind,
        "fact": row.reverses,
        "reason": row.reason,
        "log_index": row.log_index,
    }


class ReversalListOut(_ListOut):
    reversals: list[ReversalOut] = Field(description="Newest first.")


# --- figures, balances, donors ----------------------------------------------------------------


class FiguresIn(Schema):
    log_size: int | None = Field(
        None,
        description="The figures as of this many log entries (a checkpoint's size); now when"
        " absent.",
    )


class StagesOut(Schema):
    pledged: str
    committed: str
    paid: str
    allocated: str
    disbursed: str
    refunded: str
    spent: str


class DonorStagesOut(Schema):
    pledged: str
    committed: str
    paid: str


class DonorFiguresOut(Schema):
    usd: StagesOut = Field(description="In US dollars (only the donor stages are non-zero).")
    native: dict[str, DonorStagesOut] = Field(description="By currency, in that currency.")


class FiguresOut(Schema):
    """Exactly `FundBook.figures()` over the log's first `log_size` entries: anyone can
    recompute it from the log. Amounts are decimal strings in US dollars, each the sum of
    the facts' own USD equivalents."""

    log_size: int = Field(description="The figures count the entries before this index.")
    currency: str = Field(description="USD: the currency of every total below.")
    totals: StagesOut
    by_donor: dict[str, DonorFiguresOut] = Field(description="By the donor's IATI identifier.")
    by_sector: dict[str, StagesOut] = Field(
        description='By sector code: the earmark for donors\' money ("any" when not earmarked),'
        " the project's once allocated."
    )
    by_governorate: dict[str, StagesOut] = Field(description="By governorate P-code, likewise.")
    by_month: dict[str, StagesOut] = Field(description="By YYYY-MM of each fact's date.")


class BalanceOut(Schema):
    account: str = Field(description="An account of the fund's chart, like fund:cash.")
    currency: str
    balance: str = Field(description="Debit positive, credit negative; a decimal string.")


class BalancesOut(Schema):
    balances: list[BalanceOut] = Field(description="By account, then currency.")
    totals: dict[str, str] = Field(
        description="Per currency, the sum of every balance: always zero in balanced books."
    )


class DonorOut(Schema):
    iati_identifier: str
    name_en: str
    name_ar: str
    country: str
    currencies: dict[str, DonorStagesOut] = Field(
        description="By currency: pledged, committed and paid in force, in that currency."
    )
    usd: DonorStagesOut = Field(description="The same in US dollars.")
    paid_share_of_pledged: str | None = Field(
        description='Paid over pledged, in US dollars, with four decimals ("0.5000"); null'
        " when nothing is pledged."
    )


class DonorListOut(Schema):
    donors: list[DonorOut] = Field(description="Every organisation with donor facts, by id.")
