"""Shared helpers for the checks that look at a whole built site: building a scratch copy of the
demo, walking every output file, serving a site over HTTP and driving headless Chromium.

The browser is Debian's `chromium` driven by Python playwright; the checkers (axe-core, the Nu
HTML Checker) come from `tests/tools` (`npm ci --prefix tests/tools --ignore-scripts`).
A check whose tool is missing is skipped with the command that installs it, never passed silently.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import shutil
import threading
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / "tests" / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
INSTALL_TOOLS = "npm ci --prefix tests/tools --ignore-scripts"


def build_demo(target: Path, now: datetime, language: str | None = None, edit=None) -> Path:
    """Copy the demo to `target`, optionally switch its language and edit it, build it at `now`.

    Returns the built site folder. The build runs through the CLI, like a user's."""
    from conftest import Cli, copy_demo

    copy_demo(target)
    if language:
        config = target / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        assert "language: fr" in text
        config.write_text(text.replace("language: fr", f"language: {language}", 1), encoding="utf-8")
    if edit is not None:
        edit(target)
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(now.timestamp()))
    try:
        Cli(target)("build")
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return target / "site"


def site_files(site: Path) -> list[Path]:
    """Every file of a built site, sorted."""
    return sorted(p for p in site.rglob("*") if p.is_file())


def html_pages(site: Path) -> list[str]:
    """Every HTML page of a built site, as site-relative paths ('index.html', 'history/index.html', ...)."""
    return [p.relative_to(site).as_posix() for p in site_files(site) if p.suffix == ".html"]


def file_bytes(path: Path) -> bytes:
    """A file's bytes, decompressed too when it is gzip (sitemap.xml.gz and the like)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        with suppress(OSError, EOFError):
            data += gzip.decompress(data)
    return data


def page_type(relative: str) -> str:
    """A page's kind, from its place in the site: 'home', 'incidents', 'components', 'history',
    '404', 'a-propos', ... New sections added to the site become new kinds automatically."""
    parts = relative.split("/")
    if relative == "index.html":
        return "home"
    if len(parts) == 1:
        return parts[0].removesuffix(".html")
    return parts[0]


def representative_pages(site: Path) -> dict[str, list[str]]:
    """A few pages of each kind that, together, use every element and class that kind's pages use.

    Checking these is as thorough as checking every page (the same templates fill them), and new
    kinds of pages or new page features are picked up automatically."""
    import re

    by_type: dict[str, list[str]] = {}
    seen: dict[str, set[str]] = {}
    for relative in html_pages(site):
        kind = page_type(relative)
        html = (site / relative).read_text(encoding="utf-8")
        features = set(re.findall(r"<([a-z][a-z0-9]*)", html))
        for classes in re.findall(r'class="([^"]*)"', html):
            features.update(classes.split())
        if kind not in by_type or not features <= seen[kind]:
            by_type.setdefault(kind, []).append(relative)
            seen.setdefault(kind, set()).update(features)
    return by_type


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path, handler_class: type[http.server.SimpleHTTPRequestHandler] = _QuietHandler):
    """Serve a folder on 127.0.0.1 (an ephemeral port) in a thread; yields the base URL."""
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.skip(f"{what} is not installed ({path}); run `{INSTALL_TOOLS}` or scripts/test")


def java() -> str:
    found = shutil.which("java")
    if not found:
        pytest.skip("java is not installed; the Nu HTML Checker needs it (apt-get install default-jre-headless)")
    return found


@contextmanager
def chromium():
    """One headless Chromium (Debian's, driven by playwright)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    require(CHROMIUM, "chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_tab(browser, base: str, **options):
    """A tab in a fresh browser context that can reach only the local server at `base`."""
    context = browser.new_context(**options)
    block_outside(context, base)
    try:
        yield context.new_page()
    finally:
        context.close()


def block_outside(context, base: str) -> None:
    """Let a browser context reach only the local server: a page must work offline, and a test
    must never depend on (or leak to) the network."""

    def route(route):
        if route.request.url.startswith(base) or route.request.url.startswith(("data:", "about:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
