"""`balise init`: a new site repository from the files in `scaffold/site/`."""

from __future__ import annotations

import json
import re
from importlib.metadata import Distribution, distribution
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import jinja2
import yaml

from balise.mkdocs_adapter.project import shown

SCAFFOLD = Path(__file__).parents[1] / "scaffold" / "site"
# Dotfiles and dot-folders are awkward to ship inside a package: they are renamed on the way out.
RENAMED = {"gitignore": ".gitignore", "github": ".github", "pre-commit-config.yaml": ".pre-commit-config.yaml"}
# Copied byte for byte, not rendered: GitHub's `${{ }}` expressions and playbook `{{ placeholders }}`.
VERBATIM = ("github/", "content/playbooks/")
# Pieces the templates include (e.g. the README in the site's language), not files of the new site.
INCLUDED_ONLY = ("_readme/",)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--name", default=None, help="The organisation's name (default: the folder's name).")
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--timezone", "zone", default="Europe/Paris", show_default=True)
@click.option(
    "--balise-requirement",
    "requirement",
    envvar="BALISE_REQUIREMENT",
    show_envvar=True,
    default=None,
    help="What the site's requirements.txt installs, e.g. 'balise==0.2.0' or "
    "'balise @ git+https://github.com/OWNER/balise@COMMIT' (default: this very balise, "
    "from the release or the git commit it was installed from).",
)
def init(directory: str, name: str | None, language: str, zone: str, requirement: str | None) -> None:
    """Create a new status site in DIRECTORY."""
    if not directory.strip():
        raise click.BadParameter("give the folder to create, e.g. balise init statut", param_hint="DIRECTORY")
    if name is not None and (not name.strip() or any(not ch.isprintable() for ch in name)):
        raise click.BadParameter(
            f"{name!r} is not a name to show — give the organisation's name on one line", param_hint="--name"
        )
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"unknown time zone '{zone}' — use an IANA name such as Europe/Paris", param_hint="--timezone"
        ) from None
    if requirement is None:
        try:
            requirement = balise_requirement()
        except NotReproducible as reason:
            raise click.ClickException(
                f"{reason}, which the site's CI cannot install — say what its requirements.txt should install, "
                'e.g. --balise-requirement "balise @ git+https://github.com/OWNER/balise@COMMIT"'
            ) from None
    elif not (re.match(r"balise(?![\w.-])", requirement.strip(), re.IGNORECASE) and requirement.isprintable()):
        raise click.BadParameter(
            f"{requirement!r} does not install balise — give one requirement line such as "
            "'balise==0.2.0' or 'balise @ git+https://github.com/OWNER/balise@COMMIT'",
            param_hint="--balise-requirement",
        )
    for path in scaffold(Path(directory), name=name, language=language, timezone=zone, requirement=requirement.strip()):
        click.echo(shown(path))


def scaffold(directory: Path, *, name: str | None, language: str, timezone: str, requirement: str) -> list[Path]:
    """Write the scaffold into `directory`; refuses to overwrite any existing file.

    `requirement` is the line of the site's requirements.txt that installs balise (see `balise_requirement`)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SCAFFOLD)), keep_trailing_newline=True)
    env.filters["yaml"] = yaml_text
    values = {
        "name": name or directory.resolve().name,
        "language": language,
        "timezone": timezone,
        "requirement": requirement,
    }
    sources = sorted(
        p
        for p in SCAFFOLD.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and not p.relative_to(SCAFFOLD).as_posix().startswith(INCLUDED_ONLY)
    )
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


class NotReproducible(Exception):  # noqa: N818 — raised as a reason: `raise NotReproducible(…)`
    """balise was installed in a way another machine (the site's CI) cannot repeat."""


def balise_requirement(dist: Distribution | None = None) -> str:
    """The requirement that installs, on the site's CI, the very balise that is running.

    Read from the record the installer left (PEP 610's direct_url.json): none means it came from a
    package index, so the version is a release; otherwise the exact git commit (a URL as it was given,
    even git+file://) or online archive it came from. A local folder (an editable install, a source
    checkout) or a local file cannot be installed elsewhere: NotReproducible says which it was."""
    dist = dist or distribution("balise")
    if dist.read_text("INSTALLER") is None:
        # No installer wrote this metadata: setuptools' egg-info in a source checkout (`python -m balise` run there).
        raise NotReproducible(f"balise runs from the source folder {dist.locate_file('')}")
    recorded = dist.read_text("direct_url.json")
    if recorded is None:
        return f"balise=={dist.version}"
    origin = json.loads(recorded)
    url = origin["url"]
    subdirectory = [f"subdirectory={origin['subdirectory']}"] if origin.get("subdirectory") else []
    if "vcs_info" in origin:
        vcs = origin["vcs_info"]
        return f"balise @ {vcs['vcs']}+{url}@{vcs['commit_id']}" + fragment(subdirectory)
    if "archive_info" in origin and urlsplit(url).scheme in ("http", "https"):
        return f"balise @ {url}" + fragment(archive_hash(origin["archive_info"]) + subdirectory)
    where = "folder" if "dir_info" in origin else "file"
    raise NotReproducible(f"balise was installed from the {where} {unquote(urlsplit(url).path) or url}")


def archive_hash(archive_info: dict[str, Any]) -> list[str]:
    """What makes pip check the archive's hash: [] when none was recorded."""
    hashes = archive_info.get("hashes") or {}
    if "sha256" in hashes:
        return [f"sha256={hashes['sha256']}"]
    legacy = archive_info.get("hash", "")  # "sha256=…", the field `hashes` replaced
    return [legacy] if "=" in legacy else []


def fragment(parts: list[str]) -> str:
    return "#" + "&".join(parts) if parts else ""
