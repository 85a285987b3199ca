"""Organisations, and the rules a single row must keep.

Field validators give each rule a message naming its field; the same rules are check
constraints, so that no other path into the database can break them either. Services
call `full_clean()` before `save()`. Uniqueness across rows is the unique index on the
IATI identifier.

The organisation type constraint lists the codes of the packaged IATI OrganisationType
codelist (`codelists.py`), read when this module is imported; an update of that file
shows up as a new migration.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Ord, Substr
from django.db.models.lookups import Exact, Range
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amanah.orgs.codelists import organisation_type_choices, organisation_type_codes

# The shape of an IATI organisation identifier; see `validate_iati_identifier`.
_IATI_IDENTIFIER = re.compile(r"[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*")
_COUNTRY = re.compile(r"[A-Z]{2}")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# The Arabic, Arabic Supplement, Arabic Extended-A and presentation-form blocks.
_ARABIC_LETTER = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]"
)
_A, _Z = ord("A"), ord("Z")


def validate_iati_identifier(value: str) -> None:
    """An IATI organisation identifier: `{registration agency}-{number there}`.

    IATI builds the identifier from the code of the agency that registered the
    organisation (IATI's OrganisationRegistrationAgency codelist: "XM-DAC" for the OECD
    DAC's list, "GB-COH" for Companies House, "PS-MOI" for Palestine's Ministry of
    Interior) and the organisation's number in that register, joined by a hyphen:
    "XM-DAC-41114", "GB-COH-12345678". Only the shape is checked here, not whether the
    agency exists or the number is registered:

    - ASCII letters, digits and underscores ("CA-CRA_ACR-..."), in runs joined by single
      hyphens or dots; at least one hyphen, since the agency prefix ends with one;
    - nothing else: no spaces, and no "/", "&", "|" or "?", which IATI's Standard ruleset
      forbids in identifiers (they are used in addresses);
    - at most 100 characters (the field's length); the case is kept as given.
    """
    if not _IATI_IDENTIFIER.fullmatch(value) or "-" not in value:
        raise ValidationError(
            _(
                "Enter an IATI organisation identifier: the registration agency's prefix, "
                "a hyphen and the organisation's number there, like XM-DAC-41114. Use only "
                "letters, digits and underscores, joined by hyphens or dots."
            ),
            code="invalid",
        )


def validate_country(value: str) -> None:
    """An ISO 3166-1 alpha-2 code in capitals; Palestine is "PS"."""
    if not _COUNTRY.fullmatch(value):
        raise ValidationError(
            _("Enter the country as its two-letter ISO 3166-1 code in capitals, like PS."),
            code="invalid",
        )


def validate_name_en(value: str) -> None:
    _validate_name(value)
    if not _LATIN_LETTER.search(value):
        raise ValidationError(_("Write the English name in Latin letters."), code="script")


def validate_name_ar(value: str) -> None:
    _validate_name(value)
    if not _ARABIC_LETTER.search(value):
        raise ValidationError(_("Write the Arabic name in Arabic letters."), code="script")


def _validate_name(value: str) -> None:
    if value != value.strip():
        raise ValidationError(
            _("Remove the spaces before and after the name."), code="surrounding_space"
        )
    # Control characters (line breaks, NUL) and lone surrogates, which UTF-8 cannot hold.
    if any(unicodedata.category(character) in ("Cc", "Cs") for character in value):
        raise ValidationError(
            _("Remove line breaks and other control characters from the name."),
            code="control_character",
        )


def _capital_letter_at(position: int) -> Range:
    """True when the country code's character at `position` (from 1) is A to Z.

    Code points, not collation order: "a" sorts between "A" and "Z" in most locales.
    """
    return Range(Ord(Substr("country", position, 1)), (_A, _Z))


class Organisation(models.Model):
    """A donor's agency or ministry, a Palestinian ministry, municipality or NGO, or any
    other body the fund deals with. Every field is public."""

    iati_identifier = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        unique=True,
        validators=[validate_iati_identifier],
        error_messages={
            "unique": _("An organisation with this IATI identifier is already registered.")
        },
        help_text=_("The registration agency's prefix and the number there, like XM-DAC-41114."),
    )
    organisation_type = models.CharField(
        _("organisation type"),
        max_length=10,
        choices=organisation_type_choices,
        help_text=_("The IATI OrganisationType code."),
    )
    name_en = models.CharField(
        _("name in English"), max_length=300, blank=True, validators=[validate_name_en]
    )
    name_ar = models.CharField(
        _("name in Arabic"), max_length=300, blank=True, validators=[validate_name_ar]
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country],
        help_text=_("Two-letter ISO 3166-1 code; PS for Palestine."),
    )
    is_palestinian = models.BooleanField(
        _("Palestinian body"),
        help_text=_("A Palestinian ministry, municipality, NGO or other Palestinian body."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["iati_identifier"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_en="", name_ar=""),
                name="orgs_organisation_has_a_name",
                violation_error_message=_("Give the name in English, in Arabic or in both."),
            ),
            models.CheckConstraint(
                condition=Q(organisation_type__in=organisation_type_codes()),
                name="orgs_organisation_type_in_iati_codelist",
            ),
            models.CheckConstraint(
                condition=Exact(Length("country"), 2)
                & _capital_letter_at(1)
                & _capital_letter_at(2),
                name="orgs_organisation_country_two_capitals",
            ),
            models.CheckConstraint(
                condition=Q(iati_identifier__contains="-")
                & ~Q(iati_identifier__startswith="-")
                & ~Q(iati_identifier__endswith="-")
                & ~Q(iati_identifier__contains=" ")
                & ~Q(iati_identifier__contains="/"),
                name="orgs_organisation_iati_identifier_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.iati_identifier})"

    @property
    def display_name(self) -> str:
        """The name in the active language, or in the other one when it has none."""
        if get_language() == "ar":
            return self.name_ar or self.name_en
        return self.name_en or self.name_ar

    def clean(self) -> None:
        # `clean_fields` skips empty values of blank fields, None included.
        missing = [name for name in ("name_en", "name_ar") if getattr(self, name) is None]
        if missing:
            raise ValidationError(
                {
                    name: ValidationError(self._meta.get_field(name).error_messages["null"])
                    for name in missing
                }
            )
        if not self.name_en and not self.name_ar:
            message = _("Give the name in English, in Arabic or in both.")
            raise ValidationError(
                {
                    "name_en": ValidationError(message, code="required"),
                    "name_ar": ValidationError(message, code="required"),
                }
            )
