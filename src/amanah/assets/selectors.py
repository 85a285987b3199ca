"""Damaged and rebuilt assets: reads. Public unless a name says otherwise; nothing here
returns an asset's point or an assessment's note."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from amanah.assets import conditions
from amanah.assets.models import Assessment, Asset
from amanah.ledger.selectors import log_size_now
from amanah.projects.models import Project
from amanah.reference.geography import governorates

__all__ = [
    "DamageTable",
    "asset_by_code",
    "assets",
    "assets_for_project",
    "damage_by_governorate",
    "history",
    "log_size_now",
    "projects_in",
]


@dataclass(frozen=True)
class DamageTable:
    """Every governorate's tally, north to south, and the whole Strip's."""

    by_governorate: dict[str, conditions.Tally]
    total: conditions.Tally


def _histories(
    rows: QuerySet[Asset], log_size: int | None
) -> Iterable[tuple[str, list[conditions.Assessed]]]:
    places = dict(rows.values_list("id", "governorate"))
    assessments = Assessment.objects.filter(asset_id__in=rows.values("id"))
    if log_size is not None:
        assessments = assessments.filter(log_index__lt=log_size)
    found: dict[object, list[conditions.Assessed]] = defaultdict(list)
    for asset_id, day, index, condition in assessments.values_list(
        "asset_id", "assessed_on", "log_index", "condition"
    ):
        found[asset_id].append(conditions.Assessed(day, index, condition))
    return [(pcode, found.get(asset_id, [])) for asset_id, pcode in places.items()]


def _damage_now(rows: QuerySet[Asset]) -> DamageTable:
    """The table from the condition and the "damaged again" each row keeps: one grouped
    query, for the pages that show it on every visit."""
    by_governorate = {g.pcode: conditions.Tally() for g in governorates()}
    total = conditions.Tally()
    grouped = (
        rows.order_by()
        .values_list("governorate", "condition", "damaged_again")
        .annotate(count=Count("id"))
    )
    for pcode, condition, again, count in grouped:
        for line in (by_governorate.setdefault(pcode, conditions.Tally()), total):
            if condition:
                line.by_condition[condition] += count
            else:
                line.not_assessed += count
            if again:
                line.damaged_again += count
    return DamageTable(by_governorate=by_governorate, total=total)


def damage_by_governorate(kind: str = "", *, log_size: int | None = None) -> DamageTable:
    """Assets by current condition in each governorate (of one kind, if given), in one
    query however many assets there are. With `log_size`: as the log's first `log_size`
    entries state it, for the audit's `--against`, replayed from every assessment (two
    queries; the same rules, `conditions`)."""
    rows = Asset.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if log_size is None:
        return _damage_now(rows)
    rows = rows.filter(registered_index__lt=log_size)
    histories = list(_histories(rows, log_size))
    by_governorate = conditions.tally(histories, [g.pcode for g in governorates()])
    (total,) = conditions.tally((("all", h) for _, h in histories), ["all"]).values()
    return DamageTable(by_governorate=by_governorate, total=total)


def assets(*, kind: str = "", governorate: str = "", condition: str = "") -> QuerySet[Asset]:
    """The register, filtered; `condition` is the current one ("none": never assessed)."""
    rows = Asset.objects.select_related("owner", "project")
    if kind:
        rows = rows.filter(kind=kind)
    if governorate:
        rows = rows.filter(governorate=governorate)
    if condition == "none":
        rows = rows.filter(condition="")
    elif condition:
        rows = rows.filter(condition=condition)
    return rows.order_by("governorate", "code")


def asset_by_code(code: str) -> Asset | None:
    # Codes are unique without regard to case, so any spelling finds the one asset.
    return Asset.objects.select_related("owner", "project").filter(code__iexact=code).first()


def history(asset: Asset) -> list[Assessment]:
    """An asset's assessments, latest first (by day, then by log index)."""
    return list(asset.assessments.order_by("-assessed_on", "-log_index"))


def assets_for_project(project: Project) -> list[Asset]:
    """The assets a project rebuilds, by code (for its public page)."""
    return list(project.assets.order_by("code"))


def projects_in(governorate: str = "") -> QuerySet[Project]:
    """The projects an asset may be linked to: those of its governorate (all, if none)."""
    rows = Project.objects.all()
    if governorate:
        rows = rows.filter(governorate=governorate)
    return rows.order_by("code")
