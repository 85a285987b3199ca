"""Illustrative organisations for `load_demo`: real bodies, invented identifiers.

ILLUSTRATIVE ONLY. The bodies exist, but none of the identifiers below is registered
anywhere: every one uses the prefix "XI-DEMO-", which is no IATI registration agency,
so that no demo identifier can pass for an organisation's real one. A deployment
registers each body under the identifier it publishes with (or the one its registration
agency gave it), not these.

They are registered through the same path as real organisations and logged as
`organisation.registered`; the "XI-DEMO-" prefix is what marks them as demo data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from amanah.orgs.models import Organisation

# The service's own steps, without its durable transaction: `load_demo` writes the whole
# demo in one transaction of its own, and a durable block cannot nest inside another.
from amanah.orgs.services import _organisation_register

__all__ = ["DEMO_ORGANISATIONS", "DemoOrganisation", "load_demo_organisations"]

GOVERNMENT, LOCAL_GOVERNMENT, OTHER_PUBLIC_SECTOR = "10", "11", "15"
PARTNER_COUNTRY_BASED_NGO = "24"


@dataclass(frozen=True)
class DemoOrganisation:
    iati_identifier: str
    organisation_type: str
    name_en: str
    name_ar: str
    country: str
    is_palestinian: bool


DEMO_ORGANISATIONS = (
    # The seven participating states' aid agencies, in the order of the demo pledges.
    DemoOrganisation(
        "XI-DEMO-PK-NDMA",
        GOVERNMENT,
        "National Disaster Management Authority, Pakistan",
        "الهيئة الوطنية لإدارة الكوارث في باكستان",
        "PK",
        False,
    ),
    DemoOrganisation(
        "XI-DEMO-TR-TIKA",
        GOVERNMENT,
        "Turkish Cooperation and Coordination Agency (TİKA)",
        "الوكالة التركية للتعاون والتنسيق (تيكا)",
        "TR",
        False,
    ),
    DemoOrganisation(
        "XI-DEMO-ID-INDONESIAN-AID",
        GOVERNMENT,
        "Indonesian Agency for International Development (Indonesian AID)",
        "الوكالة الإندونيسية للتنمية الدولية",
        "ID",
        False,
    ),
    DemoOrganisation(
        "XI-DEMO-EG-EAPD",
        GOVERNMENT,
        "Egyptian Agency of Partnership for Development",
        "الوكالة المصرية للشراكة من أجل التنمية",
        "EG",
        False,
    ),
    DemoOrganisation(
        "XI-DEMO-QA-QFFD",
        GOVERNMENT,
        "Qatar Fund for Development",
        "صندوق قطر للتنمية",
        "QA",
        False,
    ),
    DemoOrganisation(
        "XI-DEMO-SA-KSRELIEF",
        GOVERNMENT,
        "King Salman Humanitarian Aid and Relief Centre (KSrelief)",
        "مركز الملك سلمان للإغاثة والأعمال الإنسانية",
        "SA",
        False,
    ),
    DemoOrganisation(
        "XI-DEMO-JO-JHCO",
        OTHER_PUBLIC_SECTOR,  # established by the state, not a ministry
        "Jordan Hashemite Charity Organization",
        "الهيئة الخيرية الأردنية الهاشمية",
        "JO",
        False,
    ),
    # Palestinian bodies that would implement projects.
    DemoOrganisation(
        "XI-DEMO-PS-MOPWH",
        GOVERNMENT,
        "Ministry of Public Works and Housing",
        "وزارة الأشغال العامة والإسكان",
        "PS",
        True,
    ),
    DemoOrganisation(
        "XI-DEMO-PS-MOEHE",
        GOVERNMENT,
        "Ministry of Education and Higher Education",
        "وزارة التربية والتعليم العالي",
        "PS",
        True,
    ),
    DemoOrganisation(
        "XI-DEMO-PS-MOH",
        GOVERNMENT,
        "Ministry of Health",
        "وزارة الصحة",
        "PS",
        True,
    ),
    DemoOrganisation(
        "XI-DEMO-PS-GAZA-MUNICIPALITY",
        LOCAL_GOVERNMENT,
        "Gaza Municipality",
        "بلدية غزة",
        "PS",
        True,
    ),
    DemoOrganisation(
        "XI-DEMO-PS-PMRS",
        PARTNER_COUNTRY_BASED_NGO,
        "Palestinian Medical Relief Society",
        "جمعية الإغاثة الطبية الفلسطينية",
        "PS",
        True,
    ),
    DemoOrganisation(
        "XI-DEMO-PS-CMWU",
        OTHER_PUBLIC_SECTOR,
        "Coastal Municipalities Water Utility",
        "مصلحة مياه بلديات الساحل",
        "PS",
        True,
    ),
)


def load_demo_organisations(*, actor: str) -> list[Organisation]:
    """Register the demo organisations, logging each, in the caller's open transaction."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction each row would commit before its log entry is written.
        raise RuntimeError("load_demo_organisations must run inside transaction.atomic()")
    return [
        _organisation_register(
            iati_identifier=demo.iati_identifier,
            organisation_type=demo.organisation_type,
            name_en=demo.name_en,
            name_ar=demo.name_ar,
            country=demo.country,
            is_palestinian=demo.is_palestinian,
            actor=actor,
        )
        for demo in DEMO_ORGANISATIONS
    ]
