"""/api/v1/assets/...: damaged and rebuilt assets over the API.

Public, with no token: the register, each asset with its assessments, and the damage tally
by governorate (as of any size of the log, for the audit). Writes need a token of the role
the act needs (see `services`). Do no harm: no response names an asset's point or an
assessment's note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from amanah.accounts.models import User
from amanah.assets import imports, selectors, services
from amanah.assets.models import Assessment, Asset, AssetKind, Condition
from amanah.assets.schemas import (
    AssetAssessIn,
    AssetAssessmentOut,
    AssetDamageOut,
    AssetDetailOut,
    AssetImportIn,
    AssetImportOut,
    AssetIn,
    AssetLinkIn,
    AssetListIn,
    AssetListOut,
    AssetOut,
)
from amanah.core.errors import NotFound, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.reference import geography

router = Router(tags=["assets"])

_T = TypeVar("_T")
_WRITE = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _service(call: Callable[[], _T]) -> _T:
    """Run a service; its ValidationError (naming the fields) becomes the API's 422."""
    try:
        return call()
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None


def _log_size(size: int | None) -> int:
    """The log size asked for, or the log's current size if none was."""
    now = selectors.log_size_now()
    if size is None:
        return now
    if not 0 <= size <= now:
        raise RequestInvalid(
            {"log_size": _("Give a log size between 0 and the log's current size.")}
        )
    return size


def _check_filters(*, kind: str = "", governorate: str = "", condition: str = "") -> None:
    problems: dict[str, str] = {}
    if kind and kind not in AssetKind.values:
        problems["kind"] = _("Choose one of: {codes}.").format(codes=", ".join(AssetKind.values))
    if governorate:
        try:
            geography.governorate(governorate)
        except geography.UnknownGovernorate:
            problems["governorate"] = _("Choose a governorate of Gaza by its P-code.")
    if condition and condition != "none" and condition not in Condition.values:
        codes = ", ".join([*Condition.values, "none"])
        problems["condition"] = _("Choose one of: {codes}.").format(codes=codes)
    if problems:
        raise RequestInvalid(problems)


def _asset(code: str) -> Asset:
    found = selectors.asset_by_code(code)
    if found is None:
        raise NotFound()
    return found


def _asset_out(row: Asset) -> dict[str, Any]:
    return {
        "code": row.code,
        "name_en": row.name_en,
        "name_ar": row.name_ar,
        "kind": row.kind,
        "governorate": row.governorate,
        "owner": row.owner.iati_identifier if row.owner else None,
        "project": row.project.code if row.project else None,
        "condition": row.condition or None,
        "condition_on": row.condition_on,
        "registered_index": row.registered_index,
    }


def _assessment_out(row: Assessment) -> dict[str, Any]:
    return {
        "assessed_on": row.assessed_on,
        "condition": row.condition,
        "method": row.method,
        "source": row.source,
        "log_index": row.log_index,
    }


@router.get(
    "",
    response={200: AssetListOut, 422: ErrorOut},
    auth=None,
    summary="Assets, filtered by kind, governorate and current condition (never their point)",
)
def assets(request: HttpRequest, query: Query[AssetListIn]) -> dict[str, Any]:
    filters = query.dict(exclude={"limit", "offset"})
    _check_filters(**filters)
    rows = selectors.assets(**filters)
    return {
        "assets": [_asset_out(row) for row in rows[query.offset : query.offset + query.limit]],
        "total": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
    }


@router.post(
    "",
    response={201: AssetOut, **_WRITE},
    summary="Register an asset (secretariat, monitors); its point stays private",
)
def asset_register(request: HttpRequest, body: AssetIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.asset_register(**body.dict(), actor=actor))
    return Status(201, _asset_out(_asset(row.code)))


@router.get(
    "/damage",
    response={200: AssetDamageOut, 422: ErrorOut},
    auth=None,
    summary="Assets by current condition in each governorate, north to south, and in all",
    description="With `log_size`: as the log's first `log_size` entries state it, exactly"
    " what `amanah audit` recomputes from the log; without it, as of the log's current size,"
    " which the answer gives.",
)
def damage(request: HttpRequest, kind: str = "", log_size: int | None = None) -> dict[str, Any]:
    _check_filters(kind=kind)
    size = _log_size(log_size)
    table = selectors.damage_by_governorate(kind, log_size=size)
    return {
        "log_size": size,
        "governorates": [
            {"governorate": pcode, **tally.as_dict()}
            for pcode, tally in table.by_governorate.items()
        ],
        "total": table.total.as_dict(),
    }


@router.post(
    "/assessments/import",
    response={201: AssetImportOut, **_WRITE},
    summary="Import assessments from CSV (secretariat, monitors): all or none",
    description='Every row is recorded, or none; a 422 names each wrong row as "line N: column".',
)
def assessments_import(request: HttpRequest, body: AssetImportIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        recorded = imports.assessments_import(body.csv, actor=actor)
    except imports.ImportInvalid as error:
        raise RequestInvalid(error.problems()) from None
    return Status(
        201, {"recorded": len(recorded), "log_indexes": [row.log_index for row in recorded]}
    )


@router.get(
    "/{code}",
    response={200: AssetDetailOut, 404: ErrorOut},
    auth=None,
    summary="An asset and its assessments, latest first (never its point or a note)",
)
def asset(request: HttpRequest, code: str) -> dict[str, Any]:
    row = _asset(code)
    return {
        **_asset_out(row),
        "assessments": [_assessment_out(a) for a in selectors.history(row)],
    }


@router.post(
    "/{code}/assessments",
    response={201: AssetAssessmentOut, 404: ErrorOut, **_WRITE},
    summary="Record an assessment (secretariat, monitors; restored: a monitor's site visit)",
)
def asset_assess(request: HttpRequest, code: str, body: AssetAssessIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _asset(code)
    done = _service(lambda: services.asset_assess(asset=row.id, **body.dict(), actor=actor))
    return Status(201, _assessment_out(done))


@router.post(
    "/{code}/link",
    response={200: AssetOut, 404: ErrorOut, **_WRITE},
    summary="Name the project rebuilding an asset, or none (secretariat)",
)
def asset_link(request: HttpRequest, code: str, body: AssetLinkIn) -> dict[str, Any]:
    actor = _actor(request)
    row = _asset(code)
    _service(lambda: services.asset_link(asset=row.id, project=body.project, actor=actor))
    return _asset_out(_asset(code))
