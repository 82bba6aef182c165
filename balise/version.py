"""Which version of the content a build comes from, read from git, and the build's reference time."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class SourceVersion:
    commit: str | None = None  # full SHA, None outside git
    commit_time: datetime | None = None
    dirty: bool = False  # uncommitted changes in the work tree

    @property
    def short(self) -> str | None:
        return self.commit[:7] if self.commit else None


def git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def source_version(root: Path) -> SourceVersion:
    head = git(root, "log", "-1", "--format=%H %ct")
    if not head or not head.strip():
        return SourceVersion()
    commit, epoch = head.split()
    status = git(root, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return SourceVersion(commit, datetime.fromtimestamp(int(epoch), timezone.utc), bool(status and status.strip()))


def reference_time(version: SourceVersion) -> datetime:
    """The moment a build describes: SOURCE_DATE_EPOCH if set, else the commit's time when the
    work tree is clean (so a commit always builds the same bytes), else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    if version.commit_time and not version.dirty:
        return version.commit_time
    return datetime.now(timezone.utc).replace(microsecond=0)
