"""The fund's writes: rates, pledges, commitments, contributions, conversions; allocations
and disbursements prepared for the board; expenditure, refunds and reversals.

Each public service runs in one durable transaction: it logs the fact (`ledger.record`),
posts the fact's posting set from `flows` (the same function the audit replays), and saves
the rows, or does none of it. Bad input raises Django's `ValidationError` naming the field;
a user without the role raises `RoleRequired`.

Locks: every service first takes the log's write lock (`ledger.lock_log`), which every
writer of the log takes first, then reads the balances it decides on, then logs and books.
So two requests never spend the same money (the second reads the first's balances), no two
transactions wait on each other in a cycle, and the balance rows, locked again in account
order when booking, stay consistent if some other path ever writes them.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.funds import chart, flows
from amanah.funds.earmarks import Earmark, drawing_order
from amanah.funds.models import (
    AccountBalance,
    Allocation,
    AllocationDraw,
    Commitment,
    Contribution,
    Conversion,
    Disbursement,
    Expenditure,
    FxRate,
    JournalEntry,
    MoveStatus,
    Pledge,
    Posting,
    Refund,
    RefundReturn,
    Reversal,
)
from amanah.funds.money import (
    USD,
    AmountOutOfRange,
    AmountPrecisionError,
    CurrencyMismatch,
    Money,
    MoneyError,
    UnknownCurrency,
    UnsuitableCurrency,
    to_usd,
)
from amanah.funds.money import FxRate as Rate
from amanah.funds.postings import Posting as BookPosting
from amanah.funds.postings import PostingSet, reversal
from amanah.governance import services as governance
from amanah.governance.models import Motion
from amanah.ledger import services as ledger
from amanah.ledger.services import service
from amanah.orgs.models import Organisation
from amanah.projects.models import Project
from amanah.projects.selectors import risk_level_name, risk_policy_in_force, risk_terms_for
from amanah.reference.geography import UnknownGovernorate, governorates
from amanah.reference.sectors import SECTORS, UnknownSector

__all__ = [
    "DISBURSEMENT_CHECKS",
    "MILESTONE_ACTOR",
    "allocation_prepare",
    "allocation_reserve_for_motion",
    "approve_allocations",
    "check_project_size",
    "commitment_record",
    "contribution_record",
    "conversion_record",
    "disbursement_prepare",
    "disbursement_prepare_for_milestone",
    "earmarking_states",
    "expenditure_report",
    "fx_rate_record",
    "plan_draws",
    "pledge_record",
    "refund_record",
    "register_motion_kinds",
    "release_allocations",
    "reversal_record",
]

ALLOCATE, DISBURSE = "fund.allocate", "fund.disburse"
# Who logs the money a withdrawn motion set aside coming back (the withdrawal itself is
# logged under the secretariat member who withdrew it, just before).
RELEASE_ACTOR = "amanah:withdrawal"


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _actor(user: User) -> str:
    return f"user:{user.pk}"


# --- input -------------------------------------------------------------------------------


def money_problem(error: Exception) -> tuple[str, str]:
    """The field at fault and a translated message for an error of `amanah.funds.money`
    (whose own messages are English: it has no translation catalogue)."""
    if isinstance(error, UnknownCurrency):
        return "currency", _("{code} is not an ISO 4217 currency code, like USD or PKR.").format(
            code=error.code
        )
    if isinstance(error, UnsuitableCurrency):
        return "currency", _("The fund does not hold {code}.").format(code=error.code)
    if isinstance(error, AmountPrecisionError):
        return "amount", _("{currency} amounts have at most {places} decimal places.").format(
            currency=error.currency, places=error.minor_units
        )
    if isinstance(error, AmountOutOfRange):
        return "amount", _("This amount is too large.")
    if isinstance(error, CurrencyMismatch):
        return "currency", _("Give the amount in {currency}.").format(currency=error.expected)
    return "amount", _("Write the amount with digits and a point for decimals, like 1250.50.")


def _money(amount: object, currency: object, field: str = "amount") -> Money:
    """User input as Money: a decimal string or Decimal, never a float."""
    if isinstance(amount, float | bool) or not isinstance(amount, str | Decimal | int):
        raise _invalid(field, _("Give the amount as a decimal number, like 1250.50."))
    try:
        if isinstance(amount, str):
            money = Money.parse(amount, str(currency))
        else:
            money = Money(Decimal(amount), str(currency))
    except (MoneyError, InvalidOperation) as error:
        which, message = money_problem(error)
        raise _invalid(
            field if which == "amount" else field.replace("amount", "currency"), message
        ) from None
    if money.is_zero() or money.is_negative():
        raise _invalid(field, _("The amount must be more than zero."))
    return money


def _date(value: object, field: str = "on") -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise _invalid(field, _("Give the date as YYYY-MM-DD.")) from None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise _invalid(field, _("Give the date as YYYY-MM-DD."))
    if value > timezone.now().date():
        raise _invalid(field, _("The date cannot be in the future."))
    return value


def _earmark(sector: str | None, governorate: str | None) -> Earmark:
    try:
        return Earmark(sector or None, governorate or None)
    except UnknownSector:
        raise _invalid(
            "sector",
            _("Choose a sector: {codes}.").format(codes=", ".join(s.code for s in SECTORS)),
        ) from None
    except UnknownGovernorate:
        raise _invalid(
            "governorate",
            _("Choose a governorate by its P-code: {codes}.").format(
                codes=", ".join(g.pcode for g in governorates())
            ),
        ) from None


def _uuid(value: object, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise _invalid(
            field,
            _("Give the identifier shown on its page, like {example}.").format(
                example="3f2a9c4e-1b7d-4e8a-9c1f-5d6e7f8a9b0c"
            ),
        ) from None


def _organisation(iati_identifier: str, field: str) -> Organisation:
    organisation = Organisation.objects.filter(iati_identifier=iati_identifier).first()
    if organisation is None:
        raise _invalid(field, _("Name the organisation by a registered IATI identifier."))
    return organisation


# --- USD equivalents ---------------------------------------------------------------------


def _rate_for(currency: str, on: datetime.date, field: str = "on") -> FxRate | None:
    """The latest rate of `currency` on or before `on` (None for USD itself)."""
    if currency == USD:
        return None
    row = FxRate.objects.filter(currency=currency, on__lte=on).order_by("-on").first()
    if row is None:
        raise _invalid(
            field,
            _(
                "No {currency} exchange rate is recorded on or before {date}; record one first."
            ).format(currency=currency, date=on.isoformat()),
            "no_rate",
        )
    return row


def _usd(money: Money, on: datetime.date) -> tuple[Money, FxRate | None, dict[str, Any]]:
    """The USD equivalent, the rate row it used, and how the log states both."""
    row = _rate_for(money.currency, on)
    if row is None:
        return money, None, {"amount": money.to_json(), "rate": None}
    rate = Rate(row.currency, row.on, Decimal(row.units_per_usd), row.source)
    usd = to_usd(money, rate)
    stated = {
        "amount": usd.to_json(),
        "rate": {
            "currency": row.currency,
            "on": row.on.isoformat(),
            "units_per_usd": row.units_per_usd,
        },
    }
    return usd, row, stated


# --- the books ---------------------------------------------------------------------------


def _overdrawn_message(account: str, balance: Money) -> str:
    """Why a posting set was refused, in the words of the account that would go wrong."""
    left = abs(balance)
    if account.startswith("fund:available:"):
        earmark = Earmark.from_key(account.rsplit(":", 1)[1])
        return _("Not enough money is available for this earmark ({earmark}): {left}.").format(
            earmark=earmark.key, left=left
        )
    if account.endswith(":undisbursed"):
        return _("The allocation has only {left} left to disburse.").format(left=left)
    if account.endswith(":advance"):
        return _("The partner holds only {left} not yet reported as spent.").format(left=left)
    if account.endswith(":disbursed"):
        return _("More would be returned than was disbursed ({left}).").format(left=left)
    if account.startswith("donor:"):
        return _("This would settle more than the donor still owes.")
    if account == chart.CASH:
        return _("The fund holds only {left} in cash.").format(left=left)
    return _("The books would go wrong on {account}.").format(account=account)


def _book(kind: str, postings: PostingSet, log_index: int, *, field: str = "amount") -> None:
    """Post `postings` for the log entry at `log_index`, refusing the whole set if any
    account would end on the wrong side of zero. Runs after `ledger.record`."""
    keys = sorted({(p.account, p.amount.currency) for p in postings.postings})
    AccountBalance.objects.bulk_create(
        [AccountBalance(account=a, currency=c) for a, c in keys], ignore_conflicts=True
    )
    rows = {
        (row.account, row.currency): row
        for row in AccountBalance.objects.select_for_update()
        .filter(
            Q(*[Q(account=a, currency=c) for a, c in keys], _connector=Q.OR),
        )
        .order_by("account", "currency")
    }
    for posting in postings.postings:
        row = rows[(posting.account, posting.amount.currency)]
        row.balance_minor += posting.amount.minor
        if not chart.on_normal_side(posting.account, row.balance.amount):
            before = Money.from_minor(row.balance_minor - posting.amount.minor, row.currency)
            raise _invalid(field, _overdrawn_message(posting.account, before), "insufficient")
    AccountBalance.objects.bulk_update(rows.values(), ["balance_minor"])
    journal = JournalEntry.objects.create(log_index=log_index, kind=kind)
    Posting.objects.bulk_create(
        Posting(
            journal=journal,
            account=p.account,
            currency=p.amount.currency,
            amount_minor=p.amount.minor,
        )
        for p in postings.postings
    )


def balance_of(account: str, currency: str) -> Money:
    row = AccountBalance.objects.filter(account=account, currency=currency).first()
    return Money.from_minor(row.balance_minor if row else 0, currency)


# --- rates and donors' money -------------------------------------------------------------


@service
def fx_rate_record(
    *, currency: str, on: object, units_per_usd: object, source: str, actor: User
) -> FxRate:
    """Record how many units of `currency` one US dollar bought on a date."""
    require_role(actor, Role.SECRETARIAT)
    day = _date(on)
    if currency == USD:
        raise _invalid("currency", _("The US dollar needs no rate: it is the unit of the rates."))
    if not str(source).strip():
        raise _invalid("source", _("Say where the rate comes from, like UN operational rates."))
    try:
        Money.zero(str(currency))
    except MoneyError as error:
        raise _invalid("currency", money_problem(error)[1]) from None
    try:
        if isinstance(units_per_usd, float | bool):
            raise InvalidOperation
        units = Decimal(str(units_per_usd).strip())
        rate = Rate(str(currency), day, units, str(source).strip())
    except (InvalidOperation, MoneyError):
        raise _invalid(
            "units_per_usd",
            _("Give how many units one US dollar buys, as a positive decimal, like 278.50."),
        ) from None
    if FxRate.objects.filter(currency=rate.currency, on=day).exists():
        raise _invalid(
            "on", _("A rate for this currency and date is already recorded."), "duplicate"
        )
    text = format(rate.units_per_usd, "f")
    data = {
        "currency": rate.currency,
        "on": day.isoformat(),
        "units_per_usd": text,
        "source": rate.source,
    }
    index = ledger.record("fund.fx_rate_recorded", data, actor=_actor(actor)).index
    return FxRate.objects.create(
        currency=rate.currency, on=day, units_per_usd=text, source=rate.source, log_index=index
    )


def _donor_data(
    key: str,
    fact_id: uuid.UUID,
    donor: Organisation,
    money: Money,
    on: datetime.date,
    earmark: Earmark,
    usd_stated: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        key: str(fact_id),
        "donor": donor.iati_identifier,
        "amount": money.to_json(),
        "on": on.isoformat(),
        "earmark": earmark.to_json(),
        "usd": dict(usd_stated),
    }


@service
def pledge_record(
    *,
    donor: str,
    amount: object,
    currency: str,
    on: object,
    sector: str | None = None,
    governorate: str | None = None,
    description: str = "",
    actor: User,
) -> Pledge:
    """A donor's announced pledge: public, not binding, so it posts nothing."""
    require_role(actor, Role.SECRETARIAT)
    organisation = _organisation(donor, "donor")
    money, day, earmark = _money(amount, currency), _date(on), _earmark(sector, governorate)
    usd, rate, stated = _usd(money, day)
    pledge = Pledge(
        id=uuid.uuid4(),
        donor=organisation,
        amount_minor=money.minor,
        currency=money.currency,
        on=day,
        usd_minor=usd.minor,
        rate=rate,
        earmark_sector=earmark.sector or "",
        earmark_governorate=earmark.governorate or "",
        description=description.strip(),
        log_index=0,
    )
    data = _donor_data("pledge", pledge.id, organisation, money, day, earmark, stated)
    data["description"] = pledge.description
    pledge.log_index = ledger.record("fund.pledge_recorded", data, actor=_actor(actor)).index
    pledge.save()
    return pledge


