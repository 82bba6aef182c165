"""`embed.js`: the status banner the organisation's other websites show with one line of HTML.

The script is static: this module fills `templates/embed/embed.js` with the site's language and time
zone, the banner's words in every language balise speaks (a host page may ask for another with
`data-lang`) and its stylesheet (`templates/embed/banner.css`, comments and line breaks removed).
Everything it shows comes, at the reader's visit, from the site's own `api/v2/summary.json`.
"""

from __future__ import annotations

import re

import jinja2

from balise.content.model import COMPONENT_STATUSES, ComponentStatus, StatusPage
from balise.i18n import LANGUAGES, Translator
from balise.outputs.links import SiteLinks
from balise.outputs.pages import compact_css

EMBED_PATH = "embed.js"
BANNER_WORDS = ("updated", "starts", "upcoming", "notice", "dismiss")
_CSS_SPACE = re.compile(r"\s*([{};,:])\s*")  # never a descendant combinator's space


def banner_words(language: str, page: StatusPage) -> dict[str, object]:
    t = Translator(language, page.settings.timezone)
    words: dict[str, object] = {key: t(f"embed.{key}") for key in BANNER_WORDS}
    # The banner never shows while all is operational: that state needs no words.
    shown = (status for status in COMPONENT_STATUSES if status != ComponentStatus.OPERATIONAL)
    words["states"] = {status: t(f"overall_status.{status}") for status in shown}
    return words


def embed_script(page: StatusPage, env: jinja2.Environment) -> tuple[str, str]:
    """(EMBED_PATH, the script's text) for this site."""
    css = env.loader.get_source(env, "embed/banner.css")[0] if env.loader else ""
    script = env.get_template("embed/embed.js").render(
        home=SiteLinks(page.settings).shown(""),
        words={language: banner_words(language, page) for language in LANGUAGES},
        language=page.settings.language,
        time_zone=page.settings.timezone.key,
        css=_CSS_SPACE.sub(r"\1", compact_css(css)),
    )
    return EMBED_PATH, compact(script)


# A double-quoted string (with its escapes), or a run of code between strings.
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SPACE_AROUND_PUNCTUATION = re.compile(r"[ \t]*([-+*/%=<>!&|?:;,.(){}\[\]])[ \t]*")


def compact(script: str) -> str:
    """The script without indentation, blank lines or spaces around punctuation: a third of its
    gzipped size. Line breaks stay (no reliance on semicolon insertion) and strings are left as
    they are; the template has no single-quoted string, template literal or regular expression,
    which this would not know to leave alone (tests/test_embed.py runs the result in Chromium)."""
    lines = []
    for line in script.splitlines():
        parts = _STRING.split(line.strip())
        strings = _STRING.findall(line.strip())
        code = [_SPACE_AROUND_PUNCTUATION.sub(r"\1", part) for part in parts]
        joined = "".join(piece for pair in zip(code, [*strings, ""], strict=True) for piece in pair)
        if joined:
            lines.append(joined)
    return "\n".join(lines) + "\n"
