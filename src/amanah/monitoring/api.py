"""/api/v1/monitoring/...: public projects (list and detail), milestones, progress
reports with evidence, monitors' verifications, results indicators, and the
secretariat's notifications.

Reading milestones and indicators needs no token: everything read is public (a
verification's point is rounded to about 100 m, who reported is never shown). Evidence is
public or private by file: anyone may fetch a public file; with a token, the secretariat,
monitors and the lead's partner staff may fetch a private one; to everyone else a private
file does not exist (404). Reports and verifications are multipart forms with the files
in the fields `photo`, `invoice`, `certificate` and `other` (each may repeat).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.accounts.services import api_token_authenticate
from amanah.core.errors import NotFound, RequestInvalid, TokenInvalid
from amanah.core.schemas import ErrorOut
from amanah.monitoring import evidence, selectors, services
from amanah.monitoring.schemas import (
    EvidenceOut,
    IndicatorIn,
    IndicatorListOut,
    IndicatorOut,
    MilestoneIn,
    MilestoneListOut,
    MilestoneOut,
    NotificationListOut,
    NotificationOut,
    ProjectDetailOut,
    ProjectListIn,
    ProjectPageListOut,
    ReportFiledOut,
    ReportIn,
    VerificationFiledOut,
    VerificationIn,
    evidence_out,
    indicator_out,
    milestone_out,
    notification_out,
    project_detail_out,
    project_summary_out,
    report_out,
    verification_out,
)
from amanah.projects.models import Project

router = Router(tags=["monitoring"])

_T = TypeVar("_T")
_WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Files = File[list[UploadedFile]]


def _token_or_anonymous(request: HttpRequest) -> User | AnonymousUser:
    """A token's user if the request sends one (a bad token is refused), else anonymous."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not scheme:
        return AnonymousUser()
    user = api_token_authenticate(plaintext=token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise TokenInvalid()
    return user


def _actor(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _service(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None


def _project(code: str) -> Project:
    project = selectors.project_by_code(code)
    if project is None:
        raise NotFound()
    return project


def _evidence(
    photo: list[UploadedFile] | None,
    invoice: list[UploadedFile] | None,
    certificate: list[UploadedFile] | None,
    other: list[UploadedFile] | None,
) -> list[tuple[str, UploadedFile]]:
    given = {"photo": photo, "invoice": invoice, "certificate": certificate, "other": other}
    return [(kind, upload) for kind, uploads in given.items() for upload in uploads or ()]


# --- projects ----------------------------------------------------------------------------


@router.get(
    "/projects",
    response={200: ProjectPageListOut, 422: ErrorOut},
    auth=None,
    summary="Projects, filtered by sector, governorate, lead and status, with their money",
    description="By code. `allocated_usd` and `disbursed_usd` count approved allocations and"
    " tranches only, as sums of each fact's own US dollar equivalent.",
)
def projects(request: HttpRequest, query: Query[ProjectListIn]) -> dict[str, Any]:
    filters = query.dict(exclude={"limit", "offset"})
    queryset = selectors.project_list(**filters)
    rows = selectors.project_list_rows(queryset[query.offset : query.offset + query.limit])
    return {
        "projects": [project_summary_out(row) for row in rows],
        "total": queryset.count(),
        "limit": query.limit,
        "offset": query.offset,
    }


@router.get(
    "/projects/{code}",
    response={200: ProjectDetailOut, 404: ErrorOut},
    auth=None,
    summary="Everything public about a project: what, where, who leads, money in and out,"
    " the board's approvals with their signatures, milestones with evidence hashes",
    description="Never a bank reference or account, who reported an expenditure or"
    " progress, a proposal's municipality or point, or a site visit's exact point.",
)
def project(request: HttpRequest, code: str) -> dict[str, Any]:
    page = selectors.project_page(code)
    if page is None:
        raise NotFound()
    return project_detail_out(page)


# --- milestones --------------------------------------------------------------------------


@router.get(
    "/projects/{code}/milestones",
    response={200: MilestoneListOut, 404: ErrorOut},
    auth=None,
    summary="A project's milestones, with their reports and verifications",
)
def milestones(request: HttpRequest, code: str) -> dict[str, Any]:
    rows = selectors.milestone_list(_project(code))
    return {"milestones": [milestone_out(m) for m in rows]}


@router.post(
    "/projects/{code}/milestones",
    response={201: MilestoneOut, **_WRITE},
    summary="Define a milestone of a project (the secretariat)",
)
def milestone_create(request: HttpRequest, code: str, body: MilestoneIn) -> Status[dict[str, Any]]:
    actor, project = _actor(request), _project(code)
    row = _service(
        lambda: services.milestone_define(project=project.code, **body.dict(), actor=actor)
    )
    return Status(201, milestone_out(selectors.milestone_detail(row.pk)))  # type: ignore[arg-type]


@router.get(
    "/milestones/{milestone_id}",
    response={200: MilestoneOut, 404: ErrorOut},
    auth=None,
    summary="A milestone, with its reports and verifications",
)
def milestone(request: HttpRequest, milestone_id: uuid.UUID) -> dict[str, Any]:
    row = selectors.milestone_detail(milestone_id)
    if row is None:
        raise NotFound()
    return milestone_out(row)


@router.post(
    "/milestones/{milestone_id}/reports",
    response={201: ReportFiledOut, **_WRITE},
    summary="Report progress with evidence files (partner staff of the project's lead)",
    description="A multipart form. Invoices are private unless `publish_invoices`; photos"
    " and certificates public unless `withhold_photos` (photos only). `duplicates` lists"
    " the files the fund already held, by SHA-256.",
)
def report_create(
    request: HttpRequest,
    milestone_id: uuid.UUID,
    body: Form[ReportIn],
    photo: Files = None,  # type: ignore[assignment]
    invoice: Files = None,  # type: ignore[assignment]
    certificate: Files = None,  # type: ignore[assignment]
    other: Files = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    actor = _actor(request)
    filed = _service(
        lambda: services.milestone_report(
            milestone=milestone_id,
            reported_on=body.reported_on,
            summary=body.summary,
            evidence=_evidence(photo, invoice, certificate, other),
            public={"invoice": body.publish_invoices}
            | ({"photo": False} if body.withhold_photos else {}),
            actor=actor,
        )
    )
    return Status(201, {"report": report_out(filed.row), "duplicates": list(filed.duplicates)})


@router.post(
    "/milestones/{milestone_id}/verifications",
    response={201: VerificationFiledOut, **_WRITE},
    summary="Record a site verification: pass, partial or fail (a monitor)",
    description="A multipart form. A pass prepares the milestone's tranche as a `fund.disburse`"
    " motion; a fail blocks the allocation's tranches and notifies the secretariat. The"
    " point is stored exactly and published rounded to about 100 m.",
)
def verification_create(
    request: HttpRequest,
    milestone_id: uuid.UUID,
    body: Form[VerificationIn],
    photo: Files = None,  # type: ignore[assignment]
    certificate: Files = None,  # type: ignore[assignment]
    other: Files = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    actor = _actor(request)
    filed = _service(
        lambda: services.milestone_verify(
            milestone=milestone_id,
            visited_on=body.visited_on,
            result=body.result,
            findings=body.findings,
            latitude=body.latitude,
            longitude=body.longitude,
            evidence=_evidence(photo, None, certificate, other),
            public={"photo": False} if body.withhold_photos else None,
            actor=actor,
        )
    )
    return Status(
        201,
        {"verification": verification_out(filed.row), "duplicates": list(filed.duplicates)},
    )


# --- evidence ----------------------------------------------------------------------------


def _fetchable(request: HttpRequest, sha256: str) -> Any:
    file = selectors.evidence_file(sha256)
    if file is None or not selectors.may_fetch(request.auth, file):  # type: ignore[attr-defined]
        raise NotFound()
    return file


@router.get(
    "/evidence/{sha256}",
    response={200: EvidenceOut, 401: ErrorOut, 404: ErrorOut},
    auth=[_token_or_anonymous],
    summary="An evidence file's metadata (a private one only with a token that may see it)",
)
def evidence_metadata(request: HttpRequest, sha256: str) -> dict[str, Any]:
    return evidence_out(_fetchable(request, sha256))


@router.get(
    "/evidence/{sha256}/content",
    response={401: ErrorOut, 404: ErrorOut},
    auth=[_token_or_anonymous],
    url_name="monitoring_evidence_content",
    summary="An evidence file's bytes (a private one only with a token that may see it)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with its stored content type; PDFs as attachments",
                "content": {t: {} for t in evidence.ACCEPTED_TYPES},
            }
        }
    },
)
def evidence_content(request: HttpRequest, sha256: str) -> HttpResponse:
    file = _fetchable(request, sha256)
    return evidence.file_response(file.sha256, file.content_type)


# --- indicators --------------------------------------------------------------------------


@router.get(
    "/projects/{code}/indicators",
    response={200: IndicatorListOut, 404: ErrorOut},
    auth=None,
    summary="A project's results indicators: baseline, target, actual",
)
def indicators(request: HttpRequest, code: str) -> dict[str, Any]:
    rows = selectors.indicator_list(_project(code)).select_related("project")
    return {"indicators": [indicator_out(i) for i in rows]}


@router.post(
    "/projects/{code}/indicators",
    response={201: IndicatorOut, **_WRITE},
    summary="Add a results indicator (the secretariat or the lead's partner staff)",
)
def indicator_create(request: HttpRequest, code: str, body: IndicatorIn) -> Status[dict[str, Any]]:
    actor, project = _actor(request), _project(code)
    row = _service(lambda: services.indicator_set(project=project.code, **body.dict(), actor=actor))
    return Status(201, indicator_out(row))


@router.put(
    "/indicators/{indicator_id}",
    response={200: IndicatorOut, **_WRITE},
    summary="Update a results indicator (the secretariat or the lead's partner staff)",
)
def indicator_update(
    request: HttpRequest, indicator_id: uuid.UUID, body: IndicatorIn
) -> dict[str, Any]:
    actor = _actor(request)
    found = selectors.indicator_detail(indicator_id)
    if found is None:
        raise NotFound()
    row = _service(
        lambda: services.indicator_set(
            project=found.project.code, indicator=found.pk, **body.dict(), actor=actor
        )
    )
    return indicator_out(row)


# --- notifications -----------------------------------------------------------------------


@router.get(
    "/notifications",
    response={200: NotificationListOut, 401: ErrorOut, 403: ErrorOut},
    summary="The secretariat's notifications: failed verifications, tranches held",
)
def notifications(request: HttpRequest) -> dict[str, Any]:
    require_role(_actor(request), Role.SECRETARIAT)
    return {"notifications": [notification_out(n) for n in selectors.notification_list()]}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **_WRITE},
    summary="Mark a notification read (the secretariat)",
)
def notification_read(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    actor = _actor(request)
    row = _service(
        lambda: services.notification_mark_read(notification=notification_id, actor=actor)
    )
    return notification_out(row)
