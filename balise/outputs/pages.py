"""The public pages: Jinja templates filled from a `StatusPage`, written as static HTML.

This is balise's own page layer for status pages (home, incidents, history, components).
It needs no MkDocs, and writes nothing: it yields (path, HTML) pairs, which the pipeline's
writer (`pipeline.write`) writes.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from functools import partial
from itertools import groupby
from pathlib import Path, PurePosixPath
from types import CodeType
from typing import Any

import jinja2
from markupsafe import Markup

from balise.content.messages import MarkdownRenderer, rebase_links
from balise.content.model import Component, ComponentStatus, Incident, StatusPage
from balise.content.uptime import day_period
from balise.i18n import Translator
from balise.outputs.badges import status_icon
from balise.outputs.links import incident_path, relative_url
from balise.transparency.page import prose, transparency_pages, uptime_figures

# (page path, the incidents it lists, what else it shows, how to render it) -> its HTML, or a kept copy
Memo = Callable[[str, list[Incident], dict[str, object], Callable[[], "str | bytes"]], object]
# A piece of a file made from one incident (its document in the API's lists, an entry of the site's
# feeds): (kind, incident, what else it shows, render) -> its text, which the pipeline's cache may
# hand back from the last build.
Fragment = Callable[[str, Incident, dict[str, object], Callable[[], str]], str]


def made_afresh(name: str, source: object, data: dict[str, object], render: Callable[[], Any]) -> Any:
    """A `Memo` or a `Fragment` without the pipeline's cache: every file and piece is made afresh."""
    return render()


TEMPLATES = Path(__file__).parents[1] / "templates"
ASSETS = Path(__file__).parents[1] / "assets"
HISTORY_PAGE_SIZE = 50
RECENT_DAYS = 14
RECENT_LIMIT = 20  # the home page lists at most this many recent incidents; the history has them all


@dataclass(frozen=True)
class NavLink:
    title: str
    url: str  # relative to the site root, e.g. "history/"


@dataclass
class PageContext:
    """What every page template receives besides its own data."""

    nav: list[NavLink] = field(default_factory=list)
    build: dict[str, object] = field(default_factory=dict)  # version information for the footer


