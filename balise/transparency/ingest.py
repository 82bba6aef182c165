"""Monitoring ingest: read mention, review and provider feeds, and update the monthly summaries.

Feeds are untrusted: each is fetched with urllib (http/https only, a time limit for the whole
download, a size cap, read in chunks), parsed by feedparser *from bytes* (feedparser never fetches
anything itself), and every text kept is reduced to plain text. A feed that fails gives one warning
and the others are still read. The result goes to `status/monitoring/YYYY-MM.yml` for a person to
review and commit: nothing reaches the site before that commit.

No MkDocs here: the CLI hands in the feed list and settings.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import nh3

from balise import __version__
from balise.content import transparency as tr
from balise.content.fields import slug as id_of
from balise.content.yamlfile import CONTROL_CHARACTER
from balise.errors import Collector, ContentError
from balise.timeline import format_time
from balise.transparency.loaders import load_monitoring

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
CHUNK = 64 * 1024
TITLE_LIMIT = 300
# A terminal's colour codes (ESC [ 31 m), pasted into someone's CMS: dropped whole, not left as "[31m".
ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")


class FeedError(Exception):
    """Why one feed could not be read, in words for a one-line warning."""


@dataclass(frozen=True)
class FeedSpec:
    id: str
    name: str
    url: str
    kind: str = "mentions"


@dataclass(frozen=True)
class IngestOptions:
    zone: ZoneInfo
    now: datetime
    period: str = "week"  # "week" or "day": the unit of spike detection
    spike_factor: float = 2.0
    spike_window: int = 4
    spike_min: int = 5
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    site_url: str = ""


@dataclass
class FeedReport:
    spec: FeedSpec
    items: int = 0  # entries read
    new: int = 0
    error: str = ""


@dataclass
class IngestResult:
    feeds: list[FeedReport] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    new_spikes: list[tr.Spike] = field(default_factory=list)
    summaries: dict[str, tr.MonthSummary] = field(default_factory=dict)

    @property
    def read_any(self) -> bool:
        return any(not report.error for report in self.feeds)


# -- names -------------------------------------------------------------------------
def slug(text: str) -> str:
    """A monitoring source's id, made from its name or host (`fields.slug`, at most 40 characters)."""
    return id_of(text, "feed", limit=40)


def spec_for_url(url: str, kind: str = "mentions") -> FeedSpec:
    """A source for a feed given on the command line: named after its host, unique per URL."""
    host = urlsplit(url).hostname or "feed"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:6]
    return FeedSpec(f"{slug(host)}-{digest}", host, url, kind)


