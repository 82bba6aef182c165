"""Addresses of the site's pages and files, and every id an output gives (feeds, API, calendar, badges).

With `site_url` set, every link is absolute and every feed id is a `tag:` URI on the site's own host.
Without it, links are relative to the file they are written in (feed readers resolve them against
the feed's address) and feed ids are name-based UUIDs; the plugin warns that `site_url` should be set.
The API's ids are Statuspage's: the page's host, the content's own ids.
"""

from __future__ import annotations

from datetime import timezone
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, uuid5

from balise.content.model import Incident, Settings, Update, Withdrawal


def relative_url(target: str, page_path: str) -> str:
    """A link from the page (or file) at `page_path` (e.g. "incidents/x/", or "components/x/history.atom",
    two levels down) to `target`, both site-relative."""
    depth = page_path.count("/")
    prefix = "../" * depth
    return (prefix + target) or "./"


def incident_path(incident: Incident) -> str:
    """An incident's page, site-relative: its id is its permanent address."""
    return f"incidents/{incident.id}/"


class SiteLinks:
    def __init__(self, settings: Settings):
        self.base = settings.site_url  # "" or ending with "/"
        parts = urlsplit(self.base)
        self.host = (parts.hostname or "").lower()
        self.prefix = parts.path.strip("/")  # a site served under a path, e.g. org.github.io/status/
        self.site_name = settings.site_name

    @property
    def absolute(self) -> bool:
        return bool(self.base and self.host)

    def href(self, target: str, from_path: str = "") -> str:
        """`target` (site-relative, e.g. "incidents/x/#update-…") as written in the file at `from_path`."""
        return self.base + target if self.absolute else relative_url(target, from_path)

    def shown(self, target: str) -> str:
        """`target` as shown to a reader: the absolute URL, or the site-relative path without a site URL."""
        return self.base + target if self.absolute else "/" + target

    @staticmethod
    def incident_path(incident: Incident) -> str:
        return incident_path(incident)

    def update_path(self, incident: Incident, update: Update | None) -> str:
        return f"{self.incident_path(incident)}#{update.anchor if update is not None else 'postmortem'}"

    def update_id(self, incident: Incident, update: Update | Withdrawal | None) -> str:
        """The permanent id of one published update (or, for None, of the incident's postmortem): site,
        incident id and the update's anchor, both as first published. It does not depend on the
        message, so correcting the wording, or the time, or renaming the file keeps the id; a
        withdrawn update keeps its id too, its entry now saying it was withdrawn."""
        if isinstance(update, Withdrawal):
            moment, anchor = update.update or update.on, update.anchor
        elif update is not None:
            moment, anchor = update.first_at, update.permanent_anchor
        else:
            moment, anchor = incident.postmortem_at, "postmortem"  # type: ignore[assignment]  # asked once it is public
        day = moment.astimezone(timezone.utc).strftime("%Y-%m-%d")
        specific = f"incidents/{incident.permanent_id}/{anchor}"
        if self.absolute:
            path = f"{self.prefix}/{specific}" if self.prefix else specific
            return f"tag:{self.host},{day}:{path}"
        return "urn:uuid:" + str(uuid5(NAMESPACE_URL, f"balise:{self.site_name}:{specific}"))

    def feed_id(self, path: str) -> str:
        """A feed's id: its own address when the site has one."""
        if self.absolute:
            return self.base + path
        return "urn:uuid:" + str(uuid5(NAMESPACE_URL, f"balise:{self.site_name}:{path}"))

    @property
    def page_id(self) -> str:
        """The API's page id: the site's host, else its name."""
        return self.host or self.site_name

    @staticmethod
    def api_update_id(incident: Incident, update: Update) -> str:
        """An update's id in the API: the incident id and the update's anchor (its time), as first
        published (a rename, a corrected time keep it), unique on the page."""
        return f"{incident.permanent_id}-{update.permanent_anchor}"

    def event_uid(self, incident: Incident) -> str:
        """A calendar event's UID: the incident id at the site's host (RFC 5545 recommends this form)."""
        domain = self.host or "balise.invalid"
        name = incident.permanent_id  # a rename keeps the event
        return f"{name}@{domain}" if not self.prefix else f"{name}.{self.prefix.replace('/', '.')}@{domain}"
