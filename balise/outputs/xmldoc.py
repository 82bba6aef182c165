"""Writing XML documents (feeds, the sitemap) with ElementTree, never as text: whatever the text
holds (`<`, `&`, `]]>`, quotes), the document is well-formed and reads back as the same text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# What XML 1.0 cannot hold at all. `balise check` refuses control characters in content; this is the
# last guard for text from elsewhere (mkdocs.yml's site_name…), so no feed is ever unreadable.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


def sitemap_document(urls: Iterable[tuple[str, str]]) -> str:
    """sitemap.xml from (address, last change) pairs, in their order."""
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for loc, lastmod in urls:
        url = sub_element(urlset, "url")
        sub_element(url, "loc", loc)
        sub_element(url, "lastmod", lastmod)
    return xml_document(urlset)
