"""Tracks → one measure per component and day (site time zone), merged into the committed files.

A day is *partial* when the monitors did not check all of it (today, the day a monitor started, a
source that keeps only its latest results): it is shown as such, never as 100 %. A summary already
committed is replaced only by one at least as complete: a complete day is never rewritten from a
partial one, so a source that now keeps less history cannot erase what it measured before. The
team's explanations (`explained:`) are kept as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from balise.content.uptime import DayMeasure, Explanation, Period, Uptime, load_uptime
from balise.errors import Collector, ContentError
from balise.timeline import format_time
from balise.uptime.sources import SourceError, SourceSpec, Track, read_source

# A day checked but for this many minutes still counts as complete (a probe's interval, a restart).
TOLERANCE = 5


@dataclass
class SourceReport:
    spec: SourceSpec
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    days: int = 0  # days written or refreshed from it


@dataclass
class UptimeResult:
    sources: list[SourceReport] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def read_any(self) -> bool:
        return any(not report.error for report in self.sources)


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    return datetime.combine(day, time(), zone), datetime.combine(day + timedelta(days=1), time(), zone)


def _minutes(seconds: float) -> int:
    """Whole minutes; any downtime at all is at least one."""
    return max(1, round(seconds / 60)) if seconds > 0 else 0


def measures(track: Track, zone: tzinfo, now: datetime) -> list[DayMeasure]:
    """The track's days: minutes checked, down and degraded; outages when the track knows their times."""
    component, source = track.monitor.component, track.source
    if track.daily_down is not None:
        return _daily_measures(track, zone, now)
    per_day: dict[date, list[float]] = {}
    outages: dict[date, list[Period]] = {}
    for span in track.spans:
        day = span.start.astimezone(zone).date()
        while True:
            start, end = day_bounds(day, zone)
            piece_start, piece_end = max(span.start, start), min(span.end, end)
            if piece_end > piece_start:
                seconds = (piece_end - piece_start).total_seconds()
                row = per_day.setdefault(day, [0.0, 0.0, 0.0])
                row[0] += seconds
                row[1] += seconds * span.down
                row[2] += seconds * span.degraded
                if track.timed and span.down > 0:
                    _extend(outages.setdefault(day, []), Period(piece_start, piece_end))
            if span.end <= end:
                break
            day += timedelta(days=1)
    found = []
    for day, (checked, down, degraded) in sorted(per_day.items()):
        start, end = day_bounds(day, zone)
        length = (end - start).total_seconds() / 60
        found.append(
            DayMeasure(
                day,
                component,
                source,
                _minutes(checked),
                _minutes(down),
                _minutes(degraded),
                partial=end > now or checked / 60 < length - TOLERANCE,
                outages=tuple(_to_minutes(p, zone) for p in outages.get(day, [])),
            )
        )
    return found


def _extend(periods: list[Period], period: Period) -> None:
    """Add a down stretch, joined to the last one when they touch."""
    if periods and periods[-1].end >= period.start:
        periods[-1] = Period(periods[-1].start, max(periods[-1].end, period.end))
    else:
        periods.append(period)


def _to_minutes(period: Period, zone: tzinfo) -> Period:
    """Whole minutes in the site's zone, widened rather than narrowed."""
    start = period.start.astimezone(zone).replace(second=0, microsecond=0)
    end = period.end.astimezone(zone)
    if end.second or end.microsecond:
        end = end.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return Period(start, end)


def _daily_measures(track: Track, zone: tzinfo, now: datetime) -> list[DayMeasure]:
    """Upptime: every day from the monitor's first, with its minutes down (0 when it lists none)."""
    assert track.daily_down is not None
    today = now.astimezone(zone).date()
    day = track.first_day or today
    found = []
    while day <= today:
        start, end = day_bounds(day, zone)
        checked = _minutes((min(end, now) - start).total_seconds())
        down = min(track.daily_down.get(day, 0), checked)
        found.append(DayMeasure(day, track.monitor.component, track.source, checked, down, 0, partial=end > now))
        day += timedelta(days=1)
    return found


