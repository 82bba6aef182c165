"""Translations of everything balise writes, and dates written the way each language does."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
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


def _spaced(value: Any) -> Any:
    if isinstance(value, str):
        return french_spacing(value)
    if isinstance(value, dict):
        return {key: _spaced(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_spaced(item) for item in value]
    return value


@cache
def catalog(language: str) -> dict[str, Any]:
    """`locales/<language>.yml`, plus one `locales/<feature>.<language>.yml` per feature (its own keys)."""
    if language not in LANGUAGES:
        language = "en"
    strings: dict[str, Any] = _read_catalog(LOCALES / f"{language}.yml")
    for extra in sorted(LOCALES.glob(f"*.{language}.yml")):
        for key, value in _read_catalog(extra).items():
            if key in strings:
                raise KeyError(f"{extra.name}: '{key}' is already defined in {language}.yml")
            strings[key] = value
    if language == "fr":
        strings = _spaced(strings)
    return strings


def _read_catalog(path: Path) -> dict[str, Any]:
    """One of balise's own catalogues, with libyaml where PyYAML has it: the pure-Python parser
    spends a quarter of a second on them, in every command."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    strings: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return strings


Day = date  # a day, or a datetime (a datetime is a date): its day in the translator's time zone


class Translator:
    """`t("key", **values)` for one language, plus date, time and duration formatting."""

    def __init__(self, language: str, timezone: ZoneInfo):
        self.language = language if language in LANGUAGES else "en"
        self.strings = catalog(self.language)
        self.timezone = timezone

    def __call__(self, key: str, **values: object) -> str:
        text: Any = self.strings
        for part in key.split("."):
            text = text[part]
        translated: str = text.format(**values) if values else text
        return translated

    def html(self, key: str, **values: object) -> Markup:
        """A translation for an HTML page: the catalogue's text escaped, values escaped unless markup."""
        return Markup(escape(self(key))).format(**values) if values else Markup(escape(self(key)))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)

    def date(self, moment: Day) -> str:
        day = self.local(moment) if isinstance(moment, datetime) else moment
        number = self.strings["first_day"] if day.day == 1 else day.day
        return self("date", day=number, month=self.strings["months"][day.month - 1], year=day.year)

    def time(self, moment: datetime) -> str:
        local = self.local(moment)
        return self("time", hour=local.hour, minute=local.minute)

    def zone(self, moment: datetime) -> str:
        """The zone's abbreviation at that moment (CET, CEST), which names summer time too."""
        return self.local(moment).tzname() or self.timezone.key

    def datetime(self, moment: datetime) -> str:
        return self("datetime", date=self.date(moment), time=self.time(moment)) + " " + self.zone(moment)

    def month_year(self, year: int, month: int) -> str:
        return self("month_year", month=self.strings["months"][month - 1], year=year)

    def duration(self, delta: timedelta) -> str:
        minutes = int(delta.total_seconds() // 60)
        if minutes < 60:
            return self("minutes", n=minutes)
        hours, minutes = divmod(minutes, 60)
        if hours < 48:
            return self("hours_minutes", h=hours, m=minutes)
        days, hours = divmod(hours, 24)
        return self("days_hours", d=days, h=hours)


Word = TypeVar("Word", bound=str)  # a status or an impact: the model's words are `str` enums


@cache  # read-only; asked once per incident file
def status_aliases(kind_statuses: tuple[Word, ...]) -> dict[str, Word]:
    """Every way a writer may name a status (its key, or its label in any language) -> its key."""
    from balise.timeline import plain

    aliases: dict[str, Word] = {}
    for status in kind_statuses:
        aliases[plain(status)] = status
        aliases[plain(status.replace("_", " "))] = status
        for language in LANGUAGES:
            aliases[plain(catalog(language)["update_status"][status])] = status
    return aliases


def find_status(text: str, statuses: tuple[Word, ...]) -> Word | None:
    """The status key a writer meant by `text` (`in_progress`, `in progress`, `Résolu`…), or None."""
    from balise.timeline import plain

    aliases = status_aliases(statuses)
    written = plain(text)
    found = aliases.get(written.replace("_", " ")) or aliases.get(written)
    # The cache cannot tell ("resolved",) from (IncidentStatus.RESOLVED,): give back the caller's own word.
    return None if found is None else statuses[statuses.index(found)]


# Words writers use for a status or an impact besides its key and labels (accent-free, lower
# case): feminine and past-participle forms, single words, common synonyms. They are suggested in
# a "did you mean", never accepted silently: the writer then types the key, or a label.
STATUS_VARIANTS = {
    "investigating": (
        "enquete",
        "en enquete",
        "investigation",
        "en cours d'investigation",
        "analyse en cours",
        "en cours d'analyse",
        "diagnostic en cours",
        "investigate",
        "investigation in progress",
    ),
    "identified": ("identifie", "identifiee", "cause identifie", "probleme identifie", "cause trouvee", "identify"),
    "monitoring": (
        "surveillance",
        "sous surveillance",
        "en surveillance",
        "surveille",
        "surveillee",
        "observation",
        "en observation",
        "suivi",
        "monitor",
        "monitored",
    ),
    "resolved": (
        "resolu",
        "resolue",
        "resolus",
        "resolues",
        "retabli",
        "retablie",
        "service retabli",
        "repare",
        "reparee",
        "corrige",
        "corrigee",
        "clos",
        "close",
        "cloture",
        "cloturee",
        "fixed",
        "solved",
        "closed",
        "restored",
        "resolve",
        "termine",
        "terminee",
        "completed",
    ),
    "scheduled": (
        "planifie",
        "planifiee",
        "planification",
        "prevu",
        "prevue",
        "programme",
        "programmee",
        "annonce",
        "annoncee",
        "planned",
        "schedule",
        "upcoming",
        "a venir",
    ),
    "in_progress": (
        "en cours",
        "commence",
        "commencee",
        "demarre",
        "demarree",
        "debut",
        "started",
        "ongoing",
        "underway",
        "progress",
        "maintenance en cours",
        "travaux en cours",
    ),
    "verifying": (
        "verification",
        "verification en cours",
        "en verification",
        "verifie",
        "controle",
        "controle en cours",
        "tests",
        "verify",
        "checking",
        "testing",
    ),
    "completed": (
        "termine",
        "terminee",
        "termines",
        "fini",
        "finie",
        "acheve",
        "achevee",
        "fin",
        "complete",
        "done",
        "finished",
        "resolu",
        "resolue",
        "resolved",
        "maintenance terminee",
    ),
}
IMPACT_VARIANTS = {
    "none": ("aucun", "aucune", "sans impact", "pas d'impact", "nul", "neant", "no", "zero"),
    "minor": ("mineur", "mineure", "faible", "leger", "legere", "petit", "low", "small", "limite", "limitee"),
    "major": (
        "majeur",
        "majeure",
        "important",
        "importante",
        "fort",
        "forte",
        "eleve",
        "elevee",
        "high",
        "significant",
        "serious",
        "grave",
    ),
    "critical": (
        "critique",
        "tres grave",
        "bloquant",
        "bloquante",
        "total",
        "totale",
        "severe",
        "blocker",
        "urgent",
        "urgence",
        "maximal",
    ),
}


def normal_word(text: str) -> str:
    """A word as written, compared forgivingly: no accents or case, '_' and '-' as spaces."""
    from balise.timeline import plain

    return " ".join(plain(str(text)).replace("_", " ").replace("-", " ").strip(" .!:;").split())


@cache
def vocabulary(catalog_key: str, keys: tuple[str, ...]) -> dict[str, str]:
    """Every way of writing each of `keys` -> the key: itself, its labels, its variants."""
    variants = {"impact": IMPACT_VARIANTS, "update_status": STATUS_VARIANTS}.get(catalog_key, {})
    words: dict[str, str] = {}
    for key in keys:
        labels = [catalog(language)[catalog_key].get(key, key) for language in LANGUAGES]
        for word in (key, *labels, *variants.get(key, ())):
            words.setdefault(normal_word(word), key)
    return words


def closest(word: str, vocabulary: dict[str, str]) -> str | None:
    """The key `word` most probably means, or None: the word itself, or a typo of it, or of one
    of its words ("Enquête approfondie", "service rétabli")."""
    import difflib

    written = normal_word(word)
    if written in vocabulary:
        return vocabulary[written]
    close = difflib.get_close_matches(written, list(vocabulary), n=1, cutoff=0.75)
    if close:
        return vocabulary[close[0]]
    for part in written.split():
        if len(part) >= 4:  # not 'en', 'de', 'la'
            close = difflib.get_close_matches(part, list(vocabulary), n=1, cutoff=0.85)
            if close:
                return vocabulary[close[0]]
    return None
