"""What `balise check` warns the writer of, and what the public may see.

- `writer_warnings`: valid content that is probably a slip (an odd file name, a time mistyped, an
  impact on no component) or a promise not kept (an overdue next update): warnings, never errors.
- `publish`: the content as read → the `StatusPage` of one reference time (no drafts, nothing embargoed).

The errors that refuse content are the loaders' (`balise.content.loaders`). No MkDocs here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from balise.content.loaders import MAX_UPDATE_AHEAD, Content
from balise.content.model import Incident, Settings, StatusPage
from balise.content.yamlfile import content_names
from balise.errors import Collector
from balise.timeline import format_time


def publish(content: Content, settings: Settings) -> StatusPage:
    """What the public may see at the settings' reference time: no drafts, no embargoed items."""
    now = settings.reference_time
    visible = [i for i in content.incidents if i.is_published(now)]
    shown = content.transparency.published() if content.transparency is not None else None
    withdrawn = [i for i in content.withdrawn if i.is_published(now)]
    return StatusPage(settings, content.groups, content.components, visible, transparency=shown, withdrawn=withdrawn)


def writer_warnings(content: Content, incidents_dir: Path, zone: ZoneInfo, now: datetime, report: Collector) -> None:
    """Every warning for content without errors, at `now` (the writer's clock): see the module's docstring."""
    naming_slips(incidents_dir, report)
    timing_slips(content.incidents, zone, now, report)
    scope_slips(content.incidents, report)
    overdue_promises(content.incidents, now, report)


def overdue_promises(incidents: Iterable[Incident], now: datetime, report: Collector) -> None:
    """A warning for each published incident whose promised next update is overdue (`Incident.is_overdue`)."""
    for incident in incidents:
        promise = incident.promised_update(now)
        if incident.is_published(now) and promise is not None and incident.is_overdue(now):
            report.warning(
                incident.path,
                incident.latest.line,
                f"the next update was promised for {format_time(promise)} and is overdue — "
                f"post an update now: balise update {incident.id} --status ... --message ...",
            )


INCIDENT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9-]*$")


def naming_slips(directory: Path, report: Collector) -> None:
    """Warnings for incident files named so their URL is odd (another extension is an error:
    `load_incidents`)."""
    for name in content_names(directory):  # *.md
        if not INCIDENT_NAME.match(name.removesuffix(".md")):
            report.warning(
                directory / name,
                1,
                "incident files are named YYYY-MM-DD-short-name.md (lower case, dashes), "
                "e.g. 2026-11-21-paiements-indisponibles.md — the name is its permanent URL",
            )


def scope_slips(incidents: Iterable[Incident], report: Collector) -> None:
    """A warning for an incident with an impact but no component: it would change no status."""
    for incident in incidents:
        if incident.kind == "incident" and incident.impact != "none" and not incident.components:
            report.warning(
                incident.path,
                1,
                f"impact '{incident.impact}' but no component: no status on the page "
                "changes — list the affected services under 'components:'",
            )


def timing_slips(incidents: Iterable[Incident], zone: ZoneInfo, now: datetime, report: Collector) -> None:
    """Warnings for times that are valid but probably mistyped: in the future (and not so far that
    `future_updates` refuses them), or with the other season's offset of the site's zone (+02:00
    in winter in Paris)."""
    ahead, too_far = now + timedelta(minutes=5), now + MAX_UPDATE_AHEAD
    offsets: dict[int, set[timedelta | None]] = {}  # by year: the zone's winter and summer offsets
    for incident in incidents:
        for update in incident.updates:
            if update.at > ahead and (incident.draft or update.at <= too_far):
                report.warning(
                    incident.path,
                    update.line,
                    f"this update is dated {format_time(update.at)}, "
                    "in the future — check the year, month, day and hour",
                )
            year = update.at.year
            seasons = offsets.get(year)
            if seasons is None:
                seasons = offsets[year] = {datetime(year, month, 1, tzinfo=zone).utcoffset() for month in (1, 7)}
            if len(seasons) < 2 or update.at.utcoffset() not in seasons:
                continue
            local = update.at.astimezone(zone)
            if update.at.utcoffset() != local.utcoffset():
                right = format_time(local)
                report.warning(
                    incident.path,
                    update.line,
                    f"{format_time(update.at)} uses the other "
                    f"season's offset: in {zone.key} that is {right} — "
                    "check the hour and the offset",
                )
