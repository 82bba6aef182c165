"""A build that fails part-way leaves the previous site exactly as it was, and nothing behind."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from conftest import page, text_of


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def leftovers(demo: Path) -> list[str]:
    return sorted(p.name for p in demo.iterdir() if p.name.startswith(".site."))


def test_an_error_mid_write_leaves_the_previous_site(cli, demo, at_time, monkeypatch):
    at_time(datetime.fromisoformat("2026-11-22T12:30:00+01:00"))
    cli("build")
    before = snapshot(demo / "site")
    assert "index.html" in before

    # The content changes, and the next build dies after writing a few pages.
    incident = demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
    incident.write_text(
        incident.read_text().replace("Prise de rendez-vous en ligne indisponible", "Titre qui ne doit pas paraître")
    )
    written = []
    real_write = Path.write_text

    def failing_write(self, text, *args, **kwargs):
        if self.suffix == ".html" and "incidents" in self.parts:
            written.append(self)
            if len(written) == 3:
                raise OSError(28, "No space left on device")
        return real_write(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing_write)
    monkeypatch.setenv("BALISE_CACHE_DIR", str(demo.parent / "empty-cache"))  # a full build: every page written
    with pytest.raises(OSError):
        cli("build")
    monkeypatch.undo()
    assert len(written) == 3  # it did fail part-way, after writing pages

    assert snapshot(demo / "site") == before
    assert leftovers(demo) == []


def test_a_broken_custom_template_is_one_line_and_changes_nothing(cli, demo, at_time, caplog):
    at_time(datetime.fromisoformat("2026-11-22T12:30:00+01:00"))
    cli("build")
    before = snapshot(demo / "site")
    overrides = demo / "overrides" / "balise"
    overrides.mkdir(parents=True)
    (overrides / "incident.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{{ incident.title }\n{% endblock %}\n'
    )
    config = demo / "mkdocs.yml"
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"))

    result = cli("build", expect=1)
    said = result.stderr + caplog.text  # MkDocs reports build errors through its logger
    assert "overrides/balise/incident.html:3: unexpected '}'" in said and "Traceback" not in said
    assert snapshot(demo / "site") == before
    assert leftovers(demo) == []
    assert text_of(page(demo / "site").select_one("h1, .banner"))  # the old site still reads


@pytest.mark.parametrize(
    "target, problem",
    [
        (
            "incidents",
            "incidents: holds the incidents — the build would replace it; build into another folder, e.g. -d site",
        ),
        (
            "status",
            "status: holds the status files — the build would replace it; build into another folder, e.g. -d site",
        ),
        (".git", ".git: holds git's history — the build would replace it; build into another folder, e.g. -d site"),
        (
            "notes",
            "notes: is not a site balise built, and the build would replace all it holds — choose a new or empty "
            "folder, or delete this one first",
        ),
    ],
)
def test_the_build_never_replaces_a_folder_it_did_not_build(cli, demo, target, problem):
    (demo / ".git").mkdir()
    (demo / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (demo / "notes").mkdir()
    (demo / "notes/plan.md").write_text("Le plan de crise.\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in demo.rglob("*") if p.is_file()}
    result = cli("build", "-d", target, expect=1)
    assert result.stderr.strip() == f"Error: {problem}"
    assert {p: p.read_bytes() for p in demo.rglob("*") if p.is_file()} == before


def test_the_build_replaces_its_own_previous_site(cli, demo):
    cli("build", "-d", "public")
    (demo / "public/stale.html").write_text("old", encoding="utf-8")
    cli("build", "-d", "public")
    assert (demo / "public/api/v2/summary.json").is_file() and not (demo / "public/stale.html").exists()
