"""`balise ingest` and `balise testimonial add`: the transparency page's commands."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from balise.cli.context import Site, config_option, pass_site, say_written, write_checked
from balise.content import transparency as tr
from balise.content.authoring import slugify
from balise.content.version import clock_time
from balise.errors import Collector, one_line
from balise.mkdocs_adapter.project import shown
from balise.transparency.ingest import FeedSpec, IngestOptions, ingest as run_ingest, slug, spec_for_url
from balise.transparency.loaders import load_testimonial


@click.command()
@config_option
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option(
    "--kind",
    type=click.Choice(tr.FEED_KINDS),
    default="mentions",
    show_default=True,
    help="What the feeds given as URLs carry.",
)
@click.option("--timeout", type=float, default=None, help="Seconds allowed per feed (default: feed_timeout, 10).")
@click.option("--max-bytes", type=int, default=None, help="Largest feed accepted (default: feed_max_bytes, 5 MiB).")
@click.option("--dry-run", is_flag=True, help="Read the feeds and report, but write nothing.")
@pass_site
def ingest(
    site: Site, urls: tuple[str, ...], kind: str, timeout: float | None, max_bytes: int | None, dry_run: bool
) -> None:
    """Read the monitoring feeds and update status/monitoring/YYYY-MM.yml.

    Without URL, reads the feeds listed under monitoring_feeds in mkdocs.yml; with URLs, only those.
    Review the written files, then commit them: the site shows only committed summaries.
    Exit status: 0 if at least one feed was read, 1 if none could be."""
    project = site.project
    config = project.plugin.config
    configured = [FeedSpec(slug(feed.name), feed.name, feed.url, feed.kind) for feed in config.monitoring_feeds]
    if urls:
        by_url = {spec.url: spec for spec in configured}
        specs = [by_url.get(url) or spec_for_url(url, kind) for url in urls]
    else:
        specs = configured
    if not specs:
        raise click.ClickException(
            f"{shown(Path(project.config.config_file_path))}: no feeds to read — list them under "
            "'monitoring_feeds:' in the balise plugin's options (name, url, kind), or give URLs: balise ingest URL..."
        )
    options = IngestOptions(
        zone=project.settings.timezone,
        now=clock_time(),
        period=config.monitoring_period,
        spike_factor=float(config.spike_factor),
        spike_window=config.spike_window,
        spike_min=config.spike_min,
        timeout=float(timeout if timeout is not None else config.feed_timeout),
        max_bytes=max_bytes if max_bytes is not None else config.feed_max_bytes,
    )
    report = Collector(project.root)
    result = run_ingest(specs, project.plugin.status_dir / "monitoring", options, report, dry_run=dry_run)
    for feed in result.feeds:
        if feed.error:
            click.echo(f"warning: {feed.spec.name} ({feed.spec.url}) {feed.error}", err=True)
        else:
            click.echo(f"{feed.spec.name}: {feed.items} items, {feed.new} new", err=True)
    for spike in result.new_spikes:
        what = "all mentions and reviews" if spike.source == "all" else spike.source
        click.echo(
            f"warning: spike: {spike.count} items for {what} in {spike.period}, against a usual {spike.baseline:g} "
            f"(over {spike.factor:g}×) — read them; if a service is affected, open an incident: "
            'balise new --title "..." --impact minor --component ID --message "..."',
            err=True,
        )
    say_written(result.written, result.read_any, dry_run, "no feed could be read")


@click.group()
def testimonial() -> None:
    """Testimonials shown on the transparency page."""


def parse_attribution(value: str) -> dict[str, str] | str:
    text = value.strip()
    if text.lower() in ("anonymous", "anonyme"):
        return "anonymous"
    kind, sep, author = text.partition(":")
    if sep and kind.strip().lower() in ("name", "initials", "nom", "initiales") and author.strip():
        return {kind.strip().lower(): author.strip()}
    raise click.BadParameter(
        "write 'anonymous', 'initials:M. L.' or 'name:Marie Lefèvre' — as the person agreed", param_hint="--attribution"
    )


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def testimonial_text(
    *,
    quote: str,
    attribution: dict[str, str] | str,
    relationship: str,
    given_on: str,
    source: str,
    consent_date: str,
    consent_how: str,
    language: str = "",
    source_url: str = "",
    context: str = "",
    published: bool = True,
) -> str:
    paragraphs = [" ".join(p.split()) for p in quote.replace("\r\n", "\n").split("\n\n") if p.strip()]
    lines = ["quote: |-"]
    for index, paragraph in enumerate(paragraphs):
        if index:
            lines.append("")
        lines.append("  " + paragraph)
    if isinstance(attribution, dict):
        ((kind, author),) = attribution.items()
        kind = {"nom": "name", "initiales": "initials"}.get(kind, kind)
        lines.append(f"attribution: {{{kind}: {_q(author)}}}")
    else:
        lines.append("attribution: anonymous")
    lines += [f"relationship: {_q(relationship)}", f"date: {given_on}", f"source: {_q(source)}"]
    if source_url:
        lines.append(f"source_url: {_q(source_url)}")
    if language:
        lines.append(f"language: {_q(language)}")
    if context:
        lines.append(f"context: {_q(context)}")
    lines += [
        "consent:",
        f"  date: {consent_date}",
        f"  how: {_q(consent_how)}",
        f"published: {'true' if published else 'false'}",
    ]
    return "\n".join(lines) + "\n"


def _iso_date(value: str, option: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise click.BadParameter(
            f"'{one_line(value)}' is not a date — write it as YYYY-MM-DD, e.g. 2026-11-05", param_hint=option
        ) from None


@testimonial.command("add")
@config_option
@click.option("--quote", required=True, help="The person's words, as plain text (blank lines separate paragraphs).")
@click.option("--attribution", required=True, help="anonymous, initials:M. L. or name:Marie Lefèvre — as agreed.")
@click.option("--relationship", required=True, help="beneficiary, partner, client, volunteer, donor, employee, other.")
@click.option(
    "--source", required=True, help="survey, review_site, letter, email, interview, social_media, event, other."
)
@click.option("--consent-date", default=None, help="When the person agreed to publication (YYYY-MM-DD). Required.")
@click.option(
    "--consent-how", default=None, help="How: written_form, email, online_form, recorded_oral, other. Required."
)
@click.option("--date", "given_on", default=None, help="When the testimonial was given (default: today).")
@click.option("--language", default="", help="Language of the quote, e.g. fr or en (default: the site's).")
@click.option("--source-url", default="", help="Where it was published, e.g. the review's address.")
@click.option("--context", default="", help="A few words shown after the attribution, e.g. 'bénéficiaire depuis 2024'.")
@click.option("--unpublished", is_flag=True, help="Record it without showing it (published: false).")
@pass_site
def testimonial_add(
    site: Site,
    quote: str,
    attribution: str,
    relationship: str,
    source: str,
    consent_date: str | None,
    consent_how: str | None,
    given_on: str | None,
    language: str,
    source_url: str,
    context: str,
    unpublished: bool,
) -> None:
    """Write a new testimonial file in content/testimonials/ and print its path."""
    if not consent_date or not consent_how:
        raise click.ClickException(
            "refusing to write: a testimonial is published only with the person's consent — give --consent-date "
            "(YYYY-MM-DD) and --consent-how (written_form, email, online_form, recorded_oral, other)"
        )
    consent_date = _iso_date(consent_date, "--consent-date")
    project = site.project
    author = parse_attribution(attribution)
    today = clock_time().astimezone(project.settings.timezone).date()
    given_on = _iso_date(given_on, "--date") if given_on else today.isoformat()
    language = language or project.settings.language  # recorded, so the quote keeps its language if the site's changes
    text = testimonial_text(
        quote=quote,
        attribution=author,
        relationship=relationship,
        given_on=given_on,
        source=source,
        consent_date=consent_date,
        consent_how=consent_how,
        language=language,
        source_url=source_url,
        context=context,
        published=not unpublished,
    )
    who = next(iter(author.values())) if isinstance(author, dict) else "anonyme"
    stem = f"{given_on}-{slugify(relationship + ' ' + who)}"
    folder = project.plugin.docs_dir / "testimonials"
    path, counter = folder / f"{stem}.yml", 2
    while path.exists():
        path, counter = folder / f"{stem}-{counter}.yml", counter + 1
    write_checked(path, text, lambda trial, report: load_testimonial(trial, report, today))
    click.echo(shown(path))
