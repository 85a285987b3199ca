"""The inbox's forms: a new thread (the fund's staff choose the organisation) and a reply.
Each gives the arguments a service takes; `add_service_error` puts a service's
`ValidationError` on the fields it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amanah.accounts.models import User
from amanah.inbox import selectors
from amanah.inbox.models import MAX_BODY, MAX_SUBJECT

__all__ = ["ReplyForm", "ThreadForm", "add_service_error"]


class ThreadForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Partner organisation"))
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    proposal = forms.ChoiceField(label=_("About a proposal (optional)"), required=False)
    project = forms.ChoiceField(label=_("About a project (optional)"), required=False)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Private: only the fund's staff and this organisation's staff read it."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        if selectors.is_staff(user):
            self.fields["organisation"].choices = blank + [  # type: ignore[attr-defined]
                (o.iati_identifier, f"{o.display_name} ({o.iati_identifier})")
                for o in selectors.partner_organisations()
            ]
        else:
            del self.fields["organisation"]
        self.fields["proposal"].choices = blank + [  # type: ignore[attr-defined]
            (str(p.id), f"{p.title or _('(untitled)')} — {p.lead.display_name}")
            for p in selectors.proposal_choices(user)
        ]
        self.fields["project"].choices = blank + [  # type: ignore[attr-defined]
            (p.code, f"{p.code} — {p.title}") for p in selectors.project_choices(user)
        ]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    for name, messages in error.message_dict.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
