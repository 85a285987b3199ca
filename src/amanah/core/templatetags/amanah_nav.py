"""The header's sections: which one the reader is in.

{% nav_current url %}   ' aria-current="page"' on the section's own page,
                        ' aria-current="true"' on a page under it, else nothing
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_current(context: dict[str, Any], url: str) -> str:
    # A prefix, never a substring: /rounds/fund/ is not in the fund's section.
    request = context.get("request")
    path = getattr(request, "path", "")
    if not url or not path.startswith(url):
        return ""
    return format_html(' aria-current="{}"', "page" if path == url else "true")
