"""A small assets setup for the tests: a Palestinian lead with a project in Gaza City,
one user per role, and a school registered there. (Named for its app: test directories
are not packages.)"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from amanah.accounts.models import Role, User
from amanah.assets import services
from amanah.assets.models import Asset
from amanah.ledger.models import LogEntry
from amanah.orgs.services import organisation_register
from amanah.projects.models import Project
from amanah.projects.services import project_register

__all__ = ["DAY", "GAZA", "LEAD", "POINT", "Setup", "build", "entries"]

LEAD = "XI-DEMO-PS-MOE"
GAZA = "PS0260"
# A point in Gaza City; private: it must never reach the log or a public page.
POINT = ("31.514200", "34.454100")
DAY = datetime.date(2026, 3, 2)


@dataclass
class Setup:
    secretariat: User
    monitor: User
    partner: User
    auditor: User
    project: Project
    school: Asset


def _user(username: str, role: Role, **extra: Any) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.org", role=role, **extra
    )


def build() -> Setup:
    secretariat = _user("secretariat", Role.SECRETARIAT)
    organisation_register(
        iati_identifier=LEAD,
        organisation_type="10",
        name_en="Ministry of Education",
        name_ar="وزارة التربية والتعليم",
        country="PS",
        is_palestinian=True,
        actor="test:secretariat",
    )
    project = project_register(
        code="GZ-EDU-0001",
        title_en="Rebuild a school",
        title_ar="إعادة بناء مدرسة",
        lead=LEAD,
        sector="education",
        governorate=GAZA,
        actor=secretariat,
    )
    monitor = _user("monitor", Role.MONITOR)
    school = services.asset_register(
        code="AS-GZA-SCH-0001",
        name_en="Al-Zaytoun boys' school",
        name_ar="مدرسة الزيتون للبنين",
        kind="school",
        governorate=GAZA,
        owner=LEAD,
        latitude=POINT[0],
        longitude=POINT[1],
        actor=secretariat,
    )
    return Setup(
        secretariat=secretariat,
        monitor=monitor,
        partner=_user("partner", Role.PARTNER_STAFF, organisation_iati_id=LEAD),
        auditor=_user("auditor", Role.AUDITOR),
        project=project,
        school=school,
    )


def entries(kind_prefix: str = "asset.") -> list[dict[str, Any]]:
    """The log's entries of the assets app, decoded."""
    return [
        json.loads(bytes(row.entry))
        for row in LogEntry.objects.filter(kind__startswith=kind_prefix).order_by("index")
    ]
