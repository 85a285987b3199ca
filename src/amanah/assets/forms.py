"""Forms of the assets pages. They only parse; the services check and record, and their
problems come back on the fields they name (`add_service_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amanah.assets.models import AssetKind, Condition, Method
from amanah.projects.models import governorate_choices

__all__ = ["AssessForm", "FilterForm", "ImportForm", "LinkForm", "RegisterForm"]

_DATE = forms.DateInput({"type": "date", "dir": "ltr"}, format="%Y-%m-%d")
_LTR = {"dir": "ltr", "autocomplete": "off"}


class _ServiceForm(forms.Form):
    def add_service_error(self, error: ValidationError) -> None:
        """The service's problems on the fields they name; the others above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class FilterForm(forms.Form):
    """The register's filters: a plain GET form, so it works without JavaScript."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    governorate = forms.ChoiceField(label=_("Governorate"), required=False)
    condition = forms.ChoiceField(label=_("Current condition"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["kind"].choices = anything + list(AssetKind.choices)
        self.fields["governorate"].choices = anything + governorate_choices()
        self.fields["condition"].choices = (
            anything + list(Condition.choices) + [("none", _("Not assessed"))]
        )

    def filters(self) -> dict[str, str]:
        """The valid filters given; an unknown value filters nothing rather than failing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: "" if name in self.errors else data.get(name) or "" for name in self.fields}


class RegisterForm(_ServiceForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(_LTR),
        help_text=_("A short public reference, like AS-GZA-SCH-0001."),
    )
    name_en = forms.CharField(
        label=_("Name in English"), required=False, max_length=200, widget=forms.TextInput(_LTR)
    )
    name_ar = forms.CharField(
        label=_("Name in Arabic"),
        required=False,
        max_length=200,
        widget=forms.TextInput({"dir": "rtl", "lang": "ar"}),
        help_text=_("A home is named by a building reference, never by a family's name."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    governorate = forms.ChoiceField(label=_("Governorate"))
    owner = forms.ChoiceField(label=_("Owner or operator"), required=False)
    project = forms.ChoiceField(label=_("Project rebuilding it"), required=False)
    latitude = forms.CharField(
        label=_("Latitude (private: never published)"),
        required=False,
        widget=forms.TextInput({**_LTR, "inputmode": "decimal", "placeholder": "31.5017"}),
    )
    longitude = forms.CharField(
        label=_("Longitude (private: never published)"),
        required=False,
        widget=forms.TextInput({**_LTR, "inputmode": "decimal", "placeholder": "34.4668"}),
        help_text=_(
            "Only for monitors' visits: the point never appears on a public page or in the "
            "log, which holds only a commitment to it."
        ),
    )

    def __init__(
        self,
        *args: Any,
        owners: list[tuple[str, str]],
        projects: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["governorate"].choices = [("", "—"), *governorate_choices()]
        self.fields["kind"].choices = [("", "—"), *AssetKind.choices]
        self.fields["owner"].choices = [("", _("None named")), *owners]
        self.fields["project"].choices = [("", _("None yet")), *projects]


class AssessForm(_ServiceForm):
    condition = forms.ChoiceField(
        label=_("Condition"),
        choices=Condition.choices,
        widget=forms.RadioSelect,
        help_text=_("Only a monitor, after a site visit, may find an asset restored."),
    )
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, widget=forms.RadioSelect)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=_DATE, input_formats=["%Y-%m-%d"])
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("Who assessed it, and from what: a public reference, never a person's name."),
    )
    note = forms.CharField(
        label=_("Note (private: never published)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"assessed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class LinkForm(_ServiceForm):
    project = forms.ChoiceField(label=_("Project rebuilding it"), required=False)

    def __init__(self, *args: Any, projects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", _("None")), *projects]


class ImportForm(forms.Form):
    """A CSV file of assessments, UTF-8, at most 2 MB."""

    MAX_BYTES = 2 * 1024 * 1024

    file = forms.FileField(
        label=_("CSV file of assessments"),
        help_text=_("UTF-8 text, one assessment per row, at most 2 MB."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > self.MAX_BYTES:
            self.add_error("file", _("The file is larger than 2 MB."))
            return cleaned
        try:
            cleaned["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", _("Save the file as UTF-8 text (CSV UTF-8) and try again."))
        return cleaned
