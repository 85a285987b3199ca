"""Choosing a language where no browser tells us one."""

from __future__ import annotations

import os

from django.conf import settings
from django.utils import translation


def language_from_environment() -> str:
    """The site language matching the POSIX locale (`LANG=ar_EG.UTF-8` -> `ar`).

    Management commands have no Accept-Language header; an operator who runs them in an
    Arabic locale should read Arabic.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            code = value.split(".", 1)[0].split("@", 1)[0].replace("_", "-").lower()
            try:
                return str(translation.get_supported_language_variant(code))
            except LookupError:
                break
    return str(settings.LANGUAGE_CODE)
