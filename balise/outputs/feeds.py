"""RSS 2.0 and Atom 1.0 feeds: every update of every published incident or maintenance is one entry.

Site-wide (`history.rss`, `history.atom`), per component (`components/<id>/history.rss|.atom`) and
per incident (`incidents/<id>/feed.atom`). Newest first, the last `FEED_SIZE` updates. An entry's id
is built from the site, the incident and the update's anchor, never from its text: correcting a
published update changes its Atom `updated`, not its id, so readers show it once.

The documents are built with ElementTree (`balise.outputs.xmldoc`), never as text, so no title or message
can make them ill-formed.
"""

from __future__ import annotations

import heapq
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from functools import partial

import jinja2
from markupsafe import Markup

from balise.content.messages import rebase_links
from balise.content.model import Incident, StatusPage, Update, Withdrawal
from balise.i18n import Translator
from balise.outputs.links import SiteLinks
from balise.outputs.pages import Fragment, Memo, made_afresh
from balise.outputs.xmldoc import element_text, spliced_document, sub_element, xml_document, xml_text
from balise.transparency.page import uptime_figures

FEED_SIZE = 50
ATOM_NS = "http://www.w3.org/2005/Atom"


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


Pair = tuple[Incident, "Update | Withdrawal | None"]  # an update, a withdrawal, or (None) the incident's postmortem


def updates_newest_first(incidents: Iterable[Incident], limit: int | None = FEED_SIZE) -> list[Pair]:
    """(incident, update) pairs, newest first; ties broken by incident id, then anchor. A postmortem
    is news too, once published: a pair (incident, None), dated when git first saw it public."""
    pairs: list[Pair] = [(incident, update) for incident in incidents for update in incident.updates]
    pairs += [(incident, None) for incident in incidents if incident.postmortem and incident.postmortem_at]
    # A withdrawal is news too, dated when it was withdrawn: its entry keeps the update's id.
    pairs += [(incident, withdrawal) for incident in incidents for withdrawal in incident.withdrawals]
    # Ties: by incident id, an update before its incident's postmortem (within one incident no two
    # updates share a moment). Two stable sorts, the last by time, newest first: no anchor is made.
    pairs.sort(key=lambda pair: (pair[0].id, pair[1] is None))
    pairs.sort(key=lambda pair: _moment(*pair).timestamp(), reverse=True)
    return pairs if limit is None else pairs[:limit]


class NewestPairs:
    """`updates_newest_first(incidents, limit)` for a feed of `everyone`'s incidents or of some of
    them (in the same order), without sorting every pair of every incident: only the newest `limit`
    entries are in a feed, so only the incidents whose newest moment can be among them are looked at
    (20,000 incidents, 50 entries)."""

    def __init__(self, everyone: list[Incident]):
        self.position = {id(incident): position for position, incident in enumerate(everyone)}
        self.newest = {id(incident): newest_moment(incident) for incident in everyone}
        self._keyed: dict[int, list[tuple[tuple[float, str, bool, int, int, int], Pair]]] = {}

    def pairs(self, incidents: list[Incident], limit: int = FEED_SIZE) -> list[Pair]:
        newest = self.newest
        found: list[tuple[tuple[float, str, bool, int, int, int], Pair]] = []
        kept: list[float] = []  # the `limit` newest moments found, a heap
        for incident in sorted(incidents, key=lambda i: newest[id(i)], reverse=True):
            if len(kept) >= limit and kept[0] > newest[id(incident)]:
                break  # no pair left is as new as the `limit` found (a tie would be: it is taken)
            for keyed in self.keyed(incident):
                found.append(keyed)
                moment = -keyed[0][0]
                if len(kept) < limit:
                    heapq.heappush(kept, moment)
                elif moment > kept[0]:
                    heapq.heapreplace(kept, moment)
        found.sort(key=lambda keyed: keyed[0])
        return [pair for _, pair in found[:limit]]

    def keyed(self, incident: Incident) -> list[tuple[tuple[float, str, bool, int, int, int], Pair]]:
        """Its pairs, each with its place in `updates_newest_first`'s order: newest first, then by
        incident id, an update before a postmortem, then as that function lists them (updates, then
        postmortems, then withdrawals; incidents in their order)."""
        found = self._keyed.get(id(incident))
        if found is None:
            position = self.position[id(incident)]
            pairs: list[tuple[int, int, Pair]] = [(0, k, (incident, u)) for k, u in enumerate(incident.updates)]
            if incident.postmortem and incident.postmortem_at:
                pairs.append((1, 0, (incident, None)))
            pairs += [(2, k, (incident, w)) for k, w in enumerate(incident.withdrawals)]
            found = self._keyed[id(incident)] = [
                ((-_moment(*pair).timestamp(), incident.id, pair[1] is None, group, position, k), pair)
                for group, k, pair in pairs
            ]
        return found


