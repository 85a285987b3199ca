from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str
    bidi: bool
    url: str


def language_choices(request: HttpRequest) -> dict[str, list[LanguageChoice]]:
    """The other languages, each with this page's address in that language.

    The address must be worked out here, while the page's own language is active:
    `set_language` runs at an unprefixed URL, hence in English, and cannot resolve
    an Arabic `/ar/...` path to translate it back.
    """
    current = translation.get_language()
    path = request.get_full_path()
    choices = []
    for code, _name in settings.LANGUAGES:
        if code != current:
            info = translation.get_language_info(code)
            choices.append(
                LanguageChoice(code, info["name_local"], info["bidi"], translate_url(path, code))
            )
    return {"language_choices": choices}
