from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "amanah.governance"
    label = "governance"
    verbose_name = _("Joint oversight")
