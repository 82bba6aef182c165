"""RSS and Atom feeds, as a feed reader sees them: valid, newest first, one entry per update,
ids that never change, and exactly one new entry when an update is published."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import feedparser
import pytest

from conftest import Cli, page

PINNED = datetime.fromisoformat("2026-11-22T11:30:00+01:00")
OPEN_INCIDENT = "2026-11-22-prise-de-rendez-vous-indisponible"
SITE = "https://statut.relais-solidaire.example.org/"


def parse(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    return feed


def all_feeds(site: Path) -> list[Path]:
    return sorted([*site.glob("history.*"), *site.glob("components/*/history.*"), *site.glob("incidents/*/feed.atom")])


def ids(feed) -> list[str]:
    return [entry.id for entry in feed.entries]


@pytest.fixture
def site(built_at):
    return built_at(PINNED)


def test_every_feed_is_valid_with_the_required_elements(site):
    feeds = all_feeds(site)
    components = len(list(site.glob("components/*/index.html")))
    incidents = len(list(site.glob("incidents/*/index.html")))
    assert len(feeds) == 2 + 2 * components + incidents
    for path in feeds:
        feed = parse(path)
        assert feed.version == ("atom10" if path.suffix == ".atom" else "rss20"), path
        assert feed.feed.title and feed.feed.link.startswith(SITE)
        if path.suffix == ".rss":
            assert feed.feed.language == "fr"
        assert len(ids(feed)) == len(set(ids(feed))), f"{path}: duplicate ids"
        assert len(feed.entries) <= 50
        times = [entry.published_parsed for entry in feed.entries]
        assert times == sorted(times, reverse=True), f"{path}: not newest first"
        for entry in feed.entries:
            assert entry.title.startswith("[") and "] " in entry.title
            assert entry.link.startswith(SITE + "incidents/") and "#update-" in entry.link
            assert entry.id.startswith("tag:statut.relais-solidaire.example.org,")
            assert entry.published_parsed and entry.get("summary")
            if path.suffix == ".atom":
                assert entry.updated_parsed


def test_entries_say_status_and_incident_and_link_to_the_update(site):
    feed = parse(site / "history.atom")
    first = feed.entries[0]
    assert first.title == "[Cause identifiée] Prise de rendez-vous en ligne indisponible"
    assert first.link == f"{SITE}incidents/{OPEN_INCIDENT}/#update-20261122t083000z"
    assert first.published == "2026-11-22T08:30:00Z"
    html = first.content[0].value
    assert "<li>si vous avez un rendez-vous demain" in html  # the message as HTML
    assert "12:00 CET" in html  # the promised next update
    # The permalink's anchor exists on the incident page.
    detail = page(site, f"incidents/{OPEN_INCIDENT}/")
    assert detail.find(id="update-20261122t083000z") is not None
    # The site-wide feed has every update (the demo has fewer than 50), the maintenance's too.
    total = sum(len(parse(p).entries) for p in site.glob("incidents/*/feed.atom"))
    assert len(feed.entries) == min(total, 50)
    assert any(e.title.startswith("[Planifiée] Maintenance de l'espace") for e in feed.entries)
    rss = parse(site / "history.rss")
    assert ids(rss) == ids(feed)
    assert rss.entries[0].title == first.title and rss.entries[0].link == first.link


def test_component_and_incident_feeds_hold_their_own_updates(site):
    sms = parse(site / "components/rappels-sms/history.atom")
    assert sms.entries[0].title.endswith("Prise de rendez-vous en ligne indisponible")
    assert all("Rappels par SMS" in e.content[0].value for e in sms.entries)
    own = parse(site / f"incidents/{OPEN_INCIDENT}/feed.atom")
    assert [e.title for e in own.entries] == [
        "[Cause identifiée] Prise de rendez-vous en ligne indisponible",
        "[Enquête en cours] Prise de rendez-vous en ligne indisponible",
    ]
    assert own.feed.link == f"{SITE}incidents/{OPEN_INCIDENT}/"


def test_ids_are_stable_and_the_bytes_identical_across_builds(cli, demo, site, at_time):
    before = {p: p.read_bytes() for p in all_feeds(site)}
    cli("build")
    assert {p: p.read_bytes() for p in all_feeds(site)} == before
    # A later build (another reference time) keeps every id.
    at_time(datetime.fromisoformat("2026-11-23T09:00:00+01:00"))
    cli("build")
    for path in before:
        assert ids(parse(path)) == ids(feedparser.parse(before[path]))


def test_a_feed_reader_sees_exactly_one_new_entry_per_published_update(cli, demo, site, at_time):
    """Subscribe to /history.atom, publish an update with `balise update`, rebuild, read again."""
    seen = {path: ids(parse(path)) for path in all_feeds(site)}
    cli(
        "update",
        OPEN_INCIDENT,
        "--status",
        "monitoring",
        "--at",
        "2026-11-22T11:45",
        "--message",
        "L'éditeur a rétabli l'agenda. Nous surveillons.",
        "--next-update",
        "+1h",
    )
    at_time(datetime.fromisoformat("2026-11-22T11:50:00+01:00"))
    cli("build")
    feed = parse(site / "history.atom")
    new = [entry for entry in feed.entries if entry.id not in seen[site / "history.atom"]]
    assert len(new) == 1
    assert feed.entries[0] is new[0] or feed.entries[0].id == new[0].id  # at the top
    assert new[0].title == "[Sous surveillance] Prise de rendez-vous en ligne indisponible"
    assert "Nous surveillons" in new[0].content[0].value
    print(new[0].link, new[0].id)
    anchor = new[0].link.split("#")[1]
    assert page(site, f"incidents/{OPEN_INCIDENT}/").find(id=anchor) is not None
    for path, before in seen.items():
        now = ids(parse(path))
        relative = path.relative_to(site).as_posix()
        affected = relative in (
            "history.atom",
            "history.rss",
            f"incidents/{OPEN_INCIDENT}/feed.atom",
        ) or path.parent.name in ("prise-de-rendez-vous", "rappels-sms")
        if affected:  # one new entry on top, the others as they were (the oldest may drop off at 50)
            assert now[0] not in before and now[1:] == before[: len(now) - 1], path
        else:
            assert now == before, path


def test_a_corrected_update_keeps_its_id_and_changes_its_updated_time(demo):
    """Amendments (read from git history) move Atom's `updated`, never the id."""
    from dataclasses import replace
    from zoneinfo import ZoneInfo

    from balise.content import loaders, publishing
    from balise.content.model import Amendment, Settings
    from balise.errors import Collector
    from balise.outputs.feeds import FeedWriter
    from balise.outputs.links import SiteLinks
    from balise.outputs.pages import PageContext, SiteRenderer
    from balise.outputs.site import data_environment

    settings = Settings(ZoneInfo("Europe/Paris"), "fr", SITE, "Relais", now=PINNED)
    content = loaders.load_content(demo / "status", demo / "incidents", Collector(demo))

    def entry(content):
        page = publishing.publish(content, settings)
        renderer = SiteRenderer(page, PageContext())
        writer = FeedWriter(
            page, data_environment(renderer.env.loader, renderer.t), renderer.t, renderer.markdown, SiteLinks(settings)
        )
        incident = next(i for i in page.incidents if i.id == OPEN_INCIDENT)
        return writer.entry(incident, incident.first, "history.atom"), incident.first

    original, update = entry(content)
    original_id, original_published, original_updated = original.id, original.published, original.updated
    amendment = Amendment(datetime.fromisoformat("2026-11-22T10:05:00+01:00"), "abc", "old")
    corrected_update = replace(update, message="Texte corrigé : " + update.message, amendments=(amendment,))
    incidents = [
        replace(i, updates=(corrected_update, *i.updates[1:])) if i.id == OPEN_INCIDENT else i
        for i in content.incidents
    ]
    corrected, _ = entry(replace(content, incidents=incidents))
    assert corrected.id == original_id
    assert corrected.published == original_published
    assert corrected.updated > original_updated == original_published
    assert "Texte corrigé" in corrected.content
    assert (
        "<p><em>Modifiée le 22 novembre 2026 à 10:05 CET — la formulation précédente reste lisible sur le site."
        "</em></p>" in corrected.content
    )  # subscribers are told, not silently given other words


