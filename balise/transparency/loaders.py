"""Reading testimonials, KPIs and monitoring summaries, with a file and line for every problem.

- `content/testimonials/*.yml`: one testimonial per file.
- `status/kpis.yml`: targets, and values per month.
- `status/monitoring/YYYY-MM.yml`: one monitoring summary per month (written by `balise ingest`).

No MkDocs here (`balise.content.yamlfile` and `balise.content.fields` are shared with incidents).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from balise.content import transparency as tr
from balise.content.fields import ID_PATTERN, Fields, did_you_mean
from balise.content.uptime import MonthLoader, load_uptime
from balise.content.yamlfile import Located, parse_yaml, read_text
from balise.errors import Collector
from balise.timeline import PLAUSIBLE_YEARS, plain

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
TESTIMONIAL_FIELDS = (
    "quote",
    "attribution",
    "relationship",
    "date",
    "source",
    "source_url",
    "language",
    "context",
    "consent",
    "published",
)
CONSENT_ALIASES = {
    "e_mail": "email",
    "mail": "email",
    "courriel": "email",
    "written": "written_form",
    "form": "written_form",
    "formulaire": "written_form",
    "formulaire_ecrit": "written_form",
    "online": "online_form",
    "formulaire_en_ligne": "online_form",
    "oral": "recorded_oral",
    "telephone": "recorded_oral",
    "phone": "recorded_oral",
    "autre": "other",
}


def _load_yaml(path: Path, report: Collector) -> Located | None:
    text = read_text(path, report)
    if text is None:
        return None
    return parse_yaml(text, path, 1, report)


# Characters a real address never holds unencoded (RFC 3986); a browser's address bar encodes them.
UNSAFE_IN_URL = re.compile(r"[\s\"<>\\^`{|}]")


def _url(fields: Fields, key: str) -> str:
    value = fields.text(key)
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed '[' of an IPv6 host
        fields.error(
            key, f"'{key}' is not a web address ('{value}') — copy the address again from the browser's address bar"
        )
        return ""
    if value and (parts.scheme not in ("http", "https") or not parts.netloc):
        fields.error(key, f"'{key}' must be an http:// or https:// address, not '{value}'")
    elif value and UNSAFE_IN_URL.search(value):
        fields.error(
            key, f"'{key}' has a space, quote or bracket: copy the address again from the browser's address bar"
        )
        return ""
    return value


def _line_of(text_lines: list[str], needle: str, start: int) -> int:
    """The file line (from `start`) where `needle` first appears, else `start`."""
    for index in range(max(start - 1, 0), len(text_lines)):
        if needle in text_lines[index]:
            return index + 1
    return start


def is_month(text: str) -> bool:
    """'2026-11', in the years a time may have (`timeline.PLAUSIBLE_YEARS`, so dates stay in range)."""
    return bool(MONTH.match(text)) and PLAUSIBLE_YEARS[0] <= int(text[:4]) <= PLAUSIBLE_YEARS[1]


def _plausible_date(fields: Fields, key: str, required: bool = False) -> date | None:
    value = fields.date(key, required=required)
    if value is not None and not PLAUSIBLE_YEARS[0] <= value.year <= PLAUSIBLE_YEARS[1]:
        fields.error(key, f"'{key}: {value.isoformat()}': the year {value.year} is not plausible — check the date")
        return None
    return value


def _yaml_text(value: Any) -> str:
    """A value as the writer typed it in YAML (true, not Python's True)."""
    return str(value).lower() if isinstance(value, bool) or value is None else str(value)


def _section(
    located: Located, data: dict[Any, Any], key: str, kind: type, path: Path, report: Collector, example: str
) -> Any:
    """The mapping (or list) under a top-level key; empty, after an error at its line, if it is not one."""
    value = data.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        what = "fields such as" if kind is dict else "a list of"
        report.error(path, located.line(key), f"'{key}' must be {what} {example} — see the README's example")
        return kind()
    return value


# -- testimonials -------------------------------------------------------------------
def load_testimonial(path: Path, report: Collector, today: date) -> tr.Testimonial | None:
    """One testimonial file; None if it has errors (every one reported). `today` is the day, in the
    site's zone, of the build's reference time (never the clock's: an old commit builds the same)."""
    before = len(report.errors)
    text = read_text(path, report)
    if text is None:
        return None
    located = parse_yaml(text, path, 1, report)
    if located is None:
        return None
    if not isinstance(located.data, dict):
        report.error(path, 1, "a testimonial is fields such as 'quote: ...' — see the README's example")
        return None
    fields = Fields(located, located.data, (), path, report)
    fields.check_known(TESTIMONIAL_FIELDS)
    if not ID_PATTERN.match(path.stem):
        report.error(path, 1, f"file name '{path.name}' is not a valid id — use lower-case letters, digits and dashes")
    quote = fields.text("quote", required=True)
    attribution, author = _attribution(fields)
    relationship = fields.choice("relationship", tr.RELATIONSHIPS)
    given_on = _plausible_date(fields, "date", required=True)
    source = fields.choice(
        "source",
        tr.SOURCES,
        aliases={
            "review": "review_site",
            "avis": "review_site",
            "enquete": "survey",
            "lettre": "letter",
            "courriel": "email",
        },
    )
    language = fields.text("language")
    if language and not LANGUAGE.match(language):
        fields.error("language", f"'{language}' is not a language code — write e.g. 'fr' or 'en'")
    consent = _consent(located, fields, path, report, today)
    context = fields.text("context")
    lines = text.split("\n")
    for key, value in (("quote", quote), ("context", context), ("attribution", author)):
        for kind, found in tr.personal_data(value):
            what = "an e-mail address" if kind == "email" else "a phone number"
            report.error(
                path,
                _line_of(lines, found, fields.line(key)),
                f"the {key} contains {what} ({found}) — personal data must not be published: "
                "remove it or replace it with words such as « par courriel » / « by phone »",
            )
    testimonial = tr.Testimonial(
        id=path.stem,
        quote=quote,
        attribution=attribution or "anonymous",
        author=author,
        relationship=relationship or "other",
        given_on=given_on or date.min,
        source=source or "other",
        consent=consent,
        source_url=_url(fields, "source_url"),
        language=language,
        context=context,
        published=fields.boolean("published") if "published" in located.data else True,
        path=str(path),
    )
    return testimonial if len(report.errors) == before else None


def _attribution(fields: Fields) -> tuple[str | None, str]:
    value = fields.data.get("attribution")
    hint = "write 'attribution: anonymous', 'attribution: {initials: M. L.}' or 'attribution: {name: Marie Lefèvre}'"
    if value is None:
        fields.error(None, f"missing 'attribution' — {hint}")
        return None, ""
    if isinstance(value, str) and plain(value) in ("anonymous", "anonyme"):
        return "anonymous", ""
    if not isinstance(value, dict) or len(value) != 1:
        fields.error("attribution", f"'attribution' is not valid — {hint}")
        return None, ""
    ((kind, author),) = value.items()
    kind = plain(str(kind))
    kind = {"nom": "name", "initiales": "initials"}.get(kind, kind)
    author = str(author or "").strip()
    if kind not in ("name", "initials"):
        fields.error("attribution", f"'{kind}' is not an attribution — {hint}")
        return None, ""
    if not author:
        fields.error("attribution", f"the attribution's {kind} is empty — {hint}")
        return None, ""
    if kind == "initials" and not tr.looks_like_initials(author):
        fields.error(
            "attribution",
            f"'{author}' does not look like initials — write e.g. 'M. L.' "
            "(this file is public, and so is its git history)",
        )
        return None, ""
    return kind, author


def _consent(located: Located, fields: Fields, path: Path, report: Collector, today: date) -> tr.Consent | None:
    raw = located.data.get("consent")
    hint = "add 'consent:' with 'date: 2026-11-21' and 'how: written_form' (or email, online_form, recorded_oral)"
    if raw is None or raw == "" or raw is False:
        report.error(
            path,
            fields.line("consent") if raw is not None else 1,
            f"no consent record — a testimonial is published only with the person's consent: {hint}",
        )
        return None
    if not isinstance(raw, dict):
        fields.error("consent", f"'consent' must be a date and how it was given — {hint}")
        return None
    sub = Fields(located, raw, ("consent",), path, report)
    sub.check_known(("date", "how", "reference"))
    given_on = sub.date("date", required=True)
    how = sub.choice("how", tr.CONSENT_METHODS, aliases=CONSENT_ALIASES)
    if given_on is None or how is None:
        return None
    if given_on > today:
        sub.error(
            "date",
            f"consent given on {given_on.isoformat()}, a date still to come — "
            "a testimonial is published only once consent was actually given: fix the date",
        )
        return None
    return tr.Consent(given_on, how, sub.text("reference"))


def load_testimonials(directory: Path, report: Collector, today: date) -> list[tr.Testimonial]:
    found: list[tr.Testimonial] = []
    if not directory.is_dir():
        return found
    for path in sorted(list(directory.glob("*.yml")) + list(directory.glob("*.yaml"))):
        if path.name.startswith(("_", ".")):
            continue
        testimonial = load_testimonial(path, report, today)
        if testimonial is not None:
            found.append(testimonial)
    return found


# -- KPIs -------------------------------------------------------------------------------
KPI_LIMITS = {"average_rating": (0, 5), "response_rate": (0, 100)}


def _number(value: Any) -> float | None:
    """A finite number, also written '4,2' or '83%'; None for anything else (text, .nan, .inf)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(str(value).replace(",", ".").rstrip("%").strip())
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _value_problem(kpi: str, value: float | None) -> str | None:
    """What a month's value of a KPI must be, if it is not: ratings are out of 5, rates are
    percentages, the others are counts (whole numbers; '23,700' would read as 23.7)."""
    low, high = KPI_LIMITS.get(kpi, (0, None))
    if value is None or value < low or (high is not None and value > high):
        return f"between {low} and {high}" if high is not None else "a whole number ≥ 0"
    if tr.KPI_FORMATS[kpi] == "count" and not value.is_integer():
        return "a whole number ≥ 0, written without a thousands separator (23700)"
    return None


def load_kpis(path: Path, report: Collector) -> tr.Kpis | None:
    if not path.exists():
        return None
    located = _load_yaml(path, report)
    if located is None:
        return None
    data = located.data
    if not isinstance(data, dict):
        report.error(path, 1, "expected 'targets:' and 'months:' — see the README's example")
        return None
    top = Fields(located, data, (), path, report)
    top.check_known(("targets", "months"))
    targets: dict[str, tr.Target] = {}
    for kpi, target in _section(located, data, "targets", dict, path, report, "'reviews: {min: 10}'").items():
        line = located.line("targets", kpi)
        if kpi not in tr.KPIS:
            report.error(path, line, f"unknown KPI '{kpi}' — {did_you_mean(kpi, tr.KPIS)}")
            continue
        if not isinstance(target, dict) or set(target) - {"min", "max"}:
            report.error(path, line, f"the target of '{kpi}' is not 'min: N' and/or 'max: N' — write e.g. {{min: 4}}")
            continue
        bounds = {key: number for key in target if (number := _number(target[key])) is not None}
        if len(bounds) < len(target):
            report.error(path, line, f"the target of '{kpi}' must be numbers — write e.g. {{min: 4}}")
            continue
        wrong = [(key, problem) for key, value in bounds.items() if (problem := _bound_problem(kpi, value))]
        if wrong:
            key, problem = wrong[0]
            report.error(
                path,
                line,
                f"the target '{key}: {_yaml_text(target[key])}' of '{kpi}' must be {problem} "
                "— a target that can never be met is not one",
            )
            continue
        if bounds.get("min", -math.inf) > bounds.get("max", math.inf):
            report.error(path, line, f"the target of '{kpi}' can never be met: its min is above its max — swap them")
            continue
        targets[kpi] = tr.Target(bounds.get("min"), bounds.get("max"))
    months: dict[str, dict[str, float]] = {}
    for month, row in _section(located, data, "months", dict, path, report, "'2026-11: {reviews: 12}'").items():
        line = located.line("months", month)
        month = str(month)
        if not is_month(month):
            report.error(path, line, f"'{month}' is not a month — write it as 2026-11")
            continue
        if not isinstance(row, dict):
            report.error(
                path, line, f"the values of {month} must be fields such as {{reviews: 12}} — see the README's example"
            )
            continue
        values: dict[str, float] = {}
        for kpi, raw in row.items():
            kline = located.line("months", month, kpi)
            if kpi not in tr.KPIS:
                report.error(path, kline, f"unknown KPI '{kpi}' — {did_you_mean(kpi, tr.KPIS)}")
                continue
            if raw is None:
                continue  # not measured that month
            value = _number(raw)
            problem = _value_problem(kpi, value)
            if problem or value is None:  # (None is always a problem)
                report.error(
                    path,
                    kline,
                    f"'{kpi}: {_yaml_text(raw)}' must be {problem} — fix it, "
                    "or leave it out for a month it was not measured",
                )
                continue
            values[kpi] = value
        months[month] = values
    return tr.Kpis(targets, dict(sorted(months.items())), str(path))


def _bound_problem(kpi: str, value: float) -> str | None:
    """A target is on the KPI's scale (a rating of 6 out of 5 is never met); it may be a fraction."""
    low, high = KPI_LIMITS.get(kpi, (0, None))
    if value < low or (high is not None and value > high):
        return f"between {low} and {high}" if high is not None else "a number ≥ 0"
    return None


# -- monitoring summaries ---------------------------------------------------------------
def load_month_summary(path: Path, report: Collector) -> tr.MonthSummary | None:
    before = len(report.errors)
    if not is_month(path.stem):
        report.error(
            path,
            1,
            f"'{path.name}' is not a month — a monitoring summary is named after its month: rename it e.g. 2026-11.yml",
        )
        return None
    located = _load_yaml(path, report)
    if located is None:
        return None
    data = located.data or {}
    if not isinstance(data, dict):
        report.error(path, 1, "expected 'sources:', 'counts:', 'spikes:' and 'items:' — see the README")
        return None
    Fields(located, data, (), path, report).check_known(("sources", "counts", "spikes", "items"))
    sources = _sources(located, data, path, report)
    counts = _counts(located, data, sources, path, report)
    spikes = _spikes(located, data, sources, path, report)
    items = []
    for index, raw in enumerate(_section(located, data, "items", list, path, report, "'- id: ...' entries")):
        where = ("items", index)
        if not isinstance(raw, dict):
            report.error(path, located.line(*where), "each item has 'id', 'at', 'source', 'title' and 'link'")
            continue
        fields = Fields(located, raw, where, path, report)
        fields.check_known(("id", "at", "source", "title", "link", "hidden"))
        source = fields.text("source", required=True)
        if source and source not in sources:
            fields.error("source", f"unknown source '{source}' — declare it under 'sources:'")
        at = fields.time("at", required=True)
        item = tr.Item(
            fields.text("id", required=True),
            at or datetime.min,
            source,
            fields.text("title", required=True),
            _url(fields, "link"),
            fields.boolean("hidden"),
        )
        items.append(item)
    if len(report.errors) != before:
        return None
    return tr.MonthSummary(path.stem, sources, dict(sorted(counts.items())), items, spikes, str(path))


def _sources(located: Located, data: dict[Any, Any], path: Path, report: Collector) -> dict[str, tr.Source]:
    sources: dict[str, tr.Source] = {}
    for source_id, raw in _section(
        located, data, "sources", dict, path, report, "'alertes-google: {name: ..., kind: mentions}'"
    ).items():
        where = ("sources", source_id)
        if not isinstance(raw, dict):
            report.error(path, located.line(*where), f"source '{source_id}' needs 'name:' and 'kind:'")
            continue
        fields = Fields(located, raw, where, path, report)
        fields.check_known(("name", "kind", "url"))
        if not isinstance(source_id, str) or not ID_PATTERN.match(source_id):
            report.error(
                path,
                located.line(*where),
                f"source id '{_yaml_text(source_id)}' may only use lower-case letters, "
                "digits and dashes, starting with a letter or digit — e.g. alertes-google",
            )
            continue
        kind = fields.choice("kind", tr.FEED_KINDS)
        sources[source_id] = tr.Source(
            source_id, fields.text("name", required=True) or source_id, kind or "mentions", _url(fields, "url")
        )
    return sources


def _counts(
    located: Located, data: dict[Any, Any], sources: dict[str, tr.Source], path: Path, report: Collector
) -> dict[date, dict[str, int]]:
    month = path.stem
    counts: dict[date, dict[str, int]] = {}
    for day, row in _section(located, data, "counts", dict, path, report, "'2026-11-21: {alertes-google: 3}'").items():
        line = located.line("counts", day)
        parsed = _day(str(day))
        if parsed is None:
            report.error(path, line, f"'{day}' is not a day — write it as {month}-21")
            continue
        if parsed.isoformat()[:7] != month:
            report.error(path, line, f"{day} is not in {month} — move it to {parsed.isoformat()[:7]}.yml")
            continue
        if not isinstance(row, dict):
            report.error(path, line, f"the counts of {day} map each source to a number, e.g. {{alertes-google: 3}}")
            continue
        counts[parsed] = {}
        for source_id, count in row.items():
            source_id = _yaml_text(source_id)
            if source_id not in sources:
                report.error(
                    path,
                    located.line("counts", day, source_id),
                    f"unknown source '{source_id}' — declare it under 'sources:'",
                )
            elif not isinstance(count, int) or isinstance(count, bool) or count < 0:
                report.error(
                    path,
                    located.line("counts", day, source_id),
                    f"'{source_id}: {_yaml_text(count)}' must be a whole number ≥ 0 — write how many items "
                    "that source had that day",
                )
            else:
                counts[parsed][source_id] = count
    return counts


def _day(text: str) -> date | None:
    """A day written YYYY-MM-DD, in the plausible years; None otherwise."""
    if not ISO_DAY.match(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1] else None


SPIKE_FIELDS = ("period", "source", "count", "baseline", "factor")


def _spikes(
    located: Located, data: dict[Any, Any], sources: dict[str, tr.Source], path: Path, report: Collector
) -> list[tr.Spike]:
    spikes = []
    for index, raw in enumerate(
        _section(located, data, "spikes", list, path, report, "'- {period: 2026-W44, ...}' entries")
    ):
        line = located.line("spikes", index)
        if not isinstance(raw, dict):
            report.error(path, line, "each spike has 'period', 'source', 'count', 'baseline' and 'factor'")
            continue
        fields = Fields(located, raw, ("spikes", index), path, report)
        fields.check_known(SPIKE_FIELDS)
        missing = [key for key in SPIKE_FIELDS if raw.get(key) is None]
        if missing:
            report.error(
                path,
                line,
                f"this spike has no '{missing[0]}' — each spike has 'period', 'source', "
                "'count', 'baseline' and 'factor'",
            )
            continue
        period = _spike_period(fields, path.stem)
        source: str | None = fields.text("source")
        if source != "all" and source not in sources:
            fields.error(
                "source",
                f"unknown source '{source}' — write 'all' (every mention and review source), "
                "or declare it under 'sources:'",
            )
            source = None
        count, baseline, factor = (_number(raw[key]) for key in ("count", "baseline", "factor"))
        if count is None or count < 0 or not count.is_integer():
            fields.error(
                "count",
                f"'count: {_yaml_text(raw['count'])}' must be a whole number ≥ 0 — write how many items the period had",
            )
        elif baseline is None or baseline < 0:
            fields.error(
                "baseline",
                f"'baseline: {_yaml_text(raw['baseline'])}' must be a number ≥ 0 — "
                "write the usual count (the median of the periods before)",
            )
        elif factor is None or factor <= 0:
            fields.error("factor", f"'factor: {_yaml_text(raw['factor'])}' must be a number above 0 — e.g. 'factor: 2'")
        elif count <= baseline:
            fields.error(
                "count",
                f"a spike of {int(count)} is not above its baseline of {_yaml_text(raw['baseline'])} — "
                "fix the numbers, or remove the spike",
            )
        elif period is not None and source is not None:
            spikes.append(tr.Spike(period, source, int(count), baseline, factor))
    return spikes


def _spike_period(fields: Fields, month: str) -> str | None:
    """The spike's period as ingest writes it: an ISO week (2026-W44) or a day (2026-10-27), in the
    summary of its month (a week's is the month of its Thursday, as ISO weeks belong to years)."""
    text = fields.text("period")
    hint = "write an ISO week such as 2026-W44 or a day such as 2026-10-27"
    week, day = ISO_WEEK.match(text), _day(text)
    if week:
        year, number = int(week[1]), int(week[2])
        if not PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1]:
            fields.error("period", f"'period: {text}': the year {year} is not plausible — check the period")
            return None
        weeks = date(year, 12, 28).isocalendar()[1]  # 28 December is always in the year's last week
        if not 1 <= number <= weeks:
            fields.error("period", f"'period: {text}': {year} has weeks W01 to W{weeks} — check the week's number")
            return None
        belongs = (date.fromisocalendar(year, number, 1) + timedelta(days=3)).isoformat()[:7]
    elif day:
        belongs = day.isoformat()[:7]
    else:
        fields.error("period", f"'period: {text}' is not a period — {hint}")
        return None
    if belongs != month:
        fields.error(
            "period",
            f"the spike of {text} belongs in {belongs}.yml (a week is in the month of its Thursday) — move it there",
        )
        return None
    return text


def load_monitoring(directory: Path, report: Collector) -> tr.Monitoring:
    months = []
    if directory.is_dir():
        for path in sorted(directory.glob("*.yml")):
            if path.name.startswith(("_", ".")):
                continue
            summary = load_month_summary(path, report)
            if summary is not None:
                months.append(summary)
    return tr.Monitoring(months)


def load_transparency(
    testimonials_dir: Path,
    status_dir: Path,
    report: Collector,
    today: date,
    component_ids: set[str] | None = None,
    load_month: MonthLoader | None = None,
) -> tr.Transparency:
    """`load_month` reads one month of measured uptime (`content.uptime.load_month_file` by default)."""
    return tr.Transparency(
        testimonials=load_testimonials(testimonials_dir, report, today),
        kpis=load_kpis(status_dir / "kpis.yml", report),
        monitoring=load_monitoring(status_dir / "monitoring", report),
        uptime=load_uptime(status_dir / "uptime", report, component_ids, load_month),
    )
