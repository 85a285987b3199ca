"""IATI codelists, read at run time from the unmodified copies in `data/iati/`.

The files are IATI's own (see `data/iati/README.md` for source, commit and licence);
this module only parses them, with the standard library, into frozen values, once per
process. A file that is not shaped like an IATI codelist raises `CodelistError` naming
the file, rather than quietly giving an empty list of choices.

Names are IATI's English names. They are also msgids: `ORGANISATION_TYPE_NAMES` lists
them literally so that `makemessages` puts them in the Arabic catalogue, and a test checks
that list against the file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from xml.etree import ElementTree

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, gettext_noop

__all__ = [
    "ORGANISATION_TYPE_NAMES",
    "CodelistError",
    "CodelistItem",
    "codelist",
    "organisation_type_choices",
    "organisation_type_codes",
    "organisation_types",
    "parse_codelist",
]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_STATUSES = ("active", "withdrawn")

# The English names of the OrganisationType codes, for translation (see the docstring).
ORGANISATION_TYPE_NAMES = (
    gettext_noop("Government"),
    gettext_noop("Local Government"),
    gettext_noop("Other Public Sector"),
    gettext_noop("International NGO"),
    gettext_noop("National NGO"),
    gettext_noop("Regional NGO"),
    gettext_noop("Partner Country based NGO"),
    gettext_noop("Public Private Partnership"),
    gettext_noop("Multilateral"),
    gettext_noop("Foundation"),
    gettext_noop("Private Sector"),
    gettext_noop("Private Sector in Provider Country"),
    gettext_noop("Private Sector in Aid Recipient Country"),
    gettext_noop("Private Sector in Third Country"),
    gettext_noop("Academic, Training and Research"),
    gettext_noop("Other"),
)


class CodelistError(ValueError):
    """A codelist file that is not shaped like IATI's; the message names the file."""


@dataclass(frozen=True)
class CodelistItem:
    """One `<codelist-item>`: its code, English name and description, and status."""

    code: str
    name: str
    description: str  # "" when the item has none
    withdrawn: bool  # IATI: withdrawn codes are not valid for new data


@functools.cache
def codelist(name: str) -> tuple[CodelistItem, ...]:
    """Every item of the packaged IATI codelist `name`, active and withdrawn, in the
    file's order. Read and parsed once per process."""
    data = (resources.files("amanah.orgs") / "data" / "iati" / f"{name}.xml").read_bytes()
    return parse_codelist(data, name, source=f"amanah/orgs/data/iati/{name}.xml")


def parse_codelist(data: bytes, name: str, *, source: str) -> tuple[CodelistItem, ...]:
    """The items of an IATI codelist file; `source` names the file in errors."""
    try:
        # Only ever given IATI's files packaged with Amanah (`codelist`), not outside input.
        root = ElementTree.fromstring(data)  # noqa: S314
    except ElementTree.ParseError as error:
        raise CodelistError(f"{source} is not well-formed XML: {error}") from None
    if root.tag != "codelist" or root.get("name") != name:
        raise CodelistError(f"{source} is not the IATI codelist {name!r}")
    language = root.get(_XML_LANG, "en")
    items = tuple(
        _item(element, language, source)
        for element in root.iterfind("codelist-items/codelist-item")
    )
    codes = [item.code for item in items]
    if not codes:
        raise CodelistError(f"{source} has no codelist items")
    if len(set(codes)) != len(codes):
        raise CodelistError(f"{source} repeats a code")
    return items


def _item(element: ElementTree.Element, language: str, source: str) -> CodelistItem:
    code = (element.findtext("code") or "").strip()
    name = _english(element.find("name"), language)
    status = element.get("status", "active")
    if not code or not name:
        raise CodelistError(f"{source} has an item without a code or an English name")
    if status not in _STATUSES:
        raise CodelistError(f"{source}: code {code!r} has the unknown status {status!r}")
    description = _english(element.find("description"), language)
    return CodelistItem(code, name, description, withdrawn=status == "withdrawn")


def _english(parent: ElementTree.Element | None, language: str) -> str:
    """The English narrative; a narrative without `xml:lang` is in the list's language."""
    if parent is None:
        return ""
    for narrative in parent.iterfind("narrative"):
        if narrative.get(_XML_LANG, language) == "en":
            return (narrative.text or "").strip()
    return ""


def organisation_types() -> tuple[CodelistItem, ...]:
    """The IATI OrganisationType codes valid for new data (withdrawn ones left out)."""
    return tuple(item for item in codelist("OrganisationType") if not item.withdrawn)


def organisation_type_codes() -> list[str]:
    return [item.code for item in organisation_types()]


def organisation_type_choices() -> list[tuple[str, Promise]]:
    """Field choices: each active code with its name, translated when shown."""
    return [(item.code, gettext_lazy(item.name)) for item in organisation_types()]
