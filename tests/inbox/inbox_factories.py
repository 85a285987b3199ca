"""Two Palestinian partners with a draft proposal each, a project of the first, the fund's
staff and an auditor, for the inbox tests. (Named for its app: test directories are not
packages.)"""

from __future__ import annotations

from dataclasses import dataclass

from amanah.accounts.models import Role, User
from amanah.orgs.models import Organisation
from amanah.orgs.services import organisation_register
from amanah.projects.models import Project, Proposal
from amanah.projects.services import project_register, proposal_save_draft

__all__ = ["LEAD", "OTHER", "Inbox", "build_inbox", "person"]

LEAD = "XI-DEMO-PS-PHG"
OTHER = "XI-DEMO-PS-GWU"


@dataclass
class Inbox:
    lead: Organisation
    other: Organisation
    secretariat: User
    monitor: User
    auditor: User
    partner: User  # staff of `lead`
    other_partner: User  # staff of `other`
    draft: Proposal  # `lead`'s
    other_draft: Proposal  # `other`'s
    project: Project  # led by `lead`


def person(username: str, role: Role, organisation: str | None = None) -> User:
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        first_name=f"First{username}",
        last_name=f"Last{username}",
        role=role,
        organisation_iati_id=organisation,
    )


def _organisation(identifier: str, name_en: str, name_ar: str) -> Organisation:
    return organisation_register(
        iati_identifier=identifier,
        organisation_type="22",
        name_en=name_en,
        name_ar=name_ar,
        country="PS",
        is_palestinian=True,
        actor="test:secretariat",
    )


def build_inbox() -> Inbox:
    lead = _organisation(LEAD, "Palestinian Housing Council", "المجلس الفلسطيني للإسكان")
    other = _organisation(OTHER, "Gaza Water Utility", "مصلحة مياه غزة")
    secretariat = person("sara", Role.SECRETARIAT)
    partner = person("pia", Role.PARTNER_STAFF, LEAD)
    other_partner = person("omar", Role.PARTNER_STAFF, OTHER)
    project = project_register(
        code="GZ-HOU-0001",
        title_en="Repair 40 homes",
        title_ar="إصلاح 40 منزلًا",
        lead=LEAD,
        sector="housing",
        governorate="PS0270",
        actor=secretariat,
    )
    return Inbox(
        lead=lead,
        other=other,
        secretariat=secretariat,
        monitor=person("musa", Role.MONITOR),
        auditor=person("aida", Role.AUDITOR),
        partner=partner,
        other_partner=other_partner,
        draft=proposal_save_draft(title_en="Rebuild 40 flats", actor=partner),
        other_draft=proposal_save_draft(title_en="Mend the mains", actor=other_partner),
        project=project,
    )
