"""`check` and `status`: the site's content read, and what it says reported."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from balise.cli.context import Site, config_option, pass_site
from balise.cli.uptime import honesty
from balise.content.playbooks import load_playbooks
from balise.content.publishing import publish, writer_warnings
from balise.content.version import clock_time
from balise.errors import Collector, show_problems
from balise.i18n import Translator
from balise.mkdocs_adapter.project import load_checked
from balise.pipeline.stages import apply_amendments


@click.command()
@config_option
@pass_site
def check(site: Site) -> None:
    """Validate all content; print each problem as path:line: message."""
    project = site.project
    report = Collector(project.root)
    content = project.load(report)
    now = project.settings.written_by or clock_time(project.plugin.config.as_of)
    load_playbooks(project.plugin.playbooks_dir, report, {c.id for c in content.components})
    if not report.errors and project.plugin.sources is not None:  # what git history says was public, and is gone
        # What the last build read of git's log and walked, brought up to date here and not kept.
        memo = project.plugin.cache.log_memo() if project.plugin.cache is not None else None
        content, warning = apply_amendments(project.plugin.sources, content, report, memo)
        report.problems.extend([warning] if warning else [])
    information: list[str] = []
    if not report.errors:
        writer_warnings(content, project.plugin.incidents_dir, project.settings.timezone, now, report)
        information = honesty(project, content, now, report)  # measured downtime against the incidents
    show_problems(report.problems, report.root)
    for line in information:
        click.echo(line, err=True)
    if report.errors:
        sys.exit(1)
    published = sum(1 for i in content.incidents if i.is_published(now))
    click.echo(
        f"{_count(len(content.components), 'component')}, {_count(published, 'published incident')}, no errors.",
        err=True,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@click.command()
@config_option
@pass_site
def status(site: Site) -> None:
    """Print the overall status, the components and the open incidents."""
    project = site.project
    content, _ = load_checked(project)
    # The clock (or SOURCE_DATE_EPOCH), not the commit's time.
    settings = replace(project.settings, now=clock_time(project.plugin.config.as_of))
    page = publish(content, settings)
    t = Translator(settings.language, settings.timezone)
    click.echo(f"{t('overall_status.' + page.overall_status)}  [{page.overall_status}]")
    for component in page.components:
        state = page.component_status[component.id]
        click.echo(f"  {component.name:<40} {t('component_status.' + state)}")
    # Late promises first: those are the ones to answer now.
    current = sorted(page.open_incidents + page.active_maintenance, key=lambda i: not i.is_overdue(page.now))
    for incident in current:
        overdue = " — " + t("overdue_short") if incident.is_overdue(page.now) else ""
        click.echo(f"\n{incident.id}: {incident.title}{overdue}")
        click.echo(f"  {t('update_status.' + incident.status)} · {t.datetime(incident.latest.at)}")
        promise = incident.promised_update(page.now)
        if promise:
            click.echo(f"  {t.html('next_update_expected', time=t.datetime(promise)).unescape()}")
    for incident in page.upcoming_maintenance:
        assert incident.scheduled_for is not None  # upcoming: scheduled
        click.echo(f"\n{incident.id}: {incident.title} ({t.datetime(incident.scheduled_for)})")
