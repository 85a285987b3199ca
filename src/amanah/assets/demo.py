"""The demo's damaged and rebuilt assets: 24 schools, health centres, housing blocks, water
wells and reservoirs, roads and a substation across the five governorates, owned or run by
the demo's Palestinian bodies (the substation's distribution company is not among them, so
it has no owner), each with its own private point in its governorate or none.

Every asset has one remote assessment from an imagery review, counted back from the demo's
day (mostly destroyed, severe or moderate; a few possible or no visible damage). The demo
monitor visits a few: one Gaza City school is found severely damaged, repaired under the
fund's Gaza City schools project and found restored; Rafah's reservoir, repaired by its utility and
found restored, is found severely damaged again in a later imagery review and linked to the
desalination project. The secretariat links each asset some project rebuilds to it, when the
demo has that project in the asset's governorate and sector.

Needs the organisations, the fund's projects and the round's (those missing are not
linked). Every day is on or before the demo's day. Loading twice adds nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from amanah.accounts.models import User
from amanah.assets import services
from amanah.assets.models import Asset
from amanah.ledger import services as ledger
from amanah.projects.models import Project

__all__ = ["DEMO_ASSETS", "DemoAsset", "load_demo_assets"]

MOEHE, MOH, PMRS = "XI-DEMO-PS-MOEHE", "XI-DEMO-PS-MOH", "XI-DEMO-PS-PMRS"
MOPWH, PHC, CMWU = "XI-DEMO-PS-MOPWH", "XI-DEMO-PS-PHC", "XI-DEMO-PS-CMWU"
MUNICIPALITY = "XI-DEMO-PS-GAZA-MUNICIPALITY"
NORTH, GAZA, MIDDLE, KHAN_YOUNIS, RAFAH = "PS0255", "PS0260", "PS0265", "PS0270", "PS0275"

IMAGERY = "UNOSAT-style imagery review (demo)"
SITE_VISIT = "Site visit by the fund's monitor (demo)"
# Days before the demo's day.
REVIEWED, FIRST_VISIT, RESERVOIR_REPAIRED, REVIEWED_AGAIN, SCHOOL_REOPENED = 200, 150, 60, 12, 8
RESTORED, DAMAGED_AGAIN = "AS-GZA-SCH-0001", "AS-RFH-WAT-0001"


@dataclass(frozen=True)
class DemoAsset:
    code: str
    kind: str
    governorate: str
    owner: str | None
    name_en: str
    name_ar: str
    condition: str  # what the imagery review found
    point: tuple[str, str] | None = None  # private
    # The project rebuilding it: the demo's first, second... project of this sector in the
    # asset's governorate, in the order registered (the fund's come before the round's,
    # whose codes depend on the order the board's motion lists them); none if it has none.
    project: tuple[str, int] | None = None
    registered_with_project: bool = False


DEMO_ASSETS = (
    DemoAsset("AS-NGZ-SCH-0001", "school", NORTH, MOEHE,
              "Beit Lahia preparatory girls' school (demo)",
              "مدرسة بيت لاهيا الإعدادية للبنات (تجريبي)", "destroyed", ("31.552000", "34.501000")),
    DemoAsset("AS-NGZ-HEA-0001", "health", NORTH, MOH,
              "Jabalia primary health centre (demo)",
              "مركز جباليا للرعاية الصحية الأولية (تجريبي)", "severe", ("31.533000", "34.483000"),
              ("health", 0)),
    DemoAsset("AS-NGZ-HEA-0002", "health", NORTH, PMRS,
              "Beit Hanoun health point (demo)",
              "النقطة الصحية في بيت حانون (تجريبي)", "moderate", None, ("energy", 0)),
    DemoAsset("AS-NGZ-HOU-0001", "housing", NORTH, MOPWH,
              "Residential block 12, Beit Lahia (demo)",
              "العمارة السكنية رقم 12، بيت لاهيا (تجريبي)", "destroyed"),
    DemoAsset("AS-NGZ-WAT-0001", "water", NORTH, CMWU,
              "Jabalia water well 3 (demo)",
              "بئر مياه جباليا رقم 3 (تجريبي)", "severe", ("31.538000", "34.495000")),
    DemoAsset("AS-GZA-SCH-0001", "school", GAZA, MOEHE,
              "Al-Rimal boys' secondary school (demo)",
              "مدرسة الرمال الثانوية للبنين (تجريبي)", "severe", ("31.523000", "34.445000"),
              ("education", 0)),
    DemoAsset("AS-GZA-SCH-0002", "school", GAZA, MOEHE,
              "Al-Zaytoun girls' preparatory school (demo)",
              "مدرسة الزيتون الإعدادية للبنات (تجريبي)", "moderate", ("31.499000", "34.452000"),
              ("education", 0)),
    DemoAsset("AS-GZA-SCH-0003", "school", GAZA, MOEHE,
              "Al-Shuja'iyya elementary school (demo)",
              "مدرسة الشجاعية الابتدائية (تجريبي)", "destroyed", ("31.510000", "34.475000"),
              ("education", 1)),
    DemoAsset("AS-GZA-SCH-0004", "school", GAZA, MOEHE,
              "Tal al-Hawa secondary girls' school (demo)",
              "مدرسة تل الهوى الثانوية للبنات (تجريبي)", "moderate", None,
              ("education", 1)),
    DemoAsset("AS-GZA-HEA-0001", "health", GAZA, MOH,
              "Al-Daraj primary health centre (demo)",
              "مركز الدرج للرعاية الصحية الأولية (تجريبي)", "severe"),
    DemoAsset("AS-GZA-HOU-0001", "housing", GAZA, MOPWH,
              "Residential block 4, Tal al-Hawa (demo)",
              "العمارة السكنية رقم 4، تل الهوى (تجريبي)", "destroyed"),
    DemoAsset("AS-GZA-ROA-0001", "road", GAZA, MUNICIPALITY,
              "Al-Jalaa Street, Al-Rimal section (demo)",
              "شارع الجلاء، مقطع حي الرمال (تجريبي)", "severe"),
    DemoAsset("AS-GZA-POW-0001", "power", GAZA, None,
              "Al-Shati electricity substation (demo)",
              "محطة التحويل الكهربائية في الشاطئ (تجريبي)", "possible", ("31.530000", "34.446000")),
    DemoAsset("AS-DEB-HEA-0001", "health", MIDDLE, MOH,
              "Deir al-Balah hospital outpatient building (demo)",
              "مبنى العيادات الخارجية لمستشفى دير البلح (تجريبي)", "moderate",
              ("31.418000", "34.352000"), ("health", 0)),
    DemoAsset("AS-DEB-HEA-0002", "health", MIDDLE, MOH,
              "Al-Maghazi camp health centre (demo)",
              "مركز صحي مخيم المغازي (تجريبي)", "possible", None, ("health", 1)),
    DemoAsset("AS-DEB-SCH-0001", "school", MIDDLE, MOEHE,
              "Al-Nuseirat preparatory boys' school (demo)",
              "مدرسة النصيرات الإعدادية للبنين (تجريبي)", "undamaged"),
    DemoAsset("AS-DEB-HOU-0001", "housing", MIDDLE, MOPWH,
              "Residential block 7, Al-Zawaida (demo)",
              "العمارة السكنية رقم 7، الزوايدة (تجريبي)", "moderate"),
    DemoAsset("AS-DEB-WAT-0001", "water", MIDDLE, CMWU,
              "Deir al-Balah desalination plant (demo)",
              "محطة تحلية المياه في دير البلح (تجريبي)", "possible", ("31.423000", "34.343000")),
    DemoAsset("AS-KHY-HOU-0001", "housing", KHAN_YOUNIS, PHC,
              "Residential block 3, Bani Suheila (demo)",
              "العمارة السكنية رقم 3، بني سهيلا (تجريبي)", "destroyed", ("31.344000", "34.324000"),
              ("housing", 1)),
    DemoAsset("AS-KHY-HOU-0002", "housing", KHAN_YOUNIS, PHC,
              "Residential block 9, Al-Amal neighbourhood (demo)",
              "العمارة السكنية رقم 9، حي الأمل (تجريبي)", "severe", ("31.345000", "34.295000"),
              ("housing", 0)),
    DemoAsset("AS-KHY-SCH-0001", "school", KHAN_YOUNIS, MOEHE,
              "Khan Younis secondary girls' school (demo)",
              "مدرسة خان يونس الثانوية للبنات (تجريبي)", "destroyed"),
    DemoAsset("AS-RFH-ROA-0001", "road", RAFAH, MOPWH,
              "Salah al-Din Road, Rafah section (demo)",
              "طريق صلاح الدين، مقطع رفح (تجريبي)", "destroyed", ("31.285000", "34.256000"),
              ("roads", 0), registered_with_project=True),
    DemoAsset("AS-RFH-WAT-0001", "water", RAFAH, CMWU,
              "Rafah water reservoir (demo)",
              "خزان مياه رفح (تجريبي)", "destroyed", ("31.290000", "34.250000"),
              ("wash", 0)),
    DemoAsset("AS-RFH-WAT-0002", "water", RAFAH, CMWU,
              "Rafah water well 5 (demo)",
              "بئر مياه رفح رقم 5 (تجريبي)", "severe", None, ("wash", 0)),
)  # fmt: skip

# The monitor's visits: (asset, days before the demo's day, condition found, private note).
SITE_VISITS = (
    (RESTORED, FIRST_VISIT, "severe", "Roof slab cracked; six classrooms unusable (demo)."),
    ("AS-DEB-HEA-0001", 45, "moderate", "Windows and doors blown out; structure sound (demo)."),
    ("AS-DEB-HEA-0002", 40, "moderate", ""),
    ("AS-DEB-WAT-0001", 30, "undamaged", ""),
    ("AS-KHY-HOU-0002", 25, "destroyed", "Upper floors collapsed since the imagery (demo)."),
    (DAMAGED_AGAIN, RESERVOIR_REPAIRED, "restored", "Repaired by the utility; filling (demo)."),
    (RESTORED, SCHOOL_REOPENED, "restored", "Repairs done; pupils back in class (demo)."),
)


def load_demo_assets(
    secretariat: User, monitor: User, *, today: datetime.date | None = None
) -> int:
    """Write the demo's assets; returns the number registered (0 if already loaded)."""
    day = today or timezone.localdate()
    if transaction.get_connection().in_atomic_block:
        return _load(secretariat, monitor, day)
    with transaction.atomic(durable=True):
        ledger.lock_log()
        return _load(secretariat, monitor, day)


