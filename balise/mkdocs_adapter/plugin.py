"""The MkDocs plugin: typed configuration, and balise's pipeline run inside the MkDocs build.

Hooks stay thin: they translate mkdocs.yml into the pipeline's `Sources` and `Settings` and call its
stages (`balise.pipeline.stages`); what is left here is what only MkDocs has: the writers' own pages, the
theme's navigation, and the addresses of those pages, which the pipeline lists in its sitemap. When
nothing MkDocs reads changed since the last build, `build_without_mkdocs` takes the theme's files
from the last site (the build cache says which) and runs the pipeline alone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from markupsafe import Markup
from mkdocs.config import base, config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Navigation, Section

from balise.content import loaders
from balise.content.model import Settings, StatusPage
from balise.content.version import SourceVersion
from balise.errors import Collector, ContentError, show_problems
from balise.i18n import Translator
from balise.outputs.pages import TEMPLATE_BYTECODE, NavLink, SiteRenderer
from balise.outputs.site import head_links
from balise.pipeline import stages as pipeline
from balise.pipeline.cache import BuildCache, MkDocsRecord, Prepared
from balise.pipeline.stages import template_problem
from balise.pipeline.unchanged import (
    SITE_URL_UNSET,
    balise_inputs,
    dated,
    mkdocs_key,
    say,
    shows_as_of,
    write_balise_files,
    write_with_last_theme,
)
from balise.pipeline.write import Folder, folder_times
from balise.timeline import TimeError, parse_time

log = get_plugin_logger(__name__)

# Folders of the docs dir that hold balise's data, not pages: never copied to the site.
DATA_FOLDERS = ("testimonials", "playbooks", "monitoring")
# balise's own pages in the navigation, after the home page: (translation key, site-relative URL).
STATUS_LINKS = [("nav_history", "history/"), ("transparency.nav", "transparency/"), ("subscribe.nav", "subscribe/")]
# balise's adjustments to the theme's own pages (written with balise's other assets).
MATERIAL_CSS = "assets/balise/material.css"
THEME_OVERRIDES = Path(__file__).parents[1] / "theme"


class TimeZone(c.OptionallyRequired[ZoneInfo]):
    """An IANA time zone name such as Europe/Paris."""

    def run_validation(self, value: object) -> ZoneInfo:
        try:
            return ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise c.ValidationError(f"unknown time zone '{value}' — use an IANA name such as Europe/Paris") from None


class Moment(c.OptionallyRequired[datetime]):
    """A moment in ISO 8601 with its UTC offset, such as 2026-11-22T12:30:00+01:00."""

    def run_validation(self, value: object) -> datetime:
        text = value.isoformat() if isinstance(value, datetime) else str(value)  # YAML reads it as a datetime
        try:
            return parse_time(text)
        except TimeError as error:
            raise c.ValidationError(str(error)) from None


class MonitoringFeed(base.Config):
    """One feed `balise ingest` reads: mention alerts, review notifications or a provider's status feed."""

    name = c.Type(str)
    url = c.URL()
    kind = c.Choice(("mentions", "reviews", "provider"), default="mentions")


class UptimeMonitor(base.Config):
    """One monitor of an uptime source, and the component of status/components.yml it measures."""

    component = c.Type(str)
    name = c.Type(str, default="")  # Upptime slug, Gatus endpoint name or key, Uptime Kuma monitor name
    query = c.Type(str, default="")  # Prometheus: the expression (the share of each step the service was up)


class UptimeSourceKind(c.OptionallyRequired[str]):
    """upptime, gatus, uptime_kuma or prometheus, with a did-you-mean for a typo."""

    def run_validation(self, value: object) -> str:
        from balise.content.fields import did_you_mean
        from balise.uptime.sources import KINDS

        if str(value) not in KINDS:
            raise c.ValidationError(f"unknown kind '{value}' — {did_you_mean(str(value), KINDS)}")
        return str(value)


class UptimeSource(base.Config):
    """One monitoring tool `balise uptime` reads (credentials only through `!ENV`)."""

    name = c.Type(str)
    kind = UptimeSourceKind()
    url = c.Type(str, default="")
    path = c.Type(str, default="")  # Upptime: a local clone of its repository
    slug = c.Type(str, default="")  # Uptime Kuma: the public status page
    step = c.Type(int, default=300)  # Prometheus: seconds per sample
    days = c.Type(int, default=7)  # Prometheus: how far back each run reads
    token = c.Optional(c.Type(str))  # sent as a bearer token: `token: !ENV NAME`
    monitors = c.ListOfItems(c.SubConfig(UptimeMonitor), default=[])


