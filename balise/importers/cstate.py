"""A cState (Hugo) site: `config.yml`'s categories and systems, and `content/issues/*.md`.

Real cState repositories are untidy: dates that do not exist, systems spelt two ways, tabs in the
YAML, updates without a time. Each case is imported where it can be, and noted for the summary.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from balise.content.yamlfile import ContentYamlLoader
from balise.importers.records import Component, Group, Imported, Incident, SourceError, Update
from balise.importers.sources import Limits, parse_moment, read_path

# cState's severities, and what they give a component on balise's scale.
SEVERITY_IMPACT = {"down": "critical", "disrupted": "minor", "notice": "none"}
# `{{< track "2018-05-25 05:54:00" >}}` (also `{{% track … %}}`, single quotes, no quotes).
TRACK = re.compile(r"\{\{[<%]\s*track\s+[\"']?([^\"'>%}]*?)[\"']?\s*[>%]\}\}")
SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}", re.S)
# `*Resolved* - text`, `**Update** – text`, `_Monitoring_: text` at the start of a paragraph.
LABEL = re.compile(r"^\s*(\*{1,2}|_{1,2})(?P<label>[^*_\n]{1,40}?)\1\s*(?:[-–—:]\s*)?", re.S)
LABEL_STATUS = {
    "investigating": "investigating",
    "identified": "identified",
    "monitoring": "monitoring",
    "resolved": "resolved",
    "fixed": "resolved",
    "completed": "resolved",
    "closed": "resolved",
}
FILE_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def read(folder: str, limits: Limits, closing_message: str) -> Imported:
    root = Path(folder)
    config_path = root / "config.yml"
    if not root.is_dir():
        raise SourceError(f"{folder}: no such folder — give the cState site's folder (the one with config.yml)")
    if not config_path.is_file():
        config_path = (
            root / "exampleSite" / "config.yml" if (root / "exampleSite" / "config.yml").is_file() else config_path
        )
    imported = Imported("cstate", folder)
    config = _yaml(read_path(config_path, limits).decode("utf-8", "replace"), str(config_path), imported)
    if not isinstance(config, dict):
        raise SourceError(f"{config_path}: is not a cState config.yml (no 'params:' with 'systems:')")
    params: dict[str, Any] = config["params"] if isinstance(config.get("params"), dict) else {}
    systems = params.get("systems")
    if not isinstance(systems, list):
        raise SourceError(f"{config_path}: no 'params: systems:' list — is this a cState site?")
    names = _systems(params, systems, imported)
    base = str(config.get("baseURL") or config.get("baseurl") or "").rstrip("/")
    issues = config_path.parent / "content" / "issues"
    for path in sorted(issues.glob("*.md")) if issues.is_dir() else []:
        incident = _issue(path, limits, names, base, closing_message, imported)
        if incident is not None:
            imported.incidents.append(incident)
    return imported


def _yaml(text: str, where: str, imported: Imported) -> Any:
    try:
        return yaml.load(text, Loader=ContentYamlLoader)
    except yaml.YAMLError as error:
        if "\t" not in text:
            raise SourceError(f"{where}: is not valid YAML ({' '.join(str(error).split())})") from None
    untabbed = re.sub(r"^\t+", lambda m: "  " * len(m[0]), text, flags=re.M).replace("\t", " ")
    try:
        data = yaml.load(untabbed, Loader=ContentYamlLoader)
    except yaml.YAMLError as error:
        raise SourceError(f"{where}: is not valid YAML ({' '.join(str(error).split())})") from None
    imported.note(f"{where}: tabs in its YAML read as spaces")
    return data


def _systems(params: dict[str, Any], systems: list[Any], imported: Imported) -> dict[str, str]:
    """Categories → groups, systems → components; returns every spelling of a system → its key."""
    categories: list[Any] = params["categories"] if isinstance(params.get("categories"), list) else []
    shown: set[str] = set()
    for category in categories:
        if isinstance(category, dict) and category.get("name") and not category.get("untitled"):
            name = _text(category["name"])
            imported.groups.append(Group(name, name, _text(category.get("description"))))
            shown.add(name)
    names: dict[str, str] = {}
    for system in systems:
        if not isinstance(system, dict) or not system.get("name"):
            imported.note(f"config.yml: a system without a name left out ({system!r})")
            continue
        name = _text(system["name"])
        category = _text(system.get("category")) or None
        if category and category not in shown and not _untitled(categories, category):
            imported.note(f"config.yml: system '{name}' is in category '{category}', which is not declared: no group")
        imported.components.append(
            Component(name, name, _text(system.get("description")), category if category in shown else None)
        )
        names[_spelling(name)] = name
    return names


def _untitled(categories: list[Any], name: str) -> bool:
    return any(isinstance(c, dict) and _text(c.get("name")) == name and c.get("untitled") for c in categories)


def _spelling(name: str) -> str:
    """'Media proxy ', 'media-proxy' and 'Media Proxy' are one system."""
    return re.sub(r"[\s_-]+", " ", name).strip().casefold()


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _issue(
    path: Path, limits: Limits, names: dict[str, str], base: str, closing_message: str, imported: Imported
) -> Incident | None:
    where = f"content/issues/{path.name}"
    text = read_path(path, limits).decode("utf-8", "replace").replace("\r\n", "\n").lstrip("\ufeff")
    front, body = _front_matter(text, where, imported)
    if front is None:
        return None
    title = _text(front.get("title")) or path.stem.replace("-", " ")
    incident = Incident(path.stem, title)
    if not front.get("title"):
        incident.notes.append(f"{where}: no title: named after its file")
    started = _date(front.get("date"), path, where, incident)
    if started is None:
        imported.note(f"{where}: no readable date and none in its file name: not imported")
        return None
    severity = _text(front.get("severity")).lower()
    if severity not in SEVERITY_IMPACT:
        incident.notes.append(
            f"severity '{front.get('severity')}' is not down, disrupted or notice: read as 'disrupted'"
        )
        severity = "disrupted"
    incident.impact = SEVERITY_IMPACT[severity]
    if front.get("informational") is True:
        incident.kind, incident.impact = "notice", "none"
    incident.draft = front.get("draft") is True
    affected = front.get("affected") or []
    for name in affected if isinstance(affected, list) else [affected]:
        key = names.get(_spelling(str(name)))
        if key is None:
            incident.notes.append(f"affected system '{name}' is not in config.yml's systems: left out")
            continue
        if key != str(name):
            incident.notes.append(f"affected system '{name}' read as '{key}'")
        incident.components[key] = None  # the impact says it: `down` is critical, a major outage
    incident.updates = _updates(body, started, incident)
    resolved_at = parse_moment(front.get("resolvedWhen"))
    if front.get("resolvedWhen") and resolved_at is None:
        incident.notes.append(f"resolvedWhen '{front.get('resolvedWhen')}' is not a date: left out")
    if front.get("resolved") is True and not any(u.status == "resolved" for u in incident.updates):
        latest = max(u.at for u in incident.updates)
        if resolved_at is None or resolved_at <= latest:
            if resolved_at is not None:
                incident.notes.append(
                    "resolvedWhen is before its last update: the closing update is dated just after it"
                )
            resolved_at = latest.replace(microsecond=0) + timedelta(seconds=1)
        incident.updates.append(Update(resolved_at, "resolved", closing_message))
    elif front.get("resolved") is not True and not incident.draft:
        incident.notes.append("not resolved in cState: it shows as an ongoing incident until you resolve it")
    address = _text(front.get("url")) or f"/issues/{_text(front.get('slug')) or path.stem}/"
    incident.url = address if "://" in address else (base + "/" + address.lstrip("/") if base else address)
    return incident


def _front_matter(text: str, where: str, imported: Imported) -> tuple[dict[str, Any] | None, str]:
    for fence, parse in (("---", "yaml"), ("+++", "toml")):
        if text.startswith(fence + "\n"):
            end = text.find("\n" + fence, len(fence))
            if end < 0:
                break
            raw, body = text[len(fence) + 1 : end], text[end + len(fence) + 1 :]
            try:
                data = tomllib.loads(raw) if parse == "toml" else _yaml(raw, where, imported)
            except (SourceError, tomllib.TOMLDecodeError) as error:
                imported.note(f"{where}: front matter unreadable ({error}): not imported")
                return None, ""
            if isinstance(data, dict):
                return data, body.lstrip("\n")
    imported.note(f"{where}: no front matter: not imported")
    return None, ""


def _date(value: Any, path: Path, where: str, incident: Incident) -> datetime | None:
    """The issue's date; offset-less, it is UTC (as Hugo reads it). A date that does not exist falls
    back on the file name's, if that one does."""
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(), timezone.utc)
    moment = parse_moment(value)
    named = FILE_DATE.match(path.name)
    from_name = None
    if named:
        try:
            from_name = datetime(int(named[1]), int(named[2]), int(named[3]), tzinfo=timezone.utc)
        except ValueError:
            incident.notes.append(f"{where}: its file name's date {named[0]} does not exist")
    if moment is None:
        if from_name is None:
            return None
        incident.notes.append(f"date '{value}' is not a real date: the file name's ({from_name.date()}) used")
        return from_name
    if from_name is not None and moment.date() != from_name.date():
        incident.notes.append(f"its file name says {from_name.date()}, its date {moment.date()}: the date used")
    return moment


