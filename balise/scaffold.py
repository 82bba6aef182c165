"""`balise init`: a new site repository from the files in `scaffold/site/`."""

from __future__ import annotations

from pathlib import Path

import click
import jinja2
import yaml

from . import __version__

SCAFFOLD = Path(__file__).parent / "scaffold" / "site"
# Dotfiles and dot-folders are awkward to ship inside a package: they are renamed on the way out.
RENAMED = {"gitignore": ".gitignore", "github": ".github", "pre-commit-config.yaml": ".pre-commit-config.yaml"}
# Copied byte for byte, not rendered: GitHub's `${{ }}` expressions and playbook `{{ placeholders }}`.
VERBATIM = ("github/", "content/playbooks/")
# Pieces the templates include (e.g. the README in the site's language), not files of the new site.
INCLUDED_ONLY = ("_readme/",)


def scaffold(directory: Path, *, name: str | None, language: str, timezone: str) -> list[Path]:
    """Write the scaffold into `directory`; refuses to overwrite any existing file."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SCAFFOLD)), keep_trailing_newline=True)
    env.filters["yaml"] = yaml_text
    values = {"name": name or directory.resolve().name, "language": language, "timezone": timezone, "version": __version__}
    sources = sorted(p for p in SCAFFOLD.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                     and not p.relative_to(SCAFFOLD).as_posix().startswith(INCLUDED_ONLY))
    targets = []
    for source in sources:
        relative = source.relative_to(SCAFFOLD)
        target = directory.joinpath(*(RENAMED.get(part, part) for part in relative.parts))
        if target.exists():
            raise click.ClickException(f"{target}: already exists — balise init only creates new files")
        blocking = next((folder for folder in target.parents if folder.exists() and not folder.is_dir()), None)
        if blocking is not None:
            raise click.ClickException(f"{blocking}: is a file where balise init makes a folder — move it away first")
        targets.append((relative, target))
    written = []
    for relative, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.as_posix().startswith(VERBATIM):
            target.write_bytes((SCAFFOLD / relative).read_bytes())
        else:
            target.write_text(env.get_template(relative.as_posix()).render(values), encoding="utf-8")
        written.append(target)
    return written


def yaml_text(value: str) -> str:
    """A string as a YAML value: quoted only when it must be (a ': ' or a '#' in a name)."""
    return yaml.safe_dump(value, allow_unicode=True, width=1000).removesuffix("\n...\n").strip()
