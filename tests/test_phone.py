"""What the public sees on a phone (360 px wide), measured in headless Chromium: the first screen of
the home page says what is broken, whether a promise is late and the moment the page describes; the
404 page is styled on any host; separators, units and "%" stay with their words; wide tables say that
they scroll and can be scrolled from the keyboard."""

from __future__ import annotations

import http.server
from datetime import datetime

import pytest

from browser import offline_tab, serve
from conftest import DEMO_NOW, edit, page, text_of

OPEN = "incidents/2026-11-22-prise-de-rendez-vous-indisponible/"
PHONE = {"width": 360, "height": 640}
PAGES = (
    "",
    OPEN,
    "incidents/2026-01-19-espace-beneficiaires-inaccessible/",
    "history/",
    "components/prise-de-rendez-vous/",
    "components/espace-beneficiaires/",
    "transparency/",
    "subscribe/",
)


def words(node) -> str:
    """A node's text as it reads (no space added around its links, unlike `text_of`)."""
    return " ".join(node.get_text().split())


# -- the home page's first screen -----------------------------------------------------------------


@pytest.mark.parametrize(
    "language, affected, overdue, as_of",
    [
        (
            "fr",
            "Services perturbés : Prise de rendez-vous en ligne et Rappels par SMS",
            "Mise à jour en retard : Prise de rendez-vous en ligne indisponible, promise pour 12:00 CET.",
            "État au 22 novembre 2026 à 12:30 CET",
        ),
        (
            "en",
            "Disrupted services: Prise de rendez-vous en ligne and Rappels par SMS",
            "Update overdue: Prise de rendez-vous en ligne indisponible, promised for 12:00 CET.",
            "Status as of November 22, 2026 at 12:30 CET",
        ),
    ],
)
def test_the_banner_names_the_broken_services_the_late_promise_and_the_moment(
    built_demo, language, affected, overdue, as_of
):
    banner = page(built_demo(language)).select_one(".banner")
    assert words(banner.select_one(".affected")) == affected
    assert [a["href"] for a in banner.select(".affected a")] == [
        "#component-prise-de-rendez-vous",
        "#component-rappels-sms",
    ]
    assert words(banner.select_one(".promise.overdue")) == overdue
    assert banner.select_one(".overdue a")["href"].endswith(OPEN)
    assert text_of(banner.select_one(".as-of")) == as_of
    assert datetime.fromisoformat(banner.select_one(".as-of time")["datetime"]) == DEMO_NOW


def test_the_open_incident_card_says_since_when_as_well_as_the_last_update(built_demo):
    card = page(built_demo("fr")).select_one("#open-incidents").parent.select_one(".incident")
    since = card.select_one(".since")
    assert text_of(since) == "Depuis le 22 novembre 2026 à 08:40 CET (3 h 50)"  # started_at, before the first update
    assert since.time["datetime"] == "2026-11-22T08:40:00+01:00"
    assert text_of(card.select_one(".posted")) == "Dernière mise à jour : 22 novembre 2026 à 09:30 CET"
    english = page(built_demo("en")).select_one("#open-incidents").parent.select_one(".incident")
    assert text_of(english.select_one(".since")) == "Since November 22, 2026 at 08:40 CET (3 h 50 min)"


def test_without_started_at_the_card_counts_from_the_first_update_and_the_banner_from_one_service(cli, demo, at_time):
    name = "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
    edit(demo, name, "started_at: 2026-11-22 08:40 +01:00\n", "")
    edit(demo, name, "  - rappels-sms: partial_outage\n", "")
    at_time(DEMO_NOW)
    cli("build")
    home = page(demo / "site")
    assert text_of(home.select_one(".since")) == "Depuis le 22 novembre 2026 à 08:52 CET (3 h 38)"
    assert text_of(home.select_one(".banner .affected")) == "Service perturbé : Prise de rendez-vous en ligne"


