"""`flags_check` reads every released line in a fixed number of queries: run daily over
every project's material, it must not take more queries as lines are added. Only raising
a flag (logging it and saving it) adds queries, the same for each flag."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from materials_factories import DAY, Setup, build, entries

from amanah.materials import services
from amanah.materials.models import MaterialType, UnaccountedFlag, Vendor
from amanah.projects.models import Project

pytestmark = pytest.mark.django_db

LATE = DAY + datetime.timedelta(days=30)  # the allowance has run out for DAY's releases


@pytest.fixture
def s(settings, var_dir: Path) -> Setup:  # type: ignore[no-untyped-def]
    settings.AMANAH_MATERIALS_ON_SITE_DAYS = 30
    return build()


def _release(s: Setup, project: Project, vendor: Vendor, material: MaterialType) -> None:
    """10 of `material` from `vendor` received, allocated to `project` and released on
    DAY, none of it reported since."""
    for kind in ("received", "allocated", "released"):
        services.movement_record(
            kind=kind,
            material=material,
            warehouse=s.access.warehouse.id,
            vendor=vendor,
            quantity="10",
            occurred_on=DAY,
            project=None if kind == "received" else project,
            consignment=s.consignment.id if kind == "received" else None,
            actor=s.logistics,
            today=DAY,
        )


def _many_lines(s: Setup) -> int:
    """Releases for 8 lines in all (the first, `_release(s, s.housing, s.vendor,
    s.cement)`, already made): 2 projects x 2 vendors x 2 materials."""
    other = services.vendor_add(name="Rafah Hardware", actor=s.logistics)
    for project in (s.housing, s.school):
        for vendor in (s.vendor, other):
            for material in (s.cement, s.rebar):
                if (project, vendor, material) != (s.housing, s.vendor, s.cement):
                    _release(s, project, vendor, material)
    return 8


def _check(today: datetime.date) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as done:
        raised = services.flags_check(today=today)
    return raised, [q["sql"] for q in done.captured_queries]


def _reads(queries: list[str]) -> int:
    """How many of `queries` are reads of what the check decides on (not the log's lock,
    nor logging and saving a raised flag)."""
    return sum(
        sql.lstrip().upper().startswith("SELECT") and "ledger_sequencer" not in sql
        for sql in queries
    )


def _writes(queries: list[str]) -> int:
    return len(queries) - _reads(queries)


def test_the_check_takes_the_same_queries_however_many_lines(s: Setup) -> None:
    _release(s, s.housing, s.vendor, s.cement)
    # A resolved flag and an open one: the check reads them with the rest.
    UnaccountedFlag.objects.create(
        project=s.school, vendor=s.vendor, material=s.rebar, gap=1, received=1, raised_index=900,
        resolved_index=901,
    )  # fmt: skip
    UnaccountedFlag.objects.create(
        project=s.school, vendor=s.vendor, material=s.cement, gap=1, received=1, raised_index=902
    )
    one, queries_one = _check(DAY)  # within the allowance: nothing is due
    lines = _many_lines(s)
    many, queries_many = _check(DAY)

    assert (one, many) == (0, 0)
    assert len(queries_many) == len(queries_one), "\n".join(queries_many)
    assert lines > 1


def test_raising_adds_only_the_writes_of_each_flag(s: Setup) -> None:
    _release(s, s.housing, s.vendor, s.cement)
    none, queries_none = _check(DAY)
    one, queries_one = _check(LATE)
    UnaccountedFlag.objects.all().delete()
    lines = _many_lines(s)
    before = len(entries())
    many, queries_many = _check(LATE)

    assert (none, one, many) == (0, 1, lines)
    assert _reads(queries_many) == _reads(queries_one), "\n".join(queries_many)
    per_flag = _writes(queries_one) - _writes(queries_none)
    assert per_flag > 0
    assert _writes(queries_many) == _writes(queries_none) + per_flag * lines
    # Raised in the order of the lines' ids, as before, each logged before the next.
    raised = [e["data"] for e in entries()[before:]]
    flags = {str(f.id): f for f in UnaccountedFlag.objects.all()}
    keys = [
        (flags[d["flag"]].project_id, flags[d["flag"]].vendor_id, flags[d["flag"]].material_id)
        for d in raised
    ]
    assert keys == sorted(keys, key=str)
    assert len(set(keys)) == lines
