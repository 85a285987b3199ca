"""Illustrative log entries for `load_demo`: invented figures, shaped like real ones.

The amounts are made up; they are written through `ledger.record` like every real fact,
so the demo log exercises the same paths as a real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class _Donor:
    iso3166: str
    name: str
    pledge: Decimal


_DONORS = (
    _Donor("PK", "Pakistan", Decimal("40000000")),
    _Donor("TR", "Türkiye", Decimal("150000000")),
    _Donor("ID", "Indonesia", Decimal("60000000")),
    _Donor("EG", "Egypt", Decimal("120000000")),
    _Donor("QA", "Qatar", Decimal("250000000")),
    _Donor("SA", "Saudi Arabia", Decimal("300000000")),
    _Donor("JO", "Jordan", Decimal("35000000")),
)
# The first tranche of each pledge, then the second, as shares of the pledge.
_TRANCHES = (Decimal("0.40"), Decimal("0.35"))
# OCHA P-codes of Gaza's five governorates, north to south (see shared/data/README.md).
_GOVERNORATES = (
    ("PS0255", "North Gaza"),
    ("PS0260", "Gaza"),
    ("PS0265", "Deir Al-Balah"),
    ("PS0270", "Khan Younis"),
    ("PS0275", "Rafah"),
)
_SECTORS = (("housing", Decimal("0.12")), ("education", Decimal("0.05")))


@dataclass(frozen=True)
class DemoRecord:
    kind: str
    actor: str
    data: dict[str, Any]


def demo_records() -> list[DemoRecord]:
    """The demo log's facts in log order; every kind starts with `demo.` and every record
    says `"illustrative": true`, so no demo figure can pass for a real one."""
    records = [*_pledges(), *_contributions(), *_allocations(), *_milestones()]
    return [
        DemoRecord(f"demo.{data.pop('kind')}", actor, {**data, "illustrative": True})
        for actor, data in records
    ]


def _money(value: Decimal) -> dict[str, str]:
    # Strings, never JSON numbers: canonical JSON would turn amounts into binary floats.
    return {"value": str(value.quantize(_CENT)), "currency": "USD"}


def _donor(donor: _Donor) -> dict[str, str]:
    return {"iso3166": donor.iso3166, "name": donor.name}


def _pledges() -> Iterator[tuple[str, dict[str, Any]]]:
    for donor in _DONORS:
        data = {"kind": "pledge.recorded", "donor": _donor(donor), "amount": _money(donor.pledge)}
        yield "demo:secretariat", data


def _contributions() -> Iterator[tuple[str, dict[str, Any]]]:
    for tranche, share in enumerate(_TRANCHES, start=1):
        for donor in _DONORS:
            data = {
                "kind": "contribution.received",
                "donor": _donor(donor),
                "tranche": tranche,
                "amount": _money(donor.pledge * share),
            }
            yield "demo:secretariat", data


def _received() -> Decimal:
    return sum((donor.pledge * share for donor in _DONORS for share in _TRANCHES), Decimal(0))


def _allocations() -> Iterator[tuple[str, dict[str, Any]]]:
    received = _received()
    for pcode, name in _GOVERNORATES:
        for sector, share in _SECTORS:
            data = {
                "kind": "allocation.approved",
                "governorate": {"pcode": pcode, "name": name},
                "sector": sector,
                "amount": _money(received * share),
            }
            yield "demo:board", data


def _milestones() -> Iterator[tuple[str, dict[str, Any]]]:
    for pcode, name in _GOVERNORATES:
        data = {
            "kind": "milestone.verified",
            "governorate": {"pcode": pcode, "name": name},
            "sector": "housing",
            "milestone": "site cleared and surveyed",
        }
        yield "demo:monitor", data