class _BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates, kept for the life of the process and on disk between builds (keyed by the
    source's checksum, so an edited template is compiled again). Compiling the theme's and balise's
    templates is most of a small build's fixed cost; the cache changes no output byte. In memory the
    code objects themselves are kept: `balise serve` makes a new environment at every rebuild, and
    reading its 30 templates' bytecode again would cost it 10 ms each time.
    `BALISE_CACHE_DIR` chooses the folder (default: ~/.cache/balise); an unwritable one is skipped."""

    def __init__(self) -> None:
        self._code: dict[str, CodeType] = {}
        base = os.environ.get("BALISE_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "balise"
        )
        self._folder = Path(base) / "templates"  # made when first written to, not at import
        self._disk: jinja2.FileSystemBytecodeCache | None = jinja2.FileSystemBytecodeCache(str(self._folder))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        name = bucket.key + bucket.checksum
        code = self._code.get(name)
        if code is not None:
            bucket.code = code
        elif self._disk is not None:
            try:
                self._disk.load_bytecode(bucket)
            except Exception:  # noqa: BLE001 — a damaged cache file only means compiling again
                bucket.reset()
            if bucket.code is not None:
                self._code[name] = bucket.code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            self._code[bucket.key + bucket.checksum] = bucket.code
        if self._disk is not None:
            try:
                self._folder.mkdir(parents=True, exist_ok=True)
                self._disk.dump_bytecode(bucket)
            except OSError:  # an unwritable cache folder: keep compiled templates in memory only
                self._disk = None


TEMPLATE_BYTECODE = _BytecodeCache()  # also given to the theme's environment by the plugin


def paginated(base: str, incidents: list[Incident]) -> Iterator[tuple[str, list[Incident], dict[str, Any]]]:
    """(path, incidents, pager) for each page of a list of `HISTORY_PAGE_SIZE` incidents: `base`,
    then `base`page/2/…; the pager holds the page's number, the count, and the newer and older pages."""
    pages = max(1, math.ceil(len(incidents) / HISTORY_PAGE_SIZE))
    paths = [base] + [f"{base}page/{number}/" for number in range(2, pages + 1)]
    for index, path in enumerate(paths):
        chunk = incidents[index * HISTORY_PAGE_SIZE : (index + 1) * HISTORY_PAGE_SIZE]
        pager = {
            "number": index + 1,
            "pages": pages,
            "newer": paths[index - 1] if index else None,
            "older": paths[index + 1] if index + 1 < pages else None,
        }
        yield path, chunk, pager


ESSENTIAL_END = "/* -- end of the essential rules -- */"
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def essential_css() -> str:
    """The rules every page needs (colours, header, footer, status pills), from the top of balise.css,
    without comments and line breaks: the 404 page carries them inline, since it is served at any
    address and on any host (a preview, a laptop), where no link to the stylesheet is sure to work."""
    return compact_css((ASSETS / "balise.css").read_text(encoding="utf-8").split(ESSENTIAL_END, 1)[0])


def compact_css(css: str) -> str:
    """A stylesheet without its comments, on one line: for CSS carried inside a page or a script."""
    return " ".join(_CSS_COMMENT.sub("", css).split())


def drawn_days(
    days: list[tuple[date, ComponentStatus, list[Incident]]], measured: dict[str, Any] | None
) -> list[tuple[int, date, ComponentStatus, list[Incident], str | None]]:
    """The days of an uptime bar (`StatusPage.daily_impact`) drawn over its operational background,
    each with its place (0: the oldest) and the monitors' words for it (`SiteRenderer.measured`):
    a day with an incident, or with words. Most of 90 days have neither, and a template weighing
    each of them costs the home page a few milliseconds."""
    said = measured["days"] if measured else {}
    return [
        (index, day, status, incidents, words)
        for index, (day, status, incidents) in enumerate(days)
        if (words := said.get(day)) or status != ComponentStatus.OPERATIONAL
    ]


class SiteRenderer:
    """Renders every status page of a `StatusPage` into a directory."""

    def __init__(self, page: StatusPage, context: PageContext, custom_templates: Path | None = None):
        self.page = page
        self.context = context
        self.custom_templates = custom_templates
        # The pipeline's cache may hand back a list page it kept (`pipeline.stages.OutputKeys.memo`).
        self.memo: Memo = made_afresh
        self.t = Translator(page.settings.language, page.settings.timezone)
        self.markdown = MarkdownRenderer(page.settings.language)
        search = [str(custom_templates)] if custom_templates and custom_templates.is_dir() else []
        self.loader = jinja2.FileSystemLoader(search + [str(TEMPLATES)])  # the site's overrides, then balise's
        self.env = jinja2.Environment(
            loader=self.loader,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,  # one build, templates do not change under it: no stat() per page
            bytecode_cache=TEMPLATE_BYTECODE,
        )
        self.env.filters["drawn_days"] = drawn_days
        self.env.globals.update(
            t=self.t,
            site=page,
            settings=page.settings,
            context=context,
            markdown=self.markdown,
            message=self.message,
            status_icon=status_icon,
            now=page.now,
            url=self.url,
            measured=self.measured,
        )
        self._page_path = ""
        self._absolute_base: str | None = None  # set while rendering the 404 page
        # The same on every page (no relative link in it): rendered once, not once per page.
        self.env.globals["footer_note"] = self.fragment("partials/footer_note.html")

    # -- pages -----------------------------------------------------------------
    def pages(self) -> Iterator[tuple[str, object]]:
        """Yield (site-relative output path, HTML) for every status page."""
        yield from self.site_pages()
        for incident in self.page.incidents:
            yield from self.incident_pages(incident)

    def site_pages(self) -> Iterator[tuple[str, object]]:
        """The pages that are not one incident's: the writer may render those on other cores."""
        yield "index.html", self.render("home.html", "", **self.home_data())
        # The 404 page shows only what the site's key holds (settings, components, overall status).
        yield "404.html", self.memo("404.html", [], {}, self.not_found_page)
        yield from self.history_pages()
        yield from transparency_pages(self)
        for component in self.page.components:
            yield from self.component_pages(component)
        for withdrawn in self.page.withdrawn:
            yield from self.withdrawn_pages(withdrawn)

    def incident_pages(self, incident: Incident) -> Iterator[tuple[str, str]]:
        path = incident_path(incident)
        yield path + "index.html", self.render("incident.html", path, incident=incident)
        yield from self.redirect_pages(incident)

    def withdrawn_pages(self, incident: Incident) -> Iterator[tuple[str, str]]:
        """A wholly withdrawn incident's page stays at its address: withdrawn when, and why."""
        path = incident_path(incident)
        yield path + "index.html", self.render("withdrawn_incident.html", path, incident=incident)
        yield from self.redirect_pages(incident)

    def redirect_pages(self, incident: Incident) -> Iterator[tuple[str, str]]:
        """At each address it had before a rename, a static page pointing to its address now."""
        for former in incident.former_ids:
            path = f"incidents/{former}/"
            base = self.page.settings.site_url
            target = base + incident_path(incident) if base else relative_url(incident_path(incident), path)
            link = Markup('<a href="{0}">{1}</a>').format(target, incident.title)
            yield path + "index.html", self.render("redirect.html", path, incident=incident, target=target, link=link)

    def home_data(self) -> dict[str, object]:
        page = self.page
        # In UTC, so the days are 24 hours across a change of season; compared as times, not timestamps
        # (20,000 of those are slower to make than the comparisons).
        since = page.now.astimezone(timezone.utc) - timedelta(days=RECENT_DAYS)
        recent = [i for i in page.incidents if i.updated_at >= since and i.is_closed][:RECENT_LIMIT]
        groups = []
        for group in page.groups:
            members = [c for c in page.components if c.group == group.id]
            if members:
                groups.append((group, members))
        ungrouped = [c for c in page.components if c.group is None]
        # The banner names what is affected and which promise is late, so a phone shows both in its first screen.
        affected = [c for c in page.components if page.component_status[c.id] != "operational"]
        overdue = [i for i in page.open_incidents + page.active_maintenance if i.is_overdue(page.now)]
        return {
            "groups": groups,
            "ungrouped": ungrouped,
            "open_incidents": page.open_incidents,
            "active_maintenance": page.active_maintenance,
            "upcoming_maintenance": page.upcoming_maintenance,
            "recent": recent,
            "affected": affected,
            "only_maintenance": all(page.component_status[c.id] == "under_maintenance" for c in affected),
            "overdue": overdue,
        }

    def measured(self, component_id: str) -> dict[str, Any] | None:
        """What the monitors measured of a component (`content.uptime`): its uptime over 30 and 90 days,
        and each of the last 90 days' words (downtime, partial day, explanation); None if unmeasured."""
        data = self.page.transparency
        uptime = data.uptime if data is not None else None
        if uptime is None or not uptime.measured(component_id):
            return None
        today = self.page.local_date(self.page.now)
        first = today - timedelta(days=89)
        figures, d90 = uptime_figures(self.page, component_id, self.t) or ("", "")
        words: dict[date, str] = {}
        for day, measure in uptime.days[component_id].items():
            if not first <= day <= today or not (measure.down or measure.partial):
                continue
            parts = [self.t("uptime.day_down", minutes=measure.down) if measure.down else self.t("uptime.day_no_down")]
            if measure.partial:
                parts.append(self.t("uptime.day_partial", checked=self.t.duration(timedelta(minutes=measure.checked))))
            periods = measure.outages or (day_period(day, self.page.settings.timezone),)
            explained = next((e for p in periods if (e := uptime.explained(component_id, p))), None)
            if measure.down and explained is not None:
                parts.append(self.t("uptime.day_explained", reason=prose(explained.reason, self.t)))
            words[day] = ", ".join(parts)
        return {
            "figures": figures,
            "d90": d90,
            "days": words,
            "down_days": sorted(
                day for day, m in uptime.days[component_id].items() if m.down and first <= day <= today
            ),
        }

    def history_pages(self) -> Iterator[tuple[str, object]]:
        for path, chunk, pager in paginated("history/", self.page.incidents):
            yield (
                path + "index.html",
                self.memo(path + "index.html", chunk, pager, partial(self._history_page, path, chunk, pager)),
            )

    def _history_page(self, path: str, chunk: list[Incident], pager: dict[str, Any]) -> str:
        months = [
            (self.t.month_year(*key), list(items)) for key, items in groupby(chunk, key=lambda i: self._year_month(i))
        ]
        return self.render("history.html", path, months=months, **pager)

    def component_pages(self, component: Component) -> Iterator[tuple[str, object]]:
        """A component's page (its state, 90 days, latest incidents), then pages of its older incidents."""
        incidents = self.page.incidents_by_component.get(component.id, [])
        status = self.page.component_status[component.id]
        for path, chunk, pager in paginated(f"components/{component.id}/", incidents):
            days = self.page.daily_impact(component.id) if pager["number"] == 1 else []
            render = partial(
                self.render,
                "component.html",
                path,
                component=component,
                status=status,
                days=days,
                incidents=chunk,
                **pager,
            )
            # The first page shows the last 90 days too: what each day was, and which incidents made it.
            shown = chunk + [incident for _, _, of_day in days for incident in of_day]
            # Its first day and each day's status, as words: 90 dates' and enums' reprs cost 0.2 ms a page.
            timeline = (days[0][0].isoformat(), [str(day_status) for _, day_status, _ in days]) if days else None
            file = path + "index.html"
            measured = self.measured(component.id) if pager["number"] == 1 else None
            data = {**pager, "status": status, "days": timeline, "measured": repr(measured)}
            yield file, self.memo(file, shown, data, render)

    def _year_month(self, incident: Incident) -> tuple[int, int]:
        local = self.t.local(incident.started_at)
        return local.year, local.month

    def render(self, template: str, path: str, **data: Any) -> str:
        self._page_path = path  # `url()` in templates and macros links relative to this page
        return self.env.get_template(template).render(page_path=path, **data)

    def fragment(self, template: str) -> Markup:
        """A piece of a page (e.g. the footer note) for pages balise does not render itself."""
        return Markup(self.render(template, ""))

    def url(self, target: str) -> str:
        if self._absolute_base is not None:
            return self._absolute_base + target
        return relative_url(target, self._page_path)

    def not_found_page(self) -> str:
        """404.html, which the host serves at whatever address was not found: its links are absolute
        (from `site_url`, or from the host's root without one). Light, like the status pages: it
        replaces the theme's, which loads the theme's whole stylesheet and scripts."""
        self._absolute_base = self.page.settings.site_url or "/"
        try:
            return self.render("404.html", "404.html", inline_css=Markup(essential_css()))
        finally:
            self._absolute_base = None

    def message(self, text: str, incident: Incident) -> Markup:
        """A message (or postmortem) of `incident` as HTML for the page being rendered: its relative
        links were written from the incident's page, and are rebased from there."""
        here = self._page_path

        def write(target: str) -> str:
            if target == here or target.startswith(here + "#"):  # this very page: keep it a fragment
                return target[len(here) :] or "./"
            return self.url(target)

        return Markup(rebase_links(self.markdown(text), incident_path(incident), write))


def asset_files() -> Iterator[tuple[str, bytes]]:
    """balise's stylesheet and scripts, as (site-relative path, bytes)."""
    for asset in sorted(ASSETS.iterdir()):
        yield str(PurePosixPath("assets/balise", asset.name)), asset.read_bytes()
