"""A build that needs no MkDocs at all: mkdocs.yml, and everything else MkDocs reads, as they were at
the last successful build.

What the balise plugin derived from mkdocs.yml (`cache.Prepared`) is kept in the build cache, under
a key made of what it was derived from: the bytes of mkdocs.yml and of the files it `INHERIT`s, the
values of the environment variables it names with `!ENV`, the command's -f, -d and --strict. When
that key matches, and so does the fingerprint of what MkDocs reads (`mkdocs_key`), `build` runs
balise's stages alone with the theme's files taken from the last site, as the MkDocs adapter does
when MkDocs need not build again (`write_with_last_theme`), and says what MkDocs said then; else it
returns None and the command takes the MkDocs path. A small index (`configs/` in the cache's home)
finds the cache folder, which is keyed on the site's folder and its output folder, from -f and -d.

Never imports MkDocs (nor the MkDocs adapter): that is its point.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from balise.content.model import Settings, StatusPage
from balise.content.version import SourceVersion, reference_time, source_date_epoch, source_version
from balise.errors import Collector, ContentError, Problem, one_line, show_problems
from balise.outputs.pages import NavLink, SiteRenderer
from balise.pipeline import stages
from balise.pipeline.cache import (
    BALISE,
    BuildCache,
    MkDocsRecord,
    Prepared,
    cache_home,
    collector_paused,
    digest,
    tree_digest,
)
from balise.pipeline.write import Folder, in_place, write

# Every site balise builds has this file: a folder without it is somebody's, not a previous build.
BUILT_BY_BALISE = "api/v2/summary.json"
# Said (as a warning, which --strict makes a failure) by every build of a site without site_url.
SITE_URL_UNSET = (
    "site_url is not set in mkdocs.yml: feeds, the API and the calendar use relative links, "
    "which many feed readers and calendar apps cannot follow — set site_url: https://…"
)
# `key: !ENV NAME` or `key: !ENV [NAME, OTHER, default]`: the names whose values mkdocs.yml reads.
ENV_TAG = re.compile(r"!ENV\s+(\[[^\]]*\]|[^\s,#\]}]+)")
INHERIT = re.compile(r"^INHERIT:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", re.MULTILINE)


# -- what the settings were derived from -----------------------------------------------------
def inherited(config_file: Path) -> list[Path]:
    """The configuration files mkdocs.yml names with `INHERIT:`, parent first (MkDocs merges them)."""
    chain: list[Path] = []
    current = config_file
    while len(chain) < 10:  # a loop of INHERITs is MkDocs's to refuse
        try:
            text = current.read_text(encoding="utf-8", errors="replace")
        except OSError:
            break
        found = INHERIT.search(text)
        if found is None:
            break
        current = current.parent / found[1]
        chain.append(current)
    return chain


def config_key(config_file: Path, site_dir: str | None, strict: bool) -> str:
    """What the plugin's settings are derived from: the configuration's bytes (its parents' too),
    the environment it reads, the command's options and where it runs (a relative -d)."""
    parts: list[object] = [str(config_file.resolve()), site_dir, strict, os.getcwd()]
    for path in [config_file, *inherited(config_file)]:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0missing"
        names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(ENV_TAG.findall(data.decode("utf-8", "replace"))))
        parts += [str(path), data, [(name, os.environ.get(name)) for name in names]]
    return "config:" + digest(*parts)


def mkdocs_key(reads: Iterable[Path], ours: Iterable[Path], strict: bool, site_dir: str) -> str:
    """Everything MkDocs reads but balise's content and code (`ours`), and the options it builds with."""
    own = {path.resolve() for path in ours}
    theirs = [path for path in reads if path.resolve() not in own]
    return "mkdocs:" + digest(tree_digest(*theirs), strict, site_dir)


def balise_inputs(sources: stages.Sources) -> list[Path]:
    """What `mkdocs_key` leaves out: the status and incident files, and balise itself."""
    return [sources.status_dir, sources.incidents_dir, BALISE]


