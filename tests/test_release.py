"""A site made by `balise init` can publish: its requirements.txt installs the very balise that made it
(a release, or the exact git commit or archive), and balise's own wheel installs and builds a site.

The install tests build balise's wheel and install it, with its dependencies pinned by
scripts/constraints.txt, in fresh virtualenvs (no system site-packages), as a site's CI would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import PathDistribution
from pathlib import Path

import pytest

from balise import __version__
from balise.cli.scaffold import NotReproducible, balise_requirement
from conftest import REPO, Cli
from gitrepo import commit_all, init_repo

SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1"
ASK = "which the site's CI cannot install — say what its requirements.txt should install, e.g. --balise-requirement"


def installed(tmp_path: Path, direct_url: dict | None, installer: str | None = "pip") -> PathDistribution:
    """A balise-0.1.0.dist-info as an installer leaves it, with this direct_url.json (PEP 610)."""
    folder = tmp_path / "balise-0.1.0.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text("Metadata-Version: 2.1\nName: balise\nVersion: 0.1.0\n", encoding="utf-8")
    if installer:
        (folder / "INSTALLER").write_text(installer + "\n", encoding="utf-8")
    if direct_url is not None:
        (folder / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
    return PathDistribution(folder)


# The shapes pip writes (and PEP 610's examples).
REPRODUCIBLE = [
    (None, "balise==0.1.0"),  # from a package index: a release
    (
        {
            "url": "https://github.com/acme/balise",
            "vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": SHA},
        },
        f"balise @ git+https://github.com/acme/balise@{SHA}",
    ),
    (
        {
            "url": "https://github.com/acme/tools.git",
            "subdirectory": "balise",
            "vcs_info": {"vcs": "git", "commit_id": SHA},
        },
        f"balise @ git+https://github.com/acme/tools.git@{SHA}#subdirectory=balise",
    ),
    (
        {
            "url": "https://files.example.org/balise-0.1.0-py3-none-any.whl",
            "archive_info": {"hash": "sha256=" + "a" * 64, "hashes": {"sha256": "a" * 64}},
        },
        "balise @ https://files.example.org/balise-0.1.0-py3-none-any.whl#sha256=" + "a" * 64,
    ),
    (
        {"url": "https://files.example.org/balise-0.1.0.tar.gz", "archive_info": {"hash": "sha256=" + "b" * 64}},
        "balise @ https://files.example.org/balise-0.1.0.tar.gz#sha256=" + "b" * 64,
    ),
    (
        {"url": "https://github.com/acme/balise/archive/v0.1.0.zip", "archive_info": {}},
        "balise @ https://github.com/acme/balise/archive/v0.1.0.zip",
    ),
]


@pytest.mark.parametrize("direct_url, requirement", REPRODUCIBLE)
def test_the_requirement_installs_the_same_balise(tmp_path, direct_url, requirement):
    assert balise_requirement(installed(tmp_path, direct_url)) == requirement


@pytest.mark.parametrize(
    "direct_url, installer, reason",
    [
        (
            {"url": "file:///home/claire/balise", "dir_info": {"editable": True}},
            "pip",
            "balise was installed from the folder /home/claire/balise",
        ),
        (
            {"url": "file:///home/claire/balise", "dir_info": {}},
            "pip",
            "balise was installed from the folder /home/claire/balise",
        ),
        (
            {"url": "file:///tmp/dist/balise-0.1.0-py3-none-any.whl", "archive_info": {"hashes": {"sha256": "c" * 64}}},
            "pip",
            "balise was installed from the file /tmp/dist/balise-0.1.0-py3-none-any.whl",
        ),
        (None, None, "balise runs from the source folder {tmp_path}"),  # setuptools' egg-info: no installer wrote it
    ],
)
def test_a_local_install_cannot_be_repeated_elsewhere(tmp_path, direct_url, installer, reason):
    with pytest.raises(NotReproducible) as raised:
        balise_requirement(installed(tmp_path, direct_url, installer))
    assert str(raised.value) == reason.format(tmp_path=tmp_path)


def test_init_from_an_editable_install_asks_for_the_requirement(tmp_path, monkeypatch):
    monkeypatch.delenv("BALISE_REQUIREMENT")  # the suite's own answer (conftest.py)
    result = Cli(tmp_path)("init", "site", expect=1)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: balise ") and ASK in lines[0], result.stderr
    assert not (tmp_path / "site").exists()  # nothing half-written


def test_the_given_requirement_wins(tmp_path, monkeypatch):
    monkeypatch.delenv("BALISE_REQUIREMENT")
    Cli(tmp_path)("init", "site", "--balise-requirement", "balise==0.2.0")
    assert requirement_line(tmp_path / "site") == "balise==0.2.0"


@pytest.mark.parametrize("value", ["", "mkdocs==1.6", "balisex==1", "balise==0.2.0\nevil==1"])
def test_a_requirement_that_does_not_install_balise_is_refused(tmp_path, value):
    result = Cli(tmp_path)("init", "site", "--balise-requirement", value, expect=2)
    assert "does not install balise" in result.stderr
    assert not (tmp_path / "site").exists()


def test_the_scaffold_links_to_no_page_that_does_not_exist(tmp_path):
    Cli(tmp_path)("init", "site")
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file():
            assert "pypi.org" not in path.read_text(encoding="utf-8"), path


def requirement_line(site: Path) -> str:
    lines = (site / "requirements.txt").read_text(encoding="utf-8").splitlines()
    [requirement] = [line for line in lines if line and not line.startswith("#")]
    return requirement


# -- installs (the slow part: one wheel, one shared virtualenv per module) ---------------------------

CONSTRAINTS = REPO / "scripts" / "constraints.txt"


def run(*args, cwd: Path | None = None, expect: int = 0) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("BALISE_REQUIREMENT", "PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == expect, f"{args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def source_copy(target: Path) -> Path:
    """What the wheel is built from, outside the work tree (a build writes build/ and *.egg-info)."""
    target.mkdir()
    shutil.copy2(REPO / "pyproject.toml", target)
    shutil.copy2(REPO / "README.md", target)
    shutil.copytree(REPO / "balise", target / "balise", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def new_venv(folder: Path) -> Path:
    run(sys.executable, "-m", "venv", folder)  # no --system-site-packages: only what is installed
    return folder / "bin"


def pip_install(venv: Path, *args) -> None:
    run(venv / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--wheel-dir",
        root / "dist",
        source_copy(root / "source"),
    )
    [built] = (root / "dist").glob("balise-*-py3-none-any.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh virtualenv with balise's dependencies at their pinned versions; each test puts its own balise in."""
    bin_dir = new_venv(tmp_path_factory.mktemp("venv") / "venv")
    pip_install(bin_dir, "-c", CONSTRAINTS, wheel)
    return bin_dir


