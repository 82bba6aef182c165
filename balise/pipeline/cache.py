"""The build cache: what the last build read and made, so the next one redoes only what changed.

One folder per site (and output folder) under `BALISE_CACHE_DIR` (default ~/.cache/balise), in
`sites/`, holding one file, `state.pickle` (a site's not built for 60 days is removed):

- `loads`: each incident file as loaded (the incident and the problems found in it), keyed on the
  file's bytes, its path, the components it may name, the site's zone and balise's own code;
- `outputs`: for each file of the last site, the key it was made under and whether it holds the
  footer note (the build's commit and time: the one part of a page that changes with every commit);
- `groups`: which files each key made (an incident's page and feed, a page of the history);
- `mkdocs`: what MkDocs read (a fingerprint of mkdocs.yml, the writers' pages, the theme), which of
  the last site's files it made, and the navigation and sitemap entries it gave, so a build where
  none of that changed needs no MkDocs build at all;
- `prepared`: what the balise plugin derived from mkdocs.yml (`Prepared`), so a build where mkdocs.yml
  is unchanged needs not even load MkDocs (`pipeline.unchanged`).

A file whose key is unchanged is taken from the last site (hard-linked, or copied with the new
footer note spliced in) instead of being rendered again. Keys hold everything a file is made from
except the footer note: balise's code and templates (the site's own ones too), the settings, the
navigation, the components, the overall status (every page's icon shows it), and the incident
itself with what the reference time makes of it (an open incident's key changes with the time, a
closed one's does not). A cache that cannot be read, was made by another version of balise or for
another site is ignored with one line saying so: the build is then a full one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from balise.errors import Collector, Problem

Loaded = TypeVar("Loaded")
FORMAT = 1  # of state.pickle: a change makes every older cache start cold
UNUSED_DAYS = 60
BALISE = Path(__file__).parents[1]
DEPENDENCIES = (
    "jinja2",
    "markdown",
    "markupsafe",
    "cmarkgfm",
    "nh3",
    "mkdocs",
    "mkdocs-material",
    "pymdown-extensions",
)


def cache_home() -> Path:
    """BALISE_CACHE_DIR, else $XDG_CACHE_HOME/balise, else ~/.cache/balise (as the template cache)."""
    base = os.environ.get("BALISE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "balise"
    )
    return Path(base)


def digest(*parts: object) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def tree_digest(*roots: Path | None, skip: Iterable[Path] = ()) -> str:
    """The names and bytes of every file under `roots` (files or folders; missing ones count as such)."""
    skipped = {path.resolve() for path in skip}
    hasher = hashlib.blake2b(digest_size=16)
    for root in roots:
        if root is None:
            continue
        hasher.update(b"\0root " + str(root).encode())
        if root.is_file():
            hasher.update(root.read_bytes())
            continue
        if not root.is_dir():
            hasher.update(b"\0missing")
            continue
        for folder, folders, files in os.walk(root):
            folders[:] = sorted(
                name
                for name in folders
                if name != "__pycache__" and not name.startswith(".") and Path(folder, name).resolve() not in skipped
            )
            for name in sorted(files):
                path = Path(folder, name)
                if name.endswith((".pyc", ".pyo")):
                    continue
                hasher.update(b"\0file " + str(path.relative_to(root)).encode("utf-8", "surrogatepass") + b"\0")
                try:
                    hasher.update(path.read_bytes())
                except OSError:
                    hasher.update(b"\0unreadable")
    return hasher.hexdigest()


_CODE: str | None = None


def code_fingerprint() -> str:
    """balise's own code, templates and locales, the libraries that shape its output, and Python."""
    global _CODE
    if _CODE is None:
        versions: list[tuple[str, str | None]] = []
        for name in DEPENDENCIES:
            try:
                versions.append((name, metadata.version(name)))
            except metadata.PackageNotFoundError:
                versions.append((name, None))
        _CODE = digest(FORMAT, sys.version, versions, tree_digest(BALISE))
    return _CODE


@dataclass
class Record:
    """One file of the last site: the key it was made under, and whether it holds the footer note."""

    key: str
    footer: bool = False


