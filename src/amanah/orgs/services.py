"""Registering organisations and changing them: every write a public fact in the log.

Each service runs in its own durable transaction: the row and its log entry commit
together or not at all. Bad input raises Django's `ValidationError`, whose
`message_dict` names each field at fault, and writes nothing.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from amanah.ledger import services as ledger
from amanah.orgs.models import Organisation
from amanah.orgs.selectors import PUBLIC_FIELDS, organisation_public

__all__ = ["OrganisationChanges", "organisation_register", "organisation_update"]


class OrganisationChanges(TypedDict, total=False):
    """What `organisation_update` may change: everything but the IATI identifier."""

    organisation_type: str
    name_en: str
    name_ar: str
    country: str
    is_palestinian: bool


@transaction.atomic(durable=True)
def organisation_register(
    *,
    iati_identifier: str,
    organisation_type: str,
    name_en: str,
    name_ar: str,
    country: str,
    is_palestinian: bool,
    actor: str,
) -> Organisation:
    """Register an organisation and log `organisation.registered` with its public fields.

    A name may be empty in one language, not in both. An identifier already registered
    is a field error on `iati_identifier`.
    """
    return _organisation_register(
        iati_identifier=iati_identifier,
        organisation_type=organisation_type,
        name_en=name_en,
        name_ar=name_ar,
        country=country,
        is_palestinian=is_palestinian,
        actor=actor,
    )


def _organisation_register(
    *,
    iati_identifier: str,
    organisation_type: str,
    name_en: str,
    name_ar: str,
    country: str,
    is_palestinian: bool,
    actor: str,
) -> Organisation:
    """`organisation_register` in the caller's open transaction (the demo loader's too)."""
    organisation = Organisation(
        iati_identifier=iati_identifier,
        organisation_type=organisation_type,
        name_en=name_en,
        name_ar=name_ar,
        country=country,
        is_palestinian=is_palestinian,
    )
    organisation.full_clean()
    organisation.save()
    ledger.record("organisation.registered", organisation_public(organisation), actor=actor)
    return organisation


@transaction.atomic(durable=True)
def organisation_update(
    *, organisation: Organisation, actor: str, **changes: Unpack[OrganisationChanges]
) -> Organisation:
    """Change some of an organisation's fields and log `organisation.updated`: its public
    fields as they now are, and `changed`, the names of those that changed.

    The IATI identifier cannot change, since the log names the organisation by it.
    Changes that leave every field as it was write and log nothing. Returns the
    organisation as saved; the instance passed in is not modified.
    """
    _check_changes(dict(changes))
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = organisation_public(current)
    for field, value in changes.items():
        setattr(current, field, value)
    current.full_clean()
    after = organisation_public(current)
    changed = [field for field in PUBLIC_FIELDS if after[field] != before[field]]
    if not changed:
        return current
    current.save(update_fields=changed)
    ledger.record("organisation.updated", {**after, "changed": changed}, actor=actor)
    return current


def _check_changes(changes: dict[str, object]) -> None:
    unknown = sorted(set(changes) - set(PUBLIC_FIELDS))
    if unknown:
        raise TypeError(f"organisation_update() got unexpected keyword arguments: {unknown}")
    if "iati_identifier" in changes:
        message = _("The IATI identifier of a registered organisation cannot be changed.")
        raise ValidationError({"iati_identifier": ValidationError(message, code="immutable")})