def newest_moment(incident: Incident) -> float:
    """The timestamp of an incident's newest pair in `updates_newest_first` (updates are oldest first)."""
    newest = incident.latest.at.timestamp() if incident.updates else -math.inf
    if incident.postmortem and incident.postmortem_at:
        newest = max(newest, incident.postmortem_at.timestamp())
    for withdrawal in incident.withdrawals:  # most have none: no list made for them (20,000 a build)
        newest = max(newest, withdrawal.on.timestamp())
    return newest


def _moment(incident: Incident, update: Update | Withdrawal | None) -> datetime:
    if isinstance(update, Withdrawal):
        return update.on
    moment = update.at if update is not None else incident.postmortem_at
    assert moment is not None, "a postmortem is news only once git dated it (`updates_newest_first`)"
    return moment


def entry_anchor(update: Update | Withdrawal | None) -> str:
    """What tells an incident's entries apart: the update's anchor, a withdrawal's, or the postmortem."""
    if update is None:
        return "postmortem"
    return "withdrawn-" + update.anchor if isinstance(update, Withdrawal) else update.anchor


def entry_updated(incident: Incident, update: Update | Withdrawal | None) -> datetime:
    """When a feed entry last changed: a withdrawal's date, an update's last correction, a
    postmortem's publication."""
    if isinstance(update, Update):
        return update.last_modified
    return _moment(incident, update)


