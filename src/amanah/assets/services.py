"""Damaged and rebuilt assets: every write.

Each public service runs in one durable transaction under the log's write lock
(`ledger.service`); `.in_callers_transaction` runs the same steps inside a transaction
already open (a CSV import's, the demo's). Bad input raises Django's `ValidationError`
naming every field with a problem at once; a user without the role raises `RoleRequired`.

Roles: the secretariat and monitors register assets and record assessments (the
secretariat imports remote ones in bulk); only a monitor, after a site visit, may say an
asset is restored; the secretariat links an asset to the project rebuilding it.

Do no harm: an asset's point and an assessment's note are private (the log holds a
commitment to them); the log and the public see the governorate only.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role, user_has_role
from amanah.assets import conditions
from amanah.assets.models import Assessment, Asset, AssetKind, Condition, Method
from amanah.core.problems import Problems, coordinate
from amanah.ledger import services as ledger
from amanah.ledger.services import service
from amanah.orgs.models import Organisation
from amanah.projects.models import Project
from amanah.reference import geography

__all__ = ["assessment_public", "asset_assess", "asset_link", "asset_public", "asset_register"]

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,39}")
# The staff pages' addresses sit beside the assets' own (/assets/new/, /assets/import/).
_RESERVED_CODES = frozenset({"new", "import"})
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _actor(user: User) -> str:
    return f"user:{user.pk}"


def _text(value: object, field: str, limit: int, problems: Problems) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        problems.add(field, _("Write at most {n} characters.").format(n=limit), "too_long")
    elif "\x00" in text or not _encodable(text):
        # The log is UTF-8 and PostgreSQL refuses NUL: refuse them here, by name.
        problems.add(field, _("This text has characters that cannot be stored."), "characters")
    return text


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _choice(
    value: object, field: str, allowed: type[AssetKind | Condition | Method], problems: Problems
) -> str:
    text = "" if value is None else str(value).strip()
    if text not in allowed.values:
        problems.add(
            field,
            _("Choose one of: {codes}.").format(codes=", ".join(allowed.values)),
            "required" if not text else "invalid_choice",
        )
    return text


def _day(value: object, field: str, problems: Problems) -> datetime.date | None:
    day: object = value
    if isinstance(value, str):
        try:
            # Only YYYY-MM-DD: fromisoformat also takes 20260101 and 2026-W01-1.
            day = (
                datetime.date.fromisoformat(value.strip())
                if _DAY.fullmatch(value.strip())
                else None
            )
        except ValueError:
            day = None
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        problems.add(field, _("Give the date as YYYY-MM-DD."), "date")
        return None
    # The log's clock (UTC), with the replay's grace (replay.GRACE), so that the audit
    # refuses exactly what the service refuses, whatever the server's time zone.
    if day > datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=1):
        problems.add(field, _("The date cannot be in the future."), "future")
        return None
    return day


def _organisation(value: object, problems: Problems) -> Organisation | None:
    if isinstance(value, Organisation):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    found = Organisation.objects.filter(iati_identifier=text).first()
    if found is None:
        problems.add("owner", _("Name the organisation by a registered IATI identifier."))
    return found


def _project(value: object, problems: Problems) -> Project | None:
    if isinstance(value, Project):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    found = Project.objects.filter(code=text).first()
    if found is None:
        problems.add("project", _("There is no such project."))
    return found


def _check_project_place(project: Project | None, pcode: str, problems: Problems) -> None:
    if project is not None and pcode and project.governorate != pcode:
        name = geography.governorate(project.governorate).name(get_language() or "en")
        message = _("This project works in {governorate}, not where the asset is.")
        problems.add("project", message.format(governorate=name), "elsewhere")


def _asset(value: Asset | uuid.UUID | str, *, lock: bool = False) -> Asset:
    rows = Asset.objects.select_for_update() if lock else Asset.objects.all()
    if isinstance(value, Asset):
        value = value.pk
    found = None
    if isinstance(value, uuid.UUID):
        found = rows.filter(pk=value).first()
    else:
        text = str(value).strip()
        found = rows.filter(code__iexact=text).first()
        if found is None:
            try:
                found = rows.filter(pk=uuid.UUID(text)).first()
            except ValueError:
                found = None
    if found is None:
        raise ValidationError({"asset": ValidationError(_("There is no such asset."), "missing")})
    return found


def asset_public(asset: Asset) -> dict[str, object]:
    """What `asset.registered` logs: everything about an asset but its point."""
    return {
        "asset": str(asset.id),
        "code": asset.code,
        "name_en": asset.name_en,
        "name_ar": asset.name_ar,
        "kind": asset.kind,
        "governorate": asset.governorate,
        "owner": asset.owner.iati_identifier if asset.owner else None,
        "project": asset.project.code if asset.project else None,
    }


def assessment_public(assessment: Assessment) -> dict[str, object]:
    return {
        "asset": str(assessment.asset_id),
        "code": assessment.asset.code,
        "assessed_on": assessment.assessed_on.isoformat(),
        "condition": assessment.condition,
        "method": assessment.method,
        "source": assessment.source,
    }


@service
def asset_register(
    *,
    code: str,
    kind: str,
    governorate: str,
    name_en: str = "",
    name_ar: str = "",
    owner: object = "",
    project: object = "",
    latitude: object = None,
    longitude: object = None,
    actor: User,
) -> Asset:
    """Register an asset (log `asset.registered`; its point only as a commitment)."""
    require_role(actor, Role.SECRETARIAT, Role.MONITOR)
    problems = Problems()
    code = _text(code, "code", 40, problems)
    if not _CODE.fullmatch(code):
        problems.add(
            "code",
            _("Give a code of 2 to 40 letters, digits and hyphens, like AS-GZA-SCH-0001."),
            "required" if not code else "invalid",
        )
    elif code.lower() in _RESERVED_CODES:
        problems.add("code", _("This word is reserved; give another code."), "reserved")
    elif Asset.objects.filter(code__iexact=code).exists():
        problems.add("code", _("An asset with this code is already registered."), "duplicate")
    name_en = _text(name_en, "name_en", 200, problems)
    name_ar = _text(name_ar, "name_ar", 200, problems)
    if not (name_en or name_ar):
        problems.add("name_en", _("Give the name in English, Arabic or both."), "required")
    kind = _choice(kind, "kind", AssetKind, problems)
    pcode = "" if governorate is None else str(governorate).strip()
    try:
        geography.governorate(pcode)
    except geography.UnknownGovernorate:
        problems.add("governorate", _("Choose a governorate of Gaza by its P-code."))
        pcode = ""
    body = _organisation(owner, problems)
    rebuilding = _project(project, problems)
    _check_project_place(rebuilding, pcode, problems)
    lat = coordinate(latitude, "latitude", 90, problems)
    lon = coordinate(longitude, "longitude", 180, problems)
    if (lat is None) != (lon is None):
        missing = "longitude" if lon is None else "latitude"
        problems.add(missing, _("Give both the latitude and the longitude, or neither."), "point")
    elif (
        lat is not None
        and lon is not None
        and pcode
        and not geography.point_in_governorate(float(lat), float(lon), pcode)
    ):
        name = geography.governorate(pcode).name(get_language() or "en")
        message = _("This point is not in {governorate}.").format(governorate=name)
        problems.add("latitude", message, "outside")
    problems.check()
    asset = Asset(
        id=uuid.uuid4(),
        code=code,
        name_en=name_en,
        name_ar=name_ar,
        kind=kind,
        governorate=pcode,
        owner=body,
        project=rebuilding,
        latitude=lat,
        longitude=lon,
    )
    private = None
    if lat is not None and lon is not None:
        private = {"latitude": str(lat), "longitude": str(lon)}
    asset.registered_index = ledger.record(
        "asset.registered", asset_public(asset), actor=_actor(actor), private=private
    ).index
    asset.save()
    return asset


@service
def asset_assess(
    *,
    asset: Asset | uuid.UUID | str,
    assessed_on: object,
    condition: str,
    method: str,
    source: str,
    note: str = "",
    actor: User,
) -> Assessment:
    """Record an assessment of an asset (log `asset.assessed`; the note only as a
    commitment). The asset's condition becomes this one unless a later-dated assessment
    is on record."""
    require_role(actor, Role.SECRETARIAT, Role.MONITOR)
    target = _asset(asset, lock=True)
    problems = Problems()
    day = _day(assessed_on, "assessed_on", problems)
    condition = _choice(condition, "condition", Condition, problems)
    method = _choice(method, "method", Method, problems)
    source = _text(source, "source", 200, problems)
    if not source:
        problems.add("source", _("Say who assessed it, and from what."), "required")
    note = _text(note, "note", 2000, problems)
    if condition == Condition.RESTORED:
        # Imagery shows a roof, not a working clinic: only a monitor who went can say it.
        if method != Method.SITE:
            problems.add(
                "method", _("Only a site visit can find an asset restored."), "restored_remote"
            )
        if not user_has_role(actor, Role.MONITOR):
            problems.add(
                "condition", _("Only a monitor can find an asset restored."), "restored_role"
            )
    if (
        day is not None
        and not problems.errors
        and target.assessments.filter(
            assessed_on=day, condition=condition, method=method, source=source
        ).exists()
    ):
        # A file sent twice must not double the history.
        problems.add(
            "assessed_on",
            _("This assessment (same day, condition, method and source) is already recorded."),
            "duplicate",
        )
    problems.check()
    assert day is not None
    assessment = Assessment(
        id=uuid.uuid4(),
        asset=target,
        assessed_on=day,
        condition=condition,
        method=method,
        source=source,
        note=note,
        recorded_by=actor,
    )
    assessment.log_index = ledger.record(
        "asset.assessed",
        assessment_public(assessment),
        actor=_actor(actor),
        private={"note": note} if note else None,
    ).index
    assessment.save()
    history = [a.as_assessed() for a in target.assessments.all()]
    latest = conditions.current(history)
    assert latest is not None
    target.condition, target.condition_on = latest.condition, latest.assessed_on
    target.damaged_again = conditions.damaged_again(history)
    target.save(update_fields=["condition", "condition_on", "damaged_again"])
    return assessment


@service
def asset_link(*, asset: Asset | uuid.UUID | str, project: object, actor: User) -> Asset:
    """Name the project rebuilding an asset, or none (log `asset.linked`)."""
    require_role(actor, Role.SECRETARIAT)
    target = _asset(asset, lock=True)
    problems = Problems()
    rebuilding = _project(project, problems)
    _check_project_place(rebuilding, target.governorate, problems)
    if problems.errors:
        problems.check()
    if rebuilding == target.project:
        message = (
            _("No project is linked to this asset.")
            if rebuilding is None
            else _("The asset is already linked to this project.")
        )
        problems.add("project", message, "unchanged")
        problems.check()
    ledger.record(
        "asset.linked",
        {
            "asset": str(target.id),
            "code": target.code,
            "project": rebuilding.code if rebuilding else None,
        },
        actor=_actor(actor),
    )
    target.project = rebuilding
    target.save(update_fields=["project"])
    return target
