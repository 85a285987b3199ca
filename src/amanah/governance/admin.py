"""The board in the admin: to look at only. Every change is a logged fact, signed by the
board where it must be, so it goes through `services`, never through a form here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from amanah.governance.models import (
    BoardKey,
    Motion,
    MotionRefusal,
    MotionSignature,
    QuorumPolicy,
    Seat,
    SeatHolder,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ("id", "label_en", "label_ar", "country", "organisation", "created_index")


@admin.register(SeatHolder)
class SeatHolderAdmin(ReadOnlyAdmin):
    list_display = ("seat", "user", "from_index", "to_index")


@admin.register(BoardKey)
class BoardKeyAdmin(ReadOnlyAdmin):
    list_display = ("key_id", "user", "valid_from", "revoked_at", "is_demo")
    list_filter = ("is_demo",)


@admin.register(QuorumPolicy)
class QuorumPolicyAdmin(ReadOnlyAdmin):
    list_display = ("from_index", "min_seats", "required_groups")


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "title_en", "status", "opened_index", "executed_index")
    list_filter = ("status", "kind")
    search_fields = ("title_en", "title_ar")


@admin.register(MotionSignature)
class MotionSignatureAdmin(ReadOnlyAdmin):
    list_display = ("motion", "key", "signed_index")


@admin.register(MotionRefusal)
class MotionRefusalAdmin(ReadOnlyAdmin):
    list_display = ("motion", "user", "index")
