"""Reading testimonials, KPIs and monitoring summaries, with a file and line for every problem.

- `content/testimonials/*.yml`: one testimonial per file.
- `status/kpis.yml`: targets, and values per month.
- `status/monitoring/YYYY-MM.yml`: one monitoring summary per month (written by `balise ingest`).

No MkDocs here (see `balise.loaders` for the helpers shared with incidents).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from . import transparency as tr
from .errors import Collector
from .loaders import Fields, Located, did_you_mean, parse_yaml, read_text
from .timeline import plain

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TESTIMONIAL_FIELDS = (
    "quote", "attribution", "relationship", "date", "source", "source_url", "language", "context",
    "consent", "published",
)
CONSENT_ALIASES = {
    "e_mail": "email", "mail": "email", "courriel": "email", "written": "written_form", "form": "written_form",
    "formulaire": "written_form", "formulaire_ecrit": "written_form", "online": "online_form",
    "formulaire_en_ligne": "online_form", "oral": "recorded_oral", "telephone": "recorded_oral",
    "phone": "recorded_oral", "autre": "other",
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
    if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc):
        fields.error(key, f"'{key}' must be an http:// or https:// address, not '{value}'")
    elif value and UNSAFE_IN_URL.search(value):
        fields.error(key, f"'{key}' has a space, quote or bracket: copy the address again from the browser's address bar")
        return ""
    return value


def _choice(fields: Fields, key: str, choices, aliases=None, required=True) -> str | None:
    value = fields.data.get(key)
    if value is None:
        if required:
            fields.error(None, f"missing '{key}' — add '{key}: {choices[0]}' (one of: {', '.join(choices)})")
        return None
    text = plain(str(value)).replace(" ", "_").replace("-", "_")
    text = (aliases or {}).get(text, text)
    if text not in choices:
        fields.error(key, f"'{value}' is not a valid {key} — {did_you_mean(value, choices)}")
        return None
    return text


def _line_of(text_lines: list[str], needle: str, start: int) -> int:
    """The file line (from `start`) where `needle` first appears, else `start`."""
    for index in range(max(start - 1, 0), len(text_lines)):
        if needle in text_lines[index]:
            return index + 1
    return start


# -- testimonials -------------------------------------------------------------------
def load_testimonial(path: Path, report: Collector, today: date) -> tr.Testimonial | None:
    """One testimonial file; None if it has errors (every one reported). `today` is the day, in the
    site's zone, of the build's reference time (never the clock's: an old commit builds the same)."""
    before = len(report.errors)
    text = read_text(path, report)
    located = parse_yaml(text, path, 1, report) if text is not None else None
    if located is None:
        return None
    if not isinstance(located.data, dict):
        report.error(path, 1, "a testimonial is fields such as 'quote: ...' — see the README's example")
        return None
    fields = Fields(located, located.data, (), path, report)
    fields.check_known(TESTIMONIAL_FIELDS)
    if not SLUG.match(path.stem):
        report.error(path, 1, f"file name '{path.name}' is not a valid id — use lower-case letters, digits and dashes")
    quote = fields.text("quote", required=True)
    attribution, author = _attribution(fields)
    relationship = _choice(fields, "relationship", tr.RELATIONSHIPS)
    given_on = fields.date("date", required=True)
    source = _choice(fields, "source", tr.SOURCES, {"review": "review_site", "avis": "review_site",
                                                     "enquete": "survey", "lettre": "letter", "courriel": "email"})
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
    (kind, author), = value.items()
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
        report.error(path, fields.line("consent") if raw is not None else 1,
                     f"no consent record — a testimonial is published only with the person's consent: {hint}")
        return None
    if not isinstance(raw, dict):
        fields.error("consent", f"'consent' must be a date and how it was given — {hint}")
        return None
    sub = Fields(located, raw, ("consent",), path, report)
    sub.check_known(("date", "how", "reference"))
    given_on = sub.date("date", required=True)
    how = _choice(sub, "how", tr.CONSENT_METHODS, CONSENT_ALIASES)
    if given_on is None or how is None:
        return None
    if given_on > today:
        sub.error("date", f"consent given on {given_on.isoformat()}, a date still to come — "
                          "a testimonial is published only once consent was actually given: fix the date")
        return None
    return tr.Consent(given_on, how, sub.text("reference"))


def load_testimonials(directory: Path, report: Collector, today: date) -> list[tr.Testimonial]:
    found = []
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


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(str(value).replace(",", ".").rstrip("%").strip())
    except ValueError:
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
    for kpi, target in (data.get("targets") or {}).items():
        line = located.line("targets", kpi)
        if kpi not in tr.KPIS:
            report.error(path, line, f"unknown KPI '{kpi}' — {did_you_mean(kpi, tr.KPIS)}")
            continue
        if not isinstance(target, dict) or set(target) - {"min", "max"}:
            report.error(path, line, f"the target of '{kpi}' is 'min: N' and/or 'max: N', e.g. {{min: 4}}")
            continue
        bounds = {key: _number(target[key]) for key in target}
        if any(value is None for value in bounds.values()):
            report.error(path, line, f"the target of '{kpi}' must be numbers, e.g. {{min: 4}}")
            continue
        targets[kpi] = tr.Target(bounds.get("min"), bounds.get("max"))
    months: dict[str, dict[str, float]] = {}
    raw_months = data.get("months") or {}
    if not isinstance(raw_months, dict):
        report.error(path, located.line("months"), "'months' maps each month (2026-11) to its values")
        raw_months = {}
    for month, row in raw_months.items():
        line = located.line("months", month)
        month = str(month)
        if not MONTH.match(month):
            report.error(path, line, f"'{month}' is not a month — write it as 2026-11")
            continue
        if not isinstance(row, dict):
            report.error(path, line, f"the values of {month} must be fields such as 'reviews: 12'")
            continue
        values = {}
        for kpi, raw in row.items():
            kline = located.line("months", month, kpi)
            if kpi not in tr.KPIS:
                report.error(path, kline, f"unknown KPI '{kpi}' — {did_you_mean(kpi, tr.KPIS)}")
                continue
            if raw is None:
                continue  # not measured that month
            value = _number(raw)
            low, high = KPI_LIMITS.get(kpi, (0, None))
            if value is None or value < low or (high is not None and value > high):
                limits = f"between {low} and {high}" if high is not None else "a number ≥ 0"
                report.error(path, kline, f"'{kpi}: {raw}' must be {limits}")
                continue
            values[kpi] = value
        months[month] = values
    return tr.Kpis(targets, dict(sorted(months.items())), str(path))


# -- monitoring summaries ---------------------------------------------------------------
def load_month_summary(path: Path, report: Collector) -> tr.MonthSummary | None:
    before = len(report.errors)
    if not MONTH.match(path.stem):
        report.error(path, 1, f"a monitoring summary is named after its month, e.g. 2026-11.yml, not '{path.name}'")
        return None
    located = _load_yaml(path, report)
    if located is None:
        return None
    data = located.data or {}
    if not isinstance(data, dict):
        report.error(path, 1, "expected 'sources:', 'counts:', 'spikes:' and 'items:' — see the README")
        return None
    Fields(located, data, (), path, report).check_known(("sources", "counts", "spikes", "items"))
    sources: dict[str, tr.Source] = {}
    for source_id, raw in (data.get("sources") or {}).items():
        where = ("sources", source_id)
        if not isinstance(raw, dict):
            report.error(path, located.line(*where), f"source '{source_id}' needs 'name:' and 'kind:'")
            continue
        fields = Fields(located, raw, where, path, report)
        fields.check_known(("name", "kind", "url"))
        if not SLUG.match(str(source_id)):
            report.error(path, located.line(*where), f"source id '{source_id}' may only use lower-case letters, digits and dashes")
        kind = _choice(fields, "kind", tr.FEED_KINDS)
        sources[str(source_id)] = tr.Source(str(source_id), fields.text("name", required=True) or str(source_id),
                                            kind or "mentions", _url(fields, "url"))
    counts: dict[date, dict[str, int]] = {}
    for day, row in (data.get("counts") or {}).items():
        line = located.line("counts", day)
        try:
            parsed = date.fromisoformat(str(day))
        except ValueError:
            report.error(path, line, f"'{day}' is not a day — write it as 2026-11-21")
            continue
        if parsed.strftime("%Y-%m") != path.stem:
            report.error(path, line, f"{day} is not in {path.stem} — move it to {parsed.strftime('%Y-%m')}.yml")
            continue
        if not isinstance(row, dict):
            report.error(path, line, f"the counts of {day} map each source to a number, e.g. {{alertes-google: 3}}")
            continue
        counts[parsed] = {}
        for source_id, count in row.items():
            if source_id not in sources:
                report.error(path, located.line("counts", day, source_id),
                             f"unknown source '{source_id}' — declare it under 'sources:'")
            elif not isinstance(count, int) or isinstance(count, bool) or count < 0:
                report.error(path, located.line("counts", day, source_id), f"'{count}' must be a whole number ≥ 0")
            else:
                counts[parsed][str(source_id)] = count
    spikes = []
    for index, raw in enumerate(data.get("spikes") or []):
        line = located.line("spikes", index)
        if not isinstance(raw, dict):
            report.error(path, line, "each spike has 'period', 'source', 'count', 'baseline' and 'factor'")
            continue
        fields = Fields(located, raw, ("spikes", index), path, report)
        fields.check_known(("period", "source", "count", "baseline", "factor"))
        count, baseline, factor = (_number(raw.get(key)) for key in ("count", "baseline", "factor"))
        if None in (count, baseline, factor) or not fields.text("period"):
            report.error(path, line, "each spike has 'period', 'source', 'count', 'baseline' and 'factor' (numbers)")
            continue
        spikes.append(tr.Spike(fields.text("period"), fields.text("source") or "all", int(count), baseline, factor))
    items = []
    for index, raw in enumerate(data.get("items") or []):
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
        item = tr.Item(fields.text("id", required=True), at or datetime.min, source, fields.text("title", required=True),
                       _url(fields, "link"), fields.boolean("hidden"))
        items.append(item)
    if len(report.errors) != before:
        return None
    return tr.MonthSummary(path.stem, sources, dict(sorted(counts.items())), items, spikes, str(path))


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


def load_transparency(testimonials_dir: Path, status_dir: Path, report: Collector, today: date) -> tr.Transparency:
    return tr.Transparency(
        testimonials=load_testimonials(testimonials_dir, report, today),
        kpis=load_kpis(status_dir / "kpis.yml", report),
        monitoring=load_monitoring(status_dir / "monitoring", report),
    )

