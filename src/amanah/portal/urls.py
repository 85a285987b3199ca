from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from amanah.portal import views


class _Index:
    """A log index in canonical decimal: `/entries/7/` has no `/entries/007/` twin."""

    regex = "0|[1-9][0-9]*"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(_Index, "index")

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("entries/<index:index>/", views.entry, name="entry"),
    path("entries/<index:index>/receipt", views.entry_receipt, name="entry-receipt"),
    path("board/", views.board, name="board"),
    path("motions/", views.motions, name="motions"),
    path("motions/new/", views.motion_new, name="motion-new"),
    path("motions/<uuid:motion_id>/", views.motion, name="motion"),
    path("motions/<uuid:motion_id>/sign", views.motion_sign_view, name="motion-sign"),
    path("motions/<uuid:motion_id>/refuse", views.motion_refuse_view, name="motion-refuse"),
    path("motions/<uuid:motion_id>/withdraw", views.motion_withdraw_view, name="motion-withdraw"),
    path("keys/", views.keys, name="keys"),
    path("keys/propose", views.keys_propose, name="keys-propose"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="portal/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
