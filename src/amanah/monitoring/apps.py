from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "amanah.monitoring"
    label = "monitoring"
    verbose_name = _("Milestones and monitoring")

    def ready(self) -> None:
        from amanah.funds.services import DISBURSEMENT_CHECKS
        from amanah.monitoring.services import allocation_blocked_check

        if allocation_blocked_check not in DISBURSEMENT_CHECKS:
            DISBURSEMENT_CHECKS.append(allocation_blocked_check)
