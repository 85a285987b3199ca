"""The fund's books rebuilt from log entries alone: violations, balances and public figures.

No database: `amanah.funds.book` is pure. `Log` writes entries the way the services do,
so each test reads as a story; expected figures are worked out by hand, not by the code.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amanah.funds.book import STAGES, FundBook, FundViolation, fund_kinds
from amanah.funds.chart import on_normal_side
from amanah.funds.earmarks import FLEXIBLE, Earmark, drawing_order
from amanah.funds.money import USD, FxRate, Money, to_usd

Entry = dict[str, Any]
Draws = Sequence[tuple[Earmark, Money]]

HOUSING_KY = Earmark("housing", "PS0270")
HEALTH = Earmark("health")
DAY = datetime.date(2025, 3, 1)


def m(amount: str, code: str = USD) -> Money:
    return Money.parse(amount, code)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def draws_json(draws: Draws) -> list[dict[str, Any]]:
    return [{"earmark": e.to_json(), "amount": a.to_json()} for e, a in draws]


def total(draws: Draws) -> Money:
    result = Money.zero(draws[0][1].currency)
    for _earmark, amount in draws:
        result += amount
    return result


class Log:
    """Writes fund entries as the services would: ids, amounts as JSON, and USD equivalents
    at the latest rate logged on or before each entry's date."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.rates: dict[str, dict[datetime.date, FxRate]] = {}

    def add(self, kind: str, data: dict[str, Any], on: datetime.date = DAY) -> Entry:
        entry = {
            "type": f"amanah.{kind}.v1",
            "at": f"{on.isoformat()}T09:00:00Z",
            "actor": "finance-officer-1",
            "data": data,
        }
        self.entries.append(entry)
        return entry

    def usd(self, money: Money, on: datetime.date) -> dict[str, Any]:
        if money.currency == USD:
            return {"amount": money.to_json(), "rate": None}
        rate = self.rates[money.currency][max(x for x in self.rates[money.currency] if x <= on)]
        return {
            "amount": to_usd(money, rate).to_json(),
            "rate": {
                "currency": rate.currency,
                "on": rate.on.isoformat(),
                "units_per_usd": str(rate.units_per_usd),
                "source": rate.source,
            },
        }

    # --- reference facts ---

    def rate(self, code: str, on: str, units: str) -> Entry:
        rate = FxRate(code, d(on), Decimal(units), "UN operational rates of exchange")
        self.rates.setdefault(code, {})[rate.on] = rate
        data = {"currency": code, "on": on, "units_per_usd": units, "source": rate.source}
        return self.add("fund.fx_rate_recorded", data, rate.on)

    def project(self, project: str, sector: str, pcode: str) -> Entry:
        data = {"project": project, "sector": sector, "governorate": pcode}
        return self.add("project.registered", data)

    # --- donors' money ---

    def _donor(
        self, key: str, fact: str, donor: str, amount: Money, on: str, earmark: Earmark
    ) -> dict[str, Any]:
        return {
            key: fact,
            "donor": donor,
            "amount": amount.to_json(),
            "earmark": earmark.to_json(),
            "on": on,
            "usd": self.usd(amount, d(on)),
        }

    def pledge(
        self, pledge: str, donor: str, amount: Money, on: str, earmark: Earmark = FLEXIBLE
    ) -> Entry:
        data = self._donor("pledge", pledge, donor, amount, on, earmark)
        return self.add("fund.pledge_recorded", data, d(on))

    def commitment(
        self,
        commitment: str,
        donor: str,
        amount: Money,
        on: str,
        earmark: Earmark = FLEXIBLE,
        pledge: str | None = None,
    ) -> Entry:
        data = self._donor("commitment", commitment, donor, amount, on, earmark)
        data["pledge"] = pledge
        return self.add("fund.commitment_recorded", data, d(on))

    def contribution(
        self,
        contribution: str,
        donor: str,
        amount: Money,
        on: str,
        earmark: Earmark = FLEXIBLE,
        commitment: str | None = None,
    ) -> Entry:
        data = self._donor("contribution", contribution, donor, amount, on, earmark)
        data["commitment"] = commitment
        return self.add("fund.contribution_recorded", data, d(on))

    def conversion(
        self, conversion: str, sold: Money, bought: Money, on: str, earmark: Earmark = FLEXIBLE
    ) -> Entry:
        data = {
            "conversion": conversion,
            "sold": sold.to_json(),
            "bought": bought.to_json(),
            "earmark": earmark.to_json(),
            "on": on,
        }
        return self.add("fund.conversion_recorded", data, d(on))

    # --- the board ---

    def open_motion(self, motion: str, kind: str, effect: dict[str, Any]) -> Entry:
        decoded = {"id": motion, "kind": kind, "effect": effect}
        return self.add("motion.opened", {"motion": motion, "decoded": decoded})

    def execute(self, motion: str) -> Entry:
        return self.add("motion.executed", {"motion": motion})

    def withdraw(self, motion: str) -> Entry:
        return self.add("motion.withdrawn", {"motion": motion})

    # --- allocations and disbursements ---

    def open_allocation(self, motion: str, allocation: str, project: str, draws: Draws) -> Entry:
        effect = {"allocation": allocation, "project": project, "draws": draws_json(draws)}
        return self.open_motion(motion, "fund.allocate", effect)

    def reserve_allocation(self, allocation: str, motion: str, project: str, draws: Draws) -> Entry:
        data = {
            "allocation": allocation,
            "motion": motion,
            "project": project,
            "draws": draws_json(draws),
        }
        return self.add("fund.allocation_reserved", data)

    def approve_allocation(self, allocation: str, motion: str, amount: Money, on: str) -> Entry:
        data = {
            "allocation": allocation,
            "motion": motion,
            "on": on,
            "usd": self.usd(amount, d(on)),
        }
        return self.add("fund.allocation_approved", data, d(on))

    def release_allocation(self, allocation: str, motion: str) -> Entry:
        return self.add("fund.allocation_released", {"allocation": allocation, "motion": motion})

    def allocate(self, allocation: str, project: str, draws: Draws, on: str) -> None:
        """The whole way: motion opened, money reserved, motion executed, approved."""
        motion = f"m-{allocation}"
        self.open_allocation(motion, allocation, project, draws)
        self.reserve_allocation(allocation, motion, project, draws)
        self.execute(motion)
        self.approve_allocation(allocation, motion, total(draws), on)

    def open_disbursement(
        self, motion: str, disbursement: str, allocation: str, amount: Money
    ) -> Entry:
        effect = {
            "disbursement": disbursement,
            "allocation": allocation,
            "amount": amount.to_json(),
        }
        return self.open_motion(motion, "fund.disburse", effect)

    def reserve_disbursement(
        self, disbursement: str, motion: str, allocation: str, amount: Money
    ) -> Entry:
        data = {
            "disbursement": disbursement,
            "motion": motion,
            "allocation": allocation,
            "amount": amount.to_json(),
        }
        return self.add("fund.disbursement_reserved", data)

    def approve_disbursement(self, disbursement: str, motion: str, amount: Money, on: str) -> Entry:
        data = {
            "disbursement": disbursement,
            "motion": motion,
            "on": on,
            "usd": self.usd(amount, d(on)),
        }
        return self.add("fund.disbursement_approved", data, d(on))

    def release_disbursement(self, disbursement: str, motion: str) -> Entry:
        data = {"disbursement": disbursement, "motion": motion}
        return self.add("fund.disbursement_released", data)

    def disburse(self, disbursement: str, allocation: str, amount: Money, on: str) -> None:
        motion = f"m-{disbursement}"
        self.open_disbursement(motion, disbursement, allocation, amount)
        self.reserve_disbursement(disbursement, motion, allocation, amount)
        self.execute(motion)
        self.approve_disbursement(disbursement, motion, amount, on)

    # --- the partner ---

    def expenditure(self, expenditure: str, allocation: str, amount: Money, on: str) -> Entry:
        data = {
            "expenditure": expenditure,
            "allocation": allocation,
            "amount": amount.to_json(),
            "on": on,
            "usd": self.usd(amount, d(on)),
        }
        return self.add("fund.expenditure_reported", data, d(on))

    def refund(self, refund: str, allocation: str, returns: Draws, on: str) -> Entry:
        data = {
            "refund": refund,
            "allocation": allocation,
            "returns": draws_json(returns),
            "on": on,
            "usd": self.usd(total(returns), d(on)),
        }
        return self.add("fund.refund_recorded", data, d(on))

    def reversal(self, reversal: str, kind: str, target: str, reason: str = "keyed twice") -> Entry:
        data = {"reversal": reversal, "reverses_kind": kind, "reverses": target, "reason": reason}
        return self.add("fund.reversal_recorded", data)

    # --- replay ---

    def book(self) -> FundBook:
        book = FundBook()
        for index, entry in enumerate(self.entries):
            book.entry(index, entry)
        return book


