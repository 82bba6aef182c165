"""What an import writes: `status/components.yml` and one `incidents/*.md` per incident, as a comms
officer would have written them, each checked by the content loaders before anything is written.

A file written by `balise import` carries `imported_from` (the source, the original id, the old
public address) and a checksum of its own text: a re-import finds the file by the original id,
rewrites it only if it is still as imported (byte-identical when nothing changed at the source),
and leaves it alone, saying so, once someone has edited it.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from balise.content import model
from balise.content.authoring import incident_path, write_atomically
from balise.content.fields import ID_PATTERN, slug
from balise.content.loaders import load_components, load_incident
from balise.content.yamlfile import ContentYamlLoader
from balise.errors import Collector
from balise.i18n import catalog
from balise.importers.markdown import to_markdown
from balise.importers.records import Component, Imported, Incident, SourceError, Update
from balise.timeline import format_time, format_update
from balise.transparency.ingest import safe_link, without_controls

CHECKSUM = re.compile(r"^(  checksum: )sha256:([0-9a-f]{64})$", re.M)
SYSTEM_NAMES = {"statuspage": "Statuspage", "cstate": "cState", "feed": "feed"}


@dataclass
class Planned:
    path: Path
    text: str
    action: str  # new | updated | unchanged | kept (changed by hand since imported) | merged
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    files: list[Planned] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, why) not imported at all
    notes: list[str] = field(default_factory=list)  # about the import as a whole
    counts: dict[str, int] = field(default_factory=dict)

    def write(self) -> list[Path]:
        """Write every new or changed file, each in one step; returns their paths."""
        written = []
        for planned in self.files:
            if planned.action in ("new", "updated", "merged"):
                write_atomically(planned.path, planned.text)
                written.append(planned.path)
        return written


@dataclass(frozen=True)
class Target:
    """The site an import writes into."""

    status_dir: Path
    incidents_dir: Path
    zone: Any  # the site's tzinfo, for the loaders' hints
    language: str = "en"
    now: datetime | None = None
    renames: dict[str, str] = field(default_factory=dict)  # a source's id or name -> the balise id to use


# -- the plan ------------------------------------------------------------------------------
def plan(imported: Imported, target: Target) -> Plan:
    """Everything the import would write, checked; writes nothing."""
    result = Plan(notes=list(imported.notes))
    existing_groups, existing_components, components_text = _existing_components(target.status_dir)
    group_ids, component_ids = _ids(imported, existing_groups, existing_components, target.renames)
    components_file = _components_file(
        imported, target, (group_ids, component_ids), (existing_groups, existing_components), components_text
    )
    if components_file is not None:
        result.files.append(components_file)
    known_ids = set(component_ids.values()) | {str(c["id"]) for c in existing_components}
    owned = _imported_files(target.incidents_dir)
    taken: set[Path] = set()
    updates = 0
    for incident in sorted(imported.incidents, key=lambda i: (_first_time(i), i.key)):
        prepared = _prepare(incident, target)
        if prepared is None:
            result.failed.append((incident.title or incident.key, "; ".join(incident.notes) or "no update to import"))
            continue
        path = owned.get(incident.key) or _free_path(target.incidents_dir, prepared, taken)
        taken.add(path)
        text = incident_file(imported, prepared, component_ids)
        problems = _problems(path, text, known_ids, target)
        if problems:
            result.failed.append((incident.title or incident.key, problems))
            continue
        result.files.append(Planned(path, text, _action(path, text), prepared.notes))
        updates += len(prepared.updates)
        kind = "maintenance" if prepared.kind == model.Kind.MAINTENANCE else "incidents"
        result.counts[kind] = result.counts.get(kind, 0) + 1
    result.counts["updates"] = updates
    result.counts["components"] = len(imported.components)
    result.counts["groups"] = len(imported.groups)
    return result


def _first_time(incident: Incident) -> datetime:
    times = [u.at for u in incident.updates] + [t for t in (incident.started_at, incident.scheduled_for) if t]
    return min(times, default=datetime.max.replace(tzinfo=timezone.utc))


def _action(path: Path, text: str) -> str:
    if not path.exists():
        return "new"
    current = path.read_text(encoding="utf-8")
    if current == text:
        return "unchanged"
    return "updated" if as_imported(current) else "kept"


def as_imported(text: str) -> bool:
    """Whether a file is still exactly as `balise import` wrote it (its checksum matches its text)."""
    found = CHECKSUM.search(text)
    return found is not None and _digest(CHECKSUM.sub(r"\1", text)) == found[2]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _problems(path: Path, text: str, component_ids: set[str], target: Target) -> str:
    """What `balise check` would say against the file (errors only), read as the build reads it."""
    report = Collector(target.incidents_dir)
    load_incident(path, component_ids, report, text=text, zone=target.zone)
    return "; ".join(f"line {p.line}: {p.message}" for p in report.errors)


# -- components ------------------------------------------------------------------------------
def _existing_components(status_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]:
    """The site's groups and components as written in its file (checked first, as the build reads it)."""
    path = status_dir / "components.yml"
    if not path.exists():
        return [], [], None
    report = Collector()
    load_components(path, report)
    if report.errors:
        raise SourceError(f"{path}: cannot be read ({report.errors[0].message}) — fix it first (balise check)")
    text = path.read_text(encoding="utf-8-sig")
    data = yaml.load(text, Loader=ContentYamlLoader)
    return list(data.get("groups") or []), list(data.get("components") or []), text


