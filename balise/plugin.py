"""The MkDocs plugin: typed configuration, content loading, and the status pages added to the build.

Hooks stay thin: content is loaded by `balise.loaders`, pages are rendered by `balise.render`.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Navigation, Section

from . import loaders
from .errors import Collector
from .i18n import Translator
from .model import Settings, StatusPage
from .render import TEMPLATE_BYTECODE, NavLink, PageContext, SiteRenderer
from .version import SourceVersion, reference_time, source_version

log = get_plugin_logger(__name__)

# Folders of the docs dir that hold balise's data, not pages: never copied to the site.
DATA_FOLDERS = ("testimonials", "playbooks", "monitoring")
# balise's own pages in the navigation, after the home page: (translation key, site-relative URL).
STATUS_LINKS = [("nav_history", "history/")]


class TimeZone(c.OptionallyRequired[ZoneInfo]):
    """An IANA time zone name such as Europe/Paris."""

    def run_validation(self, value: object) -> ZoneInfo:
        try:
            return ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise c.ValidationError(f"unknown time zone '{value}' — use an IANA name such as Europe/Paris")


class BaliseConfig(base.Config):
    timezone = TimeZone(default="Europe/Paris")
    status_dir = c.Type(str, default="status")
    incidents_dir = c.Type(str, default="incidents")


class BalisePlugin(BasePlugin[BaliseConfig]):
    supports_multiple_instances = False

    def __init__(self):
        self.content: loaders.Content | None = None  # may be handed in, already loaded, by the CLI
        self.version = SourceVersion()
        self.nav: Navigation | None = None
        self.settings: Settings | None = None
        self.root = Path(".")

    # -- settings and content ---------------------------------------------------
    def on_config(self, config):
        if self.settings is None:  # the CLI may have prepared this instance already
            self.prepare(config)
        if self.content is None:
            report = Collector(self.root)
            self.content = self.load(report)
            if report.errors:
                raise PluginError("\n".join(str(problem) for problem in report.errors))
        return config

    def prepare(self, config) -> None:
        """Read the settings content depends on: paths, time zone, language, reference time."""
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.version = source_version(self.root)
        self.settings = Settings(
            timezone=self.config.timezone,
            language=str(config.theme.get("language") or "en"),
            site_url=(config.site_url or "").rstrip("/") + "/" if config.site_url else "",
            site_name=config.site_name,
            now=reference_time(self.version),
            commit=self.version.commit,
            commit_time=self.version.commit_time,
        )

    @property
    def status_dir(self) -> Path:
        return self.root / self.config.status_dir

    @property
    def incidents_dir(self) -> Path:
        return self.root / self.config.incidents_dir

    def load(self, report: Collector) -> loaders.Content:
        return loaders.load_content(self.status_dir, self.incidents_dir, report)

    def status_page(self) -> StatusPage:
        assert self.content is not None
        return loaders.publish(self.content, self.settings)

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
        """The theme's compiled templates outlive a build, so `balise serve` rebuilds faster."""
        if env.bytecode_cache is None:
            env.bytecode_cache = TEMPLATE_BYTECODE
        return env

    def on_serve(self, server, config, builder):
        for folder in (self.status_dir, self.incidents_dir):
            if folder.is_dir():
                server.watch(str(folder))
        return server

    @event_priority(-100)  # after other plugins, so balise's pages win
    def on_post_build(self, config) -> None:
        page = self.status_page()
        # Page titles are known only once MkDocs has read the pages, hence here and not in on_nav.
        nav_links = [link for item in self.nav.items if (link := _nav_link(item))] if self.nav else []
        context = PageContext(nav=nav_links, build=self.build_info())
        custom = Path(config.theme.custom_dir) / "balise" if config.theme.custom_dir else None
        SiteRenderer(page, context, custom).write(Path(config.site_dir))

    def on_shutdown(self) -> None:
        self.content = None

    def build_info(self) -> dict:
        return {"commit": self.version.short, "commit_time": self.version.commit_time}


def _nav_link(item) -> NavLink | None:
    if isinstance(item, Section):
        return next((link for child in item.children if (link := _nav_link(child))), None)
    if isinstance(item, Link):
        return NavLink(item.title, item.url.lstrip("/"))
    url = getattr(item, "url", None)
    if url is None:
        return None
    return NavLink(item.title or "", url)


