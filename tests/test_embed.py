"""embed.js, the status banner for the organisation's other websites, in Chromium.

The built status site is served from one origin (answering `Access-Control-Allow-Origin: *`, as
GitHub Pages does) and host pages from another, so every request is the cross-origin one a real
embedding makes. The banner's summary.json can be made to go missing, answer late or malformed.
"""

from __future__ import annotations

import gzip
import http.server
import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import pytest

from browser import AXE, build_demo, require, serve
from conftest import DEMO_NOW, page

INCIDENT = "Prise de rendez-vous en ligne indisponible"
INCIDENT_URL = "https://statut.relais-solidaire.example.org/incidents/2026-11-22-prise-de-rendez-vous-indisponible/"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SLOW = 3.0  # seconds the "slow" summary takes, over the page's data-timeout of 1 s


def operational(summary: dict) -> dict:
    quiet = dict(summary, incidents=[], scheduled_maintenances=[])
    quiet["components"] = [dict(c, status="operational") for c in summary["components"]]
    return quiet


# How each variant of the status site answers for api/v2/summary.json (None: the built file).
VARIANTS = {
    "ok": None,
    "missing": 404,
    "slow": "slow",
    "malformed": b'{"incidents": [{"name": "x"',
    "wrong-shape": b'{"incidents": 5, "components": "all"}',
    "not-json": b"<html>Not found</html>",
    "operational": operational,
}


def status_handler(sites: dict[str, Path]):
    """Serves /VARIANT/… from the built site named by VARIANT ('hostile/…' from the hostile one)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def end_headers(self):
            self.send_header("Access-Control-Allow-Origin", "*")
            super().end_headers()

        def translate_path(self, path):
            variant, _, rest = path.lstrip("/").partition("/")
            site = sites["hostile"] if variant == "hostile" else sites["fr"]
            return str(site / rest.split("?", 1)[0])

        def do_GET(self):
            variant, _, rest = self.path.lstrip("/").partition("/")
            answer = VARIANTS.get(variant)
            if rest != "api/v2/summary.json" or answer is None:
                return super().do_GET()
            if answer == 404:
                return self.send_error(404)
            built = (sites["fr"] / rest).read_bytes()
            if answer == "slow":
                time.sleep(SLOW)
                body = built
            elif callable(answer):
                body = json.dumps(answer(json.loads(built))).encode()
            else:
                body = answer
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None

    return Handler


class HostPages(http.server.SimpleHTTPRequestHandler):
    """The organisation's other website: /NAME answers the page registered under NAME, with its CSP."""

    pages: ClassVar[dict[str, tuple[str, str | None]]] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        html, csp = self.pages.get(self.path.lstrip("/"), ("", None))
        body = html.encode()
        self.send_response(200 if html else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def origins(built_demo, tmp_path_factory):
    """(status site's base URL, host site's base URL)."""
    from test_xss import hostile

    sites = {
        "fr": built_demo("fr"),
        "hostile": build_demo(tmp_path_factory.mktemp("embed-hostile"), DEMO_NOW, edit=hostile),
    }
    empty = tmp_path_factory.mktemp("host")
    with serve(empty, status_handler(sites)) as status, serve(empty, HostPages) as host:
        yield status, host


def host_page(
    origins, name: str, variant: str = "ok", attributes: str = "", csp: bool = False, twice: bool = False
) -> str:
    status, host = origins
    tag = f'<script src="{status}{variant}/embed.js" async {attributes}></script>'
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Le Relais Solidaire</title></head>'
        f"<body><main><h1>Faire un don</h1><p>Merci de votre soutien.</p></main>{tag}{tag if twice else ''}</body></html>"
    )
    policy = f"default-src 'none'; script-src {status}; connect-src {status}; base-uri 'none'" if csp else None
    HostPages.pages[name] = (html, policy)
    return host + name


@contextmanager
def tab_on(browser, origins, **options):
    """A tab that can reach the two local origins only; yields it with the page's uncaught errors."""
    context = browser.new_context(**options)
    status, host = origins
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith((status, host)) else route.abort(),
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        yield tab, errors
    finally:
        context.close()


SHOWN = "() => document.querySelector('[data-balise-embed]')?.shadowRoot?.querySelector('.banner button')"
BANNER = """() => {
  const host = document.querySelector('[data-balise-embed]');
  const banner = host && host.shadowRoot.querySelector('.banner');
  if (!banner) return null;
  const link = banner.querySelector('a');
  return {text: banner.textContent, role: banner.getAttribute('role'), lang: banner.lang,
          severity: banner.className, title: link.textContent, href: link.href,
          dismiss: banner.querySelector('button').getAttribute('aria-label'),
          position: host.getAttribute('data-position'), first: document.body.firstElementChild === host,
          hosts: document.querySelectorAll('[data-balise-embed]').length,
          tags: [...host.shadowRoot.querySelectorAll('*')].map(e => e.tagName.toLowerCase()).sort()};
}"""