def _ids(
    imported: Imported, groups: list[dict[str, Any]], components: list[dict[str, Any]], renames: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Balise ids for the source's groups and components: the rename file's, else the id of a
    component of the same name already in the site, else one made from the name."""
    taken: set[str] = set()

    def choose(key: str, name: str, existing: list[dict[str, Any]], fallback: str) -> str:
        by_name = {str(e["name"]).casefold(): str(e["id"]) for e in existing}
        wanted = renames.get(key) or renames.get(name) or by_name.get(name.casefold()) or slug(name, fallback)
        chosen, counter = wanted, 2
        while chosen in taken:
            chosen, counter = f"{wanted}-{counter}", counter + 1
        taken.add(chosen)
        return chosen

    for key, value in renames.items():
        if not ID_PATTERN.match(value):
            raise SourceError(f"--ids: '{key}: {value}' — an id may only use lower-case letters, digits and dashes")
    group_ids = {g.key: choose(g.key, g.name, groups, "group") for g in imported.groups}
    component_ids = {c.key: choose(c.key, c.name, components, "component") for c in imported.components}
    return group_ids, component_ids


def _components_file(
    imported: Imported,
    target: Target,
    ids: tuple[dict[str, str], dict[str, str]],
    existing: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    current: str | None,
) -> Planned | None:
    """The site's components.yml with the imported groups and components it lacks (its own
    entries as they are), or None when the source names none."""
    path = target.status_dir / "components.yml"
    if not imported.components and not imported.groups:  # a feed names none: the site's file is left alone
        return None
    (group_ids, component_ids), (old_groups, old_components) = ids, existing
    have_groups = {str(g["id"]) for g in old_groups}
    have_components = {str(c["id"]) for c in old_components}
    new_groups = [g for g in imported.groups if group_ids[g.key] not in have_groups]
    new_components = [c for c in imported.components if component_ids[c.key] not in have_components]
    if current is not None and not new_groups and not new_components:
        return Planned(path, current, "unchanged")
    if current is not None and _has_inner_comments(current):
        missing = ", ".join(component_ids[c.key] for c in new_components) or "groups"
        raise SourceError(
            f"{path}: its comments would be lost, so balise import leaves it alone — add the imported "
            f"components ({missing}) by hand, or remove the comments, then import again"
        )
    groups = [*old_groups] + [
        {"id": group_ids[g.key], "name": g.name, "description": g.description} for g in new_groups
    ]
    components = [*old_components] + [_component_entry(c, group_ids, component_ids) for c in new_components]
    header = _leading_comments(current) if current is not None else _header(imported, target)
    text = header + _dump({"groups": groups} if groups else {}) + _dump({"components": components})
    with tempfile.TemporaryDirectory() as scratch:  # read back as the build reads it, before anything is written
        trial = Path(scratch) / path.name
        trial.write_text(text, encoding="utf-8")
        report = Collector(Path(scratch))
        load_components(trial, report)
        if report.errors:
            problem = report.errors[0]
            raise SourceError(f"{path}: would not be valid (line {problem.line}: {problem.message})")
    return Planned(path, text, "merged" if current is not None else "new")


def _component_entry(component: Component, group_ids: dict[str, str], component_ids: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": component_ids[component.key], "name": component.name}
    if component.description:
        entry["description"] = component.description
    if component.group in group_ids:
        entry["group"] = group_ids[component.group]
    return entry


def _header(imported: Imported, target: Target) -> str:
    system = SYSTEM_NAMES[imported.system]
    return (
        "# The services shown on the status page, in display order.\n"
        f"# Imported from {system} ({_one_line(recorded(imported.source))}) by `balise import {imported.system}`.\n"
    )


def _leading_comments(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line + "\n")
    return "".join(lines)


def _has_inner_comments(text: str) -> bool:
    """A comment below the file's opening comment lines: rewriting the file would lose it."""
    body = text[len(_leading_comments(text)) :]
    return any(re.search(r"(^|\s)#", line) for line in body.splitlines())


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the README writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump(data: dict[str, Any]) -> str:
    if not data:
        return ""
    dumped: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return dumped