def better(new: DayMeasure, old: DayMeasure | None) -> bool:
    """Whether `new` may replace `old`: never a complete day by a partial one, nor by less checking."""
    if old is None:
        return True
    if not new.partial:
        return True
    return old.partial and new.checked >= old.checked


# -- the run ------------------------------------------------------------------------------------
def run(
    specs: list[SourceSpec], uptime_dir: Path, zone: tzinfo, now: datetime, report: Collector, dry_run: bool = False
) -> UptimeResult:
    """Read every source, merge its days into the month files, write the files that changed."""
    existing = load_uptime(uptime_dir, report)
    if report.errors:
        raise ContentError(report.problems, report.root)
    days = {component: dict(per_day) for component, per_day in existing.days.items()}
    result = UptimeResult()
    touched: set[str] = set()
    for spec in specs:
        source = SourceReport(spec)
        result.sources.append(source)
        try:
            source.tracks, source.warnings = read_source(spec, now)
        except SourceError as error:
            source.error = str(error)
            continue
        for track in source.tracks:
            for measure in measures(track, zone, now):
                per_day = days.setdefault(measure.component, {})
                old = per_day.get(measure.day)
                if better(measure, old) and _differs(measure, old):
                    per_day[measure.day] = measure
                    touched.add(measure.day.strftime("%Y-%m"))
                    source.days += 1
    merged = Uptime(days, existing.explanations)
    for month in sorted(touched):
        path = uptime_dir / f"{month}.yml"
        text = dump_month(merged, month)
        if not dry_run:
            from balise.content.authoring import write_atomically

            write_atomically(path, text)
        result.written.append(path)
    return result


def _differs(new: DayMeasure, old: DayMeasure | None) -> bool:
    if old is None:
        return True
    keep = ("day", "component", "source", "checked", "down", "degraded", "partial", "outages")
    return any(getattr(new, name) != getattr(old, name) for name in keep)


# -- writing ---------------------------------------------------------------------------------------
def _q(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def dump_month(uptime: Uptime, month: str) -> str:
    """A month's file, deterministic: days in order, components in order, explanations as they were."""
    lines = [
        f"# Measured uptime for {month} / Disponibilité mesurée de {month}.",
        "# Written by `balise uptime` from the monitors: review it, then commit to publish.",
        "# Downtime with no incident: publish one, or explain it under 'explained:' (shown on the page).",
        "days:",
    ]
    by_day: dict[date, list[DayMeasure]] = {}
    for per_day in uptime.days.values():
        for day, measure in per_day.items():
            if day.strftime("%Y-%m") == month:
                by_day.setdefault(day, []).append(measure)
    if not by_day:
        lines[-1] = "days: {}"
    for day in sorted(by_day):
        lines.append(f"  {day.isoformat()}:")
        for measure in sorted(by_day[day], key=lambda m: m.component):
            lines.append(f"    {measure.component}: {_measure_text(measure)}")
    explained = [e for e in uptime.explanations if e.path.endswith(f"{month}.yml")]
    lines.append("explained:" if explained else "explained: []")
    for explanation in explained:
        lines += _explanation_lines(explanation)
    return "\n".join(lines) + "\n"


def _measure_text(measure: DayMeasure) -> str:
    cells = [
        f"source: {_q(measure.source)}",
        f"checked: {measure.checked}",
        f"down: {measure.down}",
        f"degraded: {measure.degraded}",
    ]
    if measure.partial:
        cells.append("partial: true")
    if measure.outages:
        periods = ", ".join(
            f"{{from: {_q(format_time(p.start))}, until: {_q(format_time(p.end))}}}" for p in measure.outages
        )
        cells.append(f"outages: [{periods}]")
    return "{" + ", ".join(cells) + "}"


def _explanation_lines(explanation: Explanation) -> list[str]:
    return [
        f"  - component: {explanation.component}",
        f"    from: {format_time(explanation.period.start)}",
        f"    until: {format_time(explanation.period.end)}",
        f"    reason: {_q(explanation.reason)}",
    ]
