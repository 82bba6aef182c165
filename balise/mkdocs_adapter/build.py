"""The whole build: MkDocs (with the balise plugin, which runs `balise.pipeline.stages`) into a fresh
folder, swapped in at the end (`pipeline.write.staged`); or, when nothing MkDocs reads changed,
balise's pipeline alone, updating the last site where it stands (`pipeline.write.in_place`). What
the plugin derived from mkdocs.yml is kept in the build cache, so the next build may not need
MkDocs loaded at all (`pipeline.unchanged`).

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

from balise.errors import ContentError, Problem, show_problems
from balise.mkdocs_adapter.plugin import log
from balise.mkdocs_adapter.project import Project, load_checked, shown
from balise.pipeline.stages import template_problem
from balise.pipeline.unchanged import BUILT_BY_BALISE, Built, remember, say
from balise.pipeline.write import in_place, remove_detached, staged


def build_project(project: Project) -> Built:
    """The content checked, the record in git history read (a published statement removed is refused
    before anything is built), then the site built (`build_site`)."""
    load_checked(project)
    project.plugin.read_history()
    target = build_site(project)
    plugin = project.plugin
    assert plugin.renderer is not None, "a site built has its renderer"
    return Built(target, plugin.renderer.page, project.root, plugin.incidents_dir, plugin.repo_url, plugin.shown_as_of)


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
    said: list[tuple[str, str]] | None = []  # what MkDocs itself warned, None: not known
    try:
        record, reused = plugin.last_mkdocs_build(), False
        before = _said_before(project)  # what MkDocs warned at the build whose files are reused
        with mkdocs_messages(project.root, said):
            if record is not None and cache is not None:
                with in_place(target, cache) as site:
                    if not plugin.build_without_mkdocs(site, record, before or []):
                        site.discard()  # the theme's files cannot all be kept: MkDocs builds afresh
                reused = not site.discarded
            if not reused:
                with staged(target, remove_detached) as staging:
                    config.site_dir = str(staging.root)
                    mkdocs_build(config)
        if reused:
            said = before
    except jinja2.TemplateError as error:  # in a template of the theme's own pages (custom_dir)
        raise ContentError([Problem.from_text(template_problem(error, project.root))], project.root) from None
    finally:
        config.site_dir = str(target)
    if cache is not None:
        if project.key is not None and said is not None:
            cache.fresh.prepared = plugin.prepared(project.key, said)
        cache.save()
        remember(Path(config.config_file_path), project.site_dir_option, cache)
    return target


def _said_before(project: Project) -> list[tuple[str, str]] | None:
    """What MkDocs warned in the build whose files were taken from the last site (None: not known)."""
    cache = project.plugin.cache
    last = cache.previous.prepared if cache is not None else None
    return last.said if last is not None and last.mkdocs_key == project.plugin.mkdocs_key else None


@contextmanager
def mkdocs_messages(root: Path, said: list[tuple[str, str]] | None = None) -> Iterator[list[tuple[str, str]] | None]:
    """MkDocs's warnings and errors during the build (a plugin's error among them, written
    `path:line: message`) are shown as balise shows its problems: annotations in GitHub Actions too.
    Those of MkDocs itself (not balise's) are added to `said`, to be said again by a build without it."""

    class Show(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            severity = "error" if record.levelno >= logging.ERROR else "warning"
            lines = [(severity, line) for line in record.getMessage().splitlines() or [""]]
            if said is not None and not record.name.startswith(log.name):
                said.extend(lines)
            say(lines, root)

    logger, handler = logging.getLogger("mkdocs"), Show(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)


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
