"""RSS 2.0 and Atom 1.0 feeds: every update of every published incident or maintenance is one entry.

Site-wide (`history.rss`, `history.atom`), per component (`components/<id>/history.rss|.atom`) and
per incident (`incidents/<id>/feed.atom`). Newest first, the last `FEED_SIZE` updates. An entry's id
is built from the site, the incident and the update's anchor, never from its text: correcting a
published update changes its Atom `updated`, not its id, so readers show it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime

import jinja2

from .i18n import Translator
from .links import SiteLinks
from .model import Incident, StatusPage, Update
from .messages import rebase_links

FEED_SIZE = 50


@dataclass(frozen=True)
class Entry:
    """One update, or a postmortem, as written in every feed it appears in."""

    id: str
    title: str
    link: str
    content: str  # HTML: the sanitised message and the promised next update
    category: str  # the update's status, or "postmortem"
    category_label: str  # the same, in words
    published: datetime
    updated: datetime


def updates_newest_first(incidents, limit: int | None = FEED_SIZE) -> list[tuple[Incident, Update | None]]:
    """(incident, update) pairs, newest first; ties broken by incident id, then anchor. A postmortem
    is news too, once published: a pair (incident, None), dated when git first saw it public."""
    pairs = [(incident, update) for incident in incidents for update in incident.updates]
    pairs += [(incident, None) for incident in incidents if incident.postmortem and incident.postmortem_at]
    pairs.sort(key=lambda pair: (-_moment(*pair).timestamp(), pair[0].id, pair[1].anchor if pair[1] else "~"))
    return pairs if limit is None else pairs[:limit]


def _moment(incident: Incident, update: Update | None) -> datetime:
    return update.at if update is not None else incident.postmortem_at


def atom_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rss_time(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


class FeedWriter:
    """Renders the feeds of a `StatusPage` from the templates in `templates/feeds/`."""

    def __init__(self, page: StatusPage, env: jinja2.Environment, t: Translator, markdown, links: SiteLinks):
        self.page, self.env, self.t, self.markdown, self.links = page, env, t, markdown, links
        self._entries: dict[tuple[str, str, str], Entry] = {}

    def files(self):
        """Yield (site-relative path, text) for the site's and the components' feeds."""
        page, t = self.page, self.t
        name = page.settings.site_name
        everything = updates_newest_first(page.incidents)
        for kind in ("atom", "rss"):
            yield from self._feed(kind, f"history.{kind}", "history/", t("subscribe.feed_title", site=name),
                                  t("subscribe.feed_subtitle", site=name), everything)
        for component in page.components:
            incidents = page.incidents_by_component.get(component.id, [])
            for kind in ("atom", "rss"):
                yield from self._feed(
                    kind, f"components/{component.id}/history.{kind}", f"components/{component.id}/",
                    t("subscribe.component_feed_title", component=component.name, site=name),
                    t("subscribe.component_feed_subtitle", component=component.name),
                    updates_newest_first(incidents),
                )

    def incident_files(self, incident: Incident):
        """The incident's own feed: rendered with its page, so by whichever process renders that."""
        t, name = self.t, self.page.settings.site_name
        yield from self._feed(
            "atom", f"incidents/{incident.id}/feed.atom", self.links.incident_path(incident),
            t("subscribe.incident_feed_title", incident=incident.title, site=name),
            t("subscribe.incident_feed_subtitle", incident=incident.title),
            updates_newest_first([incident], limit=None),
        )

    def _feed(self, kind: str, path: str, html_path: str, title: str, subtitle: str, pairs):
        entries = [self.entry(incident, update, path) for incident, update in pairs]
        updated = max((e.updated for e in entries), default=self.page.settings.commit_time or self.page.now)
        yield path, self.env.get_template(f"feeds/feed.{kind}.xml").render(
            feed_id=self.links.feed_id(path),
            title=title,
            subtitle=subtitle,
            self_url=self.links.href(path, path),
            html_url=self.links.href(html_path, path),
            updated=updated,
            entries=entries,
            language=self.t.language,
            site_name=self.page.settings.site_name,
        )

    def entry(self, incident: Incident, update: Update | None, feed_path: str) -> Entry:
        """One update (or postmortem) as a feed entry; with absolute links it is the same in every
        feed, so made once."""
        key = (incident.id, update.anchor if update else "postmortem", "" if self.links.absolute else feed_path)
        made = self._entries.get(key)
        if made is None:
            made = self._entries[key] = self._entry(incident, update, feed_path)
        return made

    def _entry(self, incident: Incident, update: Update | None, feed_path: str) -> Entry:
        t = self.t
        link = self.links.href(self.links.update_path(incident, update), feed_path)
        text = update.message if update is not None else incident.postmortem
        content = self.env.get_template("feeds/entry.html").render(
            incident=incident, update=update,
            message=rebase_links(self.markdown(text), self.links.incident_path(incident),
                                 lambda target: self.links.href(target, feed_path)),
            components=[self.page.components_by_id[c].name for c in incident.components if c in self.page.components_by_id],
            link=link,
        )
        category = update.status if update is not None else "postmortem"
        label = t(f"update_status.{category}") if update is not None else t("postmortem")
        published = _moment(incident, update)
        return Entry(
            id=self.links.update_id(incident, update),
            title=f"[{label}] {incident.title}",
            link=link,
            content=content.strip(),
            category=category,
            category_label=label,
            published=published,
            updated=update.last_modified if update is not None else published,
        )
