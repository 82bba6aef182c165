"""Errors a writer can act on: each names a file and a line, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class ContentError(click.ClickException):
    """Raised when content cannot be used; carries every problem found, not just the first."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def show(self, file=None) -> None:  # click prints "Error: ..." by default; we want bare lines
        click.echo(self.format_message(), err=True)


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