def balance(book: FundBook, account: str, code: str = USD) -> Decimal:
    return book.balances.get((account, code), Decimal(0))


def state(book: FundBook) -> dict[str, Any]:
    """Everything a refused entry must leave as it was (empty rate tables are no state)."""
    kept = {k: v for k, v in vars(book).items() if k not in ("violations", "size")}
    kept["rates"] = {c: r for c, r in book.rates.items() if r}
    kept["balances"] = dict(book.balances)
    return copy.deepcopy(kept)


def assert_refused(log: Log, code: str, *, index: int | None = None) -> FundViolation:
    """Replays `log`; its last entry, and only it, is a violation with `code`, and it
    changes nothing in the books."""
    book = FundBook()
    *before, last = log.entries
    for n, entry in enumerate(before):
        book.entry(n, entry)
    assert book.violations == [], book.violations
    kept, figures = state(book), book.figures()

    book.entry(len(before), last)

    assert [(v.index, v.code) for v in book.violations] == [(len(before), code)], book.violations
    assert state(book) == kept
    assert {**book.figures(), "log_size": figures["log_size"]} == figures
    return book.violations[0]


def assert_honest(book: FundBook) -> None:
    assert book.violations == []
    assert set(book.trial_balance_totals().values()) <= {Decimal(0)}
    for (account, _code), amount in book.balances.items():
        assert on_normal_side(account, amount), (account, amount)


# --- the honest story ------------------------------------------------------------------------


def story() -> Log:
    """Four donors in four currencies; two projects; one allocation withdrawn; one
    contribution reversed before it was used."""
    log = Log()
    log.rate("PKR", "2025-01-01", "278.50")
    log.rate("QAR", "2025-01-01", "3.64")
    log.rate("JOD", "2025-01-01", "0.709")
    log.project("p-homes", "housing", "PS0270")
    log.project("p-clinic", "health", "PS0260")
    # January: pledges and commitments
    log.pledge("pl-pk", "PK", m("2785000", "PKR"), "2025-01-10", HOUSING_KY)  # 10000.00
    log.pledge("pl-qa", "QA", m("36400", "QAR"), "2025-01-12")  # 10000.00
    log.commitment("c-pk", "PK", m("2785000", "PKR"), "2025-01-15", HOUSING_KY, pledge="pl-pk")
    log.commitment("c-jo", "JO", m("7090.000", "JOD"), "2025-01-20", HEALTH)  # 10000.00
    # February: a new PKR rate, then money paid
    log.rate("PKR", "2025-02-01", "280.00")
    log.contribution(
        "k-pk", "PK", m("1400000", "PKR"), "2025-02-03", HOUSING_KY, commitment="c-pk"
    )  # 5000.00 at 280
    log.contribution("k-qa", "QA", m("18200", "QAR"), "2025-02-05")  # 5000.00
    log.contribution("k-jo", "JO", m("3545.000", "JOD"), "2025-02-10", HEALTH, commitment="c-jo")
    log.contribution("k-us", "US", m("2500.00"), "2025-02-11")
    log.contribution("k-us-twice", "US", m("100.00"), "2025-02-12")
    log.reversal("r-1", "contribution", "k-us-twice")
    log.conversion("x-1", m("1400000", "PKR"), m("5000.00"), "2025-02-15", HOUSING_KY)
    # March: the board allocates and disburses
    log.allocate(
        "al-homes", "p-homes", [(HOUSING_KY, m("4000")), (FLEXIBLE, m("1000"))], "2025-03-01"
    )
    log.open_allocation("m-withdrawn", "al-clinic-qar", "p-clinic", [(FLEXIBLE, m("7280", "QAR"))])
    log.reserve_allocation(
        "al-clinic-qar", "m-withdrawn", "p-clinic", [(FLEXIBLE, m("7280", "QAR"))]
    )
    log.withdraw("m-withdrawn")
    log.release_allocation("al-clinic-qar", "m-withdrawn")
    log.allocate("al-clinic", "p-clinic", [(HEALTH, m("1418.000", "JOD"))], "2025-03-05")
    log.disburse("d-1", "al-homes", m("3000"), "2025-03-10")
    # April: the partner reports
    log.expenditure("e-1", "al-homes", m("2200"), "2025-04-02")
    log.refund("f-1", "al-homes", [(FLEXIBLE, m("300"))], "2025-04-20")
    return log


def stages(**values: str) -> dict[str, str]:
    return {stage: values.get(stage, "0.00") for stage in STAGES}


def native(code: str, zero: str, **values: str) -> dict[str, str]:
    return {stage: values.get(stage, zero) for stage in ("pledged", "committed", "paid")}


def test_honest_story_replays_without_violations() -> None:
    book = story().book()

    assert_honest(book)
    assert book.size == len(story().entries)


def test_honest_story_figures() -> None:
    figures = story().book().figures()

    assert figures == {
        "log_size": 35,
        "currency": "USD",
        "totals": stages(
            pledged="20000.00",
            committed="20000.00",
            paid="17500.00",
            allocated="7000.00",
            disbursed="3000.00",
            refunded="300.00",
            spent="2200.00",
        ),
        "by_donor": {
            "JO": {
                "usd": stages(committed="10000.00", paid="5000.00"),
                "native": {"JOD": native("JOD", "0.000", committed="7090.000", paid="3545.000")},
            },
            "PK": {
                "usd": stages(pledged="10000.00", committed="10000.00", paid="5000.00"),
                "native": {
                    "PKR": native(
                        "PKR",
                        "0.00",
                        pledged="2785000.00",
                        committed="2785000.00",
                        paid="1400000.00",
                    )
                },
            },
            "QA": {
                "usd": stages(pledged="10000.00", paid="5000.00"),
                "native": {"QAR": native("QAR", "0.00", pledged="36400.00", paid="18200.00")},
            },
            "US": {
                "usd": stages(paid="2500.00"),
                "native": {"USD": native("USD", "0.00", paid="2500.00")},
            },
        },
        "by_sector": {
            "any": stages(pledged="10000.00", paid="7500.00"),
            "health": stages(committed="10000.00", paid="5000.00", allocated="2000.00"),
            "housing": stages(
                pledged="10000.00",
                committed="10000.00",
                paid="5000.00",
                allocated="5000.00",
                disbursed="3000.00",
                refunded="300.00",
                spent="2200.00",
            ),
        },
        "by_governorate": {
            "PS0260": stages(allocated="2000.00"),
            "PS0270": stages(
                pledged="10000.00",
                committed="10000.00",
                paid="5000.00",
                allocated="5000.00",
                disbursed="3000.00",
                refunded="300.00",
                spent="2200.00",
            ),
            "any": stages(pledged="10000.00", committed="10000.00", paid="12500.00"),
        },
        "by_month": {
            "2025-01": stages(pledged="20000.00", committed="20000.00"),
            "2025-02": stages(paid="17500.00"),
            "2025-03": stages(allocated="7000.00", disbursed="3000.00"),
            "2025-04": stages(refunded="300.00", spent="2200.00"),
        },
    }


