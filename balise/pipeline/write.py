"""The one writer: every file a build makes goes to disk here, on several cores, the site changed
only once the whole build has succeeded.

`write` takes a `Production` (the site-wide files, and each incident's, all lazy; then the files
made from the list of all others, the sitemap) and writes it into a `Folder`; incidents' files are
rendered by forked workers (`parallel`) while this process writes the others. Two kinds of folder:

- `staged` gives a fresh folder next to the site and swaps it in with two renames when the build
  succeeds. A file the build cache kept (`cache.Reused`) is hard-linked from the last site, or
  copied with this build's footer note. For a first build, or when MkDocs builds too.
- `in_place` updates the last site where it stands, when the cache says which of its files are
  still right (a rebuild after a commit, or `balise serve` after an edit): those are not touched,
  but for their footer note (the commit and time), rewritten at the offsets the cache recorded.
  New and changed files are written into a side folder, and moved into the site only once the
  build has succeeded (`InPlace.commit`); files no longer made are then removed. Re-linking 40,000
  unchanged files into a fresh folder costs more than rendering what changed.

Either way a failed build leaves the previous site exactly as it was. Only the commit of an update
in place, which moves, overwrites a few bytes and removes, can be cut short (a kill, a crash): the
cache is dropped before it starts, so the next build is a full one into a fresh folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from balise.content.model import Incident
from balise.pipeline import parallel
from balise.pipeline.cache import BuildCache, Reused, holds_at

FLAT_NAME_MAX = 200  # bytes of a quoted path in the side folder of `InPlace` (file systems allow 255)
Files = Iterable[tuple[str, object]]  # (site-relative path, str, bytes or `Reused`)


def _nothing(written: list[str]) -> Files:
    return []


@dataclass
class Production:
    """Every file balise makes: the site-wide ones, and each incident's (which `write` may hand to
    other cores), then those made from the list of the others (`after`). Lazy: a file is rendered
    when the writer takes it."""

    site: Files
    incidents: list[Incident]
    of_incident: Callable[[Incident], Files]
    after: Callable[[list[str]], Files] = _nothing
    collect: Callable[[], object] | None = None  # what a worker hands back besides its paths…
    merge: Callable[[list[object]], None] | None = None  # … given to this, once they have all finished


def write(site: Folder, production: Production) -> list[str]:
    """Write every file of `production` into `site`; returns the site-relative paths written.

    With a long history, the incidents' files (the bulk of the work) are written by forked workers
    while this process writes the others: each file depends only on the content, so the bytes are
    the same whichever process writes them."""
    with parallel.incident_workers(
        production.incidents, production.of_incident, site.write, production.collect
    ) as others:
        written = site.write(production.site)
        if not others.parallel:
            written += site.write(
                item for incident in production.incidents for item in production.of_incident(incident)
            )
    if production.merge is not None:
        production.merge(others.collected)
    site.note(others.written)
    written += others.written
    return written + site.write(production.after(written))


class Folder:
    """A fresh folder every file is written into (`staged`): those taken from the last site are
    hard-linked from there, or copied with this build's footer note."""

    def __init__(self, root: Path):
        self.root = root  # where the files written go
        self.written: set[str] = set()  # every file of the site, in this process or noted
        self._made: set[Path] = set()

    def write(self, files: Files) -> list[str]:
        """Write `files`; returns their site-relative paths."""
        written = []
        for relative, data in files:
            self.put(relative, data)
            written.append(relative)
        self.written.update(written)
        return written

    def note(self, paths: Iterable[str]) -> None:
        """Files of the site written by other processes (`parallel`)."""
        self.written.update(paths)

    def place(self, relative: str) -> Path:
        """Where the file `relative` of the site is written."""
        return self.root / relative

    def put(self, relative: str, data: object) -> None:
        target = self.place(relative)
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        with suppress(FileNotFoundError):  # a file there may be hard-linked from the last site: replaced
            os.unlink(target)
        if isinstance(data, Reused):
            copy_reused(data, target)
        elif isinstance(data, bytes):
            target.write_bytes(data)
        elif isinstance(data, str):
            target.write_text(data, encoding="utf-8", newline="\n")
        else:
            raise TypeError(f"{relative}: cannot write a {type(data).__name__}")


