"""Reading a content file: its text (UTF-8, size, control characters), its YAML with the file line
of every key and list item, and the front matter of a Markdown file.

Every problem goes to a `Collector` as `path:line: message — how to fix`; used by every loader
(incidents, playbooks, testimonials, KPIs, monitoring summaries). No MkDocs here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from balise.errors import Collector

# A key's place in a document: mapping keys and list indexes, from the top (e.g. ("components", 2)).
YamlPath = tuple[Any, ...]

MAX_FILE_BYTES = 1024 * 1024
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
    lines: dict[YamlPath, int]
    first_line: int

    def line(self, *path: Any) -> int:
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
            lines: dict[YamlPath, int] = {}
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


def _refused_shape(loader: yaml.SafeLoader) -> tuple[int, str] | None:
    """The first anchor, alias or too-deep nesting in the document, as (line in text, message)."""
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
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


def _record_lines(
    node: yaml.Node, path: YamlPath, lines: dict[YamlPath, int], first_line: int, duplicates: list[tuple[str, int, int]]
) -> None:
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


def _escaped_control_characters(node: yaml.Node, first_line: int) -> Iterator[tuple[int, str]]:
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


def content_files(directory: Path, markdown_only: bool = True) -> list[Path]:
    """The content files of a folder, sorted: not a README (README.md, README.txt…), nor names
    starting with '_' or '.' (notes and editors' files), nor sub-folders; only *.md unless
    `markdown_only` is False."""
    return [directory / name for name in content_names(directory, markdown_only)]


def content_names(directory: Path, markdown_only: bool = True) -> list[str]:
    """The names of `content_files(directory, markdown_only)`."""
    if not directory.is_dir():
        return []
    with os.scandir(directory) as entries:  # the listing's own file types: no stat() per file
        return sorted(
            entry.name
            for entry in entries
            if not entry.name.startswith(("_", "."))
            and entry.name.lower().split(".")[0] != "readme"
            and entry.is_file()
            and (entry.name.endswith(".md") or not markdown_only)
        )


def child_path(folder: Path, name: str) -> str:
    """`str(folder / name)`, without making the Path: 20,000 of them, made and formatted, cost 0.3 s."""
    base = str(folder)
    return name if base == "." else f"{base.rstrip('/')}/{name}"