def test_a_long_list_of_broken_services_is_cut_short_in_the_banner(cli, demo, at_time):
    edit(
        demo,
        "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md",
        "  - rappels-sms: partial_outage\n",
        "  - rappels-sms: partial_outage\n  - site-internet\n  - paiements\n  - courriels\n  - ligne-ecoute\n",
    )
    at_time(DEMO_NOW)
    cli("build")
    assert words(page(demo / "site").select_one(".banner .affected")) == (
        "Services perturbés : Site internet, Prise de rendez-vous en ligne, Dons et paiements en ligne et 3 autres"
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_on_a_phone_the_late_promise_and_the_moment_are_in_the_first_screen(built_demo, browser, served, language):
    site = built_demo(language)
    base = served(site)
    with offline_tab(browser, base, viewport=PHONE) as tab:
        for path in ("", OPEN):
            tab.goto(base + path)
            notice = tab.locator(".promise.overdue").first
            box = notice.bounding_box()
            assert notice.is_visible() and box["y"] + box["height"] <= PHONE["height"], (path, box)
        tab.goto(base)
        box = tab.locator(".banner .as-of time").bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box


# -- the 404 page -----------------------------------------------------------------------------------


class _PagesHost(http.server.SimpleHTTPRequestHandler):
    """Like GitHub Pages: a missing address gets /404.html with status 404."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = (self.directory_path / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def pages_host(site):
    return serve(site, type("Handler", (_PagesHost,), {"directory_path": site}))


def test_the_404_page_is_styled_on_any_host_without_asking_the_production_one(built_demo, browser):
    site = built_demo("fr")
    with pages_host(site) as base, offline_tab(browser, base, viewport=PHONE) as tab:
        outside = []
        tab.on(
            "request", lambda request: None if request.url.startswith((base, "data:")) else outside.append(request.url)
        )
        for address in ("no-such-page", "incidents/no/such/depth/"):
            response = tab.goto(base + address)
            assert response.status == 404 and tab.locator("h1").inner_text() == "Page introuvable"
            styles = tab.evaluate("""() => {
                const style = (selector) => getComputedStyle(document.querySelector(selector));
                return {header: style('header.top').backgroundColor, font: style('body').fontFamily,
                        pill: style('.pill').display, skip: style('a.skip').position};
            }""")
            assert styles == {
                "header": "rgb(40, 53, 147)",
                "font": styles["font"],
                "pill": "inline-flex",
                "skip": "absolute",
            }
            assert styles["font"].startswith("system-ui")
        assert outside == [], outside


# -- line breaks ----------------------------------------------------------------------------------

# For every separator and "%" shown in a page: is it on the same line as what comes before it, and,
# in a row of facts (.meta), as what comes after it? Characters are measured one by one (Range rects);
# a separator is shown unless the point at its middle belongs to something else (clipped).
BREAKS = """() => {
  const rendered = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const rectOf = (node, i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                                return r.getClientRects()[0]; };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      if (/\\s/.test(node.data[i])) continue;
      const rect = rectOf(node, i);
      if (rect && rect.width > 0) rendered.push([node, i]);
    }
  }
  const middle = (r) => (r.top + r.bottom) / 2;
  const blockOf = (node) => { let e = node.parentElement;  // a row of facts counts as one block
    if (e.closest('.meta')) return e.closest('.meta');
    while (e && getComputedStyle(e).display.startsWith('inline')) e = e.parentElement; return e; };
  const problems = [];
  let separators = 0, hidden = 0;
  rendered.forEach(([node, i], k) => {
    const ch = node.data[i];
    if (!'·—%'.includes(ch)) return;
    const element = node.parentElement;
    element.scrollIntoView({block: 'center', inline: 'nearest'});
    const here = rectOf(node, i);
    const hit = document.elementFromPoint(here.left + here.width / 2, middle(here));
    if (!hit || !(hit === element || element.contains(hit))) { hidden += 1; return; }
    separators += 1;
    // A neighbour in another block (a table cell, the next paragraph) is not on this line: nothing to check.
    const line = (j) => j < 0 || j >= rendered.length || blockOf(rendered[j][0]) !== blockOf(node)
      || Math.abs(middle(rectOf(...rendered[j])) - middle(here)) < here.height / 2;
    const context = (node.data.slice(Math.max(0, i - 25), i + 25)).replace(/\\s+/g, ' ');
    if (!line(k - 1)) problems.push(`'${ch}' starts a line: ${context}`);
    if (ch !== '%' && element.closest('.meta') && !line(k + 1)) problems.push(`'${ch}' ends a line: ${context}`);
  });
  return {problems, separators, hidden};
}"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_on_a_phone_no_separator_or_percent_sign_is_left_alone_on_a_line(built_demo, browser, served, language):
    site = built_demo(language)
    base = served(site)
    counts = {"separators": 0, "hidden": 0}
    with offline_tab(browser, base, viewport=PHONE) as tab:
        for path in PAGES:
            tab.goto(base + path)
            found = tab.evaluate(BREAKS)
            assert found["problems"] == [], (path, found["problems"])
            counts["separators"] += found["separators"]
            counts["hidden"] += found["hidden"]
    # Both cases happen: separators between facts on one line, and ones hidden where a fact wraps.
    assert counts["separators"] > 10 and counts["hidden"] > 10, counts