def _updates(body: str, started: datetime, incident: Incident) -> list[Update]:
    """cState's updates, newest first in the file: each paragraph ending in a track shortcode is
    one, its `*Label* -` the status. A body without them is one update at the issue's date."""
    marks = list(TRACK.finditer(body))
    pieces: list[tuple[datetime | None, str]] = []
    start = 0
    for mark in marks:
        at = parse_moment(mark[1])
        if at is None:
            incident.notes.append(f"track time '{mark[1]}' is not a date: that part joins the next update")
        pieces.append((at, body[start : mark.start()]))
        start = mark.end()
    rest = body[start:].strip()
    if not marks:
        pieces = _labelled_paragraphs(body, started, incident)
    elif rest:
        pieces.append((None, rest))
    timed: list[tuple[datetime, str]] = []
    pending = ""
    for at, text in reversed(pieces):  # oldest first: text without a time joins the update after it
        text = _without_shortcodes(text.strip(), incident)
        if at is None:
            pending = (pending + "\n\n" + text).strip()
            continue
        timed.append((at, (text + "\n\n" + pending).strip() if pending else text))
        pending = ""
    if pending:
        if timed:
            timed[-1] = (timed[-1][0], timed[-1][1] + "\n\n" + pending)
        else:
            timed.append((started, pending))
    updates: list[Update] = []
    for at, text in sorted(timed, key=lambda piece: piece[0]):  # statuses follow one another in time
        updates.append(_labelled(at, text, updates, incident))
    if not updates:
        updates.append(Update(started, "investigating", ""))
    return updates


