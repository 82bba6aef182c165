"""Reading the files comms officers write, with a file and line for every problem.

Nothing here imports MkDocs: the loaders turn `status/` and `incidents/` into the model of
`balise.content.model`, collecting every problem (not just the first) in a `Collector`. Files and
YAML are read by `yamlfile`, fields checked by `fields`; what `balise check` only warns of, and
what is published, is `publishing`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from balise.content import model
from balise.content.fields import ID_PATTERN, Fields, as_word, did_you_mean, slug, unknown_component
from balise.content.messages import check_sanitised
from balise.content.playbooks import PLACEHOLDER, placeholder_message, placeholders_in
from balise.content.transparency import Transparency
from balise.content.vocabulary import suggest_component_status, suggest_impact, unknown_status
from balise.content.yamlfile import Located, child_path, content_names, parse_yaml, read_front_matter, read_text
from balise.errors import Collector
from balise.i18n import find_status
from balise.timeline import TimeError, format_time, parse_body, parse_time

# What the loaders offer. The CLI still reads five names from here (`loaders.Fields`, `Located`,
# `PLACEHOLDER`, `placeholders_in`, `unknown_status`) until it imports them from their own modules.
__all__ = [
    "INCIDENT_FIELDS",
    "MAX_PROMISE_AHEAD",
    "MAX_UPDATE_AHEAD",
    "PLACEHOLDER",
    "Content",
    "Fields",
    "Located",
    "future_updates",
    "load_components",
    "load_content",
    "load_incident",
    "load_incidents",
    "placeholders_in",
    "unknown_status",
]


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
    known = ("id", "name", "description", "group", "order", "uptime_target")
    for item in _entries(located, "components", known, path, report):
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
                id=item["id"],
                name=item["name"],
                description=item["description"],
                group=group,
                order=item["order"],
                uptime_target=_uptime_target(item),
            )
        )
    if not components and not report.errors:
        report.error(path, 1, "no components — list at least one under 'components:'")
    order = {c.id: index for index, c in enumerate(components)}
    components.sort(key=lambda c: (c.order, order[c.id]))
    groups.sort(key=lambda g: g.order)
    return groups, components


def _uptime_target(item: dict[str, Any]) -> float | None:
    """A component's `uptime_target`, a percentage such as 99.9 (the transparency page holds measured uptime to it)."""
    text = item["uptime_target"].rstrip("% ")
    if not text:
        return None
    try:
        target = float(text)
    except ValueError:
        target = -1.0
    if not 0 < target <= 100:
        item["_fields"].error(
            "uptime_target", f"'uptime_target: {item['uptime_target']}' is a percentage — e.g. 'uptime_target: 99.9'"
        )
        return None
    return target


def _entries(located: Located, key: str, known: tuple[str, ...], path: Path, report: Collector) -> list[dict[str, Any]]:
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
            suggestion = slug(entry["id"], "paiements-en-ligne")
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
    "imported_from",
    "withdrawn",
    "related",
)
# Written by `balise import`: where the incident was published before (the old address, for redirects).
IMPORTED_FROM_FIELDS = ("source", "id", "url", "checksum")
WITHDRAWAL_FIELDS = ("update", "at", "reason")  # not "on:", which YAML reads as true