def test_honest_story_balances() -> None:
    book = story().book()

    # USD: 2500 paid + 5000 bought - 3000 disbursed + 300 refunded; the reversed 100 is gone
    assert balance(book, "fund:cash") == Decimal("4800.00")
    assert balance(book, "fund:available:any.any") == Decimal("-1800.00")  # 2500 - 1000 + 300
    assert balance(book, "fund:available:housing.PS0270") == Decimal("-1000.00")
    assert balance(book, "fund:reserved:housing.PS0270") == Decimal(0)
    assert balance(book, "allocation:al-homes:undisbursed") == Decimal("-2000.00")
    assert balance(book, "allocation:al-homes:disbursed") == Decimal("-2700.00")
    assert balance(book, "allocation:al-homes:advance") == Decimal("500.00")
    assert balance(book, "allocation:al-homes:spent") == Decimal("2200.00")
    # PKR: half the commitment paid, and all of it converted
    assert balance(book, "donor:PK:receivable", "PKR") == Decimal("1385000.00")
    assert balance(book, "fund:committed:housing.PS0270", "PKR") == Decimal("-1385000.00")
    assert balance(book, "fund:cash", "PKR") == Decimal(0)
    # QAR: the withdrawn allocation's money is available again
    assert balance(book, "fund:available:any.any", "QAR") == Decimal("-18200.00")
    assert balance(book, "fund:reserved:any.any", "QAR") == Decimal(0)
    assert balance(book, "allocation:al-clinic-qar:undisbursed", "QAR") == Decimal(0)
    # JOD: 3545.000 paid against a 7090.000 commitment, 1418.000 allocated
    assert balance(book, "fund:available:health.any", "JOD") == Decimal("-2127.000")
    assert balance(book, "allocation:al-clinic:undisbursed", "JOD") == Decimal("-1418.000")
    assert book.trial_balance_totals() == {c: Decimal(0) for c in ("JOD", "PKR", "QAR", "USD")}


def test_other_entries_are_ignored() -> None:
    log = Log()
    log.add("motion.signed", {"motion": "m-1"})
    log.add("org.registered", {"org": "o-1"})
    log.open_motion("m-board", "board.seat_add", {"seat": "s-1"})
    log.entries.append({"type": "amanah.fund.pledge_recorded.v2", "data": {}})
    log.entries.append({"type": "fund.pledge_recorded.v1", "data": {}})
    log.entries.append({"data": {}})
    book = log.book()

    assert book.violations == []
    assert book.motions == {}
    assert book.size == 6
    assert book.figures()["totals"] == stages()


def test_fund_kinds() -> None:
    kinds = fund_kinds()

    assert {"fund.contribution_recorded", "project.registered", "motion.opened"} <= kinds
    assert {"motion.executed", "motion.withdrawn", "fund.reversal_recorded"} <= kinds
    assert "motion.signed" not in kinds


def test_violation_json() -> None:
    violation = FundViolation(7, "overdrawn", "fund.x: would leave ...")

    assert violation.to_json() == {
        "index": 7,
        "code": "overdrawn",
        "message": "fund.x: would leave ...",
    }


def test_books_go_on_after_a_violation() -> None:
    log = funded()
    log.contribution("k-1", "US", m("1"), "2025-03-01")  # duplicate
    log.contribution("k-3", "US", m("1"), "2025-03-01")
    book = log.book()

    assert [(v.index, v.code) for v in book.violations] == [(len(log.entries) - 2, "duplicate")]
    assert balance(book, "fund:cash") == Decimal("10001.00")


# --- violations ------------------------------------------------------------------------------


def funded() -> Log:
    """A PKR rate, two projects, USD 10,000 available: 6,000 housing in Khan Younis
    (against US's commitment), 4,000 flexible (from QA, unasked)."""
    log = Log()
    log.rate("PKR", "2025-01-01", "278.50")
    log.project("p-homes", "housing", "PS0270")
    log.project("p-clinic", "health", "PS0260")
    log.pledge("pl-us", "US", m("6000"), "2025-01-10", HOUSING_KY)
    log.commitment("c-us", "US", m("6000"), "2025-01-15", HOUSING_KY, pledge="pl-us")
    log.contribution("k-1", "US", m("6000"), "2025-02-01", HOUSING_KY, commitment="c-us")
    log.contribution("k-2", "QA", m("4000"), "2025-02-01")
    return log


def allocated() -> Log:
    """`funded`, with USD 5,000 of housing money allocated to p-homes and 3,000 disbursed."""
    log = funded()
    log.allocate("al-1", "p-homes", [(HOUSING_KY, m("5000"))], "2025-03-01")
    log.disburse("d-1", "al-1", m("3000"), "2025-03-10")
    return log


def test_funded_and_allocated_are_honest() -> None:
    assert_honest(funded().book())
    assert_honest(allocated().book())


# unknown and duplicate references


def test_contribution_against_an_unknown_commitment() -> None:
    log = funded()
    log.contribution("k-3", "US", m("10"), "2025-02-02", HOUSING_KY, commitment="c-nope")

    assert "c-nope" in assert_refused(log, "unknown_reference").message


def test_contribution_against_a_reversed_commitment() -> None:
    log = funded()
    log.commitment("c-2", "US", m("50"), "2025-02-02", HOUSING_KY)
    log.reversal("r-1", "commitment", "c-2")
    log.contribution("k-3", "US", m("10"), "2025-02-02", HOUSING_KY, commitment="c-2")

    assert_refused(log, "unknown_reference")


def test_commitment_against_an_unknown_pledge() -> None:
    log = funded()
    log.commitment("c-2", "US", m("50"), "2025-02-02", pledge="pl-nope")

    assert_refused(log, "unknown_reference")


def test_commitment_against_a_reversed_pledge() -> None:
    log = funded()
    log.pledge("pl-2", "US", m("50"), "2025-02-02")
    log.reversal("r-1", "pledge", "pl-2")
    log.commitment("c-2", "US", m("50"), "2025-02-02", pledge="pl-2")

    assert_refused(log, "unknown_reference")


def test_allocation_for_an_unregistered_project() -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-nope", [(FLEXIBLE, m("10"))])
    log.reserve_allocation("al-1", "m-1", "p-nope", [(FLEXIBLE, m("10"))])

    assert_refused(log, "unknown_reference")


def test_approval_of_an_allocation_never_reserved() -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-homes", [(FLEXIBLE, m("10"))])
    log.execute("m-1")
    log.approve_allocation("al-1", "m-1", m("10"), "2025-03-01")

    assert_refused(log, "unknown_reference")


def test_allocation_approved_twice() -> None:
    log = allocated()
    log.approve_allocation("al-1", "m-al-1", m("5000"), "2025-03-02")

    assert_refused(log, "unknown_reference")


def test_disbursement_of_an_unknown_allocation() -> None:
    log = funded()
    log.open_disbursement("m-1", "d-1", "al-nope", m("10"))
    log.reserve_disbursement("d-1", "m-1", "al-nope", m("10"))

    assert_refused(log, "unknown_reference")


