"""The build, stage by stage, without MkDocs: read → validate → amendments → publish → produce → write.

Each stage is a plain function of the previous one's result and the build's settings:

- `read` loads what the writers wrote (status, incidents, testimonials), gathering problems;
- `validate` refuses the build when any problem is an error;
- `apply_amendments` reads the public record in git history: amended updates marked, renamed
  incidents followed, and a published statement removed without a withdrawal refused;
- `publish` keeps what the public may see at the reference time (no drafts, nothing embargoed);
- `produce` gives every file balise makes, as (site-relative path, text or bytes) pairs: the status
  pages (`render`), feeds, API, calendar, badges and the Subscribe page (`outputs`), the assets,
  and last the sitemap of them all (with the writers' pages the plugin names); with a build cache
  (`cache`), a file made under the same key by the last build is taken from the last site instead;
- `write` is the only code that writes them to disk: incidents' files on several cores (`parallel`);
  `staged` swaps a finished site in with two renames, `in_place` updates the last one where it
  stands; either way a failed build leaves the previous site as it was.

The MkDocs plugin and the CLI are thin callers: the plugin translates mkdocs.yml into `Sources` and
`Settings`, and adds the writers' own pages (rendered by the theme) around `write`;
`build` runs every stage into a folder on its own, for a site without the theme's pages.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import tzinfo
from itertools import chain
from pathlib import Path

import jinja2

from balise.content import loaders, publishing
from balise.content.history import LogMemo, read_record
from balise.content.model import Incident, Settings, StatusPage
from balise.content.uptime import Month, MonthLoader, load_month_file
from balise.content.version import SourceVersion, commit_url
from balise.errors import Collector, ContentError, Problem, show_problems
from balise.outputs.pages import NavLink, PageContext, SiteRenderer, asset_files
from balise.outputs.site import Outputs, sitemap_files, subscribe_page
from balise.pipeline.cache import BuildCache, amendments_of, digest, time_state, tree_digest
from balise.pipeline.write import Files, Production, staged, write
from balise.transparency.loaders import load_transparency


@dataclass(frozen=True)
class Sources:
    """Where a site's content is: what mkdocs.yml says, resolved."""

    root: Path  # the site's folder (where mkdocs.yml is)
    status_dir: Path
    incidents_dir: Path
    docs_dir: Path  # the writers' pages; balise reads its testimonials there
    incidents_name: str = "incidents"  # the incidents folder as the settings name it, for messages
    custom_templates: Path | None = None  # the theme's custom_dir/balise: a site's own templates


# -- read, validate ---------------------------------------------------------------------
def read(sources: Sources, settings: Settings, report: Collector, cache: BuildCache | None = None) -> loaders.Content:
    """Everything the writers wrote; each problem found goes to `report`. With a `cache`, an incident
    file or a month of measured uptime whose bytes the last build read is not parsed again."""
    load_file = cached_loader(cache) if cache is not None else None
    content = loaders.load_content(sources.status_dir, sources.incidents_dir, report, settings, load_file)
    today = settings.reference_time.astimezone(settings.timezone).date()
    known = {c.id for c in content.components}
    load_month = cached_month_loader(cache) if cache is not None else None
    transparency = load_transparency(
        sources.docs_dir / "testimonials", sources.status_dir, report, today, known, load_month
    )
    return replace(content, transparency=transparency)


def cached_loader(cache: BuildCache) -> loaders.IncidentLoader:
    """`loaders.load_incident`, answered from the cache when the file's bytes, path, the known
    components and the zone are those it was loaded with (its problems are reported again)."""

    shared: dict[tuple[int, str], str] = {}  # by (components' collection, zone): the same for every file

    def load(
        path: str, component_ids: Collection[str] | None, report: Collector, zone: tzinfo | None
    ) -> Incident | None:
        context = (id(component_ids), str(zone))
        if context not in shared:
            known = sorted(component_ids) if component_ids is not None else None
            shared[context] = digest(cache.fresh.fingerprint, known, str(zone))
        key = digest(shared[context], path, cache.content_digest(path))
        cache.source_keys[path] = key
        return cache.load_once(
            key, report, lambda own: loaders.load_incident(Path(path), component_ids, own, zone=zone)
        )

    return load


