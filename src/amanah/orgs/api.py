"""Organisations over the API: public to read, registered and changed by the secretariat.

The services take the actor as the string the log shows, because the installation and
the demo loader register organisations too, with no user behind them; so whether a user
may write is checked here, in the handlers, as the API's own gate.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.core.errors import NotFound, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.orgs.models import Organisation
from amanah.orgs.schemas import (
    OrganisationChangesIn,
    OrganisationIn,
    OrganisationListOut,
    OrganisationOut,
)
from amanah.orgs.selectors import organisation_get, organisation_list, organisation_public
from amanah.orgs.services import organisation_register, organisation_update

router = Router(tags=["organisations"])


def _organisation(iati_identifier: str) -> Organisation:
    try:
        return organisation_get(iati_identifier)
    except Organisation.DoesNotExist:
        raise NotFound() from None


def _secretariat(request: HttpRequest) -> str:
    """The caller as the log's actor, once checked to be the secretariat."""
    user: User = request.auth  # type: ignore[attr-defined]
    require_role(user, Role.SECRETARIAT)
    return f"user:{user.pk}"


@router.get(
    "",
    response={200: OrganisationListOut, 422: ErrorOut},
    auth=None,
    summary="Every organisation; only Palestinian bodies, or only the others, when asked",
)
def organisations(request: HttpRequest, palestinian: bool | None = None) -> dict[str, Any]:
    return {
        "organisations": [
            organisation_public(o) for o in organisation_list(palestinian=palestinian)
        ]
    }


@router.get(
    "/{iati_identifier}",
    response={200: OrganisationOut, 404: ErrorOut},
    auth=None,
    summary="One organisation, by its IATI identifier (exact, case kept)",
)
def organisation(request: HttpRequest, iati_identifier: str) -> dict[str, Any]:
    return organisation_public(_organisation(iati_identifier))


@router.post(
    "",
    response={201: OrganisationOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Register an organisation (the secretariat); logged as organisation.registered",
)
def organisation_create(request: HttpRequest, body: OrganisationIn) -> Status[dict[str, Any]]:
    actor = _secretariat(request)
    try:
        registered = organisation_register(**body.dict(), actor=actor)
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None
    return Status(201, organisation_public(registered))


@router.patch(
    "/{iati_identifier}",
    response={200: OrganisationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change an organisation's fields (the secretariat); logged as organisation.updated",
)
def organisation_change(
    request: HttpRequest, iati_identifier: str, body: OrganisationChangesIn
) -> dict[str, Any]:
    actor = _secretariat(request)
    target = _organisation(iati_identifier)
    try:
        updated = organisation_update(organisation=target, actor=actor, **body.changes())
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None
    return organisation_public(updated)