@dataclass
class MkDocsRecord:
    """What the last MkDocs build read (`key`) and gave: its files, navigation and sitemap entries."""

    key: str
    files: list[str]
    nav: list[tuple[str, str]]  # (title, site-relative URL)
    sitemap: list[str] | None  # the writers' pages' addresses, None: the theme wrote no sitemap


@dataclass
class Prepared:
    """What the balise plugin derived from mkdocs.yml at the last successful build, and what it was
    derived from (`key`: mkdocs.yml's bytes, its parent's, the `!ENV` values, the command's options)."""

    key: str
    sources: Any  # pipeline.stages.Sources
    settings: Any  # content.model.Settings, without the build's time fields
    as_of: datetime | None
    repo_url: str
    reads: list[Path]
    site_dir: str  # as MkDocs resolved it
    strict: bool
    mkdocs_key: str
    said: list[tuple[str, str]]  # what MkDocs itself warned (severity, line), said again when it is skipped


@dataclass
class State:
    fingerprint: str
    site: str  # the site's folder and its output folder: a cache is never another site's
    footer: str = ""
    loads: dict[str, bytes] = field(default_factory=dict)
    outputs: dict[str, Record] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    mkdocs: MkDocsRecord | None = None
    format: int = FORMAT
    prepared: Prepared | None = None


@dataclass(frozen=True)
class Reused:
    """A file taken from the last site instead of rendered: `splice` is (the footer note it holds,
    this build's), None when the file is the same bytes (hard-linked)."""

    source: Path
    splice: tuple[bytes, bytes] | None = None


