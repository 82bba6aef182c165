"""A throwaway git repository for tests: commits at fixed times, clones, no global git config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(cwd: Path, *args: str, when: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Claire Dubois",
        "GIT_AUTHOR_EMAIL": "claire@example.org",
        "GIT_COMMITTER_NAME": "Claire Dubois",
        "GIT_COMMITTER_EMAIL": "claire@example.org",
    }
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def init_repo(directory: Path) -> Path:
    (directory / ".gitignore").write_text("/site/\n", encoding="utf-8")
    git(directory, "init", "-q")
    return directory


def commit_all(directory: Path, message: str, when: str) -> str:
    """Commit everything at the fixed time `when` (ISO 8601); returns the full SHA."""
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "-m", message, when=when)
    return git(directory, "rev-parse", "HEAD").strip()