class FollowLink(base.Config):
    """A public way to follow the site, listed on the Subscribe page (a Mastodon account, a list's sign-up page…)."""

    name = c.Type(str)
    url = c.URL()


class BaliseConfig(base.Config):
    timezone = TimeZone(default="Europe/Paris")
    status_dir = c.Type(str, default="status")
    incidents_dir = c.Type(str, default="incidents")
    # The moment the site shows, for a demo or a reproduction (SOURCE_DATE_EPOCH, when set, wins).
    as_of = c.Optional(Moment())
    # Monitoring (balise ingest): the feeds, and when a period's volume counts as a spike.
    monitoring_feeds = c.ListOfItems(c.SubConfig(MonitoringFeed), default=[])
    monitoring_period = c.Choice(("week", "day"), default="week")
    spike_factor = c.Type((int, float), default=2.0)  # over this many times the baseline...
    spike_window = c.Type(int, default=4)  # ...the median of this many previous periods
    spike_min = c.Type(int, default=5)  # and never for fewer items than this
    feed_timeout = c.Type((int, float), default=10)  # seconds, for a whole feed
    feed_max_bytes = c.Type(int, default=5 * 1024 * 1024)
    # Measured uptime (balise uptime): the monitors, and the downtime `balise check` holds against incidents.
    uptime_sources = c.ListOfItems(c.SubConfig(UptimeSource), default=[])
    uptime_threshold = c.Type((int, float), default=5)  # minutes of downtime no incident covers
    # Notifications (balise notify): the channels, plain data checked by balise.notify.config (with
    # their lines in mkdocs.yml); news older than max_age hours is never sent; reminders, in hours
    # before a maintenance; the delivery ledger; the public follow links of the Subscribe page.
    notify = c.ListOfItems(c.Type(dict), default=[])
    notify_max_age = c.Type((int, float), default=6)
    notify_reminders = c.ListOfItems(c.Type((int, float)), default=[24, 1])
    notify_ledger = c.Type(str, default=".balise/notify-ledger.jsonl")
    follow = c.ListOfItems(c.SubConfig(FollowLink), default=[])


