"""A fund with approved allocations to both test projects, milestones on them, a partner
and a monitor, for the monitoring tests. (Named for its app: test directories are not
packages.)"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1]
for _directory in ("governance", "funds"):
    if str(_TESTS / _directory) not in sys.path:
        sys.path.insert(0, str(_TESTS / _directory))

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from fund_factories import LEAD, Fund, build_fund, partner_staff  # noqa: E402
from governance_factories import make_user  # noqa: E402

from amanah.accounts.models import Role, User  # noqa: E402
from amanah.funds import services as funds  # noqa: E402
from amanah.funds.models import Allocation  # noqa: E402
from amanah.monitoring import services  # noqa: E402
from amanah.monitoring.models import Milestone  # noqa: E402
from amanah.monitoring.samples import tiny_jpeg, tiny_pdf  # noqa: E402

__all__ = ["LEAD", "Monitored", "build_monitored", "jpeg", "pdf"]


@dataclass
class Monitored:
    fund: Fund
    school: Allocation  # 2,000,000 USD approved for GZ-EDU-0001
    homes: Allocation  # 1,000,000 USD approved for GZ-HOU-0001
    first: Milestone  # school, 300,000
    second: Milestone  # school, 200,000
    partner: User
    monitor: User

    @property
    def secretariat(self) -> User:
        return self.fund.secretariat


def jpeg(label: str = "site", name: str = "IMG_Ahmad_home.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_jpeg(label), content_type="text/plain")


def pdf(text: str = "Invoice 1", name: str = "invoice-Ahmad.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(text), content_type="image/jpeg")


def build_monitored() -> Monitored:
    fund = build_fund()
    s = fund.secretariat
    funds.contribution_record(
        donor=fund.donor("PK"), amount="3000000", currency="USD", on="2026-01-06", actor=s
    )
    school = funds.allocation_prepare(
        project="GZ-EDU-0001", amount="2000000", currency="USD", actor=s
    )
    fund.pass_motion(school.motion)
    homes = funds.allocation_prepare(
        project="GZ-HOU-0001", amount="1000000", currency="USD", actor=s
    )
    fund.pass_motion(homes.motion)
    school.refresh_from_db()
    homes.refresh_from_db()
    first = services.milestone_define(
        project="GZ-EDU-0001", deliverable_en="Roof of block A", deliverable_ar="سقف المبنى أ",
        due="2026-03-01", allocation=school.id, tranche="300000", actor=s,
    )  # fmt: skip
    second = services.milestone_define(
        project="GZ-EDU-0001", deliverable_en="Classrooms", deliverable_ar="الفصول",
        due="2026-06-01", allocation=school.id, tranche="200000", actor=s,
    )  # fmt: skip
    return Monitored(
        fund, school, homes, first, second, partner_staff(), make_user("monitor-1", Role.MONITOR)
    )