def _one_line(text: str) -> str:
    return " ".join(without_controls(str(text)).split())


# -- incidents ---------------------------------------------------------------------------------
@dataclass
class Prepared:
    """An incident ready to be written: every rule of the format already met."""

    source: Incident
    kind: str
    impact: str
    components: dict[str, str | None]
    updates: list[Update]
    postmortem: str
    started_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    draft: bool
    notes: list[str]


def _prepare(incident: Incident, target: Target) -> Prepared | None:
    """The incident with its updates in order, their bodies in clean Markdown, and every slip noted."""
    notes = incident.notes
    kind = incident.kind if incident.kind in model.KINDS else model.Kind.INCIDENT
    allowed = [str(s) for s in model.statuses_for(model.Kind(kind))]
    words = catalog(target.language)["update_status"]
    updates: list[Update] = []
    for update in sorted(incident.updates, key=lambda u: u.at):
        at = update.at.replace(microsecond=0)
        if updates and at <= updates[-1].at:
            notes.append(f"two updates at {format_time(at)}: the second moved to the next second")
            at = updates[-1].at + timedelta(seconds=1)
        status = update.status
        if status not in allowed:
            status = updates[-1].status if updates else allowed[0]
            notes.append(
                f"status '{update.status}' at {format_time(at)} is not a status for this {kind}: written '{status}'"
            )
        message, lost = to_markdown(update.message)
        for what in lost:
            notes.append(f"update of {format_time(at)}: {what}")
        if not message:
            message = words[status] + "."
            notes.append(f"update of {format_time(at)} had no text: written '{message}'")
        updates.append(Update(at, status, message))
    if not updates:
        notes.append("no update in the source")
        return None
    closing = set(model.CLOSING_STATUSES)
    reopened = "monitoring" if kind != model.Kind.MAINTENANCE else "verifying"
    for index, update in enumerate(updates[:-1]):
        if update.status in closing:
            notes.append(f"closed at {format_time(update.at)} then updated again: that update is written '{reopened}'")
            updates[index] = Update(update.at, reopened, update.message)
    postmortem, lost = to_markdown(incident.postmortem)
    notes.extend(f"postmortem: {what}" for what in lost)
    started_at = incident.started_at.replace(microsecond=0) if incident.started_at else None
    if started_at and started_at >= updates[0].at:
        if started_at > updates[0].at:
            notes.append(f"started_at {format_time(started_at)} is after the first update: left out")
        started_at = None
    scheduled_for, scheduled_until = incident.scheduled_for, incident.scheduled_until
    if kind == model.Kind.MAINTENANCE:
        if scheduled_for is None or scheduled_until is None:
            scheduled_for = scheduled_for or updates[0].at
            scheduled_until = scheduled_until or max(updates[-1].at, scheduled_for + timedelta(minutes=1))
            notes.append("no maintenance window in the source: the first and last updates' times used")
        scheduled_for, scheduled_until = scheduled_for.replace(microsecond=0), scheduled_until.replace(microsecond=0)
        if scheduled_until <= scheduled_for:
            notes.append("the maintenance window ends before it starts: its end moved a minute after its start")
            scheduled_until = scheduled_for + timedelta(minutes=1)
    impact = incident.impact if incident.impact in model.IMPACTS else "none"
    components = dict(incident.components)
    if kind != model.Kind.INCIDENT:
        components = dict.fromkeys(components)
    if kind == model.Kind.NOTICE:
        impact = "none"
    draft = incident.draft
    now = target.now or datetime.now(timezone.utc)
    if not draft and updates[-1].at > now + timedelta(days=1):
        draft = True
        notes.append("dated in the future: imported as a draft — check it, then remove 'draft: true'")
    return Prepared(
        incident,
        kind,
        impact,
        components,
        updates,
        postmortem,
        started_at,
        scheduled_for,
        scheduled_until,
        draft,
        notes,
    )