class BalisePlugin(BasePlugin[BaliseConfig]):
    """One instance per build: with no on_startup/on_shutdown hook, MkDocs makes a new one for every
    rebuild of `serve`, so content, settings and the reference time are always read afresh."""

    supports_multiple_instances = False

    def __init__(self):
        self.content: loaders.Content | None = None  # may be handed in, already loaded, by the CLI
        self.version = SourceVersion()
        self.nav: Navigation | None = None
        self.settings: Settings | None = None
        self.root = Path(".")
        self.repo_url = ""
        self.docs_dir = Path("content")
        self.sources: pipeline.Sources | None = None
        self._history_of = None  # the content whose amendments were read from git
        self.renderer: SiteRenderer | None = None  # made in on_env, used in on_post_build
        self.cache: BuildCache | None = None  # the build cache of this site and output folder
        self.mkdocs_key = ""  # what MkDocs reads: unchanged, its last output can be reused
        self.reads: list[Path] = []  # what the build reads (`read_paths`)
        self.site_dir = Path("site")
        self.strict = False

    # -- settings and content ---------------------------------------------------
    def on_config(self, config):
        if self.settings is None:  # the CLI may have prepared this instance already
            self.prepare(config)
        if self.content is None:
            report = Collector(self.root)
            self.content = self.load(report)
            try:
                pipeline.validate(report)
            except ContentError:
                raise PluginError("\n".join(str(problem) for problem in report.errors)) from None
        if MATERIAL_CSS not in config.extra_css:  # contrast fixes for the theme's own pages
            config.extra_css.append(MATERIAL_CSS)
        # MkDocs themes print these unescaped (in attributes too): a quote or '<' in the site's
        # name would break Material's pages, or run as script. Escaped once here, as Markup,
        # they print as text everywhere (`|e` leaves Markup alone, so nothing is escaped twice).
        for key in ("site_name", "site_description"):
            if config.get(key):
                config[key] = Markup.escape(config[key])
        try:
            self.read_history()
        except ContentError as refused:
            raise PluginError(str(refused)) from None
        # Material's footer on the writers' own pages gets balise's version note (theme/partials).
        if str(THEME_OVERRIDES) not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_OVERRIDES))
        return config

    def read_history(self) -> None:
        """Read the public record in git history (once per loaded content): amended updates marked,
        renames followed; a published statement removed without a withdrawal is a ContentError."""
        if self.content is None or self._history_of is self.content:
            return
        report = Collector(self.root)
        memo = self.cache.log_memo() if self.cache is not None else None
        self.content, warning = pipeline.apply_amendments(self.sources, self.content, report, memo)
        pipeline.validate(report)
        self._history_of = self.content
        if warning:  # not a MkDocs warning: a shallow clone must not fail `build --strict`
            show_problems([warning])

    def prepare(self, config) -> None:
        """Read the settings content depends on: paths, time zone, language, reference time."""
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.reads = self.read_paths(config)
        self.site_dir = Path(config.site_dir)
        self.repo_url = str(config.repo_url or "")
        self.docs_dir = Path(config.docs_dir)
        custom = Path(config.theme.custom_dir) / "balise" if config.theme.custom_dir else None
        self.sources = pipeline.Sources(
            self.root, self.status_dir, self.incidents_dir, self.docs_dir, self.config.incidents_dir, custom
        )
        self.settings = Settings(
            timezone=self.config.timezone,
            language=str(config.theme.get("language") or "en"),
            site_url=(config.site_url or "").rstrip("/") + "/" if config.site_url else "",
            site_name=config.site_name,
            websub_hub=next((str(e.get("url") or "") for e in self.config.notify if e.get("kind") == "websub"), ""),
            follow_links=tuple((str(link.name), str(link.url)) for link in self.config.follow),
        )
        self.date()
        self.cache = BuildCache(self.root, self.site_dir)
        # Everything MkDocs reads but balise's content and code (in the cache's fingerprint).
        self.strict = bool(config.strict)
        self.mkdocs_key = mkdocs_key(self.reads, balise_inputs(self.sources), self.strict, str(self.site_dir))

    def date(self) -> None:
        """The commit the build is of, and the moment it shows (`content.version.reference_time`)."""
        assert self.settings is not None
        self.settings, self.version = dated(self.settings, self.root, self.reads, self.site_dir, self.config.as_of)

    def prepared(self, key: str, said: list[tuple[str, str]]) -> Prepared:
        """What `prepare` derived from mkdocs.yml (read under `key`), for a build that need not read it."""
        assert self.settings is not None
        timeless = replace(self.settings, now=None, commit=None, commit_time=None, written_by=None)
        return Prepared(
            key,
            self.sources,
            timeless,
            self.config.as_of,
            self.repo_url,
            self.reads,
            str(self.site_dir),
            self.strict,
            self.mkdocs_key,
            said,
        )

    def renewed(self) -> BalisePlugin:
        """This plugin for the next build of the same site (`balise serve`), where only the content
        changed: the time and version read again, the cache handed on, nothing read from MkDocs."""
        assert self.cache is not None
        new = BalisePlugin()
        new.config = self.config
        new.root, new.reads, new.site_dir, new.repo_url = self.root, self.reads, self.site_dir, self.repo_url
        new.docs_dir, new.sources, new.settings, new.mkdocs_key = (
            self.docs_dir,
            self.sources,
            self.settings,
            self.mkdocs_key,
        )
        new.strict = self.strict
        new.date()
        new.cache = self.cache.following()
        return new

    def read_paths(self, config) -> list[Path]:
        """What a build reads, from the site's settings: only changes there make the work tree count
        as modified (and the build be dated by the clock rather than by the commit)."""
        paths = [
            Path(config.config_file_path or "mkdocs.yml"),
            Path(config.docs_dir),
            self.status_dir,
            self.incidents_dir,
            *map(Path, config.watch),
        ]
        if config.theme.custom_dir:
            paths.append(Path(config.theme.custom_dir))
        paths += [Path(hook.__file__) for hook in (config.hooks or {}).values() if getattr(hook, "__file__", None)]
        paths += _inherited(Path(config.config_file_path or "mkdocs.yml"))
        return paths + [Path(__file__).parents[1]]  # balise itself, where it is part of the repository (as in its own)

    @property
    def shown_as_of(self) -> bool:
        """Whether the site shows the moment `as_of` pins rather than the one it was built at."""
        return shows_as_of(self.config.as_of)

    @property
    def status_dir(self) -> Path:
        return self.root / self.config.status_dir

    @property
    def incidents_dir(self) -> Path:
        return self.root / self.config.incidents_dir

    def load(self, report: Collector) -> loaders.Content:
        return pipeline.read(self.sources, self.settings, report, self.cache)

    @property
    def playbooks_dir(self) -> Path:
        return self.docs_dir / "playbooks"

    def status_page(self) -> StatusPage:
        assert self.content is not None
        return pipeline.publish(self.content, self.settings)

    # -- the MkDocs build ---------------------------------------------------------
    def on_files(self, files: Files, config) -> Files:
        for file in list(files):
            if file.src_uri.split("/", 1)[0] in DATA_FOLDERS:
                files.remove(file)
        if files.get_file_from_path("index.md") is None:
            # The home page is balise's own; MkDocs needs a page there for its navigation.
            files.append(File.generated(config, "index.md", content=f"# {config.site_name}\n"))
        return files

    def on_nav(self, nav: Navigation, config, files) -> Navigation:
        """Put balise's own pages first in the navigation, then the writers' pages."""
        t = Translator(self.settings.language, self.settings.timezone)
        home = nav.homepage
        if home is not None:
            home.title = t("nav_status")
        ours = [Link(t(key), url) for key, url in STATUS_LINKS]
        nav.items = ([home] if home is not None else []) + ours + [item for item in nav.items if item is not home]
        self.nav = nav
        return nav

    def on_env(self, env, config, files):
        """The theme's compiled templates outlive a build, so `balise serve` rebuilds faster; and
        Material's footer on the writers' own pages gets balise's version note (theme/partials)."""
        if env.bytecode_cache is None:
            env.bytecode_cache = TEMPLATE_BYTECODE
        with _template_problems(self.root):
            # The one renderer of this build: its navigation is filled in on_post_build.
            self.renderer = pipeline.renderer(self.status_page(), self.build_info(), self.sources.custom_templates)
        env.globals["balise_footer"] = self.renderer.env.globals["footer_note"]
        return env

    def on_serve(self, server, config, builder):
        for folder in (self.status_dir, self.incidents_dir):
            if folder.is_dir():
                server.watch(str(folder))
        return server

    @event_priority(-100)  # after other plugins, so balise's pages win
    def on_post_build(self, config) -> None:
        # Page titles are known only once MkDocs has read the pages, hence here and not in on_nav.
        nav = [link for item in self.nav.items if (link := _nav_link(item))] if self.nav else []
        site_dir = Path(config.site_dir)
        theirs = _mkdocs_files(site_dir)
        sitemap = _sitemap_addresses(site_dir / "sitemap.xml")
        written = self.write_site(Folder(site_dir), nav, sitemap)
        if self.cache is not None:
            self.cache.made(self.mkdocs_key, [(path, _text_of(site_dir / path)) for path in theirs - set(written)])
            self.cache.fresh.files = sorted(theirs.union(written))
            self.cache.fresh.folders = folder_times(site_dir, self.cache.fresh.files)
            files = self.cache.fresh.groups.get(self.mkdocs_key)
            if files is not None:
                record = MkDocsRecord(self.mkdocs_key, files, [(link.title, link.url) for link in nav], sitemap)
                self.cache.fresh.mkdocs = record

    def write_site(self, site: Folder, nav: list[NavLink], sitemap: list[str] | None) -> list[str]:
        """balise's pages, feeds, API, calendar… (over the theme's home and 404 pages), and the
        sitemap of them all with the writers' pages (`sitemap`, if the theme makes one)."""
        assert self.renderer is not None
        with _template_problems(self.root):
            written = write_balise_files(site, self.renderer, self.cache, nav, sitemap)
        self.warn_without_site_url()
        return written

    def warn_without_site_url(self) -> None:
        if not self.settings.site_url:
            log.warning(SITE_URL_UNSET)

    # -- a build MkDocs need not redo ---------------------------------------------------
    def last_mkdocs_build(self) -> MkDocsRecord | None:
        """What the last MkDocs build made, when it read what this one would (else None)."""
        if self.cache is None:
            return None
        record = self.cache.previous.mkdocs
        return record if record is not None and record.key == self.mkdocs_key else None

    def build_without_mkdocs(self, site: Folder, record: MkDocsRecord, said: Iterable[tuple[str, str]] = ()) -> bool:
        """The site with the theme's files of the last build (its pages with this build's footer
        note), and what MkDocs warned then (`said`) said again; False when they cannot all be taken
        from there (then MkDocs builds)."""
        assert self.cache is not None and self.sources is not None
        if self.content is None:
            report = Collector(self.root)
            self.content = self.load(report)
            pipeline.validate(report)
        self.read_history()
        with _template_problems(self.root):
            self.renderer = pipeline.renderer(self.status_page(), self.build_info(), self.sources.custom_templates)
        with _template_problems(self.root):
            if write_with_last_theme(site, self.renderer, self.cache, record) is None:
                return False
        say(said, self.root)
        self.warn_without_site_url()
        return True

    def on_post_page(self, output: str, page, config) -> str:
        """The writers' own pages advertise the site-wide feeds too."""
        output = output.replace("</head>", head_links(self.settings, page.url) + "</head>", 1)
        return _without_invalid_autocomplete(output)

    def on_post_template(self, output: str, template_name: str, config) -> str:
        return _without_invalid_autocomplete(output) if template_name.endswith(".html") else output

    def build_info(self) -> dict:
        return pipeline.build_info(self.version, self.repo_url, self.shown_as_of)

    def on_pre_page(self, page, config, files):
        """MkDocs dates its pages (sitemap.xml, and sitemap.xml.gz's header) by the clock; use the
        build's reference time instead, so the same commit builds the same bytes."""
        from datetime import timezone

        page.update_date = self.settings.reference_time.astimezone(timezone.utc).strftime("%Y-%m-%d")
        return page

    def on_page_context(self, context, page, config, nav):
        """MkDocs gives templates `build_date_utc` from the clock (a theme may print it): the reference time."""
        return self._dated(context)

    def on_template_context(self, context, template_name, config):
        return self._dated(context)

    def _dated(self, context):
        from datetime import timezone

        context["build_date_utc"] = self.settings.reference_time.astimezone(timezone.utc)
        return context


