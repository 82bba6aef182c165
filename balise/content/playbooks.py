"""Crisis playbooks: messages approved in calm times, to start an incident from under stress.

A playbook is `<docs_dir>/playbooks/NAME.LANGUAGE.md`: front matter with an incident's fields
(title, kind, impact, components, spokesperson) plus `description`, `status` (of the first
update) and `next_update` (a delay such as `+30min`), and the first public message as its body.
`{{ name }}` marks a placeholder. `balise new --template NAME` fills what it can; whatever is
left keeps the new incident a draft, and a published incident file with a placeholder left is
an error (`loaders.load_incident`). No MkDocs here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from balise.content import model
from balise.content.fields import Fields, unknown_component
from balise.content.vocabulary import unknown_status
from balise.content.yamlfile import content_files, read_front_matter
from balise.errors import Collector
from balise.i18n import LANGUAGES, Translator, find_status
from balise.timeline import later, parse_delay

# Playbooks mark what is still to write with {{ name }} (a word, so {{ 7*7 }} is just text); a
# placeholder with a brace missing ("{{ depuis }", "{ depuis }}") is one too, never valid text.
PLACEHOLDER = re.compile(r"\{\{\s*([^\W\d]\w*)\s*\}\}")
BROKEN_PLACEHOLDER = re.compile(r"\{\{\s*[^\W\d]\w*\s*\}(?!\})|(?<!\{)\{\s*[^\W\d]\w*\s*\}\}")


def placeholders_in(text: str) -> list[tuple[int, str]]:
    """(line, placeholder as written) for every unfilled placeholder of a text, broken ones included."""
    if "{" not in text:
        return []
    return sorted(
        (number, match[0])
        for number, line in enumerate(text.split("\n"), start=1)
        for pattern in (PLACEHOLDER, BROKEN_PLACEHOLDER)
        for match in pattern.finditer(line)
    )


def placeholder_message(found: str) -> str:
    return (
        f"unfilled placeholder {found} in a published file — replace it with the real text, "
        "or add 'draft: true' to the front matter until the message is ready"
    )


FIELDS = ("description", "title", "kind", "impact", "components", "spokesperson", "status", "next_update")
# Values `balise new --template` always knows, under an English and a French name.
BUILTINS = {
    "date": "date",
    "time": "time",
    "heure": "time",
    "next_update": "next_update",
    "prochaine_mise_a_jour": "next_update",
    "organisation": "organisation",
    "organization": "organisation",
    "starts": "starts",
    "debut": "starts",
    "ends": "ends",
    "fin": "ends",
}


@dataclass
class Playbook:
    name: str  # the file name without language and extension: what --template takes
    language: str | None
    path: Path
    description: str
    title: str
    kind: str
    impact: str
    status: str
    components: list[str] = field(default_factory=list)
    spokesperson: str = ""
    next_update: timedelta | None = None
    message: str = ""

    @property
    def placeholders(self) -> list[str]:
        """The placeholders a writer fills with --set (not those balise fills), in order of appearance."""
        names: list[str] = []
        for text in (self.title, self.spokesperson, self.message):
            for match in PLACEHOLDER.finditer(text):
                if match[1] not in names and match[1] not in BUILTINS:
                    names.append(match[1])
        return names


def broken_placeholders(path: Path, text: str, report: Collector) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        for match in BROKEN_PLACEHOLDER.finditer(line):
            name = match[0].strip("{} ")
            report.error(path, number, f"placeholder {match[0]} has a brace missing — write {{{{ {name} }}}}")


def split_name(path: Path) -> tuple[str, str | None]:
    stem = path.name[: -len(".md")]
    base, _, language = stem.rpartition(".")
    if base and language in LANGUAGES:
        return base, language
    return stem, None


def load_playbooks(folder: Path, report: Collector, component_ids: Collection[str] | None = None) -> list[Playbook]:
    """Every playbook of a folder, sorted by name and language; problems go to `report`."""
    found = []
    for path in content_files(folder):
        playbook = load_playbook(path, report, component_ids)
        if playbook is not None:
            found.append(playbook)
    return found


def load_playbook(path: Path, report: Collector, component_ids: Collection[str] | None = None) -> Playbook | None:
    before = len(report.errors)
    read = read_front_matter(path, report, "content/playbooks/README.md")
    if read is None:
        return None
    text, located, body, body_line = read
    broken_placeholders(path, text, report)
    fields = Fields(located, located.data, (), path, report)
    fields.check_known(FIELDS)
    kind = fields.choice("kind", model.KINDS, default="incident") or "incident"
    impact = fields.choice("impact", model.IMPACTS, default="none" if kind != "incident" else None) or "none"
    allowed = model.statuses_for(kind)
    default_status = allowed[0]
    status_text = fields.text("status") or default_status
    status = find_status(status_text, allowed)
    if status is None:
        fields.error("status", unknown_status(status_text, kind))
    delay = None
    if located.data.get("next_update") is not None:
        delay = parse_delay(str(located.data["next_update"]))
        if delay is None:
            fields.error(
                "next_update", f"'{located.data['next_update']}' is not a delay — write it as +30min, +1h or +1h30"
            )
    components = located.data.get("components") or []
    if isinstance(components, str):
        components = [components]
    if not isinstance(components, list) or not all(isinstance(c, str) for c in components):
        fields.error("components", "'components' must be a list of component ids")
        components = []
    elif component_ids is not None:
        for index, component in enumerate(components):
            if problem := unknown_component(component, component_ids):
                report.error(path, located.line("components", index), problem)
    message = body.strip("\n")
    if not message.strip():
        report.error(
            path, body_line, "a playbook needs a message after its front matter — write the first public update"
        )
    name, language = split_name(path)
    if len(report.errors) != before:
        return None
    return Playbook(
        name=name,
        language=language,
        path=path,
        description=fields.text("description"),
        title=fields.text("title", required=True),
        kind=kind,
        impact=impact,
        status=status or default_status,
        components=list(components),
        spokesperson=fields.text("spokesperson"),
        next_update=delay,
        message=message,
    )


def choose(playbooks: list[Playbook], name: str, language: str) -> Playbook | None:
    """The playbook called `name` (`NAME` or `NAME.LANGUAGE`), in the site's language if it exists in several."""
    base, _, wanted = name.rpartition(".")
    if base and wanted in LANGUAGES:
        return next((p for p in playbooks if p.name == base and p.language == wanted), None)
    matches = [p for p in playbooks if p.name == name]
    return next((p for p in matches if p.language == language), matches[0] if matches else None)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the placeholders whose value is known, each cased for where it stands (`cased`);
    leave the others as they are."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match[1])
        return match[0] if value is None else cased(value, text[: match.start()])

    return PLACEHOLDER.sub(replace, text)


