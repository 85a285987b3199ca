"""Projects over the API: public to read, registered by the secretariat (the service
checks the role: `role_required`, 403), each registration a `project.registered` entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status

from amanah.accounts.models import User
from amanah.core.errors import NotFound, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.projects.schemas import ProjectIn, ProjectListOut, ProjectOut, project_out
from amanah.projects.selectors import project_list
from amanah.projects.services import project_register

router = Router(tags=["projects"])


@router.get("", response={200: ProjectListOut}, auth=None, summary="Every project, by code")
def projects(request: HttpRequest) -> dict[str, Any]:
    return {"projects": [project_out(p) for p in project_list()]}


@router.get("/{code}", response={200: ProjectOut, 404: ErrorOut}, auth=None, summary="One project")
def project(request: HttpRequest, code: str) -> dict[str, Any]:
    found = project_list().filter(code=code).first()
    if found is None:
        raise NotFound()
    return project_out(found)


@router.post(
    "",
    response={201: ProjectOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Register a project led by a Palestinian body (the secretariat)",
)
def project_create(request: HttpRequest, body: ProjectIn) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    try:
        registered = project_register(**body.dict(), actor=user)
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None
    return Status(201, project_out(registered))
