"""An update's message, from the writer's Markdown to safe HTML, and what that costs the writer.

GitHub Flavored Markdown (`balise.content.gfm`), then an allow-list sanitiser, then French spacing; links
rebased for wherever the message is shown; and `check_sanitised`, which tells `balise check` what
sanitising removed. Loaders, pages and feeds all use this one path. Nothing here imports MkDocs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape
from pathlib import Path
from urllib.parse import urljoin

import nh3

from balise.content import gfm
from balise.errors import Collector
from balise.i18n import french_spacing

_RENDERED: dict[tuple[bool, str], str] = {}  # (French spacing?, Markdown text) -> sanitised HTML
MARKDOWN_CACHE_LIMIT = 500_000  # texts; a history of 100,000 updates fits


class MarkdownRenderer:
    """Markdown to safe HTML. Writers are trusted, but text may be pasted from anywhere,
    so every fragment goes through an allow-list sanitiser.

    The Markdown is GitHub's (`balise.content.gfm`): writers often commit from GitHub's web editor, and its
    Preview tab then shows what the site will show — a list straight under a line is a list, a
    bare address is a link. It is also a C library, over fifteen times faster than python-markdown."""

    def __init__(self, language: str = ""):
        # Shared by the builds of one process, so that `balise serve` re-renders only what changed.
        if len(_RENDERED) > MARKDOWN_CACHE_LIMIT:
            _RENDERED.clear()
        self._cache = _RENDERED
        self._french = language == "fr"

    def __call__(self, text: str) -> str:
        key = (self._french, text)
        cached = self._cache.get(key)
        if cached is None:
            html = markdown_html(text)
            cached = self._cache[key] = french_spacing_html(html) if self._french else html
        return cached


def markdown_html(text: str) -> str:
    """A message's Markdown as safe HTML (before French spacing): cmark-gfm, then the sanitiser."""
    html = gfm.to_html(text)
    if "<" in text:  # raw HTML only ever comes from a '<' the writer typed
        html = _strip_disallowed_tags(html)
    return sanitize(html).rstrip("\n")


_TAG = re.compile(r"(<[^>]*>)")
_CODE = re.compile(r"<(/?)(?:code|pre)\b", re.IGNORECASE)


def french_spacing_html(html: str) -> str:
    """French spacing (`i18n.french_spacing`) in the text of sanitised HTML, but not in code."""
    parts = _TAG.split(html)
    in_code = 0
    for index, part in enumerate(parts):
        if index % 2:
            if tag := _CODE.match(part):
                in_code = max(0, in_code + (-1 if tag[1] else 1))
        elif in_code == 0 and " " in part:
            parts[index] = french_spacing(part)
    return "".join(parts)


# What Markdown writes, and a few harmless inline tags: no headings above the page's own, no
# landmarks, no interactive or embedded elements. Attributes are limited to those that stay valid
# HTML whatever their value (obsolete ones such as align are dropped).
SAFE_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
}
SAFE_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_NUMBER = re.compile(r"^[1-9][0-9]{0,3}$")
# nh3 (html5ever) writes every attribute as name="value" with '"' escaped, so this reads them exactly.
_LINK_OR_IMAGE = re.compile(r'<(a|img)((?:\s[a-z:-]+="[^"]*")*)(\s*/?)>')
_ATTRIBUTE = re.compile(r'\s([a-z:-]+)="[^"]*"')
_ALT = re.compile(r'\salt="([^"]*)"')


def _repair(match: re.Match[str]) -> str:
    tag, attributes, end = match.groups()
    names = _ATTRIBUTE.findall(attributes)
    if tag == "a" and "href" not in names:  # its unsafe URL was removed: rel is invalid without href
        attributes = "".join(a.group(0) for a in _ATTRIBUTE.finditer(attributes) if a.group(1) != "rel")
    if tag == "img" and "src" not in names:  # its unsafe URL was removed: an image of nothing is invalid
        alt = _ALT.search(attributes)  # its text alternative stays, as text (serialised attributes keep '<')
        return escape(unescape(alt[1]), quote=False) if alt else ""
    if tag == "img" and "alt" not in names:
        attributes = ' alt=""' + attributes
    return f"<{tag}{attributes}{end}>"


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("width", "height", "colspan", "rowspan", "start"):
        return value if _NUMBER.match(value.strip()) else None
    return value