# A value is typed once and used at the start of a sentence and in the middle of another:
# "Le site" must read "Pour une mise à jour, le site sera…". Only these words lose their capital
# mid-sentence: any other first word may be a name ("Google Pay", "Marie") and keeps it.
COMMON_FIRST_WORDS = frozenset(
    """
    le la les l' l’ un une des du ce cet cette ces notre nos votre vos leur leurs mon ma mes son sa ses
    the a an our your this that these those its their my
""".split()
)
FIRST_WORD = re.compile(r"[^\W\d_]+['’]?")
# Where a sentence starts: the text's or a line's start (after a list marker, a quote or emphasis),
# or after a full stop, an exclamation or a question mark.
SENTENCE_START = re.compile(r"(?:\A|\n|[.!?…][\"»”)]*\s)[ \t]*(?:(?:[-*+>]|\d+[.)])[ \t]+)?[*_«“\"( \t]*\Z")


def cased(value: str, before: str) -> str:
    """`value` as it reads after `before`: a capital at the start of a sentence, a common first
    word ("Le", "The") in lower case within one. After a colon or a dash, as typed."""
    if SENTENCE_START.search(before):
        return value[:1].upper() + value[1:] if not value[1:2].isupper() else value
    if before.rstrip(' \t*_«“"(').endswith((":", "—", "–")):
        return value
    word = FIRST_WORD.match(value)
    if word and word[0].lower() in COMMON_FIRST_WORDS and word[0][1:] == word[0][1:].lower():
        return value[:1].lower() + value[1:]
    return value


def builtin_values(
    playbook: Playbook,
    *,
    at: datetime,
    next_update: datetime | None,
    organisation: str,
    starts: datetime | None,
    ends: datetime | None,
    translator: Translator,
) -> dict[str, str]:
    known = {
        "date": translator.date(at),
        "time": translator.time(at),
        "organisation": organisation,
        "next_update": _when(next_update, at, translator) if next_update else None,
        "starts": translator.datetime(starts) if starts else None,
        "ends": translator.datetime(ends) if ends else None,
    }
    return {name: value for name, key in BUILTINS.items() if (value := known[key])}


def _when(moment: datetime, reference: datetime, translator: Translator) -> str:
    """A time alone on the same day, else with its date (a promise past midnight), each with the
    preposition its language needs ("au plus tard à 12:00", "au plus tard le 24 novembre à 00:20")."""
    if translator.local(moment).date() == translator.local(reference).date():
        return translator("playbook_by_time", time=translator.time(moment))
    return translator("playbook_by_datetime", datetime=translator.datetime(moment))


# -- An incident started from a playbook (`balise new --template`) ----------------------------------


@dataclass(frozen=True)
class Opening:
    """The fields of an incident started from a playbook, before they are checked and written."""

    title: str
    message: str
    kind: str
    impact: str | None
    status: str | None
    components: tuple[str, ...]
    spokesperson: str
    next_update: datetime | None
    unfilled: list[str]  # placeholders left as written: the incident is written as a draft
    unused: list[str]  # names given a value that fill no placeholder of the playbook


def opening(
    playbook: Playbook,
    *,
    title: str | None,
    message: str | None,
    kind: str | None,
    impact: str | None,
    status: str | None,
    components: Sequence[str],
    spokesperson: str,
    values: dict[str, str],
    at: datetime,
    next_update: datetime | None,
    starts: datetime | None,
    ends: datetime | None,
    organisation: str,
    translator: Translator,
) -> Opening:
    """The playbook merged with what the writer gave: each field given wins over the playbook's (the
    components add up), the next update is promised the playbook's delay after `at` unless given, and
    the placeholders are filled with `values` and those balise knows (`builtin_values`)."""
    promise = next_update
    if promise is None and playbook.next_update is not None:
        promise = later(at, playbook.next_update)
    known = builtin_values(
        playbook, at=at, next_update=promise, organisation=organisation, starts=starts, ends=ends, translator=translator
    )
    known.update(values)
    builtin = set(known) - set(values)
    texts = [
        fill(text, known)
        for text in (title or playbook.title, message or playbook.message, spokesperson or playbook.spokesperson)
    ]
    return Opening(
        title=texts[0],
        message=texts[1],
        kind=kind or playbook.kind,
        impact=impact or playbook.impact,
        status=status or playbook.status,
        components=tuple(dict.fromkeys([*playbook.components, *components])),
        spokesperson=texts[2],
        next_update=promise,
        unfilled=sorted({found for text in texts for _, found in placeholders_in(text)}),
        unused=sorted(set(values) - set(playbook.placeholders) - builtin),
    )
