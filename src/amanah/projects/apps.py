from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "amanah.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from amanah.projects.services import register_motion_kinds

        register_motion_kinds()