def _project(spec: DemoAsset) -> Project | None:
    """The project rebuilding the asset, if the demo has it in the asset's place and sector."""
    if spec.project is None:
        return None
    sector, number = spec.project
    found = Project.objects.filter(governorate=spec.governorate, sector=sector)
    return found.order_by("registered_index")[number : number + 1].first()


def _load(secretariat: User, monitor: User, day: datetime.date) -> int:
    if Asset.objects.filter(code=DEMO_ASSETS[0].code).exists():
        return 0

    def ago(days: int) -> datetime.date:
        return day - datetime.timedelta(days=days)

    register = services.asset_register.in_callers_transaction
    assess = services.asset_assess.in_callers_transaction
    link = services.asset_link.in_callers_transaction
    assets: dict[str, Asset] = {}
    for spec in DEMO_ASSETS:
        latitude, longitude = spec.point or (None, None)
        rebuilding = _project(spec) if spec.registered_with_project else None
        assets[spec.code] = register(
            code=spec.code, kind=spec.kind, governorate=spec.governorate,
            name_en=spec.name_en, name_ar=spec.name_ar, owner=spec.owner or "",
            project=rebuilding or "", latitude=latitude, longitude=longitude, actor=secretariat,
        )  # fmt: skip
    for spec in DEMO_ASSETS:
        assess(
            asset=assets[spec.code], assessed_on=ago(REVIEWED), condition=spec.condition,
            method="remote", source=IMAGERY, actor=secretariat,
        )  # fmt: skip
    # What the projects rebuild; the reservoir only once it was damaged again.
    for spec in DEMO_ASSETS:
        rebuilding = _project(spec)
        if (
            spec.code != DAMAGED_AGAIN
            and rebuilding is not None
            and not spec.registered_with_project
        ):
            link(asset=assets[spec.code], project=rebuilding, actor=secretariat)
    for code, days, condition, note in sorted(SITE_VISITS, key=lambda visit: -visit[1]):
        assess(
            asset=assets[code], assessed_on=ago(days), condition=condition, method="site",
            source=SITE_VISIT, note=note, actor=monitor,
        )  # fmt: skip
    assess(
        asset=assets[DAMAGED_AGAIN], assessed_on=ago(REVIEWED_AGAIN), condition="severe",
        method="remote", source=IMAGERY, actor=secretariat,
    )  # fmt: skip
    reservoir = next(spec for spec in DEMO_ASSETS if spec.code == DAMAGED_AGAIN)
    rebuilding = _project(reservoir)
    if rebuilding is not None:
        link(asset=assets[DAMAGED_AGAIN], project=rebuilding, actor=secretariat)
    return len(assets)
