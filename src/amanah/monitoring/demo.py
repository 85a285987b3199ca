"""Illustrative milestones for `load_demo`: the schools' first two milestones reported,
verified on site and paid, the homes' first milestone failed (which blocks its tranches and
notifies the secretariat), and results indicators.

ILLUSTRATIVE ONLY, written through the real services, after the demo fund
(`funds.demo.load_demo_fund`), whose approved allocations of GZ-EDU-0001 and GZ-HOU-0001
the milestones release money from. The evidence is made in code (`samples`). The demo's
partner staff and monitor accounts have no usable password: whoever wires this into
`load_demo` may give them the demo password.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from amanah.accounts.models import Role, User
from amanah.funds.models import Allocation, MoveStatus
from amanah.governance.models import Motion
from amanah.monitoring import services
from amanah.monitoring.models import Milestone
from amanah.monitoring.samples import tiny_jpeg, tiny_pdf
from amanah.projects.models import Project

__all__ = ["load_demo_monitoring", "load_demo_round_milestones"]

Sign = Callable[..., Motion]
SCHOOLS, HOMES = "GZ-EDU-0001", "GZ-HOU-0001"
CENT = Decimal("0.01")
# The seats that pass a fund motion on the schools' allocation in the demo (funds.demo).
SCHOOL_SEATS = ("pk", "tr", "id", "ps-1", "ps-2")


def _day(days: int) -> datetime.date:
    """`days` from today: negative is in the past."""
    return timezone.now().date() + datetime.timedelta(days=days)


def _user(username: str, role: Role, organisation: str | None = None) -> User:
    extra = {"organisation_iati_id": organisation} if organisation else {}
    user = User.objects.create_user(username=username, role=role, **extra)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _approved(code: str) -> Allocation:
    return (
        Allocation.objects.filter(project__code=code, status=MoveStatus.APPROVED)
        .order_by("reserved_index")
        .get()
    )


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.jpg", tiny_jpeg(f"Amanah demo photo: {name}"))


def _pdf(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.pdf", tiny_pdf(text))


def load_demo_monitoring(secretariat: User, sign: Sign) -> None:
    """Record the demo's milestones, reports, verifications and indicators in the caller's
    open transaction; `sign(motion, *seats)` passes the tranches the verifications prepare."""
    define = services.milestone_define.in_callers_transaction
    schools, homes = _approved(SCHOOLS), _approved(HOMES)
    school_lead = Project.objects.get(code=SCHOOLS).lead.iati_identifier
    home_lead = Project.objects.get(code=HOMES).lead.iati_identifier
    monitor = _user("demo-monitor", Role.MONITOR)
    school_staff = _user("demo-partner-schools", Role.PARTNER_STAFF, school_lead)
    home_staff = (
        school_staff
        if home_lead == school_lead
        else _user("demo-partner-homes", Role.PARTNER_STAFF, home_lead)
    )

    plan = (
        (SCHOOLS, schools, "Structural repairs of the first three schools",
         "إصلاحات إنشائية لأول ثلاث مدارس", -40, "300000"),
        (SCHOOLS, schools, "Classrooms, water and sanitation in the first three schools",
         "الفصول والمياه والصرف الصحي في أول ثلاث مدارس", -10, "300000"),
        (SCHOOLS, schools, "Repairs of the remaining three schools",
         "إصلاح المدارس الثلاث المتبقية", 60, "600000"),
        (HOMES, homes, "Roofs of the first 60 homes made watertight",
         "إحكام أسقف أول 60 منزلًا", -20, "250000"),
        (HOMES, homes, "Repairs of 120 more homes", "إصلاح 120 منزلًا إضافيًا", 90, "500000"),
    )  # fmt: skip
    milestones: list[Milestone] = []
    for code, allocation, english, arabic, due, tranche in plan:
        milestones.append(
            define(project=code, deliverable_en=english, deliverable_ar=arabic, due=_day(due),
                   allocation=allocation.id, tranche=tranche, actor=secretariat)
        )  # fmt: skip
    first, second, _third, roofs, _more = milestones

    _passed(first, school_staff, monitor, sign, "first", (31.50412, 34.46215), 35)
    _passed(second, school_staff, monitor, sign, "second", (31.51037, 34.45581), 12)

    services.milestone_report.in_callers_transaction(
        milestone=roofs.id, reported_on=_day(-18),
        summary="Roofs of 60 homes sealed and waterproofed (demo).",
        evidence=[("photo", _photo("roofs")),
                  ("invoice", _pdf("roofs-invoice", "Invoice DEMO-R-77: roofing membrane"))],
        actor=home_staff,
    )  # fmt: skip
    services.milestone_verify.in_callers_transaction(
        milestone=roofs.id, visited_on=_day(-15), result="fail",
        findings="Membrane laid on 22 of the 60 roofs; the others leak (demo).",
        latitude="31.34618", longitude="34.30633",
        evidence=[("photo", _photo("roofs-leaking"))], actor=monitor,
    )  # fmt: skip

    indicator = services.indicator_set.in_callers_transaction
    indicator(project=SCHOOLS, name_en="Classrooms back in use", name_ar="فصول عادت للاستخدام",
              unit="classrooms", baseline="0", target="48", actual="18",
              actor=secretariat)  # fmt: skip
    indicator(project=SCHOOLS, name_en="Pupils attending", name_ar="التلاميذ الملتحقون",
              unit="pupils", baseline="0", target="2400", actual="950",
              actor=school_staff)  # fmt: skip
    indicator(project=HOMES, name_en="Homes repaired", name_ar="منازل تم إصلاحها",
              unit="homes", baseline="0", target="300", actual="110",
              actor=secretariat)  # fmt: skip


def _passed(
    milestone: Milestone,
    staff: User,
    monitor: User,
    sign: Sign,
    name: str,
    point: tuple[float, float],
    days_ago: int,
) -> None:
    """The partner reports, the monitor passes it, and the board pays the tranche."""
    services.milestone_report.in_callers_transaction(
        milestone=milestone.id, reported_on=_day(-days_ago),
        summary=f"{milestone.deliverable_en}: done (demo).",
        evidence=[("photo", _photo(f"schools-{name}")),
                  ("invoice", _pdf(f"invoice-{name}", f"Invoice DEMO-S-{name}")),
                  ("certificate", _pdf(f"handover-{name}", f"Handover certificate {name}"))],
        actor=staff,
    )  # fmt: skip
    filed = services.milestone_verify.in_callers_transaction(
        milestone=milestone.id, visited_on=_day(-days_ago + 3), result="pass",
        findings="Work complete and as specified (demo).",
        latitude=f"{point[0]:.5f}", longitude=f"{point[1]:.5f}",
        evidence=[("photo", _photo(f"schools-{name}-visit"))], actor=monitor,
    )  # fmt: skip
    disbursement = filed.row.disbursement
    if disbursement is not None:
        sign(disbursement.motion, *SCHOOL_SEATS)


def load_demo_round_milestones(
    *, secretariat: User, sign: Callable[[Motion], Motion], lead: str, sector: str, governorate: str
) -> Milestone:
    """The first milestone of a project the demo round funded (`lead`'s project in
    `sector` and `governorate`), planned as its proposal planned it, reported, verified and
    paid: the money of a round followed to verified work. `sign(motion)` passes a motion."""
    project = Project.objects.select_related("proposal").get(
        proposal__lead__iati_identifier=lead, sector=sector, governorate=governorate
    )
    allocation = _approved(project.code)
    define = services.milestone_define.in_callers_transaction
    milestones = [
        define(
            project=project.code,
            deliverable_en=planned.title,
            deliverable_ar=planned.title,
            due=planned.due_on,
            allocation=allocation.id,
            tranche=str((allocation.amount.amount * planned.budget_percent / 100).quantize(CENT)),
            actor=secretariat,
        )
        for planned in project.proposal.milestones.order_by("position")
    ]
    first = milestones[0]
    staff = (
        User.objects.filter(username__startswith="demo-partner-", organisation_iati_id=lead)
        .order_by("pk")
        .first()
    )
    services.milestone_report.in_callers_transaction(
        milestone=first.id, reported_on=_day(0),
        summary=f"{first.deliverable_en}: done (demo).",
        evidence=[("photo", _photo(f"{project.code}-first")),
                  ("invoice", _pdf(f"{project.code}-invoice", f"Invoice DEMO-{project.code}"))],
        actor=staff,
    )  # fmt: skip
    filed = services.milestone_verify.in_callers_transaction(
        milestone=first.id, visited_on=_day(0), result="pass",
        findings="Work complete and as specified (demo).",
        latitude="31.52170", longitude="34.44330",
        evidence=[("photo", _photo(f"{project.code}-visit"))],
        actor=User.objects.get(username="demo-monitor"),
    )  # fmt: skip
    if filed.row.disbursement is not None:
        sign(filed.row.disbursement.motion)
    return first