def test_disbursement_of_an_allocation_not_yet_approved() -> None:
    log = funded()
    log.open_allocation("m-a", "al-1", "p-homes", [(FLEXIBLE, m("10"))])
    log.reserve_allocation("al-1", "m-a", "p-homes", [(FLEXIBLE, m("10"))])
    log.open_disbursement("m-d", "d-1", "al-1", m("10"))
    log.reserve_disbursement("d-1", "m-d", "al-1", m("10"))

    assert_refused(log, "unknown_reference")


def test_approval_of_an_unknown_disbursement() -> None:
    log = allocated()
    log.approve_disbursement("d-nope", "m-d-1", m("10"), "2025-03-11")

    assert_refused(log, "unknown_reference")


def test_expenditure_against_an_unknown_allocation() -> None:
    log = allocated()
    log.expenditure("e-1", "al-nope", m("10"), "2025-04-01")

    assert_refused(log, "unknown_reference")


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        ("contribution", "k-nope"),
        ("allocation", "al-1"),  # allocations are undone by the board, not reversed
        ("disbursement", "d-1"),
        ("reversal", "r-1"),
    ],
)
def test_reversal_of_what_is_not_a_reversible_fact(kind: str, target: str) -> None:
    log = allocated()
    log.reversal("r-1", "pledge", "pl-us")
    log.reversal("r-2", kind, target)

    assert_refused(log, "unknown_reference")


def test_reversal_twice() -> None:
    log = funded()
    log.reversal("r-1", "contribution", "k-2")
    log.reversal("r-2", "contribution", "k-2")

    assert_refused(log, "unknown_reference")


@pytest.mark.parametrize(
    "again",
    [
        lambda log: log.pledge("pl-us", "US", m("1"), "2025-02-02"),
        lambda log: log.commitment("c-us", "US", m("1"), "2025-02-02"),
        lambda log: log.contribution("k-1", "US", m("1"), "2025-02-02"),
        lambda log: log.rate("PKR", "2025-01-01", "278.50"),
        lambda log: log.project("p-homes", "roads", "PS0255"),
        lambda log: log.conversion("x-1", m("1"), m("278", "PKR"), "2025-02-02"),
        lambda log: log.expenditure("e-1", "al-1", m("1"), "2025-04-01"),
        lambda log: log.refund("f-1", "al-1", [(HOUSING_KY, m("1"))], "2025-04-01"),
        lambda log: log.reversal("r-1", "contribution", "k-2"),
        lambda log: log.reserve_allocation("al-1", "m-al-1", "p-homes", [(HOUSING_KY, m("1"))]),
        lambda log: log.reserve_disbursement("d-1", "m-d-1", "al-1", m("1")),
        lambda log: log.open_allocation("m-al-1", "al-1", "p-homes", [(HOUSING_KY, m("1"))]),
    ],
    ids=[
        "pledge",
        "commitment",
        "contribution",
        "rate",
        "project",
        "conversion",
        "expenditure",
        "refund",
        "reversal",
        "allocation",
        "disbursement",
        "motion",
    ],
)
def test_duplicate_ids(again: Any) -> None:
    log = allocated()
    log.conversion("x-1", m("1"), m("278", "PKR"), "2025-02-02")
    log.expenditure("e-1", "al-1", m("1"), "2025-04-01")
    log.refund("f-1", "al-1", [(HOUSING_KY, m("1"))], "2025-04-01")
    log.reversal("r-1", "pledge", "pl-us")
    again(log)

    assert_refused(log, "duplicate")


def test_reopening_a_withdrawn_motion_does_not_revive_it() -> None:
    log = funded()
    draws = [(FLEXIBLE, m("100"))]
    log.open_allocation("m-1", "al-1", "p-homes", draws)
    log.reserve_allocation("al-1", "m-1", "p-homes", draws)
    log.withdraw("m-1")
    log.open_allocation("m-1", "al-1", "p-homes", draws)
    log.execute("m-1")
    log.approve_allocation("al-1", "m-1", m("100"), "2025-03-01")
    book = log.book()

    assert [(v.index, v.code) for v in book.violations] == [
        (len(log.entries) - 3, "duplicate"),
        (len(log.entries) - 1, "motion_mismatch"),
    ]
    assert balance(book, "allocation:al-1:undisbursed") == Decimal(0)


# mismatched references


def test_contribution_against_another_donors_commitment() -> None:
    log = funded()
    log.contribution("k-3", "QA", m("10"), "2025-02-02", HOUSING_KY, commitment="c-us")

    assert_refused(log, "reference_mismatch")


def test_contribution_with_another_earmark_than_its_commitment() -> None:
    log = funded()
    log.contribution("k-3", "US", m("10"), "2025-02-02", Earmark("housing"), commitment="c-us")

    assert_refused(log, "reference_mismatch")


def test_commitment_against_another_donors_pledge() -> None:
    log = funded()
    log.commitment("c-2", "QA", m("10"), "2025-02-02", HOUSING_KY, pledge="pl-us")

    assert_refused(log, "reference_mismatch")


# the board's motions


def test_allocation_reserved_without_a_motion() -> None:
    log = funded()
    log.reserve_allocation("al-1", "m-nope", "p-homes", [(HOUSING_KY, m("10"))])

    assert_refused(log, "motion_mismatch")


def test_allocation_reserved_under_a_disbursement_motion() -> None:
    log = funded()
    log.open_motion("m-1", "fund.disburse", {"allocation": "al-1", "project": "p-homes"})
    log.reserve_allocation("al-1", "m-1", "p-homes", [(HOUSING_KY, m("10"))])

    assert_refused(log, "motion_mismatch")


@pytest.mark.parametrize(
    ("allocation", "project", "draws"),
    [
        ("al-2", "p-homes", [(HOUSING_KY, m("10"))]),
        ("al-1", "p-clinic", [(HOUSING_KY, m("10"))]),
        ("al-1", "p-homes", [(HOUSING_KY, m("11"))]),
        ("al-1", "p-homes", [(FLEXIBLE, m("10"))]),
        ("al-1", "p-homes", [(HOUSING_KY, m("10")), (FLEXIBLE, m("1"))]),
    ],
    ids=["allocation", "project", "amount", "earmark", "extra draw"],
)
def test_allocation_reserved_with_another_effect_than_its_motion(
    allocation: str, project: str, draws: Draws
) -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.reserve_allocation(allocation, "m-1", project, draws)

    assert_refused(log, "motion_mismatch")


def test_allocation_reserved_after_its_motion_was_decided() -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.execute("m-1")
    log.reserve_allocation("al-1", "m-1", "p-homes", [(HOUSING_KY, m("10"))])

    assert_refused(log, "motion_mismatch")


