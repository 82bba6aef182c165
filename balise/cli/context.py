"""What the commands share: the site they work on, as click's context object, the options that say
where it is, writing a file only once a scratch copy of it reads back clean, and how a command that
reads sources into summary files (ingest, uptime) says what it wrote."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from balise.content.authoring import write_atomically
from balise.errors import Collector

if TYPE_CHECKING:  # MkDocs is imported only by a command that opens the site with it (`Site`)
    from balise.mkdocs_adapter.project import Project
    from balise.pipeline.unchanged import Built


class Site:
    """The site a command works on (click's context object, as in click's "complex" example): the
    options common to the commands, and the site opened from them when a command first needs it.

    The one place the CLI imports balise's MkDocs adapter inside a function: importing MkDocs takes
    longer than a build that needs no MkDocs (`balise build`, `pipeline.unchanged`)."""

    def __init__(self) -> None:
        self.config_file: str | None = None
        self.site_dir: str | None = None
        self.strict = False
        self._project: Project | None = None

    @property
    def project(self) -> Project:
        """mkdocs.yml loaded and the balise plugin prepared (content is loaded by each command)."""
        if self._project is None:
            from balise.mkdocs_adapter.project import open_project

            self._project = open_project(self.config_file, self.site_dir, self.strict)
        return self._project

    def build_with_mkdocs(self) -> Built:
        """The site built by MkDocs, with balise's pipeline in it."""
        from balise.mkdocs_adapter.build import build_project

        return build_project(self.project)


pass_site = click.make_pass_decorator(Site, ensure=True)


def _on_site(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """Keep an option's value on the site rather than pass it to the command."""
    assert param.name is not None
    setattr(ctx.ensure_object(Site), param.name, value)


config_option = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Path to mkdocs.yml (default: ./mkdocs.yml).",
    expose_value=False,
    callback=_on_site,
)
site_dir_option = click.option(
    "-d",
    "--site-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the site (default: site/).",
    expose_value=False,
    callback=_on_site,
)
strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings as errors.", expose_value=False, callback=_on_site
)


def write_checked(path: Path, text: str, read_back: Callable[[Path, Collector], object]) -> None:
    """Write `text` to `path` only if `read_back`, reading a scratch copy of it as the build would,
    reports no error: a command never leaves a broken file behind, nor one the next command refuses."""
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / path.name
        trial.write_text(text, encoding="utf-8")
        report = Collector(Path(scratch))
        read_back(trial, report)
        if report.errors:
            raise click.ClickException("refusing to write: " + "; ".join(p.message for p in report.errors))
    write_atomically(path, text)


def say_written(written: Iterable[Path], read_any: bool, dry_run: bool, none_read: str) -> None:
    """The summary files written (on stdout), or those a dry run would write (on stderr), then what
    to do with them; exits 1 with `none_read` when no source could be read (nothing was written)."""
    from balise.mkdocs_adapter.project import shown

    written = list(written)
    for path in written:
        if dry_run:
            click.echo(f"would write {shown(path)} (dry run: nothing written)", err=True)
        else:
            click.echo(shown(path))
    if written and not dry_run:
        click.echo("Review the summaries above, then commit them to publish.", err=True)
    elif not written and read_any:
        click.echo("Nothing new.", err=True)
    if not read_any:
        click.echo(f"error: {none_read} — nothing was written", err=True)
        sys.exit(1)
