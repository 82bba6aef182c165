"""`balise build` when nothing MkDocs reads changed since the last build: MkDocs is not even imported
(`pipeline.unchanged`), and the site, the messages and the exit code are those of a build with it.

Whether MkDocs was imported shows only in a fresh interpreter: each build here runs in one, in the
demo's folder, with the cache of the test (`BALISE_CACHE_DIR`) and its moment (`SOURCE_DATE_EPOCH`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_incremental import OPEN_INCIDENT, append_update, assert_same_site

from conftest import DEMO_NOW, copy_demo, edit, without_as_of
from gitrepo import commit_all, init_repo

# Runs `balise ARGS...` as the command line does, then prints the MkDocs modules it imported; with
# "blocked", importing MkDocs, Material or balise's MkDocs adapter fails (a traceback, exit code 1).
PROBE = textwrap.dedent(
    """
    import json
    import sys
    from importlib.abc import MetaPathFinder

    MKDOCS = ("mkdocs", "material", "balise.mkdocs_adapter")

    class Blocked(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == blocked or name.startswith(blocked + ".") for blocked in MKDOCS):
                raise ImportError(f"{name} is blocked: this build must not need MkDocs")
            return None

    if sys.argv[1] == "blocked":
        sys.meta_path.insert(0, Blocked())
    from balise.cli.main import main

    try:
        main(sys.argv[2:], prog_name="balise")
        code = 0
    except SystemExit as done:
        code = done.code or 0
    print(json.dumps(sorted(n for n in sys.modules if any(n == m or n.startswith(m + ".") for m in MKDOCS))))
    sys.exit(code)
    """
)


class Built:
    def __init__(self, process: subprocess.CompletedProcess[str]):
        self.code, self.stderr = process.returncode, process.stderr
        lines = process.stdout.strip().splitlines()
        self.imported: list[str] = json.loads(lines[-1]) if lines else []

    @property
    def with_mkdocs(self) -> bool:
        return "mkdocs" in self.imported


def balise(root: Path, *args: str, blocked: bool = False, expect: int = 0) -> Built:
    """`balise ARGS` in `root`, in a fresh interpreter (MkDocs blocked, or not)."""
    process = subprocess.run(
        [sys.executable, "-c", PROBE, "blocked" if blocked else "free", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    built = Built(process)
    assert built.code == expect, f"balise {' '.join(args)} exited {built.code}\n{process.stderr}"
    return built


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BALISE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def site(demo, at_time) -> Path:
    """The demo, built once (with MkDocs: a first build)."""
    at_time(DEMO_NOW)
    assert balise(demo, "build").with_mkdocs
    return demo


def cold(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Path:
    """The same site built by MkDocs into another folder, with an empty cache."""
    monkeypatch.setenv("BALISE_CACHE_DIR", str(tmp_path / "cold-cache"))
    target = tmp_path / "cold"
    assert balise(root, "build", "-d", str(target), *args).with_mkdocs
    return target


def test_a_build_after_an_update_needs_no_mkdocs_and_makes_the_same_site(site, tmp_path, monkeypatch):
    append_update(site, "La cause est trouvée : un certificat expiré.")
    fast = balise(site, "build", blocked=True)
    assert fast.imported == [] and fast.stderr == f"Site built in {site / 'site'}\n"
    assert "certificat expiré" in (site / "site" / OPEN_INCIDENT.replace(".md", "/index.html")).read_text(
        encoding="utf-8"
    )
    assert_same_site(site / "site", cold(site, tmp_path, monkeypatch))


def test_in_git_the_build_is_dated_by_its_commit_as_with_mkdocs(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = init_repo(without_as_of(copy_demo(tmp_path / "demo")))
    commit_all(root, "first", "2026-11-22T11:00:00+01:00")
    assert balise(root, "build").with_mkdocs
    append_update(root, "Trouvé.")
    commit_all(root, "second", "2026-11-22T11:40:00+01:00")
    assert not balise(root, "build", blocked=True).with_mkdocs
    assert_same_site(root / "site", cold(root, tmp_path, monkeypatch))


@pytest.mark.parametrize(
    "change",
    ["mkdocs.yml", "a writer's page", "an !ENV value", "another -d", "--strict"],
)
def test_mkdocs_builds_when_what_it_reads_or_how_it_is_run_changed(demo, at_time, monkeypatch, change):
    config = demo / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + 'copyright: !ENV [BALISE_TEST_COPYRIGHT, "Le Relais"]\n', encoding="utf-8"
    )
    at_time(DEMO_NOW)
    balise(demo, "build")
    assert not balise(demo, "build").with_mkdocs  # nothing changed
    args = ["build"]
    if change == "mkdocs.yml":
        edit(demo, "mkdocs.yml", "language: fr", "language: en")
    elif change == "a writer's page":
        (demo / "content" / "a-propos.md").write_text("# À propos\n\nUne autre page.\n", encoding="utf-8")
    elif change == "an !ENV value":
        monkeypatch.setenv("BALISE_TEST_COPYRIGHT", "© Le Relais Solidaire")
    elif change == "another -d":
        args += ["-d", "elsewhere"]
    else:
        args += ["--strict"]
    assert balise(demo, *args).with_mkdocs
    assert not balise(demo, *args).with_mkdocs  # and then it need not again


def test_a_strict_build_needs_no_mkdocs_either(site):
    assert balise(site, "build", "--strict").with_mkdocs  # --strict is another MkDocs build
    append_update(site, "Toujours en cours.")
    assert not balise(site, "build", "--strict", blocked=True).with_mkdocs


def test_without_site_url_it_warns_as_mkdocs_does_and_strict_fails_as_with_it(demo, at_time):
    edit(demo, "mkdocs.yml", "site_url:", "# site_url:")
    at_time(DEMO_NOW)
    first = balise(demo, "build")
    fast = balise(demo, "build", blocked=True)
    assert first.with_mkdocs and "site_url is not set" in first.stderr
    assert fast.stderr == first.stderr
    assert fast.stderr.startswith("warning: balise: site_url is not set in mkdocs.yml")
    assert balise(demo, "build", "--strict", expect=1).with_mkdocs  # MkDocs aborts it
    assert balise(demo, "build", "--strict", expect=1).with_mkdocs  # every time


def test_what_mkdocs_warned_is_said_again_when_its_files_are_reused(demo, at_time):
    with open(demo / "content" / "a-propos.md", "a", encoding="utf-8") as page:
        page.write("\nVoir [la page disparue](disparue.md).\n")
    at_time(DEMO_NOW)
    first = balise(demo, "build")
    assert first.with_mkdocs and "disparue.md" in first.stderr
    append_update(demo, "Toujours en cours.")
    assert balise(demo, "build", blocked=True).stderr == first.stderr
    (index,) = Path(os.environ["BALISE_CACHE_DIR"]).glob("configs/*")
    index.unlink()  # MkDocs reads mkdocs.yml again, but need not build: its files are taken
    edit(demo, OPEN_INCIDENT, "Toujours en cours.", "Toujours en cours, encore.")
    assert balise(demo, "build").stderr == first.stderr


def test_content_errors_are_refused_as_with_mkdocs(site):
    before = (site / "site" / "index.html").read_bytes()
    edit(site, OPEN_INCIDENT, "— investigating", "— investigatin")
    refused = balise(site, "build", blocked=True, expect=1)
    assert not refused.with_mkdocs and "Traceback" not in refused.stderr
    assert f"{OPEN_INCIDENT}:" in refused.stderr
    assert (site / "site" / "index.html").read_bytes() == before


def test_the_run_summary_in_github_actions_is_written_as_with_mkdocs(site, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(site))
    summaries = []
    for name, args, blocked in (("mkdocs", ["-d", str(tmp_path / "other")], False), ("fast", [], True)):
        summary = tmp_path / f"summary-{name}.md"
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        assert balise(site, "build", *args, blocked=blocked).with_mkdocs is not blocked
        summaries.append(summary.read_text(encoding="utf-8"))
    assert summaries[0] and summaries[1] == summaries[0]


def test_a_damaged_cache_or_index_means_a_build_with_mkdocs_and_one_line(site, tmp_path, monkeypatch):
    cache = Path(os.environ["BALISE_CACHE_DIR"])
    (index,) = cache.glob("configs/*")
    index.write_text("not json", encoding="utf-8")
    assert balise(site, "build").with_mkdocs  # the index is made again
    assert not balise(site, "build").with_mkdocs
    (state,) = cache.glob("sites/*/state.pickle")
    state.write_bytes(b"not a pickle")
    append_update(site, "Trouvé.")
    again = balise(site, "build")
    assert again.with_mkdocs
    lines = [line for line in again.stderr.splitlines() if "build cache" in line]
    assert len(lines) == 1 and "cannot be read" in lines[0] and "Traceback" not in again.stderr
    assert_same_site(site / "site", cold(site, tmp_path, monkeypatch))


def test_a_theme_file_gone_from_the_site_means_a_build_with_mkdocs(site, tmp_path, monkeypatch):
    (theme_file,) = (site / "site").glob("assets/stylesheets/main.*.css")
    theme_file.unlink()
    assert balise(site, "build").with_mkdocs
    assert theme_file.is_file()
    assert_same_site(site / "site", cold(site, tmp_path, monkeypatch))
