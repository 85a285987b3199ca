from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "amanah.funds"
    label = "funds"
    verbose_name = _("Fund")

    def ready(self) -> None:
        from amanah.funds.services import register_motion_kinds

        register_motion_kinds()
