"""An illustrative fund for `load_demo`: the seven states' money from pledge to spent.

ILLUSTRATIVE ONLY: invented amounts at realistic exchange rates, written through the real
services under the real kinds, so the public pages, the API and `amanah audit` show and
recompute them like real data. The donors and Palestinian bodies are the "XI-DEMO-"
organisations of `orgs.demo`, plus one housing body added here.

Dates are counted back from the day the demo is loaded, so that none is ever in the
future, whatever the machine's clock. Allocations and disbursements pass through signed
motions of the demo board (five seats, both Palestinian seats among them, after the
demo's policy change); a state that earmarked the money drawn is recused, so its seat
does not sign.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from amanah.accounts.models import User
from amanah.funds import services
from amanah.governance.models import Motion
from amanah.orgs.services import _organisation_register

__all__ = ["load_demo_fund"]

# Units per US dollar, on the four rate dates (days before the demo is loaded).
RATE_DAYS = (330, 240, 150, 60)
RATES = {
    "PKR": ("280.60", "281.35", "282.10", "283.00"),
    "TRY": ("41.20", "41.95", "42.60", "43.40"),
    "IDR": ("16250", "16310", "16420", "16505"),
    "EGP": ("48.80", "48.45", "48.10", "47.70"),
    "QAR": ("3.64", "3.64", "3.64", "3.64"),
    "SAR": ("3.75", "3.75", "3.75", "3.75"),
    "JOD": ("0.709", "0.709", "0.709", "0.709"),
}
RATE_SOURCE = "UN operational rates of exchange (demo figures)"
HOUSING_BODY = "XI-DEMO-PS-PHC"

Sign = Callable[..., Motion]


def _day(days_ago: int) -> datetime.date:
    return timezone.now().date() - datetime.timedelta(days=days_ago)


def load_demo_fund(*, secretariat: User, sign: Sign) -> None:
    """Record the demo fund in the caller's open transaction."""
    s = secretariat
    for currency, quotes in RATES.items():
        for days_ago, quote in zip(RATE_DAYS, quotes, strict=True):
            services.fx_rate_record.in_callers_transaction(
                currency=currency, on=_day(days_ago), units_per_usd=quote, source=RATE_SOURCE,
                actor=s,
            )  # fmt: skip
    _organisation_register(
        iati_identifier=HOUSING_BODY,
        organisation_type="22",
        name_en="Palestinian Housing Council (demo)",
        name_ar="المجلس الفلسطيني للإسكان (تجريبي)",
        country="PS",
        is_palestinian=True,
        actor="demo:secretariat",
    )
    _donors(s)
    _projects()
    _allocations_and_spending(s, sign)


