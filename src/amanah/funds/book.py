"""The fund's books rebuilt from the log alone, and the public figures they give.

`FundBook` replays the log's entries in order: FX rates, projects, pledges, commitments,
contributions, conversions, the board's allocation and disbursement motions, expenditure,
refunds and reversals. It posts each movement with the very functions the services post
with (`flows`), checks what a tampered or buggy log would break, and computes the public
figures (`figures()`) that the API must serve to the cent. Pure Python: `amanah audit`
runs it with no database.

What it checks, naming the entry of each violation:
- every reference resolves (a contribution's commitment, a disbursement's allocation, ...),
  and every state change is allowed (nothing approved twice, released after approval, ...);
- allocations and disbursements move money only for a motion that was opened with exactly
  that effect and then executed (approval) or withdrawn (release);
- every USD equivalent uses the latest rate logged for its currency on or before its date,
  and equals the amount converted at that rate;
- no account ever ends an entry on the wrong side of zero (`chart.on_normal_side`): no
  allocation beyond its earmark's available money, no disbursement beyond what its
  allocation has left, no spending beyond the advance.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from amanah.funds import flows
from amanah.funds.chart import on_normal_side
from amanah.funds.earmarks import Earmark
from amanah.funds.money import USD, FxRate, Money, MoneyError, to_usd
from amanah.funds.postings import PostingError, PostingSet, reversal
from amanah.logreplay import Refused, Violation, apply, get, kind_of, text

__all__ = ["STAGES", "FundBook", "FundViolation", "fund_kinds"]

# The public stages of the money, in the order it flows.
STAGES = ("pledged", "committed", "paid", "allocated", "disbursed", "refunded", "spent")
ANY = "any"
# A round's portfolio: one motion reserving several allocations (`effect.allocations`).
PORTFOLIO_KIND = "round.allocate"


# Its violations are the shared kind, under this book's own name.
FundViolation = Violation


@dataclass
class _Project:
    sector: str
    governorate: str


@dataclass
class _Fact:
    """A recorded movement the figures count, until a reversal takes it back."""

    stage: str
    money: Money
    usd: Money
    on: datetime.date
    donor: str | None
    sector: str | None
    governorate: str | None
    postings: PostingSet | None
    reversed: bool = False
    # What this fact uses up of a limited thing (what a commitment has left to be paid,
    # what a pool may take back from an allocation's refunds); given back on reversal.
    claims: tuple[tuple[tuple[str, ...], Money], ...] = ()


@dataclass
class _Allocation:
    motion: str
    project: str
    draws: list[flows.Draw]
    status: str = "reserved"  # reserved -> approved | released


@dataclass
class _Disbursement:
    motion: str
    allocation: str
    amount: Money
    status: str = "reserved"


@dataclass
class _Motion:
    kind: str
    effect: Mapping[str, Any]
    closed: str | None = None  # "executed" or "withdrawn"


def fund_kinds() -> frozenset[str]:
    """The log kinds the fund's books are made of."""
    return frozenset(_HANDLERS) | {"motion.opened", "motion.executed", "motion.withdrawn"}


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    return text(data, name)


def _money(value: object, name: str) -> Money:
    try:
        return Money.from_json(value)
    except (MoneyError, TypeError) as error:
        raise Refused("malformed_entry", f"data.{name}: {error}") from None


def _date(value: object, name: str) -> datetime.date:
    # One spelling only: Python 3.11 also reads "20250301" and "2025-W09-6" (and str() of
    # an int), which would give one date two spellings in the log.
    try:
        if isinstance(value, str):
            on = datetime.date.fromisoformat(value)
            if on.isoformat() == value:
                return on
    except ValueError:
        pass
    raise Refused("malformed_entry", f"data.{name} must be a date YYYY-MM-DD")


def _rate_text(spelled: str) -> Decimal:
    """A rate in the one spelling the services write: plain decimal, no exponent."""
    try:
        rate = Decimal(spelled)
    except ArithmeticError:
        raise Refused(
            "malformed_entry", f"data.units_per_usd {spelled!r} is not a number"
        ) from None
    if not rate.is_finite() or format(rate, "f") != spelled:
        raise Refused("malformed_entry", f"data.units_per_usd {spelled!r} is not a plain decimal")
    return rate


