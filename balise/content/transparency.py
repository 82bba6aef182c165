"""The transparency content model: testimonials, KPIs and monitoring summaries, and the rules on them.

Pure data and rules, no I/O and no MkDocs (like `balise.content.model`): `balise.transparency.loaders`
reads the files, `balise.transparency.ingest` writes monitoring summaries, `balise.transparency.page` renders.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from balise.content.uptime import Uptime

# -- testimonials -----------------------------------------------------------------
RELATIONSHIPS = ("beneficiary", "partner", "client", "volunteer", "donor", "employee", "other")
SOURCES = ("survey", "review_site", "letter", "email", "interview", "social_media", "event", "other")
CONSENT_METHODS = ("written_form", "email", "online_form", "recorded_oral", "other")
ATTRIBUTIONS = ("name", "initials", "anonymous")

# Personal data that must never be published inside a quote.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
PHONE_PATTERNS = (
    # French numbers: 06 12 34 56 78, 06.12.34.56.78, 06-12-34-56-78, 0612345678
    re.compile(r"(?<![\d+])0[1-9](?:[ .\-]?\d{2}){4}(?!\d)"),
    # French numbers in international form: +33 6 12 34 56 78, +33 (0)6 12 34 56 78, 0033 6 …
    re.compile(r"(?:\+|00)33[ .\-]?(?:\(0\)[ .\-]?)?[1-9](?:[ .\-]?\d{2}){4}(?!\d)"),
    # Any other international number: +44 20 7946 0958, +1 (555) 123-4567 (at least 8 digits)
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,6}(?!\d)"),
)


def personal_data(text: str) -> list[tuple[str, str]]:
    """Every e-mail address and phone number in a text, as (kind, what was found), in order."""
    found: list[tuple[int, str, str]] = []
    for match in EMAIL.finditer(text):
        found.append((match.start(), "email", match.group()))
    taken = [(m[0], m[0] + len(m[2])) for m in found]
    for pattern in PHONE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            digits = sum(ch.isdigit() for ch in match.group())
            if digits < 8 or any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            found.append((start, "phone", match.group().strip()))
    return [(kind, value) for _, kind, value in sorted(found)]


INITIALS = re.compile(r"^(?:[^\W\d_]{1,2}\.?(?:\s*-\s*|\s+)?){1,4}$", re.UNICODE)


def looks_like_initials(text: str) -> bool:
    """'M. L.', 'ML', 'J.-P. D.': at most four groups of one or two letters, each starting with a
    capital; written together ('ML'), only capitals, so that a first name ('Marie') is not taken."""
    text = text.strip()
    if not INITIALS.match(text) or sum(ch.isalpha() for ch in text) > 6:
        return False
    groups = [g for g in re.split(r"[.\s-]+", text) if g]
    if len(groups) == 1 and "." not in text:
        return groups[0].isupper() and len(groups[0]) <= 4
    return all(g[0].isupper() and len(g) <= 2 for g in groups)


@dataclass(frozen=True)
class Consent:
    given_on: date
    how: str  # one of CONSENT_METHODS
    reference: str = ""  # where the signed form or e-mail is kept (internal reference)


@dataclass(frozen=True)
class Testimonial:
    id: str  # the file name without .yml (or file name + index for a batch file)
    quote: str  # plain text, untrusted: always escaped when rendered
    attribution: str  # one of ATTRIBUTIONS
    author: str  # the name or initials as agreed; "" when anonymous
    relationship: str
    given_on: date
    source: str
    consent: Consent | None
    source_url: str = ""
    language: str = ""
    context: str = ""  # e.g. "Bénéficiaire depuis 2024, Montreuil"
    published: bool = True
    path: str = ""
    line: int = 1

    @property
    def paragraphs(self) -> list[str]:
        """The quote as plain-text paragraphs (split on blank lines, inner line breaks joined)."""
        blocks = re.split(r"\n\s*\n", self.quote.strip())
        return [" ".join(block.split()) for block in blocks if block.strip()]

    @property
    def is_publishable(self) -> bool:
        return self.published and self.consent is not None


# -- KPIs -------------------------------------------------------------------------
# The indicators of the seeds' table, in display order, with how each is written.
KPIS = ("reviews", "average_rating", "response_rate", "mention_volume", "mention_reach")
KPI_FORMATS = {
    "reviews": "count",
    "average_rating": "rating",  # out of 5
    "response_rate": "percent",
    "mention_volume": "count",
    "mention_reach": "count",
}


@dataclass(frozen=True)
class Target:
    minimum: float | None = None
    maximum: float | None = None

    def met(self, value: float | None) -> bool | None:
        """True or False, or None when there is no target or no value."""
        if value is None or (self.minimum is None and self.maximum is None):
            return None
        if self.minimum is not None and value < self.minimum:
            return False
        if self.maximum is not None and value > self.maximum:
            return False
        return True


@dataclass(frozen=True)
class KpiSeries:
    kpi: str
    target: Target
    values: dict[str, float]  # "YYYY-MM" -> value
    derived: set[str] = field(default_factory=set)  # months whose value comes from monitoring summaries

    def last(self, count: int) -> list[tuple[str, float]]:
        return sorted(self.values.items())[-count:]

    @property
    def latest(self) -> tuple[str, float] | None:
        items = self.last(1)
        return items[0] if items else None


@dataclass(frozen=True)
class Kpis:
    targets: dict[str, Target]
    months: dict[str, dict[str, float]]  # "YYYY-MM" -> kpi -> value, as declared
    path: str = ""

    def series(self, monitoring: Monitoring | None = None) -> list[KpiSeries]:
        """Every KPI with a value or a target; mention volume is filled from monitoring where not declared."""
        result = []
        for kpi in KPIS:
            values = {month: row[kpi] for month, row in self.months.items() if kpi in row}
            derived: set[str] = set()
            if kpi == "mention_volume" and monitoring is not None:
                for month, count in monitoring.monthly_totals(kinds=("mentions",)).items():
                    if month not in values:
                        values[month] = count
                        derived.add(month)
            if values or kpi in self.targets:
                result.append(KpiSeries(kpi, self.targets.get(kpi, Target()), values, derived))
        return result


def sparkline(
    values: list[float], width: int = 120, height: int = 32, pad: int = 3, target: float | None = None
) -> dict[str, Any]:
    """Coordinates for a small trend line: points (x, y) in an SVG box, plus the target's y if in range."""
    if not values:
        return {"points": [], "width": width, "height": height, "target_y": None}
    low, high = min(values), max(values)
    if target is not None:
        low, high = min(low, target), max(high, target)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (value - low) / span * (height - 2 * pad), 1)

    points = [(round(pad + index * step, 1), y(value)) for index, value in enumerate(values)]
    return {"points": points, "width": width, "height": height, "target_y": y(target) if target is not None else None}