def cached_month_loader(cache: BuildCache) -> MonthLoader:
    """`uptime.load_month_file`, answered from the cache when the file's bytes, path and the known
    components are those it was read with (a year of summaries is 2 MB of YAML: 0.3 s a build)."""

    def load(path: Path, report: Collector, component_ids: set[str] | None) -> Month:
        known = sorted(component_ids) if component_ids is not None else None
        key = digest(cache.fresh.fingerprint, "uptime month", str(path), cache.content_digest(path), known)
        return cache.load_once(key, report, lambda own: load_month_file(path, own, component_ids))

    return load


def validate(report: Collector) -> None:
    """Refuse content with any error in it, listing every problem (warnings alone build)."""
    if report.errors:
        raise ContentError(report.problems, report.root)


# -- amendments, publish ----------------------------------------------------------------
def apply_amendments(
    sources: Sources, content: loaders.Content, report: Collector | None = None, memo: LogMemo | None = None
) -> tuple[loaders.Content, Problem | None]:
    """The content with what git history adds (`history.read_record`: amendments, former ids; new
    incidents, built whole), each published statement removed without a withdrawal an error in
    `report`; and a warning when the history cannot tell (a shallow clone), which must not fail a
    strict build. `memo`: what the last build read of git's log (`BuildCache.log_memo`)."""
    recorded, warning = read_record(sources.root, sources.incidents_dir, content, report, memo)
    if report is not None:  # a related incident may be named by the id it had before a rename
        loaders.unknown_related([*recorded.incidents, *recorded.withdrawn], report)
    problem = Problem("", 0, f"{sources.incidents_name}: {warning}", "warning") if warning else None
    return recorded, problem


def publish(content: loaders.Content, settings: Settings) -> StatusPage:
    return publishing.publish(content, settings)


# -- produce ----------------------------------------------------------------------------
def build_info(version: SourceVersion, repo_url: str = "", as_of: bool = False) -> dict[str, object]:
    """What the footer says of the build: its commit, and whether the moment shown is pinned."""
    return {
        "commit": version.commit,
        "short": version.short,
        "commit_time": version.commit_time,
        "as_of": as_of,
        "commit_url": commit_url(repo_url, "{commit}"),  # a pattern, '' without repo_url
    }


def renderer(
    page: StatusPage, info: dict[str, object], custom_templates: Path | None = None, nav: list[NavLink] | None = None
) -> SiteRenderer:
    """The one page renderer of a build. Its navigation may be filled in later (the plugin knows the
    writers' page titles only once MkDocs has read them), before `produce`'s files are taken."""
    return SiteRenderer(page, PageContext(nav=list(nav or []), build=info), custom_templates)


def produce(pages: SiteRenderer, cache: BuildCache | None = None, others: list[str] | None = None) -> Production:
    """The files of the status pages (`pages`) and of every other output, from the same published page.

    With a `cache`, a file whose key the last site made it under is taken from there (`Reused`)
    instead of rendered. `others`, the writers' own pages' addresses, are listed in the sitemap with
    balise's pages (None: the theme makes no sitemap, nor does balise)."""
    keys = OutputKeys(pages, cache) if cache is not None else None
    outputs = Outputs(
        pages.page,
        pages.t,
        pages.markdown,
        pages.loader,
        keys.memo if keys is not None else None,
        keys.fragment if keys is not None else None,
    )

    def rendered(incident: Incident) -> list[tuple[str, str | bytes]]:
        return [*pages.incident_pages(incident), *outputs.incident_files(incident)]

    def site() -> Iterator[tuple[str, object]]:
        yield from pages.site_pages()
        yield from outputs.files()  # feeds, API, calendar, badges
        yield subscribe_page(pages)
        yield from asset_files()

    def sitemap(written: list[str]) -> Files:
        return sitemap_files(pages.page, written, others, pages.memo) if others is not None else []

    if cache is None or keys is None:
        return Production(site(), pages.page.incidents, rendered, sitemap)
    pages.memo = keys.memo

    def rendered_and_kept(incident: Incident) -> Files:
        files = rendered(incident)
        cache.made(keys.incident(incident), files)
        return files

    # The incidents whose files the last site holds are taken at once: only those to render are worth
    # other cores (forking, and handing back what each worker recorded, cost more than keeping files).
    kept: list[tuple[str, object]] = []
    to_render = []
    for incident in pages.page.incidents:
        reused = cache.reusable(keys.incident(incident))
        if reused is None:
            to_render.append(incident)
        else:
            kept += reused
    return Production(chain(kept, site()), to_render, rendered_and_kept, sitemap, lambda: cache.journal, cache.merge)


