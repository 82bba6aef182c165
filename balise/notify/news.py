"""What is news at one moment, in the content the public sees then (`StatusPage`: no draft, nothing
embargoed): each update, each postmortem, each correction of an update (an amendment read from git),
each withdrawal (of an update, or of a whole incident: `withdrawn:` in its front matter), and each
maintenance reminder whose moment has come while the window has not opened yet.

Every event has a key that never changes (the ledger's), and the moment it became news by itself:
an update's time, or its embargo's end (`publish_at`), a postmortem's first public version, a
correction's commit, a withdrawal's date, a reminder's time. `run` compares that moment, and the
last run's, to `max_age`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from balise.content.model import Amendment, Incident, MaintenanceStatus, StatusPage, Update, Withdrawal

DEFAULT_REMINDERS = (timedelta(hours=24), timedelta(hours=1))


@dataclass(frozen=True)
class Event:
    key: str
    kind: str  # "update", "component", "postmortem", "correction", "withdrawal" or "reminder"
    incident: Incident
    update: Update | None  # the update announced or corrected; None for a postmortem, a withdrawal, a reminder
    moment: datetime
    amendment: Amendment | None = None
    before: timedelta | None = None  # a reminder's delay before the window opens
    # A postmortem is dated by git, and a history imported in one commit dates them all by it: on a
    # channel's first run, the content's own dating (its incident's last update) bounds it.
    written: datetime | None = None
    component: str = ""  # a component's change: its id
    old_status: str = ""
    new_status: str = ""
    withdrawal: Withdrawal | None = None  # a withdrawal's record: what was taken back, when and why


def update_key(incident: Incident, anchor: str) -> str:
    """The key of an update's event (and so of its delivery ids), by its anchor."""
    return f"update:{incident.id}:{anchor}"


def events(page: StatusPage, reminders: Sequence[timedelta] = DEFAULT_REMINDERS) -> list[Event]:
    """Every event of the published content at the page's moment, oldest first."""
    found = [event for incident in page.incidents for event in _of(incident, page.now, reminders)]
    found += [event for incident in [*page.incidents, *page.withdrawn] for event in _withdrawals(incident, page.now)]
    # An update before the component changes it makes, as Statuspage sends them.
    return sorted(found, key=lambda event: (event.moment, event.kind == "component", event.key))


def _of(incident: Incident, now: datetime, reminders: Sequence[timedelta]) -> Iterator[Event]:
    public = incident.publish_at
    for update in incident.updates:
        if update.at > now:  # a maintenance's updates may be written ahead: news once their time comes
            continue
        moment = max(update.at, public) if public else update.at
        yield Event(update_key(incident, update.anchor), "update", incident, update, moment)
        yield from _component_changes(incident, update, moment)
        for amendment in update.amendments:
            yield Event(
                f"correction:{incident.id}:{update.anchor}:{amendment.commit[:12]}",
                "correction",
                incident,
                update,
                amendment.at,
                amendment,
            )
    if incident.postmortem and incident.postmortem_at:
        written = max(incident.latest.at, public) if public else incident.latest.at
        yield Event(f"postmortem:{incident.id}", "postmortem", incident, None, incident.postmortem_at, written=written)
    start = incident.scheduled_for
    if incident.is_maintenance and start and incident.maintenance_phase(now) == "upcoming":
        if incident.status != MaintenanceStatus.SCHEDULED:
            return
        for before in reminders:
            moment = start - before
            if moment <= now < start:
                key = f"reminder:{incident.id}:{start.isoformat()}:{int(before.total_seconds()) // 60}"
                yield Event(key, "reminder", incident, None, moment, before=before)


def _withdrawals(incident: Incident, now: datetime) -> Iterator[Event]:
    """Each statement taken back: the withdrawn update's own event is gone with its words, and this
    one, under a key of its own, says only when it was published, withdrawn, and why."""
    for withdrawal in incident.withdrawals:
        if withdrawal.on > now:
            continue
        target = withdrawal.anchor if withdrawal.update is not None else "incident"
        key = f"withdrawal:{incident.id}:{target}"
        yield Event(key, "withdrawal", incident, None, withdrawal.on, withdrawal=withdrawal)


def _component_changes(incident: Incident, update: Update, moment: datetime) -> Iterator[Event]:
    """The components an incident's first update takes out of `operational`, and its closing
    update puts back (Statuspage's component webhooks; the API's `affected_components`)."""
    closing = update is incident.latest and incident.is_closed
    if incident.is_maintenance or not (update is incident.first or closing):
        return
    for component in incident.components:
        status = incident.component_status(component)
        old, new = (status, "operational") if closing else ("operational", status)
        key = f"component:{incident.id}:{update.anchor}:{component}"
        yield Event(key, "component", incident, update, moment, component=component, old_status=old, new_status=new)