def sanitize(html: str) -> str:
    """Untrusted HTML to a safe, valid fragment: an allow-list sanitiser (nh3), then repairs of its
    output (which is normalised, attributes double-quoted): a link whose unsafe URL was removed loses
    its rel, an image whose unsafe URL was removed becomes its text alternative, and an image
    without a text alternative gets an empty one."""
    clean = nh3.clean(
        html,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return _LINK_OR_IMAGE.sub(_repair, clean)


# A tag as CommonMark reads raw HTML (attribute values may hold '>'), in cmark-gfm's output.
_RAW_TAG = re.compile(
    r"""<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*/?>"""
)
# Their content is code, removed with them (and reported by `check_sanitised`).
_CONTENT_DROPPED = {"script", "style"}


def _strip_disallowed_tags(html: str) -> str:
    """Remove the tags the sanitiser would not keep, leaving their text, before it parses the HTML.

    The HTML parser gives some of them powers over what follows: an unclosed <math> or <svg> puts
    the rest of the message in a foreign element the sanitiser drops whole, <template> hides it,
    <xmp> or <textarea> turn the following markup into visible text. Removed first, they are just
    absent, as any other disallowed tag. An unclosed <script> or <style> would swallow the rest of
    the message: it is removed too, so only a closed one takes its content with it."""

    def judged(match: re.Match[str]) -> str:
        name = match[2].lower()
        if name in SAFE_TAGS:
            return match[0]
        if name in _CONTENT_DROPPED and (match[1] or re.search(rf"</{name}[\s/>]", html[match.end() :], re.IGNORECASE)):
            return match[0]
        return ""

    return _RAW_TAG.sub(judged, html)


_ANY_TAG = re.compile(_RAW_TAG.pattern + r"|<[^>]*>")  # a well-formed tag, else anything up to a '>'
LOST_WORDS_SHOWN = 8


def _visible_text(html: str) -> str:
    return unescape(_ANY_TAG.sub(" ", html))


def sanitising_losses(text: str) -> tuple[list[str], bool]:
    """(the words of a message that sanitising removes, whether nothing is left to see).

    The words typed are those of cmark-gfm's HTML with every tag taken out, code in <script>
    included; each must still be in the sanitised HTML's text. Only a message with a '<' can lose any."""
    if "<" not in text:
        return [], False
    typed = gfm.to_html(text)
    clean = markdown_html(text)
    kept = _visible_text(clean)
    lost, position = [], 0
    for word in _visible_text(typed).split():
        found = kept.find(word, position)
        if found < 0:
            found = kept.find(word)  # the parser may have moved it (e.g. text out of a table)
        if found < 0:
            lost.append(word)
        else:
            position = found + len(word)
    return lost, not kept.strip() and "<img" not in clean


def check_sanitised(text: str, path: Path | str, line: int, report: Collector, what: str = "update") -> None:
    """Report, at the line of an update (or postmortem), what sanitising removes from it: a warning
    naming the words lost, an error if nothing is left to publish."""
    lost, emptied = sanitising_losses(text)
    shown = '"' + " ".join(lost[:LOST_WORDS_SHOWN]) + (" …" if len(lost) > LOST_WORDS_SHOWN else "") + '"'
    if emptied:
        report.error(
            path,
            line,
            f"nothing is left of this {what} once its HTML is removed"
            + (f" (not shown: {shown})" if lost else "")
            + " — write the message as text: "
            "HTML such as <script>, <iframe> or <svg> is never published",
        )
    elif lost:
        report.warning(
            path,
            line,
            f"the sanitiser removes text from this {what}: {shown} — HTML such as "
            "<script> or <style> is never published, nor what it holds: write it as text, "
            "or in `code` to show it",
        )


# A link or image in sanitised HTML whose address has no scheme: relative, root-relative or a fragment
# (nh3 writes every attribute double-quoted, so this reads them exactly).
_RELATIVE_REFERENCE = re.compile(r'(\s(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|//)([^"]*)"')
_SITE_ROOT = "http://site.invalid/"


def rebase_links(html: str, base_path: str, write: Callable[[str], str]) -> str:
    """A message's relative links are written from its incident's page (`base_path`, site-relative);
    wherever the message appears (the home page, a feed), each is resolved to a site path and written
    by `write` (site path -> address). A root-relative link counts from the site's root, wherever
    the site is served."""
    if 'href="' not in html and 'src="' not in html:
        return html

    def rebased(match: re.Match[str]) -> str:
        resolved = urljoin(_SITE_ROOT + base_path, unescape(match[2]))
        return f'{match[1]}{escape(write(resolved[len(_SITE_ROOT) :]))}"'

    return _RELATIVE_REFERENCE.sub(rebased, html)
