"""The pages' forms: a proposal draft with its budget lines and milestones (formsets, no
JavaScript: a few empty rows to fill in), a partner assessment. Each gives the arguments a
service takes; `add_service_error` puts a service's `ValidationError` on the fields it
names (`budget_lines.2.amount` on the third line's amount)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amanah.projects.models import Proposal, RiskLevel, governorate_choices, sector_choices

__all__ = [
    "AssessmentForm",
    "BudgetLineFormSet",
    "MilestoneFormSet",
    "ProposalForm",
    "add_service_error",
    "proposal_initial",
    "rows",
]


class ProposalForm(forms.Form):
    title_en = forms.CharField(label=_("Title in English"), max_length=300, required=False)
    title_ar = forms.CharField(label=_("Title in Arabic"), max_length=300, required=False)
    description_en = forms.CharField(
        label=_("Description in English"), widget=forms.Textarea, required=False
    )
    description_ar = forms.CharField(
        label=_("Description in Arabic"), widget=forms.Textarea, required=False
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    dac_codes = forms.CharField(
        label=_("DAC 5-digit sector codes"),
        required=False,
        help_text=_("Separated by spaces or commas, like 16040 73010; all in the sector."),
    )
    governorate = forms.ChoiceField(label=_("Governorate"), required=False)
    municipality = forms.CharField(
        label=_("Municipality"),
        max_length=120,
        required=False,
        help_text=_("Not published: only your organisation and the secretariat see it."),
    )
    latitude = forms.CharField(label=_("Latitude"), required=False, help_text=_("Not published."))
    longitude = forms.CharField(label=_("Longitude"), required=False)
    beneficiaries_total = forms.IntegerField(label=_("People who benefit"), min_value=0, initial=0)
    beneficiaries_women = forms.IntegerField(label=_("Of whom women"), min_value=0, initial=0)
    beneficiaries_children = forms.IntegerField(label=_("Of whom children"), min_value=0, initial=0)
    starts_on = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    co_implementers = forms.CharField(
        label=_("Co-implementers"),
        required=False,
        help_text=_("IATI identifiers of other organisations, separated by spaces."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["sector"].choices = blank + sector_choices()  # type: ignore[attr-defined]
        self.fields["governorate"].choices = blank + governorate_choices()  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["dac_codes"] = data["dac_codes"].replace(",", " ").split()
        data["co_implementers"] = data["co_implementers"].replace(",", " ").split()
        for name in ("latitude", "longitude"):
            data[name] = data[name] or None
        return data


class BudgetLineForm(forms.Form):
    description = forms.CharField(label=_("Budget line"), max_length=300, required=False)
    amount = forms.CharField(label=_("Amount (US dollars)"), required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=300, required=False)
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget_percent = forms.CharField(label=_("Share of the budget (%)"), required=False)


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=3, max_num=50)
MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, max_num=24)


def rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """The rows filled in (a row left wholly empty is dropped)."""
    return [
        {k: ("" if v is None else v) for k, v in form.cleaned_data.items()}
        for form in formset.forms
        if form.cleaned_data and any(v not in ("", None) for v in form.cleaned_data.values())
    ]


def proposal_initial(
    proposal: Proposal,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A draft as the forms' initial values."""
    fields = {
        name: getattr(proposal, name)
        for name in ProposalForm.base_fields
        if name not in ("dac_codes", "co_implementers")
    }
    fields["dac_codes"] = " ".join(proposal.dac_codes)
    fields["co_implementers"] = " ".join(o.iati_identifier for o in proposal.co_implementers.all())
    lines = [
        {"description": line.description, "amount": str(line.amount_cents / 100)}
        for line in proposal.budget_lines.all()
    ]
    steps = [
        {"title": m.title, "due_on": m.due_on, "budget_percent": str(m.budget_percent)}
        for m in proposal.milestones.all()
    ]
    return fields, lines, steps


def add_service_error(
    error: ValidationError,
    form: forms.Form,
    lines: forms.BaseFormSet,  # type: ignore[type-arg]
    steps: forms.BaseFormSet,  # type: ignore[type-arg]
    filled: dict[str, list[int]],
) -> None:
    """Put each of the service's problems on its field; `filled` maps the service's row
    numbers back to the formsets' (empty rows were dropped)."""
    for name, messages in error.message_dict.items():
        parts = name.split(".")
        formset = {"budget_lines": lines, "milestones": steps}.get(parts[0])
        if formset is not None and len(parts) == 3:
            target = formset.forms[filled[parts[0]][int(parts[1])]]
            for message in messages:
                target.add_error(parts[2], message)
        elif name in form.fields:
            for message in messages:
                form.add_error(name, message)
        else:
            for message in messages:
                form.add_error(None, message)


class AssessmentForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Partner"))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    assessed_on = forms.DateField(
        label=_("Assessed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    summary = forms.CharField(label=_("Public summary"), max_length=500, widget=forms.Textarea)
    details = forms.CharField(
        label=_("Details (not public)"), required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, partners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = partners  # type: ignore[attr-defined]

    def add_service_error(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
