"""The build, stage by stage, without MkDocs: read → validate → amendments → publish → produce → write.

Each stage is a plain function of the previous one's result and the build's settings:

- `read` loads what the writers wrote (status, incidents, testimonials), gathering problems;
- `validate` refuses the build when any problem is an error;
- `apply_amendments` marks the updates whose published wording a later commit changed (git history);
- `publish` keeps what the public may see at the reference time (no drafts, nothing embargoed);
- `produce` gives every file balise makes, as (site-relative path, text or bytes) pairs: the status
  pages (`render`), feeds, API, calendar, badges and the Subscribe page (`outputs`), the assets;
- `write` is the only code that writes them to disk: incidents' files on several cores (`parallel`);
  `staged` swaps a finished site in with two renames, so a failed build leaves the previous one.

The MkDocs plugin and the CLI are thin callers: the plugin translates mkdocs.yml into `Sources` and
`Settings`, and adds the writers' own pages (rendered by the theme) and the sitemap around `write`;
`build` runs every stage into a folder on its own, for a site without the theme's pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from balise.content import loaders, publishing
from balise.content.history import record_amendments
from balise.content.model import Incident, Settings, StatusPage
from balise.content.version import SourceVersion, commit_url
from balise.errors import Collector, ContentError, Problem, show_problems
from balise.outputs.pages import NavLink, PageContext, SiteRenderer, asset_files
from balise.outputs.site import Outputs, subscribe_page
from balise.pipeline.write import Production, staged, write
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
def read(sources: Sources, settings: Settings, report: Collector) -> loaders.Content:
    """Everything the writers wrote; each problem found goes to `report`."""
    content = loaders.load_content(sources.status_dir, sources.incidents_dir, report, settings)
    today = settings.reference_time.astimezone(settings.timezone).date()
    transparency = load_transparency(sources.docs_dir / "testimonials", sources.status_dir, report, today)
    return replace(content, transparency=transparency)


def validate(report: Collector) -> None:
    """Refuse content with any error in it, listing every problem (warnings alone build)."""
    if report.errors:
        raise ContentError(report.problems, report.root)


# -- amendments, publish ----------------------------------------------------------------
def apply_amendments(sources: Sources, content: loaders.Content) -> Problem | None:
    """Mark updates whose published wording a later commit changed; a warning when the history
    cannot tell (a shallow clone), which must not fail a strict build."""
    amended, warning = record_amendments(
        sources.root, sources.incidents_dir, content.incidents, {c.id for c in content.components}
    )
    content.incidents[:] = amended  # new incidents, each built whole (the model is frozen)
    return Problem("", 0, f"{sources.incidents_name}: {warning}", "warning") if warning else None


def publish(content: loaders.Content, settings: Settings) -> StatusPage:
    return publishing.publish(content, settings)


# -- produce ----------------------------------------------------------------------------
def build_info(version: SourceVersion, repo_url: str = "", as_of: bool = False) -> dict:
    """What the footer says of the build: its commit, and whether the moment shown is pinned."""
    return {
        "commit": version.commit,
        "short": version.short,
        "commit_time": version.commit_time,
        "as_of": as_of,
        "commit_url": commit_url(repo_url, "{commit}"),  # a pattern, '' without repo_url
    }


def renderer(
    page: StatusPage, info: dict, custom_templates: Path | None = None, nav: list[NavLink] | None = None
) -> SiteRenderer:
    """The one page renderer of a build. Its navigation may be filled in later (the plugin knows the
    writers' page titles only once MkDocs has read them), before `produce`'s files are taken."""
    return SiteRenderer(page, PageContext(nav=list(nav or []), build=info), custom_templates)


def produce(pages: SiteRenderer) -> Production:
    """The files of the status pages (`pages`) and of every other output, from the same published page."""
    outputs = Outputs(pages.page, pages.t, pages.markdown, pages.loader)

    def of_incident(incident: Incident) -> Iterator[tuple[str, str | bytes]]:
        yield from pages.incident_pages(incident)
        yield from outputs.incident_files(incident)

    def site() -> Iterator[tuple[str, str | bytes]]:
        yield from pages.site_pages()
        yield from outputs.files()  # feeds, API, calendar, badges
        yield subscribe_page(pages)
        yield from asset_files()

    return Production(site(), pages.page.incidents, of_incident)


def template_problem(error: jinja2.TemplateError, root: Path) -> str:
    """A template error (most likely in a custom template of the site's) as one path:line problem."""
    where = getattr(error, "filename", None) or getattr(error, "name", None) or "template"
    with suppress(ValueError):
        where = Path(where).resolve().relative_to(root.resolve()).as_posix()
    line = getattr(error, "lineno", None) or 1
    return f"{where}:{line}: {error.message or error} — fix this template; the previous site was left as it was"


# -- the whole build --------------------------------------------------------------------
def build(
    sources: Sources, settings: Settings, target: Path, info: dict | None = None, nav: list[NavLink] | None = None
) -> list[str]:
    """Every stage, into `target` (swapped in whole at the end): the files balise makes, without
    the writers' own pages (the theme renders those, through the plugin). Returns the paths written."""
    report = Collector(sources.root)
    content = read(sources, settings, report)
    validate(report)
    warning = apply_amendments(sources, content)
    if warning:
        show_problems([warning])
    page = publish(content, settings)
    try:
        pages = renderer(page, info or build_info(SourceVersion()), sources.custom_templates, nav)
        with staged(target) as staging:
            return write(staging, produce(pages))
    except jinja2.TemplateError as error:
        raise ContentError([Problem.from_text(template_problem(error, sources.root))], sources.root) from None
