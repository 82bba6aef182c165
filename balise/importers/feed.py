"""Any provider's history feed (Atom or RSS: Statuspage's /history.atom, Instatus, Better Stack,
incident.io, cState's RSS), through feedparser: one incident per entry, best effort.

Statuspage writes each update of an entry as a block `<small>Nov 21, 14:05 UTC</small><br>
<strong>Resolved</strong> - text`: those become updates; an entry without them is one update."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from balise.importers.records import Imported, Incident, SourceError, Update
from balise.importers.sources import Limits, is_address, read_address, read_path
from balise.timeline import ZONE_ABBREVIATIONS

MONTHS = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# One update block: a <small> time, then a <strong> status, then the text up to the next block.
BLOCK = re.compile(
    r"<small>(?P<when>.*?)</small>\s*(?:<br\s*/?>)?\s*<strong>(?P<status>.*?)</strong>\s*(?:[-–—:]\s*)?", re.S | re.I
)
WHEN = re.compile(
    r"(?P<month>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?\s*[,-]?\s*"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[AaPp][Mm])?\s*(?P<zone>[A-Za-z]{2,5}|[+-]\d{2}:?\d{2})?"
)
STATUS_WORDS = {
    "investigating": "investigating",
    "identified": "identified",
    "monitoring": "monitoring",
    "update": "",
    "resolved": "resolved",
    "postmortem": "resolved",
    "scheduled": "scheduled",
    "in progress": "in_progress",
    "verifying": "verifying",
    "completed": "completed",
}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
TAGS = re.compile(r"<[^>]+>")
EDGE_PARAGRAPHS = re.compile(r"^(?:\s*</?p>\s*)+|(?:\s*</?p>\s*)+$", re.I)
# Statuspage's maintenance window: "THIS IS A SCHEDULED EVENT Dec 5, 22:00 - Dec 6, 02:00 UTC".
WINDOW = re.compile(r"SCHEDULED EVENT(?P<start>.*?)\s[-–]\s(?P<end>.*?)(?:</strong>|</p>|$)", re.S | re.I)


def read(source: str, limits: Limits) -> Imported:
    import feedparser  # here, not at the top: every `balise` command would pay for its import

    data = read_address(source, limits) if is_address(source) else read_path(Path(source), limits)
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries and (parsed.get("bozo") or not parsed.feed.get("title")):
        problem = parsed.get("bozo_exception")
        raise SourceError(
            f"{source}: is not an RSS or Atom feed ({' '.join(str(problem or 'no entries').split())[:120]})"
        )
    imported = Imported("feed", source)
    imported.note("a feed does not say which components an incident affected: none are listed")
    for entry in parsed.entries:
        imported.incidents.append(_incident(entry))
    return imported


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                year, month, day, hour, minute, second = parsed[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
            except (TypeError, ValueError):
                continue
    return None


def _incident(entry: Any) -> Incident:
    key = str(entry.get("id") or entry.get("link") or entry.get("title"))
    incident = Incident(key, " ".join(TAGS.sub("", str(entry.get("title") or "")).split()) or key)
    incident.url = str(entry.get("link") or "")
    content = entry.get("content") or []
    body = str(content[0].get("value") if content else entry.get("summary") or "")
    published = _entry_time(entry)
    blocks = list(BLOCK.finditer(body))
    for index, block in enumerate(blocks):
        end = blocks[index + 1].start() if index + 1 < len(blocks) else len(body)
        at = _when(TAGS.sub("", block["when"]), published, incident)
        text = body[block.end() : end]
        word = " ".join(TAGS.sub("", block["status"]).split()).casefold()
        status = STATUS_WORDS.get(word)
        if at is None:
            continue
        if status is None:
            incident.notes.append(f"status '{word}' unknown: the update keeps the previous one")
            status = ""
        incident.updates.append(Update(at, status, _closed(text)))
    if not incident.updates:
        if published is None:
            incident.notes.append("no date in the entry: not imported")
            return incident
        incident.notes.append("no update blocks in the entry: one update, written 'resolved' (it is history)")
        incident.updates.append(Update(published, "resolved", body))
    incident.updates.sort(key=lambda u: u.at)
    previous = ""
    for index, update in enumerate(incident.updates):  # "Update" blocks carry on the status before them
        status = update.status or previous or "investigating"
        incident.updates[index] = Update(update.at, status, update.message)
        previous = status
    if {u.status for u in incident.updates} & MAINTENANCE_STATUSES:
        incident.kind = "maintenance"
        incident.updates = [_as_maintenance(u) for u in incident.updates]
        _window(body, published, incident)
    else:
        incident.notes.append("the feed gives no impact: written 'none'")
    return incident


def _window(body: str, published: datetime | None, incident: Incident) -> None:
    """The maintenance's window, from Statuspage's "THIS IS A SCHEDULED EVENT" line, if it has one."""
    window = WINDOW.search(body)
    if window is None:
        return
    start, end = TAGS.sub("", window["start"]).strip(), TAGS.sub("", window["end"]).strip()
    if not re.search(r"[A-Za-z]{3}\w*\.?\s+\d", end):  # "Dec 5, 22:00 - 23:00 UTC": the same day
        end = re.sub(r"\d{1,2}:\d{2}.*$", "", start).strip() + " " + end
    zone = re.search(r"[A-Za-z]{2,5}$", end)
    if zone and not re.search(r"[A-Za-z]{2,5}$", start):  # the zone is written once, at the end
        start += " " + zone[0]
    incident.scheduled_for = _when(start, published, incident)
    incident.scheduled_until = _when(end, published, incident)


def _as_maintenance(update: Update) -> Update:
    words = {
        "investigating": "in_progress",
        "identified": "in_progress",
        "monitoring": "verifying",
        "resolved": "completed",
    }
    return Update(update.at, words.get(update.status, update.status), update.message)


def _closed(html: str) -> str:
    """The HTML of a block as one paragraph, without the tags Statuspage wraps it in (`</p><p>`
    before the next one)."""
    return f"<p>{EDGE_PARAGRAPHS.sub('', html).strip()}</p>"


def _when(text: str, published: datetime | None, incident: Incident) -> datetime | None:
    """'Nov 21, 14:05 UTC' (Statuspage leaves the year out: the entry's, or the one before for a
    December update of a January entry)."""
    found = WHEN.search(" ".join(text.split()))
    month = MONTHS.get(found["month"][:3].lower()) if found else None
    if found is None or month is None:
        incident.notes.append(f"update time '{text.strip()}' unreadable: that update left out")
        return None
    hour = (
        int(found["hour"]) % 12 + (12 if (found["ampm"] or "").lower() == "pm" else 0)
        if found["ampm"]
        else int(found["hour"])
    )
    zone = _zone(found["zone"], incident)
    year = int(found["year"]) if found["year"] else (published.year if published else datetime.now(timezone.utc).year)
    if not found["year"] and published and month > published.month:
        year -= 1
    try:
        return datetime(year, month, int(found["day"]), hour, int(found["minute"]), tzinfo=zone)
    except ValueError:
        incident.notes.append(f"update time '{text.strip()}' is not a real date: that update left out")
        return None


def _zone(name: str | None, incident: Incident) -> timezone:
    if not name or name.upper() in ("UTC", "GMT", "Z"):
        return timezone.utc
    offset = name if name[0] in "+-" else ZONE_ABBREVIATIONS.get(name.lower())
    if offset is None:
        incident.notes.append(f"time zone '{name}' unknown: read as UTC")
        return timezone.utc
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return timezone(delta if offset[0] == "+" else -delta)