def test_drafts_and_embargoed_incidents_are_in_no_output(cli, demo, at_time):
    cli(
        "new",
        "--title",
        "Brouillon confidentiel",
        "--impact",
        "minor",
        "--component",
        "paiements",
        "--message",
        "Texte en préparation.",
        "--at",
        "2026-11-22T10:00",
        "--draft",
    )
    embargoed = demo / "incidents/2026-11-22-annonce-embargo.md"
    embargoed.write_text(
        "---\ntitle: Annonce sous embargo\nkind: notice\nimpact: none\npublish_at: 2026-11-23 09:00 +01:00\n---\n\n"
        "## 2026-11-22 10:30 +01:00 — investigating\n\nPas avant demain.\n",
        encoding="utf-8",
    )
    at_time(PINNED)
    cli("build")
    site = demo / "site"
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".atom", ".rss", ".json", ".ics", ".svg", ".html"):
            text = path.read_text(encoding="utf-8")
            assert "Brouillon confidentiel" not in text and "Annonce sous embargo" not in text, path
    at_time(datetime.fromisoformat("2026-11-23T09:30:00+01:00"))
    cli("build")
    assert parse(site / "history.atom").entries[0].title == "[Enquête en cours] Annonce sous embargo"


def test_untrusted_text_is_sanitised_in_feeds(cli, demo, at_time):
    cli(
        "update",
        OPEN_INCIDENT,
        "--status",
        "identified",
        "--at",
        "2026-11-22T11:00",
        "--message",
        'Voir <script>alert(1)</script> <a href="javascript:alert(2)">ici</a> & <b>là</b>',
    )
    at_time(PINNED)
    cli("build")
    xml = (demo / "site/history.atom").read_text(encoding="utf-8")
    assert "<script" not in xml and "&lt;script" not in xml and "javascript:" not in xml
    html = parse(demo / "site/history.atom").entries[0].content[0].value
    assert "<b>là</b>" in html and "&amp;" in html


