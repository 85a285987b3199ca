"""Organisations in the admin: to look at only. Every change is a logged fact, so it goes
through `services`, never through a form here that would save without a log entry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from amanah.orgs.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "iati_identifier",
        "name_en",
        "name_ar",
        "organisation_type",
        "country",
        "is_palestinian",
        "created_at",
    )
    list_filter = ("is_palestinian", "organisation_type", "country")
    search_fields = ("iati_identifier", "name_en", "name_ar")
    ordering = ("iati_identifier",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
