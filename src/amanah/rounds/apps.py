from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "amanah.rounds"
    label = "rounds"
    verbose_name = _("Allocation rounds")

    def ready(self) -> None:
        from amanah.rounds.portfolio import register_motion_kinds

        register_motion_kinds()
