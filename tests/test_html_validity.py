"""Valid HTML: the Nu HTML Checker (vnu.jar, run with the installed Java) finds no error in any
page or SVG file of the built demo, in French and in English, nor in a site full of hostile
content (quotes and markup in every field must stay inside their elements and attributes).

One JVM run checks every site at once.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browser import VNU, build_demo, html_pages, java, require
from conftest import DEMO_NOW


@pytest.fixture(scope="module")
def reports(built_demo, tmp_path_factory) -> dict[str, list[dict]]:
    """vnu's errors per site: {'fr': [...], 'en': [...], 'hostile': [...], 'broken': [...]}."""
    require(VNU, "the Nu HTML Checker (vnu-jar)")
    from test_xss import hostile

    sites = {
        "fr": built_demo("fr"),
        "en": built_demo("en"),
        "hostile": build_demo(tmp_path_factory.mktemp("hostile-vnu"), DEMO_NOW, edit=hostile),
        "broken": tmp_path_factory.mktemp("broken"),  # the control: a page the checker must reject
    }
    home = (sites["fr"] / "index.html").read_text(encoding="utf-8")
    (sites["broken"] / "index.html").write_text(home.replace("<main ", "<main><main ", 1), encoding="utf-8")
    result = subprocess.run(
        [
            java(),
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--skip-non-html",
            "--also-check-svg",
            *[str(site) for site in sites.values()],
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    messages = json.loads(result.stderr or result.stdout)["messages"]
    found: dict[str, list[dict]] = {name: [] for name in sites}
    for message in messages:
        assert message.get("type") != "non-document-error", message  # e.g. a file vnu could not read
        file = Path(unquote(urlparse(message.get("url", "")).path))  # vnu writes file:/tmp/...
        name = next(n for n, site in sites.items() if file.is_relative_to(site.resolve()))
        message["page"] = file.relative_to(sites[name].resolve()).as_posix()
        found[name].append(message)
    return found | {"_sites": sites}


def summary(messages: list[dict]) -> str:
    return "\n".join(
        f"{m['page']}:{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()[:80]}]" for m in messages
    )


@pytest.mark.parametrize("name", ["fr", "en", "hostile"])
def test_no_html_error(reports, name):
    errors = reports[name]
    assert errors == [], summary(errors)


def test_the_checker_reads_the_pages(reports):
    """vnu's JSON lists only problems: a broken copy of the home page proves it read the pages."""
    pages = html_pages(reports["_sites"]["fr"])
    assert {"index.html", "404.html", "history/index.html", "a-propos/index.html"} <= set(pages)
    assert any("main" in m["message"] for m in reports["broken"]), reports["broken"]
