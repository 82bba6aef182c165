"""The /transparency/ page: accountability figures, KPIs, monitoring summaries and testimonials.

Rendered by `SiteRenderer` with balise's own template (`templates/transparency.html`); this module
only prepares the data. Everything from feeds and testimonials is plain text that the template escapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from balise.content import transparency as tr
from balise.content.model import StatusPage
from balise.i18n import Translator, french_spacing
from balise.transparency import accountability

PATH = "transparency/"
KPI_MONTHS = 12
MONITORING_WEEKS = 8
LATEST_ITEMS = 10
SPIKES_SHOWN = 6


@dataclass(frozen=True)
class KpiRow:
    kpi: str
    month: str  # localized month of the latest value
    value: str  # the latest value, formatted
    target: str  # "" when there is none
    met: bool | None
    derived: bool  # the latest value comes from the monitoring summaries
    spark: dict[str, Any]
    history: str  # every value shown in the trend, as text (the trend's text alternative)


def number(value: float, language: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_kpi(kpi: str, value: float, t: Translator) -> str:
    kind = tr.KPI_FORMATS[kpi]
    language = t.language
    if kind == "rating":
        return t("transparency.kpi_format.rating", value=number(value, language, 1))
    if kind == "percent":
        return t("transparency.kpi_format.percent", value=number(value, language, 0))
    return number(value, language, 0)


def target_text(kpi: str, target: tr.Target, t: Translator) -> str:
    parts = []
    if target.minimum is not None:
        parts.append(t("transparency.at_least", value=format_kpi(kpi, target.minimum, t)))
    if target.maximum is not None:
        parts.append(t("transparency.at_most", value=format_kpi(kpi, target.maximum, t)))
    return ", ".join(parts)


def month_label(month: str, t: Translator) -> str:
    year, number_ = (int(part) for part in month.split("-"))
    return t.month_year(year, number_)


def kpi_rows(data: tr.Transparency, t: Translator) -> list[KpiRow]:
    if data.kpis is None:
        return []
    rows = []
    for series in data.kpis.series(data.monitoring):
        shown = series.last(KPI_MONTHS)
        if not shown:
            continue
        month, value = shown[-1]
        bound = series.target.minimum if series.target.minimum is not None else series.target.maximum
        rows.append(
            KpiRow(
                kpi=series.kpi,
                month=month_label(month, t),
                value=format_kpi(series.kpi, value, t),
                target=target_text(series.kpi, series.target, t),
                met=series.target.met(value),
                derived=month in series.derived,
                spark=tr.sparkline([v for _, v in shown], target=bound),
                history="; ".join(
                    f"{month_label(m, t)} : {format_kpi(series.kpi, v, t)}"
                    if t.language == "fr"
                    else f"{month_label(m, t)}: {format_kpi(series.kpi, v, t)}"
                    for m, v in shown
                ),
            )
        )
    return rows


def period_label(label: str, t: Translator) -> str:
    """'2026-W44' -> 'semaine du 26 octobre 2026'; '2026-10-27' -> '27 octobre 2026'."""
    if "-W" in label:
        year, week = label.split("-W")
        return t("transparency.week_of", date=t.date(date.fromisocalendar(int(year), int(week), 1)))
    return t.date(date.fromisoformat(label))


def monitoring_data(monitoring: tr.Monitoring, t: Translator) -> dict[str, Any]:
    sources = sorted(monitoring.sources.values(), key=lambda s: (tr.FEED_KINDS.index(s.kind), s.name))
    spikes = monitoring.spikes
    spiking = {s.period for s in spikes}
    weeks = [
        {
            "label": period_label(label, t),
            "counts": [row.get(source.id, 0) for source in sources],
            "total": sum(row.values()),
            "spike": label in spiking,
        }
        for label, _, row in monitoring.weekly()[-MONITORING_WEEKS:]
    ]
    weeks.reverse()  # newest first
    names = {source.id: source.name for source in sources}
    return {
        "sources": sources,
        "weeks": weeks,
        "spikes": [
            {
                "period": period_label(s.period, t),
                "source": names.get(s.source, t("transparency.all_sources")),
                "count": s.count,
                "baseline": number(s.baseline, t.language, 0 if float(s.baseline).is_integer() else 1),
                "factor": number(s.count / s.baseline, t.language, 1) if s.baseline else None,
            }
            for s in spikes[:SPIKES_SHOWN]
        ],
        "latest": [i for i in monitoring.items if not i.hidden][:LATEST_ITEMS],
        "names": names,
        "months": [month_label(m.month, t) for m in monitoring.months],
    }


def prose(text: str, t: Translator) -> str:
    """The team's own words (an explanation) with the spaces the site's typography wants (French: before ':')."""
    return french_spacing(text) if t.language == "fr" else text


def uptime_figures(page: StatusPage, component_id: str, t: Translator) -> tuple[str, str] | None:
    """("Measured uptime: 99.95% over 30 days, 99.98% over 90 days", the 90 days' figure) for a measured
    component (rounded down: downtime never shows as 100 %); None when the monitors do not measure it."""
    uptime = page.transparency.uptime if page.transparency is not None else None
    if uptime is None or not uptime.measured(component_id):
        return None
    today = page.local_date(page.now)
    shown = {}
    for days in (30, 90):
        figure = uptime.last_days(component_id, today, days)
        shown[days] = number(float(figure.text()), t.language, 2) if figure is not None else "—"
    return t("uptime.figures", d30=shown[30], d90=shown[90]), shown[90]


def uptime_data(page: StatusPage, data: tr.Transparency, t: Translator) -> dict[str, Any]:
    """Measured uptime per component and quarter, against the component's `uptime_target`, in words;
    and the downtime the team explained without an incident."""
    rows = []
    for component in page.components:
        for year, quarter, figure in data.uptime.quarters(component.id):
            target = component.uptime_target
            value = float(figure.text(3))
            rows.append(
                {
                    "component": component.name,
                    "quarter": t("transparency.quarter", q=quarter, year=year),
                    "uptime": t("uptime.percent", value=number(value, t.language, 3)),
                    "target": t(
                        "uptime.percent", value=number(target, t.language, len(f"{target:g}".partition(".")[2]))
                    )
                    if target is not None
                    else "",
                    "met": None if target is None else value >= target,
                }
            )
    names = {c.id: c.name for c in page.components}
    explained = [
        t(
            "uptime.explained_item",
            component=names.get(e.component, e.component),
            date=t.date(e.period.start),
            reason=prose(e.reason, t),
        )
        for e in data.uptime.explanations
        if e.period.start <= page.now
    ]
    return {"rows": rows, "explained": explained}


class Renderer(Protocol):
    """What this page needs of the page renderer (`balise.outputs.pages.SiteRenderer`, a layer above)."""

    @property
    def page(self) -> StatusPage: ...

    @property
    def t(self) -> Translator: ...

    def render(self, template: str, path: str, **data: Any) -> str: ...


def transparency_pages(renderer: Renderer) -> Iterator[tuple[str, str]]:
    """Yield the transparency page for `SiteRenderer.pages()`."""
    page, t = renderer.page, renderer.t
    data = page.transparency if page.transparency is not None else tr.Transparency()
    quarters = accountability.quarterly(page.incidents, page.settings.timezone, page.now)
    yield (
        PATH + "index.html",
        renderer.render(
            "transparency.html",
            PATH,
            quarters=quarters,
            kpis=kpi_rows(data, t),
            monitoring=monitoring_data(data.monitoring, t),
            testimonials=data.testimonials,
            uptime=uptime_data(page, data, t),
            percent=lambda share: t("transparency.kpi_format.percent", value=number(share * 100, t.language)),
        ),
    )
