"""The whole build: MkDocs (with the balise plugin, which runs `balise.pipeline.stages`) into a fresh
folder, swapped in at the end (`pipeline.write.staged`); or, when nothing MkDocs reads changed,
balise's pipeline alone, updating the last site where it stands (`pipeline.write.in_place`).

A build that fails part-way leaves the previous site exactly as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import jinja2
from mkdocs.commands.build import build as mkdocs_build

from balise.errors import ContentError, Problem, one_line, show_problems
from balise.mkdocs_adapter.project import Project, shown
from balise.pipeline.stages import template_problem
from balise.pipeline.write import DiscardedError, in_place, remove_detached, staged

# Every site balise builds has this file: a folder without it is somebody's, not a previous build.
BUILT_BY_BALISE = "api/v2/summary.json"


def build_site(project: Project) -> Path:
    """MkDocs's build with balise's pipeline in it, into a fresh folder swapped in at the end; when
    nothing MkDocs reads changed since the last build (the build cache says so), its files are
    kept and only balise's pipeline runs, updating the last site in place."""
    config = project.config
    plugin = project.plugin
    target = Path(config.site_dir).resolve()
    refuse_unsafe_target(target, project)
    cache = plugin.cache
    if cache is not None and (warning := cache.warning()) is not None:
        show_problems([warning])
    try:
        built, record = False, plugin.last_mkdocs_build()
        if record is not None and cache is not None:
            with in_place(target, cache) as site:
                built = plugin.build_without_mkdocs(site, record)
                if not built:  # the theme's files cannot all be kept: MkDocs builds afresh
                    raise DiscardedError
        if not built:
            with staged(target, remove_detached) as staging:
                config.site_dir = str(staging.root)
                with mkdocs_messages(project.root):
                    mkdocs_build(config)
    except jinja2.TemplateError as error:  # in a template of the theme's own pages (custom_dir)
        raise ContentError([Problem.from_text(template_problem(error, project.root))], project.root) from None
    finally:
        config.site_dir = str(target)
    if cache is not None:
        cache.save()
    return target


@contextmanager
def mkdocs_messages(root: Path) -> Iterator[None]:
    """MkDocs's warnings and errors during the build (a plugin's error among them, written
    `path:line: message`) are shown as balise shows its problems: annotations in GitHub Actions too."""

    class Show(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            severity = "error" if record.levelno >= logging.ERROR else "warning"
            lines = record.getMessage().splitlines() or [""]
            show_problems([Problem.from_text(one_line(line), severity) for line in lines], root)

    logger, handler = logging.getLogger("mkdocs"), Show(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def summarise_for_github(project: Project) -> None:
    """In GitHub Actions, the run's page says what went live (GITHUB_STEP_SUMMARY); a summary that
    cannot be written is a warning: the site itself was built."""
    from balise.outputs.step_summary import step_summary_file, write_step_summary

    path = step_summary_file()
    plugin = project.plugin
    if path is None or plugin.renderer is None:
        return
    try:
        write_step_summary(
            path, plugin.renderer.page, project.root, plugin.incidents_dir, plugin.repo_url, plugin.shown_as_of
        )
    except OSError as error:
        show_problems(
            [
                Problem(
                    "",
                    0,
                    f"GITHUB_STEP_SUMMARY: cannot write {path} ({error.strerror}) — "
                    "the site was built; no summary was added to the run's page",
                    "warning",
                )
            ]
        )


def refuse_unsafe_target(target: Path, project: Project) -> None:
    """The build replaces its target folder whole: never one that holds the site's sources, a file,
    or a folder of other files (`-d incidents` or `-d .git` would otherwise delete them)."""
    where = shown(target)
    sources = {
        "git's history": project.root / ".git",
        "mkdocs.yml": Path(project.config.config_file_path),
        "the pages": Path(project.config.docs_dir),
        "the status files": project.plugin.status_dir,
        "the incidents": project.plugin.incidents_dir,
    }
    for what, source in sources.items():  # the site's own folder may hold the target (site/), not these
        source = source.resolve()
        if source.is_relative_to(target) or target.is_relative_to(source):
            raise click.ClickException(
                f"{where}: holds {what} — the build would replace it; build into another folder, e.g. -d site"
            )
    if target.exists() and not target.is_dir():
        raise click.ClickException(f"{where}: is a file, not a folder — choose a folder for the site, e.g. -d site")
    if target.is_dir() and any(target.iterdir()) and not (target / BUILT_BY_BALISE).is_file():
        raise click.ClickException(
            f"{where}: is not a site balise built, and the build would replace all it "
            "holds — choose a new or empty folder, or delete this one first"
        )
