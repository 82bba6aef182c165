"""A body from another system (HTML, or Markdown with some HTML in it) → the GitHub Markdown of an
update, with nothing executable left and nothing that would read as balise's own syntax.

The site's sanitiser (nh3, `content.messages`) still runs at build time; this makes the *file* clean
too, so that what a reviewer reads in the imported Markdown is what the public will see.
"""

from __future__ import annotations

import html
import re

import nh3
from markdownify import markdownify

from balise.transparency.ingest import without_controls

# Tags an update may keep as they are (without attributes, but a link's address): the build's
# sanitiser allows them too. `script` and `style` go with their content; any other tag goes, its text stays.
KEPT_TAGS = {"b", "strong", "i", "em", "code", "br", "sub", "sup", "del", "s", "kbd", "mark", "u", "small"}
DROPPED_WITH_CONTENT = ("script", "style", "template", "noscript", "textarea", "title", "xmp", "iframe", "object")
HTML_TAGS = {
    *KEPT_TAGS,
    "a", "p", "div", "span", "ul", "ol", "li", "blockquote", "pre", "table", "thead", "tbody", "tr", "th", "td",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "var", "img",
}  # fmt: skip
LINK_SCHEMES = {"http", "https", "mailto"}

# Block tags: a body written in HTML (a feed's), not Markdown with a `<b>` in it.
LOOKS_LIKE_HTML = re.compile(r"<(?:p|div|br|ul|ol|li|table|h[1-6]|blockquote|pre)\b[^>]*>", re.I)
IMAGE = re.compile(r"<img\b[^>]*?\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')[^>]*>", re.I)
TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
COMMENT = re.compile(r"<!--.*?-->", re.S)
HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$", re.M)
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?\s*([A-Za-z][A-Za-z0-9+.-]*):(?:[^()]|\([^()]*\))*\)")
PLACEHOLDER_BRACES = re.compile(r"\{\{|\}\}")
BLANK_LINES = re.compile(r"\n{3,}")


def to_markdown(body: str, is_html: bool | None = None) -> tuple[str, list[str]]:
    """(the body as GitHub Markdown, what had to be simplified: a list of short descriptions).
    `is_html`: whether the body is HTML; None: HTML if it has block tags (`<p>`, `<br>`, `<li>`…)."""
    lost: list[str] = []
    # Control characters and terminal colour codes: `balise check` refuses the first, nobody reads the second.
    text = without_controls((body or "").replace("\r\n", "\n").replace("\r", "\n"))
    if is_html or (is_html is None and LOOKS_LIKE_HTML.search(text)):
        text = from_html(text, lost)
    text = _without_active_html(text, lost)
    text = MARKDOWN_LINK.sub(lambda m: _markdown_link(m, lost), text)
    # A heading inside an update would read as the next update (or the postmortem): bold instead.
    text = ATX_HEADING.sub(lambda m: f"**{m[2].strip()}**" if m[2].strip() else "", text)
    # `{{ name }}` reads as a playbook's unfilled placeholder, which `balise check` refuses.
    text = PLACEHOLDER_BRACES.sub(lambda m: "\\" + m[0][0] + "\\" + m[0][1], text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return BLANK_LINES.sub("\n\n", text).strip(), lost


def from_html(text: str, lost: list[str]) -> str:
    found = {name.lower() for name in re.findall(r"<([A-Za-z][\w-]*)", COMMENT.sub("", text))}
    for name in sorted(found - HTML_TAGS):
        _lose(lost, f"<{name}> removed")
    if "img" in found:
        _lose(lost, "image removed (its text alternative kept)")
    text = IMAGE.sub(lambda m: html.escape(m[1] or m[2] or ""), text)
    clean = nh3.clean(
        text,
        tags=HTML_TAGS - {"img", "var"},
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"a": {"href", "title"}},
        url_schemes=LINK_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    converted: str = markdownify(clean, heading_style="ATX", bullets="-", escape_underscores=False)
    return converted


def _without_active_html(text: str, lost: list[str]) -> str:
    """Raw HTML left in Markdown: complete comments stay (the team's notes, shown nowhere), kept tags
    lose their attributes, script-like tags go with their content, every other tag goes."""
    for name in DROPPED_WITH_CONTENT:
        pattern = re.compile(rf"<{name}\b.*?(?:</{name}\s*>|\Z)", re.I | re.S)
        if pattern.search(text):
            _lose(lost, f"<{name}> removed with its content")
            text = pattern.sub("", text)
    comments: list[str] = []

    def keep_comment(match: re.Match[str]) -> str:
        comments.append(match[0])
        return f"\x00{len(comments) - 1}\x00"

    text = COMMENT.sub(keep_comment, text)
    text = TAG.sub(lambda m: _tag(m, lost), text)
    text = text.replace("<!--", "&lt;!--")  # a comment never closed would hide the rest of the file
    return re.sub(r"\x00(\d+)\x00", lambda m: comments[int(m[1])], text)


def _tag(match: re.Match[str], lost: list[str]) -> str:
    closing, name = match[1], match[2].lower()
    if name in KEPT_TAGS:
        return f"<{closing}{name}>"
    if name == "a":
        if closing:
            return "</a>"
        href = HREF.search(match[3])
        address = html.unescape(next((g for g in href.groups() if g), "")) if href else ""
        if address.split(":", 1)[0].lower() in LINK_SCHEMES and ":" in address:
            return f'<a href="{html.escape(address, quote=True)}">'
        _lose(lost, "a link whose address is not http(s) or mailto removed")
        return "<a>"
    _lose(lost, f"<{name}> removed")
    return ""


def _markdown_link(match: re.Match[str], lost: list[str]) -> str:
    if match[2].lower() in LINK_SCHEMES:
        return match[0]
    _lose(lost, f"a '{match[2]}:' link removed (its text kept)")
    return match[1]


def _lose(lost: list[str], what: str) -> None:
    if what not in lost:
        lost.append(what)