# -- monitoring summaries -----------------------------------------------------------
FEED_KINDS = ("mentions", "reviews", "provider")


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: str  # one of FEED_KINDS
    url: str = ""


@dataclass(frozen=True)
class Item:
    id: str  # hash of the entry's link or id: the de-duplication key
    at: datetime
    source: str
    title: str  # plain text, sanitised, untrusted: always escaped when rendered
    link: str = ""  # http(s) only
    hidden: bool = False  # a reviewer may keep an item counted but off the page


@dataclass(frozen=True)
class Spike:
    period: str  # "2026-W44" or "2026-10-27"
    source: str  # a source id, or "all" for every mention and review source together
    count: int
    baseline: float
    factor: float


@dataclass(frozen=True)
class MonthSummary:
    """One `status/monitoring/YYYY-MM.yml`: what ingest found (or a person counted) that month."""

    month: str
    sources: dict[str, Source]
    counts: dict[date, dict[str, int]]  # day -> source id -> number of items
    items: list[Item]
    spikes: list[Spike]
    path: str = ""


@dataclass(frozen=True)
class Monitoring:
    months: list[MonthSummary]  # oldest first

    @property
    def sources(self) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for summary in self.months:
            found.update(summary.sources)
        return dict(sorted(found.items()))

    def daily(self, kinds: Collection[str] | None = None) -> dict[date, dict[str, int]]:
        sources = self.sources
        days: dict[date, dict[str, int]] = {}
        for summary in self.months:
            for day, row in summary.counts.items():
                for source, count in row.items():
                    if kinds is None or (source in sources and sources[source].kind in kinds):
                        days.setdefault(day, {})
                        days[day][source] = days[day].get(source, 0) + count
        return days

    def monthly_totals(self, kinds: Collection[str] | None = None) -> dict[str, int]:
        totals: dict[str, int] = {}
        for day, row in self.daily(kinds).items():
            key = f"{day.year:04d}-{day.month:02d}"
            totals[key] = totals.get(key, 0) + sum(row.values())
        return totals

    def weekly(self) -> list[tuple[str, date, dict[str, int]]]:
        """(ISO week label, its Monday, source -> count) for every week from the first to the last with data."""
        daily = self.daily()
        if not daily:
            return []
        first, last = monday(min(daily)), monday(max(daily))
        weeks = []
        current = first
        while current <= last:
            row: dict[str, int] = {}
            for offset in range(7):
                for source, count in daily.get(current + timedelta(days=offset), {}).items():
                    row[source] = row.get(source, 0) + count
            weeks.append((week_label(current), current, row))
            current += timedelta(days=7)
        return weeks

    @property
    def items(self) -> list[Item]:
        """Every item, newest first."""
        found = [item for summary in self.months for item in summary.items]
        return sorted(found, key=lambda i: (i.at, i.id), reverse=True)

    @property
    def spikes(self) -> list[Spike]:
        found = {(s.period, s.source): s for summary in self.months for s in summary.spikes}
        return [found[key] for key in sorted(found, reverse=True)]

    @property
    def item_ids(self) -> set[str]:
        return {item.id for summary in self.months for item in summary.items}


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def period_of(day: date, period: str) -> tuple[str, date]:
    """The label and first day of the period (day or ISO week) containing a day."""
    if period == "day":
        return day.isoformat(), day
    start = monday(day)
    return week_label(start), start


