"""The one writer: every file a build makes goes to disk here, on several cores, swapped in whole.

`write` takes a `Production` (the site-wide files, and each incident's, all lazy; then the files
made from the list of all others, the sitemap) and writes it into a folder; incidents' files are
rendered by forked workers (`parallel`) while this process writes the others. A file the build
cache kept (`cache.Reused`) is hard-linked from the last site, or copied with this build's footer
note. `staged` gives a fresh folder next to the site and swaps it in with two renames when the
build succeeds, so a failed build leaves the previous site exactly as it was (files hard-linked
from it are never written to: a file is always replaced, never rewritten in place).
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

from balise.content.model import Incident
from balise.pipeline import parallel
from balise.pipeline.cache import Reused

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


def write(site_dir: Path, production: Production) -> list[str]:
    """Write every file of `production` into `site_dir`; returns the site-relative paths written.

    With a long history, the incidents' files (the bulk of the work) are written by forked workers
    while this process writes the others: each file depends only on the content, so the bytes are
    the same whichever process writes them."""

    def write_files(files: Files) -> list[str]:
        return write_files_into(site_dir, files)

    with parallel.incident_workers(
        production.incidents, production.of_incident, write_files, production.collect
    ) as others:
        written = write_files(production.site)
        if not others.parallel:
            written += write_files(
                item for incident in production.incidents for item in production.of_incident(incident)
            )
    if production.merge is not None:
        production.merge(others.collected)
    written += others.written
    return written + write_files(production.after(written))


def write_files_into(site_dir: Path, files: Files) -> list[str]:
    written = []
    made: set[Path] = set()
    for relative, data in files:
        target = site_dir / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
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
        written.append(relative)
    return written


def copy_reused(reused: Reused, target: Path) -> None:
    if reused.splice is None:
        try:
            os.link(reused.source, target)
            return
        except OSError:  # another file system, or no hard links there
            shutil.copyfile(reused.source, target)
            return
    old, new = reused.splice
    target.write_bytes(reused.source.read_bytes().replace(old, new))


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
def staged(target: Path, remove: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """A fresh folder next to `target` to build into; swapped in for `target` when the block ends
    without error, removed otherwise, so the previous site stays exactly as it was. The old site is
    removed by `remove` (default: at once)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, target, remove)


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
