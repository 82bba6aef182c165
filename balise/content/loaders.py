"""Reading the files comms officers write, with a file and line for every problem.

Nothing here imports MkDocs: the loaders turn `status/` and `incidents/` into the model of
`balise.content.model`, collecting every problem (not just the first) in a `Collector`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from balise.content import model
from balise.content.messages import check_sanitised
from balise.content.vocabulary import suggest_component_status, suggest_impact, suggest_status, with_article
from balise.errors import Collector
from balise.i18n import find_status, normal_word
from balise.timeline import TimeError, format_time, offset_in, parse_body, parse_time, plain

if TYPE_CHECKING:
    from balise.content.transparency import Transparency

MAX_FILE_BYTES = 1024 * 1024
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
BOM = b"\xef\xbb\xbf"
MAX_YAML_DEPTH = 20  # content needs 3 or 4 levels; deeper is a mistake or an attack on the parser
# Invisible characters XML 1.0 refuses or discourages (C0 controls but tab and newline, DEL, C1
# controls, U+FFFE/U+FFFF): written into a feed, no reader could parse it. NUL has its own message.
CONTROL_CHARACTER = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


_RESOLVERS_WITHOUT_TIMESTAMPS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class ContentYamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML where times stay text, so balise reads them itself and can insist on an offset."""

    yaml_implicit_resolvers = _RESOLVERS_WITHOUT_TIMESTAMPS


class PureContentYamlLoader(yaml.SafeLoader):
    """The same, in pure Python: it has no nesting limit of its own, so balise's check always speaks.

    libyaml (PyYAML 6.0.4 and later) stops at its own nesting limit while scanning ahead, before
    balise's depth check sees the 21st level; the error is then found again with this loader.
    """

    yaml_implicit_resolvers = _RESOLVERS_WITHOUT_TIMESTAMPS


@dataclass
class Located:
    """A YAML document with the file line of every key and list item in it."""

    data: Any
    lines: dict[tuple, int]
    first_line: int

    def line(self, *path) -> int:
        if path and path not in self.lines and not isinstance(path[-1], str):
            # a key YAML read as a number or true/false was recorded under its text
            last = path[-1]
            textual = path[:-1] + (str(last).lower() if isinstance(last, bool) else str(last),)
            path = textual if textual in self.lines else path
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, self.first_line)


