"""The monitors' answers, read into what `summary` counts: spans of time and how much of each was down.

Each reader takes a `SourceSpec` (as mkdocs.yml configures it) and returns one `Track` per monitor
it names; anything unexpected in an answer is a `SourceError`, reported as one warning for that
source while the others are still read. Shapes, from each tool's own documentation and code:

- Upptime: `history/summary.json` (a list of sites, each with its `slug` and `dailyMinutesDown`:
  `{"2026-11-03": 23}`), `history/<slug>.yml` (`startTime:`, when monitoring began) and the
  shields.io endpoint `api/<slug>/uptime.json` (`{"schemaVersion": 1, "message": "99.89%"}`).
- Gatus: `/api/v1/endpoints/statuses`, a list of endpoints (`name`, `group`, `key`, `results`,
  `events`); the events (`START`, `HEALTHY`, `UNHEALTHY`, and `DEGRADED` in recent versions) mark
  every change of state, the results' latest `timestamp` how far the monitoring reaches.
- Uptime Kuma: `/api/status-page/<slug>` (`publicGroupList[].monitorList[]`: `id`, `name`) and
  `/api/status-page/heartbeat/<slug>` (`heartbeatList`: monitor id → beats `{status, time}`, status
  0 down, 1 up, 2 pending, 3 maintenance; `time` in UTC).
- Prometheus: `/api/v1/query_range` (`{"status": "success", "data": {"resultType": "matrix",
  "result": [{"metric": {...}, "values": [[unix time, "value"], ...]}]}}`), on an expression whose
  value is the share of the step the service was up (blackbox's `probe_success`, or its
  `avg_over_time`).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from balise.transparency.ingest import FeedError, fetch, size_text

KINDS = ("upptime", "gatus", "uptime_kuma", "prometheus")
# A step this short (seconds) tells when an outage happened; a daily mean says only how long.
TIMED_STEP = 15 * 60


class SourceError(Exception):
    """Why a source (or one of its monitors) could not be read, in words for a one-line warning."""


@dataclass(frozen=True)
class MonitorSpec:
    component: str
    name: str = ""  # the monitor in the source: Upptime slug, Gatus name or key, Uptime Kuma name or id
    query: str = ""  # Prometheus: the expression


@dataclass(frozen=True)
class SourceSpec:
    name: str
    kind: str
    url: str = ""
    path: str = ""  # Upptime: a local clone instead of raw URLs
    slug: str = ""  # Uptime Kuma: the status page
    step: int = 300  # Prometheus: seconds
    days: int = 7  # Prometheus: how far back each run reads
    token: str = ""  # sent as `Authorization: Bearer`; from `!ENV` only
    monitors: tuple[MonitorSpec, ...] = ()
    timeout: float = 10.0
    max_bytes: int = 5 * 1024 * 1024


@dataclass(frozen=True)
class Span:
    """A stretch of time a monitor checked, and the share of it down and degraded (0 to 1)."""

    start: datetime
    end: datetime
    down: float = 0.0
    degraded: float = 0.0


@dataclass
class Track:
    """What one monitor recorded: spans (`timed`: their down parts are outages with known times), or,
    for Upptime, minutes down per day from `first_day`."""

    monitor: MonitorSpec
    source: str
    spans: list[Span] = field(default_factory=list)
    timed: bool = True
    daily_down: dict[date, int] | None = None
    first_day: date | None = None
    note: str = ""  # what the source says of itself (Upptime's own uptime figure), for the CLI


# -- reading -------------------------------------------------------------------------
def read_source(spec: SourceSpec, now: datetime) -> tuple[list[Track], list[str]]:
    """(the tracks of the monitors found, a warning per monitor the answer does not have)."""
    reader = {"upptime": _upptime, "gatus": _gatus, "uptime_kuma": _uptime_kuma, "prometheus": _prometheus}[spec.kind]
    return reader(spec, now)


def _get(spec: SourceSpec, url: str) -> bytes:
    headers = {"Accept": "application/json, */*;q=0.1"}
    if spec.token:
        headers["Authorization"] = f"Bearer {spec.token}"
    try:
        return fetch(url, spec.timeout, spec.max_bytes, headers, purpose="uptime")
    except FeedError as error:
        raise SourceError(f"{url} {error}") from None


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"{what} is not JSON ({error})") from None


def _base(spec: SourceSpec) -> str:
    return spec.url.rstrip("/")


def _moment(value: object) -> datetime:
    """An RFC 3339 time (nanoseconds allowed, `Z`) or Uptime Kuma's 'YYYY-MM-DD HH:MM:SS.sss' in UTC."""
    text = str(value).strip().replace(" ", "T", 1).replace("Z", "+00:00")
    main, _, rest = text.partition(".")
    if rest:  # at most microseconds for fromisoformat
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        text = f"{main}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SourceError(f"'{value}' is not a time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _missing(spec: SourceSpec, monitor: MonitorSpec, known: list[str]) -> str:
    listed = ", ".join(sorted(known)[:8]) or "none"
    return f"{spec.name}: no monitor '{monitor.name}' (for {monitor.component}) — it has: {listed}"


