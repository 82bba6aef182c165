"""Status badges: `badge.svg` (the whole page) and `components/<id>/badge.svg`, shields.io "flat" style.

Each badge says the status in words and in colour, has a `<title>` and `role="img"`, and is
written in the site's language. Colours give white text at least 4.5:1 contrast (WCAG AA).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import cache
from urllib.parse import quote

import jinja2

from balise.content.model import StatusPage
from balise.i18n import Translator

LABEL_COLOUR = "#50545c"
STATUS_COLOURS = {
    "operational": "#12703a",
    "under_maintenance": "#1c5fa8",
    "degraded_performance": "#8a5300",
    "partial_outage": "#b23c00",
    "major_outage": "#b00020",
}


@cache  # on every page
def status_icon(status: str) -> str:
    """The pages' tab icon, inline (no request, no favicon.ico 404): a dot in the status's colour."""
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><circle cx='8' cy='8' r='7' fill='{STATUS_COLOURS[status]}'/></svg>"
    return "data:image/svg+xml," + quote(svg, safe="/:=',")


HEIGHT = 20
PADDING = 6
# Approximate advance widths of Verdana at 11px (the font shields.io measures with), by character class.
NARROW = set("fijlrtI.,:;!|'()[] \u00a0\u202f")
WIDE = set("mwMW@%")
UPPER_WIDTH, NARROW_WIDTH, WIDE_WIDTH, DEFAULT_WIDTH = 7.6, 4.2, 10.7, 6.9


def text_width(text: str) -> float:
    width = 0.0
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]  # é is as wide as e
        if base in NARROW:
            width += NARROW_WIDTH
        elif base in WIDE:
            width += WIDE_WIDTH
        elif base.isupper() or base.isdigit():
            width += UPPER_WIDTH
        else:
            width += DEFAULT_WIDTH
    return round(width, 1)


class BadgeWriter:
    def __init__(self, page: StatusPage, env: jinja2.Environment, t: Translator):
        self.page, self.env, self.t = page, env, t

    def files(self) -> Iterator[tuple[str, str]]:
        page = self.page
        yield "badge.svg", self.badge(self.t("subscribe.badge_label"), page.overall_status)
        for component in page.components:
            yield (
                f"components/{component.id}/badge.svg",
                self.badge(component.name, page.component_status[component.id]),
            )

    def badge(self, label: str, status: str) -> str:
        message = self.t(f"component_status.{status}")
        label_width = round(text_width(label) + 2 * PADDING)
        message_width = round(text_width(message) + 2 * PADDING)
        return self.env.get_template("badges/badge.svg").render(
            label=label,
            message=message,
            status=status,
            title=self.t("subscribe.badge_title", label=label, status=message),
            label_width=label_width,
            message_width=message_width,
            width=label_width + message_width,
            height=HEIGHT,
            label_colour=LABEL_COLOUR,
            colour=STATUS_COLOURS[status],
        )
