"""Projects in the admin: to look at only; changes are logged facts made by services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from amanah.projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "title_en", "title_ar", "lead", "sector", "governorate", "status")
    list_filter = ("sector", "governorate", "status")
    search_fields = ("code", "title_en", "title_ar")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
