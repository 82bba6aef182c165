"""`balise init`: a new site repository from the files in `scaffold/site/`."""

from __future__ import annotations

from pathlib import Path

import click
import jinja2

SCAFFOLD = Path(__file__).parent / "scaffold" / "site"
RENAMED = {"gitignore": ".gitignore"}  # dotfiles are awkward to ship inside a package


def scaffold(directory: Path, *, name: str | None, language: str, timezone: str) -> list[Path]:
    """Write the scaffold into `directory`; refuses to overwrite any existing file."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SCAFFOLD)), keep_trailing_newline=True)
    values = {"name": name or directory.resolve().name, "language": language, "timezone": timezone}
    sources = sorted(p for p in SCAFFOLD.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    targets = []
    for source in sources:
        relative = source.relative_to(SCAFFOLD)
        target = directory / relative.parent / RENAMED.get(relative.name, relative.name)
        if target.exists():
            raise click.ClickException(f"{target}: already exists — balise init only creates new files")
        targets.append((relative, target))
    written = []
    for relative, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(relative.as_posix()).render(values), encoding="utf-8")
        written.append(target)
    (directory / "incidents").mkdir(parents=True, exist_ok=True)
    return written
