"""Admin pages. Users are edited here for now; API tokens are only shown.

A token is created through `services.api_token_create` (which shows it once) and revoked
through `services.api_token_revoke`; the admin lists them and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from amanah.accounts.models import ApiToken, User


@admin.register(User)
class AmanahUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Role in the programme"), {"fields": ("role", "organisation_iati_id")}),
    )
    list_display = ("username", "role", "organisation_iati_id", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    list_select_related = ("user",)
    # Only the hash is stored, and even that need not be shown.
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