@service
def commitment_record(
    *,
    donor: str,
    amount: object,
    currency: str,
    on: object,
    sector: str | None = None,
    governorate: str | None = None,
    pledge: uuid.UUID | str | None = None,
    agreement_reference: str = "",
    actor: User,
) -> Commitment:
    """A signed agreement: the donor owes the fund `amount`, for the earmark."""
    require_role(actor, Role.SECRETARIAT)
    organisation = _organisation(donor, "donor")
    money, day, earmark = _money(amount, currency), _date(on), _earmark(sector, governorate)
    pledged = None
    if pledge:
        pledged = Pledge.objects.filter(
            pk=_uuid(pledge, "pledge"), donor=organisation, reversed_index__isnull=True
        ).first()
        if pledged is None:
            raise _invalid("pledge", _("Name a pledge of this donor that is in force."))
    usd, rate, stated = _usd(money, day)
    commitment = Commitment(
        id=uuid.uuid4(),
        donor=organisation,
        pledge=pledged,
        amount_minor=money.minor,
        currency=money.currency,
        on=day,
        usd_minor=usd.minor,
        rate=rate,
        earmark_sector=earmark.sector or "",
        earmark_governorate=earmark.governorate or "",
        agreement_reference=agreement_reference.strip(),
        log_index=0,
    )
    data = _donor_data("commitment", commitment.id, organisation, money, day, earmark, stated)
    data["pledge"] = None if pledged is None else str(pledged.id)
    data["agreement_reference"] = commitment.agreement_reference
    index = ledger.record("fund.commitment_recorded", data, actor=_actor(actor)).index
    _book(
        "fund.commitment_recorded",
        flows.commitment(organisation.iati_identifier, money, earmark),
        index,
    )
    commitment.log_index = index
    commitment.save()
    return commitment