def test_on_a_wide_screen_the_separators_between_facts_show(built_demo, browser, served):
    site = built_demo("fr")
    base = served(site)
    with offline_tab(browser, base, viewport={"width": 1100, "height": 900}) as tab:
        tab.goto(base + "history/")
        found = tab.evaluate(BREAKS)
        assert found["problems"] == [] and found["hidden"] == 0 and found["separators"] >= 10, found


def test_two_component_links_read_as_two(built_demo):
    for language, joined in (
        ("fr", "Prise de rendez-vous en ligne et Rappels par SMS"),
        ("en", "Prise de rendez-vous en ligne and Rappels par SMS"),
    ):
        soup = page(built_demo(language), OPEN)
        links = soup.select(".facts dd a[href*='components/']")
        assert len(links) == 2 and text_of(links[0].parent) == joined


# -- wide tables ----------------------------------------------------------------------------------


def test_on_a_phone_a_wide_table_shows_it_scrolls_and_scrolls_from_the_keyboard(built_demo, browser, served):
    site = built_demo("fr")
    base = served(site)
    with offline_tab(browser, base, viewport=PHONE) as tab:
        tab.goto(base + "transparency/")
        boxes = tab.evaluate("""() => [...document.querySelectorAll('table')].map(table => {
            const box = table.parentElement;
            return {wide: table.offsetWidth > box.clientWidth, scrolls: getComputedStyle(box).overflowX,
                    role: box.getAttribute('role'), tabindex: box.getAttribute('tabindex'),
                    label: (document.getElementById(box.getAttribute('aria-labelledby')) || {}).textContent,
                    shadow: getComputedStyle(box).backgroundImage};
        })""")
        wide = [b for b in boxes if b["wide"]]
        assert len(wide) >= 2, boxes
        for box in wide:
            assert box["scrolls"] == "auto" and box["role"] == "region" and box["tabindex"] == "0", box
            assert box["label"] and box["label"].strip(), box
            assert box["shadow"].count("radial-gradient") == 2 and box["shadow"].count("linear-gradient") == 2, box
        region = tab.locator(".scroll").first
        region.focus()
        tab.keyboard.press("ArrowRight")
        tab.wait_for_function("() => document.activeElement.scrollLeft > 0")


def test_numbers_keep_their_units_and_percent_signs(built_demo):
    """A phone breaks lines at spaces: none between a number and its unit, nor before '%' in French
    (a narrow no-break space, as French typography wants), in balise's words and in the messages."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from balise.i18n import Translator
    from balise.outputs.pages import MarkdownRenderer

    french, english = Translator("fr", ZoneInfo("Europe/Paris")), Translator("en", ZoneInfo("Europe/Paris"))
    assert french.duration(timedelta(minutes=65)) == "1\u00a0h\u00a005"
    assert french.duration(timedelta(minutes=12)) == "12\u00a0min"
    assert english.duration(timedelta(hours=50)) == "2\u00a0d 2\u00a0h"
    assert MarkdownRenderer("fr")("Déjà 90 % des rendez-vous") == "<p>Déjà 90\u202f% des rendez-vous</p>"
    transparency = page(built_demo("fr"), "transparency/")
    assert "89\u202f%" in transparency.select_one("td.promises").get_text()
    assert "90\u202f% en moins de 1\u00a0h\u00a005" in transparency.select_one("td.ttfu").get_text()