def _donors(s: User) -> None:
    pledge = services.pledge_record.in_callers_transaction
    commit = services.commitment_record.in_callers_transaction
    pay = services.contribution_record.in_callers_transaction
    convert = services.conversion_record.in_callers_transaction

    # Pakistan: a pledge, its agreement, a first payment of flexible money.
    pk = pledge(
        donor="XI-DEMO-PK-NDMA",
        amount="1403000000",
        currency="PKR",
        on=_day(320),
        description="Reconstruction conference pledge (demo)",
        actor=s,
    )
    pk_agreement = commit(
        donor="XI-DEMO-PK-NDMA",
        amount="1403000000",
        currency="PKR",
        on=_day(300),
        pledge=pk.id,
        agreement_reference="DEMO-PK-001",
        actor=s,
    )
    pay(
        donor="XI-DEMO-PK-NDMA",
        amount="561200000",
        currency="PKR",
        on=_day(280),
        commitment=pk_agreement.id,
        bank_reference="DEMO-HBL-0001",
        actor=s,
    )
    convert(
        sold_amount="561200000",
        sold_currency="PKR",
        bought_amount="1996800.00",
        bought_currency="USD",
        on=_day(275),
        actor=s,
    )

    # Türkiye: housing in Khan Younis.
    pledge(
        donor="XI-DEMO-TR-TIKA",
        amount="412000000",
        currency="TRY",
        on=_day(318),
        sector="housing",
        governorate="PS0270",
        actor=s,
    )
    tr_agreement = commit(
        donor="XI-DEMO-TR-TIKA",
        amount="206000000",
        currency="TRY",
        on=_day(290),
        sector="housing",
        governorate="PS0270",
        agreement_reference="DEMO-TR-001",
        actor=s,
    )
    pay(
        donor="XI-DEMO-TR-TIKA",
        amount="206000000",
        currency="TRY",
        on=_day(230),
        commitment=tr_agreement.id,
        bank_reference="DEMO-ZIRAAT-17",
        actor=s,
    )
    convert(
        sold_amount="206000000",
        sold_currency="TRY",
        bought_amount="4905000.00",
        bought_currency="USD",
        on=_day(225),
        sector="housing",
        governorate="PS0270",
        actor=s,
    )

    # Indonesia: health, paid without a prior agreement.
    pledge(
        donor="XI-DEMO-ID-INDONESIAN-AID",
        amount="81250000000",
        currency="IDR",
        on=_day(315),
        sector="health",
        actor=s,
    )
    pay(
        donor="XI-DEMO-ID-INDONESIAN-AID",
        amount="32620000000",
        currency="IDR",
        on=_day(200),
        sector="health",
        bank_reference="DEMO-BNI-2207",
        actor=s,
    )
    convert(
        sold_amount="32620000000",
        sold_currency="IDR",
        bought_amount="1998100.00",
        bought_currency="USD",
        on=_day(198),
        sector="health",
        actor=s,
    )

    # Egypt: anything in Rafah; kept in Egyptian pounds.
    pledge(
        donor="XI-DEMO-EG-EAPD",
        amount="244000000",
        currency="EGP",
        on=_day(312),
        governorate="PS0275",
        actor=s,
    )
    pay(
        donor="XI-DEMO-EG-EAPD",
        amount="97600000",
        currency="EGP",
        on=_day(140),
        governorate="PS0275",
        bank_reference="DEMO-NBE-5501",
        actor=s,
    )

    # Qatar: education.
    qa = pledge(
        donor="XI-DEMO-QA-QFFD",
        amount="36400000",
        currency="QAR",
        on=_day(322),
        sector="education",
        actor=s,
    )
    qa_agreement = commit(
        donor="XI-DEMO-QA-QFFD",
        amount="36400000",
        currency="QAR",
        on=_day(305),
        sector="education",
        pledge=qa.id,
        agreement_reference="DEMO-QA-001",
        actor=s,
    )
    pay(
        donor="XI-DEMO-QA-QFFD",
        amount="18200000",
        currency="QAR",
        on=_day(260),
        commitment=qa_agreement.id,
        bank_reference="DEMO-QNB-7781",
        actor=s,
    )
    convert(
        sold_amount="18200000",
        sold_currency="QAR",
        bought_amount="4997500.00",
        bought_currency="USD",
        on=_day(258),
        sector="education",
        actor=s,
    )

    # Saudi Arabia: flexible money, part in riyals, part in dollars.
    sa = pledge(
        donor="XI-DEMO-SA-KSRELIEF", amount="56250000", currency="SAR", on=_day(321), actor=s
    )
    sa_agreement = commit(
        donor="XI-DEMO-SA-KSRELIEF",
        amount="56250000",
        currency="SAR",
        on=_day(295),
        pledge=sa.id,
        agreement_reference="DEMO-SA-001",
        actor=s,
    )
    pay(
        donor="XI-DEMO-SA-KSRELIEF",
        amount="37500000",
        currency="SAR",
        on=_day(250),
        commitment=sa_agreement.id,
        bank_reference="DEMO-SNB-3003",
        actor=s,
    )
    convert(
        sold_amount="37500000",
        sold_currency="SAR",
        bought_amount="9992000.00",
        bought_currency="USD",
        on=_day(248),
        actor=s,
    )
    pay(
        donor="XI-DEMO-SA-KSRELIEF",
        amount="2000000",
        currency="USD",
        on=_day(120),
        bank_reference="DEMO-SNB-3004",
        actor=s,
    )

    # Jordan: health in North Gaza; a payment entered twice, then reversed.
    pledge(
        donor="XI-DEMO-JO-JHCO",
        amount="2127000",
        currency="JOD",
        on=_day(316),
        sector="health",
        governorate="PS0255",
        actor=s,
    )
    pay(
        donor="XI-DEMO-JO-JHCO",
        amount="709000",
        currency="JOD",
        on=_day(210),
        sector="health",
        governorate="PS0255",
        bank_reference="DEMO-AB-0450",
        actor=s,
    )
    twice = pay(
        donor="XI-DEMO-JO-JHCO",
        amount="709000",
        currency="JOD",
        on=_day(210),
        sector="health",
        governorate="PS0255",
        bank_reference="DEMO-AB-0451",
        actor=s,
    )
    services.reversal_record.in_callers_transaction(
        kind="contribution", fact=twice.id,
        reason="Entered twice: the bank statement shows one transfer (demo)", actor=s,
    )  # fmt: skip
    convert(
        sold_amount="709000",
        sold_currency="JOD",
        bought_amount="999000.00",
        bought_currency="USD",
        on=_day(205),
        sector="health",
        governorate="PS0255",
        actor=s,
    )


