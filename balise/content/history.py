"""The public record, read from git history: what was published, and what became of it.

Correcting a statement is fine, hiding the correction is not; taking a statement back is possible,
doing it silently is not. For every incident file whose history has more than one version (or
whose working copy differs from its last commit), each committed version is loaded as the build
loads a file, and the walk, oldest first, finds:

- amendments: an update (matched by its time, which is also its permanent anchor) whose message,
  status or promise differs from what the public last saw, recorded as a `model.Amendment` with
  the commit that changed it; an update whose time alone was corrected is matched by its words
  (or its place in the timeline) and shown as amended, its earlier time kept;
- removals: an update once public and no longer in the file, nor withdrawn (`withdrawn:` in the
  front matter, which `balise withdraw` writes); an incident file once public and deleted (not
  renamed), or made a draft again. Each is an error: restore it, or withdraw it;
- renames: a file deleted in the commit (or the working copy) that adds another holding the same
  first update is the same incident under a new name: its history, feed and API ids follow it
  (`Incident.former_ids`), and its old address redirects;
- the date of each postmortem: when a version holding it was first public, so feeds announce it.

Only what was public counts: while a file is `draft: true` (or embargoed by `publish_at`) its text
may change freely, and a version the build refused never reached the site. Whitespace alone
(re-wrapping a paragraph) is not a change of wording.

Cost: one `git log --raw` over the incidents folder (it names each version's blob), one `git
status` of it (the working copy's edits), then one `git cat-file --batch` for the versions of the
files with more than one. With a `LogMemo` of the last build (the build cache keeps it), the log
is read only for the commits since (0.5 s of git and 0.5 s of parsing at 20,000 incidents), and
a file whose versions (and working copy) are those walked then is not walked again: what the walk
found is kept in the memo (`LogMemo.walks`), so a build parses only the versions of the files a
commit since touched, not every version of every incident ever amended. No MkDocs here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from balise.content import model
from balise.content.loaders import Content, load_incident
from balise.content.version import git_output
from balise.errors import Collector
from balise.timeline import format_time

SHALLOW_WARNING = (
    "the git history is shallow, so corrected updates cannot be marked as amended, nor removed ones "
    "found — fetch the whole history (actions/checkout with 'fetch-depth: 0', or 'git fetch --unshallow')"
)
EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Revision:
    commit: str
    at: datetime
    blob: str | None = None  # the file's content in that commit, None if the commit deleted it


@dataclass
class LogMemo:
    """What `read_record` read of git's log, kept by its caller for the next build: the commit it
    was read up to, for each file of the folder its versions (commit, epoch, blob), oldest first,
    and what the walk of each file found (`walks`, by path)."""

    head: str = ""
    folder: str = ""
    log: dict[str, list[tuple[str, int, str | None]]] = field(default_factory=dict)
    walks: dict[str, _Walked] = field(default_factory=dict)


def read_record(
    root: Path, incidents_dir: Path, content: Content, report: Collector | None = None, memo: LogMemo | None = None
) -> tuple[Content, str | None]:
    """`content` with what its git history adds (new objects, the ones given are left as they are):
    amendments, postmortem dates, former ids; each removal of a published statement is an error in
    `report`. Also a warning to show the writer (a shallow clone), or None. `memo`, what the last
    build read of the log, is brought up to date (only the commits since are read).

    Outside git, or without git installed, there is no history and nothing to say: the footer
    already says the version is unknown."""
    report = report if report is not None else Collector(root)
    tree = _work_tree(root)
    if tree is None:
        return content, None
    top, shallow, head = tree
    if shallow:
        return content, SHALLOW_WARNING
    toplevel = Path(top).resolve()
    try:
        folder = incidents_dir.resolve().relative_to(toplevel).as_posix()
    except ValueError:
        return content, None
    prefix = "" if folder == "." else folder + "/"
    current = [*content.incidents, *content.withdrawn]
    # Incident files sit directly in the incidents folder (their name is their id).
    wanted = {prefix + _name(incident.path): incident for incident in current if incident.path}
    revisions = _revisions(toplevel, folder or ".", prefix, head, memo)
    edited = _edited(toplevel, folder or ".") & set(revisions)
    gone = {path: revs for path, revs in revisions.items() if path not in wanted}
    # The last version of each deleted file, to find renames.
    texts = _read_blobs(toplevel, sorted({blob for revs in gone.values() if (blob := _last_blob(revs))}))
    renamed = _renames(gone, revisions, wanted, edited, texts)
    component_ids = {c.id for c in content.components}
    previous: dict[str, list[str]] = {}  # new path -> the paths it was renamed from, oldest first
    for old in sorted(renamed, key=lambda path: revisions[path][0].at):
        previous.setdefault(renamed[old], []).extend([*previous.pop(old, []), old])
    # A file deleted (not renamed) is walked as an incident with nothing in it: was it ever public?
    deleted = {
        path: model.Incident(id=_name(path).removesuffix(".md"), title="", path=path)
        for path in sorted(gone)
        if path not in renamed
    }
    walked_before = memo.walks if memo is not None else {}
    walks: dict[str, _Walked] = {}  # this build's, for the next one
    components = tuple(sorted(component_ids))
    to_walk: list[tuple[str, model.Incident, list[str], list[Revision], _Walked | None]] = []
    for path, incident in [*wanted.items(), *deleted.items()]:
        chain = [*previous.get(path, []), path] if path in wanted else [path]
        revs = [rev for name in chain for rev in revisions.get(name, [])]
        if revs:
            last = walked_before.get(path)
            same = path not in edited and last is not None and last.walked(incident, revs, components)
            to_walk.append((path, incident, chain, revs, last if same else None))
    # The versions of the files walked: several versions, or an edited working copy, unless the last
    # build walked them as they are now.
    needed = {
        rev.blob
        for path, _, _, revs, as_before in to_walk
        if as_before is None and (len(revs) > 1 or path in edited)
        for rev in revs
        if rev.blob and rev.blob not in texts
    }
    texts.update(_read_blobs(toplevel, sorted(needed)))
    found: dict[str, model.Incident] = {}  # by path
    for path, incident, chain, revs, as_before in to_walk:
        if path in wanted and len(revs) == 1 and path not in edited:
            # Committed once, as it is: its postmortem is as old as the file.
            if incident.postmortem and revs[0].blob:
                found[path] = replace(incident, postmortem_at=max(revs[0].at, incident.publish_at or revs[0].at))
            continue
        if as_before is not None:
            walk = as_before.applied_to(incident)
            walks[path] = as_before
        else:
            walk = _walk(incident, [(rev, texts.get(rev.blob) if rev.blob else None) for rev in revs], component_ids)
            if path not in edited:  # a working copy's edits are walked again until committed
                walks[path] = _Walked.of(walk, incident, revs, components)
        if path in deleted:
            _report_deleted(path, revs, walk, path in edited, report)
            continue
        former = tuple(_name(name).removesuffix(".md") for name in chain[:-1])
        found[path] = replace(walk.incident, former_ids=former) if former else walk.incident
        _report_removals(incident, path, walk, report)
    if memo is not None:
        memo.walks = walks
    amended = [found.get(prefix + _name(i.path), i) if i.path else i for i in content.incidents]
    withdrawn = [found.get(prefix + _name(i.path), i) if i.path else i for i in content.withdrawn]
    return replace(content, incidents=amended, withdrawn=withdrawn), None


def _name(path: str) -> str:
    return path.replace("\\", "/").rpartition("/")[2]


def _is_incident_file(name: str) -> bool:
    """As `yamlfile.content_files` lists the incidents folder: *.md, no note, no README."""
    return name.endswith(".md") and not name.startswith(("_", ".")) and name.lower().split(".")[0] != "readme"


def _work_tree(root: Path) -> tuple[str, bool, str] | None:
    """The top folder of the work tree `root` is in, whether the clone is shallow, and the commit
    checked out, in one `git rev-parse`; None outside git, or before the first commit (HEAD names
    none): there is no history yet."""
    out = git_output(root, "rev-parse", "--show-toplevel", "--is-shallow-repository", "--verify", "-q", "HEAD")
    lines = out.decode().splitlines() if out else []
    if len(lines) != 3 or not lines[0]:
        return None
    return lines[0], lines[1] == "true", lines[2]


def _revisions(
    toplevel: Path, folder: str, prefix: str, head: str, memo: LogMemo | None = None
) -> dict[str, list[Revision]]:
    """For each incident file the folder ever held, the commits that changed it, oldest first (one
    `git log` for all; with a `memo` of an earlier commit of this history, only for the commits since)."""
    memo = memo if memo is not None else LogMemo()
    since = _commits_since(toplevel, memo, folder, head)
    if since is None:  # no memo of this history (a first build, a rebase, a merge since): all of it
        memo.log = {}
        _add_log(memo.log, toplevel, folder, prefix, "")
    elif since:
        _add_log(memo.log, toplevel, folder, prefix, since)
    memo.head, memo.folder = head, folder
    return {
        name: [Revision(commit, datetime.fromtimestamp(epoch, timezone.utc), blob) for commit, epoch, blob in versions]
        for name, versions in memo.log.items()
    }


def _commits_since(toplevel: Path, memo: LogMemo, folder: str, head: str) -> str | None:
    """The range of commits to read after those of `memo` ('' for none), or None when the memo is
    not of this history: another folder, a commit no longer an ancestor of `head`, or a merge since
    (git orders merged branches by date: read in two parts, the order of versions could differ)."""
    if not memo.head or memo.folder != folder or not head:
        return None
    if memo.head == head:
        return ""
    if git_output(toplevel, "merge-base", "--is-ancestor", memo.head, head) is None:
        return None
    listed = git_output(toplevel, "rev-list", "--parents", f"{memo.head}..{head}")
    if listed is None or any(len(line.split()) != 2 for line in listed.decode().splitlines()):
        return None
    return f"{memo.head}..{head}"


def _add_log(
    log: dict[str, list[tuple[str, int, str | None]]], toplevel: Path, folder: str, prefix: str, commits: str
) -> None:
    """The versions of the folder's incident files in `commits` (all of HEAD's history if ''), added
    to `log` after those it holds, each file's list sorted by time."""
    out = git_output(
        toplevel,
        "-c",
        "core.quotePath=false",
        "log",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--format=%x00%H %ct",
        *([commits] if commits else []),
        "--",
        folder,
    )
    if not out:
        return
    found: dict[str, list[tuple[str, int, str | None]]] = {}
    for record in out.decode("utf-8", "replace").split("\x00")[1:]:
        lines = record.strip("\n").split("\n")
        commit, epoch = lines[0].split()
        for line in lines[1:]:
            # ":100644 100644 <old blob> <new blob> M\t<path>"
            meta, tab, name = line.partition("\t")
            fields = meta.split()
            if not tab or len(fields) < 5 or not name.startswith(prefix):
                continue
            if "/" in name[len(prefix) :] or not _is_incident_file(name[len(prefix) :]):
                continue
            blob = None if set(fields[3]) == {"0"} else fields[3]
            found.setdefault(name, []).append((commit, int(epoch), blob))
    for name, versions in found.items():
        versions.reverse()  # git log is newest first
        merged = [*log.get(name, []), *versions]
        merged.sort(key=lambda version: version[1])  # stable: keeps git's order within a second
        log[name] = merged


