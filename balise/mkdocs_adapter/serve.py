"""`balise serve`: MkDocs's live-reload server, with what is wrong shown in the browser.

MkDocs's own server stalls every request after a failed rebuild until a good one: the writer's
browser hangs, and the reason is only in a terminal they may not be watching. Here a failed rebuild
serves a page listing the problems (`path:line: message`), which reloads itself on the next good edit.

MkDocs's server also rebuilds everything after any edit, emptying the folder it serves first. Here
an edit of balise's content alone (status/, incidents/) is rebuilt by balise's pipeline only,
updating the served folder in place: only what changed is written (`pipeline.write.in_place`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
import watchdog.events
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.livereload import LiveReloadServer, _serve_url

from balise.i18n import Translator
from balise.mkdocs_adapter.plugin import BalisePlugin
from balise.outputs.pages import TEMPLATES
from balise.pipeline.cache import collector_paused
from balise.pipeline.write import in_place

log = logging.getLogger("mkdocs.balise")


class PreviewServer(LiveReloadServer):
    """Serves the problems page instead of any page while the last rebuild failed, and notes which
    files changed, so an edit of the content alone is rebuilt by balise's pipeline only."""

    problems_page: bytes | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changes: set[Path] = set()
        self._changes_lock = threading.Lock()

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        """As MkDocs's, noting each changed file (`take_changes`)."""
        path = os.path.abspath(path)
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1

        def callback(event: watchdog.events.FileSystemEvent) -> None:
            if event.is_directory:
                return
            with self._changes_lock:
                for changed in (event.src_path, getattr(event, "dest_path", "")):
                    if changed:
                        self.changes.add(Path(os.fsdecode(changed)))
            with self._rebuild_cond:
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = callback  # type: ignore[method-assign]
        self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    def take_changes(self) -> set[Path]:
        with self._changes_lock:
            changes, self.changes = self.changes, set()
        return changes

    def _serve_request(self, environ, start_response):
        page = self.problems_page
        path = environ["PATH_INFO"]
        if page is None or path.startswith("/livereload/") or not path.endswith(("/", ".html")):
            return super()._serve_request(environ, start_response)
        content = self._inject_js_into_html(page, self._visible_epoch)  # reloads itself once fixed
        start_response(
            "500 Internal Server Error",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(content))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [content]


class Preview:
    """The site `balise serve` shows, in `site_dir`, rebuilt after each edit: by MkDocs (with balise's
    pipeline in it) when what MkDocs reads changed, else by balise's pipeline alone, taking the
    theme's files and every unchanged page from the last build (`pipeline.cache`), in memory."""

    def __init__(self, config_file: str, site_dir: str, dev_addr: str | None = None):
        self.config_file, self.site_dir, self.dev_addr = config_file, site_dir, dev_addr
        self.serve_url = ""
        self.plugin: BalisePlugin | None = None  # of the last good build

    def get_config(self) -> MkDocsConfig:
        return load_config(config_file=self.config_file, site_dir=self.site_dir, dev_addr=self.dev_addr)

    def rebuild(self, changes: set[Path] | None = None, config: MkDocsConfig | None = None) -> None:
        """Rebuild after `changes` (None: anything may have changed); raises what failed."""
        last = self.plugin
        if last is None or not changes or not all(self.content_only(last, path) for path in changes):
            self.rebuild_all(config)
        elif not self.rebuild_content(last):
            self.rebuild_all(None)

    @staticmethod
    def content_only(plugin: BalisePlugin, path: Path) -> bool:
        """Whether `path` is balise's content (status, incidents), which MkDocs does not read."""
        resolved = path.resolve()
        return any(resolved.is_relative_to(folder.resolve()) for folder in (plugin.status_dir, plugin.incidents_dir))

    def rebuild_content(self, last: BalisePlugin) -> bool:
        plugin = last.renewed()
        record = plugin.last_mkdocs_build()
        if record is None or plugin.cache is None:
            return False
        # Without the cyclic collector while the writer waits for the reload (a collection of the
        # last build's objects costs it 20 ms): what the rebuild leaves is collected after.
        with collector_paused(), in_place(plugin.cache.target, plugin.cache) as site:  # the folder MkDocs resolved
            if not plugin.build_without_mkdocs(site, record):
                site.discard()  # the theme's files cannot all be kept
        if not site.discarded:
            self.plugin = plugin
        return not site.discarded

    def rebuild_all(self, config: MkDocsConfig | None) -> None:
        config = config or self.get_config()
        config.site_url = self.serve_url
        plugin = config.plugins.get("balise")
        if isinstance(plugin, BalisePlugin):
            plugin.prepare(config)
            if self.plugin is not None and self.plugin.cache is not None:  # incidents already loaded
                plugin.cache = self.plugin.cache.following()
        self.plugin = None
        build(config, serve_url=self.serve_url)
        self.plugin = plugin if isinstance(plugin, BalisePlugin) else None


def problems_of(error: Exception) -> list[str]:
    """The lines that say what failed: MkDocs turns a content error into Abort, the error its context."""
    cause = error.__context__ if isinstance(error, Abort) and isinstance(error.__context__, BuildError) else error
    lines = [line for line in str(cause).splitlines() if line.strip()]
    return lines or [type(cause).__name__]


def problems_page(problems: list[str], language: str) -> bytes:
    t = Translator(language, ZoneInfo("UTC"))  # the page shows no time
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    html = environment.get_template("serve_problems.html").render(t=t, language=t.language, problems=problems)
    return html.encode("utf-8")


def serve(config_file: str, dev_addr: str, language: str) -> None:
    """Build into a scratch folder, serve it on `dev_addr`, rebuild on every edit (as `mkdocs serve`)."""
    site_dir = tempfile.mkdtemp(prefix="balise_serve_")
    preview = Preview(config_file, site_dir, dev_addr)
    config = preview.get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    preview.serve_url = _serve_url(host, port, mount_path)
    server = PreviewServer(builder=lambda: None, host=host, port=port, root=site_dir, mount_path=mount_path)

    def builder(config: MkDocsConfig | None = None) -> None:
        changes = server.take_changes() if config is None else None
        log.info("Building the site...")
        try:
            preview.rebuild(changes, config)
        except Exception as error:  # noqa: BLE001 — whatever failed, the browser says so, the server goes on
            problems = problems_of(error)
            for line in problems:
                log.error(line)
            log.error("The preview shows these problems until the next edit fixes them.")
            server.problems_page = problems_page(problems, language)
        else:
            server.problems_page = None

    server.builder = builder
    server.error_handler = lambda code: _site_page(site_dir, f"{code}.html")  # the site's own 404 page
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        config.plugins.on_serve(server, config=config, builder=builder)  # balise's plugin watches its folders
        for item in config.watch:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        if Path(site_dir).is_dir():
            shutil.rmtree(site_dir)


def _site_page(site_dir: str, name: str) -> bytes | None:
    page = Path(site_dir) / name
    return page.read_bytes() if page.is_file() else None