# -- the build's moment ----------------------------------------------------------------------
def shows_as_of(as_of: datetime | None) -> bool:
    """Whether the site shows the moment `as_of` pins rather than the one it was built at."""
    return as_of is not None and source_date_epoch() is None


def dated(
    settings: Settings, root: Path, reads: list[Path], site_dir: Path, as_of: datetime | None
) -> tuple[Settings, SourceVersion]:
    """The settings with the commit the build is of and the moment it shows (`reference_time`)."""
    version = source_version(root, reads, site_dir)
    return replace(
        settings,
        now=reference_time(version, as_of),
        commit=version.commit,
        commit_time=version.commit_time,
        written_by=datetime.now(timezone.utc).replace(microsecond=0) if shows_as_of(as_of) else None,
    ), version


# -- writing the site ------------------------------------------------------------------------
def write_balise_files(
    site: Folder, renderer: SiteRenderer, cache: BuildCache | None, nav: list[NavLink], sitemap: list[str] | None
) -> list[str]:
    """balise's pages, feeds, API, calendar… (over the theme's home and 404 pages), and the sitemap
    of them all with the writers' pages (`sitemap`, if the theme makes one)."""
    renderer.context.nav = nav
    return write(site, stages.produce(renderer, cache, sitemap))


def write_with_last_theme(
    site: Folder, renderer: SiteRenderer, cache: BuildCache, record: MkDocsRecord
) -> list[str] | None:
    """The theme's files of the last build (its pages with this build's footer note), then balise's
    with the navigation and sitemap MkDocs gave then; None when they cannot all be taken from there."""
    cache.fresh.footer = str(renderer.env.globals["footer_note"])
    reused = cache.reusable(record.key)
    if reused is None:
        return None
    written = site.write(reused)
    cache.fresh.mkdocs = record
    return written + write_balise_files(
        site, renderer, cache, [NavLink(title, url) for title, url in record.nav], record.sitemap
    )


def say(said: Iterable[tuple[str, str]], root: Path) -> None:
    """What MkDocs said (or would have): each line as balise shows its problems."""
    show_problems([Problem.from_text(one_line(line), severity) for severity, line in said], root)


@dataclass
class Built:
    """A site built, and what its run's summary in GitHub Actions is made of."""

    target: Path
    page: StatusPage
    root: Path
    incidents_dir: Path
    repo_url: str
    shown_as_of: bool

    def summarise_for_github(self) -> None:
        """In GitHub Actions, the run's page says what went live (GITHUB_STEP_SUMMARY); a summary that
        cannot be written is a warning: the site itself was built."""
        from balise.outputs.step_summary import step_summary_file, write_step_summary

        path = step_summary_file()
        if path is None:
            return
        try:
            write_step_summary(path, self.page, self.root, self.incidents_dir, self.repo_url, self.shown_as_of)
        except OSError as error:
            message = (
                f"GITHUB_STEP_SUMMARY: cannot write {path} ({error.strerror}) — "
                "the site was built; no summary was added to the run's page"
            )
            show_problems([Problem("", 0, message, "warning")])


# -- the index from -f and -d to the cache ---------------------------------------------------
def _index(config_file: Path, site_dir: str | None) -> Path:
    return cache_home() / "configs" / digest(str(config_file.resolve()), site_dir, os.getcwd())[:20]


def remember(config_file: Path, site_dir: str | None, cache: BuildCache) -> None:
    """Say where the cache of a site built from `config_file` and `site_dir` is (after it was saved)."""
    index = _index(config_file, site_dir)
    with suppress(OSError):
        index.parent.mkdir(parents=True, exist_ok=True)
        temporary = index.with_name(index.name + f".{os.getpid()}")
        temporary.write_text(json.dumps([str(cache.root), str(cache.target)]), encoding="utf-8")
        os.replace(temporary, index)