def load_incident(
    path: Path,
    component_ids: Collection[str] | None,
    report: Collector,
    text: str | None = None,
    zone: tzinfo | None = None,
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
        suggestion = slug(incident_id, "2026-11-21-incident")
        report.error(path, 1, f"file name '{path.name}' is not a valid id — rename it '{suggestion}.md'")
    kind = fields.choice("kind", model.KINDS, default=model.Kind.INCIDENT) or model.Kind.INCIDENT
    impact_default = None if kind == model.Kind.INCIDENT else model.Impact.NONE
    is_maintenance = kind == model.Kind.MAINTENANCE
    # The front matter first: the timeline is checked against it (its start, its window).
    front = model.Incident(
        id=incident_id,
        title=fields.text("title", required=True),
        kind=kind,
        impact=fields.choice("impact", model.IMPACTS, default=impact_default, suggest=suggest_impact)
        or model.Impact.NONE,
        components=_incident_components(located, fields, component_ids, path, report),
        draft=fields.boolean("draft"),
        publish_at=fields.time("publish_at"),
        next_update=fields.time("next_update"),
        spokesperson=fields.text("spokesperson"),
        postmortem=fields.text("postmortem"),
        scheduled_for=fields.time("scheduled_for", required=is_maintenance),
        scheduled_until=fields.time("scheduled_until", required=is_maintenance),
        began_at=fields.time("started_at"),
        path=str(path),
        withdrawals=_withdrawals(located, fields, path, report, zone),
        related=_related(located, fields, incident_id, path, report),
    )
    _check_imported_from(located, path, report)
    if front.scheduled_for and front.scheduled_until and front.scheduled_until <= front.scheduled_for:
        fields.error("scheduled_until", "'scheduled_until' must be after 'scheduled_for' — check both times")
    if kind == model.Kind.NOTICE:  # a notice informs; it changes no component's status
        if front.impact != model.Impact.NONE:
            fields.error(
                "impact",
                f"a notice changes no component, so it has no impact — remove "
                f"'impact: {front.impact}', or make it 'kind: incident'",
            )
        for component, status in front.components.items():
            if status is not None:
                report.error(
                    path,
                    located.line("components"),
                    f"a notice changes no component — write "
                    f"'- {component}' without ': {status}', or make it 'kind: incident'",
                )
    incident = _with_timeline(front, body_text, body_line, path, report, zone)
    _check_withdrawn(incident, path, report)
    if incident.next_update and incident.updates:  # the front matter's promise, after the latest update
        latest = max(update.at for update in incident.updates)
        _check_promise_horizon(incident, latest, incident.next_update, path, fields.line("next_update"), report)
    if not incident.draft:  # a half-filled playbook is never published
        for line, found in placeholders_in(text):
            report.error(path, line, placeholder_message(found))
    return incident if len(report.errors) == before else None


def _check_imported_from(located: Located, path: Path, report: Collector) -> None:
    origin = located.data.get("imported_from")
    if origin is None:
        return
    if not isinstance(origin, dict):
        report.error(
            path,
            located.line("imported_from"),
            "'imported_from' is written by balise import: fields 'source:', 'id:' and 'url:' below it — "
            "restore them, or remove 'imported_from' and what is below it",
        )
        return
    fields = Fields(located, origin, ("imported_from",), path, report)
    fields.check_known(IMPORTED_FROM_FIELDS)
    for name in IMPORTED_FROM_FIELDS:
        fields.text(name)


def _withdrawals(
    located: Located, fields: Fields, path: Path, report: Collector, zone: tzinfo | None
) -> tuple[model.Withdrawal, ...]:
    """`withdrawn:`: the statements taken back, each with when and why (`balise withdraw` writes it)."""
    raw = located.data.get("withdrawn")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        fields.error(
            "withdrawn",
            "'withdrawn' must be a list of entries '- update: …' with 'at:' and 'reason:' — balise withdraw writes it",
        )
        return ()
    found: list[model.Withdrawal] = []
    for index, item in enumerate(raw):
        where = ("withdrawn", index)
        if not isinstance(item, dict):
            report.error(path, located.line(*where), "each entry of 'withdrawn' needs 'at:' and 'reason:' fields")
            continue
        entry = Fields(located, item, where, path, report, zone)
        entry.check_known(WITHDRAWAL_FIELDS)
        on, reason, update = entry.time("at", required=True), entry.text("reason", required=True), entry.time("update")
        if update is not None and on is not None and on < update:
            entry.error("at", "an update is withdrawn after it was published — check 'at:' and 'update:'")
        if on is not None and reason:
            found.append(model.Withdrawal(on=on, reason=reason, update=update, line=entry.line()))
    updates = [w.update for w in found if w.update is not None]
    if len(set(updates)) < len(updates) or sum(1 for w in found if w.update is None) > 1:
        fields.error("withdrawn", "the same statement is withdrawn twice — keep one entry for it")
    return tuple(sorted(found, key=lambda w: (w.update is None, w.update or w.on)))


def _related(located: Located, fields: Fields, incident_id: str, path: Path, report: Collector) -> tuple[str, ...]:
    """`related:`: the ids of related incidents (their file names), checked to exist by `load_content`."""
    raw = located.data.get("related")
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        fields.error("related", "'related' must be a list of incident ids — one '- 2026-11-21-name' per line")
        return ()
    found: list[str] = []
    for index, item in enumerate(items):
        line = located.line("related", index) if isinstance(raw, list) else fields.line("related")
        name = str(item).strip().removesuffix(".md")
        if not ID_PATTERN.match(name) or name == incident_id:
            report.error(path, line, f"'{item}' is not another incident's id — write its file name without '.md'")
        elif name not in found:
            found.append(name)
    return tuple(found)


def _check_withdrawn(incident: model.Incident, path: Path, report: Collector) -> None:
    """A withdrawn statement's words are gone from the file: only the record of its withdrawal stays."""
    times = {update.at: update for update in incident.updates}
    for withdrawal in incident.withdrawn_updates:
        still = times.get(withdrawal.update) if withdrawal.update is not None else None
        if still is not None:
            report.error(
                path,
                still.line,
                f"this update is withdrawn (line {withdrawal.line}) but still in the file — remove its section, "
                "or remove its 'withdrawn:' entry to publish it again",
            )
    if incident.withdrawn is not None and incident.updates:
        report.error(
            path,
            incident.updates[0].line,
            f"this incident is withdrawn (line {incident.withdrawn.line}), so its updates are not shown — remove "
            "them from the file, or remove the 'withdrawn:' entry without 'update:' to publish it again",
        )


def _incident_components(
    located: Located, fields: Fields, component_ids: Collection[str] | None, path: Path, report: Collector
) -> dict[str, model.ComponentStatus | None]:
    raw = located.data.get("components")
    if raw is None:
        return {}
    entries: list[tuple[Any, Any, tuple[Any, ...]]] = []
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
    result: dict[str, model.ComponentStatus | None] = {}
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
        if problem := unknown_component(key, component_ids):
            report.error(path, line, problem)
            continue
        explicit = None
        if status is not None:
            normalised = as_word(status)
            if normalised not in model.COMPONENT_STATUSES:
                report.error(path, line, f"'{status}' is not a component status — {suggest_component_status(status)}")
                continue
            explicit = model.ComponentStatus(normalised)
        result[key] = explicit
    return result


# A promise further ahead than this is a typo (a year, a month): even a long investigation tells
# the public where it stands within a month. A maintenance may promise its next word for the
# start of a window announced months ahead: up to a day after its end.
MAX_PROMISE_AHEAD = timedelta(days=31)


def _with_timeline(
    front: model.Incident, body_text: str, body_line: int, path: Path, report: Collector, zone: tzinfo | None = None
) -> model.Incident:
    """The incident of the front matter `front`, with the timeline (and postmortem) of its body."""
    raw = parse_body(body_text, body_line)
    for line, message in raw.problems:
        report.error(path, line, message)
    for line, message in raw.warnings:
        report.warning(path, line, message)
    postmortem = front.postmortem
    if raw.postmortem:
        if front.postmortem:
            report.error(
                path, raw.postmortem_line, "the postmortem is given twice (front matter and '## Postmortem') — keep one"
            )
        postmortem = raw.postmortem
        check_sanitised(raw.postmortem, path, raw.postmortem_line, report, "postmortem")
    allowed = model.statuses_for(front.kind)
    updates: list[model.Update] = []
    for item in raw.updates:
        try:
            at = parse_time(item.when, hint_zone=zone)
        except TimeError as error:
            report.error(path, item.line, f"update time: {error}")
            continue
        status = find_status(item.status, allowed)
        if status is None:
            report.error(path, item.line, unknown_status(item.status, front.kind))
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
                _check_promise_horizon(front, at, promise, path, item.next_update_line, report)
        if front.began_at and at < front.began_at:
            report.error(
                path, item.line, "this update is before the incident started ('started_at') — fix one of the two times"
            )
        updates.append(model.Update(at=at, status=status, message=item.message, line=item.line, next_update=promise))
    _check_order(updates, allowed, front.kind, path, report)
    if not raw.updates and not raw.problems and front.withdrawn is None:
        report.error(
            path,
            body_line,
            "no update yet — add one after the front matter: '## 2026-11-21 14:05 +01:00 — investigating' and a message",
        )
    return replace(front, updates=tuple(updates), postmortem=postmortem)


def _check_order(
    updates: list[model.Update], allowed: tuple[model.UpdateStatus, ...], kind: str, path: Path, report: Collector
) -> None:
    """Updates oldest first; after a closing one, only an update that reopens it."""
    misplaced = set()
    for line, message, inserted in _order_problems(updates, allowed):
        report.error(path, line, message)
        if inserted:
            misplaced.add(line)
    closed_at_line = 0
    for update in updates:
        if update.line in misplaced:  # a closing update inserted at the top closes nothing above it
            continue
        closing = update.status in model.CLOSING_STATUSES
        if closing and closed_at_line:
            report.error(
                path,
                update.line,
                f"this update closes the {kind} again, already closed on line {closed_at_line} — "
                "give it the status it reopens with (e.g. investigating), or add follow-ups to the postmortem",
            )
        # A later update that does not close it reopens it (the page says so).
        closed_at_line = (closed_at_line or update.line) if closing else 0


def _check_promise_horizon(
    incident: model.Incident, at: datetime, promise: datetime, path: Path, line: int, report: Collector
) -> None:
    limit = at + MAX_PROMISE_AHEAD
    if incident.kind == model.Kind.MAINTENANCE and incident.scheduled_until:
        limit = max(limit, incident.scheduled_until + timedelta(days=1))
    if promise > limit:
        report.error(
            path,
            line,
            f"the next update is promised for {format_time(promise)}, "
            f"{(promise - at).days} days after its update — check the year, month and day "
            f"(a promise is at most {MAX_PROMISE_AHEAD.days} days ahead)",
        )


def _order_problems(
    updates: list[model.Update], progress: tuple[model.UpdateStatus, ...]
) -> list[tuple[int, str, bool]]:
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


def load_incidents(
    directory: Path,
    component_ids: Collection[str] | None,
    report: Collector,
    zone: tzinfo | None = None,
    load_file: IncidentLoader | None = None,
) -> list[model.Incident]:
    """Every incident file of a folder (see `content_files`), newest first. Any other file there is
    an error: 'panne.txt' or 'panne.MD' would silently publish nothing."""
    incidents = []
    for name in content_names(directory, markdown_only=False):
        if not name.endswith(".md"):
            report.error(
                directory / name,
                1,
                f"incident files end in .md, so this one would never be published — rename it "
                f"{_as_markdown(name)}, or start its name with '_' to keep it as a note",
            )
            continue
        path = child_path(directory, name)
        if load_file is None:
            incident = load_incident(Path(path), component_ids, report, zone=zone)
        else:
            incident = load_file(path, component_ids, report, zone)
        if incident is not None and (incident.updates or incident.withdrawn is not None):
            incidents.append(incident)
    # By timestamps: aware times of different offsets compare slowly, 20,000 of them sorted.
    incidents.sort(key=lambda i: ((i.started_at if i.updates else i.withdrawals[0].on).timestamp(), i.id), reverse=True)
    return incidents


def _as_markdown(name: str) -> str:
    """'panne.txt' -> 'panne.md', 'panne.md.txt' -> 'panne.md', 'panne.MD' -> 'panne.md'."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem[:-3] if stem.lower().endswith(".md") else stem) + ".md"


# An update's time is when it was written: a few minutes ahead is a clock or a rounding, hours
# ahead a wrong offset or hour (a warning from `balise check`), more than a day ahead a wrong day,
# month or year — which, once published, would also make every later update look out of order.
MAX_UPDATE_AHEAD = timedelta(days=1)


def future_updates(incidents: list[model.Incident], now: datetime, report: Collector) -> None:
    """Errors for updates dated more than `MAX_UPDATE_AHEAD` after `now` (the build's reference time).
    A draft is still being written; an embargoed item may be dated for its publication."""
    limit = now + MAX_UPDATE_AHEAD
    for incident in incidents:
        if incident.draft or not incident.updates:
            continue
        written_by = (
            limit
            if incident.publish_at is None or incident.publish_at <= now
            else incident.publish_at + MAX_UPDATE_AHEAD
        )
        if max(update.at for update in incident.updates) <= written_by:
            continue
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


@dataclass(frozen=True)
class Content:
    """Everything read from a site's folders, before filtering by publication (`publishing.publish`)."""

    groups: list[model.ComponentGroup]
    components: list[model.Component]
    incidents: list[model.Incident]
    transparency: Transparency | None = None  # as read (`balise.transparency.loaders`)
    withdrawn: list[model.Incident] = field(default_factory=list)  # withdrawn whole: no update left to show


# How one incident file is read: `load_incident`, or a cache of its results (balise.pipeline.cache).
# Given the file's path as text (`child_path`).
IncidentLoader = Callable[[str, "Collection[str] | None", Collector, "tzinfo | None"], "model.Incident | None"]


def load_content(
    status_dir: Path,
    incidents_dir: Path,
    report: Collector,
    settings: model.Settings | None = None,
    load_file: IncidentLoader | None = None,
) -> Content:
    """The site's content; with `settings`, hints use the site's zone and updates far ahead of the
    build's reference time are refused. `load_file` reads each incident file (`load_incident`)."""
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
    zone = settings.timezone if settings else None
    found = load_incidents(incidents_dir, component_ids, report, zone, load_file)
    incidents = [i for i in found if i.withdrawn is None]
    if settings is not None:
        future_updates(incidents, settings.latest_writing_time, report)
    return Content(groups, components, incidents, withdrawn=[i for i in found if i.withdrawn is not None])


def unknown_related(incidents: list[model.Incident], report: Collector) -> None:
    """Each `related:` id names an incident file of the folder, or one it was renamed from (once git
    history has told `model.Incident.former_ids`)."""
    ids = sorted(i.id for i in incidents)
    known = set(ids) | {former for i in incidents for former in i.former_ids}
    for incident in incidents:
        for other in incident.related:
            if other not in known:
                report.error(
                    incident.path,
                    _related_line(incident, other),
                    f"no incident '{other}' to relate to — {did_you_mean(other, [i for i in ids if i != incident.id])}",
                )


def _related_line(incident: model.Incident, other: str) -> int:
    """The line naming `other` under `related:`, found in the file (the model keeps ids, not lines)."""
    try:
        lines = Path(incident.path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((number for number, line in enumerate(lines, 1) if other in line and not line.startswith("#")), 1)
