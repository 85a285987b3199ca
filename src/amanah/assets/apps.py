from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "amanah.assets"
    label = "assets"
    verbose_name = _("Damage and rebuilding")