class InPlace(Folder):
    """The last site (`site`), updated where it stands (`in_place`): what this build renders is
    written into a side folder (`root`) until `commit`; a file the cache kept stays where it is."""

    def __init__(self, site: Path, cache: BuildCache):
        site = site.resolve()  # as the cache names the files it keeps (`Reused.source`)
        super().__init__(Path(tempfile.mkdtemp(prefix=f".{site.name}.changes-", dir=site.parent)))
        self.site, self.cache = site, cache
        self._prefix = f"{site}/"  # of a kept file's `Reused.source`
        self.discarded = False

    def discard(self) -> None:
        """Leave the site as it was when the block ends (its files cannot all be kept)."""
        self.discarded = True

    def place(self, relative: str) -> Path:
        """Side by side in the side folder, the path's slashes quoted: a folder costs as much to make
        and remove as a file to write, and most files written are alone in theirs."""
        flat = quote(relative, safe="")
        return self.root / (flat if len(flat) <= FLAT_NAME_MAX else relative)

    def put(self, relative: str, data: object) -> None:
        if isinstance(data, Reused) and data.source == self._prefix + relative:
            old, new = data.splice or (b"", b"")
            if len(old) == len(new):  # the footer note, if it changed, is rewritten by `commit`
                return
        super().put(relative, data)

    def changes(self) -> dict[str, str]:
        """The files written into the side folder: site-relative path -> path in the side folder."""
        return {name if "/" in name else unquote(name): name for name in files_under(self.root)}

    def commit(self) -> None:
        """Move what this build rendered into the site, rewrite the footer note of the pages kept,
        and remove the files no longer made; then the side folder is gone."""
        written = self.changes()
        changed = set(written)
        previous = self.cache.previous
        stale = present_files(self.site, previous.files, previous.folders, self.cache.unsettled) - self.written
        self.cache.forget()
        made: set[Path] = set()
        for relative, side in written.items():
            target = self.site / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.replace(self.root / side, target)
        old, new = self.cache.footers()
        if old != new:
            records, site = self.cache.fresh.outputs, str(self.site)
            for relative in self.written.difference(changed):
                _, footer_at = records.get(relative) or ("", ())
                if footer_at:
                    rewrite_footer(f"{site}/{relative}", footer_at, old, new)
        for relative in sorted(stale):
            with suppress(FileNotFoundError):
                os.unlink(self.site / relative)
        remove_empty_folders(self.site, stale)
        shutil.rmtree(self.root, ignore_errors=True)
        touched = {parent_of(relative) for relative in (*changed, *stale)}
        self.cache.fresh.files = sorted(self.written)
        self.cache.fresh.folders = folder_times(self.site, self.written, previous.folders or {}, touched)


def parent_of(relative: str) -> str:
    return relative.rpartition("/")[0]


def folder_times(
    site: Path, files: Iterable[str], known: dict[str, int] | None = None, touched: Iterable[str] = ()
) -> dict[str, int]:
    """The modification time of each folder holding `files`: how the next update in place finds a
    file put into the site by something else (its folder's time changed). Those `known` and not
    `touched` (no file moved into or out of them since) keep the time known."""
    known, touched = known or {}, set(touched)
    folders = {""}
    for relative in files:
        folder = parent_of(relative)
        while folder not in folders:
            folders.add(folder)
            folder = parent_of(folder)
    times, root = {}, str(site)
    for folder in folders:
        if folder in known and folder not in touched:
            times[folder] = known[folder]
            continue
        with suppress(OSError):
            times[folder] = os.stat(f"{root}/{folder}").st_mtime_ns
    return times


