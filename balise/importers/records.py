"""What an importer reads a source into, whatever the source: plain data, and notes on what could
not be mapped, each tied to the thing (and later the file) it is about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class SourceError(Exception):
    """The source cannot be read at all (unreachable, not the expected format): one line, exit 1."""


@dataclass
class Group:
    key: str  # the source's own id (or name)
    name: str
    description: str = ""


@dataclass
class Component:
    key: str
    name: str
    description: str = ""
    group: str | None = None  # a Group's key


@dataclass
class Update:
    at: datetime
    status: str
    message: str


@dataclass
class Incident:
    key: str  # the source's id: matches a re-import to the file it wrote
    title: str
    kind: str = "incident"  # incident | maintenance | notice
    impact: str = "none"
    components: dict[str, str | None] = field(default_factory=dict)  # Component key -> explicit status
    updates: list[Update] = field(default_factory=list)
    postmortem: str = ""
    started_at: datetime | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    draft: bool = False
    url: str = ""  # its old public address
    notes: list[str] = field(default_factory=list)  # what could not be mapped, for the summary


@dataclass
class Imported:
    system: str  # statuspage | cstate | feed
    source: str  # the URL or folder as given
    groups: list[Group] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the source as a whole

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)
