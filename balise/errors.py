"""Errors a writer can act on: each names a file and a line, never a traceback."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in one place of one content file."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}" if self.path else f"{prefix}{self.message}"

    @classmethod
    def from_text(cls, text: str, severity: str = "error") -> Problem:
        """A message already written as `path:line: message` (MkDocs's log, a plugin's error) as a
        Problem again; any other message is one that names no file."""
        found = LOCATED.match(text)
        if found is None:
            return cls("", 0, text, severity)
        return cls(found["path"], int(found["line"]), found["message"], "warning" if found["warning"] else severity)


LOCATED = re.compile(r"^(?P<path>[^\s:][^:\n]*):(?P<line>\d+): (?P<warning>warning: )?(?P<message>.*)$", re.DOTALL)


class ContentError(click.ClickException):
    """Raised when content cannot be used; carries every problem found, not just the first."""

    exit_code = 1

    def __init__(self, problems: list[Problem], root: Path | None = None):
        self.problems = sorted(problems)
        self.root = root  # where the problems' paths start (the site's folder); the current one if None
        super().__init__("\n".join(str(p) for p in self.problems))

    def show(self, file: IO[Any] | None = None) -> None:  # click prints "Error: ..." by default; we want bare lines
        show_problems(self.problems, self.root)


def show_problems(problems: Iterable[Problem], root: Path | None = None) -> None:
    """The one place problems are printed, one `path:line: message` line each; in GitHub Actions
    each is also a workflow annotation, so a writer who edited the file on the web sees it there."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:
        click.echo(str(problem), err=True)
        if annotate:
            click.echo(annotation(problem, root), err=True)


def annotation(problem: Problem, root: Path | None = None) -> str:
    """`::error file=…,line=…::message` (or ::warning), escaped as GitHub's workflow commands require,
    the file relative to the repository's root (GITHUB_WORKSPACE), as the checks page expects."""
    command = "error" if problem.severity == "error" else "warning"
    where = ""
    if problem.path:
        where = f" file={_escape_property(_in_workspace(problem.path, root))},line={problem.line}"
    return f"::{command}{where}::{_escape_data(problem.message)}"


def _in_workspace(path: str, root: Path | None) -> str:
    absolute = ((root or Path.cwd()) / path).resolve()
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        return absolute.relative_to(workspace).as_posix()
    except ValueError:
        return path


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def one_line(message: str) -> str:
    """Messages quote what the writer typed; a newline or control character in it must not
    break the one-problem-per-line output (or hide the rest of the line in a terminal)."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in message)


class Collector:
    """Gathers problems while content is loaded, so a writer sees all of them at once."""

    def __init__(self, root: Path | None = None):
        self.root = root
        self.problems: list[Problem] = []

    def _rel(self, path: Path | str) -> str:
        path = Path(path)
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    def error(self, path: Path | str, line: int, message: str) -> None:
        self.problems.append(Problem(self._rel(path), max(line, 1), one_line(message)))

    def warning(self, path: Path | str, line: int, message: str) -> None:
        self.problems.append(Problem(self._rel(path), max(line, 1), one_line(message), "warning"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