def read_text(path: Path, report: Collector) -> str | None:
    """A content file's text, or None after reporting why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        report.error(path, 1, f"cannot be read ({error.strerror}) — check the file's permissions")
        return None
    if len(data) > MAX_FILE_BYTES:
        report.error(
            path,
            1,
            f"file is {len(data) // 1024} KiB, over the {MAX_FILE_BYTES // 1024} KiB limit — "
            "split it or remove pasted material such as logs or images",
        )
        return None
    if data.startswith(BOM):  # Windows editors add one; it means nothing in UTF-8
        data = data[len(BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report.error(
            path,
            line,
            f"byte 0x{data[error.start]:02x} is not UTF-8 text — save the file with the UTF-8 encoding",
        )
        return None
    if "\x00" in text:
        report.error(path, text[: text.index("\x00")].count("\n") + 1, "contains a NUL byte — this is not a text file")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if report_control_characters(text, path, 1, report):
        return None
    if not text.strip():
        report.error(path, 1, "file is empty — write its content or delete the file")
        return None
    return text


def control_character_message(character: str) -> str:
    return (
        f"character U+{ord(character):04X} is not allowed here (an invisible control character) — "
        "delete it; it was probably pasted in by accident"
    )


def report_control_characters(text: str, path: Path, first_line: int, report: Collector) -> bool:
    """Report each line of `text` holding a control character; True if there was any."""
    lines: dict[int, str] = {}
    for found in CONTROL_CHARACTER.finditer(text):
        lines.setdefault(first_line + text.count("\n", 0, found.start()), found.group())
    for line, character in lines.items():
        report.error(path, line, control_character_message(character))
    return bool(lines)


def parse_yaml(text: str, path: Path, first_line: int, report: Collector) -> Located | None:
    """Parse YAML, refusing anchors and aliases (content never needs them; they allow bombs)."""
    try:
        try:
            refused = _refused_shape(ContentYamlLoader(text))
        except yaml.MarkedYAMLError as error:
            if "nesting depth" not in str(error.problem):
                raise
            refused = _refused_shape(PureContentYamlLoader(text))  # libyaml's own limit spoke first
        if refused:
            line, message = refused
            report.error(path, first_line + line, message)
            return None
        loader = ContentYamlLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return Located(None, {}, first_line)
            lines: dict[tuple, int] = {}
            duplicates: list[tuple[str, int, int]] = []
            _record_lines(node, (), lines, first_line, duplicates)
            for key, line, first in duplicates:
                report.error(path, line, f"'{key}' is given twice (first on line {first}) — keep only one")
            if duplicates:
                return None
            escaped = list(_escaped_control_characters(node, first_line))  # "\x1b" in quotes: YAML decodes it
            for line, character in escaped:
                report.error(path, line, control_character_message(character))
            if escaped:
                return None
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        problem = error.problem or error.context or "invalid YAML"
        mark = error.problem_mark or error.context_mark
        if "end of stream" in problem and error.context_mark is not None:
            mark = error.context_mark  # something opened there is never closed: point at the opening
        line = first_line + (mark.line if mark else 0)
        source_line = text.split("\n")[mark.line] if mark and mark.line < text.count("\n") + 1 else ""
        report.error(path, line, f"YAML syntax error: {problem} — {_yaml_hint(problem, source_line)}")
        return None
    except RecursionError:  # a shape the depth check did not catch: still a content problem, not a crash
        report.error(path, first_line, "the YAML is nested too deeply to read — check the brackets and indentation")
        return None
    except yaml.reader.ReaderError as error:  # a control character, found before any parsing
        line = first_line + text[: error.position].count("\n")
        report.error(path, line, control_character_message(chr(error.character)))
        return None
    except yaml.YAMLError as error:
        problem = str(error).splitlines()[0] if str(error).strip() else "invalid YAML"
        report.error(path, first_line, f"YAML error: {problem} — check the file's syntax")
        return None
    return Located(data, lines, first_line)


def _refused_shape(loader) -> tuple[int, str] | None:
    """The first anchor, alias or too-deep nesting in the document, as (line in text, message)."""
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return (
                    event.start_mark.line,
                    "YAML anchors and aliases (& and *) are not allowed — write the value out in full",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return (
                        event.start_mark.line,  # type: ignore[union-attr]  # a parsed event has its mark
                        f"lists and fields are nested more than {MAX_YAML_DEPTH} levels deep — "
                        "check the brackets and indentation",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return None
    finally:
        loader.dispose()


TYPOGRAPHIC_QUOTES = "“”„‘’‚«»"


def _yaml_hint(problem: str, source_line: str = "") -> str:
    if "tab" in problem or source_line[: len(source_line) - len(source_line.lstrip())].count("\t"):
        return "indent with spaces, not tabs"
    curly = "".join(dict.fromkeys(c for c in source_line if c in TYPOGRAPHIC_QUOTES))
    quoted = source_line.split(":", 1)[-1].strip().startswith(('"', "'"))  # « » inside straight quotes are text
    if curly.strip("’") and not quoted:  # an apostrophe alone is just French text
        return (
            f"the quotes {' '.join(curly)} on this line (as Word or a phone types them) are text for YAML, not "
            'quotes: quote the whole value with straight quotes " or \', e.g. title: "« Paiements » : panne"'
        )
    if "mapping values" in problem:
        return (
            "a value containing ': ' must be quoted, e.g. title: \"Paiements : panne\"; "
            "or this line is indented more than the one above"
        )
    if "end of stream" in problem:
        return "a quote or bracket opened on this line is never closed"
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return "a '[' or '{' opened above is never closed, or a ',' is missing between two items"
    if "constructor for the tag" in problem:
        return "remove the '!…' tag: balise reads only text, numbers, true/false, lists and fields"
    if "indentation" in problem or "block" in problem:
        return "check the indentation of this line and the one above"
    return "check quotes, colons and indentation on this line"


def _record_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], first_line: int, duplicates: list) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            line = first_line + key_node.start_mark.line
            if path + (key,) in lines:  # YAML would silently keep the last one
                duplicates.append((key, line, lines[path + (key,)]))
                continue
            lines[path + (key,)] = line
            _record_lines(value_node, path + (key,), lines, first_line, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = first_line + item.start_mark.line
            _record_lines(item, path + (index,), lines, first_line, duplicates)


def _escaped_control_characters(node: yaml.Node, first_line: int):
    """(line, character) for each scalar whose decoded value holds a control character."""
    if isinstance(node, yaml.ScalarNode):
        if found := CONTROL_CHARACTER.search(node.value):
            yield first_line + node.start_mark.line, found.group()
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield from _escaped_control_characters(key_node, first_line)
            yield from _escaped_control_characters(value_node, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _escaped_control_characters(item, first_line)


def did_you_mean(word: str, choices) -> str:
    """'did you mean …?' with the closest of `choices`, ignoring case and accents, or the list.
    Statuses and impacts know their labels and variants: `suggest_status`, `suggest_impact`."""
    choices = list(choices)
    forgiving = {normal_word(choice): choice for choice in reversed(choices)}
    written = normal_word(word)
    close = (
        [forgiving[written]]
        if written in forgiving
        else [forgiving[match] for match in difflib.get_close_matches(written, list(forgiving), n=1, cutoff=0.6)]
    )
    return f"did you mean '{close[0]}'?" if close else "expected one of: " + ", ".join(choices)


class Fields:
    """Typed access to one YAML mapping, reporting wrong types and unknown keys with their line."""

    def __init__(
        self, located: Located, data: dict, where: tuple, path: Path, report: Collector, zone: tzinfo | None = None
    ):
        self.located, self.data, self.where, self.path, self.report = located, data, where, path, report
        self.zone = zone  # the site's, for the offsets hints suggest

    def line(self, key=None) -> int:
        return self.located.line(*self.where, key) if key is not None else self.located.line(*self.where)

    def error(self, key, message: str) -> None:
        self.report.error(self.path, self.line(key), message)

    def check_known(self, known) -> None:
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

    def choice(self, key: str, choices, default: str | None = None, suggest=None) -> str | None:
        """One of `choices`; `suggest(value)` gives the hint for another value (`did_you_mean`)."""
        value = self.data.get(key)
        if value is None:
            if default is None:
                self.error(None, f"missing '{key}' — add '{key}: {choices[0]}' (one of: {', '.join(choices)})")
            return default
        text = plain(str(value)).replace(" ", "_").replace("-", "_")
        if text not in choices:
            hint = suggest(value) if suggest else did_you_mean(value, choices)
            self.error(key, f"'{value}' is not a valid {key} — {hint}")
            return default
        return text

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


def load_components(path: Path, report: Collector) -> tuple[list[model.ComponentGroup], list[model.Component]]:
    """Read `status/components.yml`: groups and components, in display order."""
    if not path.exists():
        report.error(path, 1, "missing — create it with a 'components:' list (see the README)")
        return [], []
    text = read_text(path, report)
    if text is None:
        return [], []
    located = parse_yaml(text, path, 1, report)
    if located is None:
        return [], []
    if not isinstance(located.data, dict):
        report.error(path, 1, "expected 'groups:' and 'components:' lists — see the README for an example")
        return [], []
    top = Fields(located, located.data, (), path, report)
    top.check_known(("groups", "components"))
    groups = [
        model.ComponentGroup(id=item["id"], name=item["name"], description=item["description"], order=item["order"])
        for item in _entries(located, "groups", ("id", "name", "description", "order"), path, report)
    ]
    group_ids = {g.id for g in groups}
    components = []
    for item in _entries(located, "components", ("id", "name", "description", "group", "order"), path, report):
        group = item["group"] or None
        if group and group not in group_ids:
            report.error(
                path,
                item["_fields"].line("group"),
                f"unknown group '{group}' — {did_you_mean(group, sorted(group_ids)) if group_ids else 'declare it under groups:'}",
            )
            group = None
        components.append(
            model.Component(
                id=item["id"], name=item["name"], description=item["description"], group=group, order=item["order"]
            )
        )
    if not components and not report.errors:
        report.error(path, 1, "no components — list at least one under 'components:'")
    order = {c.id: index for index, c in enumerate(components)}
    components.sort(key=lambda c: (c.order, order[c.id]))
    groups.sort(key=lambda g: g.order)
    return groups, components


def _entries(located: Located, key: str, known: tuple, path: Path, report: Collector) -> list[dict]:
    items = located.data.get(key) or []
    if not isinstance(items, list):
        report.error(
            path,
            located.line(key),
            f"'{key}' must be a list of entries — start each one with '- id: ...' on its own line",
        )
        return []
    seen: dict[str, int] = {}
    entries = []
    for index, item in enumerate(items):
        where = (key, index)
        if not isinstance(item, dict):
            report.error(
                path,
                located.line(*where),
                f"each entry of '{key}' needs 'id:' and 'name:' fields — write '- id: ...' and, below it, '  name: ...'",
            )
            continue
        fields = Fields(located, item, where, path, report)
        fields.check_known(known)
        entry: dict[str, Any] = {
            name: fields.text(name, required=name in ("id", "name")) for name in known if name != "order"
        }
        order = item.get("order", index)
        if not isinstance(order, int) or isinstance(order, bool):
            fields.error("order", f"'order' must be a whole number, not '{order}' — e.g. 'order: 1'")
            order = index
        entry["order"], entry["_fields"] = order, fields
        if entry["id"] and not ID_PATTERN.match(entry["id"]):
            suggestion = re.sub(r"[^a-z0-9]+", "-", plain(entry["id"])).strip("-") or "paiements-en-ligne"
            fields.error(
                "id", f"id '{entry['id']}' may only use lower-case letters, digits and dashes — e.g. '{suggestion}'"
            )
        if entry["id"] in seen:
            fields.error(
                "id", f"duplicate id '{entry['id']}' (first used on line {seen[entry['id']]}) — ids must be unique"
            )
            continue
        seen[entry["id"]] = fields.line("id")
        if entry["id"] and entry["name"]:
            entries.append(entry)
    return entries


INCIDENT_FIELDS = (
    "title",
    "kind",
    "impact",
    "components",
    "draft",
    "publish_at",
    "next_update",
    "spokesperson",
    "postmortem",
    "scheduled_for",
    "scheduled_until",
    "started_at",
)


def split_front_matter(text: str, path: Path, report: Collector) -> tuple[str, int, str, int] | None:
    """(front matter, file line of its first field, body, file line of the body's first line).
    Blank lines may precede the opening '---': an editor's slip that hides nothing."""
    lines = text.split("\n")
    start = next(index for index, line in enumerate(lines) if line.strip())  # read_text refuses a blank file
    if lines[start].strip() != "---":
        report.error(
            path,
            start + 1,
            "no front matter — an incident file starts with a '---' line, then its fields, then another '---' line",
        )
        return None
    for index in range(start + 1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[start + 1 : index]), start + 2, "\n".join(lines[index + 1 :]), index + 2
    report.error(path, start + 1, "the front matter is never closed — add a '---' line after the last field")
    return None


def read_front_matter(
    path: Path, report: Collector, example: str, text: str | None = None
) -> tuple[str, Located, str, int] | None:
    """A Markdown file with YAML front matter: (whole text, front matter, body, body's first line);
    None after reporting what is wrong. `example` says where a correct file is shown. `text`, if
    given, is the file's content (an earlier version of it, from git)."""
    text = read_text(path, report) if text is None else text
    if text is None:
        return None
    parts = split_front_matter(text, path, report)
    if parts is None:
        return None
    front, front_line, body_text, body_line = parts
    located = parse_yaml(front, path, front_line, report)
    if located is None:
        return None
    if not isinstance(located.data, dict):
        report.error(path, front_line, f"the front matter must be fields such as 'title: ...' — see {example}")
        return None
    return text, located, body_text, body_line


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


def load_incident(
    path: Path, component_ids, report: Collector, text: str | None = None, zone: tzinfo | None = None
) -> model.Incident | None:
    """Read one incident file (or `text`, a version of it). Returns None if it has errors (all of them
    reported). `zone`, the site's, gives the offsets that hints about times suggest."""
    before = len(report.errors)
    read = read_front_matter(path, report, "the README's example", text)
    if read is None:
        return None
    text, located, body_text, body_line = read
    fields = Fields(located, located.data, (), path, report, zone)
    fields.check_known(INCIDENT_FIELDS)
    incident_id = path.stem
    if not ID_PATTERN.match(incident_id):
        suggestion = re.sub(r"[^a-z0-9]+", "-", plain(incident_id)).strip("-") or "2026-11-21-incident"
        report.error(path, 1, f"file name '{path.name}' is not a valid id — rename it '{suggestion}.md'")
    kind = fields.choice("kind", model.KINDS, default="incident")
    impact_default = None if kind == "incident" else "none"
    incident = model.Incident(
        id=incident_id,
        title=fields.text("title", required=True),
        kind=kind or "incident",
        impact=fields.choice("impact", model.IMPACTS, default=impact_default, suggest=suggest_impact) or "none",
        draft=fields.boolean("draft"),
        publish_at=fields.time("publish_at"),
        next_update=fields.time("next_update"),
        spokesperson=fields.text("spokesperson"),
        postmortem=fields.text("postmortem"),
        scheduled_for=fields.time("scheduled_for", required=kind == "maintenance"),
        scheduled_until=fields.time("scheduled_until", required=kind == "maintenance"),
        path=str(path),
    )
    began_at = fields.time("started_at")
    incident.began_at = began_at
    if incident.scheduled_for and incident.scheduled_until and incident.scheduled_until <= incident.scheduled_for:
        fields.error("scheduled_until", "'scheduled_until' must be after 'scheduled_for' — check both times")
    incident.components = _incident_components(located, fields, component_ids, path, report)
    if kind == "notice":  # a notice informs; it changes no component's status
        if incident.impact != "none":
            fields.error(
                "impact",
                f"a notice changes no component, so it has no impact — remove "
                f"'impact: {incident.impact}', or make it 'kind: incident'",
            )
        for component, status in incident.components.items():
            if status is not None:
                report.error(
                    path,
                    located.line("components"),
                    f"a notice changes no component — write "
                    f"'- {component}' without ': {status}', or make it 'kind: incident'",
                )
    _load_timeline(incident, body_text, body_line, path, report, zone)
    if incident.next_update and incident.updates:  # the front matter's promise, after the latest update
        latest = max(update.at for update in incident.updates)
        _check_promise_horizon(incident, latest, incident.next_update, path, fields.line("next_update"), report)
    if not incident.draft:  # a half-filled playbook is never published
        for line, found in placeholders_in(text):
            report.error(path, line, placeholder_message(found))
    return incident if len(report.errors) == before else None


def _incident_components(located, fields: Fields, component_ids, path, report) -> dict[str, str | None]:
    raw = located.data.get("components")
    if raw is None:
        return {}
    entries: list[tuple[Any, Any, tuple]] = []
    if isinstance(raw, dict):
        entries = [(key, value, ("components", key)) for key, value in raw.items()]
    elif isinstance(raw, list):
        for index, item in enumerate(raw):
            if isinstance(item, dict) and len(item) == 1:
                ((key, value),) = item.items()
                entries.append((key, value, ("components", index)))
            else:
                entries.append((item, None, ("components", index)))
    elif isinstance(raw, str):
        entries = [(raw, None, ("components",))]
    else:
        fields.error(
            "components",
            "'components' must be a list of component ids — one '- id' per line, ids from status/components.yml",
        )
        return {}
    result: dict[str, str | None] = {}
    first_lines: dict[str, int] = {}
    for key, status, where in entries:
        line = located.line(*where)
        if not isinstance(key, str) or isinstance(key, bool):
            report.error(path, line, f"'{key}' is not a component id — write ids from status/components.yml")
            continue
        if key in first_lines:  # the second would silently win over the first's status
            report.error(path, line, f"'{key}' is listed twice (first on line {first_lines[key]}) — keep one")
            continue
        first_lines[key] = line
        if component_ids is not None and key not in component_ids:
            report.error(path, line, f"unknown component '{key}' — {did_you_mean(key, sorted(component_ids))}")
            continue
        if status is not None:
            normalised = plain(str(status)).replace(" ", "_").replace("-", "_")
            if normalised not in model.COMPONENT_STATUSES:
                report.error(path, line, f"'{status}' is not a component status — {suggest_component_status(status)}")
                continue
            status = normalised
        result[key] = status
    return result


def unknown_status(text: str, kind: str) -> str:
    """What to say of a status that is not one of `kind`'s (in a file, or given to `balise update`)."""
    return f"'{text}' is not a status for {with_article(kind)} — {suggest_status(kind, text)}"


# A promise further ahead than this is a typo (a year, a month): even a long investigation tells
# the public where it stands within a month. A maintenance may promise its next word for the
# start of a window announced months ahead: up to a day after its end.
MAX_PROMISE_AHEAD = timedelta(days=31)


def _load_timeline(
    incident: model.Incident, body_text: str, body_line: int, path: Path, report: Collector, zone: tzinfo | None = None
) -> None:
    raw = parse_body(body_text, body_line)
    for line, message in raw.problems:
        report.error(path, line, message)
    for line, message in raw.warnings:
        report.warning(path, line, message)
    if raw.postmortem:
        if incident.postmortem:
            report.error(
                path, raw.postmortem_line, "the postmortem is given twice (front matter and '## Postmortem') — keep one"
            )
        incident.postmortem = raw.postmortem
        check_sanitised(raw.postmortem, path, raw.postmortem_line, report, "postmortem")
    allowed = model.statuses_for(incident.kind)
    for item in raw.updates:
        try:
            at = parse_time(item.when, hint_zone=zone)
        except TimeError as error:
            report.error(path, item.line, f"update time: {error}")
            continue
        status = find_status(item.status, allowed)
        if status is None:
            report.error(path, item.line, unknown_status(item.status, incident.kind))
            continue
        if not item.message.strip():
            report.error(path, item.line, "this update has no message — write what is happening under its heading")
        check_sanitised(item.message, path, item.line, report)
        promise = None
        if item.next_update:
            try:
                promise = parse_time(item.next_update, hint_zone=zone)
            except TimeError as error:
                report.error(path, item.next_update_line, f"next update: {error}")
            else:
                if promise <= at:
                    report.error(
                        path,
                        item.next_update_line,
                        "the next update must be promised after this update's time — fix the time on this line",
                    )
                _check_promise_horizon(incident, at, promise, path, item.next_update_line, report)
        update = model.Update(at=at, status=status, message=item.message, line=item.line, next_update=promise)
        if incident.began_at and at < incident.began_at:
            report.error(
                path, item.line, "this update is before the incident started ('started_at') — fix one of the two times"
            )
        incident.updates.append(update)
    misplaced = set()
    for line, message, inserted in _order_problems(incident.updates, allowed):
        report.error(path, line, message)
        if inserted:
            misplaced.add(line)
    closed_at_line = 0
    for update in incident.updates:
        if update.line in misplaced:  # a closing update inserted at the top closes nothing above it
            continue
        if closed_at_line:
            report.error(
                path,
                update.line,
                f"update after the {incident.kind} was closed on line {closed_at_line} — "
                "add follow-ups to the postmortem, or open a new incident",
            )
        if update.status in ("resolved", "completed"):
            closed_at_line = closed_at_line or update.line
    if not raw.updates and not raw.problems:
        report.error(
            path,
            body_line,
            "no update yet — add one after the front matter: '## 2026-11-21 14:05 +01:00 — investigating' and a message",
        )


def _check_promise_horizon(
    incident: model.Incident, at: datetime, promise: datetime, path: Path, line: int, report: Collector
) -> None:
    limit = at + MAX_PROMISE_AHEAD
    if incident.kind == "maintenance" and incident.scheduled_until:
        limit = max(limit, incident.scheduled_until + timedelta(days=1))
    if promise > limit:
        report.error(
            path,
            line,
            f"the next update is promised for {format_time(promise)}, "
            f"{(promise - at).days} days after its update — check the year, month and day "
            f"(a promise is at most {MAX_PROMISE_AHEAD.days} days ahead)",
        )


def _order_problems(updates: list[model.Update], progress: tuple[str, ...]) -> list[tuple[int, str, bool]]:
    """Updates go oldest first. When one is out of place, blame the one the writer misplaced: an
    update inserted at the top (newest first, as the site shows them) is later than all below it,
    and the timeline is in order without it. `progress`: the kind's statuses, in order.
    Returns (line, message, True if that update was inserted above where it belongs)."""
    problems = []
    kept: list[model.Update] = []  # the timeline so far, without the updates blamed as inserted
    for index, update in enumerate(updates):
        if not kept or update.at > kept[-1].at:
            kept.append(update)
            continue
        previous, before = kept[-1], (kept[-2] if len(kept) > 1 else None)
        following = updates[index + 1] if index + 1 < len(updates) else None
        # A timeline's statuses progress (investigating … resolved): read in file order, they tell
        # whether the heading is misplaced (resolved above investigating) or its time mistyped.
        inserted_above = (
            update.at < previous.at
            and progress.index(previous.status) >= progress.index(update.status)
            and all(later.at < previous.at for later in updates[index:])
            and (before is None or before.at < update.at)  # in order without `previous`
            and (before is None or (following is not None and following.at <= previous.at))  # not without `update`
        )
        if inserted_above:
            problems.append(
                (
                    previous.line,
                    f"this update is later than the one below it (line {update.line}) — "
                    "updates go oldest first, so a new update goes at the end of the "
                    f"timeline: move this one after the update on line {updates[-1].line}, "
                    "or fix its time",
                    True,
                )
            )
            kept[-1] = update
            continue
        same = "at the same time as" if update.at == previous.at else "earlier than"
        problems.append(
            (
                update.line,
                f"this update is {same} the one on line {previous.line} — updates go "
                "oldest first; fix its time or move it",
                False,
            )
        )
        kept.append(update)
    return problems


def content_files(directory: Path, markdown_only: bool = True) -> list[Path]:
    """The content files of a folder, sorted: not a README (README.md, README.txt…), nor names
    starting with '_' or '.' (notes and editors' files), nor sub-folders; only *.md unless
    `markdown_only` is False."""
    if not directory.is_dir():
        return []
    return [
        path
        for path in sorted(directory.iterdir())
        if not path.name.startswith(("_", "."))
        and path.name.lower().split(".")[0] != "readme"
        and path.is_file()
        and (path.suffix == ".md" or not markdown_only)
    ]


def load_incidents(
    directory: Path, component_ids, report: Collector, zone: tzinfo | None = None
) -> list[model.Incident]:
    """Every incident file of a folder (see `content_files`), newest first. Any other file there is
    an error: 'panne.txt' or 'panne.MD' would silently publish nothing."""
    incidents = []
    for path in content_files(directory, markdown_only=False):
        if path.suffix != ".md":
            report.error(
                path,
                1,
                f"incident files end in .md, so this one would never be published — rename it "
                f"{_as_markdown(path.name)}, or start its name with '_' to keep it as a note",
            )
            continue
        incident = load_incident(path, component_ids, report, zone=zone)
        if incident is not None and incident.updates:
            incidents.append(incident)
    incidents.sort(key=lambda i: (i.started_at, i.id), reverse=True)
    return incidents


def _as_markdown(name: str) -> str:
    """'panne.txt' -> 'panne.md', 'panne.md.txt' -> 'panne.md', 'panne.MD' -> 'panne.md'."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem[:-3] if stem.lower().endswith(".md") else stem) + ".md"


INCIDENT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9-]*$")


def naming_slips(directory: Path, report: Collector) -> None:
    """Warnings for incident files named so their URL is odd (another extension is an error:
    `load_incidents`)."""
    for path in content_files(directory):
        if not INCIDENT_NAME.match(path.stem):
            report.warning(
                path,
                1,
                "incident files are named YYYY-MM-DD-short-name.md (lower case, dashes), "
                "e.g. 2026-11-21-paiements-indisponibles.md — the name is its permanent URL",
            )


def scope_slips(incidents: list[model.Incident], report: Collector) -> None:
    """A warning for an incident with an impact but no component: it would change no status."""
    for incident in incidents:
        if incident.kind == "incident" and incident.impact != "none" and not incident.components:
            report.warning(
                incident.path,
                1,
                f"impact '{incident.impact}' but no component: no status on the page "
                "changes — list the affected services under 'components:'",
            )


# An update's time is when it was written: a few minutes ahead is a clock or a rounding, hours
# ahead a wrong offset or hour (a warning from `balise check`), more than a day ahead a wrong day,
# month or year — which, once published, would also make every later update look out of order.
MAX_UPDATE_AHEAD = timedelta(days=1)


def future_updates(incidents: list[model.Incident], now: datetime, report: Collector) -> None:
    """Errors for updates dated more than `MAX_UPDATE_AHEAD` after `now` (the build's reference time).
    A draft is still being written; an embargoed item may be dated for its publication."""
    for incident in incidents:
        if incident.draft:
            continue
        written_by = max(now, incident.publish_at or now) + MAX_UPDATE_AHEAD
        for update in incident.updates:
            if update.at > written_by:
                report.error(
                    incident.path,
                    update.line,
                    f"this update is dated {format_time(update.at)}, {_days_ahead(update.at - now)} ahead "
                    f"of now ({format_time(now.astimezone(update.at.tzinfo))}) — an update is dated when it "
                    "is written: check the year, month, day and hour",
                )


def _days_ahead(delta: timedelta) -> str:
    return f"{delta.days} days" if delta.days > 1 else "more than a day"


def timing_slips(incidents: list[model.Incident], zone, now: datetime, report: Collector) -> None:
    """Warnings for times that are valid but probably mistyped: in the future (and not so far that
    `future_updates` refuses them), or with the other season's offset of the site's zone (+02:00
    in winter in Paris)."""
    for incident in incidents:
        for update in incident.updates:
            if update.at > now + timedelta(minutes=5) and (incident.draft or update.at <= now + MAX_UPDATE_AHEAD):
                report.warning(
                    incident.path,
                    update.line,
                    f"this update is dated {format_time(update.at)}, "
                    "in the future — check the year, month, day and hour",
                )
            year = update.at.year
            seasons = {datetime(year, 1, 1, tzinfo=zone).utcoffset(), datetime(year, 7, 1, tzinfo=zone).utcoffset()}
            local = update.at.astimezone(zone)
            if len(seasons) > 1 and update.at.utcoffset() in seasons and update.at.utcoffset() != local.utcoffset():
                right = format_time(local)
                report.warning(
                    incident.path,
                    update.line,
                    f"{format_time(update.at)} uses the other "
                    f"season's offset: in {zone.key} that is {right} — "
                    "check the hour and the offset",
                )


@dataclass
class Content:
    """Everything read from a site's folders, before filtering by publication."""

    groups: list[model.ComponentGroup]
    components: list[model.Component]
    incidents: list[model.Incident]
    transparency: Transparency | None = None  # as read (see transparency_loaders)


def load_content(
    status_dir: Path, incidents_dir: Path, report: Collector, settings: model.Settings | None = None
) -> Content:
    """The site's content; with `settings`, hints use the site's zone and updates far ahead of the
    build's reference time are refused."""
    before = len(report.errors)
    groups, components = load_components(status_dir / "components.yml", report)
    # If components.yml itself is broken, which ids exist is unknown: report that file, not every incident.
    component_ids = {c.id for c in components} if len(report.errors) == before else None
    if not incidents_dir.is_dir():  # a typo in incidents_dir would otherwise publish an all-clear
        report.error(
            incidents_dir,
            1,
            f"{'is a file, not a folder' if incidents_dir.exists() else 'no such folder'}"
            " — it holds the incident files: create it, or fix incidents_dir in mkdocs.yml",
        )
    incidents = load_incidents(incidents_dir, component_ids, report, settings.timezone if settings else None)
    if settings is not None:
        future_updates(incidents, settings.latest_writing_time, report)
    return Content(groups, components, incidents)


def publish(content: Content, settings: model.Settings) -> model.StatusPage:
    """What the public may see at the settings' reference time: no drafts, no embargoed items."""
    now = settings.reference_time
    visible = [i for i in content.incidents if i.is_published(now)]
    shown = content.transparency.published() if content.transparency is not None else None
    return model.StatusPage(settings, content.groups, content.components, visible, transparency=shown)
