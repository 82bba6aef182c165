"""The build cache: what the last build read and made, so the next one redoes only what changed.

One folder per site (and output folder) under `BALISE_CACHE_DIR` (default ~/.cache/balise), in
`sites/`, holding `state.pickle` and the groups of loads it names in `loads/` (a site's not built
for 60 days is removed):

- `loads`: each incident file as loaded (the incident and the problems found in it), keyed on the
  file's bytes, its path, the components it may name, the site's zone and balise's own code; kept
  in 256 groups (by the key's first two digits), each one pickle in a file named by its digest:
  what 20,000 separate pickles cost to read (their classes looked up, their enums made, again and
  again) is halved, and a build writes only the groups whose files changed (not 75 MB at 20,000);
- `stats`: each file's size, times and inode with the digest of its bytes, so a file git did not
  touch is not read again to find its key (one written in the last two seconds always is, as git
  does for its index: a second write in the same clock tick would leave the same times);
- `outputs`: for each file of the last site, the key it was made under and where it holds the
  footer note (the build's commit and time: the one part of a page that changes with every commit);
- `files` and `folders`: every file of the last site, and the time of each of its folders, so an
  update in place removes the files no longer made (and any other put there since), and keeps a
  file without a look only in a folder whose time is unchanged; elsewhere (another build, with
  another cache, or a person was there) it must still hold the last footer note where recorded;
- `history`: what was read of git's log, so the next build reads only the commits since, and what
  the walk of each file's versions found, so it walks only the files a commit since changed;
- `groups`: which files each key made (an incident's page and feed, a page of the history);
- `mkdocs`: what MkDocs read (a fingerprint of mkdocs.yml, the writers' pages, the theme), which of
  the last site's files it made, and the navigation and sitemap entries it gave, so a build where
  none of that changed needs no MkDocs build at all;
- `prepared`: what the balise plugin derived from mkdocs.yml (`Prepared`), so a build where mkdocs.yml
  is unchanged needs not even load MkDocs (`pipeline.unchanged`).

A file whose key is unchanged is taken from the last site instead of being rendered again: left
where it is when the last site is updated in place (`write.InPlace`), its footer note rewritten
where it stands; hard-linked into a fresh folder (`write.staged`), or copied with the new note
spliced in. Keys hold everything a file is made from
except the footer note: balise's code and templates (the site's own ones too), the settings, the
navigation, the components, the overall status (every page's icon shows it), and the incident
itself with what the reference time makes of it (an open incident's key changes with the time, a
closed one's does not). A cache that cannot be read, was made by another version of balise or for
another site is ignored with one line saying so: the build is then a full one.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from balise.content.authoring import write_atomically
from balise.content.history import LogMemo
from balise.errors import Collector, Problem

Loaded = TypeVar("Loaded")
FORMAT = 7  # of state.pickle: a change makes every older cache start cold
UNUSED_DAYS = 60
LOAD_GROUP = 2  # hex digits of a load's key naming its group
RACY_NS = 2_000_000_000  # a file changed this recently may change again with the same times
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
        _CODE = digest(FORMAT, sys.version, installed_versions(DEPENDENCIES), code_digest())
    return _CODE


def installed_versions(names: Iterable[str]) -> list[tuple[str, str | None]]:
    """Each distribution's version (None: not installed), from the name of its `.dist-info` folder
    on `sys.path`, the first found as importlib.metadata would: importing that module and asking it
    takes 50 ms, a twentieth of a rebuild."""
    wanted = {_distribution_key(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.scandir(entry or ".")
        except OSError:  # a zip file, a path hook, a folder gone
            continue
        with listing:
            for item in listing:
                if item.name.endswith(".dist-info"):
                    name, _, version = item.name.removesuffix(".dist-info").partition("-")
                    found.setdefault(_distribution_key(name), version)
    return [(name, found.get(key)) for key, name in wanted.items()]


def _distribution_key(name: str) -> str:
    """A distribution's name as PEP 503 compares them ('mkdocs-material' is 'mkdocs_material')."""
    return re.sub(r"[-_.]+", "_", name).lower()