def shown(tab, url: str) -> dict:
    tab.goto(url)
    tab.wait_for_function(SHOWN)
    return tab.evaluate(BANNER)


def nothing_shown(tab, url: str, wait: float = 0.5) -> bool:
    """True when, once summary.json has been answered (or given up on), no banner appears."""
    with tab.expect_response(lambda response: "summary.json" in response.url):
        tab.goto(url)
    tab.wait_for_timeout(wait * 1000)  # longer than the banner's 0.1 s before it fills its live region
    return tab.evaluate("() => document.querySelector('[data-balise-embed]') === null")


def test_an_open_incident_shows_with_its_state_title_time_and_link(browser, origins):
    with tab_on(browser, origins) as (tab, errors):
        banner = shown(tab, host_page(origins, "open"))
    assert banner["title"] == INCIDENT
    assert banner["href"] == INCIDENT_URL
    assert banner["text"].startswith("Panne majeure en cours")
    assert "mise à jour le 22 novembre à 09:30" in banner["text"]
    assert (banner["role"], banner["lang"], banner["dismiss"]) == ("status", "fr", "Masquer ce message")
    assert banner["position"] == "top" and banner["first"]
    assert "major_outage" in banner["severity"]
    assert errors == []


def test_the_embedding_page_chooses_the_language_and_the_place(browser, origins):
    with tab_on(browser, origins) as (tab, errors):
        banner = shown(tab, host_page(origins, "english", attributes='data-lang="en" data-position="bottom"'))
    assert banner["text"].startswith("Major outage in progress")
    assert "updated November 22" in banner["text"]
    assert (banner["lang"], banner["dismiss"], banner["position"]) == ("en", "Dismiss this message", "bottom")
    assert not banner["first"]
    assert errors == []


def test_nothing_at_all_while_everything_works(browser, origins):
    with tab_on(browser, origins) as (tab, errors):
        assert nothing_shown(tab, host_page(origins, "operational", "operational"))
        # a component the open incident does not touch: nothing either
        assert nothing_shown(tab, host_page(origins, "unaffected", attributes='data-components="ligne-ecoute"'))
        # maintenance only when asked for: the demo's is upcoming
        assert nothing_shown(
            tab, host_page(origins, "planned-hidden", attributes='data-components="espace-beneficiaires"')
        )
    assert errors == []


def test_upcoming_maintenance_when_the_page_asks_for_it(browser, origins):
    attributes = 'data-components="espace-beneficiaires, courriels" data-maintenance="upcoming"'
    with tab_on(browser, origins) as (tab, errors):
        banner = shown(tab, host_page(origins, "planned", attributes=attributes))
        assert nothing_shown(
            tab,
            host_page(
                origins, "no-maintenance", attributes='data-maintenance="none" data-components="espace-beneficiaires"'
            ),
        )
    assert banner["text"].startswith("Maintenance prévue")
    assert "prévue le 5 décembre à 22:00" in banner["text"]
    assert banner["title"] == "Maintenance de l'espace bénéficiaires et de la prise de rendez-vous"
    assert "planned" in banner["severity"]
    assert errors == []


def test_dismissed_with_the_keyboard_and_hidden_for_the_session(browser, origins):
    url = host_page(origins, "dismiss")
    with tab_on(browser, origins) as (tab, errors):
        shown(tab, url)
        tab.keyboard.press("Tab")  # the banner comes first in the page: its link, then its button
        assert tab.evaluate("() => document.activeElement.shadowRoot.activeElement.textContent") == INCIDENT
        tab.keyboard.press("Tab")
        tab.keyboard.press("Enter")
        assert tab.evaluate("() => document.querySelector('[data-balise-embed]')") is None
        assert nothing_shown(tab, url)  # reloaded in the same session
    with tab_on(browser, origins) as (tab, errors_later):  # a new session shows it again
        assert shown(tab, url)["title"] == INCIDENT
    assert errors == errors_later == []


def test_one_banner_when_the_script_is_included_twice(browser, origins):
    with tab_on(browser, origins) as (tab, errors):
        banner = shown(tab, host_page(origins, "twice", twice=True))
        tab.wait_for_timeout(500)
        assert tab.evaluate("() => document.querySelectorAll('[data-balise-embed]').length") == 1
    assert banner["title"] == INCIDENT and errors == []


