"""Which version of the content a build comes from, read from git, and the build's reference time."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import click


@dataclass(frozen=True)
class SourceVersion:
    commit: str | None = None  # full SHA, None outside git
    commit_time: datetime | None = None
    dirty: bool = False  # uncommitted changes in the work tree

    @property
    def short(self) -> str | None:
        return self.commit[:7] if self.commit else None


GIT_TIMEOUT = 120  # seconds; a whole history's `git log --raw` on a slow runner included


def git_output(root: Path, *args: str, data: bytes | None = None) -> bytes | None:
    """What `git -C root ARGS` prints (fed `data`), or None if git is missing, fails or times out:
    balise then reads no history and says the version is unknown. The one place balise runs git."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], input=data, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def git(root: Path, *args: str) -> str | None:
    """`git_output` as text."""
    out = git_output(root, *args)
    return out.decode("utf-8", "replace") if out is not None else None


def source_version(root: Path, reads: Iterable[Path], output: Path | None = None) -> SourceVersion:
    """The commit checked out in `root`, and whether what the build `reads` differs from it. Only
    those paths count: an untracked `.venv/` or an edited README leaves the commit's site unchanged;
    `output` (the site folder) never counts."""
    head = git(root, "log", "-1", "--format=%H %ct")
    if not head or not head.strip():
        return SourceVersion()
    commit, epoch = head.split()
    commit_time = datetime.fromtimestamp(int(epoch), timezone.utc)
    top = git(root, "rev-parse", "--show-toplevel")
    inside = [path for path in _resolved(reads) if top and path.is_relative_to(Path(top.strip()).resolve())]
    if not inside:  # a pathspec outside the work tree would make git refuse the whole command
        return SourceVersion(commit, commit_time)
    status = git(
        root,
        "status",
        "--porcelain",
        "--untracked-files=normal",
        "--",
        *(str(path) for path in inside),
        *_excluded(root, output),
    )
    return SourceVersion(commit, commit_time, bool(status and status.strip()))


def _resolved(paths: Iterable[Path]) -> list[Path]:
    return sorted({Path(path).resolve() for path in paths})


def _excluded(root: Path, output: Path | None) -> list[str]:
    """Pathspecs leaving out the site folder and the build's staging folders next to it."""
    if output is None:
        return []
    try:
        relative = output.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return []
    if not relative or relative == ".":
        return []
    parent, _, name = relative.rpartition("/")
    return [f":(exclude){relative}", f":(exclude,glob){parent + '/' if parent else ''}.{name}.*"]


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH as a time, None if unset. MkDocs reads it too, with int(): a value it could
    not read is refused here, in one line, rather than in a traceback from MkDocs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise click.ClickException(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a time — set it to seconds since 1970, "
            "e.g. SOURCE_DATE_EPOCH=$(date +%s), or unset it"
        ) from None


def reference_time(version: SourceVersion, as_of: datetime | None = None) -> datetime:
    """The moment a build describes: SOURCE_DATE_EPOCH if set, else `as_of` (the plugin's option, for
    a demo or a reproduction), else the commit's time when the work tree is clean (so a commit always
    builds the same bytes), else the clock."""
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    if as_of is not None:
        return as_of
    if version.commit_time and not version.dirty:
        return version.commit_time
    return datetime.now(timezone.utc).replace(microsecond=0)


def commit_url(repo_url: str | None, commit: str | None) -> str:
    """The web page of a commit on the repository's forge (`repo_url` in mkdocs.yml), or ''."""
    if not repo_url or not commit:
        return ""
    base = repo_url.rstrip("/")
    if base.endswith(".git"):
        base = base[:-4]
    from urllib.parse import urlsplit

    host = urlsplit(base).hostname or ""
    if not host:
        return ""  # not a web address
    return f"{base}/-/commit/{commit}" if "gitlab" in host else f"{base}/commit/{commit}"


def clock_time(as_of: datetime | None = None) -> datetime:
    """'Now' for a writer's commands (check, status): SOURCE_DATE_EPOCH if set, else `as_of` (the
    moment a demo's site shows), else the clock."""
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    if as_of is not None:
        return as_of
    return datetime.now(timezone.utc).replace(microsecond=0)
