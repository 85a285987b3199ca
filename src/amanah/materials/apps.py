from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "amanah.materials"
    label = "materials"
    verbose_name = _("Construction materials")