@pytest.mark.parametrize("variant", ["missing", "slow", "malformed", "wrong-shape", "not-json"])
def test_a_missing_slow_or_malformed_summary_shows_nothing_and_throws_nothing(browser, origins, variant):
    with tab_on(browser, origins) as (tab, errors):
        url = host_page(origins, variant, variant, attributes='data-timeout="1000"')
        if variant == "slow":
            tab.goto(url)
            tab.wait_for_timeout((SLOW + 0.5) * 1000)  # the answer came, too late
            assert tab.evaluate("() => document.querySelector('[data-balise-embed]') === null")
        else:
            assert nothing_shown(tab, url)
        assert tab.evaluate("() => document.querySelector('h1').textContent") == "Faire un don"
    # the browser itself reports a 404 in the console; nothing else may be reported
    assert [e for e in errors if "404" not in e] == []


def test_it_works_under_a_strict_content_security_policy(browser, origins):
    with tab_on(browser, origins) as (tab, errors):
        tab.add_init_script(
            "window.__violations = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI))"
        )
        banner = shown(tab, host_page(origins, "csp", csp=True))
        styled = tab.evaluate(
            "() => getComputedStyle(document.querySelector('[data-balise-embed]').shadowRoot.querySelector('.banner')).display"
        )
        assert tab.evaluate("() => window.__violations") == []
    assert banner["title"] == INCIDENT
    assert styled == "flex"  # its stylesheet applies: no inline style was needed
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_host_page_with_the_banner(browser, origins, scheme):
    require(AXE, "axe-core")
    with tab_on(browser, origins, color_scheme=scheme) as (tab, errors):
        shown(tab, host_page(origins, f"axe-{scheme}"))
        tab.wait_for_timeout(400)  # its arrival animation has ended: colours are final
        tab.add_script_tag(path=str(AXE))
        violations = tab.evaluate(
            """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
                 .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""",
            WCAG,
        )
    assert violations == []
    assert errors == []


def test_reduced_motion_is_respected(browser, origins):
    animation = "() => getComputedStyle(document.querySelector('[data-balise-embed]').shadowRoot.querySelector('.banner')).animationName"
    with tab_on(browser, origins, reduced_motion="reduce") as (tab, _):
        shown(tab, host_page(origins, "still"))
        assert tab.evaluate(animation) == "none"
    with tab_on(browser, origins, reduced_motion="no-preference") as (tab, _):
        shown(tab, host_page(origins, "moving"))
        assert tab.evaluate(animation) != "none"


def test_hostile_titles_show_as_text_and_never_run(browser, origins):
    from test_xss import TITLE

    with tab_on(browser, origins) as (tab, errors):
        tab.on("dialog", lambda dialog: (errors.append("dialog: " + dialog.message), dialog.dismiss()))
        banner = shown(tab, host_page(origins, "hostile", "hostile"))
        tab.keyboard.press("Tab")
        ran = tab.evaluate("() => window.__xss === undefined ? null : String(window.__xss)")
    assert banner["title"] == TITLE
    assert ran is None
    assert banner["tags"] == ["a", "button", "div", "p", "span", "strong"]
    assert errors == []


def test_the_script_is_small_and_the_subscribe_page_gives_both_snippets(built_demo):
    site = built_demo("fr")
    script = (site / "embed.js").read_bytes()
    assert len(gzip.compress(script, 9)) <= 3 * 1024, "embed.js: over its 3 KB (gzip) budget"
    subscribe = page(site, "subscribe/")
    assert subscribe.select_one("#embed-script").get_text() == (
        '<script src="https://statut.relais-solidaire.example.org/embed.js" async></script>'
    )
    assert 'data-maintenance="upcoming"' in subscribe.select_one("#embed-options").get_text()
    assert subscribe.select_one("#embed-badge").get_text() == (
        '<a href="https://statut.relais-solidaire.example.org/">'
        '<img src="https://statut.relais-solidaire.example.org/badge.svg" alt="Le Relais Solidaire — État des services"></a>'
    )


def test_the_script_carries_no_content_only_words_and_settings(built_demo):
    """Nothing published is baked into the script (a draft cannot leak through it): it reads the
    summary at each visit, so the file is the same whatever the incidents say."""
    site = built_demo("fr")
    text = (site / "embed.js").read_text(encoding="utf-8")
    assert INCIDENT not in text and "rendez-vous" not in text
    assert '"Europe/Paris"' in text and "Panne majeure en cours" in text and "Major outage in progress" in text
