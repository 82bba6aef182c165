"""Hostile content: script-injection payloads planted in every field a writer controls (titles,
messages, postmortems, spokespeople, component and group names and descriptions, the site's
name) never run in a reader's browser.

The demo is built with the payloads, every page is opened in headless Chromium, and each payload
would set `window.__xss` or open a dialog if it ran. The built HTML is also read statically: no
`javascript:` URL, no event-handler attribute, no injected element anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from browser import build_demo, html_pages, offline_tab
from conftest import DEMO_NOW, page, text_of

# Each payload would set window.__xss (or open a dialog) if it ran.
PAYLOADS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\"><script>window.__xss='svg-script'</script></svg>",
    "<iframe src=\"javascript:parent.__xss='iframe'\"></iframe>",
    "<iframe srcdoc=\"<script>parent.__xss='srcdoc'</script>\"></iframe>",
    "<a href=\"javascript:window.__xss='a'\">lien</a>",
    "<a href=\"jav&#x09;ascript:window.__xss='entity'\">lien</a>",
    "<details open ontoggle=\"window.__xss='details'\">x</details>",
    "<input autofocus onfocus=\"window.__xss='focus'\">",
    "<body onload=\"window.__xss='body'\">",
    "<object data=\"javascript:window.__xss='object'\"></object><embed src=\"javascript:window.__xss='embed'\">",
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=\'meta\'">',
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__xss='mxss'\">",
    '<svg><a xlink:href="javascript:window.__xss=\'xlink\'"><text y="20">x</text></a></svg>',
    "<style>*{background:url(\"javascript:window.__xss='css'\")}</style>",
    "</title><script>window.__xss='title'</script>",
    "--><script>window.__xss='comment'</script><!--",
    "\"><script>window.__xss='attr'</script>",
    "' onmouseover='window.__xss=\"quote\"' x='",
    '" autofocus onfocus="window.__xss=\'dq\'" x="',
    "<scr<script>ipt>window.__xss='nested'</scr</script>ipt>",
    "<form action=\"javascript:window.__xss='form'\"><button formaction=\"javascript:window.__xss='fa'\">go</button></form>",
    "{{ 7*7 }} {% raw %} ${7*7} <%= 7*7 %>",
]
MARKDOWN_PAYLOADS = [
    "[clic](javascript:window.__xss='md-link')",
    "[clic](JaVaScRiPt:window.__xss='md-case')",
    "![image](javascript:window.__xss='md-image')",
    "<javascript:window.__xss='autolink'>",
    "[données](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3M9J2RhdGEnPC9zY3JpcHQ+)",
    "[ref][x]\n\n[x]: javascript:window.__xss='md-ref'",
]
# The Markdown payloads come first: the unclosed <math> of the mXSS payload once made the sanitiser
# drop everything after it, so what followed it was never tested (nor shown).
ALL = "\n\n".join(MARKDOWN_PAYLOADS + PAYLOADS) + "\n\nFin du message."
TITLE = "Panne \"><script>window.__xss='t'</script> ' onmouseover='window.__xss=1' {{ 7*7 }}"
NAME = 'Paiements "><img src=x onerror="window.__xss=\'name\'"> <b>gras</b>'
SPOKESPERSON = 'Claire "><svg onload="window.__xss=\'spk\'"> & Cie'
SITE_NAME = "Relais \"><script>window.__xss='site'</script> & <i>Cie</i>"
INCIDENT_ID = "2026-11-22-contenu-hostile"


def hostile(demo: Path) -> None:
    """Plant the payloads in every writer-controlled field of the demo."""
    components_file = demo / "status" / "components.yml"
    data = yaml.safe_load(components_file.read_text(encoding="utf-8"))
    for index, group in enumerate(data["groups"]):
        group["name"] += " " + PAYLOADS[index % len(PAYLOADS)]
        group["description"] = PAYLOADS[(index + 1) % len(PAYLOADS)]
    for index, component in enumerate(data["components"]):
        component["name"] = (
            NAME if component["id"] == "paiements" else component["name"] + " " + PAYLOADS[index % len(PAYLOADS)]
        )
        component["description"] = (
            PAYLOADS[(index + 3) % len(PAYLOADS)] + " " + MARKDOWN_PAYLOADS[index % len(MARKDOWN_PAYLOADS)]
        )
    components_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def write(name: str, front: dict, updates: list[tuple[str, str]], postmortem: str | None = None) -> None:
        body = "".join(
            f"## {when} — {status}\n\n{ALL}\n\nNext update: 2026-11-22 13:00 +01:00\n\n"
            for when, status in updates[:-1]
        )
        when, status = updates[-1]
        body += f"## {when} — {status}\n\n{ALL}\n"
        if postmortem:
            body += f"\n## Postmortem\n\n{postmortem}\n"
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body
        (demo / "incidents" / f"{name}.md").write_text(text, encoding="utf-8")

    base = {"title": TITLE, "spokesperson": SPOKESPERSON}
    write(
        INCIDENT_ID,
        {**base, "impact": "critical", "components": [{"paiements": "major_outage"}, "courriels"]},
        [("2026-11-22 10:00 +01:00", "investigating"), ("2026-11-22 11:00 +01:00", "identified")],
    )
    write(
        "2026-11-20-contenu-hostile-resolu",
        {**base, "impact": "major", "components": ["paiements"]},
        [("2026-11-20 10:00 +01:00", "investigating"), ("2026-11-20 11:00 +01:00", "resolved")],
        postmortem=ALL,
    )
    write(
        "2026-12-10-maintenance-hostile",
        {
            **base,
            "kind": "maintenance",
            "components": ["paiements"],
            "scheduled_for": "2026-12-10 22:00 +01:00",
            "scheduled_until": "2026-12-11 01:00 +01:00",
        },
        [("2026-11-21 10:00 +01:00", "scheduled")],
    )
    write(
        "2026-11-21-avis-hostile",
        {**base, "kind": "notice", "impact": "none"},
        [("2026-11-21 09:00 +01:00", "monitoring")],
    )

    # Testimonials and ingested mentions: text from outside the organisation.
    for index, payload in enumerate(PAYLOADS + MARKDOWN_PAYLOADS):
        testimonial = {
            "quote": f"Merci pour tout. {payload}",
            "attribution": {"name": f"Marie {PAYLOADS[(index + 1) % len(PAYLOADS)]}"},
            "relationship": "beneficiary",
            "date": "2026-11-01",
            "source": "letter",
            "source_url": "https://example.org/avis?q='onfocus='window.__xss=1'",
            "context": PAYLOADS[(index + 2) % len(PAYLOADS)],
            "consent": {"date": "2026-11-01", "how": "written_form"},
            "published": True,
        }
        (demo / "content" / "testimonials" / f"2026-11-01-hostile-{index:02d}.yml").write_text(
            yaml.safe_dump(testimonial, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    mentions = demo / "status" / "monitoring" / "2026-11.yml"
    data = yaml.safe_load(mentions.read_text(encoding="utf-8").replace(" +01:00", "+01:00"))
    data["sources"]["alertes-google"]["name"] = "Alertes " + PAYLOADS[0]
    data["items"] = [
        {
            "id": f"{index:016x}",
            "at": "2026-11-20 10:00 +01:00",
            "source": "alertes-google",
            "title": payload,
            "link": "https://example.org/article?q='onmouseover='window.__xss=1'",
        }
        for index, payload in enumerate(PAYLOADS + MARKDOWN_PAYLOADS)
    ]
    mentions.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    config = demo / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(
            r"(?m)^site_name: .*$", lambda m: "site_name: " + yaml.safe_dump(SITE_NAME).split("\n")[0], text, count=1
        ),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("hostile"), DEMO_NOW, edit=hostile)


def test_every_page_type_carries_payloads(site):
    """The planted content reaches every kind of page, so the checks below test something."""
    pages = html_pages(site)
    for path in (
        "index.html",
        f"incidents/{INCIDENT_ID}/index.html",
        "history/index.html",
        "components/paiements/index.html",
        "404.html",
    ):
        assert path in pages
    assert "window.__xss" in (site / "incidents" / INCIDENT_ID / "index.html").read_text(encoding="utf-8")
    transparency = (site / "transparency" / "index.html").read_text(encoding="utf-8")
    assert "Merci pour tout." in transparency and "window.__xss" in transparency


def test_no_payload_runs_in_chromium(site, browser, served):
    base = served(site)
    dialogs: list[str] = []
    with offline_tab(browser, base) as tab:
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        ran = {}
        for path in html_pages(site):
            tab.goto(base + path, wait_until="load")
            tab.keyboard.press("Tab")  # focus handlers get their chance too
            value = tab.evaluate("() => window.__xss === undefined ? null : String(window.__xss)")
            frames = [
                f.evaluate("() => window.__xss === undefined ? null : String(window.__xss)") for f in tab.frames[1:]
            ]
            if value or any(frames):
                ran[path] = value or frames
        assert ran == {}, f"payloads ran: {ran}"
        assert dialogs == []


URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster", "background")


def test_no_script_url_handler_or_injected_element_in_any_page(site, built_demo):
    clean = built_demo("fr")
    for path in html_pages(site):
        soup = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")
        # The theme's own elements (e.g. Material's menu toggles) are those of the clean demo's same page.
        theirs = (
            BeautifulSoup((clean / path).read_text(encoding="utf-8"), "html.parser")
            if (clean / path).exists()
            else None
        )
        for element in soup.find_all(True):
            for name, value in element.attrs.items():
                assert not name.lower().startswith("on"), f"{path}: event handler {name} on <{element.name}>"
                if name.lower() in URL_ATTRIBUTES:
                    squeezed = re.sub(r"[\s\x00-\x20]+", "", str(value)).lower()
                    assert not squeezed.startswith(("javascript:", "vbscript:", "data:text/html")), (
                        f"{path}: {name}={value!r}"
                    )
        for tag in ("iframe", "object", "embed", "form", "input", "meta[http-equiv]", "base"):
            found = [str(e) for e in soup.select(tag)]
            expected = [str(e) for e in theirs.select(tag)] if theirs else []
            assert found == expected, f"{path}: injected <{tag}>: {found[:1]}"
        for script in soup.find_all("script"):
            assert "__xss" not in (script.string or "") and "__xss" not in script.get("src", ""), path


def test_every_image_has_an_address_and_every_message_its_end(site):
    """A removed `javascript:` image leaves its text alternative, not an <img> without src (invalid
    HTML); and no unclosed tag (here <math>) takes the rest of a message with it."""
    for path in html_pages(site):
        soup = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")
        assert [str(img) for img in soup.find_all("img") if not img.get("src")] == [], path
    messages = page(site, f"incidents/{INCIDENT_ID}/").select(".timeline .update .message")
    assert messages and all(
        text_of(m).endswith("<%= 7*7 %> Fin du message.") for m in messages
    )  # the last payload, and after
    assert all("image" in text_of(m).split() for m in messages)  # the image's text alternative


def test_titles_names_and_spokespeople_are_shown_as_written(site):
    incident = page(site, f"incidents/{INCIDENT_ID}/")
    assert text_of(incident.select_one("main h1")) == TITLE
    assert incident.title.string.startswith(TITLE)
    assert SPOKESPERSON in text_of(incident)
    assert "{{ 7*7 }}" in text_of(incident) and " 49 " not in f" {text_of(incident)} "
    home = page(site)
    names = [text_of(a) for a in home.select(".component .name")]
    assert NAME in names
    assert SITE_NAME in text_of(home.select_one(".brand"))
