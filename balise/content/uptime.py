"""Measured uptime: the daily summaries `balise uptime` writes in `status/uptime/YYYY-MM.yml`, read back.

This module is the model, its loader and the figures made from it (30 and 90 days, quarters), and the
honesty check held against the published incidents: everything the pages, the API and `balise check`
need, and no network code (the sources and the writer are `balise.uptime`'s).

A file holds, per day (in the site's zone) and component, the minutes the monitors checked, found
down and found degraded, the source, the down periods when the source knows their times, and
`partial: true` for a day not fully checked (today, or a monitor that started that day). Under
`explained:`, the team records why measured downtime has no incident (a false alarm, the monitor's
own outage): the page then shows it as explained, and `balise check` no longer warns.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balise.content.fields import ID_PATTERN, Fields
from balise.content.yamlfile import Located, parse_yaml, read_text
from balise.errors import Collector
from balise.timeline import TimeError, parse_time

if TYPE_CHECKING:  # the model holds the uptime (`Transparency.uptime`): no import of it at run time
    from balise.content.model import Incident

DAY_FIELDS = ("source", "checked", "down", "degraded", "partial", "outages")
EXPLANATION_FIELDS = ("component", "from", "until", "reason")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds() / 60)

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class DayMeasure:
    """What the monitors saw of one component on one day (site time zone)."""

    day: date
    component: str
    source: str
    checked: int  # minutes
    down: int
    degraded: int = 0
    partial: bool = False
    outages: tuple[Period, ...] = ()  # when the source knows the times of the downtime
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Explanation:
    """Why measured downtime has no incident, recorded by the team."""

    component: str
    period: Period
    reason: str
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Figure:
    """Uptime over some days: minutes checked and down, and how many of the days were partial."""

    checked: int
    down: int
    degraded: int = 0
    partial_days: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * (self.checked - self.down) / self.checked if self.checked else 0.0

    def text(self, decimals: int = 2) -> str:
        """The percentage rounded *down*: downtime is never shown as 100 %."""
        scale = 10**decimals
        return f"{math.floor(self.percent * scale) / scale:.{decimals}f}"


@dataclass(frozen=True)
class Uptime:
    """Every measured day, by component then day; and the team's explanations."""

    days: dict[str, dict[date, DayMeasure]] = field(default_factory=dict)
    explanations: list[Explanation] = field(default_factory=list)
    # Each figure worked out once: the home page, the components' pages and feeds, the transparency
    # page and the API ask for the same 30 and 90 days of every component.
    _figures: dict[tuple[str, date, date], Figure | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def measured(self, component: str) -> bool:
        return bool(self.days.get(component))

    def measured_between(self, component: str, first: date, last: date) -> list[DayMeasure]:
        """The component's days measured from `first` to `last` included: looked up day by day when
        they are fewer than the days measured (an incident lasts hours; years of measures are a
        thousand days)."""
        days = self.days.get(component, {})
        span = (last - first).days + 1
        if span < len(days):
            return [measure for offset in range(span) if (measure := days.get(first + timedelta(days=offset)))]
        return [measure for day, measure in days.items() if first <= day <= last]

    def figure(self, component: str, first: date, last: date) -> Figure | None:
        """Uptime from `first` to `last` included; None when nothing was checked then."""
        key = (component, first, last)
        if key not in self._figures:
            self._figures[key] = self._figure(component, first, last)
        return self._figures[key]

    def _figure(self, component: str, first: date, last: date) -> Figure | None:
        found = self.measured_between(component, first, last)
        checked = sum(m.checked for m in found)
        if not checked:
            return None
        return Figure(
            checked, sum(m.down for m in found), sum(m.degraded for m in found), sum(1 for m in found if m.partial)
        )

    def last_days(self, component: str, today: date, count: int) -> Figure | None:
        return self.figure(component, today - timedelta(days=count - 1), today)

    def quarters(self, component: str) -> list[tuple[int, int, Figure]]:
        """(year, quarter, figure) for every quarter with measurements, oldest first."""
        quarters = sorted({(day.year, (day.month - 1) // 3 + 1) for day in self.days.get(component, {})})
        found = []
        for year, quarter in quarters:
            first = date(year, 3 * quarter - 2, 1)
            last = (date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)) - timedelta(days=1)
            figure = self.figure(component, first, last)
            if figure is not None:
                found.append((year, quarter, figure))
        return found

    def explained(self, component: str, period: Period) -> Explanation | None:
        return next((e for e in self.explanations if e.component == component and e.period.overlaps(period)), None)

    def summary(self, components: Iterable[str], today: date) -> dict[str, dict[str, Any]]:
        """The figures the API carries, per measured component: 30 and 90 days, minutes and percent."""
        found: dict[str, dict[str, Any]] = {}
        for component in components:
            if not self.measured(component):
                continue
            entry: dict[str, Any] = {}
            for days in (30, 90):
                figure = self.last_days(component, today, days)
                entry[f"days_{days}"] = (
                    None
                    if figure is None
                    else {
                        "uptime_percent": float(figure.text(3)),
                        "minutes_checked": figure.checked,
                        "minutes_down": figure.down,
                        "minutes_degraded": figure.degraded,
                        "partial_days": figure.partial_days,
                    }
                )
            found[component] = entry
        return found


# -- loading -----------------------------------------------------------------------
@dataclass(frozen=True)
class Month:
    """One `YYYY-MM.yml` as read: its measures and explanations (empty when the file was refused)."""

    measures: tuple[DayMeasure, ...] = ()
    explanations: tuple[Explanation, ...] = ()


MonthLoader = Callable[[Path, Collector, "set[str] | None"], Month]


def load_uptime(
    directory: Path, report: Collector, component_ids: set[str] | None = None, load_month: MonthLoader | None = None
) -> Uptime:
    """Every `status/uptime/YYYY-MM.yml`; each problem to `report` with its line. Without components
    (`status/components.yml` failed to load: its error says so), the ids are not checked. `load_month`
    reads one file (default `load_month_file`; the build gives one answered from its cache)."""
    component_ids = component_ids or None
    read_month = load_month or load_month_file
    days: dict[str, dict[date, DayMeasure]] = {}
    explanations: list[Explanation] = []
    if directory.is_dir():
        for path in sorted(directory.glob("*.yml")):
            if path.name.startswith(("_", ".")):
                continue
            month = read_month(path, report, component_ids)
            for measure in month.measures:
                days.setdefault(measure.component, {})[measure.day] = measure
            explanations.extend(month.explanations)
    return Uptime({c: dict(sorted(d.items())) for c, d in sorted(days.items())}, explanations)


def _is_month(stem: str) -> bool:
    try:
        date.fromisoformat(stem + "-01")
    except ValueError:
        return False
    return len(stem) == 7


def load_month_file(path: Path, report: Collector, component_ids: set[str] | None) -> Month:
    """One month's summary file, each problem to `report` with its line."""
    measures: list[DayMeasure] = []
    explanations: list[Explanation] = []
    if not _is_month(path.stem):
        report.error(
            path, 1, f"'{path.name}' is not a month — an uptime summary is named after its month, e.g. 2026-11.yml"
        )
        return Month()
    text = read_text(path, report)
    located = parse_yaml(text, path, 1, report) if text is not None else None
    if located is None:
        return Month()
    data = located.data or {}
    if not isinstance(data, dict):
        report.error(path, 1, "expected 'days:' (and 'explained:') — see the README's Measured uptime")
        return Month()
    Fields(located, data, (), path, report).check_known(("days", "explained"))
    warned: set[str] = set()  # components no longer listed, already reported in this file
    raw_days = data.get("days") or {}
    if not isinstance(raw_days, dict):
        report.error(path, located.line("days"), "'days:' holds one 'YYYY-MM-DD:' entry per day")
        raw_days = {}
    for key, per_component in raw_days.items():
        day = _day(key)
        if day is None or day.strftime("%Y-%m") != path.stem:
            report.error(
                path, located.line("days", key), f"'{key}' is not a day of {path.stem} — write it as {path.stem}-01"
            )
            continue
        if not isinstance(per_component, dict):
            report.error(
                path, located.line("days", key), "each day holds 'component-id: {source: ..., checked: ..., down: ...}'"
            )
            continue
        for component, raw in per_component.items():
            measure = _measure(located, path, report, component_ids, day, str(component), raw, warned)
            if measure is not None:
                measures.append(measure)
    raw_explained = data.get("explained") or []
    if not isinstance(raw_explained, list):
        report.error(path, located.line("explained"), "'explained:' is a list of '- component: ...' entries")
        raw_explained = []
    for index, raw in enumerate(raw_explained):
        explanation = _explanation(located, path, report, component_ids, index, raw)
        if explanation is not None:
            explanations.append(explanation)
    return Month(tuple(measures), tuple(explanations))


def _day(key: Any) -> date | None:
    try:
        return date.fromisoformat(str(key))
    except ValueError:
        return None


def _known(component: str, component_ids: set[str] | None) -> str:
    """'' when the component is known, else the message."""
    if component_ids is None or component in component_ids:
        return ""
    return f"unknown component '{component}' — use an id from status/components.yml"


def _minutes(fields: Fields, key: str, limit: int) -> int:
    value = fields.data.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        fields.error(key, f"'{key}' is a number of minutes, from 0 to {limit}, not '{value}'")
        return 0
    return value


def _measure(
    located: Located,
    path: Path,
    report: Collector,
    component_ids: set[str] | None,
    day: date,
    component: str,
    raw: object,
    warned: set[str],
) -> DayMeasure | None:
    where = ("days", day.isoformat(), component)
    line = located.line(*where)
    if not isinstance(raw, dict):
        report.error(path, line, f"'{component}' needs '{{source: ..., checked: ..., down: ...}}'")
        return None
    if not ID_PATTERN.match(component):
        report.error(path, line, f"'{component}' is not a component id — use an id from status/components.yml")
        return None
    if _known(component, component_ids):  # a component since removed keeps its history, unshown
        if component not in warned:  # once a file
            warned.add(component)
            report.warning(path, line, f"{_known(component, component_ids)} (its measurements here are not shown)")
        return None
    before = len(report.errors)
    fields = Fields(located, raw, where, path, report)
    fields.check_known(DAY_FIELDS)
    checked = _minutes(fields, "checked", 1500)  # a day the clocks go back has 25 hours
    down = _minutes(fields, "down", 1500)
    degraded = _minutes(fields, "degraded", 1500)
    if down + degraded > checked:
        fields.error("down", f"{down} min down and {degraded} degraded, but only {checked} checked — fix the figures")
    outages = []
    raw_outages = raw.get("outages") or []
    for index, entry in enumerate(raw_outages if isinstance(raw_outages, list) else [None]):
        period = _period(entry, "from", "until")
        if period is None:
            report.error(
                path,
                located.line(*where, "outages", index),
                "an outage is '{from: 2026-11-03 14:10 +01:00, until: 2026-11-03 14:33 +01:00}'",
            )
            continue
        outages.append(period)
    measure = DayMeasure(
        day,
        component,
        fields.text("source", required=True),
        checked,
        down,
        degraded,
        fields.boolean("partial"),
        tuple(outages),
        str(path),
        line,
    )
    return measure if len(report.errors) == before else None


def _period(entry: object, start_key: str, end_key: str) -> Period | None:
    if not isinstance(entry, dict):
        return None
    try:
        start, end = parse_time(str(entry.get(start_key))), parse_time(str(entry.get(end_key)))
    except TimeError:
        return None
    return Period(start, end) if start <= end else None


def _explanation(
    located: Located, path: Path, report: Collector, component_ids: set[str] | None, index: int, raw: object
) -> Explanation | None:
    where = ("explained", index)
    if not isinstance(raw, dict):
        report.error(path, located.line(*where), "each explanation has 'component', 'from', 'until' and 'reason'")
        return None
    before = len(report.errors)
    fields = Fields(located, raw, where, path, report)
    fields.check_known(EXPLANATION_FIELDS)
    component = fields.text("component", required=True)
    if component and _known(component, component_ids):
        report.warning(
            path, fields.line("component"), f"{_known(component, component_ids)} (this explanation is not shown)"
        )
        return None
    start, end = fields.time("from", required=True), fields.time("until", required=True)
    reason = fields.text("reason", required=True)
    if start and end and end < start:
        fields.error("until", "'until' is before 'from' — swap them")
    if len(report.errors) != before or start is None or end is None:
        return None
    return Explanation(component, Period(start, end), reason, str(path), fields.line())


# -- held against the incidents --------------------------------------------------------
@dataclass(frozen=True)
class Gap:
    """Measured downtime that no published incident or maintenance covers."""

    component: str
    day: date
    minutes: float
    period: Period | None  # None: the source gives minutes per day, not their times
    path: str
    line: int


def published_windows(incidents: Iterable[Incident], now: datetime) -> dict[str, list[Period]]:
    """By component: when each published incident or maintenance (begun by `now`) was going on."""
    found: dict[str, list[Period]] = {}
    for incident in incidents:
        if not incident.is_published(now) or incident.started_at > now:
            continue
        end = incident.ended_at(now) or now
        for component in incident.components:
            found.setdefault(component, []).append(Period(incident.started_at, end))
    return found


class Covers:
    """Periods (incidents' windows, explanations) as their union: disjoint, in order, so the few that
    meet a period are found by bisection (years of incidents cover a component thousands of times)."""

    def __init__(self, periods: Iterable[Period]):
        self.union: list[Period] = []
        for period in sorted((p for p in periods if p.start <= p.end), key=lambda p: p.start.timestamp()):
            last = self.union[-1] if self.union else None
            if last is not None and period.start <= last.end:
                if period.end > last.end:
                    self.union[-1] = Period(last.start, period.end)
            else:
                self.union.append(period)
        self.ends = [period.end.timestamp() for period in self.union]

    def meeting(self, period: Period) -> Iterator[Period]:
        """The periods of the union that overlap `period`, in order."""
        for cover in self.union[bisect_right(self.ends, period.start.timestamp()) :]:
            if cover.start >= period.end:
                return
            yield cover

    def uncovered(self, period: Period) -> list[Period]:
        """The parts of `period` that no cover covers, in order."""
        pieces, start = [], period.start
        for cover in self.meeting(period):
            if start < cover.start:
                pieces.append(Period(start, cover.start))
            start = max(start, cover.end)
        if start < period.end:
            pieces.append(Period(start, period.end))
        return pieces


def day_period(day: date, zone: tzinfo) -> Period:
    return Period(
        datetime.combine(day, time(), zone),
        datetime.combine(day + timedelta(days=1), time(), zone),
    )


def gaps(uptime: Uptime, windows: dict[str, list[Period]], zone: tzinfo, threshold: float) -> list[Gap]:
    """Measured downtime over `threshold` minutes that no window of `windows` (nor any
    explanation) covers: per outage when its times are known, else per day."""
    found = []
    for component, days in uptime.days.items():
        covers = Covers(
            windows.get(component, []) + [e.period for e in uptime.explanations if e.component == component]
        )
        for day, measure in days.items():
            if measure.outages:
                for outage in measure.outages:
                    left = covers.uncovered(outage)
                    minutes = sum(p.minutes for p in left)
                    if left and minutes > threshold:
                        found.append(
                            Gap(
                                component, day, minutes, Period(left[0].start, left[-1].end), measure.path, measure.line
                            )
                        )
            elif measure.down > threshold and next(covers.meeting(day_period(day, zone)), None) is None:
                found.append(Gap(component, day, measure.down, None, measure.path, measure.line))
    return found


def unmeasured_incidents(
    uptime: Uptime, incidents: Iterable[Incident], now: datetime, zone: tzinfo
) -> list[tuple[Incident, str]]:
    """Incidents of major or critical impact during which the monitors of a component they name,
    checking it then, measured no downtime at all: (incident, component)."""
    found = []
    for incident in incidents:
        if incident.is_maintenance or incident.impact not in ("major", "critical"):
            continue
        if not incident.is_published(now) or incident.started_at > now:
            continue
        window = Period(incident.started_at, incident.ended_at(now) or now)
        first, last = window.start.astimezone(zone).date(), window.end.astimezone(zone).date()
        for component in incident.components:
            days = uptime.measured_between(component, first, last)
            if not days or not sum(m.checked for m in days):
                continue
            timed = [o for m in days for o in m.outages]
            down = any(o.overlaps(window) for o in timed) if timed else sum(m.down for m in days) > 0
            if not down:
                found.append((incident, component))
    return found
