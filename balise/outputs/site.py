"""Everything balise writes besides the HTML status pages: feeds, the JSON API, the maintenance
calendar, badges, and the Subscribe page that lists them with this site's addresses.

No MkDocs here, and nothing written: `Outputs` takes the published page, the translator, the
Markdown renderer and the templates' loader the pages use, and yields (path, content) pairs, which
`pipeline.produce` hands to the writer; the Subscribe page is rendered with the pages' layout
(`SiteRenderer`). Same input, same bytes.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timezone
from functools import lru_cache

import jinja2

from balise.content.messages import MarkdownRenderer
from balise.content.model import Incident, Settings, StatusPage
from balise.i18n import Translator
from balise.outputs.api import API_DIR, StatuspageAPI
from balise.outputs.badges import BadgeWriter
from balise.outputs.calendar import CALENDAR_PATH, maintenance_calendar
from balise.outputs.embed import EMBED_PATH, embed_script
from balise.outputs.feeds import FeedWriter, atom_time, rss_time
from balise.outputs.links import SiteLinks, relative_url
from balise.outputs.pages import TEMPLATE_BYTECODE, TEMPLATES, Fragment, Memo, SiteRenderer, made_afresh
from balise.outputs.xmldoc import sitemap_document

SUBSCRIBE_PATH = "subscribe/"
API_DOCUMENTS = (  # (path under api/v2/, translation key of its description)
    ("summary.json", "summary"),
    ("status.json", "status"),
    ("components.json", "components"),
    ("incidents.json", "incidents"),
    ("incidents/unresolved.json", "unresolved"),
    ("scheduled-maintenances.json", "maintenances"),
    ("scheduled-maintenances/upcoming.json", "upcoming"),
    ("scheduled-maintenances/active.json", "active"),
)


def data_environment(loader: jinja2.BaseLoader, t: Translator) -> jinja2.Environment:
    """Templates for XML and SVG: autoescaping always on (file names like *.xml would not match
    `select_autoescape`), and no HTML-page globals."""
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=TEMPLATE_BYTECODE,  # compiled once, kept between builds, as the pages' templates
    )
    env.globals["t"] = t
    env.filters.update(atom_time=atom_time, rss_time=rss_time)
    return env


class Outputs:
    """The files read outside the site, from the published page: per incident (its feed), and
    site-wide. `loader` finds the templates (the site's own first), `markdown` renders messages."""

    def __init__(
        self,
        page: StatusPage,
        t: Translator,
        markdown: MarkdownRenderer,
        loader: jinja2.BaseLoader,
        memo: Memo | None = None,
        fragment: Fragment | None = None,
    ):
        self.page, self.t = page, t
        self.memo: Memo = memo or made_afresh
        self.fragment = fragment
        self.links = SiteLinks(page.settings)
        self.env = data_environment(loader, t)
        self.feeds = FeedWriter(page, self.env, t, markdown, self.links, self.memo, fragment)

    def incident_files(self, incident: Incident) -> Iterator[tuple[str, str]]:
        yield from self.feeds.incident_files(incident)

    def files(self) -> Iterator[tuple[str, object]]:
        """Yield (site-relative path, text or bytes) for every site-wide output."""
        page, t, links = self.page, self.t, self.links
        yield from self.feeds.files()
        yield from StatuspageAPI(page, t, links, self.fragment).files()
        maintenances = page.maintenances  # all the calendar shows
        yield CALENDAR_PATH, self.memo(CALENDAR_PATH, maintenances, {}, lambda: maintenance_calendar(page, t, links))
        yield from BadgeWriter(page, self.env, t).files()
        # The banner's script holds the site's address, zone and words: all in the site's key.
        yield EMBED_PATH, self.memo(EMBED_PATH, [], {}, lambda: embed_script(page, self.env)[1])


def subscribe_page(renderer: SiteRenderer) -> tuple[str, object]:
    """The Subscribe page, a status page that lists the outputs with this site's addresses (and
    the settings, components and overall status, which the site's key holds: `memo` may keep it)."""

    def render() -> str:
        data = subscribe_data(renderer, SiteLinks(renderer.page.settings))
        return renderer.render("subscribe.html", SUBSCRIBE_PATH, **data)

    path = SUBSCRIBE_PATH + "index.html"
    return path, renderer.memo(path, [], {}, render)


def sitemap_files(
    page: StatusPage, written: list[str], others: list[str], memo: Memo | None = None
) -> list[tuple[str, object]]:
    """sitemap.xml (and its gzip copy) for search engines, which a crisis sends many readers through:
    every page balise wrote (`written`, site-relative paths), and `others`, the addresses of pages
    made elsewhere (the writers' own, by the theme). An incident page changes with its last update;
    the others with every build, so they are dated by the reference time's day. The gzip header is
    dated by the newest of those days: the same addresses and days make the same bytes, so `memo`
    can hand both files back from the last site (41,000 addresses take 0.3 s to write and pack;
    another update the same day changes none of them)."""
    links = SiteLinks(page.settings)
    day = page.now.astimezone(timezone.utc).date().isoformat()
    changed = {
        links.incident_path(i): i.last_changed.astimezone(timezone.utc).date().isoformat()
        for i in [*page.incidents, *page.withdrawn]
    }
    moved = {f"incidents/{former}/" for i in [*page.incidents, *page.withdrawn] for former in i.former_ids}
    urls = dict.fromkeys(others, day)
    for path in written:
        if path == "index.html" or path.endswith("/index.html"):
            folder = path.removesuffix("index.html")
            if folder not in moved:  # an old address only redirects: not a page to index
                urls.setdefault(links.shown(folder), changed.get(folder, day))
    entries = sorted(urls.items())
    newest = datetime.combine(date.fromisoformat(max((d for _, d in entries), default=day)), time(), timezone.utc)

    @lru_cache(maxsize=1)  # the gzip copy is made from it too
    def document() -> bytes:
        return sitemap_document(entries).encode("utf-8")

    def packed() -> bytes:
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, filename="sitemap.xml.gz", mode="wb", mtime=int(newest.timestamp())) as file:
            file.write(document())
        return buffer.getvalue()

    memo = memo or made_afresh
    data: dict[str, object] = {"addresses": entries}
    return [
        ("sitemap.xml", memo("sitemap.xml", [], data, document)),
        ("sitemap.xml.gz", memo("sitemap.xml.gz", [], data, packed)),
    ]