def atom_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rss_time(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


@dataclass(frozen=True)
class Channel:
    """What a feed says about itself."""

    id: str
    title: str
    subtitle: str
    self_url: str
    html_url: str
    updated: datetime
    language: str
    site_name: str
    hub: str = ""  # the WebSub hub `balise notify` pings when the feed changes, if any


def atom_feed(channel: Channel, entries: list[ET.Element]) -> str:
    """The Atom document, around entries made by `atom_entry`."""
    # Tags are written as they appear, the namespace declared as an attribute: ElementTree's own
    # prefixes would need a process-wide registration.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": xml_text(channel.language)})
    sub_element(feed, "id", channel.id)
    sub_element(feed, "title", channel.title)
    sub_element(feed, "subtitle", channel.subtitle)
    sub_element(feed, "link", attributes={"rel": "self", "type": "application/atom+xml", "href": channel.self_url})
    if channel.hub:
        sub_element(feed, "link", attributes={"rel": "hub", "href": channel.hub})
    sub_element(feed, "link", attributes={"rel": "alternate", "type": "text/html", "href": channel.html_url})
    sub_element(feed, "updated", atom_time(channel.updated))
    sub_element(sub_element(feed, "author"), "name", channel.site_name)
    sub_element(feed, "generator", "balise")
    feed.extend(entries)
    return xml_document(feed)


def atom_entry(entry: Entry) -> ET.Element:
    element = ET.Element("entry")
    sub_element(element, "id", entry.id)
    sub_element(element, "title", entry.title)
    sub_element(element, "link", attributes={"rel": "alternate", "type": "text/html", "href": entry.link})
    sub_element(element, "published", atom_time(entry.published))
    sub_element(element, "updated", atom_time(entry.updated))
    sub_element(element, "category", attributes={"term": entry.category, "label": entry.category_label})
    sub_element(element, "content", entry.content, {"type": "html"})
    return element


def rss_feed(channel: Channel, items: list[ET.Element]) -> str:
    """The RSS document, around items made by `rss_item`."""
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    feed = sub_element(rss, "channel")
    sub_element(feed, "title", channel.title)
    sub_element(feed, "link", channel.html_url)
    sub_element(feed, "description", channel.subtitle)
    sub_element(feed, "language", channel.language)
    sub_element(feed, "lastBuildDate", rss_time(channel.updated))
    sub_element(feed, "generator", "balise")
    sub_element(feed, "atom:link", attributes={"rel": "self", "type": "application/rss+xml", "href": channel.self_url})
    if channel.hub:
        sub_element(feed, "atom:link", attributes={"rel": "hub", "href": channel.hub})
    feed.extend(items)
    return xml_document(rss)


def rss_item(entry: Entry) -> ET.Element:
    element = ET.Element("item")
    sub_element(element, "title", entry.title)
    sub_element(element, "link", entry.link)
    sub_element(element, "guid", entry.id, {"isPermaLink": "false"})
    sub_element(element, "pubDate", rss_time(entry.published))
    sub_element(element, "category", entry.category_label)
    sub_element(element, "description", entry.content)
    return element


Document = Callable[[Channel, list[ET.Element]], str]
Element = Callable[[Entry], ET.Element]
FEED_KINDS: dict[str, tuple[Document, Element]] = {"atom": (atom_feed, atom_entry), "rss": (rss_feed, rss_item)}
ENTRY_TAG = {"atom": "entry", "rss": "item"}
ENTRY_DEPTH = {"atom": 1, "rss": 2}  # <feed><entry>, <rss><channel><item>


class FeedWriter:
    """Writes the feeds of a `StatusPage`; an entry's HTML comes from `templates/feeds/entry.html`."""

    def __init__(
        self,
        page: StatusPage,
        env: jinja2.Environment,
        t: Translator,
        markdown: Callable[[str], str],
        links: SiteLinks,
        memo: Memo | None = None,
        fragment: Fragment | None = None,
    ) -> None:
        self.page, self.env, self.t, self.markdown, self.links = page, env, t, markdown, links
        # The pipeline's cache may hand back a feed it kept when the same incidents, in the same
        # state, are in it (`pipeline.stages.OutputKeys.memo`), and an entry of the site's and the
        # components' feeds as the last build wrote it (`OutputKeys.fragment`).
        self.memo: Memo = memo or made_afresh
        self.fragment: Fragment = fragment or made_afresh
        self._entries: dict[tuple[str, str, str], Entry] = {}
        # The site's and the components' feeds share their recent entries: each written once. Not
        # kept for the incidents' own feeds, whose entries are mostly in no other (20,000 incidents…).
        self._shared: dict[tuple[str, str, str, str], str] = {}

    def files(self) -> Iterator[tuple[str, object]]:
        """Yield (site-relative path, text) for the site's and the components' feeds."""
        page, t = self.page, self.t
        name = page.settings.site_name
        # Only the newest entries are in a feed: each feed sorts the pairs of the few incidents that can be.
        everyone = [*page.incidents, *page.withdrawn]
        newest = NewestPairs(everyone)
        by_component: dict[str, list[Incident]] = {}
        for incident in everyone:
            for component_id in incident.components:
                by_component.setdefault(component_id, []).append(incident)
        everything = newest.pairs(everyone)
        for kind in ("atom", "rss"):
            yield from self._kept(
                kind,
                f"history.{kind}",
                "history/",
                t("subscribe.feed_title", site=name),
                t("subscribe.feed_subtitle", site=name),
                everything,
            )
        for component in page.components:
            its_updates = newest.pairs(by_component.get(component.id, []))
            for kind in ("atom", "rss"):
                yield from self._kept(
                    kind,
                    f"components/{component.id}/history.{kind}",
                    f"components/{component.id}/",
                    t("subscribe.component_feed_title", component=component.name, site=name),
                    _with_uptime(
                        t("subscribe.component_feed_subtitle", component=component.name), page, component.id, t
                    ),
                    its_updates,
                )

    def incident_files(self, incident: Incident) -> Iterator[tuple[str, str]]:
        """The incident's own feed: rendered with its page, so by whichever process renders that.
        After a rename, the same feed is also at its old address: a subscriber keeps getting news."""
        t, name = self.t, self.page.settings.site_name
        for path, feed in self._feed(
            "atom",
            f"incidents/{incident.id}/feed.atom",
            self.links.incident_path(incident),
            t("subscribe.incident_feed_title", incident=incident.title, site=name),
            t("subscribe.incident_feed_subtitle", incident=incident.title),
            updates_newest_first([incident], limit=None),
        ):
            yield path, feed
            for former in incident.former_ids:
                yield f"incidents/{former}/feed.atom", feed

    def _kept(
        self, kind: str, path: str, html_path: str, title: str, subtitle: str, pairs: list[Pair]
    ) -> Iterator[tuple[str, object]]:
        """A site or component feed, made only when the incidents in it (or its words) changed; an
        empty feed is dated by the commit, so it is kept for one commit only."""
        incidents = list({id(incident): incident for incident, _ in pairs}.values())
        # The site's key holds the feed's words (settings, components, balise's catalogues) already.
        data: dict[str, object] = {"empty": "" if pairs else str(self.page.settings.commit_time), "subtitle": subtitle}

        def render() -> str:
            return next(self._feed(kind, path, html_path, title, subtitle, pairs, shared=True))[1]

        yield path, self.memo(path, incidents, data, render)

    def _feed(
        self,
        kind: str,
        path: str,
        html_path: str,
        title: str,
        subtitle: str,
        pairs: list[Pair],
        shared: bool = False,
    ) -> Iterator[tuple[str, str]]:
        default = self.page.settings.commit_time or self.page.now
        updated = max((entry_updated(incident, update) for incident, update in pairs), default=default)
        channel = Channel(
            id=self.links.feed_id(path),
            title=title,
            subtitle=subtitle,
            self_url=self.links.href(path, path),
            html_url=self.links.href(html_path, path),
            updated=updated,
            language=self.t.language,
            site_name=self.page.settings.site_name,
            hub=self.page.settings.websub_hub,
        )
        document, element = FEED_KINDS[kind]
        if not shared:
            yield path, document(channel, [element(self.entry(incident, update, path)) for incident, update in pairs])
            return
        pieces = [self._shared_entry(kind, incident, update, path) for incident, update in pairs]
        yield path, spliced_document(partial(document, channel), ENTRY_TAG[kind], ENTRY_DEPTH[kind], pieces)

    def _shared_entry(self, kind: str, incident: Incident, update: Update | Withdrawal | None, feed_path: str) -> str:
        """An entry of the site's or a component's feed, as written there: the same in every such
        feed of its kind (with absolute links), so written once, and kept by the pipeline's cache
        from one build to the next while its incident is the same."""
        anchor = entry_anchor(update)
        where = "" if self.links.absolute else feed_path
        key = (kind, incident.id, anchor, where)
        found = self._shared.get(key)
        if found is None:
            element = FEED_KINDS[kind][1]

            def render() -> str:
                return element_text(element(self.entry(incident, update, feed_path)), ENTRY_DEPTH[kind])

            found = self.fragment(f"{kind} entry", incident, {"anchor": anchor, "feed": where}, render)
            self._shared[key] = found
        return found

    def entry(self, incident: Incident, update: Update | Withdrawal | None, feed_path: str) -> Entry:
        """One update (or postmortem, or withdrawal) as a feed entry; with absolute links it is the
        same in every feed, so made once."""
        key = (incident.id, entry_anchor(update), "" if self.links.absolute else feed_path)
        made = self._entries.get(key)
        if made is None:
            made = self._entries[key] = (
                self._withdrawal_entry(incident, update, feed_path)
                if isinstance(update, Withdrawal)
                else self._entry(incident, update, feed_path)
            )
        return made

    def _withdrawal_entry(self, incident: Incident, withdrawal: Withdrawal, feed_path: str) -> Entry:
        """A withdrawn statement: the same id as the update's own entry, its words replaced by the
        dates and the reason (a reader that updates entries drops the words too)."""
        t = self.t
        link = self.links.href(f"{self.links.incident_path(incident)}#{withdrawal.anchor}", feed_path)
        if withdrawal.update is not None:
            said = t(
                "publishing.feed_withdrawn",
                published=t.datetime(withdrawal.update),
                withdrawn=t.datetime(withdrawal.on),
                reason=withdrawal.reason,
            )
        else:
            said = (
                t("publishing.withdrawn_incident", withdrawn=t.datetime(withdrawal.on))
                + " "
                + t("publishing.withdrawn_reason", reason=withdrawal.reason)
            )
        content = self.env.get_template("feeds/entry.html").render(
            incident=incident, update=None, message=Markup("<p>{0}</p>").format(said), components=[], link=link
        )
        label = t("publishing.withdrawn_label")
        return Entry(
            id=self.links.update_id(incident, withdrawal),
            title=f"[{label}] {incident.title}",
            link=link,
            content=str.strip(content),
            category="withdrawn",
            category_label=label,
            published=withdrawal.update or withdrawal.on,
            updated=entry_updated(incident, withdrawal),
        )

    def _entry(self, incident: Incident, update: Update | None, feed_path: str) -> Entry:
        t = self.t
        link = self.links.href(self.links.update_path(incident, update), feed_path)
        text = update.message if update is not None else incident.postmortem
        content = self.env.get_template("feeds/entry.html").render(
            incident=incident,
            update=update,
            message=rebase_links(
                self.markdown(text),
                self.links.incident_path(incident),
                lambda target: self.links.href(target, feed_path),
            ),
            components=[
                self.page.components_by_id[c].name for c in incident.components if c in self.page.components_by_id
            ],
            link=link,
        )
        category = update.status if update is not None else "postmortem"
        label = t(f"update_status.{category}") if update is not None else t("postmortem")
        if update is not None and incident.reopens(update):
            label = f"{t('publishing.reopened')} · {label}"
        published = _moment(incident, update)
        return Entry(
            id=self.links.update_id(incident, update),
            title=f"[{label}] {incident.title}",
            link=link,
            content=str.strip(content),  # plain text for the XML writer: it escapes it itself
            category=category,
            category_label=label,
            published=published,
            updated=entry_updated(incident, update),
        )


def _with_uptime(subtitle: str, page: StatusPage, component_id: str, t: Translator) -> str:
    """A component feed's subtitle, with the uptime the monitors measured when they measure it."""
    figures = uptime_figures(page, component_id, t)
    return f"{subtitle} {figures[0]}." if figures else subtitle
