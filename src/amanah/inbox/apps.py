from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "amanah.inbox"
    label = "inbox"
    verbose_name = _("Messages")