def period_series(daily: dict[date, int], period: str, until: date) -> list[tuple[str, int]]:
    """Counts per period, zero-filled, from the first period with data up to the one containing `until`."""
    if not daily:
        return []
    step = timedelta(days=1 if period == "day" else 7)
    _, current = period_of(min(daily), period)
    _, last = period_of(max(max(daily), until), period)
    series = []
    while current <= last:
        total = sum(daily.get(current + timedelta(days=offset), 0) for offset in range(step.days))
        series.append((period_of(current, period)[0], total))
        current += step
    return series


def spike_at(series: list[tuple[str, int]], index: int, factor: float, window: int, minimum: int) -> tuple[bool, float]:
    """Is period `index` a spike? Its count must reach `minimum` and exceed `factor` times the median of
    the `window` periods before it (at least two of them must exist). Returns (spike, baseline)."""
    previous = [count for _, count in series[max(0, index - window) : index]]
    if len(previous) < min(2, window):
        return False, 0.0
    baseline = float(statistics.median(previous))
    count = series[index][1]
    return count >= minimum and count > factor * baseline, baseline


@dataclass(frozen=True)
class Transparency:
    """Everything the transparency page is made of, as read from the files."""

    testimonials: list[Testimonial] = field(default_factory=list)
    kpis: Kpis | None = None
    monitoring: Monitoring = field(default_factory=lambda: Monitoring([]))
    uptime: Uptime = field(default_factory=Uptime)  # measured by the monitors (`balise uptime`)

    def published(self) -> Transparency:
        """What the public may see: published testimonials with a consent record, newest first."""
        shown = [t for t in self.testimonials if t.is_publishable]
        shown.sort(key=lambda t: (t.given_on, t.id), reverse=True)
        return Transparency(shown, self.kpis, self.monitoring, self.uptime)
