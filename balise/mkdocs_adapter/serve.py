"""`balise serve`: MkDocs's live-reload server, with what is wrong shown in the browser.

MkDocs's own server stalls every request after a failed rebuild until a good one: the writer's
browser hangs, and the reason is only in a terminal they may not be watching. Here a failed rebuild
serves a page listing the problems (`path:line: message`), which reloads itself on the next good edit.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, BuildError
from mkdocs.livereload import LiveReloadServer, _serve_url

from balise.i18n import Translator
from balise.outputs.pages import TEMPLATES

log = logging.getLogger("mkdocs.balise")


class PreviewServer(LiveReloadServer):
    """Serves the problems page instead of any page while the last rebuild failed."""

    problems_page: bytes | None = None

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

    def get_config():
        return load_config(config_file=config_file, site_dir=site_dir, dev_addr=dev_addr)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = _serve_url(host, port, mount_path)
    server = PreviewServer(builder=lambda: None, host=host, port=port, root=site_dir, mount_path=mount_path)

    def builder(config=None) -> None:
        log.info("Building the site...")
        try:
            if config is None:
                config = get_config()
            config.site_url = serve_url
            build(config, serve_url=serve_url)
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
        server = config.plugins.on_serve(server, config=config, builder=builder)
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
