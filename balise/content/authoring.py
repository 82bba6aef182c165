"""Writing content for the comms team: new incident files and updates appended to timelines.

Every write is checked first and lands atomically, so a file is never left half-written,
and an append changes nothing but the end of the timeline.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from balise.content.fields import slug
from balise.timeline import HEADING, LineReader, append_update, format_time, format_update


def slugify(text: str) -> str:
    """The short name in an incident's (or a testimonial's) file name (`fields.slug`, at most 60 characters)."""
    return slug(text, "incident", limit=60)


def write_atomically(path: Path, text: str | bytes) -> None:
    """Replace a file's content in one step: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def incident_text(
    *,
    title: str,
    kind: str,
    impact: str,
    components: dict[str, str | None],
    status: str,
    message: str,
    at: datetime,
    next_update: datetime | None = None,
    draft: bool = False,
    spokesperson: str = "",
    scheduled_for: datetime | None = None,
    scheduled_until: datetime | None = None,
) -> str:
    """The text of a new incident file, in the documented syntax."""
    # Plain text: YAML's safe writer refuses the model's words (`str` subclasses).
    front: dict[str, Any] = {"title": title, "kind": str(kind), "impact": str(impact)}
    if components:
        front["components"] = [cid if status is None else {cid: str(status)} for cid, status in components.items()]
    if spokesperson:
        front["spokesperson"] = spokesperson
    if scheduled_for:
        front["scheduled_for"] = format_time(scheduled_for)
    if scheduled_until:
        front["scheduled_until"] = format_time(scheduled_until)
    if draft:
        front["draft"] = True
    fields = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return f"---\n{fields}---\n\n" + format_update(at, status, message, next_update)


def incident_path(incidents_dir: Path, at: datetime, title: str) -> Path:
    """The file an incident of that title and day is written to (its permanent URL)."""
    return incidents_dir / f"{at.date().isoformat()}-{slugify(title)}.md"


def new_incident_path(incidents_dir: Path, at: datetime, title: str) -> Path:
    """`incident_path`, or the first free `-2`, `-3`… beside it when it is taken."""
    first = path = incident_path(incidents_dir, at, title)
    counter = 2
    while path.exists():
        path = first.with_name(f"{first.stem}-{counter}.md")
        counter += 1
    return path


def appended(source: str, at: datetime, status: str, message: str, next_update: datetime | None) -> str:
    return append_update(source, format_update(at, status, message, next_update))


def withdrawn_text(source: str, update_lines: Collection[int], entry: dict[str, str], whole: bool = False) -> str:
    """`source` with a withdrawal recorded: `entry` (update, on, reason) added under `withdrawn:` in
    the front matter, and the sections of the updates at `update_lines` (their headings' lines)
    removed — or, for the `whole` incident, its whole body. Every other byte is left alone."""
    newline = "\r\n" if "\r\n" in source else "\n"
    lines = source.splitlines(keepends=True)
    closing = _front_matter_end(lines)
    # JSON's quoted strings are YAML's: any reason (a colon, a quote, a '#') reads back as written.
    item = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in entry.items()]
    block = "".join(("  - " if index == 0 else "    ") + line + newline for index, line in enumerate(item))
    existing = next((i for i in range(1, closing) if lines[i].startswith("withdrawn:")), None)
    if existing is None:
        insert_at, block = closing, "withdrawn:" + newline + block
    else:  # after the entries already there
        insert_at = existing + 1
        while insert_at < closing and lines[insert_at].startswith((" ", "-", "\t")):
            insert_at += 1
    if whole:
        body: list[str] = []
    else:
        removed = _section_lines(lines[closing + 1 :], update_lines, closing + 2)
        body = [line for number, line in enumerate(lines[closing + 1 :], closing + 2) if number not in removed]
        while body and not body[-1].strip():
            body.pop()
        body = [newline, *body[1:]] if body and not body[0].strip() else body
        if body and not body[-1].endswith(("\n", "\r")):
            body[-1] += newline
    return "".join(lines[:insert_at]) + block + "".join(lines[insert_at : closing + 1]) + "".join(body)


def _front_matter_end(lines: list[str]) -> int:
    """The index of the line closing the front matter."""
    return next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))


def _section_lines(body: list[str], headings: Collection[int], first: int) -> set[int]:
    """The line numbers of the sections starting at `headings`: each heading to the next one
    (`body` starts at line `first` of the file)."""
    found: set[int] = set()
    reader = LineReader()
    inside = False
    for number, raw in enumerate(body, first):
        line, code = reader.read(raw.rstrip("\r\n"), number)
        if not code and HEADING.match(line):
            inside = number in headings
        if inside:
            found.add(number)
    return found
