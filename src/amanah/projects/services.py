"""Registering projects (secretariat). Each is logged as `project.registered`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.ledger import services as ledger
from amanah.orgs.models import Organisation
from amanah.projects.models import Project
from amanah.projects.selectors import project_public

__all__ = ["project_register"]


@transaction.atomic(durable=True)
def project_register(
    *,
    code: str,
    title_en: str,
    title_ar: str,
    lead: str,
    sector: str,
    governorate: str,
    actor: User,
) -> Project:
    """Register a project led by a Palestinian body (`lead`: its IATI identifier)."""
    require_role(actor, Role.SECRETARIAT)
    return _project_register(
        code=code,
        title_en=title_en,
        title_ar=title_ar,
        lead=lead,
        sector=sector,
        governorate=governorate,
        actor=f"user:{actor.pk}",
    )


def _project_register(
    *,
    code: str,
    title_en: str,
    title_ar: str,
    lead: str,
    sector: str,
    governorate: str,
    actor: str,
) -> Project:
    """`project_register` in the caller's transaction (the demo loader's too)."""
    organisation = Organisation.objects.filter(iati_identifier=lead).first()
    if organisation is None:
        raise ValidationError({"lead": _("Name the lead by a registered IATI identifier.")})
    if not organisation.is_palestinian:
        raise ValidationError({"lead": _("A project is led by a Palestinian body.")})
    if not (title_en.strip() or title_ar.strip()):
        raise ValidationError({"title_en": _("Give the title in English, Arabic or both.")})
    project = Project(
        code=code,
        title_en=title_en.strip(),
        title_ar=title_ar.strip(),
        lead=organisation,
        sector=sector,
        governorate=governorate,
        registered_index=0,
    )
    project.full_clean()
    project.registered_index = ledger.record(
        "project.registered", project_public(project), actor=actor
    ).index
    project.save()
    return project
