"""Pages of the inbox: the threads (with unread counts, newest first), a new thread (the
fund's staff may start one from a proposal: `new/?proposal=<id>`), and one thread with a
reply form; opening a thread marks it read. Plain POST forms, no JavaScript needed.

Signed-out visitors are sent to log in; a signed-in user without an inbox gets 403; a
thread the user may not see is 404, whether or not it exists.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amanah.accounts.models import User
from amanah.accounts.roles import RoleRequired
from amanah.inbox import forms, selectors, services

__all__ = ["inbox", "thread", "thread_new"]

PAGE_SIZE = 50


def _member(request: HttpRequest) -> User:
    if not selectors.may_use_inbox(request.user):
        raise PermissionDenied(_("Your role does not allow this."))
    return request.user  # type: ignore[return-value]


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    page = Paginator(selectors.thread_list_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "threads": page.object_list, "is_staff": selectors.is_staff(user)}
    return render(request, "inbox/inbox.html", context)


def _prefill(user: User, proposal_id: str) -> dict[str, Any]:
    """`?proposal=<id>`: that proposal, its organisation and a subject naming it."""
    try:
        pk = uuid.UUID(proposal_id)
    except ValueError:
        return {}
    found = selectors.proposal_choices(user).filter(pk=pk).first()
    if found is None:
        return {}
    return {
        "proposal": str(found.pk),
        "organisation": found.lead.iati_identifier,
        "subject": found.title,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def thread_new(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if request.method != "POST":
        initial = _prefill(user, request.GET.get("proposal", ""))
        form = forms.ThreadForm(initial=initial, user=user)
        return render(request, "inbox/thread_new.html", {"form": form})
    form = forms.ThreadForm(request.POST, user=user)
    if form.is_valid():
        try:
            started = services.thread_start(**form.cleaned_data, actor=user)
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            forms.add_service_error(form, error)
        else:
            return redirect("inbox:thread", thread_id=started.pk)
    return render(request, "inbox/thread_new.html", {"form": form}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def thread(request: HttpRequest, thread_id: uuid.UUID) -> HttpResponse:
    user = _member(request)
    found = selectors.thread_get(user, thread_id)
    if found is None:
        raise Http404("no such thread of yours")
    form = forms.ReplyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                posted = services.thread_reply(thread=found, body=form.cleaned_data["body"],
                                               actor=user)  # fmt: skip
            except ValidationError as error:
                forms.add_service_error(form, error)
            else:
                return redirect(f"{request.path}#message-{posted.pk}")
    else:
        services.thread_mark_read(thread=found, actor=user)
    context = {
        "thread": found,
        "messages_in_thread": selectors.message_list(found),
        "form": form,
        "is_staff": selectors.is_staff(user),
    }
    return render(request, "inbox/thread.html", context, status=status)
