"""The secretariat's form to create a round (no JavaScript: the rubric and the pools are
formsets with a spare row or two). The forms only parse and convert to what
`services.round_create` takes (shares as fractions of the envelope in decimal strings,
amounts in cents); the service checks again, and `add_service_error` puts its
`ValidationError` on the fields it names.

Units: a share is typed as a percentage (25 -> "0.25"), money in US dollars
(250000.50 -> 25000050 cents).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amanah.core.formats import format_number
from amanah.funds.earmarks import Earmark
from amanah.funds.money import Money, MoneyError
from amanah.projects.models import governorate_choices, sector_choices
from amanah.rounds.services import STANDARD_CRITERIA

__all__ = [
    "STANDARD_CRITERIA",
    "CriterionFormSet",
    "PoolFormSet",
    "RoundForm",
    "add_service_error",
    "cents_from_dollars",
    "pool_initial",
    "rows",
]


# Page addresses under /rounds/ that a round's code would shadow.
_RESERVED_CODES = frozenset({"new", "review"})
_ANY = [("", _("Any"))]
_AR = {"dir": "rtl", "lang": "ar"}  # Arabic text in an English page too
_SHARE_NAME = re.compile(r"(min|max)_share_by_(sector|governorate)\[([^\]]+)\]")


def cents_from_dollars(text: str) -> int:
    """ "250000.50" (US dollars) -> 25000050; raises ValidationError (not MoneyError)."""
    try:
        cents = Money.parse(text, "USD").minor
    except MoneyError:
        raise ValidationError(
            _("Give an amount in US dollars, like 250000 or 1250.50."), code="invalid"
        ) from None
    if cents < 0:
        raise ValidationError(_("Give an amount of at least 0."), code="negative")
    return cents


def _fraction(percent: Decimal) -> str:
    """25 (%) -> "0.25": exact, in the one spelling rounds write."""
    return format(percent.scaleb(-2).normalize(), "f")


def _percent_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=4,
        # Shown in a table row named by its sector or governorate: the label is for screen
        # readers only.
        widget=forms.NumberInput(
            attrs={"step": "any", "inputmode": "decimal", "aria-label": label}
        ),
    )


class RoundForm(forms.Form):
    """The round's code and titles, its share constraints (one minimum and one maximum
    per sector and per governorate, in percent of the envelope) and its partner cap."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens, like R-2026-01; the log names the round so."),
    )
    title_en = forms.CharField(label=_("Title in English"), max_length=300, required=False)
    title_ar = forms.CharField(
        label=_("Title in Arabic"), max_length=300, required=False, widget=forms.TextInput(_AR)
    )
    max_per_partner = forms.CharField(
        label=_("Largest amount per partner (US dollars)"),
        required=False,
        help_text=_("Leave empty for no limit."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions: dict[str, list[tuple[str, str]]] = {
            "sector": sector_choices(),
            "governorate": governorate_choices(),
        }
        for dimension, choices in self.dimensions.items():
            for key, name in choices:
                self.fields[f"min_{dimension}_{key}"] = _percent_field(
                    _("Minimum share of %(name)s (%%)") % {"name": name}
                )
                self.fields[f"max_{dimension}_{key}"] = _percent_field(
                    _("Maximum share of %(name)s (%%)") % {"name": name}
                )

    def share_rows(self, dimension: str) -> list[dict[str, Any]]:
        """One row per sector (or governorate): its name and its two bound fields."""
        return [
            {
                "key": key,
                "name": name,
                "min": self[f"min_{dimension}_{key}"],
                "max": self[f"max_{dimension}_{key}"],
            }
            for key, name in self.dimensions[dimension]
        ]

    def sector_rows(self) -> list[dict[str, Any]]:
        return self.share_rows("sector")

    def governorate_rows(self) -> list[dict[str, Any]]:
        return self.share_rows("governorate")

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if code.lower() in _RESERVED_CODES:
            raise ValidationError(_("This code is the address of a page; choose another."))
        return code

    def clean_max_per_partner(self) -> int | None:
        text = self.cleaned_data["max_per_partner"].strip()
        return cents_from_dollars(text) if text else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for dimension, choices in self.dimensions.items():
            for key, _name in choices:
                low = data.get(f"min_{dimension}_{key}")
                high = data.get(f"max_{dimension}_{key}")
                if low is not None and high is not None and low > high:
                    self.add_error(
                        f"min_{dimension}_{key}",
                        _("The minimum share is larger than the maximum (%(max)s %%).")
                        % {"max": format_number(high)},
                    )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        shares: dict[str, dict[str, str]] = {}
        for bound in ("min", "max"):
            for dimension, choices in self.dimensions.items():
                shares[f"{bound}_share_by_{dimension}"] = {
                    key: _fraction(data[f"{bound}_{dimension}_{key}"])
                    for key, _name in choices
                    if data.get(f"{bound}_{dimension}_{key}") is not None
                }
        return {
            "code": data["code"],
            "title_en": data["title_en"],
            "title_ar": data["title_ar"],
            **shares,
            "max_per_partner_cents": data["max_per_partner"],
        }


class CriterionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    name_ar = forms.CharField(
        label=_("Name in Arabic"), max_length=200, required=False, widget=forms.TextInput(_AR)
    )
    weight = forms.DecimalField(
        label=_("Weight"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if _filled(data):
            if not data.get("code") and "code" not in self.errors:
                self.add_error("code", _("Give the criterion a code, like severity."))
            if data.get("weight") is None and "weight" not in self.errors:
                self.add_error("weight", _("Give the criterion a weight, like 0.3."))
        return data


class BaseCriterionFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        codes = [row["code"] for row in rows(self)]
        if not codes:
            raise ValidationError(_("A round needs at least one criterion."))
        if len(set(codes)) != len(codes):
            raise ValidationError(_("Two criteria have the same code."))


class PoolForm(forms.Form):
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    governorate = forms.ChoiceField(label=_("Governorate"), required=False)
    amount = forms.CharField(
        label=_("Amount (US dollars)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = _ANY + sector_choices()  # type: ignore[attr-defined]
        self.fields["governorate"].choices = _ANY + governorate_choices()  # type: ignore[attr-defined]

    def clean_amount(self) -> int | None:
        text = self.cleaned_data["amount"].strip()
        return cents_from_dollars(text) if text else None

    @property
    def earmark(self) -> Earmark:
        data = self.cleaned_data
        return Earmark(data.get("sector") or None, data.get("governorate") or None)


class BasePoolFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """Pools; a row without an amount is left out. `available` (earmark key -> cents the
    fund has free to allocate) lets the page refuse a pool larger than that at once: the
    service refuses it only when the round is opened."""

    def __init__(self, *args: Any, available: Mapping[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.available = available

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            if form.cleaned_data.get("amount") is None:
                continue
            key = form.earmark.key
            if key in seen:
                form.add_error("sector", _("Another pool has this earmark: give one per earmark."))
            seen.add(key)
            have = self.available.get(key, 0)
            if form.cleaned_data["amount"] > have:
                form.add_error(
                    "amount",
                    _("The fund has %(have)s US dollars free to allocate under %(earmark)s.")
                    % {"have": Money.from_minor(have, "USD").amount, "earmark": key},
                )
        if not seen:
            raise ValidationError(_("A round needs at least one pool of money."))

    def pools(self) -> list[dict[str, Any]]:
        return [
            {
                "sector": form.cleaned_data["sector"],
                "governorate": form.cleaned_data["governorate"],
                "amount_cents": form.cleaned_data["amount"],
            }
            for form in self.forms
            if form.cleaned_data.get("amount") is not None
        ]


CriterionFormSet = forms.formset_factory(
    CriterionForm, formset=BaseCriterionFormSet, extra=1, max_num=20
)
PoolFormSet = forms.formset_factory(PoolForm, formset=BasePoolFormSet, extra=2, max_num=40)


def pool_initial(available: Mapping[str, int]) -> list[dict[str, str]]:
    """A row per earmark the fund has money under, prefilled with all of it (in dollars)."""
    found = []
    for key, cents in available.items():
        earmark = Earmark.from_key(key)
        found.append(
            {
                "sector": earmark.sector or "",
                "governorate": earmark.governorate or "",
                "amount": str(Money.from_minor(cents, "USD").amount),
            }
        )
    return found


def _filled(data: Mapping[str, Any]) -> bool:
    return any(value not in ("", None) for value in data.values())


def rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """The rows filled in (a row left wholly empty is dropped), as the service takes them."""
    return [
        {k: ("" if v is None else v) for k, v in form.cleaned_data.items()}
        for form in formset.forms
        if form.cleaned_data and _filled(form.cleaned_data)
    ]


def add_service_error(
    error: ValidationError,
    form: RoundForm,
    criteria: forms.BaseFormSet,  # type: ignore[type-arg]
    pools: forms.BaseFormSet,  # type: ignore[type-arg]
) -> None:
    """Put each of `round_create`'s problems next to the field it names: a share on its
    sector's or governorate's row, the rubric and the pools above their tables."""
    for name, messages in error.message_dict.items():
        for message in messages:
            share = _SHARE_NAME.search(message)
            if name in ("criteria", "pools"):
                formset = criteria if name == "criteria" else pools
                formset.non_form_errors().append(message)
            elif share and f"{share[1]}_{share[2]}_{share[3]}" in form.fields:
                form.add_error(f"{share[1]}_{share[2]}_{share[3]}", message)
            elif name == "max_per_partner_cents":
                form.add_error("max_per_partner", message)
            else:
                form.add_error(name if name in form.fields else None, message)