def _earmark(value: object, name: str) -> Earmark:
    if not isinstance(value, Mapping):
        raise Refused("malformed_entry", f"data.{name} must be an object")
    try:
        return Earmark(value.get("sector"), value.get("governorate"))
    except ValueError as error:
        raise Refused("malformed_entry", f"data.{name}: {error}") from None


def _draws(value: object, name: str) -> list[flows.Draw]:
    if not isinstance(value, list) or not value:
        raise Refused("malformed_entry", f"data.{name} must be a non-empty list")
    draws = []
    for n, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise Refused("malformed_entry", f"data.{name}[{n}] must be an object")
        draws.append(
            (
                _earmark(item.get("earmark"), f"{name}[{n}].earmark"),
                _money(item.get("amount"), name),
            )
        )
    return draws


def draws_json(draws: Iterable[flows.Draw]) -> list[dict[str, Any]]:
    """Draws as the log and a motion's effect write them."""
    return [{"earmark": e.to_json(), "amount": m.to_json()} for e, m in draws]


class FundBook:
    """Replay of the fund's entries; feed `entry()` every log entry in order."""

    def __init__(self) -> None:
        self.violations: list[FundViolation] = []
        self.size = 0
        self.balances: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.rates: dict[str, dict[datetime.date, FxRate]] = defaultdict(dict)
        self.projects: dict[str, _Project] = {}
        self.facts: dict[tuple[str, str], _Fact] = {}  # (kind, id) -> fact
        self.claimed: dict[tuple[str, ...], Money] = {}
        self.allocations: dict[str, _Allocation] = {}
        self.disbursements: dict[str, _Disbursement] = {}
        self.motions: dict[str, _Motion] = {}

    # --- feeding -------------------------------------------------------------------------

    def entry(self, index: int, value: Mapping[str, Any]) -> None:
        """One decoded log entry (its JSON object), at `index`."""
        self.size = max(self.size, index + 1)
        kind = kind_of(value)
        handler = None if kind is None else _HANDLERS.get(kind) or _MOTION_HANDLERS.get(kind)
        if kind is None or handler is None:
            return
        violation = apply(index, kind, value, lambda data: handler(self, data))
        if violation is not None:
            self.violations.append(violation)

    # --- the books -----------------------------------------------------------------------

    def _post(self, postings: PostingSet) -> None:
        """Apply a posting set; refuse it whole if it leaves an account on the wrong side."""
        # .get, not [ ]: reading the defaultdict would add accounts for a refused entry.
        after = {
            (p.account, p.amount.currency): self.balances.get(
                (p.account, p.amount.currency), Decimal(0)
            )
            + p.amount.amount
            for p in postings.postings
        }
        try:
            wrong = sorted(
                f"{account} {currency} {balance}"
                for (account, currency), balance in after.items()
                if not on_normal_side(account, balance)
            )
        except ValueError as error:  # an id with ":" makes an account outside the chart
            raise Refused("malformed_entry", str(error)) from None
        if wrong:
            raise Refused("overdrawn", "would leave " + "; ".join(wrong))
        self.balances.update(after)

    def _flow(self, make: Callable[[], PostingSet]) -> PostingSet:
        try:
            postings = make()
        except (PostingError, MoneyError, ValueError) as error:
            raise Refused("malformed_entry", str(error)) from None
        self._post(postings)
        return postings

    def _usd(self, data: Mapping[str, Any], money: Money, on: datetime.date) -> Money:
        """The entry's USD equivalent, checked against the rates logged before it."""
        usd = get(data, "usd")
        if not isinstance(usd, Mapping):
            raise Refused("malformed_entry", "data.usd must be an object")
        stated = _money(usd.get("amount"), "usd.amount")
        if money.currency == USD:
            if stated != money or usd.get("rate") is not None:
                raise Refused("usd_mismatch", f"a USD amount is its own USD equivalent, {money}")
            return money
        rate = usd.get("rate")
        if not isinstance(rate, Mapping):
            raise Refused("malformed_entry", "data.usd.rate must name the rate used")
        rate_on = _date(rate.get("on"), "usd.rate.on")
        logged = self.rates[money.currency].get(rate_on)
        if logged is None or str(logged.units_per_usd) != str(rate.get("units_per_usd")):
            raise Refused("rate_unknown", f"no {money.currency} rate {rate} was logged before")
        latest = max((d for d in self.rates[money.currency] if d <= on), default=None)
        if latest != rate_on:
            raise Refused(
                "rate_not_latest",
                f"uses the {money.currency} rate of {rate_on}; the latest on or before {on}"
                f" is of {latest}",
            )
        expected = to_usd(money, logged)
        if stated != expected:
            raise Refused(
                "usd_mismatch", f"{money} is {expected} at {rate_on}'s rate, not {stated}"
            )
        return stated

    def _claim(self, key: tuple[str, ...], money: Money, limit: Money, what: str) -> None:
        """Refuse `money` if, with what was claimed before, it would exceed `limit`."""
        before = self.claimed.get(key, Money.zero(money.currency))
        try:
            over = before + money > limit
        except MoneyError as error:
            raise Refused("reference_mismatch", str(error)) from None
        if over:
            raise Refused("overdrawn", f"{money} would exceed {what}: {limit - before} left")

    def _take_claims(self, claims: Iterable[tuple[tuple[str, ...], Money]]) -> None:
        for key, money in claims:
            self.claimed[key] = self.claimed.get(key, Money.zero(money.currency)) + money

    def _new(self, kind: str, key: str) -> None:
        if (kind, key) in self.facts:
            raise Refused("duplicate", f"{kind} {key} was recorded before")

    # --- entry kinds ---------------------------------------------------------------------

    def _fx_rate(self, data: Mapping[str, Any]) -> None:
        try:
            rate = FxRate(
                currency=text(data, "currency"),
                on=_date(get(data, "on"), "on"),
                units_per_usd=_rate_text(text(data, "units_per_usd")),
                source=text(data, "source"),
            )
        except (MoneyError, ArithmeticError, TypeError) as error:
            raise Refused("malformed_entry", str(error)) from None
        if rate.on in self.rates[rate.currency]:
            raise Refused("duplicate", f"the {rate.currency} rate of {rate.on} was logged before")
        self.rates[rate.currency][rate.on] = rate

    def _project(self, data: Mapping[str, Any]) -> None:
        project = text(data, "project")
        if project in self.projects:
            raise Refused("duplicate", f"project {project} was registered before")
        earmark = _earmark(
            {"sector": data.get("sector"), "governorate": data.get("governorate")}, "sector"
        )
        if earmark.sector is None or earmark.governorate is None:
            raise Refused("malformed_entry", "a project has a sector and a governorate")
        self.projects[project] = _Project(earmark.sector, earmark.governorate)

    def _donor_fact(
        self, data: Mapping[str, Any], *, kind: str, key: str
    ) -> tuple[str, Money, Earmark, datetime.date, Money]:
        fact_id = text(data, key)
        self._new(kind, fact_id)
        text(data, "donor")
        money = _money(get(data, "amount"), "amount")
        if money.is_zero() or money.is_negative():
            raise Refused("malformed_entry", "data.amount must be more than zero")
        earmark = _earmark(get(data, "earmark"), "earmark")
        on = _date(get(data, "on"), "on")
        usd = self._usd(data, money, on)
        return fact_id, money, earmark, on, usd

    def _pledge(self, data: Mapping[str, Any]) -> None:
        pledge, money, earmark, on, usd = self._donor_fact(data, kind="pledge", key="pledge")
        self.facts[("pledge", pledge)] = _Fact(
            "pledged", money, usd, on, data["donor"], earmark.sector, earmark.governorate, None
        )

    def _commitment(self, data: Mapping[str, Any]) -> None:
        commitment, money, earmark, on, usd = self._donor_fact(
            data, kind="commitment", key="commitment"
        )
        pledge = _optional_text(data, "pledge")
        pledged = None if pledge is None else self.facts.get(("pledge", pledge))
        if pledge is not None and (pledged is None or pledged.reversed):
            raise Refused("unknown_reference", f"pledge {pledge} is not in force")
        donor = data["donor"]
        if pledged is not None and pledged.donor != donor:
            raise Refused("reference_mismatch", f"pledge {pledge} is another donor's")
        postings = self._flow(lambda: flows.commitment(donor, money, earmark))
        self.facts[("commitment", commitment)] = _Fact(
            "committed", money, usd, on, donor, earmark.sector, earmark.governorate, postings
        )

    def _contribution(self, data: Mapping[str, Any]) -> None:
        contribution, money, earmark, on, usd = self._donor_fact(
            data, kind="contribution", key="contribution"
        )
        donor = data["donor"]
        commitment = _optional_text(data, "commitment")
        if commitment is not None:
            fact = self.facts.get(("commitment", commitment))
            if fact is None or fact.reversed:
                raise Refused("unknown_reference", f"commitment {commitment} is not in force")
            if fact.donor != donor or (fact.sector, fact.governorate) != (
                earmark.sector,
                earmark.governorate,
            ):
                raise Refused(
                    "reference_mismatch",
                    f"commitment {commitment} is another donor's or has another earmark",
                )
        claims: tuple[tuple[tuple[str, ...], Money], ...] = ()
        if commitment is not None:
            key = ("commitment", commitment)
            self._claim(key, money, self.facts[key].money, f"what commitment {commitment} owes")
            claims = ((key, money),)
        postings = self._flow(
            lambda: flows.contribution(donor, money, earmark, committed=commitment is not None)
        )
        self.facts[("contribution", contribution)] = _Fact(
            "paid",
            money,
            usd,
            on,
            donor,
            earmark.sector,
            earmark.governorate,
            postings,
            claims=claims,
        )
        self._take_claims(claims)

    def _conversion(self, data: Mapping[str, Any]) -> None:
        conversion = text(data, "conversion")
        self._new("conversion", conversion)
        sold, bought = _money(get(data, "sold"), "sold"), _money(get(data, "bought"), "bought")
        earmark = _earmark(get(data, "earmark"), "earmark")
        on = _date(get(data, "on"), "on")
        postings = self._flow(lambda: flows.conversion(sold, bought, earmark))
        # Not a stage of the money: the same money, in another currency.
        self.facts[("conversion", conversion)] = _Fact(
            "", sold, Money.zero(USD), on, None, None, None, postings
        )

    def _motion_of(self, data: Mapping[str, Any], *kinds: str) -> tuple[str, _Motion]:
        motion_id = text(data, "motion")
        motion = self.motions.get(motion_id)
        if motion is None or motion.kind not in kinds:
            raise Refused(
                "motion_mismatch", f"motion {motion_id} is not an open {' or '.join(kinds)} motion"
            )
        return motion_id, motion

    @staticmethod
    def _allocation_effect(motion: _Motion, allocation: str) -> Mapping[str, Any]:
        """What the motion says of this allocation: its whole effect, or for a round's
        portfolio the item of `allocations` that names it."""
        if motion.kind != PORTFOLIO_KIND:
            return motion.effect
        items = motion.effect.get("allocations")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("allocation") == allocation:
                return item
        return {}

    def _allocation_reserved(self, data: Mapping[str, Any]) -> None:
        allocation = text(data, "allocation")
        if allocation in self.allocations:
            raise Refused("duplicate", f"allocation {allocation} was reserved before")
        motion_id, motion = self._motion_of(data, "fund.allocate", PORTFOLIO_KIND)
        project = text(data, "project")
        if project not in self.projects:
            raise Refused("unknown_reference", f"project {project} was never registered")
        draws = _draws(get(data, "draws"), "draws")
        effect = {"allocation": allocation, "project": project, "draws": draws_json(draws)}
        stated = self._allocation_effect(motion, allocation)
        if motion.closed is not None or {k: stated.get(k) for k in effect} != effect:
            raise Refused("motion_mismatch", f"motion {motion_id} does not allocate exactly this")
        where = self.projects[project]
        for earmark, _money_drawn in draws:
            if not earmark.allows(where.sector, where.governorate):
                raise Refused(
                    "earmark_not_allowed",
                    f"money earmarked {earmark.key} cannot fund a {where.sector} project in"
                    f" {where.governorate}",
                )
        self._flow(lambda: flows.allocation_reserve(draws))
        self.allocations[allocation] = _Allocation(motion_id, project, draws)

    def _allocation(self, data: Mapping[str, Any], status: str) -> _Allocation:
        allocation_id = text(data, "allocation")
        allocation = self.allocations.get(allocation_id)
        if allocation is None or allocation.status != status:
            raise Refused("unknown_reference", f"allocation {allocation_id} is not {status}")
        return allocation

    def _allocation_approved(self, data: Mapping[str, Any]) -> None:
        allocation = self._allocation(data, "reserved")
        allocation_id = data["allocation"]
        motion = self.motions[allocation.motion]
        if motion.closed != "executed" or data.get("motion") != allocation.motion:
            raise Refused("motion_mismatch", f"motion {allocation.motion} was not executed")
        on = _date(get(data, "on"), "on")
        draws = allocation.draws
        total = sum((m for _e, m in draws[1:]), draws[0][1])
        usd = self._usd(data, total, on)
        postings = self._flow(lambda: flows.allocation_approve(allocation_id, draws))
        allocation.status = "approved"
        where = self.projects[allocation.project]
        self.facts[("allocation", allocation_id)] = _Fact(
            "allocated", total, usd, on, None, where.sector, where.governorate, postings
        )

    def _allocation_released(self, data: Mapping[str, Any]) -> None:
        allocation = self._allocation(data, "reserved")
        motion = self.motions[allocation.motion]
        if motion.closed != "withdrawn" or data.get("motion") != allocation.motion:
            raise Refused("motion_mismatch", f"motion {allocation.motion} was not withdrawn")
        self._flow(lambda: flows.allocation_release(allocation.draws))
        allocation.status = "released"

    def _disbursement_reserved(self, data: Mapping[str, Any]) -> None:
        disbursement = text(data, "disbursement")
        if disbursement in self.disbursements:
            raise Refused("duplicate", f"disbursement {disbursement} was reserved before")
        motion_id, motion = self._motion_of(data, "fund.disburse")
        allocation_id = text(data, "allocation")
        self._allocation(data, "approved")
        amount = _money(get(data, "amount"), "amount")
        effect = {
            "disbursement": disbursement,
            "allocation": allocation_id,
            "amount": amount.to_json(),
        }
        if motion.closed is not None or {k: motion.effect.get(k) for k in effect} != effect:
            raise Refused("motion_mismatch", f"motion {motion_id} does not disburse exactly this")
        self._flow(lambda: flows.disbursement_reserve(allocation_id, amount))
        self.disbursements[disbursement] = _Disbursement(motion_id, allocation_id, amount)

    def _disbursement(self, data: Mapping[str, Any], closed: str) -> tuple[str, _Disbursement]:
        disbursement_id = text(data, "disbursement")
        disbursement = self.disbursements.get(disbursement_id)
        if disbursement is None or disbursement.status != "reserved":
            raise Refused("unknown_reference", f"disbursement {disbursement_id} is not reserved")
        if (
            self.motions[disbursement.motion].closed != closed
            or data.get("motion") != disbursement.motion
        ):
            raise Refused("motion_mismatch", f"motion {disbursement.motion} was not {closed}")
        return disbursement_id, disbursement

    def _disbursement_approved(self, data: Mapping[str, Any]) -> None:
        disbursement_id, disbursement = self._disbursement(data, "executed")
        on = _date(get(data, "on"), "on")
        usd = self._usd(data, disbursement.amount, on)
        postings = self._flow(
            lambda: flows.disbursement_approve(disbursement.allocation, disbursement.amount)
        )
        disbursement.status = "approved"
        where = self.projects[self.allocations[disbursement.allocation].project]
        self.facts[("disbursement", disbursement_id)] = _Fact(
            "disbursed",
            disbursement.amount,
            usd,
            on,
            None,
            where.sector,
            where.governorate,
            postings,
        )

    def _disbursement_released(self, data: Mapping[str, Any]) -> None:
        _disbursement_id, disbursement = self._disbursement(data, "withdrawn")
        self._flow(lambda: flows.disbursement_release(disbursement.allocation, disbursement.amount))
        disbursement.status = "released"

    def _partner_fact(
        self, data: Mapping[str, Any], key: str
    ) -> tuple[str, str, _Project, datetime.date]:
        fact_id = text(data, key)
        self._new(key, fact_id)
        allocation_id = text(data, "allocation")
        allocation = self._allocation(data, "approved")
        return (
            fact_id,
            allocation_id,
            self.projects[allocation.project],
            _date(get(data, "on"), "on"),
        )

    def _expenditure(self, data: Mapping[str, Any]) -> None:
        expenditure, allocation_id, where, on = self._partner_fact(data, "expenditure")
        amount = _money(get(data, "amount"), "amount")
        usd = self._usd(data, amount, on)
        postings = self._flow(lambda: flows.expenditure(allocation_id, amount))
        self.facts[("expenditure", expenditure)] = _Fact(
            "spent", amount, usd, on, None, where.sector, where.governorate, postings
        )

    def _refund(self, data: Mapping[str, Any]) -> None:
        refund, allocation_id, where, on = self._partner_fact(data, "refund")
        returns = _draws(get(data, "returns"), "returns")
        drawn = dict(self.allocations[allocation_id].draws)
        if not {earmark for earmark, _m in returns} <= set(drawn):
            raise Refused(
                "earmark_not_allowed", "a refund returns money only to the pools drawn from"
            )
        claims = tuple(
            (("returned", allocation_id, earmark.key), money) for earmark, money in returns
        )
        for (key, money), (earmark, _m) in zip(claims, returns, strict=True):
            self._claim(key, money, drawn[earmark], f"what the allocation drew from {earmark.key}")
        total = sum((m for _e, m in returns[1:]), returns[0][1])
        usd = self._usd(data, total, on)
        postings = self._flow(lambda: flows.refund(allocation_id, returns))
        self.facts[("refund", refund)] = _Fact(
            "refunded",
            total,
            usd,
            on,
            None,
            where.sector,
            where.governorate,
            postings,
            claims=claims,
        )
        self._take_claims(claims)

    _REVERSIBLE = ("pledge", "commitment", "contribution", "conversion", "expenditure", "refund")

    def _reversal(self, data: Mapping[str, Any]) -> None:
        reversal_id = text(data, "reversal")
        self._new("reversal", reversal_id)
        kind, target = text(data, "reverses_kind"), text(data, "reverses")
        text(data, "reason")
        fact = self.facts.get((kind, target)) if kind in self._REVERSIBLE else None
        if fact is None or fact.reversed:
            raise Refused("unknown_reference", f"{kind} {target} is not a fact in force to reverse")
        if fact.postings is not None:
            self._post(reversal(fact.postings))
        for key, money in fact.claims:
            self.claimed[key] -= money
        fact.reversed = True
        self.facts[("reversal", reversal_id)] = _Fact(
            "", fact.money, Money.zero(USD), fact.on, None, None, None, None, reversed=True
        )

    # --- motions, as far as the fund needs them (the governance replay checks the quorum) --

    def _motion_opened(self, data: Mapping[str, Any]) -> None:
        decoded = data.get("decoded")
        if not isinstance(decoded, Mapping):
            return
        kind = str(decoded.get("kind", ""))
        if not (kind.startswith("fund.") or kind == PORTFOLIO_KIND):
            return
        effect = decoded.get("effect")
        motion_id = text(data, "motion")
        if motion_id in self.motions:  # re-opening would reset a withdrawn motion
            raise Refused("duplicate", f"motion {motion_id} was opened before")
        self.motions[motion_id] = _Motion(kind, effect if isinstance(effect, Mapping) else {})

    def _motion_closed(self, data: Mapping[str, Any], how: str) -> None:
        motion = self.motions.get(str(data.get("motion")))
        if motion is not None and motion.closed is None:
            motion.closed = how

    # --- the figures -----------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        """The public totals in USD: overall, by donor (also in its currencies), by sector
        and governorate (the earmark for donors' money, the project's once allocated), and
        by month. The API serves exactly this shape (`funds.selectors.fund_figures`)."""
        zero = Money.zero(USD)

        def stages() -> dict[str, Money]:
            return dict.fromkeys(STAGES, zero)

        totals = stages()
        by_donor: dict[str, dict[str, Money]] = defaultdict(stages)
        native: dict[str, dict[str, dict[str, Money]]] = defaultdict(dict)
        by_sector: dict[str, dict[str, Money]] = defaultdict(stages)
        by_governorate: dict[str, dict[str, Money]] = defaultdict(stages)
        by_month: dict[str, dict[str, Money]] = defaultdict(stages)
        for fact in self.facts.values():
            if fact.reversed or not fact.stage:
                continue
            for table in (
                totals,
                by_sector[fact.sector or ANY],
                by_governorate[fact.governorate or ANY],
                by_month[fact.on.strftime("%Y-%m")],
            ):
                table[fact.stage] += fact.usd
            if fact.donor is not None:
                by_donor[fact.donor][fact.stage] += fact.usd
                in_currency = native[fact.donor].setdefault(
                    fact.money.currency, dict.fromkeys(STAGES[:3], Money.zero(fact.money.currency))
                )
                in_currency[fact.stage] += fact.money

        def plain(table: Mapping[str, Money]) -> dict[str, str]:
            return {stage: str(money.amount) for stage, money in table.items()}

        return {
            "log_size": self.size,
            "currency": USD,
            "totals": plain(totals),
            "by_donor": {
                donor: {
                    "usd": plain(by_donor[donor]),
                    "native": {c: plain(t) for c, t in sorted(native[donor].items())},
                }
                for donor in sorted(by_donor)
            },
            "by_sector": {k: plain(v) for k, v in sorted(by_sector.items())},
            "by_governorate": {k: plain(v) for k, v in sorted(by_governorate.items())},
            "by_month": {k: plain(v) for k, v in sorted(by_month.items())},
        }

    def trial_balance_totals(self) -> dict[str, Decimal]:
        """Per currency, the sum of every balance: zero, always, in balanced books."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for (_account, currency), balance in self.balances.items():
            totals[currency] += balance
        return dict(totals)