PROJECTS = (
    ("GZ-EDU-0001", "Repair of six schools in Gaza City (demo)",
     "ترميم ست مدارس في مدينة غزة (تجريبي)", "XI-DEMO-PS-MOEHE", "education", "PS0260"),
    ("GZ-HEA-0001", "Outpatient wing of a hospital in Deir Al-Balah (demo)",
     "جناح العيادات الخارجية لمستشفى في دير البلح (تجريبي)", "XI-DEMO-PS-MOH", "health",
     "PS0265"),
    ("GZ-HEA-0002", "Primary health clinics in Jabalia (demo)",
     "عيادات الرعاية الصحية الأولية في جباليا (تجريبي)", "XI-DEMO-PS-PMRS", "health", "PS0255"),
    ("GZ-HOU-0001", "Repair of 300 damaged homes in Khan Younis (demo)",
     "إصلاح 300 منزل متضرر في خان يونس (تجريبي)", HOUSING_BODY, "housing", "PS0270"),
    ("GZ-ROA-0001", "Clearing and resurfacing of Rafah's main roads (demo)",
     "إزالة الركام وإعادة تأهيل الطرق الرئيسية في رفح (تجريبي)", "XI-DEMO-PS-MOPWH", "roads",
     "PS0275"),
)  # fmt: skip


def _projects() -> None:
    from amanah.projects.services import _project_register

    for code, title_en, title_ar, lead, sector, governorate in PROJECTS:
        _project_register(
            code=code, title_en=title_en, title_ar=title_ar, lead=lead, sector=sector,
            governorate=governorate, actor="demo:secretariat",
        )  # fmt: skip


def _allocations_and_spending(s: User, sign: Sign) -> None:
    allocate = services.allocation_prepare.in_callers_transaction
    disburse = services.disbursement_prepare.in_callers_transaction
    spend = services.expenditure_report.in_callers_transaction

    # Each motion is signed by five seats with both Palestinian ones, leaving out the
    # state that earmarked the money (its seat would be recused).
    # More than Qatar's education money: the rest comes from the flexible pool, which mixes
    # Pakistan's and Saudi Arabia's money, so that part is traced pro rata.
    schools = allocate(project="GZ-EDU-0001", amount="6000000", currency="USD", actor=s)
    sign(schools.motion, "pk", "tr", "id", "ps-1", "ps-2")
    hospital = allocate(project="GZ-HEA-0001", amount="1500000", currency="USD", actor=s)
    sign(hospital.motion, "pk", "tr", "eg", "ps-1", "ps-2")
    clinics = allocate(project="GZ-HEA-0002", amount="900000", currency="USD", actor=s)
    sign(clinics.motion, "pk", "tr", "eg", "ps-1", "ps-2")
    homes = allocate(project="GZ-HOU-0001", amount="3000000", currency="USD", actor=s)
    sign(homes.motion, "pk", "id", "eg", "ps-1", "ps-2")
    # Awaiting the board: two signatures so far. The Ministry of Public Works leads the
    # project and holds a Palestinian seat, so that seat is recused on it.
    roads = allocate(project="GZ-ROA-0001", amount="48000000", currency="EGP", actor=s)
    sign(roads.motion, "sa", "jo")

    for allocation, amount, seats in (
        (schools, "960000", ("pk", "tr", "id", "ps-1", "ps-2")),
        (hospital, "600000", ("pk", "tr", "eg", "ps-1", "ps-2")),
        (homes, "1200000", ("pk", "id", "eg", "ps-1", "ps-2")),
    ):
        allocation.refresh_from_db()
        tranche = disburse(allocation=allocation.id, amount=amount,
                           bank_account="DEMO-PS00-0000-0000", actor=s)  # fmt: skip
        sign(tranche.motion, *seats)
    # The schools' second tranche waits for the board.
    second = disburse(allocation=schools.id, amount="720000", actor=s)
    sign(second.motion, "pk", "ps-1")

    spend(allocation=schools.id, amount="612340.25", on=_day(20),
          description="Structural repairs, first three schools (demo)",
          reported_by="Demo Engineer", actor=s)  # fmt: skip
    spend(allocation=hospital.id, amount="410000.00", on=_day(15),
          description="Generators and roof repairs (demo)", actor=s)  # fmt: skip
    spend(allocation=homes.id, amount="980500.00", on=_day(10),
          description="Repairs to 110 homes (demo)", actor=s)  # fmt: skip
    services.refund_record.in_callers_transaction(
        allocation=hospital.id, amount="25000", on=_day(5), actor=s
    )