def _labelled_paragraphs(body: str, started: datetime, incident: Incident) -> list[tuple[datetime | None, str]]:
    """A body without track shortcodes: newest first as cState writes it; only the oldest part has
    a known time (the issue's date), the others join it, labels kept in the text."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    labelled = [i for i, p in enumerate(paragraphs) if LABEL.match(p)]
    if len(labelled) > 1:
        incident.notes.append("updates without a track time: written as one update at the issue's date")
    return [(started, "\n\n".join(reversed(paragraphs)) if len(labelled) > 1 else body)]


def _labelled(at: datetime, text: str, before: list[Update], incident: Incident) -> Update:
    previous = before[-1].status if before else "investigating"
    found = LABEL.match(text)
    if not found:
        return Update(at, previous, text)
    label = found["label"].strip()
    status = LABEL_STATUS.get(label.casefold())
    if status is None:
        return Update(at, previous, f"**{label}** – {text[found.end() :].strip()}")
    return Update(at, status, text[found.end() :].strip())


def _without_shortcodes(text: str, incident: Incident) -> str:
    def drop(match: re.Match[str]) -> str:
        incident.notes.append(f"Hugo shortcode {' '.join(match[0].split())[:60]} removed")
        return ""

    return SHORTCODE.sub(drop, text)
