"""Reads of organisations, for services, pages, the API and the open-data exports."""

from __future__ import annotations

from django.db.models import QuerySet

from amanah.orgs.models import Organisation

__all__ = ["PUBLIC_FIELDS", "organisation_get", "organisation_list", "organisation_public"]

# What the log says about an organisation: every field a reader of the portal may see.
PUBLIC_FIELDS = (
    "iati_identifier",
    "organisation_type",
    "name_en",
    "name_ar",
    "country",
    "is_palestinian",
)


def organisation_list(*, palestinian: bool | None = None) -> QuerySet[Organisation]:
    """Every organisation by IATI identifier; only Palestinian bodies (True) or only the
    others (False) when asked. One query, whatever the number of organisations."""
    organisations = Organisation.objects.all()
    if palestinian is not None:
        organisations = organisations.filter(is_palestinian=palestinian)
    return organisations.order_by("iati_identifier")


def organisation_get(iati_identifier: str) -> Organisation:
    """The organisation with this identifier (exact, case kept); raises
    `Organisation.DoesNotExist` when there is none."""
    return Organisation.objects.get(iati_identifier=iati_identifier)


def organisation_public(organisation: Organisation) -> dict[str, str | bool]:
    """The organisation as its log entries show it: the public fields, nothing else."""
    return {field: getattr(organisation, field) for field in PUBLIC_FIELDS}