_HANDLERS: dict[str, Callable[[FundBook, Mapping[str, Any]], None]] = {
    "fund.fx_rate_recorded": FundBook._fx_rate,
    "project.registered": FundBook._project,
    "fund.pledge_recorded": FundBook._pledge,
    "fund.commitment_recorded": FundBook._commitment,
    "fund.contribution_recorded": FundBook._contribution,
    "fund.conversion_recorded": FundBook._conversion,
    "fund.allocation_reserved": FundBook._allocation_reserved,
    "fund.allocation_approved": FundBook._allocation_approved,
    "fund.allocation_released": FundBook._allocation_released,
    "fund.disbursement_reserved": FundBook._disbursement_reserved,
    "fund.disbursement_approved": FundBook._disbursement_approved,
    "fund.disbursement_released": FundBook._disbursement_released,
    "fund.expenditure_reported": FundBook._expenditure,
    "fund.refund_recorded": FundBook._refund,
    "fund.reversal_recorded": FundBook._reversal,
}
_MOTION_HANDLERS: dict[str, Callable[[FundBook, Mapping[str, Any]], None]] = {
    "motion.opened": FundBook._motion_opened,
    "motion.executed": lambda book, data: book._motion_closed(data, "executed"),
    "motion.withdrawn": lambda book, data: book._motion_closed(data, "withdrawn"),
}