def _edited(toplevel: Path, folder: str) -> set[str]:
    """The files of the folder whose working copy differs from the last commit (edited or deleted)."""
    out = git_output(
        toplevel, "-c", "core.quotePath=false", "status", "--porcelain=v1", "-z", "--no-renames", "-uno", "--", folder
    )
    if not out:
        return set()
    return {entry[3:] for entry in out.decode("utf-8", "replace").split("\x00") if len(entry) > 3}


def _last_blob(revs: list[Revision]) -> str | None:
    """The file's last content: the blob of its last version that has one (a deletion has none)."""
    return next((rev.blob for rev in reversed(revs) if rev.blob), None)


def _renames(
    gone: dict[str, list[Revision]],
    revisions: dict[str, list[Revision]],
    wanted: dict[str, model.Incident],
    edited: set[str],
    texts: dict[str, str],
) -> dict[str, str]:
    """old path -> new path, for each file deleted in the commit (or the working copy) that adds
    another one with the same blob, or one holding the same first update (`_same_incident`)."""
    added_by: dict[str, list[str]] = {}  # commit -> the paths it added
    for path, revs in revisions.items():
        if revs[0].blob:
            added_by.setdefault(revs[0].commit, []).append(path)
    untracked_or_new = sorted(path for path in wanted if path not in revisions)
    found: dict[str, str] = {}
    taken: set[str] = set()
    for old, revs in sorted(gone.items()):
        deletion = revs[-1]
        last = _last_blob(revs)
        if deletion.blob is None:
            candidates = [path for path in added_by.get(deletion.commit, []) if path != old]
        elif old in edited:  # deleted in the working copy only
            candidates = untracked_or_new
        else:
            continue
        for new in candidates:
            if new in taken:
                continue
            same_blob = bool(revisions.get(new)) and revisions[new][0].blob == last
            if same_blob or (new in wanted and last in texts and _same_incident(old, texts[last], wanted[new])):
                found[old] = new
                taken.add(new)
                break
    return found


