"""The site's URLs.

Pages live under a language prefix for every language but English (`/` and `/ar/`), so a
page in either language has its own address to share. The log is language-neutral bytes;
the API answers in the language of the request's Accept-Language header.
"""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from amanah.api.main import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("log/", include("amanah.ledger.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("", include("amanah.portal.urls")),
        path("", include("amanah.projects.urls")),
        path("rounds/", include("amanah.rounds.urls")),
        path("monitoring/", include("amanah.monitoring.urls")),
        path("access/", include("amanah.access.urls")),
        path("materials/", include("amanah.materials.urls")),
        path("assets/", include("amanah.assets.urls")),
        path("messages/", include("amanah.inbox.urls")),
        prefix_default_language=False,
    ),
]
