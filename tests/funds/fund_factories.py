"""A small fund for the service tests: the test board, three donor states, a Palestinian
lead, two projects, exchange rates; and the replay of the log the services wrote.
(Named for its app: test directories are not packages.)
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from governance_factories import Board, build_board

from amanah.accounts.models import Role, User
from amanah.funds import services
from amanah.funds.book import FundBook
from amanah.governance.models import Motion, MotionStatus
from amanah.ledger.models import LogEntry
from amanah.orgs.services import organisation_register
from amanah.projects.models import Project
from amanah.projects.services import project_register

DONORS = {
    "PK": ("XM-DAC-PK-1", "Ministry of Finance, Pakistan"),
    "QA": ("XM-DAC-QA-1", "Qatar Fund for Development"),
    "JO": ("XM-DAC-JO-1", "Ministry of Planning, Jordan"),
}
RATES = [("PKR", "278.50"), ("QAR", "3.64"), ("JOD", "0.709")]
DAY = datetime.date(2026, 1, 5)
# The projects' lead: a Palestinian body that holds no seat, so no seat is recused as
# the beneficiary (the board's Palestinian seat belongs to the ministry).
LEAD = "XI-DEMO-PS-PHG"


@dataclass
class Fund:
    board: Board
    secretariat: User
    housing: Project  # housing in Khan Younis
    school: Project  # education in Gaza

    def donor(self, country: str) -> str:
        return DONORS[country][0]

    def pass_motion(self, motion: Motion) -> Motion:
        """Three seats including the Palestinian one sign: enough under the test policy,
        and none of them a donor state recused on the test money."""
        for seat in ("tr", "eg", "ps-1"):
            motion = self.board.sign(seat, motion)
        assert motion.status == MotionStatus.EXECUTED
        return motion


def build_fund() -> Fund:
    board = build_board()
    for country, (identifier, name) in DONORS.items():
        organisation_register(
            iati_identifier=identifier,
            organisation_type="10",
            name_en=name,
            name_ar="",
            country=country,
            is_palestinian=False,
            actor="test:secretariat",
        )
    organisation_register(
        iati_identifier=LEAD,
        organisation_type="22",
        name_en="Palestinian Housing Council",
        name_ar="المجلس الفلسطيني للإسكان",
        country="PS",
        is_palestinian=True,
        actor="test:secretariat",
    )
    secretariat = board.secretariat
    for currency, rate in RATES:
        services.fx_rate_record(
            currency=currency, on=DAY, units_per_usd=rate, source="UN ORE", actor=secretariat
        )
    housing = project_register(
        code="GZ-HOU-0001",
        title_en="Repair 40 homes",
        title_ar="إصلاح 40 منزلًا",
        lead=LEAD,
        sector="housing",
        governorate="PS0270",
        actor=secretariat,
    )
    school = project_register(
        code="GZ-EDU-0001",
        title_en="Rebuild a school",
        title_ar="إعادة بناء مدرسة",
        lead=LEAD,
        sector="education",
        governorate="PS0260",
        actor=secretariat,
    )
    return Fund(board, secretariat, housing, school)


def partner_staff(username: str = "partner-1") -> User:
    return User.objects.create_user(
        username=username, role=Role.PARTNER_STAFF, organisation_iati_id=LEAD
    )


def replay_log() -> FundBook:
    """The fund's books and figures, rebuilt from the log alone."""
    book = FundBook()
    for index, entry in LogEntry.objects.order_by("index").values_list("index", "entry"):
        book.entry(index, json.loads(bytes(entry)))
    return book


def usd(text: str) -> Decimal:
    return Decimal(text)


def figures_equal(served: dict[str, Any], replayed: dict[str, Any]) -> bool:
    return json.dumps(served, sort_keys=True) == json.dumps(replayed, sort_keys=True)