# -- Upptime ---------------------------------------------------------------------------
def _upptime_file(spec: SourceSpec, relative: str) -> bytes:
    if spec.path:
        path = Path(spec.path) / relative
        try:
            size = path.stat().st_size
            if size > spec.max_bytes:
                raise SourceError(f"{path} is {size_text(size)}, over the {size_text(spec.max_bytes)} limit — skipped")
            return path.read_bytes()
        except OSError as error:
            raise SourceError(f"{path} cannot be read ({error.strerror or error})") from None
    return _get(spec, f"{_base(spec)}/{quote(relative)}")


def _upptime(spec: SourceSpec, now: datetime) -> tuple[list[Track], list[str]]:
    sites = _json(_upptime_file(spec, "history/summary.json"), "history/summary.json")
    if not isinstance(sites, list) or not all(isinstance(s, dict) and "slug" in s for s in sites):
        raise SourceError("history/summary.json is not Upptime's summary (a list of sites with a 'slug')")
    by_slug = {str(s["slug"]): s for s in sites}
    tracks, warnings = [], []
    for monitor in spec.monitors:
        site = by_slug.get(monitor.name) or next((s for s in sites if s.get("name") == monitor.name), None)
        if site is None:
            warnings.append(_missing(spec, monitor, list(by_slug)))
            continue
        slug = str(site["slug"])
        minutes = site.get("dailyMinutesDown") or {}
        if not isinstance(minutes, dict):
            raise SourceError(f"history/summary.json: 'dailyMinutesDown' of {slug} is not a mapping of days")
        daily = {}
        for day, value in minutes.items():
            try:
                daily[date.fromisoformat(str(day))] = max(0, int(value))
            except (TypeError, ValueError):
                raise SourceError(f"history/summary.json: '{day}: {value}' of {slug} is not a day's minutes") from None
        first = _upptime_start(spec, slug) or min(daily, default=now.date())
        track = Track(monitor, spec.name, timed=False, daily_down=daily, first_day=first)
        try:  # Upptime's own overall figure, shown beside balise's for a cross-check
            badge = _json(_upptime_file(spec, f"api/{slug}/uptime.json"), f"api/{slug}/uptime.json")
            track.note = (
                f"Upptime says {badge['message']} overall" if isinstance(badge, dict) and "message" in badge else ""
            )
        except SourceError:
            pass
        tracks.append(track)
    return tracks, warnings


def _upptime_start(spec: SourceSpec, slug: str) -> date | None:
    """`startTime:` of history/<slug>.yml (a line of YAML Upptime writes), if the file is there."""
    try:
        text = _upptime_file(spec, f"history/{slug}.yml").decode("utf-8", "replace")
    except SourceError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "startTime" and value.strip():
            try:
                return _moment(value.strip().strip("'\"")).date()
            except SourceError:
                return None
    return None


# -- Gatus -------------------------------------------------------------------------------
GATUS_STATES = {"HEALTHY": (0.0, 0.0), "START": (0.0, 0.0), "UNHEALTHY": (1.0, 0.0), "DEGRADED": (0.0, 1.0)}


def _gatus(spec: SourceSpec, now: datetime) -> tuple[list[Track], list[str]]:
    endpoints = _json(_get(spec, f"{_base(spec)}/api/v1/endpoints/statuses?page=1&pageSize=100"), "the answer")
    if not isinstance(endpoints, list) or not all(isinstance(e, dict) and "name" in e for e in endpoints):
        raise SourceError("is not Gatus's /api/v1/endpoints/statuses (a list of endpoints with a 'name')")
    tracks, warnings = [], []
    for monitor in spec.monitors:
        endpoint = next((e for e in endpoints if monitor.name in (e.get("key"), e.get("name"))), None)
        if endpoint is None:
            warnings.append(_missing(spec, monitor, [str(e.get("key") or e["name"]) for e in endpoints]))
            continue
        events = sorted(
            ((_moment(e["timestamp"]), str(e.get("type", ""))) for e in endpoint.get("events") or []),
            key=lambda pair: pair[0],
        )
        results = [_moment(r["timestamp"]) for r in endpoint.get("results") or [] if "timestamp" in r]
        if not events:
            warnings.append(f"{spec.name}: '{monitor.name}' has no events yet — nothing to count")
            continue
        reach = min(max(results + [events[-1][0]]), now)
        spans = []
        for (at, kind), following in zip(events, [*events[1:], (reach, "")], strict=True):
            down, degraded = GATUS_STATES.get(kind, (0.0, 0.0))
            end = min(following[0], reach)
            if end > at:
                spans.append(Span(at, end, down, degraded))
        tracks.append(Track(monitor, spec.name, spans))
    return tracks, warnings


