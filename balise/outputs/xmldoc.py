"""Writing XML documents (feeds, the sitemap) with ElementTree, never as text: whatever the text
holds (`<`, `&`, `]]>`, quotes), the document is well-formed and reads back as the same text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# What XML 1.0 cannot hold at all. `balise check` refuses control characters in content; this is the
# last guard for text from elsewhere (mkdocs.yml's site_name…), so no feed is ever unreadable. Those
# characters listed, not the complement of those it may hold: that class takes 10 ms to compile.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
HOLE = "\0"  # where a text goes in a shape serialised once: no text keeps it (`NOT_XML`)


def xml_text(value: object) -> str:
    """`value` as plain str for ElementTree: a Jinja `Markup` would escape ElementTree's own escapes."""
    return NOT_XML.sub("", str.__str__(value) if isinstance(value, str) else str(value))


def sub_element(
    parent: ET.Element, tag: str, text: object = None, attributes: dict[str, object] | None = None
) -> ET.Element:
    if attributes:
        element = ET.SubElement(parent, tag, {name: xml_text(value) for name, value in attributes.items()})
    else:
        element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = xml_text(text)
    return element


def xml_document(root: ET.Element) -> str:
    """The document as text, indented by two spaces, with its declaration."""
    ET.indent(root, space="  ")
    return XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def element_text(element: ET.Element, level: int) -> str:
    """An element as `xml_document` writes it at depth `level` of a document (without what follows
    it): a piece to put in a document made by `spliced_document`."""
    ET.indent(element, space="  ", level=level)
    return ET.tostring(element, encoding="unicode")


def spliced_document(document: Callable[[list[ET.Element]], str], tag: str, level: int, pieces: list[str]) -> str:
    """The document `document` makes around one `tag` element at depth `level`, with `pieces`
    (each an `element_text` of a `tag` element) where that one is: ElementTree serialises the
    document and every piece; none of their texts holds the HOLE that marks the place."""
    if not pieces:
        return document([])
    holder = ET.Element(tag)
    holder.text = HOLE
    around = document([holder])
    return around.replace(f"<{tag}>{HOLE}</{tag}>", ("\n" + "  " * level).join(pieces), 1)


def sitemap_document(urls: Iterable[tuple[str, str]]) -> str:
    """sitemap.xml from (address, last change) pairs, in their order.

    Its 41,000 entries (20,000 incidents) have one shape, and serialising a tree of them is 0.4 s:
    ElementTree serialises the shape once, with a hole for each text, and every text at once (one
    element holds them all, parted by NUL, which no text keeps: `xml_text`). Every byte is still
    ElementTree's, indented as `xml_document` does; an empty text (written `<loc />`) takes the tree."""
    pairs = list(urls)
    plain = "".join(text for url in pairs for text in url)
    # Printable text holds nothing `xml_text` removes: most sites' addresses, checked at once.
    texts = (
        [str(text) for url in pairs for text in url] if plain.isprintable() else [xml_text(t) for u in pairs for t in u]
    )
    if not texts or not all(texts):
        return sitemap_tree(pairs)
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    url = sub_element(urlset, "url")
    for tag in ("loc", "lastmod"):
        sub_element(url, tag).text = HOLE
    shape = xml_document(urlset)  # head, <url>, a hole, the loc's end and the lastmod's start, a hole, </url>, foot
    head, rest = shape.split("<url>", 1)
    entry, foot = rest.rsplit("</url>", 1)
    start, middle, end = ("<url>" + entry + "</url>").split(HOLE)
    holder = ET.Element("texts")
    holder.text = HOLE.join(texts)
    escaped = ET.tostring(holder, encoding="unicode").removeprefix("<texts>").removesuffix("</texts>").split(HOLE)
    between = "\n" + head.rsplit("\n", 1)[1]  # entries are apart as the first is from the head: a line, indented
    locs, lastmods = escaped[::2], escaped[1::2]
    return (
        head
        + between.join(start + loc + middle + lastmod + end for loc, lastmod in zip(locs, lastmods, strict=True))
        + foot
    )


def sitemap_tree(urls: Iterable[tuple[str, str]]) -> str:
    """sitemap.xml as a tree of elements: what `sitemap_document` writes, entry by entry."""
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for loc, lastmod in urls:
        url = sub_element(urlset, "url")
        sub_element(url, "loc", loc)
        sub_element(url, "lastmod", lastmod)
    return xml_document(urlset)
