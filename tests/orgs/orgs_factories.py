"""Valid input for the organisations services, for tests to vary one field at a time.

(Named for its app: test directories are not packages, so every helper module needs a
name of its own, and a second `conftest` here would shadow the top-level one.)
"""

from __future__ import annotations

from typing import Any


def registration(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments `organisation_register` accepts, with `overrides` applied."""
    return {
        "iati_identifier": "XI-DEMO-PS-MOPWH",
        "organisation_type": "10",
        "name_en": "Ministry of Public Works and Housing",
        "name_ar": "وزارة الأشغال العامة والإسكان",
        "country": "PS",
        "is_palestinian": True,
        "actor": "user:secretariat-1",
        **overrides,
    }