def test_the_wheel_installs_and_its_site_builds_from_its_requirements(venv, wheel, tmp_path):
    pip_install(venv, "--no-deps", "--force-reinstall", wheel)
    # Installed from a file on this machine: another machine cannot repeat that, so init asks.
    refused = run(venv / "balise", "init", "refused", cwd=tmp_path, expect=1)
    assert (
        refused.stderr.strip() == f"Error: balise was installed from the file {wheel}, {ASK} "
        '"balise @ git+https://github.com/OWNER/balise@COMMIT"'
    )
    assert not (tmp_path / "refused").exists()

    requirement = f"balise @ {wheel.as_uri()}"
    run(venv / "balise", "init", "site", "--language", "en", "--balise-requirement", requirement, cwd=tmp_path)
    site = tmp_path / "site"
    assert requirement_line(site) == requirement
    # What the site's workflows do, in a second fresh virtualenv: install from requirements.txt, check, build.
    ci = new_venv(tmp_path / "ci")
    pip_install(ci, "-c", CONSTRAINTS, "-r", site / "requirements.txt")
    run(ci / "balise", "check", cwd=site)
    run(ci / "balise", "build", "--strict", cwd=site)
    assert (site / "site" / "index.html").is_file() and (site / "site" / "api" / "v2" / "summary.json").is_file()


def test_init_from_a_git_install_writes_its_commit(venv, tmp_path):
    origin = init_repo(source_copy(tmp_path / "origin"))
    sha = commit_all(origin, "balise", "2026-11-22T10:00:00+01:00")
    url = f"git+{origin.as_uri()}@{sha}"
    pip_install(venv, "--no-deps", "--force-reinstall", url)
    run(venv / "balise", "init", "site", cwd=tmp_path)
    assert requirement_line(tmp_path / "site") == f"balise @ {url}"


def test_init_from_an_index_install_writes_the_release(venv, wheel, tmp_path):
    # --find-links is a package index as pip sees it: no direct_url.json, so the version is a release.
    pip_install(venv, "--no-deps", "--force-reinstall", "--no-index", "--find-links", wheel.parent, "balise")
    run(venv / "balise", "init", "site", cwd=tmp_path)
    assert requirement_line(tmp_path / "site") == f"balise=={__version__}"
