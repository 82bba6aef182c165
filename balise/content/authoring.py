"""Writing content for the comms team: new incident files and updates appended to timelines.

Every write is checked first and lands atomically, so a file is never left half-written,
and an append changes nothing but the end of the timeline.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from balise.content.fields import slug
from balise.timeline import append_update, format_time, format_update


def slugify(text: str) -> str:
    """The short name in an incident's (or a testimonial's) file name (`fields.slug`, at most 60 characters)."""
    return slug(text, "incident", limit=60)


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content in one step: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
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
