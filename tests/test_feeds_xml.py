"""Feeds and the sitemap are XML documents built with ElementTree: whatever the text holds, they
parse, and every title and message reads back exactly as written."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from bs4 import BeautifulSoup

from conftest import edit

PINNED = datetime.fromisoformat("2026-11-22T11:30:00+01:00")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# What XML 1.0 allows but a template could mangle: markup, entities, the end of a CDATA section,
# both quotes, a tab, no-break and zero-width spaces, a right-to-left override, a byte order mark
# mid-text, private use, U+FFFD, a combining accent, a line separator, and astral emoji.
HOSTILE = (
    "]]> & &amp; <b>x</b> < > \"guillemets\" 'apostrophe' \t tab \u00a0nbsp \u200bzw \u202eRTL\u202c "
    "\ufeffbom \ue000pua \ufffd e\u0301 \u2028ls 🚨🏳️‍🌈 𝔘"
)
SECOND = "Second message: ]]]]><![CDATA[> " + HOSTILE
TITLE = "Panne ]]> & <i>x</i> « \"citée\" » 'là' 🚨 \u202eRTL\u202c"


def hostile_incident() -> str:
    # the title in YAML double quotes (its escapes are YAML's), the messages as Markdown text
    title = TITLE.replace("\\", "\\\\").replace('"', '\\"').replace("\u202e", "\\u202E").replace("\u202c", "\\u202C")
    return (
        f'---\ntitle: "{title}"\nkind: incident\nimpact: minor\ncomponents:\n  - site-internet\n---\n\n'
        f"## 2026-11-22 10:05 +01:00 — investigating\n\n{HOSTILE.replace('<', '&lt;')}\n\n"
        f"## 2026-11-22 10:40 +01:00 — identified\n\n{SECOND.replace('<', '&lt;')}\n"
    )


def words(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text().split())


def test_a_hostile_build_writes_feeds_and_a_sitemap_that_parse_and_round_trip(cli, demo, at_time):
    (demo / "incidents/2026-11-22-panne-hostile.md").write_text(hostile_incident(), encoding="utf-8")
    # mkdocs.yml is not a content file balise reads: its YAML escapes reach the feeds' own titles
    edit(
        demo,
        "mkdocs.yml",
        "site_name: Le Relais Solidaire — État des services",
        'site_name: "Le Relais <Solidaire> & ]]> \\"É\\" \\x01\\uFFFE"',
    )
    at_time(PINNED)
    cli("check")
    cli("build")
    site = demo / "site"

    feeds = [
        *site.glob("history.*"),
        *site.glob("components/*/history.*"),
        site / "incidents/2026-11-22-panne-hostile/feed.atom",
    ]
    assert len(feeds) > 10
    for path in feeds:
        root = ET.fromstring(path.read_bytes())  # raises on anything ill-formed
        if path.suffix == ".atom":
            assert root.tag == f"{ATOM}feed"
            assert root.findtext(f"{ATOM}author/{ATOM}name") == 'Le Relais <Solidaire> & ]]> "É" '
            entries = [(e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}content")) for e in root.iter(f"{ATOM}entry")]
        else:
            assert root.tag == "rss" and root.find("channel").find(f"{ATOM}link") is not None
            entries = [(e.findtext("title"), e.findtext("description")) for e in root.iter("item")]
        ours = [(title, content) for title, content in entries if TITLE in title]
        if path.parent.name in ("site", "site-internet", "2026-11-22-panne-hostile"):
            assert [title for title, _ in ours] == [f"[Cause identifiée] {TITLE}", f"[Enquête en cours] {TITLE}"], path
            first, second = words(ours[1][1]), words(ours[0][1])
            assert " ".join(HOSTILE.replace("&amp;", "&").split()) in first, (path, first)  # Markdown reads the entity
            assert " ".join(SECOND.replace("&amp;", "&").split()) in second, (path, second)

    sitemap = ET.fromstring((site / "sitemap.xml").read_bytes())
    locations = [url.findtext(f"{SITEMAP}loc") for url in sitemap.iter(f"{SITEMAP}url")]
    assert locations and all(loc.startswith("https://statut.relais-solidaire.example.org/") for loc in locations)
    assert "https://statut.relais-solidaire.example.org/incidents/2026-11-22-panne-hostile/" in locations


def test_what_xml_cannot_hold_is_every_character_outside_xml_1_0s_char_production():
    """XML 1.0's Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; every
    other code point is stripped, and only those."""
    from balise.outputs.xmldoc import NOT_XML

    def xml_char(code: int) -> bool:
        return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000

    stripped = [code for code in range(0x110000) if NOT_XML.fullmatch(chr(code))]
    assert stripped == [code for code in range(0x110000) if not xml_char(code)]