def present_files(
    site: Path, files: list[str] | None, folders: dict[str, int] | None, changed: set[str] | None
) -> set[str]:
    """The files in `site`: those the last build left (`files`), and any put there since, found in
    the folders whose time changed since (`changed`, of the `folders` it left); without that
    record, every folder is read."""
    if files is None or folders is None or changed is None:
        return files_under(site)
    present, root = set(files), str(site)
    for folder in changed:
        try:
            entries = list(os.scandir(f"{root}/{folder}"))
        except OSError:  # gone: its files are no longer there to remove
            continue
        for entry in entries:
            relative = f"{folder}/{entry.name}" if folder else entry.name
            if not entry.is_dir(follow_symlinks=False):
                present.add(relative)
            elif relative not in folders:
                present.update(f"{relative}/{inner}" for inner in files_under(Path(entry.path)))
    return present


def files_under(folder: Path) -> set[str]:
    """The site-relative paths of the files under `folder`."""
    found = set()
    for parent, _, names in os.walk(folder):
        relative = os.path.relpath(parent, folder)
        for name in names:
            found.add(name if relative == "." else f"{relative}/{name}".replace(os.sep, "/"))
    return found


def rewrite_footer(path: str, offsets: tuple[int, ...], old: bytes, new: bytes) -> None:
    """Overwrite the footer note `old` with `new` (as long) at `offsets` of `path`, where the file
    stands: a few bytes written, nothing allocated. A file that does not hold `old` there, or is
    linked from elsewhere as well, is written afresh beside it and renamed over it instead."""
    handle = os.open(path, os.O_RDWR)
    try:
        if os.fstat(handle).st_nlink == 1 and holds_at(handle, offsets, old):
            for at in offsets:
                os.pwrite(handle, new, at)
            return
    finally:
        os.close(handle)
    whole = Path(path)
    spliced = whole.with_name(f".{whole.name}.balise")
    copy_reused(Reused(path, (old, new)), spliced)
    os.replace(spliced, whole)


def remove_empty_folders(site: Path, removed: Iterable[str]) -> None:
    """The folders that held only files now removed (an address no longer made)."""
    folders = {Path(relative).parent for relative in removed}
    for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
        while folder != Path("."):
            try:
                (site / folder).rmdir()
            except OSError:  # not empty (or gone already)
                break
            folder = folder.parent


def copy_reused(reused: Reused, target: Path) -> None:
    if reused.splice is None:
        try:
            os.link(reused.source, target)
            return
        except OSError:  # another file system, or no hard links there
            shutil.copyfile(reused.source, target)
            return
    old, new = reused.splice
    target.write_bytes(Path(reused.source).read_bytes().replace(old, new))


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def remove_detached(folder: Path) -> None:
    """Remove `folder` in a process of its own, which outlives this one: a site of 40,000 files takes
    seconds to delete on some file systems, and nothing waits for it (it is out of the way already)."""
    rm = shutil.which("rm")
    if rm is None or os.name != "posix":
        _remove(folder)
        return
    try:
        process = subprocess.Popen(
            [rm, "-rf", "--", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        _remove(folder)
        return
    _DETACHED.append(process)  # never waited for: kept, so it is not reported as left running


_DETACHED: list[subprocess.Popen[bytes]] = []


@contextmanager
def staged(target: Path, remove: Callable[[Path], None] | None = None) -> Iterator[Folder]:
    """A fresh folder next to `target` to build into; swapped in for `target` when the block ends
    without error, removed otherwise, so the previous site stays exactly as it was. The old site is
    removed by `remove` (default: at once)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        yield Folder(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, target, remove)


@contextmanager
def in_place(site: Path, cache: BuildCache) -> Iterator[InPlace]:
    """The last site `site`, to update where it stands: committed when the block ends without
    error and without `InPlace.discard`; otherwise the site is left as it was."""
    update = InPlace(site, cache)
    try:
        yield update
    except BaseException:
        shutil.rmtree(update.root, ignore_errors=True)
        raise
    if update.discarded:
        shutil.rmtree(update.root, ignore_errors=True)
    else:
        update.commit()


def swap_in(staging: Path, target: Path, remove: Callable[[Path], None] | None = None) -> None:
    """Replace `target` by `staging` with two renames; the old site is removed only afterwards
    (by `remove`, e.g. in another thread, when given)."""
    staging.chmod(0o755)
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        retired.rmdir()
        target.rename(retired)
        staging.rename(target)
        (remove or _remove)(retired)
    else:
        staging.rename(target)