def test_allocation_approved_without_motion_executed() -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.reserve_allocation("al-1", "m-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.approve_allocation("al-1", "m-1", m("10"), "2025-03-01")

    assert_refused(log, "motion_mismatch")


def test_allocation_approved_after_its_motion_was_withdrawn() -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.reserve_allocation("al-1", "m-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.withdraw("m-1")
    log.execute("m-1")  # too late: a motion closes once
    log.approve_allocation("al-1", "m-1", m("10"), "2025-03-01")

    assert_refused(log, "motion_mismatch")


def test_allocation_approved_naming_another_motion() -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.reserve_allocation("al-1", "m-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.execute("m-1")
    log.approve_allocation("al-1", "m-2", m("10"), "2025-03-01")

    assert_refused(log, "motion_mismatch")


@pytest.mark.parametrize("close", ["open", "executed"])
def test_allocation_released_without_motion_withdrawn(close: str) -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-homes", [(HOUSING_KY, m("10"))])
    log.reserve_allocation("al-1", "m-1", "p-homes", [(HOUSING_KY, m("10"))])
    if close == "executed":
        log.execute("m-1")
    log.release_allocation("al-1", "m-1")

    assert_refused(log, "motion_mismatch")


def test_allocation_released_after_approval() -> None:
    log = allocated()
    log.withdraw("m-al-1")
    log.release_allocation("al-1", "m-al-1")

    assert_refused(log, "unknown_reference")


def test_disbursement_reserved_with_another_amount_than_its_motion() -> None:
    log = allocated()
    log.open_disbursement("m-2", "d-2", "al-1", m("100"))
    log.reserve_disbursement("d-2", "m-2", "al-1", m("100.01"))

    assert_refused(log, "motion_mismatch")


def test_disbursement_reserved_under_an_allocation_motion() -> None:
    log = allocated()
    log.open_allocation("m-2", "al-2", "p-homes", [(FLEXIBLE, m("10"))])
    log.reserve_disbursement("d-2", "m-2", "al-1", m("10"))

    assert_refused(log, "motion_mismatch")


def test_disbursement_approved_without_motion_executed() -> None:
    log = allocated()
    log.open_disbursement("m-2", "d-2", "al-1", m("100"))
    log.reserve_disbursement("d-2", "m-2", "al-1", m("100"))
    log.approve_disbursement("d-2", "m-2", m("100"), "2025-03-11")

    assert_refused(log, "motion_mismatch")


def test_disbursement_released_without_motion_withdrawn() -> None:
    log = allocated()
    log.open_disbursement("m-2", "d-2", "al-1", m("100"))
    log.reserve_disbursement("d-2", "m-2", "al-1", m("100"))
    log.execute("m-2")
    log.release_disbursement("d-2", "m-2")

    assert_refused(log, "motion_mismatch")


def test_withdrawn_disbursement_returns_to_its_allocation() -> None:
    log = allocated()
    log.open_disbursement("m-2", "d-2", "al-1", m("2000"))
    log.reserve_disbursement("d-2", "m-2", "al-1", m("2000"))
    log.withdraw("m-2")
    log.release_disbursement("d-2", "m-2")
    book = log.book()

    assert_honest(book)
    assert balance(book, "allocation:al-1:undisbursed") == Decimal("-2000.00")
    assert balance(book, "allocation:al-1:reserved") == Decimal(0)
    assert book.figures()["totals"]["disbursed"] == "3000.00"


# earmarks


@pytest.mark.parametrize(
    "earmark",
    [Earmark("housing", "PS0265"), Earmark("wash"), Earmark(governorate="PS0260")],
    ids=lambda e: e.key,
)
def test_allocation_drawing_on_money_earmarked_for_something_else(earmark: Earmark) -> None:
    log = funded()
    log.contribution("k-3", "QA", m("100"), "2025-02-02", earmark)
    log.open_allocation("m-1", "al-1", "p-homes", [(earmark, m("100"))])
    log.reserve_allocation("al-1", "m-1", "p-homes", [(earmark, m("100"))])

    assert_refused(log, "earmark_not_allowed")


def test_housing_money_cannot_fund_a_clinic() -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-clinic", [(HOUSING_KY, m("100"))])
    log.reserve_allocation("al-1", "m-1", "p-clinic", [(HOUSING_KY, m("100"))])

    assert_refused(log, "earmark_not_allowed")


def test_refund_to_a_pool_the_allocation_did_not_draw_from() -> None:
    log = allocated()
    log.refund("f-1", "al-1", [(FLEXIBLE, m("100"))], "2025-04-01")

    assert_refused(log, "earmark_not_allowed")


# overdrawn


def test_allocation_beyond_the_earmarks_available_money() -> None:
    log = funded()
    draws = [(HOUSING_KY, m("6000.01"))]
    log.open_allocation("m-1", "al-1", "p-homes", draws)
    log.reserve_allocation("al-1", "m-1", "p-homes", draws)

    assert "fund:available:housing.PS0270" in assert_refused(log, "overdrawn").message


def test_allocation_beyond_what_is_left_after_another_reservation() -> None:
    log = funded()
    log.open_allocation("m-1", "al-1", "p-homes", [(FLEXIBLE, m("3000"))])
    log.reserve_allocation("al-1", "m-1", "p-homes", [(FLEXIBLE, m("3000"))])
    log.open_allocation("m-2", "al-2", "p-clinic", [(FLEXIBLE, m("1000.01"))])
    log.reserve_allocation("al-2", "m-2", "p-clinic", [(FLEXIBLE, m("1000.01"))])

    assert_refused(log, "overdrawn")


def test_committed_money_is_not_available_until_paid() -> None:
    log = funded()
    log.commitment("c-2", "QA", m("1000"), "2025-02-02", HOUSING_KY)
    draws = [(HOUSING_KY, m("6001"))]
    log.open_allocation("m-1", "al-1", "p-homes", draws)
    log.reserve_allocation("al-1", "m-1", "p-homes", draws)

    assert_refused(log, "overdrawn")


def test_allocation_in_a_currency_the_pool_does_not_hold() -> None:
    log = funded()
    draws = [(FLEXIBLE, m("1", "PKR"))]
    log.open_allocation("m-1", "al-1", "p-homes", draws)
    log.reserve_allocation("al-1", "m-1", "p-homes", draws)

    assert_refused(log, "overdrawn")


def test_disbursement_beyond_the_allocation() -> None:
    log = allocated()  # 5000 allocated, 3000 disbursed
    log.open_disbursement("m-2", "d-2", "al-1", m("2000.01"))
    log.reserve_disbursement("d-2", "m-2", "al-1", m("2000.01"))

    assert "allocation:al-1:undisbursed" in assert_refused(log, "overdrawn").message


def test_expenditure_beyond_the_advance() -> None:
    log = allocated()
    log.expenditure("e-1", "al-1", m("2000"), "2025-04-01")
    log.expenditure("e-2", "al-1", m("1000.01"), "2025-04-02")

    assert "allocation:al-1:advance" in assert_refused(log, "overdrawn").message


def test_refund_beyond_the_advance() -> None:
    log = allocated()
    log.expenditure("e-1", "al-1", m("2900"), "2025-04-01")
    log.refund("f-1", "al-1", [(HOUSING_KY, m("100.01"))], "2025-04-02")

    assert_refused(log, "overdrawn")


def test_reversal_of_a_contribution_already_allocated() -> None:
    log = allocated()
    log.reversal("r-1", "contribution", "k-1")

    assert "fund:available:housing.PS0270" in assert_refused(log, "overdrawn").message


def test_reversal_of_a_commitment_already_paid() -> None:
    log = funded()
    log.reversal("r-1", "commitment", "c-us")

    assert_refused(log, "overdrawn")


def test_contribution_beyond_what_was_committed() -> None:
    log = funded()
    log.commitment("c-2", "QA", m("100"), "2025-02-02")
    log.contribution("k-3", "QA", m("100.01"), "2025-02-03", commitment="c-2")

    assert "what commitment c-2 owes" in assert_refused(log, "overdrawn").message


def test_conversion_beyond_the_available_money() -> None:
    log = funded()
    log.conversion("x-1", m("4000.01"), m("1114002.79", "PKR"), "2025-02-02")

    assert_refused(log, "overdrawn")


def test_reversal_of_an_unused_contribution_is_allowed() -> None:
    log = allocated()
    log.reversal("r-1", "contribution", "k-2")
    book = log.book()

    assert_honest(book)
    assert balance(book, "fund:available:any.any") == Decimal(0)
    assert book.figures()["totals"]["paid"] == "6000.00"
    assert "QA" not in book.figures()["by_donor"]


# USD equivalents and rates


def test_usd_equivalent_that_is_not_the_amount_at_the_rate() -> None:
    log = funded()
    entry = log.contribution("k-3", "PK", m("278500", "PKR"), "2025-02-02")
    assert entry["data"]["usd"]["amount"] == {"amount": "1000.00", "currency": "USD"}
    entry["data"]["usd"]["amount"]["amount"] = "1000.01"

    assert_refused(log, "usd_mismatch")


@pytest.mark.parametrize(
    "usd",
    [
        {"amount": {"amount": "10.01", "currency": "USD"}, "rate": None},
        {"amount": {"amount": "10.00", "currency": "EUR"}, "rate": None},
        {
            "amount": {"amount": "10.00", "currency": "USD"},
            "rate": {"on": "2025-01-01", "units_per_usd": "1"},
        },
    ],
    ids=["amount", "currency", "rate"],
)
def test_usd_amount_is_its_own_equivalent(usd: dict[str, Any]) -> None:
    log = funded()
    log.contribution("k-3", "US", m("10"), "2025-02-02")["data"]["usd"] = usd

    assert_refused(log, "usd_mismatch")


def test_usd_equivalent_of_each_stage_is_checked() -> None:
    tampers: list[Callable[[Log], Entry]] = [
        lambda log: log.approve_allocation("al-2", "m-al-2", m("10"), "2025-03-02"),
        lambda log: log.approve_disbursement("d-2", "m-d-2", m("10"), "2025-03-02"),
        lambda log: log.expenditure("e-1", "al-1", m("10"), "2025-03-02"),
        lambda log: log.refund("f-1", "al-1", [(HOUSING_KY, m("10"))], "2025-03-02"),
        lambda log: log.pledge("pl-2", "QA", m("10"), "2025-03-02"),
        lambda log: log.commitment("c-2", "QA", m("10"), "2025-03-02"),
    ]
    for tamper in tampers:
        log = allocated()
        log.open_allocation("m-al-2", "al-2", "p-homes", [(HOUSING_KY, m("10"))])
        log.reserve_allocation("al-2", "m-al-2", "p-homes", [(HOUSING_KY, m("10"))])
        log.execute("m-al-2")
        log.open_disbursement("m-d-2", "d-2", "al-1", m("10"))
        log.reserve_disbursement("d-2", "m-d-2", "al-1", m("10"))
        log.execute("m-d-2")
        entry = tamper(log)
        entry["data"]["usd"]["amount"]["amount"] = "9.99"

        assert_refused(log, "usd_mismatch")


def test_rate_never_logged() -> None:
    log = funded()
    log.rates["QAR"] = {d("2025-01-01"): FxRate("QAR", d("2025-01-01"), Decimal("3.64"), "UN")}
    log.contribution("k-3", "QA", m("364", "QAR"), "2025-02-02")

    assert_refused(log, "rate_unknown")


def test_rate_of_a_date_never_logged() -> None:
    log = funded()
    entry = log.contribution("k-3", "PK", m("278500", "PKR"), "2025-02-02")
    entry["data"]["usd"]["rate"]["on"] = "2025-01-02"

    assert_refused(log, "rate_unknown")


@pytest.mark.parametrize("units", ["278.5", "278.500", "280.00", 278.5])
def test_rate_that_is_not_the_logged_one(units: object) -> None:
    log = funded()
    entry = log.contribution("k-3", "PK", m("278500", "PKR"), "2025-02-02")
    entry["data"]["usd"]["rate"]["units_per_usd"] = units

    assert_refused(log, "rate_unknown")


def test_rate_logged_after_the_entry_is_unknown_to_it() -> None:
    log = funded()
    rate = FxRate("PKR", d("2025-02-01"), Decimal("280.00"), "UN operational rates of exchange")
    log.rates["PKR"][rate.on] = rate  # the builder knows it; the log only later
    log.contribution("k-3", "PK", m("280000", "PKR"), "2025-02-02")
    log.add(
        "fund.fx_rate_recorded",
        {"currency": "PKR", "on": "2025-02-01", "units_per_usd": "280.00", "source": rate.source},
    )
    book = log.book()

    assert [(v.index, v.code) for v in book.violations] == [(len(log.entries) - 2, "rate_unknown")]
    assert balance(book, "fund:cash", "PKR") == Decimal(0)


def test_rate_that_is_not_the_latest_on_or_before_the_date() -> None:
    log = funded()
    log.rate("PKR", "2025-02-01", "280.00")
    entry = log.contribution("k-3", "PK", m("278500", "PKR"), "2025-02-02")
    entry["data"]["usd"] = {
        "amount": {"amount": "1000.00", "currency": "USD"},
        "rate": {"on": "2025-01-01", "units_per_usd": "278.50"},
    }

    assert "latest on or before 2025-02-02 is of 2025-02-01" in (
        assert_refused(log, "rate_not_latest").message
    )


def test_rate_dated_after_the_entry() -> None:
    log = funded()
    log.rate("PKR", "2025-03-01", "280.00")
    entry = log.contribution("k-3", "PK", m("278500", "PKR"), "2025-02-02")
    entry["data"]["usd"] = {
        "amount": {"amount": "994.64", "currency": "USD"},
        "rate": {"on": "2025-03-01", "units_per_usd": "280.00"},
    }

    assert_refused(log, "rate_not_latest")


def test_rate_before_any_rate_of_the_currency() -> None:
    log = funded()
    entry = log.contribution("k-3", "PK", m("278500", "PKR"), "2025-02-02")
    entry["data"]["on"] = "2024-12-31"

    assert_refused(log, "rate_not_latest")


def test_rate_on_the_entrys_own_date_is_the_latest() -> None:
    log = funded()
    log.rate("PKR", "2025-02-02", "280.00")
    log.contribution("k-3", "PK", m("280000", "PKR"), "2025-02-02")
    book = log.book()

    assert_honest(book)
    assert book.figures()["by_donor"]["PK"]["usd"]["paid"] == "1000.00"


# malformed entries


def _tamper_last(make: Any, change: Any) -> Log:
    log = allocated()
    make(log)
    change(log.entries[-1]["data"])
    return log


def _contribute(log: Log) -> Entry:
    return log.contribution("k-3", "PK", m("278500", "PKR"), "2025-02-02")


def _set(key: str, value: object) -> Any:
    return lambda data: data.__setitem__(key, value)


def _drop(key: str) -> Any:
    return lambda data: data.pop(key)


@pytest.mark.parametrize(
    "change",
    [
        _drop("contribution"),
        _drop("donor"),
        _drop("amount"),
        _drop("earmark"),
        _drop("on"),
        _drop("usd"),
        _set("contribution", ""),
        _set("donor", 7),
        _set("amount", {"amount": "278500", "currency": "PKR"}),  # PKR has 2 decimals
        _set("amount", {"amount": "278500.0", "currency": "PKR"}),
        _set("amount", {"amount": 278500.0, "currency": "PKR"}),
        _set("amount", {"amount": "278500.00"}),
        _set("amount", {"amount": "278500.00", "currency": "PKR", "usd": "1000.00"}),
        _set("amount", "278500.00 PKR"),
        _set("amount", {"amount": "0.00", "currency": "PKR"}),
        _set("amount", {"amount": "-278500.00", "currency": "PKR"}),
        _set("earmark", "housing.PS0270"),
        _set("earmark", {"sector": "shelter", "governorate": None}),
        _set("earmark", {"sector": None, "governorate": "PS9999"}),
        _set("on", "2025-2-2"),
        _set("on", "20250202"),
        _set("on", "2025-W05-7"),
        _set("on", 20250202),
        _set("on", "2025-02-02T10:00:00"),
        _set("usd", "1000.00"),
        _set("usd", {"amount": {"amount": "1000.00", "currency": "USD"}, "rate": "278.50"}),
        _set("usd", {"amount": {"amount": 1000.0, "currency": "USD"}, "rate": None}),
        _set("commitment", 5),
    ],
    ids=[
        "no id",
        "no donor",
        "no amount",
        "no earmark",
        "no date",
        "no usd",
        "empty id",
        "donor a number",
        "amount without decimals",
        "amount with too few decimals",
        "amount a float",
        "amount without currency",
        "amount with extra keys",
        "amount as text",
        "zero amount",
        "negative amount",
        "earmark as a key",
        "unknown sector",
        "unknown governorate",
        "date without zeros",
        "date in basic format",
        "week date",
        "date as a number",
        "date and time",
        "usd as text",
        "usd rate as text",
        "usd amount a float",
        "commitment a number",
    ],
)
def test_malformed_contribution(change: Any) -> None:
    assert_refused(_tamper_last(_contribute, change), "malformed_entry")


def test_usd_amount_written_as_12_5_is_malformed() -> None:
    log = funded()
    entry = log.contribution("k-3", "US", m("12.50"), "2025-02-02")
    entry["data"]["amount"]["amount"] = "12.5"

    assert "12.50" in assert_refused(log, "malformed_entry").message


def test_data_that_is_not_an_object() -> None:
    log = funded()
    log.add("fund.contribution_recorded", ["k-3", "US"])  # type: ignore[arg-type]

    assert_refused(log, "malformed_entry")


def test_entry_without_data() -> None:
    log = funded()
    log.entries.append({"type": "amanah.fund.contribution_recorded.v1"})

    assert_refused(log, "malformed_entry")


@pytest.mark.parametrize(
    "data",
    [
        {"currency": "PKR", "on": "2025-02-01", "units_per_usd": 280.0, "source": "UN"},
        {"currency": "PKR", "on": "2025-02-01", "units_per_usd": "abc", "source": "UN"},
        {"currency": "PKR", "on": "2025-02-01", "units_per_usd": "0", "source": "UN"},
        {"currency": "PKR", "on": "2025-02-01", "units_per_usd": "-280", "source": "UN"},
        {"currency": "PKR", "on": "2025-02-01", "units_per_usd": "NaN", "source": "UN"},
        {"currency": "USD", "on": "2025-02-01", "units_per_usd": "1.1", "source": "UN"},
        {"currency": "pkr", "on": "2025-02-01", "units_per_usd": "280", "source": "UN"},
        {"currency": "XAU", "on": "2025-02-01", "units_per_usd": "280", "source": "UN"},
        {"currency": "PKR", "on": "2025-02-01", "units_per_usd": "280", "source": " "},
        {"currency": "PKR", "on": "2025-02-01", "units_per_usd": "280"},
        {"currency": "PKR", "on": "1 Feb 2025", "units_per_usd": "280", "source": "UN"},
    ],
)
def test_malformed_rate(data: dict[str, Any]) -> None:
    log = funded()
    log.add("fund.fx_rate_recorded", data)

    assert_refused(log, "malformed_entry")


@pytest.mark.parametrize(
    "data",
    [
        {"project": "p-3", "sector": "housing"},
        {"project": "p-3", "governorate": "PS0270"},
        {"project": "p-3", "sector": "shelter", "governorate": "PS0270"},
        {"project": "p-3", "sector": "housing", "governorate": "Khan Younis"},
        {"sector": "housing", "governorate": "PS0270"},
    ],
)
def test_malformed_project(data: dict[str, Any]) -> None:
    log = funded()
    log.add("project.registered", data)

    assert_refused(log, "malformed_entry")


@pytest.mark.parametrize(
    "make",
    [
        lambda log: log.conversion("x-1", m("100"), m("100"), "2025-02-02"),
        lambda log: log.conversion("x-1", m("100"), m("0", "PKR"), "2025-02-02"),
        lambda log: log.expenditure("e-1", "al-1", m("-1"), "2025-04-01"),
        lambda log: log.expenditure("e-1", "al-1", m("0"), "2025-04-01"),
        lambda log: log.refund("f-1", "al-1", [(HOUSING_KY, m("-1"))], "2025-04-01"),
        lambda log: log.refund(
            "f-1", "al-1", [(HOUSING_KY, m("1")), (HOUSING_KY, m("2"))], "2025-04-01"
        ),
        lambda log: log.pledge("pl-2", "QA", m("0"), "2025-02-02"),
        lambda log: log.commitment("c-2", "QA", m("-5"), "2025-02-02"),
        lambda log: log.commitment("c-2", "Q A", m("5"), "2025-02-02"),
        lambda log: log.commitment("c-2", "QA:x", m("5"), "2025-02-02"),
        lambda log: log.disburse("d-2", "al-1", m("0"), "2025-03-11"),
    ],
    ids=[
        "conversion to itself",
        "conversion for nothing",
        "negative expenditure",
        "zero expenditure",
        "negative refund",
        "refund to one pool twice",
        "zero pledge",
        "negative commitment",
        "donor id not an account segment",
        "donor id with a colon",
        "zero disbursement",
    ],
)
def test_malformed_movements(make: Any) -> None:
    log = allocated()
    make(log)
    if log.entries[-1]["type"] == "amanah.fund.disbursement_approved.v1":
        log.entries[-3:] = log.entries[-3:-2]  # stop at the reservation

    assert_refused(log, "malformed_entry")


@pytest.mark.parametrize(
    "draws",
    [
        [],
        "housing.PS0270",
        [{"earmark": {"sector": "housing", "governorate": "PS0270"}}],
        [{"earmark": "housing.PS0270", "amount": {"amount": "1.00", "currency": "USD"}}],
        [{"earmark": {"sector": "housing", "governorate": "PS0270"}, "amount": "1.00"}],
        [
            {
                "earmark": {"sector": "housing", "governorate": "PS0270"},
                "amount": {"amount": "1.00", "currency": "USD"},
            },
            {
                "earmark": {"sector": None, "governorate": None},
                "amount": {"amount": "1.00", "currency": "QAR"},
            },
        ],
    ],
    ids=["empty", "text", "no amount", "earmark key", "amount text", "two currencies"],
)
def test_malformed_allocation_draws(draws: object) -> None:
    log = funded()
    effect = {"allocation": "al-1", "project": "p-homes", "draws": draws}
    log.open_motion("m-1", "fund.allocate", effect)
    data = {"allocation": "al-1", "motion": "m-1", "project": "p-homes", "draws": draws}
    log.add("fund.allocation_reserved", data)

    assert_refused(log, "malformed_entry")


def test_allocation_id_with_a_colon_is_refused_not_a_crash() -> None:
    log = funded()
    log.allocate("al:1", "p-homes", [(FLEXIBLE, m("10"))], "2025-03-01")
    book = log.book()

    assert [(v.index, v.code) for v in book.violations] == [
        (len(log.entries) - 1, "malformed_entry")
    ]
    assert balance(book, "fund:reserved:any.any") == Decimal("-10.00")


def test_motion_opened_without_an_id() -> None:
    log = funded()
    log.add("motion.opened", {"decoded": {"kind": "fund.allocate", "effect": {}}})

    assert_refused(log, "malformed_entry")


# --- properties ------------------------------------------------------------------------------

PROJECTS = [
    ("p-homes", "housing", "PS0270"),
    ("p-clinic", "health", "PS0260"),
    ("p-school", "education", "PS0270"),
    ("p-water", "wash", "PS0275"),
]
EARMARKS = [FLEXIBLE, HOUSING_KY, HEALTH, Earmark(governorate="PS0270"), Earmark("wash", "PS0275")]
CURRENCIES = {"USD": "1", "PKR": "278.50", "QAR": "3.64", "JOD": "0.709"}
MONTHS = ["2025-01-15", "2025-02-15", "2025-03-15", "2025-04-15"]

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("contribute"),
            st.sampled_from(["PK", "QA", "JO", "US"]),
            st.sampled_from(sorted(CURRENCIES)),
            st.integers(1, 10**7),
            st.sampled_from(EARMARKS),
            st.booleans(),
        ),
        st.tuples(
            st.just("allocate"),
            st.sampled_from(PROJECTS),
            st.integers(0, 3),
            st.integers(1, 100),
        ),
        st.tuples(st.just("disburse"), st.integers(0, 50), st.integers(1, 100)),
        st.tuples(st.just("spend"), st.integers(0, 50), st.integers(1, 100)),
        st.tuples(st.just("refund"), st.integers(0, 50), st.integers(1, 100)),
    ),
    min_size=4,
    max_size=30,
)