@service
def contribution_record(
    *,
    donor: str,
    amount: object,
    currency: str,
    on: object,
    sector: str | None = None,
    governorate: str | None = None,
    commitment: uuid.UUID | str | None = None,
    bank_reference: str = "",
    actor: User,
) -> Contribution:
    """Money received. Against a commitment it takes the commitment's earmark (and must
    not pay more than the commitment has left); the bank reference stays private."""
    require_role(actor, Role.SECRETARIAT)
    organisation = _organisation(donor, "donor")
    money, day = _money(amount, currency), _date(on)
    committed = None
    if commitment:
        committed = Commitment.objects.filter(
            pk=_uuid(commitment, "commitment"), donor=organisation, reversed_index__isnull=True
        ).first()
        if committed is None:
            raise _invalid("commitment", _("Name a commitment of this donor that is in force."))
        if committed.currency != money.currency:
            raise _invalid(
                "currency",
                _("Pay a commitment in its own currency, {currency}.").format(
                    currency=committed.currency
                ),
            )
        paid = committed.contributions.filter(reversed_index__isnull=True).aggregate(
            total=Sum("amount_minor")
        )["total"]
        left = committed.amount - Money.from_minor(paid or 0, committed.currency)
        if money > left:
            raise _invalid(
                "amount",
                _("The commitment has only {left} left to be paid.").format(left=left),
                "insufficient",
            )
        earmark = committed.earmark
    else:
        earmark = _earmark(sector, governorate)
    usd, rate, stated = _usd(money, day)
    contribution = Contribution(
        id=uuid.uuid4(),
        donor=organisation,
        commitment=committed,
        amount_minor=money.minor,
        currency=money.currency,
        on=day,
        usd_minor=usd.minor,
        rate=rate,
        earmark_sector=earmark.sector or "",
        earmark_governorate=earmark.governorate or "",
        bank_reference=bank_reference.strip(),
        log_index=0,
    )
    data = _donor_data("contribution", contribution.id, organisation, money, day, earmark, stated)
    data["commitment"] = None if committed is None else str(committed.id)
    private = (
        {"bank_reference": contribution.bank_reference} if contribution.bank_reference else None
    )
    index = ledger.record(
        "fund.contribution_recorded", data, actor=_actor(actor), private=private
    ).index
    _book(
        "fund.contribution_recorded",
        flows.contribution(
            organisation.iati_identifier, money, earmark, committed=committed is not None
        ),
        index,
    )
    contribution.log_index = index
    contribution.save()
    return contribution


