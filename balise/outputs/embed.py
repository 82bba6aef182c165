"""`embed.js`: the status banner the organisation's other websites show with one line of HTML.

The script is static: this module fills `templates/embed/embed.js` with the site's language and time
zone, the banner's words in every language balise speaks (a host page may ask for another with
`data-lang`) and its stylesheet (`templates/embed/banner.css`, comments and line breaks removed).
Everything it shows comes, at the reader's visit, from the site's own `api/v2/summary.json`.
"""

from __future__ import annotations

import re

import jinja2

from balise.content.model import COMPONENT_STATUSES, StatusPage
from balise.i18n import LANGUAGES, Translator
from balise.outputs.links import SiteLinks

EMBED_PATH = "embed.js"
BANNER_WORDS = ("updated", "starts", "upcoming", "notice", "dismiss")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def banner_words(language: str, page: StatusPage) -> dict[str, object]:
    t = Translator(language, page.settings.timezone)
    words: dict[str, object] = {key: t(f"embed.{key}") for key in BANNER_WORDS}
    words["states"] = {status: t(f"overall_status.{status}") for status in COMPONENT_STATUSES[1:]}  # not "operational"
    return words


def embed_script(page: StatusPage, env: jinja2.Environment) -> tuple[str, str]:
    """(EMBED_PATH, the script's text) for this site."""
    css = env.loader.get_source(env, "embed/banner.css")[0] if env.loader else ""
    script = env.get_template("embed/embed.js").render(
        home=SiteLinks(page.settings).shown(""),
        words={language: banner_words(language, page) for language in LANGUAGES},
        language=page.settings.language,
        time_zone=page.settings.timezone.key,
        css=" ".join(_CSS_COMMENT.sub("", css).split()),
    )
    # Indentation and blank lines cost a third of the gzipped size; the code has no multi-line string.
    return EMBED_PATH, "\n".join(line.strip() for line in script.splitlines() if line.strip()) + "\n"