def code_digest() -> str:
    """`tree_digest(BALISE)`, taken from `code.json` in the cache's home while no file of balise has
    changed size, times or inode since it was worked out there: reading them all takes 25 ms."""
    stats = []
    for folder, folders, names in os.walk(BALISE):
        folders[:] = [name for name in folders if name != "__pycache__" and not name.startswith(".")]
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                with suppress(OSError):
                    status = os.stat(os.path.join(folder, name))
                    stats.append((folder, name, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino))
    signature, memo = digest(sorted(stats)), cache_home() / "code.json"
    with suppress(OSError, ValueError, TypeError, KeyError):
        known = json.loads(memo.read_text(encoding="utf-8"))
        if known["signature"] == signature:
            return str(known["digest"])
    found = tree_digest(BALISE)
    if stats and time.time_ns() - max(max(s[3], s[4]) for s in stats) > RACY_NS:  # as `content_digest`
        with suppress(OSError):
            write_atomically(memo, json.dumps({"signature": signature, "digest": found}))
    return found


# One file of the last site: the key it was made under, and the byte offsets of the footer note in
# it (none: the file does not show it). A plain tuple: 41,000 of them are read at every build.
Record = tuple[str, tuple[int, ...]]


def moved(record: Record, old: bytes, new: bytes) -> Record:
    """`record` once the footer note `old` is replaced by `new` (of another length, perhaps)."""
    key, footer_at = record
    if not footer_at or len(old) == len(new):
        return record
    shift = len(new) - len(old)
    return key, tuple(at + index * shift for index, at in enumerate(footer_at))


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
    loads: dict[str, str] = field(default_factory=dict)  # group -> the file in loads/ that holds it
    stats: dict[str, tuple[tuple[int, int, int, int], str]] = field(default_factory=dict)
    outputs: dict[str, Record] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)  # key -> text (`OutputKeys.fragment`)
    files: list[str] | None = None  # None: not known (the folder is then read to find them)
    folders: dict[str, int] | None = None  # site-relative folder ("" the site's) -> its st_mtime_ns
    history: LogMemo | None = None  # what was read of git's log (`history.read_record`)
    mkdocs: MkDocsRecord | None = None
    format: int = FORMAT
    prepared: Prepared | None = None