def subscribe_data(renderer: SiteRenderer, links: SiteLinks) -> dict[str, object]:
    page = renderer.page
    home = links.shown("")
    calendar = links.shown(CALENDAR_PATH)
    badge = links.shown("badge.svg")
    example = page.components[0] if page.components else None
    return {
        "absolute": links.absolute,
        "feeds": [
            (renderer.t("subscribe.feed_atom"), links.shown("history.atom")),
            (renderer.t("subscribe.feed_rss"), links.shown("history.rss")),
        ],
        "component_feeds": [
            (c, links.shown(f"components/{c.id}/history.atom"), links.shown(f"components/{c.id}/history.rss"))
            for c in page.components
        ],
        "calendar": calendar,
        "webcal": "webcal://" + calendar.split("://", 1)[1] if links.absolute else None,
        "api": [(links.shown(API_DIR + path), renderer.t(f"subscribe.api.{key}")) for path, key in API_DOCUMENTS],
        "badge": badge,
        "badge_markdown": f"[![{page.settings.site_name}]({badge})]({home})",
        "badge_alt": page.settings.site_name,
        "home": home,
        "component_badge": links.shown(f"components/{example.id}/badge.svg") if example else None,
        "embed": links.shown(EMBED_PATH),
        "embed_example": example.id if example else "",
        "follow_links": page.settings.follow_links,
    }


def head_links(settings: Settings, page_path: str) -> str:
    """The site-wide feeds' `<link rel="alternate">` tags for a page balise does not render
    (the writers' MkDocs pages), linked relative to `page_path`."""
    links = SiteLinks(settings)  # absolute when possible: right from any page's depth
    return _feed_links_template(settings).render(
        settings=settings,
        url=lambda target: links.base + target if links.absolute else relative_url(target, page_path),
    )


@lru_cache(maxsize=4)
def _feed_links_template(settings: Settings) -> jinja2.Template:
    """Compiled once per build, not once per page."""
    t = Translator(settings.language, settings.timezone)
    return data_environment(jinja2.FileSystemLoader(str(TEMPLATES)), t).get_template("partials/feed_links.html")
