"""The portal's forms: they turn what a person typed into the arguments a service takes.

Services check everything again; a form checks what it can say better next to the field
(a key that is not base64, a missing seat), and `add_service_error` puts the service's
own `ValidationError` back on the fields it names.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amanah.governance import rules
from amanah.governance.selectors import KeyRow, SeatRow, key_id_of

__all__ = ["BOARD_KINDS", "OTHER_KIND", "VACANT", "KeyProposeForm", "MotionOpenForm"]

# The kinds whose effect the board's own state changes, each with its own fields.
BOARD_KINDS = ("key.register", "key.revoke", "seat.assign", "policy.change")
OTHER_KIND = "other"
VACANT = "vacant"
PALESTINIAN = "palestinian"

# Each language's fields keep their own direction, whatever the page's.
_ENGLISH = {"lang": "en", "dir": "ltr"}
_ARABIC = {"lang": "ar", "dir": "rtl"}
_SEPARATORS = re.compile(r"[\s,]+")
_KIND_CHOICES = [
    ("key.register", gettext_lazy("Register a member’s key (key.register)")),
    ("key.revoke", gettext_lazy("Revoke a key (key.revoke)")),
    ("seat.assign", gettext_lazy("Give a seat to a member, or leave it vacant (seat.assign)")),
    ("policy.change", gettext_lazy("Change the quorum policy (policy.change)")),
    (OTHER_KIND, gettext_lazy("Another kind, such as allocation.approve")),
]
# kind -> the fields its effect needs.
_EFFECT_FIELDS = {
    "key.register": ("member", "public_key"),
    "key.revoke": ("key_id",),
    "seat.assign": ("seat", "holder"),
    "policy.change": ("min_seats", "palestinian_seats"),
    OTHER_KIND: ("other_kind",),
}
# A field the service names -> the form field showing its error.
_SERVICE_FIELDS = {
    "title": "title_en",
    "body": "body_en",
    "effect": "effect",
    "earmarked_by": "earmarked_by",
    "beneficiaries": "beneficiaries",
}


def _words(text: str) -> list[str]:
    return [word for word in _SEPARATORS.split(text) if word]


def _public_key_b64(text: str) -> str:
    """`text` as the canonical base64 of a 32-byte raw key; raises `ValidationError`."""
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValidationError(
            _("Give the raw 32-byte Ed25519 public key in standard base64."), code="invalid"
        )
    return base64.b64encode(raw).decode("ascii")


def _empty(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class MotionOpenForm(forms.Form):
    """A motion for the board: its kind, title and text, and its effect.

    Every kind's effect fields are declared; the page shows only the chosen kind's, and
    `clean` requires only those.
    """

    kind = forms.ChoiceField(label=gettext_lazy("Kind of motion"), choices=_KIND_CHOICES)
    other_kind = forms.CharField(
        label=gettext_lazy("Kind"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Dotted lowercase words, like allocation.approve."),
    )
    title_en = forms.CharField(
        label=gettext_lazy("Title in English"), max_length=300, widget=forms.TextInput(_ENGLISH)
    )
    title_ar = forms.CharField(
        label=gettext_lazy("Title in Arabic"), max_length=300, widget=forms.TextInput(_ARABIC)
    )
    body_en = forms.CharField(
        label=gettext_lazy("Text in English"), required=False, widget=forms.Textarea(_ENGLISH)
    )
    body_ar = forms.CharField(
        label=gettext_lazy("Text in Arabic"), required=False, widget=forms.Textarea(_ARABIC)
    )
    # key.register
    member = forms.ChoiceField(label=gettext_lazy("Member"), required=False)
    public_key = forms.CharField(
        label=gettext_lazy("Public key (base64)"),
        required=False,
        max_length=200,
        widget=forms.TextInput({"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
    )
    # key.revoke
    key_id = forms.ChoiceField(label=gettext_lazy("Key to revoke"), required=False)
    # seat.assign
    seat = forms.ChoiceField(label=gettext_lazy("Seat"), required=False)
    holder = forms.ChoiceField(label=gettext_lazy("New holder"), required=False)
    # policy.change
    min_seats = forms.IntegerField(
        label=gettext_lazy("Seats that must sign, at least"), required=False, min_value=1
    )
    palestinian_seats = forms.IntegerField(
        label=gettext_lazy("Palestinian seats among them, at least"), required=False, min_value=0
    )
    recuse_earmarking_state = forms.BooleanField(
        label=gettext_lazy("A state’s seat does not count on money it earmarked"),
        required=False,
    )
    recuse_beneficiary = forms.BooleanField(
        label=gettext_lazy("An organisation’s seat does not count on a motion that benefits it"),
        required=False,
    )
    # any other kind
    effect = forms.CharField(
        label=gettext_lazy("Effect, as a JSON object"),
        required=False,
        widget=forms.Textarea(attrs={"dir": "ltr", "rows": 4}),
    )
    earmarked_by = forms.CharField(
        label=gettext_lazy("Money earmarked by"),
        required=False,
        help_text=gettext_lazy("Two-letter country codes, separated by spaces, like QA TR."),
    )
    beneficiaries = forms.CharField(
        label=gettext_lazy("Beneficiaries"),
        required=False,
        help_text=gettext_lazy(
            "IATI identifiers of registered organisations, separated by spaces."
        ),
    )

    def __init__(
        self,
        *args: Any,
        members: Sequence[str],
        keys: Sequence[KeyRow],
        seats: Sequence[SeatRow],
        policy: rules.QuorumPolicy | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        handles = [(handle, handle) for handle in members]
        choose = _("Choose…")
        self._choices("member", _empty(choose) + handles)
        self._choices(
            "key_id",
            _empty(choose)
            + [(key.key_id, f"{key.key_id} ({key.member})") for key in keys if not key.revoked_at],
        )
        self._choices(
            "seat",
            _empty(choose) + [(row.seat.id, f"{row.seat.label} ({row.seat.id})") for row in seats],
        )
        self._choices(
            "holder", [*_empty(choose), (VACANT, _("Nobody: the seat falls vacant")), *handles]
        )
        self._policy = policy
        if policy is not None and not self.is_bound:
            self.initial.setdefault("min_seats", policy.min_seats)
            self.initial.setdefault("palestinian_seats", policy.required_groups.get(PALESTINIAN, 0))
            self.initial.setdefault("recuse_earmarking_state", policy.recuse_earmarking_state)
            self.initial.setdefault("recuse_beneficiary", policy.recuse_beneficiary)
        self.initial.setdefault("effect", "{}")

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    @staticmethod
    def initial_for(kind: str) -> dict[str, str]:
        """The initial values for a kind given in the address (`?kind=allocation.approve`)."""
        if kind in BOARD_KINDS:
            return {"kind": kind}
        if kind:
            return {"kind": OTHER_KIND, "other_kind": kind}
        return {}

    @property
    def selected_kind(self) -> str:
        """The kind whose effect fields the page shows ("" until one is chosen)."""
        value = self["kind"].value()
        return value if value in _EFFECT_FIELDS else ""

    def clean_public_key(self) -> str:
        text = self.cleaned_data.get("public_key", "")
        return _public_key_b64(text) if text else ""

    def clean_earmarked_by(self) -> list[str]:
        return [code.upper() for code in _words(self.cleaned_data.get("earmarked_by", ""))]

    def clean_beneficiaries(self) -> list[str]:
        return _words(self.cleaned_data.get("beneficiaries", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind", "")
        for name in _EFFECT_FIELDS.get(kind, ()):
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, ValidationError(_("This field is required."), "required"))
        if kind == OTHER_KIND:
            data["effect"] = self._json_effect(data.get("effect", ""))
        elif kind == "policy.change":
            minimum, palestinian = data.get("min_seats"), data.get("palestinian_seats")
            if minimum is not None and palestinian is not None and palestinian > minimum:
                self.add_error(
                    "palestinian_seats",
                    _("Ask for no more Palestinian seats than seats in all."),
                )
        return data

    def _json_effect(self, text: str) -> dict[str, Any]:
        try:
            effect = json.loads(text or "{}")
        except json.JSONDecodeError:
            effect = None
        if not isinstance(effect, dict):
            self.add_error("effect", _("Give the effect as a JSON object, like {}."))
            return {}
        return effect

    def _effect(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == "key.register":
            return {"member": data["member"], "public_key": data["public_key"]}
        if kind == "key.revoke":
            return {"key_id": data["key_id"]}
        if kind == "seat.assign":
            holder = data["holder"]
            return {"seat": data["seat"], "member": None if holder == VACANT else holder}
        if kind == "policy.change":
            groups = dict(self._policy.required_groups) if self._policy else {}
            groups[PALESTINIAN] = data["palestinian_seats"]
            policy = {
                "min_seats": data["min_seats"],
                "required_groups": dict(sorted(groups.items())),
                "recuse_earmarking_state": data["recuse_earmarking_state"],
                "recuse_beneficiary": data["recuse_beneficiary"],
            }
            return {"policy": policy}
        return dict(data["effect"])

    def motion_kwargs(self) -> dict[str, Any]:
        """What `services.motion_open` takes, but the actor. Call once the form is valid."""
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "kind": data["other_kind"] if kind == OTHER_KIND else kind,
            "title": {"en": data["title_en"], "ar": data["title_ar"]},
            "body": {"en": data["body_en"], "ar": data["body_ar"]},
            "effect": self._effect(),
            "earmarked_by": data["earmarked_by"],
            "beneficiaries": data["beneficiaries"],
        }

    def add_service_error(self, error: ValidationError) -> None:
        """Put a `ValidationError` from `motion_open` on the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        fields = {
            **_SERVICE_FIELDS,
            "kind": "other_kind" if self.cleaned_data.get("kind") == OTHER_KIND else "kind",
        }
        for name, errors in error.error_dict.items():
            self.add_error(fields.get(name), errors)


class KeyProposeForm(forms.Form):
    """A member's own public key, made in their browser, to put to the board."""

    public_key = forms.CharField(label=gettext_lazy("Public key (base64)"), max_length=200)

    def clean_public_key(self) -> str:
        return _public_key_b64(self.cleaned_data["public_key"])

    def motion_kwargs(self, member: str) -> dict[str, Any]:
        """What `services.motion_open` takes, but the actor: a `key.register` motion of
        `member`'s key, titled in both languages."""
        public_key = self.cleaned_data["public_key"]
        names = {"key_id": key_id_of(base64.b64decode(public_key)), "member": member}
        title = {}
        for language in ("en", "ar"):
            with translation.override(language):
                title[language] = _("Register the key %(key_id)s of %(member)s") % names
        return {
            "kind": "key.register",
            "title": title,
            "body": {},
            "effect": {"member": member, "public_key": public_key},
        }
