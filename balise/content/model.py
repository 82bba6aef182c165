"""The typed content model: components, incidents and their timelines, and what derives from them.

Pure data and rules, no I/O and no MkDocs: loaders build these objects, the page layer,
feeds and API read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from balise.content.transparency import Transparency

# The words of the content. Each is a `str` (json, Jinja and `==` with text treat it as its value);
# `yaml.safe_dump` does not: write `str(word)`.


class Kind(StrEnum):
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"
    NOTICE = "notice"


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class IncidentStatus(StrEnum):
    """An incident's or a notice's update, in the order an incident progresses."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceStatus(StrEnum):
    """A maintenance's update, in the order a maintenance progresses."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


UpdateStatus = IncidentStatus | MaintenanceStatus
CLOSING_STATUSES = (IncidentStatus.RESOLVED, MaintenanceStatus.COMPLETED)
# An enum member looked up on its class costs 0.4 µs, and `is_maintenance` is asked 200,000 times
# in a rebuild of 20,000 incidents: the member is looked up once, here.
_MAINTENANCE = Kind.MAINTENANCE


class ComponentStatus(StrEnum):
    """Statuspage's component vocabulary, from best to worst: the worst one wins."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"


# The same words as tuples, in order, for who lists or indexes them.
KINDS = tuple(Kind)
IMPACTS = tuple(Impact)
INCIDENT_STATUSES = tuple(IncidentStatus)
MAINTENANCE_STATUSES = tuple(MaintenanceStatus)
COMPONENT_STATUSES = tuple(ComponentStatus)
IMPACT_TO_COMPONENT_STATUS = {
    Impact.NONE: ComponentStatus.OPERATIONAL,
    Impact.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Impact.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Impact.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
}
# Statuspage's page indicator for the worst component status.
COMPONENT_STATUS_TO_INDICATOR = {
    ComponentStatus.OPERATIONAL: "none",
    ComponentStatus.UNDER_MAINTENANCE: "maintenance",
    ComponentStatus.DEGRADED_PERFORMANCE: "minor",
    ComponentStatus.PARTIAL_OUTAGE: "major",
    ComponentStatus.MAJOR_OUTAGE: "critical",
}


def statuses_for(kind: str) -> tuple[UpdateStatus, ...]:
    return MAINTENANCE_STATUSES if kind == Kind.MAINTENANCE else INCIDENT_STATUSES