@service
def conversion_record(
    *,
    sold_amount: object,
    sold_currency: str,
    bought_amount: object,
    bought_currency: str,
    on: object,
    sector: str | None = None,
    governorate: str | None = None,
    actor: User,
) -> Conversion:
    """The fund's bank sold available money of one earmark for another currency."""
    require_role(actor, Role.SECRETARIAT)
    sold = _money(sold_amount, sold_currency, "sold_amount")
    bought = _money(bought_amount, bought_currency, "bought_amount")
    if sold.currency == bought.currency:
        raise _invalid("bought_currency", _("A conversion buys another currency than it sells."))
    day, earmark = _date(on), _earmark(sector, governorate)
    conversion = Conversion(
        id=uuid.uuid4(),
        sold_minor=sold.minor,
        sold_currency=sold.currency,
        bought_minor=bought.minor,
        bought_currency=bought.currency,
        on=day,
        earmark_sector=earmark.sector or "",
        earmark_governorate=earmark.governorate or "",
        log_index=0,
    )
    data = {
        "conversion": str(conversion.id),
        "sold": sold.to_json(),
        "bought": bought.to_json(),
        "on": day.isoformat(),
        "earmark": earmark.to_json(),
    }
    index = ledger.record("fund.conversion_recorded", data, actor=_actor(actor)).index
    _book(
        "fund.conversion_recorded",
        flows.conversion(sold, bought, earmark),
        index,
        field="sold_amount",
    )
    conversion.log_index = index
    conversion.save()
    return conversion


# --- allocations and disbursements: prepared here, decided by the board -------------------


def _available(earmark: Earmark, currency: str) -> Money:
    return -balance_of(chart.fund_account("available", earmark), currency)


def _draws_for(
    project: Project, money: Money, taken: Mapping[str, Money] | None = None
) -> list[flows.Draw]:
    """Draw `money` from the pools that allow the project, most specific first, leaving
    alone what `taken` (earmark key -> money) already promised to others of the same
    motion."""
    draws: list[flows.Draw] = []
    wanted = money
    for earmark in drawing_order(project.sector, project.governorate):
        available = _available(earmark, money.currency)
        if taken and earmark.key in taken:
            available -= taken[earmark.key]
        if available.is_zero() or available.is_negative():
            continue
        take = min(available, wanted)
        draws.append((earmark, take))
        wanted -= take
        if wanted.is_zero():
            return draws
    have = money - wanted
    raise _invalid(
        "amount",
        _("Only {have} is available for a {sector} project in this governorate.").format(
            have=have, sector=project.sector
        ),
        "insufficient",
    )


def plan_draws(
    items: Sequence[tuple[Project, Money, Sequence[flows.Draw] | None]], field: str = "amount"
) -> list[list[flows.Draw]]:
    """The draws of several allocations decided together (a round's portfolio): each item
    keeps the draws it names, or draws most specific first from what the items before it
    left; refused, naming `field`, if the pools cannot pay them all."""
    taken: dict[str, Money] = {}
    planned: list[list[flows.Draw]] = []
    for project, money, named in items:
        if named is None:
            draws = _draws_for(project, money, taken)
        else:
            draws = list(named)
            for earmark, amount in draws:
                if not earmark.allows(project.sector, project.governorate):
                    raise _invalid(
                        field,
                        _("Money earmarked {earmark} cannot fund project {code}.").format(
                            earmark=earmark.key, code=project.code
                        ),
                        "earmark_not_allowed",
                    )
                have = _available(earmark, amount.currency) - taken.get(
                    earmark.key, Money.zero(amount.currency)
                )
                if amount > have:
                    raise _invalid(
                        field,
                        _("The pool {earmark} has only {have} left to allocate.").format(
                            earmark=earmark.key, have=have
                        ),
                        "insufficient",
                    )
        for earmark, amount in draws:
            taken[earmark.key] = taken.get(earmark.key, Money.zero(amount.currency)) + amount
        planned.append(draws)
    return planned