def _prepared(config_file: Path, site_dir: str | None, strict: bool) -> tuple[Prepared, BuildCache] | None:
    """The last build's settings and cache, when mkdocs.yml and all it reads are as they were then."""
    try:
        root, target = json.loads(_index(config_file, site_dir).read_text(encoding="utf-8"))
        cache = BuildCache(Path(root), Path(target))
    except (OSError, ValueError, TypeError):
        return None
    prepared = cache.previous.prepared
    if not isinstance(prepared, Prepared) or cache.notice is not None:  # the MkDocs path says why, once
        return None
    if prepared.key != config_key(config_file, site_dir, strict):
        return None
    return prepared, cache


# -- the build -------------------------------------------------------------------------------
def build(config_file: str | None, site_dir: str | None, strict: bool) -> Built | None:
    """The site built without MkDocs, when nothing MkDocs reads changed since the last successful build;
    None (nothing written, nothing said) when MkDocs must build it."""
    found = _prepared(Path(config_file or "mkdocs.yml"), site_dir, strict)
    record = _last_mkdocs_build(*found) if found is not None else None
    if found is None or record is None:
        return None
    return _build(*found, record)


def _last_mkdocs_build(prepared: Prepared, cache: BuildCache) -> MkDocsRecord | None:
    """What the last MkDocs build made, when it read what this build would and is all in the last site."""
    record = cache.previous.mkdocs
    if (
        record is None
        or record.key != prepared.mkdocs_key
        or (prepared.strict and (prepared.said or not prepared.settings.site_url))  # MkDocs's to refuse
        or not (cache.target / BUILT_BY_BALISE).is_file()
        or not _theme_files_kept(cache, record)
    ):
        return None
    unchanged = mkdocs_key(prepared.reads, balise_inputs(prepared.sources), prepared.strict, prepared.site_dir)
    return record if unchanged == prepared.mkdocs_key else None


def _build(prepared: Prepared, cache: BuildCache, record: MkDocsRecord) -> Built | None:
    """The stages as the plugin runs them, with the theme's files of the last site."""
    sources: stages.Sources = prepared.sources
    settings, version = dated(prepared.settings, sources.root, prepared.reads, Path(prepared.site_dir), prepared.as_of)
    report = Collector(sources.root)
    # What is read lives until the process ends: the cyclic collector need not walk it while it is
    # read (a million objects for 20,000 incidents), nor again and again afterwards (`gc.freeze`).
    with collector_paused():
        content = stages.read(sources, settings, report, cache)
        stages.validate(report)
        content, warning = stages.apply_amendments(sources, content, report, cache.log_memo())
        stages.validate(report)
    gc.freeze()
    if warning:  # not a MkDocs warning: a shallow clone must not fail `build --strict`
        show_problems([warning])
    page = stages.publish(content, settings)
    shown_as_of = shows_as_of(prepared.as_of)
    try:
        info = stages.build_info(version, prepared.repo_url, shown_as_of)
        renderer = stages.renderer(page, info, sources.custom_templates)
        with in_place(cache.target, cache) as site:
            if write_with_last_theme(site, renderer, cache, record) is None:
                site.discard()  # a file of the theme's vanished from the last site: MkDocs builds it
            else:
                say(prepared.said, sources.root)
                if not settings.site_url:  # as the plugin's logger says it
                    say([("warning", "balise: " + SITE_URL_UNSET)], sources.root)
        if site.discarded:
            return None
    except jinja2.TemplateError as error:
        raise ContentError([Problem.from_text(stages.template_problem(error, sources.root))], sources.root) from None
    cache.fresh.prepared = prepared
    cache.save()
    return Built(cache.target, page, sources.root, sources.incidents_dir, prepared.repo_url, shown_as_of)


def _theme_files_kept(cache: BuildCache, record: MkDocsRecord) -> bool:
    """Whether the last site still holds every file the last MkDocs build made."""
    paths = cache.previous.groups.get(record.key)
    return paths is not None and all((cache.target / path).is_file() for path in paths)
