"""What a build published, for the GitHub Actions run page (`GITHUB_STEP_SUMMARY`): the site's
address, the commit, the moment shown, and the incidents that are open or changed in the commit.

Only what the site itself publishes appears here: drafts and embargoed incidents never do.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import jinja2

from balise.content.model import Incident, StatusPage
from balise.content.version import commit_url, git
from balise.timeline import format_time

TEMPLATES = Path(__file__).parents[1] / "templates" / "ci"
# Every ASCII punctuation character may be backslash-escaped in (GitHub-flavoured) Markdown.
MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class Row:
    title: str
    url: str
    status: str
    updated: str
    why: str


def markdown_text(value: object) -> str:
    """Text shown as itself: no link, emphasis, HTML or table cell boundary can come from it."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(str(value).split()))


def markdown_url(value: str) -> str:
    """An address safe inside `(…)` or `<…>`: spaces, brackets and quotes percent-encoded."""
    return quote(value, safe=":/?#@!$&*+,;=%~-._")


def write_step_summary(
    path: Path, page: StatusPage, root: Path, incidents_dir: Path, repo_url: str, as_of: bool
) -> None:
    settings = page.settings
    zone = settings.timezone
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md=markdown_text, md_url=markdown_url)
    text = env.get_template("step_summary.md").render(
        site_url=settings.site_url,
        commit=settings.commit,
        commit_link=commit_url(repo_url, settings.commit),
        commit_time=format_time(settings.commit_time.astimezone(zone)) if settings.commit_time else "",
        reference_time=format_time(page.now.astimezone(zone)),
        as_of=as_of,
        incidents=rows(page, changed_files(root, incidents_dir) if settings.commit else set()),
    )
    with open(path, "a", encoding="utf-8") as file:
        file.write(text if text.endswith("\n") else text + "\n")


def rows(page: StatusPage, changed: set[Path]) -> list[Row]:
    """The published incidents this build shows as changed: those whose file the commit changed,
    then those still open (or a maintenance not yet over)."""
    now, zone = page.now, page.settings.timezone
    found = []
    for incident in page.incidents:
        if Path(incident.path).resolve() in changed:
            why = "changed in this commit"
        elif still_current(incident, now):
            why = f"maintenance {incident.maintenance_phase(now)}" if incident.is_maintenance else "open"
        else:
            continue
        url = page.settings.site_url + f"incidents/{incident.id}/" if page.settings.site_url else ""  # no link to guess
        found.append(
            Row(incident.title, url, incident.status_at(now), format_time(incident.latest.at.astimezone(zone)), why)
        )
    return sorted(found, key=lambda row: row.why != "changed in this commit")


def still_current(incident: Incident, now: datetime) -> bool:
    if incident.is_maintenance:
        return incident.maintenance_phase(now) != "completed"
    return not incident.is_closed


def changed_files(root: Path, folder: Path) -> set[Path]:
    """The files under `folder` that the checked-out commit changed from its first parent (all of
    them for a first commit), as absolute paths."""
    top = git(root, "rev-parse", "--show-toplevel")
    if not top:
        return set()
    names = git(root, "diff", "--name-only", "--no-renames", "HEAD~1", "HEAD", "--", str(folder))
    if names is None:  # the first commit: everything in it is new
        names = git(root, "diff-tree", "--root", "-r", "--name-only", "--no-commit-id", "HEAD", "--", str(folder))
    return {(Path(top.strip()) / name).resolve() for name in (names or "").splitlines() if name}


def step_summary_file() -> Path | None:
    value = os.environ.get("GITHUB_STEP_SUMMARY", "").strip()
    return Path(value) if value else None
