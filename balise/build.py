"""The whole build: MkDocs (with the balise plugin) into a fresh folder, swapped in at the end.

A build that fails part-way leaves the previous site exactly as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build

from .project import Project


def build_site(project: Project) -> Path:
    config = project.config
    target = Path(config.site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        config.site_dir = str(staging)
        mkdocs_build(config)
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        config.site_dir = str(target)
    return target


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