def _same_incident(old: str, text: str, new: model.Incident) -> bool:
    """Is the last version of `old` (its `text`) the same incident as `new`: its first update at
    the same time, with the same title or the same words?"""
    loaded = load_incident(Path(_name(old)), None, Collector(), text=text)
    if loaded is None or not loaded.updates:
        return False
    first = loaded.updates[0]
    same = next((u for u in new.updates if first.at in (u.at, u.first_at)), None)
    if same is None:
        return any(w.update == first.at for w in new.withdrawals) and loaded.title == new.title
    return loaded.title == new.title or same.message.split() == first.message.split()


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
    withdrawn: frozenset[datetime] = frozenset()  # the updates it withdraws
    withdrawn_whole: bool = False


def _version(incident: model.Incident, text: str, component_ids: Collection[str] | None) -> _Version | None:
    """One historical version of an incident file, read as the build read it; None if the build
    refused it: it never reached the site, so its words (an internal note, perhaps) are no earlier
    wording to show."""
    loaded = load_incident(Path(incident.path or f"{incident.id}.md"), component_ids, Collector(), text=text)
    if loaded is None:
        return None
    return _as_version(loaded)


def _as_version(loaded: model.Incident) -> _Version:
    public_from = None if loaded.draft else (loaded.publish_at or EARLIEST)
    messages = {update.at: _Statement(update.message, update.status, update.next_update) for update in loaded.updates}
    withdrawn = frozenset(w.update for w in loaded.withdrawn_updates if w.update is not None)
    return _Version(public_from, messages, bool(loaded.postmortem), withdrawn, loaded.withdrawn is not None)


