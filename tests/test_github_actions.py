"""In GitHub Actions, problems show on the file in the commit, and a build says what went live."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from conftest import DEMO_NOW, Cli, copy_demo, edit
from gitrepo import commit_all, init_repo

OPEN = "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
OLD = "incidents/2026-10-27-ligne-ecoute-injoignable.md"


@pytest.fixture
def actions(monkeypatch, demo):
    """Run as a GitHub Actions step whose repository root is the demo's folder."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(demo))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def annotations(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("::")]


def plain(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line and not line.startswith("::")]


@pytest.mark.parametrize("command", ["check", "build"])
def test_each_problem_is_also_an_annotation_on_its_file_and_line(cli, demo, actions, command):
    edit(demo, OPEN, "impact: major", "impact: 50%")
    (demo / "incidents/panne, site.md").write_bytes((demo / OLD).read_bytes())
    result = cli(command, expect=1)
    assert plain(result) == [
        f"{OPEN}:4: '50%' is not a valid impact — expected one of: none, minor, major, critical",
        "incidents/panne, site.md:1: file name 'panne, site.md' is not a valid id — rename it 'panne-site.md'",
    ]
    # GitHub's escaping: '%' in the message; ',' and ':' too in a property.
    assert annotations(result) == [
        f"::error file={OPEN},line=4::'50%25' is not a valid impact — expected one of: none, minor, major, critical",
        "::error file=incidents/panne%2C site.md,line=1::file name 'panne, site.md' is not a valid id — "
        "rename it 'panne-site.md'",
    ]
    assert not (demo / "site").exists()


def test_warnings_are_warning_annotations_and_paths_start_at_the_repository_root(
    cli, demo, actions, at_time, monkeypatch
):
    monkeypatch.setenv("GITHUB_WORKSPACE", str(demo.parent))  # the site is a folder of the repository
    at_time(datetime.fromisoformat("2026-11-22T12:01:00+01:00"))  # the 12:00 promise is late
    result = cli("check")
    [warning] = annotations(result)
    found = re.fullmatch(
        rf"::warning file=demo/{OPEN},line=(\d+)::the next update was promised for "
        r"2026-11-22 12:00 \+01:00 and is overdue — post an update now: balise update .*",
        warning,
    )
    assert found, warning
    assert f"{OPEN}:{found[1]}: warning: the next update was promised for 2026-11-22 12:00 +01:00" in result.stderr


def test_outside_github_actions_there_are_only_the_plain_lines(cli, demo, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    edit(demo, OPEN, "impact: major", "impact: 50%")
    result = cli("check", expect=1)
    assert annotations(result) == [] and len(plain(result)) == 1


def test_a_broken_theme_template_and_a_bad_option_are_problems_too(cli, demo, actions, at_time):
    at_time(DEMO_NOW)
    edit(demo, "mkdocs.yml", "  name: material\n", "  name: material\n  custom_dir: theme\n")
    (demo / "theme").mkdir()
    (demo / "theme/main.html").write_text('{% extends "base.html" %}\n{% block content %}{{ 1 + }}{% endblock %}\n')
    result = cli("build", expect=1)
    assert "Traceback" not in result.stderr and not (demo / "site").exists()
    assert plain(result) == [
        "theme/main.html:2: unexpected 'end of print statement' — fix this template; "
        "the previous site was left as it was"
    ]
    assert annotations(result) == [
        "::error file=theme/main.html,line=2::unexpected 'end of print statement' — "
        "fix this template; the previous site was left as it was"
    ]

    (demo / "theme/main.html").unlink()
    edit(demo, "mkdocs.yml", "as_of: 2026-11-22T11:30:00+01:00", "as_of: demain")
    result = cli("build", expect=1)
    line = next(n for n, text in enumerate((demo / "mkdocs.yml").read_text().splitlines(), 1) if "as_of" in text)
    [annotation] = annotations(result)
    assert annotation.startswith(
        f"::error file=mkdocs.yml,line={line}::Config value 'plugins': Plugin 'balise' "
        "option 'as_of': 'demain' is not a time"
    )
    assert plain(result)[0].startswith(f"mkdocs.yml:{line}: Config value 'plugins'")


# -- the step summary -------------------------------------------------------------------------------
def committed_site(tmp_path):
    """The demo in git: a first commit, then one that corrects an old incident and adds a draft."""
    origin = init_repo(copy_demo(tmp_path / "origin"))
    commit_all(origin, "The demo", "2026-11-22T11:00:00+01:00")
    edit(origin, OLD, "title: Ligne d'écoute injoignable\n", 'title: "[Ligne](javascript:alert(1)) | <b>*"\n')
    draft = (
        (origin / OPEN)
        .read_text()
        .replace("---\n", "---\ndraft: true\n", 1)
        .replace("Prise de rendez-vous en ligne indisponible", "Brouillon confidentiel")
    )
    (origin / "incidents/2026-11-23-brouillon.md").write_text(draft)
    sha = commit_all(origin, "Correct a title; a draft", "2026-11-22T11:20:00+01:00")
    return origin, sha


def test_the_build_writes_a_step_summary_of_what_went_live(tmp_path, monkeypatch):
    origin, sha = committed_site(tmp_path)
    summary = tmp_path / "summary.md"
    summary.write_text("Earlier step.\n")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(origin))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    config = origin / "mkdocs.yml"
    config.write_text(config.read_text() + "repo_url: https://github.com/relais-solidaire/statut\n")
    Cli(origin)("build")
    text = summary.read_text()
    assert text.startswith("Earlier step.\n### Status page built\n")  # appended, never replacing
    assert "- **Address:** <https://statut.relais-solidaire.example.org/>" in text
    assert (
        f"- **Commit:** [`{sha[:7]}`](https://github.com/relais-solidaire/statut/commit/{sha}) "
        "(2026-11-22 11:20 +01:00)" in text
    )
    assert "- **Shown as of:** 2026-11-22 11:30 +01:00 (pinned by `as_of` in mkdocs.yml)" in text
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    assert rows[0] == (
        r"| [\[Ligne\]\(javascript\:alert\(1\)\) \| \<b\>\*]"
        "(https://statut.relais-solidaire.example.org/incidents/2026-10-27-ligne-ecoute-injoignable/)"
        " | resolved | " + rows[0].split(" | ")[2] + " | changed in this commit |"
    )
    assert [row.split(" | ")[-1].removesuffix(" |") for row in rows[1:]] == ["maintenance upcoming", "open"]
    assert "Brouillon" not in text and "brouillon" not in text  # a draft is in no output
    assert "GITHUB" not in text and "/" + str(tmp_path).strip("/") not in text


def test_no_step_summary_without_the_variable(tmp_path, monkeypatch):
    origin, _ = committed_site(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = Cli(origin)("build")
    assert annotations(result) == [] and list(tmp_path.glob("*.md")) == []
