"""The fund's forms: what the secretariat and partners type, as the arguments a service takes.

Amounts are `Decimal` (a `DecimalField`, never a float); the service checks them against
the currency's decimal places and says so at the field. Choices of facts, allocations and
organisations are given by the view from selectors, so a form makes no query of its own.
`FundForm.add_service_error` puts a service's `ValidationError` on the fields it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from amanah.funds.money import Money
from amanah.funds.selectors import AllocationRow, FactChoice
from amanah.orgs.models import Organisation
from amanah.projects.models import Project
from amanah.reference.geography import governorates
from amanah.reference.sectors import SECTORS

__all__ = [
    "AllocateForm",
    "CommitmentForm",
    "ContributionForm",
    "ConversionForm",
    "DisburseForm",
    "ExpenditureForm",
    "FundForm",
    "FxRateForm",
    "PledgeForm",
    "ProjectRegisterForm",
    "RefundForm",
    "ReversalForm",
    "money_text",
]

_LTR = {"dir": "ltr"}
_CURRENCY = {"dir": "ltr", "size": 4, "autocapitalize": "characters", "spellcheck": "false"}
PRIVATE = gettext_lazy(
    "Private: kept in the fund’s database only. It is never shown on public pages and never "
    "written to the transparency log."
)


def money_text(money: Money) -> str:
    """An amount as the active language writes numbers, with its currency code."""
    places = len(str(money.amount).partition(".")[2])
    amount = number_format(money.amount, decimal_pos=places, force_grouping=True)
    return f"{amount} {money.currency}"


def _amount(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=30,
        widget=forms.NumberInput({"step": "any", "min": "0", "dir": "ltr"}),
        help_text=gettext_lazy("A decimal number with a point, like 1250.50."),
    )


def _currency(label: str | None = None) -> forms.CharField:
    return forms.CharField(
        label=label or gettext_lazy("Currency"),
        min_length=3,
        max_length=3,
        initial="USD",
        widget=forms.TextInput(_CURRENCY),
        help_text=gettext_lazy("Its ISO 4217 code, like USD, QAR or JOD."),
    )


def _date() -> forms.DateField:
    return forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput({"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


def _choice(label: str, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=required, choices=())


def sector_options(empty: str) -> list[tuple[str, str]]:
    language = get_language() or "en"
    return [("", empty), *((s.code, s.name(language)) for s in SECTORS)]


def governorate_options(empty: str) -> list[tuple[str, str]]:
    language = get_language() or "en"
    return [("", empty), *((g.pcode, g.name(language)) for g in governorates())]


def _fact_label(fact: FactChoice) -> str:
    parts = [money_text(fact.amount), fact.on.isoformat()]
    if fact.who:
        parts.insert(0, fact.who)
    return _("%(fact)s (log entry %(index)s)") % {
        "fact": " · ".join(parts),
        "index": fact.log_index,
    }


class FundForm(forms.Form):
    """A form whose service names its fields the way the form does."""

    # A field the service names -> the form field showing its error, where they differ.
    service_fields: ClassVar[dict[str, str]] = {}

    def _choices(self, name: str, choices: Iterable[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = list(choices)

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = self.service_fields.get(name, name)
            self.add_error(field if field in self.fields else None, errors)

    def service_kwargs(self) -> dict[str, Any]:
        """What the service takes, but the actor. Call once the form is valid."""
        return dict(self.cleaned_data)


class _EarmarkMixin(FundForm):
    def _earmark_choices(self) -> None:
        self._choices("sector", sector_options(_("Not earmarked to a sector")))
        self._choices("governorate", governorate_options(_("Not earmarked to a governorate")))


def _clean_currency(form: forms.Form, name: str = "currency") -> str:
    return str(form.cleaned_data.get(name, "")).strip().upper()


class FxRateForm(FundForm):
    currency = _currency()
    on = _date()
    units_per_usd = forms.DecimalField(
        label=gettext_lazy("Units of the currency one US dollar bought"),
        max_digits=30,
        widget=forms.NumberInput({"step": "any", "min": "0", "dir": "ltr"}),
        help_text=gettext_lazy(
            "As the UN operational rates quote it: 278.50 means 1 USD = 278.50."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=200,
        initial="UN operational rates of exchange",
    )

    def clean_currency(self) -> str:
        return _clean_currency(self)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = ""


class _DonorForm(_EarmarkMixin):
    donor = _choice(gettext_lazy("Donor"))
    amount = _amount(gettext_lazy("Amount"))
    currency = _currency()
    on = _date()
    sector = _choice(gettext_lazy("Earmarked sector"), required=False)
    governorate = _choice(gettext_lazy("Earmarked governorate"), required=False)

    def __init__(self, *args: Any, donors: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "donor",
            [("", _("Choose…")), *((o.iati_identifier, str(o)) for o in donors)],
        )
        self._earmark_choices()

    def clean_currency(self) -> str:
        return _clean_currency(self)


class PledgeForm(_DonorForm):
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)


class CommitmentForm(_DonorForm):
    pledge = _choice(gettext_lazy("Pledge it meets (optional)"), required=False)
    agreement_reference = forms.CharField(
        label=gettext_lazy("Agreement reference"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Public: it is written to the transparency log."),
    )

    def __init__(self, *args: Any, pledges: Sequence[FactChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("pledge", [("", _("None")), *((str(p.id), _fact_label(p)) for p in pledges)])


class ContributionForm(_DonorForm):
    commitment = _choice(gettext_lazy("Commitment it pays (optional)"), required=False)
    bank_reference = forms.CharField(
        label=gettext_lazy("Bank reference"),
        max_length=100,
        required=False,
        help_text=PRIVATE,
        widget=forms.TextInput(_LTR),
    )

    def __init__(self, *args: Any, commitments: Sequence[FactChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "commitment",
            [("", _("None")), *((str(c.id), _fact_label(c)) for c in commitments)],
        )
        self.fields["commitment"].help_text = _(
            "Paid against a commitment, the money takes the commitment’s earmark."
        )


class ConversionForm(_EarmarkMixin):
    sold_amount = _amount(gettext_lazy("Amount sold"))
    sold_currency = _currency(gettext_lazy("Currency sold"))
    bought_amount = _amount(gettext_lazy("Amount bought"))
    bought_currency = _currency(gettext_lazy("Currency bought"))
    on = _date()
    sector = _choice(gettext_lazy("Earmarked sector of the money sold"), required=False)
    governorate = _choice(gettext_lazy("Earmarked governorate of the money sold"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._earmark_choices()
        self.fields["sold_currency"].initial = ""

    def clean_sold_currency(self) -> str:
        return _clean_currency(self, "sold_currency")

    def clean_bought_currency(self) -> str:
        return _clean_currency(self, "bought_currency")


def _allocation_label(row: AllocationRow) -> str:
    left = row.left if row.left is not None else row.amount
    return _("%(project)s: %(amount)s allocated, %(left)s left to disburse") % {
        "project": row.project.code,
        "amount": money_text(row.amount),
        "left": money_text(left),
    }


class _AllocationForm(FundForm):
    allocation = _choice(gettext_lazy("Allocation"))

    def __init__(self, *args: Any, allocations: Sequence[AllocationRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "allocation",
            [("", _("Choose…")), *((str(a.id), _allocation_label(a)) for a in allocations)],
        )


class RefundForm(_AllocationForm):
    amount = _amount(gettext_lazy("Amount returned"))
    on = _date()


class DisburseForm(_AllocationForm):
    amount = _amount(gettext_lazy("Amount of the tranche"))
    bank_account = forms.CharField(
        label=gettext_lazy("Partner’s bank account"),
        max_length=100,
        required=False,
        help_text=PRIVATE,
        widget=forms.TextInput(_LTR),
    )


class ExpenditureForm(_AllocationForm):
    amount = _amount(gettext_lazy("Amount spent"))
    on = _date()
    description = forms.CharField(
        label=gettext_lazy("What it was spent on"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Public: it is written to the transparency log."),
    )
    reported_by = forms.CharField(
        label=gettext_lazy("Reported by"), max_length=200, required=False, help_text=PRIVATE
    )


class ReversalForm(FundForm):
    fact = _choice(gettext_lazy("Fact to reverse"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea({"rows": 2}),
        help_text=gettext_lazy("Public: it is written to the transparency log."),
    )
    service_fields: ClassVar[dict[str, str]] = {"kind": "fact"}

    KIND_LABELS: ClassVar[dict[str, Any]] = {
        "pledge": gettext_lazy("Pledges"),
        "commitment": gettext_lazy("Commitments"),
        "contribution": gettext_lazy("Contributions"),
        "conversion": gettext_lazy("Currency conversions"),
        "expenditure": gettext_lazy("Expenditure"),
        "refund": gettext_lazy("Refunds"),
    }

    def __init__(self, *args: Any, facts: Sequence[FactChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        for fact in facts:
            groups.setdefault(fact.kind, []).append((f"{fact.kind}:{fact.id}", _fact_label(fact)))
        self._choices(
            "fact",
            [
                ("", _("Choose…")),
                *((str(self.KIND_LABELS[kind]), options) for kind, options in groups.items()),
            ],
        )

    def service_kwargs(self) -> dict[str, Any]:
        kind, _colon, fact = self.cleaned_data["fact"].partition(":")
        return {"kind": kind, "fact": fact, "reason": self.cleaned_data["reason"]}


class AllocateForm(FundForm):
    project = _choice(gettext_lazy("Project"))
    amount = _amount(gettext_lazy("Amount"))
    currency = _currency()

    def __init__(self, *args: Any, projects: Sequence[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "project",
            [("", _("Choose…")), *((p.code, f"{p.code}: {p.title}") for p in projects)],
        )

    def clean_currency(self) -> str:
        return _clean_currency(self)


class ProjectRegisterForm(FundForm):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy("A short public reference, like GZ-HOU-0001."),
        widget=forms.TextInput(_LTR),
    )
    title_en = forms.CharField(
        label=gettext_lazy("Title in English"),
        max_length=300,
        required=False,
        widget=forms.TextInput({"lang": "en", "dir": "ltr"}),
    )
    title_ar = forms.CharField(
        label=gettext_lazy("Title in Arabic"),
        max_length=300,
        required=False,
        widget=forms.TextInput({"lang": "ar", "dir": "rtl"}),
    )
    lead = _choice(gettext_lazy("Lead organisation"))
    sector = _choice(gettext_lazy("Sector"))
    governorate = _choice(gettext_lazy("Governorate"))

    def __init__(self, *args: Any, leads: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("lead", [("", _("Choose…")), *((o.iati_identifier, str(o)) for o in leads)])
        self.fields["lead"].help_text = _("Only Palestinian bodies lead projects.")
        self._choices("sector", sector_options(_("Choose…")))
        self._choices("governorate", governorate_options(_("Choose…")))


class ImportForm(forms.Form):
    """A bank statement to import: a CSV file, UTF-8."""

    MAX_BYTES = 2 * 1024 * 1024

    statement = forms.FileField(
        label=gettext_lazy("Bank statement (CSV)"),
        help_text=gettext_lazy("UTF-8 text, one contribution per row, at most 2 MB."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("statement")
        if upload is None:
            return cleaned
        if upload.size > self.MAX_BYTES:
            self.add_error("statement", gettext_lazy("The file is larger than 2 MB."))
            return cleaned
        try:
            cleaned["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error(
                "statement", gettext_lazy("Save the file as UTF-8 text (CSV UTF-8) and try again.")
            )
        return cleaned
