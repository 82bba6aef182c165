"""The README's examples are what comms officers copy: they must stay true."""

from __future__ import annotations

import re

from conftest import REPO, page, text_of


def readme_block(language: str, after: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(after) :]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


def test_the_timeline_example_builds_as_documented(cli, demo, at_time):
    from datetime import datetime

    (demo / "incidents/2026-11-21-paiements-en-ligne-indisponibles.md").write_text(
        readme_block("markdown", "## Writing incidents"), encoding="utf-8"
    )
    cli("check")
    at_time(datetime.fromisoformat("2026-11-21T16:00:00+01:00"))
    cli("build")
    detail = page(demo / "site", "incidents/2026-11-21-paiements-en-ligne-indisponibles/")
    assert [text_of(li.select_one(".pill")) for li in detail.select("ol.timeline > li")] == [
        "Résolu",
        "Cause identifiée",
        "Enquête en cours",
    ]
    assert "ce que nous avons appris" in text_of(detail.select_one(".postmortem"))


def test_the_components_example_is_valid(cli, demo):
    (demo / "status/components.yml").write_text(readme_block("yaml", "`status/components.yml` lists"), encoding="utf-8")
    for incident in (demo / "incidents").glob("*.md"):
        incident.unlink()
    cli("check")


def test_the_quick_start_has_exactly_two_commands():
    commands = readme_block("sh", "## Quick start").strip().splitlines()
    assert len(commands) == 2
    assert commands[1].split("#")[0].strip() == "scripts/test"
    assert (REPO / ".ci/run").read_text().count("scripts/test") == 1


def test_the_scaffolded_readme_examples_work_in_both_languages(tmp_path):
    """The comms team's own README, in the site's language: its file and update examples pass check."""
    from conftest import Cli

    for language in ("fr", "en"):
        Cli(tmp_path)("init", language, "--language", language)
        site = tmp_path / language
        readme = (site / "README.md").read_text(encoding="utf-8")
        first, update = re.findall(r"```markdown\n(.*?)```", readme, re.S)[:2]
        (site / "incidents" / "2026-11-21-paiements.md").write_text(first + "\n" + update, encoding="utf-8")
        Cli(site)("check")
    assert "état des services" in (tmp_path / "fr" / "README.md").read_text(encoding="utf-8")
