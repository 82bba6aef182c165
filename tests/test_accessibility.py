"""Accessibility (WCAG 2.1 AA) of the built demo, in headless Chromium, in French and in English:
axe-core finds no violation on any kind of page (light and dark colour schemes), the skip link
comes first and moves focus to the content, the status and timelines are complete without
JavaScript, and the printed page keeps the status and the timeline but drops the navigation.
"""

from __future__ import annotations

import pytest

from browser import AXE, offline_tab, representative_pages, require
from conftest import page, text_of

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OPEN = "incidents/2026-11-22-prise-de-rendez-vous-indisponible/index.html"
POSTMORTEM = "incidents/2026-01-19-espace-beneficiaires-inaccessible/index.html"
MAINTENANCE = "incidents/2026-12-05-maintenance-espace-beneficiaires/index.html"
# Pages the checks must include whatever the sampling picks: an open incident, a resolved one
# with a postmortem, an upcoming maintenance.
NAMED = (OPEN, POSTMORTEM, MAINTENANCE)
BALISE_TYPES = {"home", "incidents", "history", "components"}  # balise's own templates


def pages_to_check(site) -> list[str]:
    pages = [p for group in representative_pages(site).values() for p in group]
    return sorted(set(pages) | {p for p in NAMED if (site / p).exists()})


def axe_violations(tab, base: str, pages: list[str]) -> dict[str, list]:
    found = {}
    for path in pages:
        tab.goto(base + path, wait_until="load")
        tab.add_script_tag(path=str(AXE))
        violations = tab.evaluate(
            """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
                 .violations.map(v => ({id: v.id, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary.split('\\n')[1])}))""",
            WCAG,
        )
        if violations:
            found[path] = violations
    return found


@pytest.fixture(scope="module")
def axe_ready():
    require(AXE, "axe-core")


def test_every_kind_of_page_is_checked(built_demo):
    site = built_demo("fr")
    kinds = representative_pages(site)
    assert {"home", "incidents", "history", "components", "404", "a-propos"} <= set(kinds)
    assert set(NAMED) <= set(pages_to_check(site))
    assert page(site, POSTMORTEM).select_one(".postmortem") is not None
    assert "scheduled" in str(page(site, MAINTENANCE).select_one(".meta"))


@pytest.mark.parametrize("language, scheme", [("fr", "light"), ("en", "light"), ("fr", "dark")])
def test_axe_finds_no_violation(built_demo, browser, served, axe_ready, language, scheme):
    site = built_demo(language)
    base = served(site)
    with offline_tab(browser, base, color_scheme=scheme) as tab:
        found = axe_violations(tab, base, pages_to_check(site))
    assert found == {}, "\n".join(f"{p}: {v}" for p, v in found.items())


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(built_demo, browser, served):
    site = built_demo("fr")
    base = served(site)
    with offline_tab(browser, base) as tab:
        checked = set()
        for path in pages_to_check(site):
            if tab.goto(base + path) and tab.locator("a.skip").count() == 0:
                continue  # the theme's own pages (404, about) have the theme's own skip link
            tab.keyboard.press("Tab")
            first = tab.evaluate(
                "() => [document.activeElement.className, document.activeElement.getAttribute('href')]"
            )
            assert first == ["skip", "#main"], f"{path}: the first Tab reaches {first}"
            assert tab.locator("a.skip").is_visible() and tab.locator("a.skip").bounding_box()["x"] >= 0
            tab.keyboard.press("Enter")
            assert tab.evaluate("() => document.activeElement.id") == "main", path
            tab.keyboard.press("Tab")
            # The next Tab goes on from the content (its first link, or the footer), not back to the header.
            assert tab.evaluate(
                "() => document.activeElement !== document.body && !document.querySelector('header').contains(document.activeElement)"
            ), f"{path}: the Tab after the skip link goes back to the header"
            checked.add(path.split("/")[0])
        assert {"index.html", "incidents", "history", "components"} <= checked


def test_everything_is_there_without_javascript(built_demo, browser, served):
    for language in ("fr", "en"):
        site = built_demo(language)
        base = served(site)
        with offline_tab(browser, base, java_script_enabled=False) as tab:
            tab.goto(base)
            assert tab.locator(".banner h1").is_visible() and tab.locator(".banner h1").inner_text().strip()
            components = tab.locator(".component")
            assert components.count() == len(page(site).select(".component")) > 0
            for index in range(components.count()):
                row = components.nth(index)
                assert row.locator(".name").is_visible() and row.locator(".pill").is_visible()
                assert row.locator(".pill").inner_text().strip(), "a status shown by colour alone"
            tab.goto(base + OPEN)
            updates = tab.locator(".timeline .update")
            assert updates.count() >= 2
            for index in range(updates.count()):
                assert updates.nth(index).is_visible() and updates.nth(index).locator(".message").inner_text().strip()
            tab.goto(base + "history/")
            assert tab.locator("main").inner_text().count("\n") > 10


def test_status_is_never_given_by_colour_alone(built_demo):
    for language in ("fr", "en"):
        site = built_demo(language)
        for path in pages_to_check(site):
            soup = page(site, path)
            for pill in soup.select(".pill"):
                assert pill.select_one("svg.icon") is not None and text_of(pill), f"{path}: {pill}"
            for bar in soup.select(".bar svg"):
                assert bar.get("role") == "img" and bar.get("aria-label"), path


def test_the_printed_page_keeps_status_and_timeline(built_demo, browser, served):
    site = built_demo("fr")
    base = served(site)
    with offline_tab(browser, base) as tab:
        tab.emulate_media(media="print")
        tab.goto(base)
        assert not tab.locator("header.top nav").is_visible()
        assert tab.locator(".banner h1").is_visible()
        assert tab.locator(".component .pill").first.is_visible()
        tab.goto(base + OPEN)
        assert not tab.locator("header.top nav").is_visible()
        assert tab.locator("main h1").is_visible()
        assert tab.locator(".timeline .update").first.is_visible()
        assert tab.locator(".timeline .update").last.is_visible()
        tab.emulate_media(media="screen")
        assert tab.locator("header.top nav").is_visible()  # the control: hidden by the print stylesheet only


def test_on_a_phone_nothing_overflows_and_table_captions_stay_readable(built_demo, browser, served):
    """At 360 px wide, no page scrolls sideways; a wide table scrolls inside its box, caption in view."""
    site = built_demo("fr")
    base = served(site)
    with offline_tab(browser, base, viewport={"width": 360, "height": 740}) as tab:
        for path in ("", OPEN, POSTMORTEM, "history/", "components/paiements/", "transparency/", "subscribe/"):
            tab.goto(base + path)
            assert tab.evaluate("document.documentElement.scrollWidth") <= 360, path
            for left, right in tab.eval_on_selector_all(
                "caption", "els => els.map(e => [e.getBoundingClientRect().left, e.getBoundingClientRect().right])"
            ):
                assert left >= 0 and right <= 360, (path, left, right)
