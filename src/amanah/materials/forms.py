"""Forms of the materials workspace. They only parse; the services check and record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amanah.access.models import Category, Consignment, EventKind, Warehouse
from amanah.accounts.models import Role, User
from amanah.materials.models import MaterialType, MovementKind, Vendor
from amanah.materials.selectors import MovementFilter
from amanah.projects.models import Project

_NONE = [("", "—")]
# Which movements each role records (services check it again).
KINDS_OF = {
    Role.LOGISTICS: ["received", "allocated", "released", "returned", "lost"],
    Role.PARTNER_STAFF: ["used"],
    Role.MONITOR: ["verified"],
}


def _report_errors(form: forms.Form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


class MovementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Movement"), widget=forms.RadioSelect)
    material = forms.ChoiceField(label=_("Material"))
    quantity = forms.CharField(
        label=_("Quantity"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    warehouse = forms.ChoiceField(label=_("Warehouse"))
    vendor = forms.ChoiceField(label=_("Vendor"))
    project = forms.ChoiceField(label=_("Project"), required=False)
    consignment = forms.ChoiceField(label=_("Consignment (for a receipt)"), required=False)
    occurred_on = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    report = forms.CharField(
        label=_("Loss report"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("Photo (evidence)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        kinds = KINDS_OF.get(Role(user.role), []) if user.role else []
        self.fields["kind"].choices = [(k, MovementKind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.fields["material"].choices = [
            (m.code, f"{m.name} ({m.get_unit_display()})") for m in MaterialType.objects.all()
        ]
        # Staff only: the workspace needs a login, so naming the warehouse is fine here.
        self.fields["warehouse"].choices = [
            (str(w.pk), f"{w.name} ({w.governorate})") for w in Warehouse.objects.all()
        ]
        self.fields["vendor"].choices = [(str(v.pk), v.name) for v in Vendor.objects.all()]
        projects = Project.objects.all()
        if user.role == Role.PARTNER_STAFF:
            projects = projects.filter(lead__iati_identifier=user.organisation_iati_id)
        self.fields["project"].choices = _NONE + [(p.code, p.code) for p in projects]
        if user.role == Role.LOGISTICS:
            received = Consignment.objects.filter(
                status__in=[EventKind.RECEIVED, EventKind.DISTRIBUTED],
                items__category=Category.CONSTRUCTION,
            ).distinct()[:200]
            self.fields["consignment"].choices = _NONE + [
                (str(c.pk), c.external_reference) for c in received
            ]
        else:
            del self.fields["consignment"]
            del self.fields["report"]
        if user.role != Role.MONITOR:
            del self.fields["photo"]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("photo", None)
        return {key: value for key, value in data.items() if value not in ("", None)}

    add_service_error = _report_errors


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What became of the material"), widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("Evidence (photo)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    add_service_error = _report_errors


class MovementFilterForm(forms.Form):
    """The filters of the staff's list of movements (a GET form: bad values are errors,
    never a wider list)."""

    project = forms.ChoiceField(label=_("Project"), required=False)
    vendor = forms.ChoiceField(label=_("Vendor"), required=False)
    material = forms.ChoiceField(label=_("Material"), required=False)
    kind = forms.ChoiceField(label=_("Movement"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = _NONE + [
            (p.code, p.code) for p in Project.objects.order_by("code")
        ]
        self.fields["vendor"].choices = _NONE + [(str(v.pk), v.name) for v in Vendor.objects.all()]
        self.fields["material"].choices = _NONE + [
            (m.code, f"{m.name} ({m.get_unit_display()})") for m in MaterialType.objects.all()
        ]
        self.fields["kind"].choices = _NONE + list(MovementKind.choices)

    def to_filter(self) -> MovementFilter:
        data = self.cleaned_data
        project, vendor, material = data["project"], data["vendor"], data["material"]
        return MovementFilter(
            project=Project.objects.filter(code=project).first() if project else None,
            vendor=Vendor.objects.filter(pk=vendor).first() if vendor else None,
            material=MaterialType.objects.filter(code=material).first() if material else None,
            kind=data["kind"] or None,
        )
