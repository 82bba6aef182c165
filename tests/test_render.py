"""Update messages are GitHub Flavored Markdown: the site shows what GitHub's Preview tab showed the writer."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from urllib.parse import urljoin

import feedparser
import pytest

from balise.content import gfm
from balise.content.messages import MarkdownRenderer
from conftest import page, text_of

OPEN_INCIDENT = "2026-11-22-prise-de-rendez-vous-indisponible"


def test_a_list_straight_under_a_line_is_a_list():
    """The slip python-markdown punished: no blank line between the sentence and its list."""
    html = MarkdownRenderer()("En attendant :\n- appelez la ligne d'écoute ;\n- ou passez en antenne.")
    assert (
        html
        == "<p>En attendant :</p>\n<ul>\n<li>appelez la ligne d'écoute ;</li>\n<li>ou passez en antenne.</li>\n</ul>"
    )


def test_bare_addresses_become_safe_links():
    html = MarkdownRenderer()("Écrivez à aide@example.org ou voyez https://example.org/aide.")
    assert '<a href="mailto:aide@example.org" rel="noopener noreferrer nofollow">aide@example.org</a>' in html
    assert '<a href="https://example.org/aide" rel="noopener noreferrer nofollow">https://example.org/aide</a>' in html


def test_tables_strikethrough_and_raw_html_go_through_the_sanitiser():
    render = MarkdownRenderer()
    table = render("| Service | État |\n|:--|--:|\n| Dons | ~~en panne~~ rétabli |")
    assert "<table>" in table and "<del>en panne</del>" in table
    assert "align" not in table and "style" not in table  # obsolete or unsafe attributes are dropped
    html = render(
        'Voir <abbr title="Caisse d\'allocations familiales">CAF</abbr>.<script>alert(1)</script>'
        "\n\n<img src=x onerror=alert(1)> [lien](javascript:alert(1))"
    )
    assert '<abbr title="Caisse d\'allocations familiales">CAF</abbr>' in html
    assert "script" not in html and "onerror" not in html and "javascript" not in html
    assert '<img alt="" src="x">' in html


def test_a_published_update_renders_the_same_on_its_page_and_in_its_feeds(cli, demo, at_time):
    cli(
        "update",
        OPEN_INCIDENT,
        "--status",
        "monitoring",
        "--at",
        "2026-11-22T11:45",
        "--message",
        "L'agenda est rétabli. Si besoin :\n- rappelez-nous ;\n- écrivez à aide@example.org.",
    )
    at_time(datetime.fromisoformat("2026-11-22T11:50:00+01:00"))
    cli("build")
    latest = page(demo / "site", f"incidents/{OPEN_INCIDENT}/").select_one(".timeline .update .message")
    assert [text_of(item) for item in latest.select("ul > li")] == ["rappelez-nous ;", "écrivez à aide@example.org ."]
    assert latest.select_one("a[href='mailto:aide@example.org']") is not None
    for feed in ("history.atom", f"incidents/{OPEN_INCIDENT}/feed.atom"):
        entry = feedparser.parse((demo / "site" / feed).read_bytes()).entries[0]
        assert "<li>rappelez-nous\u202f;</li>" in entry.content[0].value, feed  # French spacing, unbreakable


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_rendering_frees_what_cmark_allocates():
    """cmarkgfm's own wrapper keeps about 3.5 KB per message (70 MB here); balise's frees it."""
    assert gfm._freeing()[1] is not None, "cmark's free functions were not found: the fallback leaks"
    text = "Nous enquêtons sur une panne de **paiement** : voir [l'aide](https://example.org/aide).\n\n- un\n- deux\n"
    gfm.to_html(text)
    before = resident_bytes()
    for number in range(20_000):
        gfm.to_html(f"{text}\n| n° | état |\n|--|--|\n| {number} | ~~panne~~ |\n")
    assert resident_bytes() - before < 8 * 1024 * 1024


def test_relative_links_in_a_message_lead_to_the_same_place_on_every_page_and_feed(cli, demo, at_time):
    """Written from the incident's page; on the home page and in feeds they must still resolve."""
    cli(
        "update",
        OPEN_INCIDENT,
        "--status",
        "monitoring",
        "--at",
        "2026-11-22T11:45",
        "--message",
        "Comme [le 27 octobre](../2026-10-27-ligne-ecoute-injoignable/), voir [l'aide](/a-propos/) "
        "et [la première mise à jour](#update-20261122t074500z).",
    )
    at_time(datetime.fromisoformat("2026-11-22T11:50:00+01:00"))
    cli("build")
    site = demo / "site"
    expected = ["incidents/2026-10-27-ligne-ecoute-injoignable/", "a-propos/", f"incidents/{OPEN_INCIDENT}/"]
    for path in (f"incidents/{OPEN_INCIDENT}/", ""):
        links = [
            a["href"]
            for a in page(site, path).select(".message a, .latest a")
            if "27 octobre" in a.text or a.text in ("l'aide", "la première mise à jour")
        ][-3:]
        resolved = [urljoin("https://x.invalid/" + path, href)[len("https://x.invalid/") :] for href in links]
        assert [r.split("#")[0] for r in resolved] == expected, (path, links)
        assert all((site / r.split("#")[0] / "index.html").is_file() for r in resolved)
    assert links[2].endswith("#update-20261122t074500z")
    entry = feedparser.parse((site / "history.atom").read_bytes()).entries[0]
    base = "https://statut.relais-solidaire.example.org/"
    for target in expected:
        assert f'href="{base}{target}' in entry.content[0].value, target