class OutputKeys:
    """The keys files are cached under: the site's (every page shows the settings, navigation,
    components and overall status), with an incident's own or a list's incidents'."""

    def __init__(self, pages: SiteRenderer, cache: BuildCache):
        self.pages, self.cache = pages, cache
        page, build = pages.page, pages.context.build
        settings = replace(page.settings, now=None, commit=None, commit_time=None, written_by=None)
        pattern = {name: value for name, value in build.items() if name not in ("commit", "short", "commit_time")}
        self.site = digest(
            cache.fresh.fingerprint,
            tree_digest(pages.custom_templates),
            settings,
            page.groups,
            page.components,
            pages.context.nav,
            sorted(pattern.items()),
            page.overall_status,
        )
        cache.fresh.footer = str(pages.env.globals["footer_note"])
        cache.commit = str(build.get("short") or "")
        self._incidents: dict[int, str] = {}
        self._related, self._now, self._sources = page.related, page.now, cache.source_keys

    def incident(self, incident: Incident) -> str:
        found = self._incidents.get(id(incident))
        if found is None:
            source = self._sources.get(incident.path or "", incident.id)
            # Related incidents are named on its page, whichever file names the other.
            related = [(other.id, other.title) for other in self._related.get(incident.id, ())]
            state = time_state(incident, self._now) if incident.updates else "withdrawn"
            # One part, not four: 20,000 incidents' keys are made in every build (one repr walks them in C).
            found = digest(self.site, (source, amendments_of(incident), state, related))
            self._incidents[id(incident)] = found
        return found

    def of_incidents(self, incidents: list[Incident]) -> list[str]:
        """`incident` of each, looked up in one loop (the history's and the components' pages list
        20,000 incidents between them)."""
        known, make = self._incidents.get, self.incident
        return [known(id(incident)) or make(incident) for incident in incidents]

    def fragment(self, kind: str, incident: Incident, data: dict[str, object], render: Callable[[], str]) -> str:
        """A piece of a file made from `incident` and `data` (what else it shows), made once in a build
        (an open incident is in three of the API's lists) and taken from the last build when made from
        the same (the API's lists and the site's feeds hold a few hundred pieces, most unchanged)."""
        key = digest(self.incident(incident), kind, sorted(data.items()))
        fresh = self.cache.fresh.fragments
        found = fresh.get(key) or self.cache.previous.fragments.get(key)
        if found is None:
            found = render()
        fresh[key] = found
        return found

    def memo(
        self, path: str, incidents: list[Incident], data: dict[str, object], render: Callable[[], str | bytes]
    ) -> object:
        """A page listing `incidents` (a page of the history, a component's older incidents): reused
        when the same incidents, in the same state, are on it."""
        key = digest(self.site, path, self.of_incidents(incidents), sorted(data.items()))
        reused = self.cache.reusable(key)
        if reused is not None:
            return reused[0][1]
        made = render()
        self.cache.made(key, [(path, made)])
        return made


def template_problem(error: jinja2.TemplateError, root: Path) -> str:
    """A template error (most likely in a custom template of the site's) as one path:line problem."""
    where = getattr(error, "filename", None) or getattr(error, "name", None) or "template"
    with suppress(ValueError):
        where = Path(where).resolve().relative_to(root.resolve()).as_posix()
    line = getattr(error, "lineno", None) or 1
    return f"{where}:{line}: {error.message or error} — fix this template; the previous site was left as it was"


# -- the whole build --------------------------------------------------------------------
def build(
    sources: Sources,
    settings: Settings,
    target: Path,
    info: dict[str, object] | None = None,
    nav: list[NavLink] | None = None,
) -> list[str]:
    """Every stage, into `target` (swapped in whole at the end): the files balise makes, without
    the writers' own pages (the theme renders those, through the plugin). Returns the paths written."""
    report = Collector(sources.root)
    content = read(sources, settings, report)
    content, warning = apply_amendments(sources, content, report)
    validate(report)
    if warning:
        show_problems([warning])
    page = publish(content, settings)
    try:
        pages = renderer(page, info or build_info(SourceVersion()), sources.custom_templates, nav)
        with staged(target) as site:
            return write(site, produce(pages))
    except jinja2.TemplateError as error:
        raise ContentError([Problem.from_text(template_problem(error, sources.root))], sources.root) from None