def earmarking_states(draws: Iterable[flows.Draw]) -> list[str]:
    """The states whose earmarked money is in the pools drawn from: they are recused.

    Pools mix donors, so every state that paid money earmarked exactly so is named, and
    flexible money names no one. In any currency: a conversion moves a pool's money from
    one currency to another, so riyals earmarked for housing may be the dollars drawn."""
    states: set[str] = set()
    for earmark, _money_drawn in draws:
        if earmark.is_flexible:
            continue
        states |= set(
            Contribution.objects.filter(
                earmark_sector=earmark.sector or "",
                earmark_governorate=earmark.governorate or "",
                reversed_index__isnull=True,
            ).values_list("donor__country", flat=True)
        )
    return sorted(states)


def draws_json(draws: Sequence[flows.Draw]) -> list[dict[str, Any]]:
    return [{"earmark": e.to_json(), "amount": m.to_json()} for e, m in draws]


def check_project_size(project: Project, usd: Money, field: str = "amount") -> None:
    """The risk policy in force caps a project by its lead's risk level; once a policy is
    in force, a lead nobody has assessed gets no money."""
    if risk_policy_in_force() is None:
        return
    terms = risk_terms_for(project.lead.iati_identifier)
    if terms is None:
        raise _invalid(
            field,
            _("{lead} has no capacity assessment yet, and the risk policy requires one.").format(
                lead=project.lead.iati_identifier
            ),
            "not_assessed",
        )
    cap = Money.from_minor(terms.max_project_cents, USD)
    if usd > cap:
        raise _invalid(
            field,
            _(
                "The risk policy caps a project of a {level}-risk partner at {cap}; this is {usd}."
            ).format(level=risk_level_name(terms), cap=cap, usd=usd),
            "over_risk_cap",
        )


@service
def allocation_prepare(*, project: str, amount: object, currency: str, actor: User) -> Allocation:
    """Set money aside for a project and put the allocation to the board as a motion.

    The money is drawn from the pools whose earmarks allow the project (most specific
    first), reserved at once, and allocated when the motion executes; withdrawing the
    motion makes it available again. States that earmarked the drawn money, and the
    project's lead, are recused from the decision."""
    require_role(actor, Role.SECRETARIAT)
    target = Project.objects.select_related("lead").filter(code=project).first()
    if target is None:
        raise _invalid("project", _("Name a registered project by its code."))
    money = _money(amount, currency)
    _rate_for(money.currency, timezone.now().date(), "currency")  # approval will need it
    usd, _rate, _stated = _usd(money, timezone.now().date())
    check_project_size(target, usd)
    draws = _draws_for(target, money)
    allocation_id = uuid.uuid4()
    effect = {
        "allocation": str(allocation_id),
        "project": str(target.id),
        "amount": money.to_json(),
        "draws": draws_json(draws),
    }
    motion = governance.open_prepared_motion(
        kind=ALLOCATE,
        title={
            "en": f"Allocate {money} to project {target.code}",
            "ar": f"تخصيص {money} للمشروع {target.code}",
        },
        body={"en": target.title_en, "ar": target.title_ar},
        effect=effect,
        earmarked_by=earmarking_states(draws),
        beneficiaries=[target.lead.iati_identifier],
        actor=actor,
    )
    return allocation_reserve_for_motion(
        allocation_id=allocation_id,
        project=target,
        money=money,
        draws=draws,
        motion=motion,
        actor=_actor(actor),
    )


