"""`balise import statuspage|cstate|feed`: another status page's history, as balise files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from balise.cli.context import Site, config_option, pass_site
from balise.content.version import clock_time
from balise.errors import one_line
from balise.i18n import catalog
from balise.importers import cstate, feed, statuspage
from balise.importers.records import Imported, SourceError
from balise.importers.sources import Limits
from balise.importers.writing import Plan, Target, plan
from balise.mkdocs_adapter.project import shown

SYSTEMS = {"statuspage": "Statuspage", "cstate": "cState", "feed": "the feed"}
ACTIONS = {
    "new": "wrote",
    "updated": "updated",
    "merged": "added to",
    "unchanged": "unchanged",
    "kept": "left as edited",
}
DRY_ACTIONS = {"new": "would write", "updated": "would update", "merged": "would add to"}


@click.group("import")
def import_() -> None:
    """Import another status page's components and history (Statuspage, cState, any Atom/RSS feed).

    Writes status/components.yml and incidents/*.md; review them, run balise check, then commit.
    A re-import updates what it wrote, and leaves alone a file changed by hand since."""


def common(function: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(
        (
            config_option,
            click.option(
                "--dry-run", is_flag=True, help="Read the source and say what would be written; write nothing."
            ),
            click.option(
                "--ids",
                "ids_file",
                type=click.Path(dir_okay=False, exists=True),
                help="A YAML file of ids to use: 'source id or name: balise-id', one per line.",
            ),
            click.option(
                "--timeout", type=float, default=None, help="Seconds allowed per document (default: feed_timeout, 10)."
            ),
            click.option(
                "--max-bytes",
                type=int,
                default=None,
                help="Largest document accepted (default: feed_max_bytes, 5 MiB).",
            ),
        )
    ):
        function = option(function)
    return function


@import_.command("statuspage")
@click.argument("source")
@click.option(
    "--full-history", is_flag=True, help="Also read every incident from the manage API (key in $STATUSPAGE_API_KEY)."
)
@click.option("--api-url", default=statuspage.MANAGE_API, show_default=True, help="The manage API's address.")
@common
@pass_site
def statuspage_command(site: Site, /, source: str, full_history: bool, api_url: str, **options: Any) -> None:
    """Import an Atlassian Statuspage page: SOURCE is its address or a folder of saved API v2 documents."""
    run(site, lambda limits, _: statuspage.read(source, limits, full_history, api_url), **options)


@import_.command("cstate")
@click.argument("directory")
@common
@pass_site
def cstate_command(site: Site, /, directory: str, **options: Any) -> None:
    """Import a cState (Hugo) site: DIRECTORY holds its config.yml and content/issues/."""
    run(
        site,
        lambda limits, language: cstate.read(directory, limits, catalog(language)["import_closing_update"]),
        **options,
    )


@import_.command("feed")
@click.argument("source")
@common
@pass_site
def feed_command(site: Site, /, source: str, **options: Any) -> None:
    """Import a history feed (Atom or RSS): SOURCE is its address or a saved file. Best effort."""
    run(site, lambda limits, _: feed.read(source, limits), **options)


def run(
    site: Site,
    read: Callable[[Limits, str], Imported],
    dry_run: bool,
    ids_file: str | None,
    timeout: float | None,
    max_bytes: int | None,
) -> None:
    project = site.project
    config, settings = project.plugin.config, project.settings
    limits = Limits(
        float(timeout if timeout is not None else config.feed_timeout),
        max_bytes if max_bytes is not None else config.feed_max_bytes,
    )
    target = Target(
        project.plugin.status_dir,
        project.plugin.incidents_dir,
        settings.timezone,
        settings.language,
        clock_time(),
        _renames(ids_file),
    )
    try:
        imported = read(limits, settings.language)
        result = plan(imported, target)
    except SourceError as error:
        raise click.ClickException(one_line(f"{error}; nothing was written")) from None
    if not dry_run:
        result.write()
    _summary(imported, result, dry_run)


def _renames(path: str | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise click.ClickException(one_line(f"{path}: cannot be read ({error})")) from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: write one 'source id or name: balise-id' per line")
    return {str(key): str(value) for key, value in data.items()}


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _summary(imported: Imported, result: Plan, dry_run: bool) -> None:
    counts = result.counts
    click.echo(
        f"From {SYSTEMS[imported.system]} ({imported.source}): {_count(counts['components'], 'component')} in "
        f"{_count(counts['groups'], 'group')}, {_count(counts.get('incidents', 0), 'incident')}, "
        f"{counts.get('maintenance', 0)} maintenance, {_count(counts['updates'], 'update')}."
    )
    for planned in result.files:
        action = (DRY_ACTIONS if dry_run else {}).get(planned.action) or ACTIONS[planned.action]
        why = " (changed by hand since it was imported: not overwritten)" if planned.action == "kept" else ""
        click.echo(f"  {action}: {shown(planned.path)}{why}")
    notes = [(shown(p.path), note) for p in result.files for note in p.notes]
    if notes or result.notes:
        click.echo("Not mapped as it was (check these):")
        for note in result.notes:
            click.echo(f"  {one_line(note)}")
        for where, note in notes:
            click.echo(f"  {where}: {one_line(note)}")
    for what, why in result.failed:
        click.echo(f"warning: not imported: {one_line(what)}: {one_line(why)}", err=True)
    if not dry_run:
        click.echo("Review the files, run balise check, then commit.")


# `balise.cli.main` finds a command by its name, and `import` is a Python keyword.
globals()["import"] = import_