@dataclass(frozen=True)
class _Published:
    """An update the public saw: where it was last seen."""

    at: datetime
    status: model.UpdateStatus
    commit: str


@dataclass
class _Walk:
    incident: model.Incident  # with its amendments and postmortem date
    removed: list[_Published] = field(default_factory=list)  # public once, neither in the file nor withdrawn
    was_public: bool = False


@dataclass(frozen=True)
class _Walked:
    """What the walk of a file's versions found, for a next build to take while the file is as it was:
    the same versions (`revisions`, commit and blob each, the last one the working copy), the same
    components to name, and read the same (its updates' times, which the zone could change, and its
    withdrawals). Only for an incident as its file reads, never one made up (`balise withdraw`'s trial)."""

    revisions: tuple[tuple[str, str | None], ...]
    components: tuple[str, ...]
    times: tuple[datetime, ...]
    withdrawals: tuple[model.Withdrawal, ...]
    postmortem_at: datetime | None
    amendments: dict[datetime, tuple[model.Amendment, ...]]
    removed: tuple[_Published, ...]
    was_public: bool

    @classmethod
    def of(cls, walk: _Walk, incident: model.Incident, revs: list[Revision], components: tuple[str, ...]) -> _Walked:
        amendments = {update.at: update.amendments for update in walk.incident.updates if update.amendments}
        times = tuple(update.at for update in incident.updates)
        return cls(
            _revision_ids(revs),
            components,
            times,
            incident.withdrawals,
            walk.incident.postmortem_at,
            amendments,
            tuple(walk.removed),
            walk.was_public,
        )

    def walked(self, incident: model.Incident, revs: list[Revision], components: tuple[str, ...]) -> bool:
        """Whether this was found walking these very versions, into this incident as it reads now."""
        return (
            self.revisions == _revision_ids(revs)
            and self.components == components
            and self.times == tuple(update.at for update in incident.updates)
            and self.withdrawals == incident.withdrawals
        )

    def applied_to(self, incident: model.Incident) -> _Walk:
        return _Walk(_amended(incident, self.amendments, self.postmortem_at), list(self.removed), self.was_public)