def allocation_reserve_for_motion(
    *,
    allocation_id: uuid.UUID,
    project: Project,
    money: Money,
    draws: Sequence[flows.Draw],
    motion: Motion,
    actor: str,
) -> Allocation:
    """Reserve an allocation that `motion` (open, its effect naming exactly this
    allocation, project and draws) puts to the board: log `fund.allocation_reserved`, book
    it, save the rows. In the caller's transaction, under the log's write lock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocation_reserve_for_motion must run in a transaction")
    ledger.lock_log()
    data = {
        "motion": str(motion.id),
        "allocation": str(allocation_id),
        "project": str(project.id),
        "draws": draws_json(draws),
    }
    index = ledger.record("fund.allocation_reserved", data, actor=actor).index
    _book("fund.allocation_reserved", flows.allocation_reserve(draws), index)
    allocation = Allocation.objects.create(
        id=allocation_id,
        project=project,
        motion=motion,
        amount_minor=money.minor,
        currency=money.currency,
        earmarked_by=earmarking_states(draws),
        reserved_index=index,
    )
    AllocationDraw.objects.bulk_create(
        AllocationDraw(
            allocation=allocation,
            amount_minor=m.minor,
            earmark_sector=e.sector or "",
            earmark_governorate=e.governorate or "",
        )
        for e, m in draws
    )
    return allocation


def _allocation_draws(allocation: Allocation) -> list[flows.Draw]:
    return [
        (row.earmark, Money.from_minor(row.amount_minor, allocation.currency))
        for row in allocation.draws.order_by("id")
    ]


def approve_allocations(motion: Motion, decided_index: int) -> None:
    """Execute every allocation `motion` reserved (one, or a round's portfolio)."""
    on = timezone.now().date()
    for allocation in (
        Allocation.objects.select_for_update().filter(motion=motion).order_by("reserved_index")
    ):
        usd, rate, stated = _usd(allocation.amount, on)
        data = {
            "allocation": str(allocation.id),
            "motion": str(motion.id),
            "on": on.isoformat(),
            "usd": stated,
        }
        index = ledger.record("fund.allocation_approved", data, actor=governance.QUORUM_ACTOR).index
        _book(
            "fund.allocation_approved",
            flows.allocation_approve(str(allocation.id), _allocation_draws(allocation)),
            index,
        )
        allocation.status, allocation.approved_index = MoveStatus.APPROVED, index
        allocation.on, allocation.usd_minor, allocation.rate = on, usd.minor, rate
        allocation.save()


def release_allocations(motion: Motion, withdrawn_index: int) -> None:
    """Make the money of every allocation of a withdrawn `motion` available again."""
    for allocation in (
        Allocation.objects.select_for_update().filter(motion=motion).order_by("reserved_index")
    ):
        data = {"allocation": str(allocation.id), "motion": str(motion.id)}
        index = ledger.record("fund.allocation_released", data, actor=RELEASE_ACTOR).index
        _book(
            "fund.allocation_released",
            flows.allocation_release(_allocation_draws(allocation)),
            index,
        )
        allocation.status, allocation.released_index = MoveStatus.RELEASED, index
        allocation.save(update_fields=["status", "released_index"])


# Checks every new disbursement must pass, besides the money left: each is given the
# allocation and the tranche's amount, and raises a ValidationError naming the field.
# Apps above the fund that can hold an allocation's money back register theirs at
# start-up (the monitoring app: a failed milestone blocks its allocation until a monitor
# passes it, and a last tranche waits for the visits the risk policy asks).
DISBURSEMENT_CHECKS: list[Callable[[Allocation, Money], None]] = []
# Who logs a tranche that a monitor's passing verification prepared.
MILESTONE_ACTOR = "amanah:monitoring"


@service
def disbursement_prepare(
    *, allocation: uuid.UUID | str, amount: object, bank_account: str = "", actor: User
) -> Disbursement:
    """Set a tranche aside from what an approved allocation has left, and put its payment
    to the board. The partner's bank account stays private."""
    require_role(actor, Role.SECRETARIAT)
    target = (
        Allocation.objects.select_related("project__lead", "motion")
        .filter(pk=_uuid(allocation, "allocation"), status=MoveStatus.APPROVED)
        .first()
    )
    if target is None:
        raise _invalid("allocation", _("Name an allocation the board has approved."))
    money = _money(amount, target.currency)
    body = {"en": target.project.title_en, "ar": target.project.title_ar}
    return _disburse(target, money, body=body, bank_account=bank_account, actor=_actor(actor))


def disbursement_prepare_for_milestone(
    *, allocation: Allocation, amount: Money, reason: Mapping[str, str]
) -> Disbursement:
    """`disbursement_prepare` for a trusted caller, in its open transaction: the monitoring
    app, when a monitor's verification passes a milestone. No user's role is checked (the
    monitor's was); the motion and the reservation are logged under `MILESTONE_ACTOR`,
    `reason` ({"en", "ar"}) is the motion's text, and the same checks of the money left
    and of `DISBURSEMENT_CHECKS` apply."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("disbursement_prepare_for_milestone must run in a transaction")
    ledger.lock_log()
    target = (
        Allocation.objects.select_related("project__lead", "motion")
        .filter(pk=allocation.pk, status=MoveStatus.APPROVED)
        .first()
    )
    if target is None:
        raise _invalid("allocation", _("Name an allocation the board has approved."))
    if amount.currency != target.currency or amount.is_zero() or amount.is_negative():
        raise _invalid(
            "amount", _("Give a positive amount in {currency}.").format(currency=target.currency)
        )
    return _disburse(target, amount, body=reason, bank_account="", actor=MILESTONE_ACTOR)


def _disburse(
    target: Allocation, money: Money, *, body: Mapping[str, str], bank_account: str, actor: str
) -> Disbursement:
    """What both ways of preparing a tranche share: check, reserve, open the motion, log."""
    for check in DISBURSEMENT_CHECKS:
        check(target, money)
    _rate_for(money.currency, timezone.now().date(), "currency")
    left = -balance_of(chart.allocation_account(str(target.id), "undisbursed"), money.currency)
    if money > left:
        raise _invalid(
            "amount",
            _("The allocation has only {left} left to disburse.").format(left=left),
            "insufficient",
        )
    tranche = target.disbursements.count() + 1
    # A withdrawn tranche's number is not reused, but it does not count against the policy.
    _check_tranche_terms(
        target, money, target.disbursements.exclude(status=MoveStatus.RELEASED).count() + 1
    )
    disbursement_id = uuid.uuid4()
    effect = {
        "disbursement": str(disbursement_id),
        "allocation": str(target.id),
        "amount": money.to_json(),
        "tranche": tranche,
    }
    project = target.project
    if DISBURSE not in governance.PREPARED_KINDS:
        raise RuntimeError(f"{DISBURSE} motions are not registered")
    # _motion_open, not open_prepared_motion: the actor may be the system (a milestone's
    # passing verification), which is no user; for a user it logs the same "user:<id>".
    motion = governance._motion_open(
        kind=DISBURSE,
        title={
            "en": f"Disburse tranche {tranche}, {money}, to project {project.code}",
            "ar": f"صرف الدفعة {tranche} بمبلغ {money} للمشروع {project.code}",
        },
        body=body,
        effect=effect,
        earmarked_by=target.earmarked_by,
        beneficiaries=[project.lead.iati_identifier],
        actor=actor,
    )
    data = {
        "motion": str(motion.id),
        **{k: effect[k] for k in ("disbursement", "allocation", "amount")},
    }
    bank_account = bank_account.strip()
    private = {"bank_account": bank_account} if bank_account else None
    index = ledger.record("fund.disbursement_reserved", data, actor=actor, private=private).index
    _book("fund.disbursement_reserved", flows.disbursement_reserve(str(target.id), money), index)
    return Disbursement.objects.create(
        id=disbursement_id,
        allocation=target,
        motion=motion,
        tranche=tranche,
        amount_minor=money.minor,
        currency=money.currency,
        reserved_index=index,
        bank_account=bank_account,
    )


def _check_tranche_terms(target: Allocation, money: Money, ordinal: int) -> None:
    """The risk policy in force sets, by the lead's risk level, how many tranches an
    allocation is paid in and how large the first may be."""
    if risk_policy_in_force() is None:
        return
    terms = risk_terms_for(target.project.lead.iati_identifier)
    if terms is None:
        return  # allocated before the policy: check_project_size refuses new ones
    if ordinal > terms.tranches:
        raise _invalid(
            "amount",
            _(
                "The risk policy pays a {level}-risk partner in at most {count} tranches;"
                " this would be tranche {tranche}."
            ).format(level=risk_level_name(terms), count=terms.tranches, tranche=ordinal),
            "too_many_tranches",
        )
    if ordinal == 1:
        cap = Money.from_minor(
            target.amount.minor * terms.max_first_tranche_percent // 100, target.currency
        )
        if money > cap:
            raise _invalid(
                "amount",
                _(
                    "The risk policy caps the first tranche of a {level}-risk partner at"
                    " {percent} of the allocation, {cap}."
                ).format(
                    level=risk_level_name(terms),
                    percent=f"{terms.max_first_tranche_percent}%",
                    cap=cap,
                ),
                "first_tranche_too_large",
            )


def _approve_disbursement(motion: Motion, decided_index: int) -> None:
    disbursement = Disbursement.objects.select_for_update().get(motion=motion)
    on = timezone.now().date()
    usd, rate, stated = _usd(disbursement.amount, on)
    data = {
        "disbursement": str(disbursement.id),
        "motion": str(motion.id),
        "on": on.isoformat(),
        "usd": stated,
    }
    index = ledger.record("fund.disbursement_approved", data, actor=governance.QUORUM_ACTOR).index
    _book(
        "fund.disbursement_approved",
        flows.disbursement_approve(str(disbursement.allocation_id), disbursement.amount),
        index,
    )
    disbursement.status, disbursement.approved_index = MoveStatus.APPROVED, index
    disbursement.on, disbursement.usd_minor, disbursement.rate = on, usd.minor, rate
    disbursement.save()


def _release_disbursement(motion: Motion, withdrawn_index: int) -> None:
    disbursement = Disbursement.objects.select_for_update().get(motion=motion)
    data = {"disbursement": str(disbursement.id), "motion": str(motion.id)}
    index = ledger.record("fund.disbursement_released", data, actor=RELEASE_ACTOR).index
    _book(
        "fund.disbursement_released",
        flows.disbursement_release(str(disbursement.allocation_id), disbursement.amount),
        index,
    )
    disbursement.status, disbursement.released_index = MoveStatus.RELEASED, index
    disbursement.save(update_fields=["status", "released_index"])


def register_motion_kinds() -> None:
    """Tell the board's services what the fund's motions do (called by FundsConfig.ready)."""
    governance.PREPARED_KINDS.update({ALLOCATE, DISBURSE})
    governance.EXECUTION_HANDLERS[ALLOCATE] = approve_allocations
    governance.EXECUTION_HANDLERS[DISBURSE] = _approve_disbursement
    governance.WITHDRAWAL_HANDLERS[ALLOCATE] = release_allocations
    governance.WITHDRAWAL_HANDLERS[DISBURSE] = _release_disbursement


# --- what partners report, and corrections ------------------------------------------------


def _approved_allocation(allocation: uuid.UUID | str) -> Allocation:
    target = Allocation.objects.filter(
        pk=_uuid(allocation, "allocation"), status=MoveStatus.APPROVED
    ).first()
    if target is None:
        raise _invalid("allocation", _("Name an allocation the board has approved."))
    return target


@service
def expenditure_report(
    *,
    allocation: uuid.UUID | str,
    amount: object,
    on: object,
    description: str = "",
    reported_by: str = "",
    actor: User,
) -> Expenditure:
    """The partner reports spending part of what it was advanced. Partner staff of the
    project's lead, or the secretariat on their behalf; the reporter's name stays private."""
    require_role(actor, Role.SECRETARIAT, Role.PARTNER_STAFF)
    target = _approved_allocation(allocation)
    if (
        actor.role == Role.PARTNER_STAFF
        and actor.organisation_iati_id != target.project.lead.iati_identifier
    ):
        raise _invalid("allocation", _("Report only on your own organisation's projects."))
    money, day = _money(amount, target.currency), _date(on)
    usd, rate, stated = _usd(money, day)
    expenditure = Expenditure(
        id=uuid.uuid4(),
        allocation=target,
        amount_minor=money.minor,
        currency=money.currency,
        on=day,
        usd_minor=usd.minor,
        rate=rate,
        description=description.strip(),
        reported_by=reported_by.strip(),
        log_index=0,
    )
    data = {
        "expenditure": str(expenditure.id),
        "allocation": str(target.id),
        "amount": money.to_json(),
        "on": day.isoformat(),
        "description": expenditure.description,
        "usd": stated,
    }
    private = {"reported_by": expenditure.reported_by} if expenditure.reported_by else None
    index = ledger.record(
        "fund.expenditure_reported", data, actor=_actor(actor), private=private
    ).index
    _book("fund.expenditure_reported", flows.expenditure(str(target.id), money), index)
    expenditure.log_index = index
    expenditure.save()
    return expenditure


def _returns_for(allocation: Allocation, money: Money) -> list[flows.Draw]:
    """A refund goes back to the pools the allocation drew from, the last drawn first,
    never more to a pool than was drawn from it."""
    returned: dict[Earmark, int] = {}
    for row in RefundReturn.objects.filter(
        refund__allocation=allocation, refund__reversed_index__isnull=True
    ):
        returned[row.earmark] = returned.get(row.earmark, 0) + row.amount_minor
    returns: list[flows.Draw] = []
    wanted = money
    for earmark, drawn in reversed(_allocation_draws(allocation)):
        room = drawn - Money.from_minor(returned.get(earmark, 0), money.currency)
        if room.is_zero():
            continue
        take = min(room, wanted)
        returns.append((earmark, take))
        wanted -= take
        if wanted.is_zero():
            break
    return returns


@service
def refund_record(
    *, allocation: uuid.UUID | str, amount: object, on: object, actor: User
) -> Refund:
    """Money the partner returned to the fund; it is available again under its earmarks."""
    require_role(actor, Role.SECRETARIAT)
    target = _approved_allocation(allocation)
    money, day = _money(amount, target.currency), _date(on)
    returns = _returns_for(target, money)
    if sum((m for _e, m in returns), Money.zero(money.currency)) != money:
        raise _invalid(
            "amount", _("A refund cannot exceed what the allocation drew, less earlier refunds.")
        )
    usd, rate, stated = _usd(money, day)
    refund = Refund(
        id=uuid.uuid4(),
        allocation=target,
        amount_minor=money.minor,
        currency=money.currency,
        on=day,
        usd_minor=usd.minor,
        rate=rate,
        log_index=0,
    )
    data = {
        "refund": str(refund.id),
        "allocation": str(target.id),
        "returns": draws_json(returns),
        "on": day.isoformat(),
        "usd": stated,
    }
    index = ledger.record("fund.refund_recorded", data, actor=_actor(actor)).index
    _book("fund.refund_recorded", flows.refund(str(target.id), returns), index)
    refund.log_index = index
    refund.save()
    RefundReturn.objects.bulk_create(
        RefundReturn(
            refund=refund,
            amount_minor=m.minor,
            earmark_sector=e.sector or "",
            earmark_governorate=e.governorate or "",
        )
        for e, m in returns
    )
    return refund


_REVERSIBLE: dict[str, type[Any]] = {
    "pledge": Pledge,
    "commitment": Commitment,
    "contribution": Contribution,
    "conversion": Conversion,
    "expenditure": Expenditure,
    "refund": Refund,
}


@service
def reversal_record(*, kind: str, fact: uuid.UUID | str, reason: str, actor: User) -> Reversal:
    """Take back a recorded fact with its reversing entry; the fact stays, marked."""
    require_role(actor, Role.SECRETARIAT)
    model = _REVERSIBLE.get(kind)
    if model is None:
        raise _invalid(
            "kind", _("Choose what to reverse: {kinds}.").format(kinds=", ".join(_REVERSIBLE))
        )
    target = (
        model.objects.select_for_update()
        .filter(pk=_uuid(fact, "fact"), reversed_index__isnull=True)
        .first()
    )
    if target is None:
        raise _invalid("fact", _("Name a recorded fact of this kind that is not yet reversed."))
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise _invalid("reason", _("Say why the fact is reversed."))
    if kind == "commitment" and target.contributions.filter(reversed_index__isnull=True).exists():
        raise _invalid("fact", _("Reverse the contributions paid against this commitment first."))
    reversal_id = uuid.uuid4()
    data = {
        "reversal": str(reversal_id),
        "reverses_kind": kind,
        "reverses": str(target.pk),
        "reason": reason,
    }
    index = ledger.record("fund.reversal_recorded", data, actor=_actor(actor)).index
    original = JournalEntry.objects.filter(log_index=target.log_index).first()
    if original is not None:
        postings = PostingSet(
            tuple(
                BookPosting(p.account, Money.from_minor(p.amount_minor, p.currency))
                for p in original.postings.order_by("id")
            )
        )
        _book("fund.reversal_recorded", reversal(postings), index, field="fact")
    target.reversed_index = index
    target.save(update_fields=["reversed_index"])
    return Reversal.objects.create(
        id=reversal_id, reverses_kind=kind, reverses=target.pk, reason=reason, log_index=index
    )