def _free_path(incidents_dir: Path, prepared: Prepared, taken: set[Path]) -> Path:
    # Named for the day it began; a maintenance for the day of its window, as `balise new` does.
    day = prepared.scheduled_for or prepared.started_at or prepared.updates[0].at
    first = path = incident_path(incidents_dir, day, prepared.source.title)
    counter = 2
    while path in taken or path.exists():
        path = first.with_name(f"{first.stem}-{counter}.md")
        counter += 1
    return path


def incident_file(imported: Imported, prepared: Prepared, component_ids: dict[str, str]) -> str:
    """The file's text, its checksum included."""
    incident = prepared.source
    lines = [
        "---",
        f"title: {_scalar(incident.title or incident.key)}",
        f"kind: {prepared.kind}",
        f"impact: {prepared.impact}",
    ]
    listed = [(component_ids[key], status) for key, status in prepared.components.items() if key in component_ids]
    for key in prepared.components:
        if key not in component_ids:
            prepared.notes.append(f"component '{key}' is named nowhere in the source's components: left out")
    if listed:
        lines.append("components:")
        lines += [f"  - {cid}: {status}" if status else f"  - {cid}" for cid, status in listed]
    for name, moment in (
        ("started_at", prepared.started_at),
        ("scheduled_for", prepared.scheduled_for),
        ("scheduled_until", prepared.scheduled_until),
    ):
        if moment is not None:
            lines.append(f"{name}: {format_time(moment)}")
    if prepared.draft:
        lines.append("draft: true")
    lines += ["imported_from:", f"  source: {_scalar(recorded(imported.source))}", f"  id: {_scalar(incident.key)}"]
    if safe_link(incident.url):
        lines.append(f"  url: {_scalar(safe_link(incident.url))}")
    lines += ["  checksum: ", "---", ""]
    text = "\n".join(lines) + "\n"
    text += "\n".join(format_update(u.at, u.status, u.message) for u in prepared.updates)
    if prepared.postmortem:
        text += f"\n## Postmortem\n\n{prepared.postmortem}\n"
    return _sealed(text)


def _sealed(text: str) -> str:
    """The text with its checksum: the digest of the text with an empty checksum."""
    digest = _digest(text)
    return text.replace("\n  checksum: \n", f"\n  checksum: sha256:{digest}\n", 1)


def recorded(source: str) -> str:
    """A source as the files record it: an address without its user, password, query or fragment
    (a private feed's token must not reach a public repository); a folder as given."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https") and parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        return urlunsplit((parts.scheme, parts.hostname + port, parts.path, "", ""))
    return source


def _scalar(value: str) -> str:
    """One YAML scalar on one line, quoted only when it must be."""
    dumped: str = yaml.dump(_one_line(value), Dumper=yaml.SafeDumper, allow_unicode=True, width=10_000)
    return dumped.removesuffix("\n...\n").strip()


def _imported_files(incidents_dir: Path) -> dict[str, Path]:
    """The original id of every file an earlier import wrote -> its path (renamed since, or not)."""
    found: dict[str, Path] = {}
    if not incidents_dir.is_dir():
        return found
    for path in sorted(incidents_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "imported_from:" not in text:
            continue
        parts = text.split("\n---", 1)
        try:
            front = yaml.load(parts[0].lstrip("\ufeff").lstrip().removeprefix("---"), Loader=ContentYamlLoader)
        except yaml.YAMLError:
            continue
        origin = front.get("imported_from") if isinstance(front, dict) else None
        if isinstance(origin, dict) and origin.get("id") is not None:
            found.setdefault(str(origin["id"]), path)
    return found