def _part(amount: Money, percent: int) -> Money:
    """`percent` of `amount`, rounded down to the currency's minor unit."""
    return amount.times(Decimal(percent) / 100, "ROUND_DOWN")


class Model:
    """What the test itself knows is left, so it writes only honest entries."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.available: dict[tuple[Earmark, str], Money] = {}
        self.allocations: list[tuple[str, Money, list[tuple[Earmark, Money]]]] = []
        self.undisbursed: dict[str, Money] = {}
        self.advance: dict[str, Money] = {}
        self.returnable: dict[tuple[str, Earmark], Money] = {}
        self.n = 0

    def next_id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.n}"

    def contribute(
        self, donor: str, code: str, minor: int, earmark: Earmark, committed: bool, on: str
    ) -> None:
        amount = Money(Decimal(minor).scaleb(-2 if code != "JOD" else -3), code)
        commitment = None
        if committed:
            commitment = self.next_id("c")
            self.log.commitment(commitment, donor, amount, on, earmark)
        self.log.contribution(self.next_id("k"), donor, amount, on, earmark, commitment)
        key = (earmark, code)
        self.available[key] = self.available.get(key, Money.zero(code)) + amount

    def allocate(self, project: tuple[str, str, str], which: int, percent: int, on: str) -> None:
        """From the pools the project may draw on, in one of the currencies they hold."""
        allowed = drawing_order(project[1], project[2])
        held = sorted(
            {
                code
                for (earmark, code), pool in self.available.items()
                if earmark in allowed and not pool.is_zero()
            }
        )
        if not held:
            return
        code = held[which % len(held)]
        draws = []
        for earmark in drawing_order(project[1], project[2]):
            pool = self.available.get((earmark, code))
            if pool is not None and not _part(pool, percent).is_zero():
                draws.append((earmark, _part(pool, percent)))
        if not draws:
            return
        for earmark, amount in draws:
            self.available[(earmark, code)] -= amount
        allocation = self.next_id("al")
        self.log.allocate(allocation, project[0], draws, on)
        self.allocations.append((allocation, total(draws), draws))
        self.undisbursed[allocation] = total(draws)

    def disburse(self, which: int, percent: int, on: str) -> None:
        if self.allocations:
            allocation = self.allocations[which % len(self.allocations)][0]
            amount = _part(self.undisbursed[allocation], percent)
            if not amount.is_zero():
                self.log.disburse(self.next_id("d"), allocation, amount, on)
                self.undisbursed[allocation] -= amount
                self.advance[allocation] = (
                    self.advance.get(allocation, Money.zero(amount.currency)) + amount
                )

    def spend(self, which: int, percent: int, on: str, *, refund: bool) -> None:
        if self.advance:
            allocation = sorted(self.advance)[which % len(self.advance)]
            amount = _part(self.advance[allocation], percent)
            draws = next(d for a, _t, d in self.allocations if a == allocation)
            if amount.is_zero():
                return
            if refund:  # to the first pool drawn from, never more than was drawn from it
                earmark = draws[0][0]
                key = (allocation, earmark)
                amount = min(amount, self.returnable.get(key, draws[0][1]))
                if amount.is_zero():
                    return
                self.returnable[key] = self.returnable.get(key, draws[0][1]) - amount
                self.log.refund(self.next_id("f"), allocation, [(earmark, amount)], on)
            else:
                self.log.expenditure(self.next_id("e"), allocation, amount, on)
            self.advance[allocation] -= amount


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations, st.data())
def test_valid_sequences_balance_and_figures_add_up(ops: list[Any], data: st.DataObject) -> None:
    log = Log()
    for code, units in CURRENCIES.items():
        if code != USD:
            log.rate(code, "2025-01-01", units)
    for project, sector_code, pcode in PROJECTS:
        log.project(project, sector_code, pcode)
    model = Model(log)
    for op in ops:
        on = data.draw(st.sampled_from(MONTHS))
        if op[0] == "contribute":
            _kind, donor, code, minor, earmark, committed = op
            model.contribute(donor, code, minor, earmark, committed, on)
        elif op[0] == "allocate":
            model.allocate(op[1], op[2], op[3], on)
        elif op[0] == "disburse":
            model.disburse(op[1], op[2], on)
        else:
            model.spend(op[1], op[2], on, refund=op[0] == "refund")

    book = log.book()

    assert_honest(book)
    assert set(book.trial_balance_totals()) <= set(CURRENCIES)
    figures = book.figures()
    for column in ("by_sector", "by_governorate", "by_month", "by_donor"):
        rows = figures[column].values()
        if column == "by_donor":
            rows = [row["usd"] for row in rows]
        for stage in STAGES:
            summed = sum((Decimal(row[stage]) for row in rows), Decimal("0.00"))
            if column == "by_donor" and stage not in ("pledged", "committed", "paid"):
                assert summed == 0
            else:
                assert summed == Decimal(figures["totals"][stage]), (column, stage)


def test_a_contribution_pays_at_most_what_its_own_commitment_has_left() -> None:
    # Two commitments of one donor: the receivable alone would let the first be overpaid.
    log = funded()
    log.commitment("c-2", "QA", m("100"), "2025-02-02")
    log.commitment("c-3", "QA", m("100"), "2025-02-02")
    log.contribution("k-3", "QA", m("60"), "2025-02-03", commitment="c-2")
    log.contribution("k-4", "QA", m("40.01"), "2025-02-03", commitment="c-2")

    assert "40.00 USD left" in assert_refused(log, "overdrawn").message


def test_a_reversed_contribution_frees_its_commitment_again() -> None:
    log = funded()
    log.commitment("c-2", "QA", m("100"), "2025-02-02")
    log.contribution("k-3", "QA", m("100"), "2025-02-03", commitment="c-2")
    log.reversal("r-1", "contribution", "k-3")
    log.contribution("k-4", "QA", m("100"), "2025-02-04", commitment="c-2")

    assert_honest(log.book())


def test_rates_have_one_spelling() -> None:
    book = FundBook()
    book.entry(
        0,
        {
            "type": "amanah.fund.fx_rate_recorded.v1",
            "data": {
                "currency": "PKR",
                "on": "2025-01-01",
                "units_per_usd": "2.785E+2",
                "source": "UN",
            },
        },
    )
    assert [v.code for v in book.violations] == ["malformed_entry"]


def test_an_entry_that_is_not_an_object_is_ignored() -> None:
    book = FundBook()
    book.entry(0, ["not", "an", "object"])  # type: ignore[arg-type]
    assert book.violations == []
    assert book.size == 1
