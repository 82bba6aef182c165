"""Rendering Markdown: the fast path for plain paragraphs writes exactly what python-markdown writes."""

from __future__ import annotations


import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from balise.render import MarkdownRenderer, plain_paragraphs
from conftest import REPO

PYTHON_MARKDOWN = markdown.Markdown(extensions=["sane_lists", "tables", "fenced_code"], output_format="html")
# Letters, French punctuation and spaces, and every character that can start Markdown or HTML syntax.
ALPHABET = st.sampled_from(list("ab Zé1.9:;,!?'\"()-+*_`[]<>&\\|#~=\t{}/%\u00a0\u202f\u2028\x0c\n") + ["\n\n", "  \n", "    ", "1. ", "- "])


def slow(text: str) -> str:
    return PYTHON_MARKDOWN.reset().convert(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_the_fast_path_matches_python_markdown(text):
    fast = plain_paragraphs(text)
    if fast is not None:
        assert fast == slow(text)


def test_every_demo_message_renders_as_python_markdown_would(tmp_path):
    renderer = MarkdownRenderer()
    from balise.errors import Collector
    from balise.loaders import load_content

    content = load_content(REPO / "status", REPO / "incidents", Collector(REPO))
    texts = [u.message for i in content.incidents for u in i.updates] + [i.postmortem for i in content.incidents if i.postmortem]
    fast = [t for t in texts if plain_paragraphs(t) is not None]
    assert fast, "no demo message takes the fast path: the comparison tests nothing"
    from balise.render import sanitize

    for text in texts:
        assert renderer(text) == sanitize(slow(text))


def test_markdown_is_not_taken_for_plain_text():
    for text in ("- a list", "1. first", "**bold**", "a  \nbreak", "    code", "> quote", "Title\n=====", "[link](x)"):
        assert plain_paragraphs(text) is None, text
    assert plain_paragraphs("Nous enquêtons !\nDeux lignes.\n\n\nSecond paragraphe : ok.\n") == (
        "<p>Nous enquêtons !\nDeux lignes.</p>\n<p>Second paragraphe : ok.</p>")
