"""Languages of the web pages: which one a request gets, its message catalogue, its formats.

Texts live in Babel message catalogues (`locale/<language>/LC_MESSAGES/messages.po`, compiled
to `.mo` and committed, so that `pip install .` ships them). A person's explicit choice (the
language switch, kept in a cookie) wins over what the browser asks for (Accept-Language).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LOCALE_DIRECTORY = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "en"
# Language code in URLs and cookies → the Babel locale that formats dates and numbers.
LANGUAGES: dict[str, str] = {"en": "en_GB", "zh": "zh_Hans_CN"}
# What each language is called in itself, for the language switch.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh": "中文"}
# The `lang` attribute of <html>.
HTML_LANGUAGE_TAGS: dict[str, str] = {"en": "en", "zh": "zh-Hans"}
LANGUAGE_COOKIE = "scs_language"


@cache
def translations(language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()  # the messages are written in English
    return Translations.load(str(LOCALE_DIRECTORY), [language], domain="messages")


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language", ""))


def negotiate(accept_language: str) -> str:
    """The first language of the header (by quality) that we have, else English."""
    preferences = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            preferences.append((-quality, position, tag.strip()))
    for _quality, _position, tag in sorted(preferences):
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


class Formats:
    """Dates and numbers written the way a reader of `language` expects."""

    def __init__(self, language: str):
        self.locale = LANGUAGES[language]

    def date(self, value: dt.date | None) -> str:
        return "" if value is None else format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="medium", locale=self.locale)

    def number(self, value: float | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.locale)

    def signed(self, value: int) -> str:
        """Points with their sign, so that a gain and a loss never look alike."""
        text = format_decimal(abs(value), locale=self.locale)
        return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)

    def percent(self, value: float) -> str:
        return format_percent(value, format="#,##0.0%", locale=self.locale)
