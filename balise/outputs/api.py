"""A read-only JSON API compatible with Atlassian Statuspage's public API v2.

Same paths (`api/v2/summary.json`, …), field names and enum values, so Slack bots, dashboards and
aggregators that already read Statuspage pages read a balise page unchanged. Ids are balise's own
(component, group and incident ids from the content), which clients treat as opaque strings.
The JSON Schemas in `balise/schemas/` describe every document.

Where balise and Statuspage differ, the Statuspage meaning wins:
- a maintenance's `impact` is `maintenance`, and its `status` follows its window the way
  Statuspage's automatic transitions do (`scheduled` → `in_progress` → `completed`);
- a resolved incident with a published postmortem has the status `postmortem`;
- `status.indicator` is `none|minor|major|critical` from the worst component status, and
  `maintenance` while a maintenance is the only thing going on, as real Statuspage pages report
  (with the description "Service Under Maintenance" there; here, the page's own wording).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from balise.content.model import Component, Incident, StatusPage, Update
from balise.i18n import Translator
from balise.outputs.links import SiteLinks
from balise.outputs.pages import Fragment, made_afresh

Document = dict[str, Any]  # a JSON object
API_DIR = "api/v2/"
LIST_SIZE = 50  # Statuspage returns the 50 most recent incidents and maintenances
SCHEMAS = Path(__file__).parents[1] / "schemas"
# Each document (path under api/v2/) and the JSON Schema (in balise/schemas/) it follows.
SCHEMA_OF = {
    "summary.json": "summary.json",
    "status.json": "status.json",
    "components.json": "components.json",
    "incidents.json": "incidents.json",
    "incidents/unresolved.json": "incidents.json",
    "scheduled-maintenances.json": "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json": "scheduled-maintenances.json",
    "scheduled-maintenances/active.json": "scheduled-maintenances.json",
}


class Encoded(str):
    """A value already encoded as JSON (an incident's document, kept from the last build): `dump`
    writes it as it is."""


class StatuspageAPI:
    def __init__(self, page: StatusPage, t: Translator, links: SiteLinks, fragment: Fragment | None = None):
        self.page, self.t, self.links = page, t, links
        # The pipeline's cache may hand back an incident's document from the last build (`fragment`).
        self.fragment: Fragment = fragment or made_afresh
        self.zone = page.settings.timezone
        # The same moments come back: an update's time is its creation and display time, the page's
        # first change every component's creation.
        self._times: dict[datetime, str] = {}

    # -- documents ---------------------------------------------------------------
    def documents(self) -> dict[str, Document]:
        """Every document by its site-relative path."""
        page = self.page
        incidents = [i for i in page.incidents if not i.is_maintenance]
        maintenance = sorted(
            (i for i in page.incidents if i.is_maintenance),
            key=lambda i: ((i.scheduled_for or i.created_at).timestamp(), i.id),
            reverse=True,
        )
        unresolved = [self.encoded(i) for i in page.open_incidents]
        upcoming = [self.encoded(i) for i in page.upcoming_maintenance]
        active = [self.encoded(i) for i in page.active_maintenance]
        head = {"page": self.page_info()}
        return {
            API_DIR + "summary.json": {
                **head,
                "components": self._components,
                "incidents": unresolved,
                "scheduled_maintenances": active + upcoming,
                "status": self.status(),
                "balise": self.build(),
            },
            API_DIR + "status.json": {**head, "status": self.status()},
            API_DIR + "components.json": {**head, "components": self._components},
            API_DIR + "incidents.json": {**head, "incidents": [self.encoded(i) for i in incidents[:LIST_SIZE]]},
            API_DIR + "incidents/unresolved.json": {**head, "incidents": unresolved},
            API_DIR + "scheduled-maintenances.json": {
                **head,
                "scheduled_maintenances": [self.encoded(i) for i in maintenance[:LIST_SIZE]],
            },
            API_DIR + "scheduled-maintenances/upcoming.json": {**head, "scheduled_maintenances": upcoming},
            API_DIR + "scheduled-maintenances/active.json": {**head, "scheduled_maintenances": active},
        }

    def files(self) -> Iterator[tuple[str, str]]:
        for path, document in self.documents().items():
            yield path, dump(document)

    # -- parts -------------------------------------------------------------------
    def time(self, moment: datetime | None) -> str | None:
        """Statuspage's timestamps: ISO 8601 in the page's time zone, with milliseconds."""
        if moment is None:
            return None
        found = self._times.get(moment)
        if found is None:
            found = self._times[moment] = moment.astimezone(self.zone).isoformat(timespec="milliseconds")
        return found

    @property
    def page_id(self) -> str:
        return self.links.page_id

    def page_info(self) -> Document:
        return {
            "id": self.page_id,
            "name": self.page.settings.site_name,
            "url": self.page.settings.site_url.rstrip("/") or "",
            "time_zone": self.zone.key,
            "updated_at": self.time(self.updated_at),
        }

    @cached_property
    def updated_at(self) -> datetime:
        """The last time anything on the page changed: an update, or a maintenance window opening or closing."""
        latest = (last for _, last in self._change_span.values())
        return max(latest, default=self.page.settings.commit_time or self.page.now)

    @cached_property
    def first_change(self) -> datetime:
        """Components have no creation date of their own: the page's first published change stands in."""
        return min((first for first, _ in self._change_span.values()), default=self.updated_at)

    @cached_property
    def _change_span(self) -> dict[int, tuple[datetime, datetime]]:
        """Each incident's first and latest change (by `id`), worked out once: the page's dates and
        each component's are the earliest or the latest of them."""
        return self._changes[0]

    @cached_property
    def _component_change(self) -> dict[str, datetime]:
        """Each component's latest change: the latest of its incidents' (a group's, of its members')."""
        return self._changes[1]

    @cached_property
    def _changes(self) -> tuple[dict[int, tuple[datetime, datetime]], dict[str, datetime]]:
        """`_change_span` and `_component_change`, in one pass over the incidents (20,000 of them)."""
        now = self.page.now
        spans: dict[int, tuple[datetime, datetime]] = {}
        latest: dict[str, datetime] = {}
        for incident in self.page.incidents:
            span = incident.change_span(now)
            if span is None:
                continue
            spans[id(incident)] = span
            last = span[1]
            for cid in incident.components:
                known = latest.get(cid)
                if known is None or last > known:
                    latest[cid] = last
        return spans, latest

    def _latest(self, component_ids: Iterable[str]) -> list[datetime]:
        """The latest change of each of the components: what a component's `updated_at` is the latest of."""
        return [self._component_change[cid] for cid in component_ids if cid in self._component_change]

    def status(self) -> Document:
        page = self.page
        return {"indicator": page.indicator, "description": self.t(f"overall_status.{page.overall_status}")}

    def build(self) -> Document:
        settings = self.page.settings
        found: Document = {"commit": settings.commit, "commit_time": self.time(settings.commit_time)}
        uptime = self.page.transparency.uptime if self.page.transparency is not None else None
        if uptime is not None and uptime.days:  # measured by the monitors (`balise uptime`), per component id
            today = self.page.local_date(self.page.now)
            found["uptime"] = uptime.summary([c.id for c in self.page.components], today)
        return found

    @cached_property
    def _components(self) -> list[Document]:
        return self.components()

    def components(self) -> list[Document]:
        """Groups and components in display order, as Statuspage lists them: a group is a component
        with `group: true` and the ids of its members; a member names its group in `group_id`."""
        page = self.page
        found = []
        position = 0
        for group in page.groups:
            members = [c for c in page.components if c.group == group.id]
            if not members:
                continue
            position += 1
            found.append(
                self._component(
                    group.id,
                    group.name,
                    group.description,
                    page.group_status(group.id),
                    position,
                    None,
                    self._latest(c.id for c in members),
                    members=[c.id for c in members],
                )
            )
            for index, component in enumerate(members, 1):
                found.append(self._member(component, index, group.id))
        for component in page.components:
            if component.group is None:
                position += 1
                found.append(self._member(component, position, None))
        return found

    def _member(self, component: Component, position: int, group_id: str | None) -> Document:
        status = self.page.component_status[component.id]
        changes = self._latest([component.id])
        return self._component(component.id, component.name, component.description, status, position, group_id, changes)

    def _component(
        self,
        cid: str,
        name: str,
        description: str,
        status: str,
        position: int,
        group_id: str | None,
        changes: list[datetime],
        members: list[str] | None = None,
    ) -> Document:
        first = self.first_change
        document: Document = {
            "id": cid,
            "name": name,
            "status": status,
            "created_at": self.time(first),
            "updated_at": self.time(max(changes, default=first)),
            "position": position,
            "description": description or None,
            "showcase": members is None,
            "start_date": None,
            "group_id": group_id,
            "page_id": self.page_id,
            "group": members is not None,
            "only_show_if_degraded": False,
        }
        if members is not None:
            document["components"] = members
        return document

    def incident_status(self, incident: Incident) -> str:
        if incident.is_maintenance:
            return incident.status_at(self.page.now)
        if incident.is_closed and incident.postmortem:
            return "postmortem"
        return incident.status

    def encoded(self, incident: Incident) -> Encoded:
        """The incident's document as JSON. It shows the incident and its components' documents
        (their status and latest change, which other incidents move): made again when either changed."""
        shown: dict[str, object] = {"components": [self._component_documents.get(c) for c in incident.components]}
        return Encoded(self.fragment("api incident", incident, shown, lambda: encode(self.incident(incident))))

    def incident(self, incident: Incident) -> Document:
        now = self.page.now
        monitoring = next((u.at for u in incident.updates if u.status == "monitoring"), None)
        resolved = incident.ended_at(now) if incident.is_maintenance else incident.resolved_at
        document: Document = {
            "id": incident.permanent_id,  # as first published: a rename keeps it
            "name": incident.title,
            "status": self.incident_status(incident),
            "created_at": self.time(incident.created_at),
            # A withdrawal changes the incident too: clients that poll by `updated_at` see it.
            "updated_at": self.time(incident.last_changed),
            "monitoring_at": self.time(monitoring),
            "resolved_at": self.time(resolved),
            "impact": "maintenance" if incident.is_maintenance else incident.impact,
            "shortlink": self.links.shown(self.links.incident_path(incident)),
            "started_at": self.time(incident.started_at),
            "page_id": self.page_id,
            "incident_updates": [self.update(incident, u) for u in incident.updates_newest_first],
            "components": [self._component_documents[c] for c in incident.components if c in self._component_documents],
        }
        if incident.is_maintenance:
            document["scheduled_for"] = self.time(incident.scheduled_for)
            document["scheduled_until"] = self.time(incident.scheduled_until)
        return document

    @cached_property
    def _component_documents(self) -> dict[str, Document]:
        return {document["id"]: document for document in self._components if not document["group"]}

    def update(self, incident: Incident, update: Update) -> Document:
        affected = None
        if not incident.is_maintenance and (
            update is incident.first or (update is incident.latest and incident.is_closed)
        ):
            closing = update is incident.latest and incident.is_closed
            affected = [
                {
                    "code": cid,
                    "name": self.page.components_by_id[cid].name,
                    "old_status": incident.component_status(cid) if closing else "operational",
                    "new_status": "operational" if closing else incident.component_status(cid),
                }
                for cid in incident.components
                if cid in self.page.components_by_id
            ] or None
        return {
            "id": self.links.api_update_id(incident, update),
            "status": update.status,
            "body": update.message,
            "incident_id": incident.permanent_id,
            "created_at": self.time(update.at),
            "updated_at": self.time(update.last_modified),
            "display_at": self.time(update.at),
            "affected_components": affected,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }


def dump(document: Document) -> str:
    """Compact, as Statuspage answers: a fifth smaller than indented, which an embed polling
    summary.json during a spike feels, and encoded by json's C encoder (`indent` falls back to the
    pure-Python one, four times slower: 25 ms of every build). `Encoded` values are written as they are."""
    return "{" + ",".join(f"{encode(key)}:{_encoded(value)}" for key, value in document.items()) + "}\n"


def _encoded(value: object) -> str:
    if isinstance(value, Encoded):
        return value
    if isinstance(value, list):  # the lists of incidents, and any other: the same bytes as json's
        return "[" + ",".join(_encoded(item) for item in value) + "]"
    return encode(value)


def encode(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