# Material writes autocomplete="off" on its two hidden menu checkboxes (squidfunk/mkdocs-material#1513),
# which HTML does not allow on a checkbox; the Nu checker rejects it. Material's JavaScript resets
# both toggles when a page loads, so dropping the attribute only costs Firefox's form restoration.
_MATERIAL_TOGGLE = re.compile(
    r'(<input class="md-toggle" data-md-toggle="[a-z]+" type="checkbox" id="__[a-z]+") autocomplete="off">'
)


def _without_invalid_autocomplete(html: str) -> str:
    return _MATERIAL_TOGGLE.sub(r"\1>", html)


def _mkdocs_files(site_dir: Path) -> set[str]:
    return {path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*") if path.is_file()}


def _text_of(path: Path) -> str | bytes:
    """A file MkDocs wrote, as text when it is (its pages hold the footer note)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8") if path.suffix == ".html" else data
    except UnicodeDecodeError:
        return data


def _sitemap_addresses(path: Path) -> list[str] | None:
    """The addresses MkDocs's sitemap lists (the writers' pages); None if the theme wrote none."""
    if not path.is_file():
        return None
    space = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [
        url.findtext("s:loc", "", space).strip() for url in ElementTree.parse(path).getroot().findall("s:url", space)
    ]


def _inherited(config_file: Path) -> list[Path]:
    """The parent configuration mkdocs.yml names with `INHERIT:` (MkDocs merges it in and forgets it)."""
    try:
        text = config_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = re.search(r"^INHERIT:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", text, re.MULTILINE)
    return [config_file.parent / found[1]] if found else []


@contextmanager
def _template_problems(root: Path):
    """A template error (most likely in a custom template of the site's) as one path:line problem."""
    try:
        yield
    except jinja2.TemplateError as error:
        raise PluginError(template_problem(error, root)) from None


def _nav_link(item) -> NavLink | None:
    if isinstance(item, Section):
        return next((link for child in item.children if (link := _nav_link(child))), None)
    if isinstance(item, Link):
        return NavLink(item.title, item.url.lstrip("/"))
    url = getattr(item, "url", None)
    if url is None:
        return None
    return NavLink(item.title or "", url)
