"""A bound field's widget as a Bootstrap 5.3 control, for any form: `{% load amanah_forms %}`.

    {{ field|bootstrap_widget }}         the widget with its Bootstrap class (form-control,
                                         form-select, form-check-input), `is-invalid` and
                                         `aria-invalid` when the field has errors, and
                                         `aria-describedby` naming its help text and errors
    {{ field|bootstrap_widget:"form-control-sm w-auto" }}   the same, with more classes
    {{ choice|bootstrap_choice:field }}  one radio or checkbox of `{% for choice in field %}`,
                                         inside its <label>, so that the words are the tap
                                         target too
    {{ field|described_by }}             the ids of the field's help text and errors, for a
                                         <fieldset> around a list of choices

A list of radios or checkboxes renders as Bootstrap `.form-check` items, each input inside
its label. The ids are Django's (`<auto_id>_helptext`, `<auto_id>_error`): core/_field.html
(which portal/_field.html and access/_field.html include) gives the help text and errors
those ids.
The widget's own attributes (htmx `hx-*`, inputmode, autocomplete, dir, a class) are kept.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField, BoundWidget
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


def _classes(*names: str | None) -> str:
    return " ".join(name for name in names if name)


def _control_class(widget: forms.Widget) -> str | None:
    """Bootstrap's class for a widget that is one control; None for a hidden input."""
    if widget.is_hidden:
        return None
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        return "form-select"  # also SelectMultiple and NullBooleanSelect
    return "form-control"  # text, number, date, e-mail, password, textarea, file


def _is_choice_list(widget: forms.Widget) -> bool:
    return isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def described_by(field: BoundField) -> str:
    """The ids of the field's help text and errors, in that order, after any the widget
    names itself."""
    if field.is_hidden or not field.auto_id:
        return ""
    ids = [str(field.field.widget.attrs.get("aria-describedby", ""))]
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(i for i in ids if i)


@register.filter
def bootstrap_choice(choice: BoundWidget, field: BoundField | None = None) -> SafeString:
    """One radio or checkbox, as `<label class="form-check-label"><input> words</label>`."""
    attrs = dict(choice.data["attrs"])
    invalid = field is not None and bool(field.errors)
    attrs["class"] = _classes(
        attrs.get("class"), "form-check-input", "is-invalid" if invalid else None
    )
    if invalid:
        attrs["aria-invalid"] = "true"
    control = BoundWidget(choice.parent_widget, {**choice.data, "attrs": attrs}, choice.renderer)
    input_id = attrs.get("id")
    if input_id:
        return format_html(
            '<label class="form-check-label" for="{}">{} {}</label>',
            input_id,
            control.tag(wrap_label=False),
            choice.choice_label,
        )
    return format_html(
        '<label class="form-check-label">{} {}</label>',
        control.tag(wrap_label=False),
        choice.choice_label,
    )


def _choice_list(field: BoundField) -> SafeString:
    """Radios or checkboxes as `.form-check` items in a <div> with the field's id."""
    widget = field.field.widget
    items = format_html_join(
        "\n",
        '<div class="form-check">{}</div>',
        ((bootstrap_choice(choice, field),) for choice in field.subwidgets),
    )
    wrapper_id = widget.attrs.get("id") or field.auto_id
    wrapper_class = widget.attrs.get("class")
    return format_html(
        "<div{}{}>\n{}\n</div>",
        format_html(' id="{}"', wrapper_id) if wrapper_id else "",
        format_html(' class="{}"', wrapper_class) if wrapper_class else "",
        items,
    )


@register.filter
def bootstrap_widget(field: BoundField, extra: str = "") -> SafeString:
    """The field's widget with Bootstrap's classes and the ARIA attributes of its state;
    `extra` adds classes to a single control (`"form-control-sm w-auto"` in a table)."""
    widget = field.field.widget
    if _is_choice_list(widget):
        return _choice_list(field)
    css = _control_class(widget)
    if css is None:
        return SafeString(field.as_widget())
    invalid = "is-invalid" if field.errors else None
    attrs: dict[str, Any] = {"class": _classes(widget.attrs.get("class"), css, extra, invalid)}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if describedby := described_by(field):
        attrs["aria-describedby"] = describedby
    return SafeString(field.as_widget(attrs=attrs))
