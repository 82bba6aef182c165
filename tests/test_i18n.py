"""Every string balise writes exists in French and in English."""

from __future__ import annotations

import re

from balise.i18n import LANGUAGES, catalog


def keys(tree, prefix=""):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from keys(value, f"{prefix}{key}.")
    elif isinstance(tree, list):
        yield f"{prefix}[{len(tree)}]"
    else:
        yield prefix.rstrip(".")


def test_french_and_english_have_the_same_strings():
    fr, en = (set(keys(catalog(language))) for language in LANGUAGES)
    assert fr - en == set(), "missing in English"
    assert en - fr == set(), "missing in French"


def test_an_english_site_is_written_in_english(tmp_path):
    from conftest import Cli, page, text_of

    Cli(tmp_path)("init", "site", "--language", "en", "--name", "Acme")
    Cli(tmp_path / "site")("build")
    home = page(tmp_path / "site" / "site")
    assert home.html["lang"] == "en"
    assert text_of(home.select_one(".banner h1")) == "All systems operational"
    assert "Opérationnel" not in text_of(home)


def test_french_punctuation_never_starts_a_line(built_demo):
    """A non-breaking space before ':' and inside « », a narrow one before ; ! ? — in balise's words
    and in the writers' messages, but never inside code."""
    from balise.content.messages import MarkdownRenderer

    html = MarkdownRenderer("fr")("Attention : « faux » courriel ? Tapez `a : b`.\n\n    code : x")
    assert html == (
        "<p>Attention\u00a0: «\u00a0faux\u00a0» courriel\u202f? Tapez <code>a : b</code>.</p>\n"
        "<pre><code>code : x\n</code></pre>"
    )
    assert MarkdownRenderer("en")("Note : this") == "<p>Note : this</p>"
    home = (built_demo("fr") / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]*>", "", home)
    assert re.findall(r" [:;!?»]|« ", text) == []
    assert "\u00a0:" in text