# -- fetching ------------------------------------------------------------------------
def size_text(size: int) -> str:
    """A size as a person reads it: bytes below 1 KiB (a '0 KiB' limit says nothing), else KiB or MiB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024, 1):g} KiB"
    return f"{round(size / (1024 * 1024), 1):g} MiB"


FEED_TYPES = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"


def fetch(
    url: str,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    headers: dict[str, str] | None = None,
    purpose: str = "monitoring ingest",
) -> bytes:
    """The feed's bytes, or FeedError. `timeout` bounds the whole download, not just each read.
    `headers` adds to (or replaces) the defaults: another `Accept`, an `Authorization` (`balise uptime`, `balise import`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedError("not an http:// or https:// address")
    request = urllib.request.Request(
        url, headers={"User-Agent": f"balise/{__version__} ({purpose})", "Accept": FEED_TYPES, **(headers or {})}
    )
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FeedError(f"is {size_text(int(declared))}, over the {size_text(max_bytes)} limit — skipped")
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise FeedError(f"took more than {timeout:g} s — skipped (the site may be slow or down)")
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FeedError(f"is over the {size_text(max_bytes)} limit — skipped")
                chunks.append(chunk)
            return b"".join(chunks)
    except FeedError:
        raise
    except urllib.error.HTTPError as error:
        raise FeedError(f"the server answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FeedError(f"no answer within {timeout:g} s — skipped (the site may be slow or down)") from None
        raise FeedError(f"cannot be reached ({getattr(reason, 'strerror', None) or reason})") from None
    except TimeoutError:
        raise FeedError(f"no answer within {timeout:g} s — skipped (the site may be slow or down)") from None
    except (OSError, ValueError) as error:
        raise FeedError(f"cannot be read ({error})") from None


# -- parsing -------------------------------------------------------------------------
def plain_text(value: str, limit: int = TITLE_LIMIT) -> str:
    """Untrusted HTML or text -> one line of plain text (tags and scripts removed, entities decoded)."""
    text = html.unescape(nh3.clean(value or "", tags=set()))
    text = without_controls(text)  # a feed is not ours to correct: `balise check` would refuse them
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def without_controls(text: str) -> str:
    return CONTROL_CHARACTER.sub("", ANSI_ESCAPE.sub("", text))


def safe_link(value: str) -> str:
    """An http(s) link, unwrapped from Google's redirect; anything else is dropped."""
    value = without_controls(value or "").strip()
    parts = urlsplit(value)
    if parts.hostname in ("www.google.com", "google.com") and parts.path == "/url":
        target = parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q")
        if target:
            value, parts = target[0], urlsplit(target[0])
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in value):
        return ""
    return value


def item_id(link: str, entry_id: str, title: str, at: datetime) -> str:
    """The de-duplication key: the same article from two alert services counts once."""
    key = link or entry_id or f"{title}|{at.isoformat()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _entry_time(entry: Any, fallback: datetime) -> datetime:  # a feedparser entry
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                moment = datetime(*parsed[:6]).replace(tzinfo=timezone.utc)
            except (TypeError, ValueError):
                continue
            return min(moment, fallback)  # an entry from the future is counted now
    return fallback


def parse(data: bytes, spec: FeedSpec, now: datetime, zone: ZoneInfo) -> tuple[str, list[tr.Item]]:
    """(the feed's own title, its items) from the feed's bytes; FeedError if it is not a feed."""
    import feedparser  # here, not at the top: every `balise` command would pay for its import

    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    if parsed.get("bozo") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = plain_text(str(problem), 120) if problem else "unreadable"
        raise FeedError(f"is not a valid RSS or Atom feed ({detail})")
    if not parsed.entries and not parsed.feed.get("title"):
        raise FeedError("is not an RSS or Atom feed (no channel, no entries)")
    items = []
    for entry in parsed.entries:
        title = plain_text(entry.get("title", "")) or plain_text(entry.get("summary", ""), 120)
        link = safe_link(entry.get("link", ""))
        at = _entry_time(entry, now).astimezone(zone).replace(second=0, microsecond=0)
        items.append(tr.Item(item_id(link, str(entry.get("id", "")), title, at), at, spec.id, title or "—", link))
    return plain_text(parsed.feed.get("title", ""), 120), items


# -- the run ----------------------------------------------------------------------------
def ingest(
    specs: list[FeedSpec],
    monitoring_dir: Path,
    options: IngestOptions,
    report: Collector,
    dry_run: bool = False,
    root: Path | None = None,
) -> IngestResult:
    """Read every feed, merge the new items into the month summaries, flag spikes, write the files."""
    existing = load_monitoring(monitoring_dir, report)
    if report.errors:
        raise ContentError(report.errors)
    summaries = {s.month: s for s in existing.months}
    seen = existing.item_ids
    result = IngestResult()
    touched: set[str] = set()
    new_days: set[date] = set()
    for spec in specs:
        feed = FeedReport(spec)
        result.feeds.append(feed)
        try:
            title, items = parse(fetch(spec.url, options.timeout, options.max_bytes), spec, options.now, options.zone)
        except FeedError as error:
            feed.error = str(error)
            continue
        feed.items = len(items)
        # A feed given on the command line is named after its host: its own title says more.
        adhoc = spec.name == urlsplit(spec.url).hostname
        source = tr.Source(spec.id, title if adhoc and title else spec.name, spec.kind, spec.url)
        for item in sorted(items, key=lambda i: (i.at, i.id)):
            if item.id in seen:
                continue
            seen.add(item.id)
            feed.new += 1
            day = item.at.date()
            month = day.strftime("%Y-%m")
            summary = summaries.setdefault(month, tr.MonthSummary(month, {}, {}, [], [], ""))
            summary.sources[spec.id] = source
            row = summary.counts.setdefault(day, {})
            row[spec.id] = row.get(spec.id, 0) + 1
            summary.items.append(item)
            touched.add(month)
            new_days.add(day)
    if new_days:
        result.new_spikes = _flag_spikes(summaries, new_days, options, touched)
    for month in sorted(touched):
        summary = summaries[month]
        path = monitoring_dir / f"{month}.yml"
        if not dry_run:
            from balise.content.authoring import write_atomically

            write_atomically(path, dump_summary(summary, options))
        result.written.append(path)
    result.summaries = summaries
    return result


def _flag_spikes(
    summaries: dict[str, tr.MonthSummary], new_days: set[date], options: IngestOptions, touched: set[str]
) -> list[tr.Spike]:
    """Check every period that received new items, on the volume of every mention and review source together
    (per source, the numbers are too small to tell a spike from chance; providers' feeds are not about us)."""
    monitoring = tr.Monitoring([summaries[m] for m in sorted(summaries)])
    today = options.now.astimezone(options.zone).date()
    periods = {tr.period_of(day, options.period)[0] for day in new_days}
    daily = monitoring.daily(kinds=("mentions", "reviews"))
    series_by_source = {"all": {day: sum(row.values()) for day, row in daily.items()}}
    stored = {(s.period, s.source) for summary in summaries.values() for s in summary.spikes}
    found = []
    for source_id, per_day in series_by_source.items():
        series = tr.period_series(per_day, options.period, today)
        starts = dict(tr.period_of(day, options.period) for day in per_day)
        for index, (label, count) in enumerate(series):
            if label not in periods:
                continue
            spike, baseline = tr.spike_at(series, index, options.spike_factor, options.spike_window, options.spike_min)
            if not spike:
                continue
            entry = tr.Spike(label, source_id, count, round(baseline, 1), options.spike_factor)
            start = starts.get(label) or today
            # A week belongs to the month of its Thursday, as ISO weeks belong to years.
            month = (start + timedelta(days=0 if options.period == "day" else 3)).strftime("%Y-%m")
            summary = summaries.setdefault(month, tr.MonthSummary(month, {}, {}, [], [], ""))
            kept = [s for s in summary.spikes if (s.period, s.source) != (label, source_id)]
            summaries[month] = replace(summary, spikes=[*kept, entry])
            touched.add(month)
            if (label, source_id) not in stored:
                found.append(entry)
    return found


# -- writing -------------------------------------------------------------------------
def _q(value: object) -> str:
    """A YAML scalar that reads back as the same string (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def dump_summary(summary: tr.MonthSummary, options: IngestOptions) -> str:
    """The summary file, deterministic: sorted keys, items oldest first."""
    lines = [
        f"# Monitoring summary for {summary.month} / Résumé de veille de {summary.month}.",
        "# Written by `balise ingest`: review it, hide an item with `hidden: true`, then commit to publish.",
        "# Relu par une personne avant publication : masquer un élément avec `hidden: true`, puis commiter.",
        "sources:",
    ]
    for source_id, source in sorted(summary.sources.items()):
        url = f", url: {_q(source.url)}" if source.url else ""
        lines.append(f"  {source_id}: {{name: {_q(source.name)}, kind: {source.kind}{url}}}")
    lines.append("counts:")
    for day, row in sorted(summary.counts.items()):
        cells = ", ".join(f"{source}: {count}" for source, count in sorted(row.items()))
        lines.append(f"  {day.isoformat()}: {{{cells}}}")
    lines.append("spikes:" if summary.spikes else "spikes: []")
    for spike in sorted(summary.spikes, key=lambda s: (s.period, s.source)):
        lines.append(
            f"  - {{period: {_q(spike.period)}, source: {spike.source}, count: {spike.count}, "
            f"baseline: {_number(spike.baseline)}, factor: {_number(spike.factor)}}}"
        )
    lines.append("items:" if summary.items else "items: []")
    for item in sorted(summary.items, key=lambda i: (i.at, i.id)):
        lines.append(f"  - id: {_q(item.id)}")
        lines.append(f"    at: {format_time(item.at.astimezone(options.zone))}")
        lines.append(f"    source: {item.source}")
        lines.append(f"    title: {_q(item.title)}")
        if item.link:
            lines.append(f"    link: {_q(item.link)}")
        if item.hidden:
            lines.append("    hidden: true")
    return "\n".join(lines) + "\n"
