"""Typed access to the fields of a YAML document, shared by every loader: text, choices, booleans,
dates and times, unknown keys, ids, each problem reported at its line with a hint.

No MkDocs here; the YAML itself is read by `balise.content.yamlfile`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from balise.content.yamlfile import Located, YamlPath
from balise.errors import Collector
from balise.i18n import normal_word
from balise.timeline import TimeError, offset_in, parse_time, plain

# An id (a component's, a group's, a testimonial's, a monitoring source's, an incident file's name).
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Choice = TypeVar("Choice", bound=str)


def slug(text: str, default: str, limit: int | None = None) -> str:
    """`text` as an id: lower-case letters, digits and dashes (accents dropped), at most `limit`
    characters; `default` when nothing is left."""
    found = re.sub(r"[^a-z0-9]+", "-", plain(text)).strip("-")
    if limit is not None:
        found = found[:limit].strip("-")
    return found or default


def as_word(value: Any) -> str:
    """A value as the word of a choice it may be: lower case, no accents, '_' for a space or a dash."""
    return plain(str(value)).replace(" ", "_").replace("-", "_")


def unknown_component(component: str, component_ids: Collection[str] | None) -> str | None:
    """The problem with naming `component` in an incident or a playbook, or None if it exists (or
    if which components exist is unknown: components.yml itself is broken)."""
    if component_ids is None or component in component_ids:
        return None
    return f"unknown component '{component}' — {did_you_mean(component, sorted(component_ids))}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'did you mean …?' with the closest of `choices`, ignoring case and accents, or the list.
    Statuses and impacts know their labels and variants: `suggest_status`, `suggest_impact`."""
    listed = list(choices)
    forgiving = {normal_word(choice): choice for choice in reversed(listed)}
    written = normal_word(word)
    close = (
        [forgiving[written]]
        if written in forgiving
        else [forgiving[match] for match in difflib.get_close_matches(written, list(forgiving), n=1, cutoff=0.6)]
    )
    return f"did you mean '{close[0]}'?" if close else "expected one of: " + ", ".join(listed)


class Fields:
    """Typed access to one YAML mapping, reporting wrong types and unknown keys with their line."""

    def __init__(
        self,
        located: Located,
        data: dict[Any, Any],
        where: YamlPath,
        path: Path,
        report: Collector,
        zone: tzinfo | None = None,
    ) -> None:
        self.located, self.data, self.where, self.path, self.report = located, data, where, path, report
        self.zone = zone  # the site's, for the offsets hints suggest

    def line(self, key: Any = None) -> int:
        return self.located.line(*self.where, key) if key is not None else self.located.line(*self.where)

    def error(self, key: Any, message: str) -> None:
        self.report.error(self.path, self.line(key), message)

    def check_known(self, known: Collection[str]) -> None:
        for key in self.data:
            if key not in known:
                self.error(key, f"unknown field '{key}' — {did_you_mean(key, known)}")

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(None, f"missing '{key}' — add a line '{key}: ...'")
            return default
        if isinstance(value, (dict, list)):
            self.error(
                key,
                f"'{key}' must be text, not a {'list' if isinstance(value, list) else 'mapping'} — "
                f"write it on the same line as '{key}:', in quotes if it contains ': '",
            )
            return default
        text = str(value).strip() if not isinstance(value, bool) else str(value).lower()
        if required and not text:
            self.error(key, f"'{key}' is empty — write a value after '{key}:'")
        return text

    def choice(
        self,
        key: str,
        choices: Sequence[Choice],
        default: Choice | None = None,
        suggest: Callable[[Any], str] | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> Choice | None:
        """One of `choices` (the writer may use a space or a dash for '_', and any of `aliases`);
        `suggest(value)` gives the hint for another value (`did_you_mean`). Missing and without a
        `default`, it is an error."""
        value = self.data.get(key)
        if value is None:
            if default is None:
                self.error(None, f"missing '{key}' — add '{key}: {choices[0]}' (one of: {', '.join(choices)})")
            return default
        text = as_word(value)
        text = (aliases or {}).get(text, text)
        chosen = next((choice for choice in choices if choice == text), None)
        if chosen is None:
            hint = suggest(value) if suggest else did_you_mean(value, choices)
            self.error(key, f"'{value}' is not a valid {key} — {hint}")
            return default
        return chosen

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false, not '{value}' — write '{key}: true' or remove the line")
            return False
        return value

    def date(self, key: str, required: bool = False) -> date | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(None, f"missing '{key}' — add '{key}: 2026-11-21'")
            return None
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.error(key, f"'{key}: {value}' is not a date — write it as 2026-11-21")
            return None

    def time(self, key: str, required: bool = False) -> datetime | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(None, f"missing '{key}' — add '{key}: 2026-11-21 14:05 {offset_in(self.zone)}'")
            return None
        try:
            return parse_time(str(value), hint_zone=self.zone)
        except TimeError as error:
            self.error(key, f"'{key}': {error}")
            return None