class Reused(NamedTuple):
    """A file taken from the last site instead of rendered: `splice` is (the footer note it holds,
    this build's), None when the file is the same bytes. (A named tuple: 40,000 are made per build.)"""

    source: str  # the path of the file in the last site
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
        self._unpacked: dict[str, dict[str, tuple[Any, list[Problem]]]] = {}  # the last build's loads, by group
        self._kept: dict[str, dict[str, tuple[Any, list[Problem]]]] = {}  # this build's, by group
        self._loaded_afresh: set[str] = set()  # the groups holding a load not taken from the last build
        self._unsaved: dict[str, bytes] = {}  # the groups' files to write, by name
        self.started_ns = time.time_ns()  # what a file's times are held against (`RACY_NS`)
        self._encoded: tuple[tuple[str, str], tuple[bytes, bytes]] = (("", ""), (b"", b""))  # `footers`

    def following(self) -> BuildCache:
        """The cache of the next build in this process (`balise serve`): what this one made, in memory."""
        self.pack()
        following = BuildCache(self.root, self.target, self.folder)
        following._state = self.fresh
        following._unpacked = dict(self._kept)
        following._unsaved = self._unsaved
        return following

    @property
    def path(self) -> Path:
        return self.folder / "state.pickle"

    @property
    def loads_folder(self) -> Path:
        return self.folder / "loads"

    @property
    def previous(self) -> State:
        """The last build's state, or an empty one (a first build, or a cache set aside)."""
        if self._state is None:
            self._state = self._read() or State(self.fresh.fingerprint, self.site)
        return self._state

    def _read(self) -> State | None:
        where = self.path
        try:
            with open(where, "rb") as file, collector_paused():
                state = pickle.load(file)
        except FileNotFoundError:
            return None
        except (AttributeError, ImportError):  # it names a class this balise no longer has
            self.notice = f"the build cache {where} is from another version of balise — building everything afresh"
            return None
        except Exception:  # noqa: BLE001 — anything unreadable is a cache to rebuild, never an error
            self.notice = f"the build cache {where} cannot be read — building everything afresh"
            return None
        if (
            not isinstance(state, State)
            or getattr(state, "format", None) != FORMAT
            or state.fingerprint != self.fresh.fingerprint
        ):
            self.notice = f"the build cache {where} is from another version of balise — building everything afresh"
            return None
        if state.site != self.site:
            self.notice = f"the build cache {where} is another site's — building everything afresh"
            return None
        if not self.target.is_dir():  # the last site is gone: nothing to take files from
            return State(state.fingerprint, state.site, loads=state.loads, stats=state.stats, history=state.history)
        return state

    def warning(self) -> Problem | None:
        """The one line to show when the cache was set aside (once per build)."""
        self.previous  # noqa: B018 — reading it is what finds out
        notice, self.notice = self.notice, None
        return Problem("", 0, notice, "warning") if notice else None

    # -- loads ----------------------------------------------------------------------------
    def log_memo(self) -> LogMemo:
        """What the last build read of git's log, for this one to bring up to date."""
        known = self.previous.history
        if self.fresh.history is None:
            self.fresh.history = LogMemo(known.head, known.folder, dict(known.log), known.walks) if known else LogMemo()
        return self.fresh.history

    def content_digest(self, path: Path | str) -> str:
        """The digest of a file's bytes, read only when its size, times or inode changed since the
        last build (or it was then too fresh to tell); a file that cannot be read has the digest of
        nothing (it is loaded again, and says why)."""
        try:
            status = os.stat(path)
        except OSError:
            return digest(b"")
        seen = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        known = self.previous.stats.get(str(path))
        if known is not None and known[0] == seen:
            found = known[1]
        else:
            try:
                with open(path, "rb") as file:
                    found = digest(file.read())
            except OSError:
                return digest(b"")
        if self.started_ns - max(status.st_mtime_ns, status.st_ctime_ns) > RACY_NS:
            self.fresh.stats[str(path)] = (seen, found)
        return found

    def loaded(self, key: str) -> tuple[Any, list[Problem]] | None:
        group = key[:LOAD_GROUP]
        entries = self._unpacked.get(group)
        if entries is None:
            entries = self._unpacked[group] = self._unpack(group)
        found = entries.get(key)
        if found is not None:
            self._kept.setdefault(group, {})[key] = found
        return found

    def _unpack(self, group: str) -> dict[str, tuple[Any, list[Problem]]]:
        name = self.previous.loads.get(group)
        if name is None:
            return {}
        try:
            stored = self._unsaved.get(name) or (self.loads_folder / name).read_bytes()
            with collector_paused():
                entries = pickle.loads(stored)
        except Exception:  # noqa: BLE001 — a damaged group is loaded again
            return {}
        return entries if isinstance(entries, dict) else {}

    def keep_load(self, key: str, value: tuple[Any, list[Problem]]) -> None:
        group = key[:LOAD_GROUP]
        self._kept.setdefault(group, {})[key] = value
        self._loaded_afresh.add(group)

    def pack(self) -> None:
        """This build's loads into `fresh.loads`, a pickle per group; a group holding the same loads
        as in the last build is the same file."""
        packed = {}
        for group, entries in self._kept.items():
            before, name = self._unpacked.get(group), self.previous.loads.get(group)
            if group in self._loaded_afresh or name is None or before is None or before.keys() != entries.keys():
                stored = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
                name = f"{digest(stored)}.pickle"
                self._unsaved[name] = stored
            packed[group] = name
        self.fresh.loads = packed

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
        outputs, kept = previous.outputs, []
        for path in paths:
            record = outputs.get(path)
            if record is None or record[0] != key or not self._intact(path, record):
                return None
            kept.append((path, record))
        old, new = self.footers()
        self._record(key, [(path, moved(record, old, new)) for path, record in kept])
        site, splice = f"{self.target}/", (old, new) if old != new else None
        return [(path, Reused(site + path, splice if record[1] else None)) for path, record in kept]

    @cached_property
    def unsettled(self) -> set[str] | None:
        """The last site's folders changed since it was left (a file moved into, out of or over one
        of theirs: another build, a person), whose files are checked before they are kept; None when
        the folders' times are not known, which makes every folder unsettled."""
        folders = self.previous.folders
        return None if folders is None else changed_folders(self.target, folders)

    def _intact(self, path: str, record: Record) -> bool:
        """Whether the last site's file `path` is still the one made under `record`: surely so in a
        folder nothing changed since; elsewhere, it must be there with the last footer note where
        the record says (a page made by another build would not hold it)."""
        unsettled = self.unsettled
        if unsettled is not None and path.rpartition("/")[0] not in unsettled:
            return True
        where = f"{self.target}/{path}"
        return holds(where, record[1], self.footers()[0]) if record[1] else os.path.isfile(where)

    def footers(self) -> tuple[bytes, bytes]:
        """The last build's footer note and this one's, encoded once (20,000 files reuse them)."""
        notes = (self.previous.footer, self.fresh.footer)
        if self._encoded[0] != notes:
            self._encoded = (notes, (notes[0].encode(), notes[1].encode()))
        return self._encoded[1]

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
            records.append((path, (key, footer_offsets(text, footer) if holds else ())))
        self._record(key, records)

    def forget(self) -> None:
        """Drop the saved state before the last site is changed in place: should that be cut short,
        the next build is a full one rather than trusting files half updated."""
        with suppress(OSError):
            self.path.unlink()

    def save(self) -> None:
        """Keep this build's state for the next (after the site was swapped in); a cache that cannot
        be written only means the next build is a full one."""
        self.pack()
        try:
            self.loads_folder.mkdir(parents=True, exist_ok=True)  # listed below, even with no load to keep
            for name in set(self.fresh.loads.values()).intersection(self._unsaved):
                write_atomically(self.loads_folder / name, self._unsaved[name])
            write_atomically(self.path, pickle.dumps(self.fresh, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return
        self._unsaved = {}
        kept = set(self.fresh.loads.values())
        for unused in self.loads_folder.iterdir():
            if unused.name not in kept:
                with suppress(OSError):
                    unused.unlink()
        self.prune()

    def prune(self) -> None:
        """Forget the caches of sites not built for `UNUSED_DAYS` (moved or deleted folders, tests)."""
        oldest = time.time() - UNUSED_DAYS * 86400
        for other in self.folder.parent.iterdir():
            state = other / "state.pickle"
            with suppress(OSError):
                if other != self.folder and state.stat().st_mtime < oldest:
                    shutil.rmtree(other, ignore_errors=True)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Without the cyclic garbage collector, while the content is read (unpickled, above all): that
    makes no garbage, only objects that live on, which the collector would otherwise walk again and
    again as their number grows."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def changed_folders(site: Path, folders: dict[str, int]) -> set[str]:
    """The site-relative folders of `folders` (with their st_mtime_ns when last left) whose time is
    no longer that one, or that are gone."""
    changed, root = set(), str(site)
    for folder, seen in folders.items():
        try:
            if os.stat(f"{root}/{folder}").st_mtime_ns == seen:
                continue
        except OSError:
            pass
        changed.add(folder)
    return changed


def holds(path: str, offsets: tuple[int, ...], note: bytes) -> bool:
    """Whether the file `path` holds `note` at each of `offsets` (False if it cannot be read)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        return holds_at(handle, offsets, note)
    except OSError:
        return False
    finally:
        os.close(handle)


def holds_at(handle: int, offsets: tuple[int, ...], note: bytes) -> bool:
    """Whether the open file `handle` holds `note` at each of `offsets`."""
    return all(os.pread(handle, len(note), at) == note for at in offsets)


def footer_offsets(text: str, footer: str) -> tuple[int, ...]:
    """Where `footer` starts in the UTF-8 bytes of `text`, each time it does."""
    data, note = text.encode("utf-8"), footer.encode("utf-8")
    found, at = [], data.find(note)
    while at >= 0:
        found.append(at)
        at = data.find(note, at + len(note))
    return tuple(found)


def time_state(incident: Any, now: datetime) -> object:
    """What the reference time makes of an incident on its page: nothing more once it has ended
    (its status, end and duration are then fixed), the time itself while it is open."""
    ended = incident.ended_at(now)
    if ended is not None and incident.promised_update(now) is None:
        # The word and the instant: an enum's or a datetime's repr is slow to make, 20,000 times.
        return ("ended", str(incident.status_at(now)), ended.timestamp())
    return ("open", now)


def amendments_of(incident: Any) -> object:
    """What the git history adds to an incident loaded from its file (`history.read_record`); most
    incidents have no amendment, and a list of empty ones is slow to repr (20,000 times a build)."""
    amended = [update.amendments for update in incident.updates] if incident.has_amendments else None
    return (incident.postmortem_at, amended, incident.former_ids)
