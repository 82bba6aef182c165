"""The maintenance calendar, the status badges and the Subscribe page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from balise.content import loaders
from balise.errors import Collector
from balise.outputs import badges
from conftest import Cli, page, text_of

PINNED = datetime.fromisoformat("2026-11-22T11:30:00+01:00")
SITE = "https://statut.relais-solidaire.example.org/"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def site(cli, demo, at_time):
    at_time(PINNED)
    cli("build")
    return demo / "site"


def events(site: Path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical((site / "maintenance.ics").read_bytes())
    found = calendar.walk("VEVENT")
    uids = [str(e["UID"]) for e in found]
    assert len(uids) == len(set(uids))
    return dict(zip(uids, found, strict=True))


# -- calendar -----------------------------------------------------------------------
def test_the_calendar_holds_every_maintenance_window_of_the_demo(site, demo):
    content = loaders.load_content(demo / "status", demo / "incidents", Collector(demo))
    windows = {i.id: (i.scheduled_for, i.scheduled_until, i.title) for i in content.incidents if i.is_maintenance}
    assert len(windows) == 2
    calendar = icalendar.Calendar.from_ical((site / "maintenance.ics").read_bytes())
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    found = events(site)
    assert set(found) == {f"{mid}@statut.relais-solidaire.example.org" for mid in windows}
    for uid, event in found.items():
        start, end, title = windows[uid.split("@")[0]]
        assert event.decoded("DTSTART") == start and event.decoded("DTEND") == end
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert str(event["SUMMARY"]) == title
        assert str(event["URL"]) == f"{SITE}incidents/{uid.split('@')[0]}/"
    summer = found["2026-06-13-migration-hebergement@statut.relais-solidaire.example.org"]
    assert summer.decoded("DTSTART").utcoffset() == timedelta(hours=2)  # 22:00 CEST
    winter = found["2026-12-05-maintenance-espace-beneficiaires@statut.relais-solidaire.example.org"]
    assert winter.decoded("DTSTART").utcoffset() == timedelta(hours=1)  # 22:00 CET
    assert winter.decoded("DTSTAMP") == datetime.fromisoformat("2026-11-20T10:00:00+00:00")  # its update, not the clock
    assert "Espace bénéficiaires" in str(winter["DESCRIPTION"])


def test_the_calendar_is_deterministic_and_follows_a_moved_window(cli, demo, site, at_time):
    before = (site / "maintenance.ics").read_bytes()
    at_time(datetime.fromisoformat("2026-11-25T08:00:00+01:00"))
    cli("build")
    assert (site / "maintenance.ics").read_bytes() == before  # same content, another day: same bytes
    path = demo / "incidents/2026-12-05-maintenance-espace-beneficiaires.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "scheduled_until: 2026-12-06 02:00", "scheduled_until: 2026-12-06 03:00"
        ),
        encoding="utf-8",
    )
    cli(
        "update",
        "2026-12-05-maintenance-espace-beneficiaires",
        "--status",
        "scheduled",
        "--at",
        "2026-11-25T08:00",
        "--message",
        "La maintenance durera une heure de plus, jusqu'à 3 h.",
    )
    cli("build")
    moved = events(site)["2026-12-05-maintenance-espace-beneficiaires@statut.relais-solidaire.example.org"]
    assert moved.decoded("DTEND") == datetime.fromisoformat("2026-12-06T03:00:00+01:00")
    assert int(moved["SEQUENCE"]) == 1  # calendar apps replace the event instead of adding one
    assert len(events(site)) == 2


def test_drafts_stay_out_of_the_calendar(cli, demo, at_time):
    cli(
        "new",
        "--kind",
        "maintenance",
        "--title",
        "Maintenance secrète",
        "--component",
        "paiements",
        "--message",
        "Pas encore annoncée.",
        "--starts",
        "2026-12-10T22:00",
        "--ends",
        "2026-12-10T23:00",
        "--at",
        "2026-11-22T10:00",
        "--draft",
    )
    at_time(PINNED)
    cli("build")
    assert len(events(demo / "site")) == 2
    assert b"secr" not in (demo / "site/maintenance.ics").read_bytes()


# -- badges -------------------------------------------------------------------------
def svg(path: Path) -> ET.Element:
    return ET.fromstring(path.read_text(encoding="utf-8"))


def test_badges_say_the_status_in_words_with_a_title(site):
    overall = svg(site / "badge.svg")
    assert overall.get("role") == "img"
    assert overall.find(f"{SVG}title").text == "état\u00a0: Panne majeure"
    assert overall.get("aria-label") == "état\u00a0: Panne majeure"
    assert [t.text for t in overall.iter(f"{SVG}text")] == ["état", "Panne majeure"]
    assert overall.get("data-status") == "major_outage"
    fills = [r.get("fill") for r in overall.iter(f"{SVG}rect")]
    assert badges.STATUS_COLOURS["major_outage"] in fills
    expected = {"prise-de-rendez-vous": "Panne majeure", "rappels-sms": "Panne partielle", "paiements": "Opérationnel"}
    for cid, label in expected.items():
        badge = svg(site / f"components/{cid}/badge.svg")
        name = text_of(page(site, f"components/{cid}/").h1)
        assert badge.find(f"{SVG}title").text == f"{name}\u00a0: {label}"
        assert [t.text for t in badge.iter(f"{SVG}text")] == [name, label]
    assert len(list(site.glob("components/*/badge.svg"))) == len(list(site.glob("components/*/index.html")))


def test_the_tab_icon_is_the_overall_status_colour_and_needs_no_request(cli, at_time, demo):
    from urllib.parse import unquote

    def icon_and_status():
        at_time(PINNED + timedelta(hours=2))
        cli("build")
        home = page(demo / "site")
        return unquote(home.select_one("link[rel=icon]")["href"]), home.select_one(".banner")["data-status"]

    icon, status = icon_and_status()
    assert status == "major_outage" and icon.startswith("data:image/svg+xml,<svg")  # fetched from nowhere
    assert f"fill='{badges.STATUS_COLOURS['major_outage']}'" in icon
    cli("resolve", "2026-11-22-prise-de-rendez-vous-indisponible", "--message", "Rétabli.", "--at", "2026-11-22T13:00")
    icon, status = icon_and_status()
    assert status == "operational" and f"fill='{badges.STATUS_COLOURS['operational']}'" in icon


def test_badge_text_fits_and_colours_have_aa_contrast():
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in [badges.LABEL_COLOUR, *badges.STATUS_COLOURS.values()]:
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour  # white text on it
    assert badges.text_width("Opérationnel") == badges.text_width("Operationnel")
    assert badges.text_width("mmm") > badges.text_width("iii")


def test_an_english_site_has_english_badges(tmp_path, at_time):
    Cli(tmp_path)("init", "site", "--language", "en", "--name", "Acme")
    Cli(tmp_path / "site")("build")
    badge = svg(tmp_path / "site/site/badge.svg")
    assert badge.find(f"{SVG}title").text == "status: Operational"
    subscribe = page(tmp_path / "site/site", "subscribe/")
    assert subscribe.html["lang"] == "en" and text_of(subscribe.h1) == "Subscribe to updates"


# -- the Subscribe page ---------------------------------------------------------------
def test_the_subscribe_page_lists_this_site_s_exact_addresses(site):
    subscribe = page(site, "subscribe/")
    assert subscribe.html["lang"] == "fr" and text_of(subscribe.h1) == "S'abonner aux mises à jour"
    addresses = [text_of(code) for code in subscribe.select("main code")]
    for expected in (
        "history.atom",
        "history.rss",
        "maintenance.ics",
        "api/v2/summary.json",
        "api/v2/status.json",
        "api/v2/components.json",
        "api/v2/incidents.json",
        "api/v2/incidents/unresolved.json",
        "api/v2/scheduled-maintenances.json",
        "api/v2/scheduled-maintenances/upcoming.json",
        "api/v2/scheduled-maintenances/active.json",
        "badge.svg",
        "components/paiements/history.atom",
    ):
        assert SITE + expected in addresses, expected
    for address in addresses:
        if address.startswith(SITE):
            assert (site / address[len(SITE) :]).is_file(), address  # every address it gives exists
    snippet = text_of(subscribe.select_one("#badge-markdown"))
    assert snippet == f"[![Le Relais Solidaire — État des services]({SITE}badge.svg)]({SITE})"
    assert subscribe.find("a", href="webcal://statut.relais-solidaire.example.org/maintenance.ics")
    assert (site / subscribe.select_one("main img")["src"].replace("../", "")).is_file()


def test_subscribe_is_in_the_navigation_and_on_the_home_page(site):
    for path in ("", "history/", "incidents/2026-11-22-prise-de-rendez-vous-indisponible/", "a-propos/"):
        nav_links = [a for a in page(site, path).select("nav a, .md-tabs a") if text_of(a) == "S'abonner"]
        assert nav_links, path
        assert (site / path / nav_links[0]["href"] / "index.html").resolve() == (
            site / "subscribe/index.html"
        ).resolve()
    home = page(site)
    link = home.select_one(".subscribe-link a")
    assert link["href"] == "subscribe/" and "S'abonner aux mises à jour" in text_of(link)
    current = page(site, "subscribe/").select_one('nav a[aria-current="page"]')
    assert text_of(current) == "S'abonner" and current["href"] == "../subscribe/"


def test_all_outputs_are_deterministic(cli, demo, site):
    def outputs():
        return {
            p.relative_to(site).as_posix(): p.read_bytes()
            for p in site.rglob("*")
            if p.is_file() and (p.suffix in (".atom", ".rss", ".json", ".ics", ".svg") or "subscribe" in p.parts)
        }

    first = outputs()
    assert len(first) > 40
    cli("build")
    assert outputs() == first
