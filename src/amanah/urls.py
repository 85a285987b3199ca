"""The site's URLs.

Pages live under a language prefix for every language but English (`/` and `/ar/`), so a
page in either language has its own address to share. The log is language-neutral bytes.
"""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("log/", include("amanah.ledger.urls")),
    *i18n_patterns(path("", include("amanah.portal.urls")), prefix_default_language=False),
]
