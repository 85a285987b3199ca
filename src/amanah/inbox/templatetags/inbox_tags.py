"""The inbox in the site's navigation: `{% unread_messages %}`, the signed-in user's count
of unread messages (0 for anyone without an inbox; `{% unread_messages as n %}` to keep
it), and `{% inbox_nav_item %}`, a `<li>` linking to the inbox, "Messages (3)", for those
who have one and nothing for everyone else. Each costs one query, none for visitors."""

from __future__ import annotations

from typing import Any

from django import template

from amanah.inbox import selectors

register = template.Library()


def _user(context: template.Context) -> object:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def unread_messages(context: template.Context) -> int:
    return selectors.unread_count(_user(context))


@register.inclusion_tag("inbox/_nav_item.html", takes_context=True)
def inbox_nav_item(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    if not selectors.may_use_inbox(user):
        return {"show": False}
    return {"show": True, "unread": selectors.unread_count(user)}
