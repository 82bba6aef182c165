"""`balise uptime`, and what `balise check` says of measured uptime (the honesty check)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from balise.cli.context import Site, config_option, pass_site, say_written
from balise.content import uptime as up
from balise.content.loaders import Content
from balise.content.version import clock_time
from balise.errors import Collector, show_problems
from balise.mkdocs_adapter.project import Project, shown
from balise.timeline import TimeError, parse_time
from balise.uptime.config import check_sources
from balise.uptime.sources import MonitorSpec, SourceSpec
from balise.uptime.summary import run


def source_specs(project: Project, timeout: float, max_bytes: int) -> list[SourceSpec]:
    return [
        SourceSpec(
            name=source.name,
            kind=source.kind,
            url=source.url,
            path=str(project.root / source.path) if source.path else "",
            slug=source.slug,
            step=source.step,
            days=source.days,
            token=source.token or "",
            monitors=tuple(MonitorSpec(m.component, m.name, m.query) for m in source.monitors),
            timeout=timeout,
            max_bytes=max_bytes,
        )
        for source in project.plugin.config.uptime_sources
    ]


def config_problems(project: Project, content: Content, report: Collector) -> None:
    config_path = Path(project.config.config_file_path)
    check_sources(config_path, list(project.plugin.config.uptime_sources), {c.id for c in content.components}, report)


@click.command()
@config_option
@click.option("--at", "at", default=None, help="The moment to read up to (ISO 8601; default: now).")
@click.option("--timeout", type=float, default=None, help="Seconds allowed per answer (default: feed_timeout, 10).")
@click.option("--max-bytes", type=int, default=None, help="Largest answer accepted (default: feed_max_bytes, 5 MiB).")
@click.option("--dry-run", is_flag=True, help="Read the monitors and report, but write nothing.")
@pass_site
def uptime(site: Site, at: str | None, timeout: float | None, max_bytes: int | None, dry_run: bool) -> None:
    """Read the monitors and update the daily summaries in status/uptime/YYYY-MM.yml.

    Reads the sources listed under uptime_sources in mkdocs.yml (Upptime, Gatus, Uptime Kuma,
    Prometheus). Review the written files, then commit them: the site shows only committed summaries.
    Exit status: 0 if at least one source was read, 1 if none could be."""
    project = site.project
    config = project.plugin.config
    report = Collector(project.root)
    content = project.load(report)
    config_problems(project, content, report)
    if report.errors:
        show_problems(report.errors, report.root)
        sys.exit(1)
    specs = source_specs(
        project,
        float(timeout if timeout is not None else config.feed_timeout),
        max_bytes if max_bytes is not None else config.feed_max_bytes,
    )
    if not specs:
        raise click.ClickException(
            f"{shown(Path(project.config.config_file_path))}: no uptime sources — list them under 'uptime_sources:' "
            "in the balise plugin's options (name, kind, url, monitors: component and name); see the README"
        )
    try:
        now = parse_time(at, project.settings.timezone) if at else clock_time()
    except TimeError as error:
        raise click.BadParameter(str(error), param_hint="--at") from None
    result = run(
        specs, project.plugin.status_dir / "uptime", project.settings.timezone, now, Collector(project.root), dry_run
    )
    for source in result.sources:
        if source.error:
            click.echo(f"warning: {source.spec.name} ({source.spec.kind}) {source.error}", err=True)
            continue
        for warning in source.warnings:
            click.echo(f"warning: {warning}", err=True)
        notes = "; ".join(f"{t.monitor.component}: {t.note}" for t in source.tracks if t.note)
        click.echo(
            f"{source.spec.name}: {len(source.tracks)} monitors, {source.days} days new or more complete"
            + (f" ({notes})" if notes else ""),
            err=True,
        )
    say_written(result.written, result.read_any, dry_run, "no source could be read")


# -- balise check ------------------------------------------------------------------------
def honesty(project: Project, content: Content, now: datetime, report: Collector) -> list[str]:
    """Warnings (to `report`) for measured downtime no published incident covers, and errors for the
    sources' configuration; returns the information lines (major incidents with no downtime measured)."""
    config_problems(project, content, report)
    measured = content.transparency.uptime if content.transparency is not None else up.Uptime()
    if not measured.days:
        return []
    zone = project.settings.timezone
    threshold = float(project.plugin.config.uptime_threshold)
    names = {c.id: c.name for c in content.components}
    for gap in up.gaps(measured, up.published_windows(content.incidents, now), zone, threshold):
        where = shown(Path(gap.path))
        if gap.period is not None:
            start, end = gap.period.start.astimezone(zone), gap.period.end.astimezone(zone)
            span = (
                f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
                if start.date() == end.date()
                else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
            )
            when = f"{span} ({zone})"
        else:
            when = f"{gap.day.isoformat()} (the source gives minutes per day, not their times)"
        report.warning(
            gap.path,
            gap.line,
            f"monitors saw {round(gap.minutes)} min down on {gap.component} ({names.get(gap.component, '')}) on {when}; "
            f"no incident covers it — publish one, or record why under 'explained:' in {where} "
            "(component, from, until, reason: a false alarm, the monitor's own outage…)",
        )
    lines = []
    for incident, component in up.unmeasured_incidents(measured, content.incidents, now, zone):
        lines.append(
            f"{shown(Path(incident.path))}:{incident.first.line}: info: {incident.impact} impact on {component}, "
            "but the monitors measured no downtime then — check that they watch what the public uses"
        )
    return lines