def test_every_page_advertises_the_feeds(site):
    pages = ["", "history/", "subscribe/", "a-propos/", f"incidents/{OPEN_INCIDENT}/", "components/paiements/"]
    for path in pages:
        links = page(site, path).select('link[rel="alternate"]')
        local = [link["href"][len(SITE) :] if link["href"].startswith(SITE) else path + link["href"] for link in links]
        targets = {(link["type"], (site / href).resolve()) for link, href in zip(links, local, strict=True)}
        assert ("application/atom+xml", (site / "history.atom").resolve()) in targets, path
        assert ("application/rss+xml", (site / "history.rss").resolve()) in targets, path
        assert all(target.is_file() for _, target in targets), path
    incident = page(site, f"incidents/{OPEN_INCIDENT}/").select('link[rel="alternate"]')
    assert any(link["href"].endswith(f"incidents/{OPEN_INCIDENT}/feed.atom") for link in incident)
    component = page(site, "components/paiements/").select('link[rel="alternate"]')
    assert {link["href"].rsplit("/", 2)[-2:][1] for link in component} >= {"history.atom", "history.rss"}
    assert sum("components/paiements/" in link["href"] for link in component) == 2


def test_without_a_site_url_links_are_relative_and_the_build_warns(cli, demo, at_time, caplog):
    config = demo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_url:", "# site_url:"), encoding="utf-8")
    at_time(PINNED)
    cli("build")
    assert any("site_url is not set" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    site = demo / "site"
    feed = parse(site / "components/rappels-sms/history.atom")
    link = feed.entries[0].link
    assert link.startswith("../../incidents/")
    assert (site / "components/rappels-sms" / link.split("#")[0] / "index.html").resolve().is_file()
    assert feed.entries[0].id.startswith("urn:uuid:")
    assert "site_url" in page(site, "subscribe/").select_one("[role=note]").get_text()


def test_an_english_site_has_english_feeds(tmp_path, at_time):
    Cli(tmp_path)("init", "site", "--language", "en", "--name", "Acme")
    cli = Cli(tmp_path / "site")
    cli(
        "new",
        "--title",
        "Website down",
        "--impact",
        "major",
        "--component",
        "website",
        "--message",
        "We are looking into it.",
        "--at",
        "2026-03-01T10:00",
    )
    cli("resolve", "2026-03-01-website-down", "--message", "Fixed.", "--at", "2026-03-01T11:00")
    at_time(datetime.fromisoformat("2026-03-01T12:00:00+00:00"))
    cli("build")
    feed = feedparser.parse((tmp_path / "site/site/history.rss").read_bytes())
    assert [e.title for e in feed.entries] == ["[Resolved] Website down", "[Investigating] Website down"]
    assert feed.feed.language == "en"


def test_feeds_keep_the_50_newest_updates_in_a_stable_order():
    from datetime import timedelta

    from balise.content.model import Incident, Update
    from balise.outputs.feeds import FEED_SIZE, updates_newest_first

    start = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    incidents = [
        Incident(
            id=f"i{n:02d}",
            title=f"I{n}",
            updates=[
                Update(start + timedelta(hours=n), "investigating", "x"),
                Update(start + timedelta(hours=n, minutes=30), "resolved", "y"),
            ],
        )
        for n in range(40)
    ]
    incidents.append(
        Incident(id="a-tie", title="Tie", updates=[Update(start + timedelta(hours=39, minutes=30), "resolved", "z")])
    )
    pairs = updates_newest_first(incidents)
    assert len(pairs) == FEED_SIZE == 50
    assert [(i.id, u.status) for i, u in pairs[:3]] == [
        ("a-tie", "resolved"),
        ("i39", "resolved"),
        ("i39", "investigating"),
    ]
    assert pairs[-1][1].at == start + timedelta(hours=15, minutes=30)
    assert updates_newest_first(incidents[::-1]) == pairs  # the content's order does not matter


def test_the_sitemap_lists_every_page_once_and_incidents_by_their_last_change(site):
    import gzip
    import xml.etree.ElementTree as ElementTree

    space = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring((site / "sitemap.xml").read_bytes())
    listed = {
        u.findtext("s:loc", namespaces=space): u.findtext("s:lastmod", namespaces=space)
        for u in root.findall("s:url", space)
    }
    folders = (p.relative_to(site).parent.as_posix() for p in site.rglob("index.html"))
    pages = {SITE if folder == "." else f"{SITE}{folder}/" for folder in folders}
    assert set(listed) == pages and len(root.findall("s:url", space)) == len(listed) > 20
    assert listed[SITE + "incidents/2026-10-27-ligne-ecoute-injoignable/"] == "2026-10-27"
    assert listed[SITE + "history/"] == "2026-11-22"  # built at PINNED
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == (site / "sitemap.xml").read_bytes()


def test_a_postmortem_is_linked_from_the_history_and_component_pages(site):
    with_postmortem = "incidents/2026-01-19-espace-beneficiaires-inaccessible/"
    assert page(site, with_postmortem).find(id="postmortem") is not None
    for path in ("history/", "components/espace-beneficiaires/"):
        links = [a["href"] for a in page(site, path).select("li a") if a.text == "Retour d'expérience"]
        assert links == ["../" * path.count("/") + with_postmortem + "#postmortem"], path
