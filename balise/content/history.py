"""Amendments: published updates whose wording a later commit changed, read from git history.

Correcting a statement is fine, hiding the correction is not. For every incident file touched by
more than one commit, each committed version is loaded as the build loads a file, and an update
(matched by its time, which is also its permanent anchor) whose message differs from the wording
the public last saw is recorded as a `model.Amendment` with the commit that changed it.

Only changes to a statement that was already public count: while a file is `draft: true` (or
embargoed by `publish_at`) its text may change freely. Whitespace alone (re-wrapping a paragraph)
is not a change of wording.

The same walk dates each postmortem: when a version holding it was first public, so that feeds can
announce it.

Cost: one `git log --raw` over the incidents folder (it names each version's blob), then one
`git cat-file --batch` for the versions of the files changed by more than one commit. No MkDocs here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from balise.content import model
from balise.content.loaders import load_incident
from balise.content.version import git_output
from balise.errors import Collector

SHALLOW_WARNING = (
    "the git history is shallow, so corrected updates cannot be marked as amended — "
    "fetch the whole history (actions/checkout with 'fetch-depth: 0', or 'git fetch --unshallow')"
)


@dataclass(frozen=True)
class Revision:
    commit: str
    at: datetime
    blob: str | None = None  # the file's content in that commit, None if the commit deleted it


def record_amendments(
    root: Path,
    incidents_dir: Path,
    incidents: Sequence[model.Incident],
    component_ids: Collection[str] | None = None,
) -> tuple[list[model.Incident], str | None]:
    """`incidents`, each with the amendments of its updates and the date of its postmortem read from
    the git history of `incidents_dir` (new objects: the ones given are left as they are).

    Also a warning to show the writer (a shallow clone), or None. Outside git, or without git
    installed, there is no history and nothing to say: the footer already says the version is unknown.
    """
    unchanged = list(incidents)
    top = git_output(root, "rev-parse", "--show-toplevel")
    if not top:
        return unchanged, None
    if (git_output(root, "rev-parse", "--is-shallow-repository") or b"").strip() == b"true":
        return unchanged, SHALLOW_WARNING
    toplevel = Path(top.decode().strip()).resolve()
    try:
        folder = incidents_dir.resolve().relative_to(toplevel).as_posix()
    except ValueError:
        return unchanged, None
    prefix = "" if folder == "." else folder + "/"
    # Incident files sit directly in the incidents folder (their name is their id).
    wanted = {
        prefix + incident.path.replace("\\", "/").rpartition("/")[2]: incident
        for incident in incidents
        if incident.path
    }
    revisions = _revisions(toplevel, folder or ".", set(wanted))
    several = {path: revs for path, revs in revisions.items() if len(revs) > 1}
    texts = _read_blobs(toplevel, sorted({rev.blob for revs in several.values() for rev in revs if rev.blob}))
    amended: dict[str, model.Incident] = {}  # by path
    for path, revs in sorted(revisions.items()):
        incident = wanted[path]
        if len(revs) == 1:  # a file committed once: its postmortem is as old as the file
            if incident.postmortem and revs[0].blob:
                postmortem_at = max(revs[0].at, incident.publish_at or revs[0].at)
                amended[incident.path] = replace(incident, postmortem_at=postmortem_at)
            continue
        versions = [(rev, texts.get(rev.blob) if rev.blob else None) for rev in revs]
        amended[incident.path] = _apply(incident, versions, component_ids)
    return [amended.get(incident.path, incident) for incident in incidents], None


def _revisions(toplevel: Path, folder: str, wanted: set[str]) -> dict[str, list[Revision]]:
    """For each wanted file, the commits that changed it, oldest first (one `git log` for all)."""
    out = git_output(
        toplevel,
        "-c",
        "core.quotePath=false",
        "log",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--format=%x00%H %ct",
        "--",
        folder,
    )
    found: dict[str, list[Revision]] = {}
    if not out:
        return found
    for record in out.decode("utf-8", "replace").split("\x00")[1:]:
        lines = record.strip("\n").split("\n")
        commit, epoch = lines[0].split()
        at = datetime.fromtimestamp(int(epoch), timezone.utc)
        for line in lines[1:]:
            # ":100644 100644 <old blob> <new blob> M\t<path>"
            meta, tab, name = line.partition("\t")
            fields = meta.split()
            if not tab or len(fields) < 5 or name not in wanted:
                continue
            blob = None if set(fields[3]) == {"0"} else fields[3]
            found.setdefault(name, []).append(Revision(commit, at, blob))
    for revisions in found.values():
        revisions.reverse()  # git log is newest first
        revisions.sort(key=lambda revision: revision.at)  # stable: keeps git's order within a second
    return found


def _read_blobs(toplevel: Path, wanted: list[str]) -> dict[str, str]:
    """The text of each blob, read through one `git cat-file --batch`."""
    if not wanted:
        return {}
    request = "".join(f"{blob}\n" for blob in wanted).encode("ascii")
    out = git_output(toplevel, "cat-file", "--batch", data=request)
    texts: dict[str, str] = {}
    if out is None:
        return texts
    position = 0
    for key in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) < 3 or header[1] != b"blob":  # "<name> missing"
            continue
        size = int(header[2])
        texts[key] = out[position : position + size].decode("utf-8", "replace")
        position += size + 1
    return texts


@dataclass(frozen=True)
class _Statement:
    """What the public reads of one update: its words, its status and its promise."""

    message: str
    status: model.UpdateStatus
    next_update: datetime | None

    def same_as(self, other: _Statement) -> bool:
        return (self.message.split(), self.status, self.next_update) == (
            other.message.split(),
            other.status,
            other.next_update,
        )


@dataclass
class _Version:
    public_from: datetime | None  # None: not public in this version (draft)
    messages: dict[datetime, _Statement]
    has_postmortem: bool = False


def _version(incident: model.Incident, text: str, component_ids: Collection[str] | None) -> _Version | None:
    """One historical version of an incident file, read as the build read it; None if the build
    refused it: it never reached the site, so its words (an internal note, perhaps) are no earlier
    wording to show."""
    loaded = load_incident(Path(incident.path or f"{incident.id}.md"), component_ids, Collector(), text=text)
    if loaded is None:
        return None
    public_from = None if loaded.draft else (loaded.publish_at or datetime.min.replace(tzinfo=timezone.utc))
    messages = {update.at: _Statement(update.message, update.status, update.next_update) for update in loaded.updates}
    return _Version(public_from, messages, bool(loaded.postmortem))


def _apply(
    incident: model.Incident, versions: list[tuple[Revision, str | None]], component_ids: Collection[str] | None = None
) -> model.Incident:
    """`incident` with its amendments and the date of its postmortem: the versions walked oldest
    first, each public one compared with what the public last saw.

    A version was public if the build accepted it and it was current at some moment after its
    embargo (`publish_at`) lifted."""
    seen: dict[datetime, _Statement] = {}  # update time -> the statement last published
    found: dict[datetime, list[model.Amendment]] = {}
    postmortem_at = incident.postmortem_at
    for index, (revision, text) in enumerate(versions):
        version = _version(incident, text, component_ids) if text is not None else None
        if version is None or version.public_from is None:
            continue
        until = versions[index + 1][0].at if index + 1 < len(versions) else None
        if until is not None and max(revision.at, version.public_from) >= until:
            continue  # replaced before its embargo lifted
        if version.has_postmortem and postmortem_at is None:
            postmortem_at = max(revision.at, version.public_from)
        for at, statement in version.messages.items():
            earlier = seen.get(at)
            if earlier is not None and not earlier.same_as(statement):
                found.setdefault(at, []).append(
                    model.Amendment(
                        revision.at,
                        revision.commit,
                        earlier.message,
                        earlier_status=earlier.status if earlier.status != statement.status else None,
                        earlier_next_update=earlier.next_update
                        if earlier.next_update != statement.next_update
                        else None,
                    )
                )
            seen[at] = statement
    updates = tuple(replace(update, amendments=tuple(found.get(update.at, ()))) for update in incident.updates)
    return replace(incident, updates=updates, postmortem_at=postmortem_at)