# -- Uptime Kuma -----------------------------------------------------------------------------
KUMA_STATES = {0: (1.0, 0.0), 1: (0.0, 0.0), 2: (0.0, 1.0)}  # 3 (maintenance) is not counted


def _uptime_kuma(spec: SourceSpec, now: datetime) -> tuple[list[Track], list[str]]:
    page = _json(_get(spec, f"{_base(spec)}/api/status-page/{quote(spec.slug)}"), "the status page")
    beats = _json(_get(spec, f"{_base(spec)}/api/status-page/heartbeat/{quote(spec.slug)}"), "the heartbeats")
    try:
        names = {str(m["name"]): str(m["id"]) for g in page["publicGroupList"] for m in g["monitorList"]}
        lists = beats["heartbeatList"]
        assert isinstance(lists, dict)
    except (KeyError, TypeError, AssertionError):
        raise SourceError("is not Uptime Kuma's status page API ('publicGroupList', 'heartbeatList')") from None
    tracks, warnings = [], []
    for monitor in spec.monitors:
        monitor_id = names.get(monitor.name) or (monitor.name if monitor.name in names.values() else None)
        if monitor_id is None:
            warnings.append(_missing(spec, monitor, list(names)))
            continue
        beats_of = [b for b in lists.get(monitor_id) or [] if isinstance(b, dict)]
        timed = sorted((_moment(b["time"]), b.get("status")) for b in beats_of if "time" in b)
        if not timed:
            warnings.append(f"{spec.name}: '{monitor.name}' has no heartbeats yet — nothing to count")
            continue
        gaps = [(b[0] - a[0]).total_seconds() for a, b in pairwise(timed)]
        interval = timedelta(seconds=statistics.median(gaps)) if gaps else timedelta(minutes=1)
        spans = []
        for (at, status), following in zip(timed, [*timed[1:], (min(timed[-1][0] + interval, now), None)], strict=True):
            if status in KUMA_STATES and following[0] > at:
                down, degraded = KUMA_STATES[status]
                spans.append(Span(at, following[0], down, degraded))
        tracks.append(Track(monitor, spec.name, spans))
    return tracks, warnings


# -- Prometheus --------------------------------------------------------------------------------
def _prometheus(spec: SourceSpec, now: datetime) -> tuple[list[Track], list[str]]:
    tracks, warnings = [], []
    start = now - timedelta(days=spec.days)
    for monitor in spec.monitors:
        query = urlencode(
            {
                "query": monitor.query,
                "start": f"{start.timestamp():.0f}",
                "end": f"{now.timestamp():.0f}",
                "step": f"{spec.step}s",
            }
        )
        answer = _json(_get(spec, f"{_base(spec)}/api/v1/query_range?{query}"), "the answer")
        if not isinstance(answer, dict) or answer.get("status") != "success":
            detail = answer.get("error", "") if isinstance(answer, dict) else ""
            raise SourceError(
                f"Prometheus refused the query for {monitor.component} ({detail or 'no status: success'})"
            )
        data = answer.get("data") or {}
        if data.get("resultType") != "matrix" or not isinstance(data.get("result"), list):
            raise SourceError("is not a Prometheus range query's answer (data.resultType: matrix)")
        per_time: dict[float, list[float]] = {}
        for series in data["result"]:
            for stamp, value in series.get("values") or []:
                try:
                    per_time.setdefault(float(stamp), []).append(min(1.0, max(0.0, float(value))))
                except (TypeError, ValueError):
                    raise SourceError(f"'{value}' at {stamp} is not a number") from None
        if not per_time:
            warnings.append(f"{spec.name}: the expression for {monitor.component} returned no data — check `query:`")
            continue
        step = timedelta(seconds=spec.step)
        spans = []
        for stamp in sorted(per_time):
            end = datetime.fromtimestamp(stamp, timezone.utc)
            up = statistics.fmean(per_time[stamp])  # several series (instances): their mean
            if end > start:  # the first evaluation, at `start`, covers nothing in the range
                spans.append(Span(max(end - step, start), end, 1.0 - up))
        tracks.append(Track(monitor, spec.name, spans, timed=spec.step <= TIMED_STEP))
    return tracks, warnings
