"""Forms of the logistics workspace. They only parse; the services check and record."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amanah.access import lifecycle
from amanah.access.models import Category, EventKind, Reason, Unit

_CHOICE_NONE = [("", "—")]


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), widget=forms.RadioSelect)
    occurred_at = forms.DateTimeField(
        label=_("When (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(r.value, r.label) for r in Reason],
    )
    trucks = forms.IntegerField(label=_("Trucks"), required=False, min_value=1)
    rejected_category = forms.ChoiceField(
        label=_("Rejected items: category"),
        required=False,
        choices=_CHOICE_NONE + list(Category.choices),
    )
    rejected_quantity = forms.DecimalField(label=_("Quantity"), required=False, min_value=0)
    rejected_unit = forms.ChoiceField(
        label=_("Unit"), required=False, choices=_CHOICE_NONE + list(Unit.choices)
    )
    rejected_reason = forms.ChoiceField(
        label=_("Why rejected"),
        required=False,
        choices=_CHOICE_NONE
        + [(r.value, r.label) for r in Reason if r.value in lifecycle.REJECTION_REASONS],
    )
    note = forms.CharField(label=_("Note (private)"), required=False, max_length=300)

    def __init__(self, *args: Any, state: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"occurred_at": timezone.now().astimezone(datetime.UTC).replace(tzinfo=None)}
        )
        super().__init__(*args, **kwargs)
        following = lifecycle.TRANSITIONS.get(state, frozenset())
        ordered = sorted(
            EventKind, key=lambda k: (k.value not in following, lifecycle.ORDER.index(k.value))
        )
        self.fields["kind"].choices = [
            (k.value, k.label) for k in ordered if k.value != EventKind.REQUESTED
        ]
        self.next_kinds = [k for k in lifecycle.ORDER if k in following]
        if len(self.next_kinds) == 1:
            self.fields["kind"].initial = self.next_kinds[0]

    def clean_occurred_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["occurred_at"]
        return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        rejected = []
        if data.get("rejected_category"):
            rejected.append(
                {
                    "category": data["rejected_category"],
                    "quantity": str(data.get("rejected_quantity") or ""),
                    "unit": data.get("rejected_unit") or "",
                    "reason": data.get("rejected_reason") or "",
                }
            )
        return {
            "kind": data["kind"],
            "occurred_at": data["occurred_at"],
            "reasons": data.get("reasons") or [],
            "rejected": rejected,
            "trucks": data.get("trucks"),
            "note": data.get("note") or "",
        }

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = name.split(".")[0]
            if field == "rejected":
                field = "rejected_" + name.rsplit(".", 1)[-1]
            self.add_error(field if field in self.fields else None, messages)


class CrossingDayForm(forms.Form):
    crossing = forms.ChoiceField(label=_("Crossing"))
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    open = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("1", _("Open")), ("0", _("Closed"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, crossings: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.now().date()})
        super().__init__(*args, **kwargs)
        self.fields["crossing"].choices = crossings


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationError(_("Save the file as UTF-8 and try again.")) from None
