"""Illustrative proposals for `load_demo`: partners' risk assessments, the first risk
policy, a change of it by the board, and proposals across the five governorates.

ILLUSTRATIVE ONLY: invented figures, written through the real services under the real
kinds (`partner.assessed`, `risk_policy.set`, `proposal.submitted`), so the pages, the API
and `amanah audit` treat them like real data. Partner staff accounts are demo accounts
("demo-partner-..."), with an unusable password unless the caller sets one. Runs in the
caller's open transaction, after the demo organisations, board and fund.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from amanah.accounts.models import Role, User
from amanah.governance.models import Motion
from amanah.governance.services import _motion_open
from amanah.orgs.models import Organisation
from amanah.projects import services
from amanah.projects.models import Proposal

__all__ = ["DEMO_POLICY", "load_demo_proposals"]

Sign = Callable[..., Motion]

# (organisation, level, public summary)
ASSESSMENTS = (
    ("XI-DEMO-PS-MOPWH", "low", "Audited accounts for 3 years; a procurement unit (demo)."),
    ("XI-DEMO-PS-MOEHE", "low", "Strong controls; an experienced engineering unit (demo)."),
    ("XI-DEMO-PS-MOH", "medium", "Sound controls; stock records partly lost in the war (demo)."),
    ("XI-DEMO-PS-GAZA-MUNICIPALITY", "medium", "Controls in place; staff capacity reduced (demo)."),
    ("XI-DEMO-PS-PMRS", "high", "First grant from the fund; no external audit yet (demo)."),
    ("XI-DEMO-PS-PHC", "medium", "Audited accounts; field teams rebuilt after the war (demo)."),
    ("XI-DEMO-PS-CMWU", "low", "Audited utility; donor-funded works for 20 years (demo)."),
)  # fmt: skip


def _level(
    tranches: int, first: int, visits: int, spot: bool, audit: bool, usd: str
) -> dict[str, Any]:
    return {
        "tranches": tranches,
        "max_first_tranche_percent": first,
        "monitoring_visits": visits,
        "spot_check_required": spot,
        "audit_required": audit,
        "max_project_usd": usd,
    }


DEMO_POLICY = {
    "low": _level(2, 60, 1, False, False, "5000000.00"),
    "medium": _level(3, 40, 2, True, False, "2000000.00"),
    "high": _level(4, 25, 4, True, True, "500000.00"),
}
# The board's change: high-risk partners get a monitoring visit more, and a larger ceiling.
CHANGED_POLICY = {**DEMO_POLICY, "high": _level(4, 25, 5, True, True, "750000.00")}

# (staff, lead, co-implementers, sector, DAC codes, governorate, municipality, point,
#  titles, beneficiaries (total, women, children), budget lines, milestones)
PROPOSALS: tuple[dict[str, Any], ...] = (
    {
        "lead": "XI-DEMO-PS-MOPWH",
        "co_implementers": ["XI-DEMO-PS-GAZA-MUNICIPALITY"],
        "title_en": "Rebuilding two housing blocks in Khan Younis (demo)",
        "title_ar": "إعادة بناء عمارتين سكنيتين في خان يونس (تجريبي)",
        "description_en": "Two blocks, 40 flats, for families whose homes were destroyed.",
        "description_ar": "عمارتان من خمسة طوابق، 40 شقة، لعائلات دُمّرت منازلها.",
        "sector": "housing", "dac_codes": ["16040", "73010"], "governorate": "PS0270",
        "municipality": "Khan Younis", "latitude": "31.3462", "longitude": "34.3063",
        "beneficiaries": (240, 120, 110),
        "budget_lines": [("Structural works", "1450000.00"), ("Finishing", "650000.00")],
        "milestones": [("Frame", 120, "40"), ("Finishing and hand-over", 400, "60")],
    },
    {
        "lead": "XI-DEMO-PS-MOEHE",
        "co_implementers": [],
        "title_en": "Repairing three schools in Gaza City (demo)",
        "title_ar": "ترميم ثلاث مدارس في مدينة غزة (تجريبي)",
        "description_en": "Roofs, classrooms and toilets of three damaged schools.",
        "description_ar": "الأسطح والفصول والمرافق الصحية لثلاث مدارس متضررة، 2700 طالب.",
        "sector": "education", "dac_codes": ["11120"], "governorate": "PS0260",
        "municipality": "Gaza", "latitude": "31.5236", "longitude": "34.4466",
        "beneficiaries": (2900, 1500, 2700),
        "budget_lines": [("Roofs and classrooms", "820000.00"), ("Sanitation blocks", "180000.00")],
        "milestones": [("Two schools reopened", 150, "60"), ("Third school reopened", 300, "40")],
    },
    {
        "lead": "XI-DEMO-PS-MOH",
        "co_implementers": ["XI-DEMO-PS-PMRS"],
        "title_en": "Two primary health clinics in Deir al-Balah (demo)",
        "title_ar": "عيادتا رعاية صحية أولية في دير البلح (تجريبي)",
        "description_en": "Rehabilitating and equipping two clinics serving the camps.",
        "description_ar": "تأهيل وتجهيز عيادتين تخدمان المخيمات.",
        "sector": "health", "dac_codes": ["12230", "12220"], "governorate": "PS0265",
        "municipality": "Deir al-Balah", "latitude": "31.4172", "longitude": "34.3508",
        "beneficiaries": (18000, 9500, 8000),
        "budget_lines": [("Building works", "400000.00"), ("Medical equipment", "350000.00")],
        "milestones": [("Buildings repaired", 120, "50"), ("Clinics open", 240, "50")],
    },
    {
        "lead": "XI-DEMO-PS-GAZA-MUNICIPALITY",
        "co_implementers": [],
        "title_en": "Water network repair in Rafah (demo)",
        "title_ar": "إصلاح شبكة المياه في رفح (تجريبي)",
        "description_en": "Replacing 6 km of damaged pipes and two wells' pumps.",
        "description_ar": "استبدال 6 كم من الأنابيب المتضررة ومضخات بئرين.",
        "sector": "wash", "dac_codes": ["14021"], "governorate": "PS0275",
        "municipality": "Rafah", "latitude": "31.2969", "longitude": "34.2435",
        "beneficiaries": (35000, 17500, 16000),
        "budget_lines": [("Pipes", "600000.00"), ("Pumps", "250000.00"), ("Works", "350000.00")],
        "milestones": [("Pumps replaced", 90, "30"), ("Network repaired", 270, "70")],
    },
    {
        "lead": "XI-DEMO-PS-PMRS",
        "co_implementers": [],
        "title_en": "Solar power for health points in North Gaza (demo)",
        "title_ar": "طاقة شمسية للنقاط الصحية في شمال غزة (تجريبي)",
        "description_en": "Solar panels and batteries for four health points in Jabalia.",
        "description_ar": "ألواح شمسية وبطاريات لأربع نقاط صحية في جباليا.",
        "sector": "energy", "dac_codes": ["23231"], "governorate": "PS0255",
        "municipality": "Jabalia", "latitude": "31.5300", "longitude": "34.4833",
        "beneficiaries": (12000, 6200, 5000),
        "budget_lines": [("Panels and batteries", "380000.00"), ("Installation", "70000.00")],
        "milestones": [("Two points powered", 60, "50"), ("Four points powered", 150, "50")],
    },
    # The first allocation round's other proposals (rounds/demo.py), led by bodies that
    # hold no seat on the board.
    {
        "lead": "XI-DEMO-PS-PHC",
        "co_implementers": [],
        "title_en": "Rebuilding 60 homes in Bani Suheila, Khan Younis (demo)",
        "title_ar": "إعادة بناء 60 منزلًا في بني سهيلا، خان يونس (تجريبي)",
        "description_en": "Sixty family homes rebuilt on their plots, with local contractors.",
        "description_ar": "إعادة بناء ستين منزلًا عائليًا على أراضيها، بمقاولين محليين.",
        "sector": "housing", "dac_codes": ["16030"], "governorate": "PS0270",
        "municipality": "Bani Suheila", "latitude": "31.3431", "longitude": "34.3254",
        "beneficiaries": (420, 210, 230),
        "budget_lines": [("Structures", "1150000.00"), ("Finishing and connections", "450000.00")],
        "milestones": [("30 homes roofed", 150, "40"), ("60 homes handed over", 330, "60")],
    },
    {
        "lead": "XI-DEMO-PS-CMWU",
        "co_implementers": ["XI-DEMO-PS-GAZA-MUNICIPALITY"],
        "title_en": "Desalination unit and reservoir for Rafah (demo)",
        "title_ar": "وحدة تحلية وخزان مياه لرفح (تجريبي)",
        "description_en": "A brackish-water desalination unit and a 3,000 m³ reservoir.",
        "description_ar": "وحدة لتحلية المياه المالحة وخزان سعته 3000 متر مكعب.",
        "sector": "wash", "dac_codes": ["14020"], "governorate": "PS0275",
        "municipality": "Rafah", "latitude": "31.2870", "longitude": "34.2510",
        "beneficiaries": (48000, 24000, 22000),
        "budget_lines": [("Desalination unit", "900000.00"), ("Reservoir", "500000.00")],
        "milestones": [("Reservoir built", 120, "40"), ("Unit producing water", 270, "60")],
    },
    {
        "lead": "XI-DEMO-PS-MOEHE",
        "co_implementers": [],
        "title_en": "Temporary learning spaces in Khan Younis (demo)",
        "title_ar": "مساحات تعليمية مؤقتة في خان يونس (تجريبي)",
        "description_en": "Twenty prefabricated classrooms while schools are rebuilt.",
        "description_ar": "عشرون فصلًا جاهزًا ريثما يُعاد بناء المدارس.",
        "sector": "education", "dac_codes": ["11220"], "governorate": "PS0270",
        "municipality": "Khan Younis", "latitude": "31.3400", "longitude": "34.3000",
        "beneficiaries": (1600, 820, 1600),
        "budget_lines": [("Prefabricated classrooms", "520000.00"), ("Furniture", "80000.00")],
        "milestones": [("Ten classrooms open", 60, "50"), ("Twenty classrooms open", 120, "50")],
    },
)  # fmt: skip


def _day(days: int) -> datetime.date:
    return timezone.now().date() + datetime.timedelta(days=days)


def _staff(lead: str) -> User:
    """The lead's demo partner staff: one the other demos made (the fund's housing body
    has "demo-partner-homes"), or a new "demo-partner-<body>"."""
    username = "demo-partner-" + lead.removeprefix("XI-DEMO-PS-").lower()
    user = (
        User.objects.filter(username__startswith="demo-partner-", organisation_iati_id=lead)
        .order_by("pk")
        .first()
    )
    if user is None:
        user = User.objects.create_user(
            username=username, role=Role.PARTNER_STAFF, organisation_iati_id=lead
        )
    return user


def load_demo_proposals(*, secretariat: User, sign: Sign) -> list[Proposal]:
    """Record the demo's assessments, risk policy (set, then changed by the board) and
    proposals, in the caller's open transaction. Returns the proposals submitted."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("load_demo_proposals must run inside transaction.atomic()")
    for organisation, level, summary in ASSESSMENTS:
        if Organisation.objects.filter(iati_identifier=organisation).exists():
            services.partner_assess.in_callers_transaction(
                organisation=organisation, risk_level=level, assessed_on=_day(-30),
                summary=summary, details="Checklist and interview notes (demo).", actor=secretariat,
            )  # fmt: skip
    services.risk_policy_set.in_callers_transaction(policy=DEMO_POLICY, actor=secretariat)
    change = _motion_open(
        kind=services.RISK_POLICY_CHANGE,
        title={
            "en": "One more monitoring visit for high-risk partners (demo)",
            "ar": "زيارة رقابية إضافية للشركاء ذوي المخاطر العالية (تجريبي)",
        },
        body={
            "en": "Five visits per project, and projects up to USD 750,000, for high risk.",
            "ar": "خمس زيارات لكل مشروع، ومشاريع حتى 750,000 دولار، للمخاطر العالية.",
        },
        effect={"policy": CHANGED_POLICY},
        earmarked_by=(),
        beneficiaries=(),
        actor=f"user:{secretariat.pk}",
    )
    sign(change, "pk", "tr", "eg", "ps-1", "ps-2")
    return [_proposal(spec) for spec in PROPOSALS]


def _proposal(spec: dict[str, Any]) -> Proposal:
    staff = _staff(spec["lead"])
    total, women, children = spec["beneficiaries"]
    draft = services.proposal_save_draft.in_callers_transaction(
        **{k: spec[k] for k in ("title_en", "title_ar", "description_en", "description_ar")},
        **{k: spec[k] for k in ("sector", "dac_codes", "governorate", "municipality")},
        latitude=spec["latitude"],
        longitude=spec["longitude"],
        beneficiaries_total=total,
        beneficiaries_women=women,
        beneficiaries_children=children,
        starts_on=_day(30),
        ends_on=_day(30 + max(days for _t, days, _s in spec["milestones"])),
        co_implementers=spec["co_implementers"],
        budget_lines=[{"description": d, "amount": a} for d, a in spec["budget_lines"]],
        milestones=[
            {"title": title, "due_on": _day(30 + days), "budget_percent": share}
            for title, days, share in spec["milestones"]
        ],
        actor=staff,
    )
    return services.proposal_submit.in_callers_transaction(proposal=draft, actor=staff)