class BuildCache:
    """The cache of one site built into one folder. Reading it never fails a build: a damaged or
    foreign cache is set aside (`notice` says why, once), and the build is a full one."""

    def __init__(self, root: Path, target: Path, folder: Path | None = None):
        self.root, self.target = root.resolve(), target.resolve()
        site = f"{self.root}\0{self.target}"
        self.folder = folder or cache_home() / "sites" / digest(site)[:20]
        self.site = site
        self._state: State | None = None
        self.notice: str | None = None  # why the cache was set aside, shown once by the build
        self.fresh = State(code_fingerprint(), site)  # what this build makes, saved when it succeeds
        self.commit = ""  # the build's short commit: a page showing it outside the footer is not kept
        self.source_keys: dict[str, str] = {}  # incident file -> the key it was loaded under
        self.journal: list[tuple[str, list[tuple[str, Record]]]] = []  # handed back by a worker process

    def following(self) -> BuildCache:
        """The cache of the next build in this process (`balise serve`): what this one made, in memory."""
        following = BuildCache(self.root, self.target, self.folder)
        following._state = self.fresh
        following.fresh.loads = {}
        return following

    @property
    def path(self) -> Path:
        return self.folder / "state.pickle"

    @property
    def previous(self) -> State:
        """The last build's state, or an empty one (a first build, or a cache set aside)."""
        if self._state is None:
            self._state = self._read() or State(self.fresh.fingerprint, self.site)
        return self._state

    def _read(self) -> State | None:
        where = self.path
        try:
            with open(where, "rb") as file:
                state = pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 — anything unreadable is a cache to rebuild, never an error
            self.notice = f"the build cache {where} cannot be read — building everything afresh"
            return None
        if not isinstance(state, State) or getattr(state, "format", None) != FORMAT:
            self.notice = f"the build cache {where} is from another version of balise — building everything afresh"
            return None
        if state.fingerprint != self.fresh.fingerprint:
            self.notice = f"the build cache {where} is from another version of balise — building everything afresh"
            return None
        if state.site != self.site:
            self.notice = f"the build cache {where} is another site's — building everything afresh"
            return None
        if not self.target.is_dir():  # the last site is gone: nothing to take files from
            return State(state.fingerprint, state.site, loads=state.loads)
        return state

    def warning(self) -> Problem | None:
        """The one line to show when the cache was set aside (once per build)."""
        self.previous  # noqa: B018 — reading it is what finds out
        notice, self.notice = self.notice, None
        return Problem("", 0, notice, "warning") if notice else None

    # -- loads ----------------------------------------------------------------------------
    def loaded(self, key: str) -> tuple[Any, list[Problem]] | None:
        stored = self.previous.loads.get(key)
        if stored is None:
            return None
        try:
            value = pickle.loads(stored)
        except Exception:  # noqa: BLE001 — a damaged entry is loaded again
            return None
        self.fresh.loads[key] = stored
        return value  # type: ignore[no-any-return]

    def keep_load(self, key: str, value: tuple[Any, list[Problem]]) -> None:
        self.fresh.loads[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def load_once(self, key: str, report: Collector, load: Callable[[Collector], Loaded]) -> Loaded:
        """What `load` reads (a file, into the model), taken from the last build when it was read under
        `key` there; the problems it found go to `report` again either way."""
        found = self.loaded(key)
        if found is None:
            own = Collector(report.root)
            found = (load(own), own.problems)
            self.keep_load(key, found)
        value, problems = found
        report.problems.extend(problems)
        return value

    # -- outputs --------------------------------------------------------------------------
    def reusable(self, key: str) -> list[tuple[str, Reused]] | None:
        """The files the last site made under `key`, as `Reused`, or None if any is missing."""
        previous = self.previous
        paths = previous.groups.get(key)
        if paths is None:
            return None
        reused = []
        for path in paths:
            record = previous.outputs.get(path)
            if record is None or record.key != key:
                return None
            reused.append((path, self.reuse(path, record)))
        if not all(reused.source.is_file() for _, reused in reused):  # a file removed from the site
            return None
        self._record(key, [(path, previous.outputs[path]) for path in paths])
        return reused

    def reuse(self, path: str, record: Record) -> Reused:
        old, new = self.previous.footer, self.fresh.footer
        splice = (old.encode(), new.encode()) if record.footer and old != new else None
        return Reused(self.target / path, splice)

    def _record(self, key: str, records: list[tuple[str, Record]]) -> None:
        self.fresh.outputs.update(records)
        self.fresh.groups[key] = [path for path, _ in records]
        self.journal.append((key, records))

    def merge(self, journals: Iterable[object]) -> None:
        """What other processes recorded (`journal`), once they have finished."""
        for journal in journals:
            for key, records in journal:  # type: ignore[attr-defined]
                self.fresh.outputs.update(records)
                self.fresh.groups[key] = [path for path, _ in records]

    def made(self, key: str, files: list[tuple[str, str | bytes]]) -> None:
        """Files rendered under `key` in this build: recorded, so the next one may reuse them; not
        when the build's commit shows outside the footer note (a site's own template may print it),
        which the key does not hold."""
        footer, commit = self.fresh.footer, self.commit
        records = []
        for path, data in files:
            text = data if isinstance(data, str) else ""
            holds = bool(footer) and footer in text
            if commit and commit in (text.replace(footer, "") if holds else text):
                return
            records.append((path, Record(key, holds)))
        self._record(key, records)

    def save(self) -> None:
        """Keep this build's state for the next (after the site was swapped in); a cache that cannot
        be written only means the next build is a full one."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".state-", dir=self.folder)
            with os.fdopen(handle, "wb") as file:
                pickle.dump(self.fresh, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            return
        self.prune()

    def prune(self) -> None:
        """Forget the caches of sites not built for `UNUSED_DAYS` (moved or deleted folders, tests)."""
        oldest = time.time() - UNUSED_DAYS * 86400
        for other in self.folder.parent.iterdir():
            state = other / "state.pickle"
            with suppress(OSError):
                if other != self.folder and state.stat().st_mtime < oldest:
                    shutil.rmtree(other, ignore_errors=True)


def time_state(incident: Any, now: datetime) -> object:
    """What the reference time makes of an incident on its page: nothing more once it has ended
    (its status, end and duration are then fixed), the time itself while it is open."""
    ended = incident.ended_at(now)
    if ended is not None and incident.promised_update(now) is None:
        return ("ended", incident.status_at(now), ended)
    return ("open", now)


def amendments_of(incident: Any) -> object:
    """What the git history adds to an incident loaded from its file (`history.read_record`)."""
    return (incident.postmortem_at, [update.amendments for update in incident.updates], incident.former_ids)
