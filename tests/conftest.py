"""Shared fixtures: scratch copies of the demo site, the CLI, and readers for the built HTML."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from balise.cli.main import main

REPO = Path(__file__).resolve().parent.parent
DEMO_PARTS = ("mkdocs.yml", "status", "incidents", "content")
# A fixed "now" for builds of the demo: Sunday 22 November 2026, 12:30 in Paris, while the
# demo's open incident is running and its maintenance is upcoming.
DEMO_NOW = datetime.fromisoformat("2026-11-22T12:30:00+01:00")


def copy_demo(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in DEMO_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


@pytest.fixture(scope="session", autouse=True)
def balise_requirement():
    """The suite runs balise from an editable install, which `balise init` cannot write into a site's
    requirements.txt (tests/test_release.py tests that): tell it what to write, as a user would."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BALISE_REQUIREMENT", f"balise @ {REPO.as_uri()}")
        yield


@pytest.fixture(scope="session", autouse=True)
def build_cache(tmp_path_factory):
    """Builds keep their cache (pipeline.cache) in the session's folder, not in the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BALISE_CACHE_DIR", str(tmp_path_factory.mktemp("balise-cache")))
        yield


def without_as_of(site: Path) -> Path:
    """A copy of the demo as a real site: no `as_of` pinning the moment shown, so a build in git is
    dated by its commit."""
    config = site / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.strip().startswith("as_of:")]
    assert len(kept) == len(lines) - 1, "the demo's mkdocs.yml sets as_of"
    config.write_text("".join(kept), encoding="utf-8")
    return site


@pytest.fixture
def demo(tmp_path) -> Path:
    """A scratch copy of the demo organisation (outside git, so builds use SOURCE_DATE_EPOCH)."""
    return copy_demo(tmp_path / "demo")


@pytest.fixture
def versions_walked(monkeypatch) -> list[str]:
    """The incident file of each version the git history's walk parses (`history._version`), in
    the builds and checks run in this process while the test runs."""
    from balise.content import history

    walked: list[str] = []
    real = history._version
    monkeypatch.setattr(
        history, "_version", lambda incident, *rest: walked.append(incident.path) or real(incident, *rest)
    )
    return walked


@pytest.fixture
def at_time(monkeypatch):
    """Pin the build's reference time."""

    def pin(moment: datetime) -> None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(moment.timestamp())))

    return pin


def edit(demo: Path, relative: str, old: str, new: str) -> None:
    """Replace the first `old` by `new` in a file of the demo copy; fails if `old` is not there."""
    path = demo / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def built_at(cli, demo, at_time):
    """Build the demo copy as of a moment; returns its site folder."""

    def build(moment: datetime = DEMO_NOW) -> Path:
        at_time(moment)
        cli("build")
        return demo / "site"

    return build


class Cli:
    def __init__(self, cwd: Path):
        self.cwd = cwd

    def __call__(self, *args: str, expect: int = 0):
        runner = CliRunner()
        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            result = runner.invoke(main, [str(a) for a in args], catch_exceptions=True)
        finally:
            os.chdir(old)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback is always a defect: surface it
        assert result.exit_code == expect, (
            f"balise {' '.join(map(str, args))} exited {result.exit_code}, expected {expect}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
        return result


@pytest.fixture
def cli(demo) -> Cli:
    """Run `balise ...` in the demo copy; asserts the exit code and that nothing raised."""
    return Cli(demo)


def page(site: Path, path: str = "") -> BeautifulSoup:
    """Parse a built page: '' is the home page, 'incidents/x/' an incident page."""
    file = site / path / "index.html" if not path.endswith(".html") else site / path
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").split())


# -- whole-site checks (tests/browser.py): one build per language, one browser, per session -------


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory):
    """`built_demo("fr")` / `built_demo("en")`: the demo built at DEMO_NOW, once per session."""
    from browser import build_demo

    sites: dict[str, Path] = {}

    def get(language: str = "fr") -> Path:
        if language not in sites:
            sites[language] = build_demo(tmp_path_factory.mktemp(f"demo-{language}"), DEMO_NOW, language)
        return sites[language]

    return get


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    from browser import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture(scope="session")
def served():
    """`served(site_dir)`: the base URL of a local HTTP server for that folder (kept for the session)."""
    from contextlib import ExitStack

    from browser import serve

    urls: dict[Path, str] = {}
    with ExitStack() as stack:

        def get(site: Path) -> str:
            if site not in urls:
                urls[site] = stack.enter_context(serve(site))
            return urls[site]

        yield get