def _revision_ids(revs: list[Revision]) -> tuple[tuple[str, str | None], ...]:
    return tuple((rev.commit, rev.blob) for rev in revs)


def _amended(
    incident: model.Incident, amendments: dict[datetime, tuple[model.Amendment, ...]], postmortem_at: datetime | None
) -> model.Incident:
    """`incident` with the amendments of its updates (by time) and the date of its postmortem."""
    if not amendments and postmortem_at == incident.postmortem_at and not incident.has_amendments:
        return incident
    updates = tuple(replace(update, amendments=amendments.get(update.at, ())) for update in incident.updates)
    return replace(incident, updates=updates, postmortem_at=postmortem_at)


def _apply(
    incident: model.Incident, versions: list[tuple[Revision, str | None]], component_ids: Collection[str] | None = None
) -> model.Incident:
    """`incident` with its amendments and the date of its postmortem (`_walk`)."""
    return _walk(incident, versions, component_ids).incident


def _walk(
    incident: model.Incident, versions: list[tuple[Revision, str | None]], component_ids: Collection[str] | None = None
) -> _Walk:
    """The versions walked oldest first, each public one compared with what the public last saw,
    and last the file as it is (`incident`), whose changes are not amendments until committed.

    A version was public if the build accepted it and it was current at some moment after its
    embargo (`publish_at`) lifted."""
    seen: dict[datetime, _Statement] = {}  # update time -> the statement last published
    where: dict[datetime, str] = {}  # update time -> the commit it was last public in
    found: dict[datetime, list[model.Amendment]] = {}
    postmortem_at = incident.postmortem_at
    was_public = False
    for index, (revision, text) in enumerate(versions):
        version = _version(incident, text, component_ids) if text is not None else None
        if version is None or version.public_from is None:
            continue
        until = versions[index + 1][0].at if index + 1 < len(versions) else None
        if until is not None and max(revision.at, version.public_from) >= until:
            continue  # replaced before its embargo lifted
        was_public = True
        if version.has_postmortem and postmortem_at is None:
            postmortem_at = max(revision.at, version.public_from)
        _forget_withdrawn(seen, version)
        for old, new in _moved(seen, version.messages):  # its time corrected (perhaps its words too): one amendment
            before = seen.pop(old)
            where.pop(old, None)
            found[new] = [*found.pop(old, []), _amendment(revision, before, version.messages[new], old)]
        for at, statement in version.messages.items():
            earlier = seen.get(at)
            if earlier is not None and not earlier.same_as(statement):
                found.setdefault(at, []).append(_amendment(revision, earlier, statement))
            seen[at] = statement
            where[at] = revision.commit
    walked = _amended(incident, {at: tuple(amendments) for at, amendments in found.items()}, postmortem_at)
    now = _as_version(incident)
    if now.withdrawn_whole:
        return _Walk(walked, [], was_public)
    _forget_withdrawn(seen, now)
    retimed = dict(_moved(seen, now.messages))  # an uncommitted time correction: not removed
    removed = [
        _Published(at, statement.status, where.get(at, ""))
        for at, statement in sorted(seen.items())
        if at not in now.messages and at not in retimed
    ]
    return _Walk(walked, removed, was_public)


