"""Translations of everything balise writes, and dates written the way each language does."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from markupsafe import Markup, escape

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("fr", "en")
# French typography: a non-breaking space before ':' and '»' and after '«', a narrow one before
# ';', '!', '?' and '%', so that on a narrow screen no line starts with a colon, a question mark or '%'.
_WIDE_SPACE, _NARROW_SPACE, _OPENING = re.compile(r" (?=[:»])"), re.compile(r" (?=[;!?%])"), re.compile(r"(?<=«) ")


def french_spacing(text: str) -> str:
    """`text` with the spaces French typography wants unbreakable; the words are unchanged."""
    return _OPENING.sub("\u00a0", _NARROW_SPACE.sub("\u202f", _WIDE_SPACE.sub("\u00a0", text)))


def _spaced(value):
    if isinstance(value, str):
        return french_spacing(value)
    if isinstance(value, dict):
        return {key: _spaced(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_spaced(item) for item in value]
    return value


@lru_cache(maxsize=None)
def catalog(language: str) -> dict:
    """`locales/<language>.yml`, plus one `locales/<feature>.<language>.yml` per feature (its own keys)."""
    if language not in LANGUAGES:
        language = "en"
    strings = yaml.safe_load((LOCALES / f"{language}.yml").read_text(encoding="utf-8"))
    for extra in sorted(LOCALES.glob(f"*.{language}.yml")):
        for key, value in yaml.safe_load(extra.read_text(encoding="utf-8")).items():
            if key in strings:
                raise KeyError(f"{extra.name}: '{key}' is already defined in {language}.yml")
            strings[key] = value
    return _spaced(strings) if language == "fr" else strings


class Translator:
    """`t("key", **values)` for one language, plus date, time and duration formatting."""

    def __init__(self, language: str, timezone: ZoneInfo):
        self.language = language if language in LANGUAGES else "en"
        self.strings = catalog(self.language)
        self.timezone = timezone

    def __call__(self, key: str, **values) -> str:
        text = self.strings
        for part in key.split("."):
            text = text[part]
        return text.format(**values) if values else text

    def html(self, key: str, **values) -> Markup:
        """A translation for an HTML page: the catalogue's text escaped, values escaped unless markup."""
        return Markup(escape(self(key))).format(**values) if values else Markup(escape(self(key)))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)

    def date(self, moment) -> str:
        day = self.local(moment) if isinstance(moment, datetime) else moment
        number = self.strings["first_day"] if day.day == 1 else day.day
        return self.strings["date"].format(day=number, month=self.strings["months"][day.month - 1], year=day.year)

    def time(self, moment: datetime) -> str:
        local = self.local(moment)
        return self.strings["time"].format(hour=local.hour, minute=local.minute)

    def zone(self, moment: datetime) -> str:
        """The zone's abbreviation at that moment (CET, CEST), which names summer time too."""
        return self.local(moment).tzname() or self.timezone.key

    def datetime(self, moment: datetime) -> str:
        return self.strings["datetime"].format(date=self.date(moment), time=self.time(moment)) + " " + self.zone(moment)

    def month_year(self, year: int, month: int) -> str:
        return self.strings["month_year"].format(month=self.strings["months"][month - 1], year=year)

    def duration(self, delta: timedelta) -> str:
        minutes = int(delta.total_seconds() // 60)
        if minutes < 60:
            return self("minutes", n=minutes)
        hours, minutes = divmod(minutes, 60)
        if hours < 48:
            return self("hours_minutes", h=hours, m=minutes)
        days, hours = divmod(hours, 24)
        return self("days_hours", d=days, h=hours)


@lru_cache(maxsize=None)  # read-only; asked once per incident file
def status_aliases(kind_statuses: tuple[str, ...]) -> dict[str, str]:
    """Every way a writer may name a status (its key, or its label in any language) -> its key."""
    from .timeline import plain

    aliases: dict[str, str] = {}
    for status in kind_statuses:
        aliases[plain(status)] = status
        aliases[plain(status.replace("_", " "))] = status
        for language in LANGUAGES:
            aliases[plain(catalog(language)["update_status"][status])] = status
    return aliases


def find_status(text: str, statuses: tuple[str, ...]) -> str | None:
    """The status key a writer meant by `text` (`in_progress`, `in progress`, `Résolu`…), or None."""
    from .timeline import plain

    aliases = status_aliases(statuses)
    written = plain(text)
    return aliases.get(written.replace("_", " ")) or aliases.get(written)
