"""The one writer: every file a build makes goes to disk here, on several cores, swapped in whole.

`write` takes a `Production` (the site-wide files, and each incident's, all lazy) and writes it
into a folder; incidents' files are rendered by forked workers (`parallel`) while this process
writes the others. `staged` gives a fresh folder next to the site and swaps it in with two
renames when the build succeeds, so a failed build leaves the previous site exactly as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from balise.content.model import Incident
from balise.pipeline import parallel

Files = Iterable[tuple[str, "str | bytes"]]  # (site-relative path, content)


@dataclass
class Production:
    """Every file balise makes: the site-wide ones, and each incident's (which `write` may hand to
    other cores). Lazy: a file is rendered when the writer takes it."""

    site: Files
    incidents: list[Incident]
    of_incident: Callable[[Incident], Files]


def write(site_dir: Path, production: Production) -> list[str]:
    """Write every file of `production` into `site_dir`; returns the site-relative paths written.

    With a long history, the incidents' files (the bulk of the work) are written by forked workers
    while this process writes the others: each file depends only on the content, so the bytes are
    the same whichever process writes them."""

    def write_files(files: Files) -> list[str]:
        return write_files_into(site_dir, files)

    with parallel.incident_workers(production.incidents, production.of_incident, write_files) as others:
        written = write_files(production.site)
        if not others.parallel:
            written += write_files(
                item for incident in production.incidents for item in production.of_incident(incident)
            )
    return written + others.written


def write_files_into(site_dir: Path, files: Files) -> list[str]:
    written = []
    made: set[Path] = set()
    for relative, data in files:
        target = site_dir / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8", newline="\n")
        written.append(relative)
    return written


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """A fresh folder next to `target` to build into; swapped in for `target` when the block ends
    without error, removed otherwise, so the previous site stays exactly as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, target)


def swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by `staging` with two renames; the old site is removed only afterwards."""
    staging.chmod(0o755)
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        retired.rmdir()
        target.rename(retired)
        staging.rename(target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(target)