def _forget_withdrawn(seen: dict[datetime, _Statement], version: _Version) -> None:
    for at in version.withdrawn if not version.withdrawn_whole else list(seen):
        seen.pop(at, None)


def _amendment(
    revision: Revision, earlier: _Statement, statement: _Statement, earlier_at: datetime | None = None
) -> model.Amendment:
    retimed_only = earlier_at is not None and earlier.message.split() == statement.message.split()
    return model.Amendment(
        revision.at,
        revision.commit,
        "" if retimed_only else earlier.message,
        earlier_status=earlier.status if earlier.status != statement.status else None,
        earlier_next_update=earlier.next_update if earlier.next_update != statement.next_update else None,
        earlier_at=earlier_at,
    )


def _moved(seen: dict[datetime, _Statement], messages: dict[datetime, _Statement]) -> list[tuple[datetime, datetime]]:
    """(earlier time, corrected time) for each published update whose time alone a version changed:
    gone from its time, and at a new time either its words or, the only one, its place in the timeline."""
    vanished = [at for at in sorted(seen) if at not in messages]
    appeared = [at for at in sorted(messages) if at not in seen]
    pairs: list[tuple[datetime, datetime]] = []
    for old in list(vanished):
        words = seen[old].message.split()
        same = next((new for new in appeared if messages[new].message.split() == words), None)
        if same is not None:
            pairs.append((old, same))
            vanished.remove(old)
            appeared.remove(same)
    if len(vanished) == 1 and len(appeared) == 1:
        old, new = vanished[0], appeared[0]
        place_before = sum(1 for at in seen if at < old)
        place_now = sum(1 for at in messages if at < new)
        if place_before == place_now:
            pairs.append((old, new))
    return pairs


def _report_removals(incident: model.Incident, path: str, walk: _Walk, report: Collector) -> None:
    """An error for each published update gone from the file, and for a published incident made a draft."""
    for gone in walk.removed:
        following = next((u for u in incident.updates if u.at > gone.at), None)
        line = following.line if following else (incident.latest.line if incident.updates else 1)
        report.error(
            incident.path,
            line,
            f"the update of {format_time(gone.at)} ({gone.status}) was published"
            f"{_in_commit(gone.commit)} and is no longer in this file — restore it"
            f"{_show(gone.commit, path)}, or withdraw it: balise withdraw {incident.id} "
            f"--update '{format_time(gone.at)}' --reason '…'",
        )
    if walk.was_public and incident.draft and incident.withdrawn is None:
        report.error(
            incident.path,
            1,
            "this incident was published: 'draft: true' would remove it from the site — remove "
            f"'draft: true', or withdraw it: balise withdraw {incident.id} --reason '…'",
        )


def _report_deleted(path: str, revs: list[Revision], walk: _Walk, in_working_copy: bool, report: Collector) -> None:
    """An error for a published incident file deleted (and not renamed): it is restored, or withdrawn."""
    if not walk.was_public:
        return
    stub = walk.incident
    last = next((rev for rev in reversed(revs) if rev.blob), revs[-1])
    restore = f"git checkout -- {path}" if in_working_copy else f"git checkout {revs[-1].commit[:7]}~1 -- {path}"
    deleted = "deleted" if in_working_copy else f"deleted in commit {revs[-1].commit[:7]}"
    report.error(
        path,
        1,
        f"this incident was published{_in_commit(last.commit)} and its file was {deleted} — restore it "
        f"({restore}); to take it back, restore it then withdraw it: balise withdraw {stub.id} --reason '…'",
    )


def _in_commit(commit: str) -> str:
    return f" (commit {commit[:7]})" if commit else ""


def _show(commit: str, path: str) -> str:
    return f" (its text: git show {commit[:7]}:{path})" if commit else ""
