"""Every page says which commit of the content it was built from; a commit always builds the same bytes."""

from __future__ import annotations

import gzip
import struct
from datetime import datetime
from pathlib import Path

import pytest

from conftest import Cli, copy_demo, edit, page, text_of, without_as_of
from gitrepo import commit_all, git, init_repo

COMMIT_TIME = "2026-11-22T11:00:00+01:00"


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def committed_demo(tmp_path: Path) -> tuple[Path, str]:
    origin = init_repo(without_as_of(copy_demo(tmp_path / "origin")))
    sha = commit_all(origin, "Demo content", COMMIT_TIME)
    return origin, sha


def test_the_same_commit_builds_byte_identical_sites_in_two_clones(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the commit's own time is the reference
    origin, sha = committed_demo(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    git(tmp_path, "clone", "-q", str(origin), str(first))
    git(tmp_path, "clone", "-q", "--no-local", str(origin), str(second))
    Cli(first)("build")
    Cli(second)("build")

    one, two = tree(first / "site"), tree(second / "site")
    assert one.keys() == two.keys()
    different = [name for name in one if one[name] != two[name]]
    assert different == []
    assert len(one) > 30 and "sitemap.xml.gz" in one and "404.html" in one

    # MkDocs's own outputs are dated by the commit, not by the day the build ran.
    assert "<lastmod>2026-11-22</lastmod>" in one["sitemap.xml"].decode()
    (mtime,) = struct.unpack("<I", one["sitemap.xml.gz"][4:8])
    assert datetime.fromtimestamp(mtime).year == 2026 and mtime <= datetime.fromisoformat(COMMIT_TIME).timestamp()
    assert gzip.decompress(one["sitemap.xml.gz"]) == one["sitemap.xml"]

    footer = page(first / "site").select_one("footer .build-version")
    assert footer["data-commit"] == sha
    # Every page says it, the theme's own pages (About, 404) included.
    html_pages = [name for name in one if name.endswith(".html")]
    assert [name for name in html_pages if f'data-commit="{sha}"' not in one[name].decode()] == []
    assert "a-propos/index.html" in html_pages
    assert sha[:7] in text_of(footer)
    assert datetime.fromisoformat(footer.select_one("time")["datetime"]) == datetime.fromisoformat(COMMIT_TIME)


def test_a_rebuild_is_identical_and_the_site_folder_does_not_make_the_tree_dirty(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    origin, _ = committed_demo(tmp_path)
    (origin / ".gitignore").unlink()  # a site without it: site/ is untracked, yet the commit is what counts
    commit_all(origin, "No ignore file", COMMIT_TIME)
    Cli(origin)("build")
    before = tree(origin / "site")
    Cli(origin)("build")
    assert tree(origin / "site") == before
    built = page(origin / "site").select_one("footer time")["datetime"]  # "page built": the commit's time
    assert datetime.fromisoformat(built) == datetime.fromisoformat(COMMIT_TIME)


def test_the_commit_links_to_the_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    origin = init_repo(without_as_of(copy_demo(tmp_path / "origin")))
    config = origin / "mkdocs.yml"
    config.write_text(config.read_text() + "repo_url: https://github.com/relais-solidaire/statut\n")
    sha = commit_all(origin, "With repo_url", COMMIT_TIME)
    Cli(origin)("build")
    for path in ("", "history/", "incidents/2026-11-22-prise-de-rendez-vous-indisponible/"):
        link = page(origin / "site", path).select_one("footer .build-version a")
        assert link["href"] == f"https://github.com/relais-solidaire/statut/commit/{sha}"
        assert text_of(link) == sha[:7]


def test_without_git_the_build_works_and_says_the_version_is_unknown(cli, demo, at_time):
    at_time(datetime.fromisoformat("2026-11-22T12:30:00+01:00"))
    cli("build", "--strict")
    footer = page(demo / "site").select_one("footer .build-version")
    assert footer["data-commit"] == ""
    assert "version du contenu inconnue" in text_of(footer)


def test_an_english_site_says_it_in_english(tmp_path):
    Cli(tmp_path)("init", "site", "--language", "en")
    Cli(tmp_path / "site")("build")
    assert "version of the content unknown" in text_of(page(tmp_path / "site" / "site").select_one("footer"))


def test_a_shallow_clone_builds_with_one_warning(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    origin, _ = committed_demo(tmp_path)
    incident = origin / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
    incident.write_text(incident.read_text().replace("01 99 00 42 42", "01 99 00 43 43"))
    sha = commit_all(origin, "Fix the phone number", "2026-11-22T12:00:00+01:00")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(shallow))
    result = Cli(shallow)("build", "--strict")
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "fetch-depth: 0" in warnings[0]
    detail = page(shallow / "site", "incidents/2026-11-22-prise-de-rendez-vous-indisponible/")
    assert detail.select(".amendments") == []
    assert detail.select_one("footer .build-version")["data-commit"] == sha


def test_files_the_build_does_not_read_leave_it_dated_by_the_commit(tmp_path, monkeypatch):
    """A virtualenv, notes or an edited README in the repository are not content: the commit's site."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    origin, _ = committed_demo(tmp_path)
    (origin / "README.md").write_text("Notes\n")
    commit_all(origin, "A README", COMMIT_TIME)
    clean = tmp_path / "clean"
    git(tmp_path, "clone", "-q", str(origin), str(clean))
    Cli(clean)("build")
    (origin / ".venv" / "bin").mkdir(parents=True)
    (origin / ".venv" / "bin" / "python").write_text("#!/bin/sh\n")
    (origin / "notes.txt").write_text("to do\n")
    (origin / "README.md").write_text("Notes, edited\n")
    Cli(origin)("build")
    assert tree(origin / "site") == tree(clean / "site")
    built = page(origin / "site").select_one("footer time")["datetime"]
    assert datetime.fromisoformat(built) == datetime.fromisoformat(COMMIT_TIME)


@pytest.mark.parametrize(
    "where",
    [
        "incidents/brouillon.md",
        "content/nouvelle-page.md",
        "status/notes.yml",
        "theme/main.html",
        "mkdocs.yml",
        "base.yml",
    ],
)
def test_a_change_to_what_the_build_reads_dates_it_by_the_clock(tmp_path, monkeypatch, where):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    origin, _ = committed_demo(tmp_path)
    config = origin / "mkdocs.yml"
    config.write_text(
        "INHERIT: base.yml\n"
        + config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: theme\n")
    )
    (origin / "base.yml").write_text("copyright: Le Relais Solidaire\n")  # a parent configuration
    (origin / "theme").mkdir()
    (origin / "theme" / "README").write_text("Overrides of the theme\n")
    commit_all(origin, "Theme overrides", COMMIT_TIME)
    changed = origin / where
    if changed.exists():
        changed.write_text(changed.read_text() + "# edited\n")
    elif where == "theme/main.html":
        changed.write_text('{% extends "base.html" %}\n')
    elif where.startswith("incidents/"):  # a draft: not shown, yet what the build reads changed
        draft = (origin / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md").read_text()
        changed.write_text(draft.replace("---\n", "---\ndraft: true\n", 1))
    else:
        changed.write_text("# Nouvelle page\n" if where.endswith(".md") else "# later\n")
    Cli(origin)("build")
    built = page(origin / "site").select_one("footer time")["datetime"]
    assert datetime.fromisoformat(built) != datetime.fromisoformat(COMMIT_TIME)


def test_the_usual_virtualenv_folders_are_ignored_by_git(tmp_path):
    """In a new site and in balise's own repository, `git add -A` never takes a virtualenv along
    (nor a .env file of secrets), while a page folder of that name is still committed."""
    Cli(tmp_path)("init", "site")
    for ignore_file in (tmp_path / "site" / ".gitignore", Path(__file__).resolve().parent.parent / ".gitignore"):
        scratch = tmp_path / f"scratch-{ignore_file.parent.name}"
        scratch.mkdir()
        (scratch / ".gitignore").write_bytes(ignore_file.read_bytes())
        git(scratch, "init", "-q")
        for folder in (".venv", "venv", "env", ".env", "ENV", "virtualenv", ".virtualenv"):
            (scratch / folder / "bin").mkdir(parents=True)
            (scratch / folder / "bin" / "python").write_text("#!/bin/sh\n")
        (scratch / "content" / "env").mkdir(parents=True)
        (scratch / "content" / "env" / "index.md").write_text("# Environnement\n")
        assert git(scratch, "status", "--porcelain", "--untracked-files=all").splitlines() == [
            "?? .gitignore",
            "?? content/env/index.md",
        ], ignore_file


def test_the_demo_built_from_a_clone_long_after_reads_as_a_live_example(tmp_path, monkeypatch):
    """The demo's `as_of` pins the moment its page shows, whenever the commit is built; the footer says so."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    origin = init_repo(copy_demo(tmp_path / "origin"))
    sha = commit_all(origin, "The demo, committed months after its story", "2027-03-01T09:00:00+01:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    Cli(clone)("build", "--strict")
    home = page(clone / "site")
    promise = home.select_one("#open-incidents").parent.select_one(".promise")
    assert "overdue" not in promise["class"] and "12:00" in text_of(promise)
    assert "Maintenance de l'espace bénéficiaires" in text_of(home.select_one("#upcoming").parent)
    footer = home.select_one("footer")
    assert "Page présentant la situation au" in text_of(footer) and "générée" not in text_of(footer)
    assert datetime.fromisoformat(footer.select_one("time")["datetime"]) == datetime.fromisoformat(
        "2026-11-22T11:30:00+01:00"
    )
    assert footer.select_one(".build-version")["data-commit"] == sha  # the real commit, and its real time
    assert datetime.fromisoformat(footer.select_one(".build-version time")["datetime"]).year == 2027

    # SOURCE_DATE_EPOCH (a reproduction, a scheduled rebuild) still decides, and the footer says "built".
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime.fromisoformat("2026-11-22T13:00:00+01:00").timestamp())))
    Cli(clone)("build")
    home = page(clone / "site")
    assert "overdue" in home.select_one("#open-incidents").parent.select_one(".promise")["class"]
    assert "Page générée le" in text_of(home.select_one("footer"))


def test_as_of_must_be_a_moment_with_its_offset(cli, demo):
    edit(demo, "mkdocs.yml", "as_of: 2026-11-22T11:30:00+01:00", "as_of: 2026-11-22 11:30")
    result = cli("build", expect=1)
    assert "as_of" in result.stderr and "has no UTC offset" in result.stderr and "Traceback" not in result.stderr
    assert not (demo / "site").exists()


def test_mkdocs_build_date_in_a_theme_template_is_the_reference_time(tmp_path, monkeypatch):
    """A theme may print MkDocs's `build_date_utc` (the mkdocs theme does): not the day of the build."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    origin, _ = committed_demo(tmp_path)
    config = origin / "mkdocs.yml"
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: theme\n"))
    (origin / "theme").mkdir()
    (origin / "theme/main.html").write_text(
        '{% extends "base.html" %}\n{% block content %}<p id="built">{{ build_date_utc.isoformat() }}</p>{% endblock %}\n'
    )
    commit_all(origin, "A theme that prints the build date", COMMIT_TIME)
    Cli(origin)("build")
    built = page(origin / "site", "a-propos/").select_one("#built")
    assert datetime.fromisoformat(text_of(built)) == datetime.fromisoformat(COMMIT_TIME)