def worst(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    return max(statuses, key=COMPONENT_STATUSES.index, default=ComponentStatus.OPERATIONAL)


@dataclass(frozen=True)
class Settings:
    """What the site's configuration tells the content layer."""

    timezone: ZoneInfo
    language: str = "fr"
    site_url: str = ""
    site_name: str = "Statut"
    now: datetime | None = None  # the build's reference time (aware); None means "now"
    commit: str | None = None  # the content's git commit (full SHA), None outside git
    commit_time: datetime | None = None
    # When `as_of` pins the moment shown (a demo), writers still date updates by the clock: this is
    # then the clock, so an update written today is not "ahead" of the page's moment.
    written_by: datetime | None = None
    # Announced by the feeds (`balise notify` pings it when they change), and the public ways to
    # follow the site the Subscribe page lists, (name, address) pairs: both from the plugin's options.
    websub_hub: str = ""
    follow_links: tuple[tuple[str, str], ...] = ()

    @property
    def reference_time(self) -> datetime:
        return self.now or datetime.now(timezone.utc).replace(microsecond=0)

    @property
    def latest_writing_time(self) -> datetime:
        """The latest moment the content can have been written: updates dated after it are ahead."""
        return max(self.written_by, self.reference_time) if self.written_by else self.reference_time


@dataclass(frozen=True)
class ComponentGroup:
    id: str
    name: str
    description: str = ""
    order: int = 0


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str = ""
    group: str | None = None
    order: int = 0
    uptime_target: float | None = None  # percent, held against measured uptime (transparency page)


@dataclass(frozen=True)
class Amendment:
    """A published update's wording changed by a later commit: when, in which commit, and the text before."""

    at: datetime  # the time of the commit that changed the wording
    commit: str
    earlier_message: str
    earlier_status: UpdateStatus | None = None  # the status as it was, when the correction changed it
    earlier_next_update: datetime | None = None  # the promise as it was, when the correction changed it
    earlier_at: datetime | None = None  # the update's time as it was, when the correction changed it


@dataclass(frozen=True)
class Withdrawal:
    """A published statement taken back on purpose: the fact stays public, its words do not.

    `update` is the time of the withdrawn update (its anchor); None withdraws the whole incident."""

    on: datetime  # when it was withdrawn
    reason: str
    update: datetime | None = None
    line: int = 0  # of its entry in the front matter

    @cached_property
    def anchor(self) -> str:
        """The withdrawn update's own anchor, so links to it still land in its place."""
        moment = self.update or self.on
        return "update-" + moment.astimezone(timezone.utc).strftime("%Y%m%dt%H%M%Sz")


@dataclass(frozen=True)
class Update:
    """One public statement in an incident's timeline."""

    at: datetime
    status: UpdateStatus
    message: str  # Markdown, as written
    line: int = 0  # line of its heading in the source file
    next_update: datetime | None = None  # the update it promises, if any
    amendments: tuple[Amendment, ...] = ()  # oldest first, from git history (`history.read_record`)

    @property
    def last_modified(self) -> datetime:
        """When this statement last changed: its own time, or its latest amendment's (Atom's `updated`)."""
        return self.amendments[-1].at if self.amendments else self.at

    @cached_property
    def anchor(self) -> str:
        """A stable fragment id: the update's UTC time, unique within an incident."""
        return "update-" + self.at.astimezone(timezone.utc).strftime("%Y%m%dt%H%M%Sz")

    @property
    def first_at(self) -> datetime:
        """The time it was first published with: a corrected time keeps its feed and API ids."""
        return next((a.earlier_at for a in self.amendments if a.earlier_at is not None), self.at)

    @property
    def permanent_anchor(self) -> str:
        """The anchor of `first_at`: what feed and API ids are made of."""
        return "update-" + self.first_at.astimezone(timezone.utc).strftime("%Y%m%dt%H%M%Sz")


@dataclass(frozen=True)
class Incident:
    """An incident, a maintenance or a notice, with its timeline (oldest update first)."""

    id: str
    title: str
    kind: Kind = Kind.INCIDENT
    impact: Impact = Impact.NONE
    # component id -> explicit status given by the writer, or None to derive it from the impact
    components: dict[str, ComponentStatus | None] = field(default_factory=dict)
    updates: tuple[Update, ...] = ()
    draft: bool = False
    publish_at: datetime | None = None
    next_update: datetime | None = None  # front matter promise, if written there
    spokesperson: str = ""
    postmortem: str = ""  # Markdown
    postmortem_at: datetime | None = None  # when the postmortem was first public (from git history), else None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    began_at: datetime | None = None  # when the disruption began, if before the first update
    path: str = ""
    withdrawals: tuple[Withdrawal, ...] = ()  # statements taken back (front matter `withdrawn:`), oldest first
    related: tuple[str, ...] = ()  # ids of related incidents (front matter `related:`)
    former_ids: tuple[str, ...] = ()  # the ids it was published under before a rename (git history), oldest first

    # -- identity --------------------------------------------------------------
    @property
    def permanent_id(self) -> str:
        """The id it was first published under: feed, API and calendar ids keep it across a rename."""
        return self.former_ids[0] if self.former_ids else self.id

    @property
    def withdrawn(self) -> Withdrawal | None:
        """The withdrawal of the whole incident, if it was withdrawn."""
        return next((w for w in self.withdrawals if w.update is None), None)

    @property
    def withdrawn_updates(self) -> tuple[Withdrawal, ...]:
        return tuple(w for w in self.withdrawals if w.update is not None)

    # -- timeline --------------------------------------------------------------
    @property
    def is_maintenance(self) -> bool:
        return self.kind == _MAINTENANCE

    @property
    def first(self) -> Update:
        return self.updates[0]

    @property
    def latest(self) -> Update:
        return self.updates[-1]

    @property
    def status(self) -> UpdateStatus:
        return self.updates[-1].status

    @property
    def created_at(self) -> datetime:
        return self.first.at

    @property
    def updated_at(self) -> datetime:
        return self.latest.at

    @property
    def started_at(self) -> datetime:
        """When the disruption began: the window's start for maintenance, else the first update."""
        if self.is_maintenance and self.scheduled_for:
            return self.scheduled_for
        return self.began_at or self.first.at

    @property
    def is_closed(self) -> bool:
        return self.updates[-1].status in CLOSING_STATUSES

    @property
    def resolved_at(self) -> datetime | None:
        return self.latest.at if self.is_closed else None

    def ended_at(self, now: datetime) -> datetime | None:
        """When the disruption ended, if it has (a maintenance window also ends by the clock)."""
        if self.is_closed:
            return self.latest.at
        if self.is_maintenance and self.maintenance_phase(now) == "completed":
            return self.scheduled_until
        return None

    def duration(self, now: datetime) -> timedelta:
        """How long it lasted (so far); a reopened incident, the time it was open (`open_spans`)."""
        if self.reopening_times and not self.is_maintenance:
            return sum((end - start for start, end in self.open_spans(now)), timedelta(0))
        end = self.ended_at(now) or now
        return max(end - self.started_at, timedelta(0))

    @property
    def updates_newest_first(self) -> list[Update]:
        return list(self.updates[::-1])

    @property
    def timeline_newest_first(self) -> list[Update | Withdrawal]:
        """Its updates and, in their place, the withdrawn ones: the page shows both."""
        entries: list[Update | Withdrawal] = [*self.updates, *self.withdrawn_updates]
        return sorted(
            entries, key=lambda entry: entry.at if isinstance(entry, Update) else entry.update or entry.on, reverse=True
        )

    def change_span(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The first and the latest time its public record changed by `now`: an update written or
        corrected (`last_modified`), a maintenance window opening or closing; None if nothing yet."""
        updates, maintenance = self.updates, self.kind == _MAINTENANCE
        if updates and updates[-1].at <= now:  # every update (they are oldest first: the loader sees to it)
            if not self.has_amendments:
                if not maintenance:
                    return updates[0].at, updates[-1].at
                moments = [updates[0].at, updates[-1].at]
            else:
                moments = [u.last_modified for u in updates]
        else:
            moments = [u.last_modified for u in updates if u.at <= now]
        if maintenance:
            moments += [m for m in (self.scheduled_for, self.scheduled_until) if m and m <= now]
        return (min(moments), max(moments)) if moments else None

    @property
    def last_changed(self) -> datetime:
        """When it last changed in public: an update written or corrected, or a withdrawal."""
        if not self.withdrawals and not self.has_amendments:
            return self.latest.at  # updates are oldest first (the loader refuses any other order)
        return max([u.last_modified for u in self.updates] + [w.on for w in self.withdrawals])

    @property
    def has_amendments(self) -> bool:
        """Was any of its updates corrected after it was published?"""
        for update in self.updates:  # noqa: SIM110 — a loop, not any(): 1.2 µs against 2.0, for every incident at every build
            if update.amendments:
                return True
        return False

    # -- reopening -------------------------------------------------------------
    @cached_property
    def reopening_times(self) -> frozenset[datetime]:
        """The times of the updates that reopened it: an update that follows a closing one and does not close it."""
        return frozenset(
            later.at
            for earlier, later in zip(self.updates, self.updates[1:], strict=False)
            if earlier.status in CLOSING_STATUSES and later.status not in CLOSING_STATUSES
        )

    def reopens(self, update: Update) -> bool:
        return update.at in self.reopening_times

    def open_spans(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """When it was open: from its start to its first closing, from each reopening to the next
        closing (or `now`, while open again)."""
        spans: list[tuple[datetime, datetime]] = []
        start: datetime | None = self.started_at
        for update in self.updates:
            if start is None and update.status not in CLOSING_STATUSES:
                start = update.at
            elif start is not None and update.status in CLOSING_STATUSES:
                spans.append((start, max(update.at, start)))
                start = None
        if start is not None:
            spans.append((start, max(now, start)))
        return spans

    # -- state at a given time -------------------------------------------------
    def is_published(self, now: datetime) -> bool:
        return not self.draft and (self.publish_at is None or self.publish_at <= now)

    def maintenance_phase(self, now: datetime) -> str:
        """upcoming, active or completed. A window that has passed completes by itself,
        unless the writer says the work is still going on."""
        status = self.status
        if status == "completed":
            return "completed"
        if status in ("in_progress", "verifying"):
            return "active"
        start, end = self.scheduled_for, self.scheduled_until
        if start and now < start:
            return "upcoming"
        if end and now >= end:
            return "completed"
        return "active"

    def status_at(self, now: datetime) -> UpdateStatus:
        """The status to show: the latest update's, except that a maintenance window moves by the
        clock (`scheduled` shows as `in_progress` once it opens, and `completed` once it has passed)."""
        if self.is_maintenance:
            phase = self.maintenance_phase(now)
            if phase == "completed":
                return MaintenanceStatus.COMPLETED
            if phase == "active" and self.status == MaintenanceStatus.SCHEDULED:
                return MaintenanceStatus.IN_PROGRESS
        return self.status

    def is_active(self, now: datetime) -> bool:
        """Does it affect component status right now?"""
        if self.is_maintenance:
            return self.maintenance_phase(now) == "active"
        return not self.is_closed

    def promised_update(self, now: datetime | None = None) -> datetime | None:
        """The promise in force: the time of the next update promised, while the incident is open —
        the latest update's `next_update`, else the front matter's if it is later than that update
        (a promise written after the last update, without a new one)."""
        if self.is_closed or (self.is_maintenance and now and self.maintenance_phase(now) == "completed"):
            return None
        promise = self.latest.next_update
        if promise is None and self.next_update and self.next_update > self.latest.at:
            promise = self.next_update
        return promise

    def is_overdue(self, now: datetime) -> bool:
        """The promise in force has passed and nobody spoke: an update at the promised time itself keeps it."""
        promise = self.promised_update(now)
        return promise is not None and promise < now

    def component_status(self, component_id: str) -> ComponentStatus:
        """What this incident, while active, makes of one of its components."""
        explicit = self.components.get(component_id)
        if explicit:
            return explicit
        if self.is_maintenance:
            return ComponentStatus.UNDER_MAINTENANCE
        return IMPACT_TO_COMPONENT_STATUS[self.impact]


@dataclass(frozen=True)
class StatusPage:
    """Everything published at one reference time, and the state derived from it."""

    settings: Settings
    groups: list[ComponentGroup]
    components: list[Component]
    incidents: list[Incident]  # published only, newest first
    transparency: Transparency | None = None  # published items only
    withdrawn: list[Incident] = field(default_factory=list)  # published, then withdrawn whole: their pages stay

    @cached_property
    def related(self) -> dict[str, list[Incident]]:
        """For each incident id, the published incidents related to it, named by it or naming it (both ways)."""
        by_id = {former: i for i in self.incidents for former in i.former_ids} | {i.id: i for i in self.incidents}
        found: dict[str, dict[str, Incident]] = {}
        for incident in self.incidents:
            for other_id in incident.related:
                other = by_id.get(other_id)
                if other is not None:
                    found.setdefault(incident.id, {})[other.id] = other
                    found.setdefault(other.id, {})[incident.id] = incident
        return {key: sorted(value.values(), key=lambda i: i.started_at) for key, value in found.items()}

    @property
    def now(self) -> datetime:
        return self.settings.reference_time

    @cached_property
    def components_by_id(self) -> dict[str, Component]:
        return {c.id: c for c in self.components}

    @cached_property
    def groups_by_id(self) -> dict[str, ComponentGroup]:
        return {g.id: g for g in self.groups}

    @cached_property
    def active(self) -> list[Incident]:
        now = self.now
        return [i for i in self.incidents if i.is_active(now)]

    @cached_property
    def open_incidents(self) -> list[Incident]:
        """Unresolved incidents and notices, the ones with an overdue promise first."""
        now = self.now
        found = [i for i in self.incidents if not i.is_closed and not i.is_maintenance]
        return sorted(found, key=lambda i: (not i.is_overdue(now), -i.updated_at.timestamp()))

    @cached_property
    def maintenances(self) -> list[Incident]:
        """The maintenance windows, as `incidents` orders them (newest first)."""
        return [i for i in self.incidents if i.is_maintenance]

    @cached_property
    def active_maintenance(self) -> list[Incident]:
        now = self.now
        return [i for i in self.maintenances if i.maintenance_phase(now) == "active"]

    @cached_property
    def upcoming_maintenance(self) -> list[Incident]:
        now = self.now
        found = [i for i in self.maintenances if i.maintenance_phase(now) == "upcoming"]
        return sorted(found, key=lambda i: i.scheduled_for or i.created_at)

    @cached_property
    def component_status(self) -> dict[str, ComponentStatus]:
        """Each component's current status: the worst any active incident gives it."""
        found: dict[str, list[ComponentStatus]] = {c.id: [] for c in self.components}
        for incident in self.active:
            for component_id in incident.components:
                if component_id in found:
                    found[component_id].append(incident.component_status(component_id))
        return {cid: worst(statuses) for cid, statuses in found.items()}

    @cached_property
    def overall_status(self) -> ComponentStatus:
        return worst(self.component_status.values())

    @property
    def indicator(self) -> str:
        return COMPONENT_STATUS_TO_INDICATOR[self.overall_status]

    def group_status(self, group_id: str) -> ComponentStatus:
        return worst(self.component_status[c.id] for c in self.components if c.group == group_id)

    @cached_property
    def incidents_by_component(self) -> dict[str, list[Incident]]:
        found: dict[str, list[Incident]] = {c.id: [] for c in self.components}
        for incident in self.incidents:
            for component_id in incident.components:
                found.setdefault(component_id, []).append(incident)
        return found

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.settings.timezone).date()

    def daily_impact(self, component_id: str, days: int = 90) -> list[tuple[date, ComponentStatus, list[Incident]]]:
        """For each of the last `days` days (site time zone), the worst status the component
        had that day and the incidents behind it; oldest day first. Worked out once (the home
        page and the component's page both show it)."""
        found = self._daily_impacts.get((component_id, days))
        if found is None:
            found = self._daily_impacts[component_id, days] = self._daily_impact(component_id, days)
        return found

    @cached_property
    def _daily_impacts(self) -> dict[tuple[str, int], list[tuple[date, ComponentStatus, list[Incident]]]]:
        return {}

    def _daily_impact(self, component_id: str, days: int) -> list[tuple[date, ComponentStatus, list[Incident]]]:
        first_day = self.local_date(self.now) - timedelta(days=days - 1)
        per_day: dict[date, list[tuple[ComponentStatus, Incident]]] = {}
        for incident, first, last in self._days_shown(days).get(component_id, ()):
            status = incident.component_status(component_id)
            day = first
            while day <= last:
                per_day.setdefault(day, []).append((status, incident))
                day += timedelta(days=1)
        result: list[tuple[date, ComponentStatus, list[Incident]]] = []
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            entries = per_day.get(day)
            if entries is None:  # most days: nothing to weigh
                result.append((day, ComponentStatus.OPERATIONAL, []))
            else:
                result.append((day, worst(s for s, _ in entries), [i for _, i in entries]))
        return result

    def _days_shown(self, days: int) -> dict[str, list[tuple[Incident, date, date]]]:
        """By component, the incidents (in their order) that were on one of the last `days` days,
        with the first and the last of those days: one pass over the incidents for every component."""
        if days not in self._days_shown_by_count:
            self._days_shown_by_count[days] = self._find_days_shown(days)
        return self._days_shown_by_count[days]

    @cached_property
    def _days_shown_by_count(self) -> dict[int, dict[str, list[tuple[Incident, date, date]]]]:
        return {}

    def _find_days_shown(self, days: int) -> dict[str, list[tuple[Incident, date, date]]]:
        now = self.now
        today = self.local_date(now)
        first_day = today - timedelta(days=days - 1)
        # No moment before this is on a day shown, whatever the zone's offset: most incidents stop here.
        before = datetime.combine(first_day, time(), tzinfo=timezone.utc) - timedelta(days=2)
        found: dict[str, list[tuple[Incident, date, date]]] = {}
        for incident in self.incidents:
            if not incident.components:
                continue
            end_moment = incident.ended_at(now) or now
            if end_moment < before:
                continue
            if incident.is_maintenance and incident.maintenance_phase(now) == "upcoming":
                continue
            start = self.local_date(incident.started_at)
            end = self.local_date(end_moment)
            if end < first_day or start > today:
                continue
            for component_id in incident.components:
                found.setdefault(component_id, []).append((incident, max(start, first_day), min(end, today)))
        return found
