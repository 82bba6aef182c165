"""Rebuilds that cost what changed: a build with a warm cache makes the same site, byte for byte and
file for file, as a cold build of the same commit into another folder with an empty cache.

Each test commits the demo (as a real site: dated by its commits, so every commit changes every
page's footer and the reference time), builds it, changes something, commits, and compares the warm
rebuild with a cold one. That files really are taken from the last site shows in their inodes
(the last site is updated in place: a file kept is the same file, only its footer note rewritten).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import Cli, copy_demo, edit, without_as_of
from gitrepo import commit_all, git, init_repo

WHEN = ["2026-11-22T11:00:00+01:00", "2026-11-22T11:40:00+01:00", "2026-11-22T12:20:00+01:00"]
OPEN_INCIDENT = "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
CLOSED_INCIDENT = "incidents/2026-03-12-attente-ligne-ecoute.md"
CLOSED_FEED = "incidents/2026-03-12-attente-ligne-ecoute/feed.atom"


class Site:
    """The demo in git, built warm into site/ (cache in `cache`) and cold elsewhere."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        self.tmp, self.monkeypatch = tmp_path, monkeypatch
        self.root = init_repo(without_as_of(copy_demo(tmp_path / "demo")))
        self.cli = Cli(self.root)
        self.cache = tmp_path / "cache"
        self.commits = 0
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        self.commit()

    def commit(self) -> None:
        commit_all(self.root, f"change {self.commits}", WHEN[min(self.commits, len(WHEN) - 1)])
        self.commits += 1

    def build(self, expect: int = 0):
        self.monkeypatch.setenv("BALISE_CACHE_DIR", str(self.cache))
        return self.cli("build", expect=expect)

    def cold(self) -> Path:
        number = len(list(self.tmp.glob("cold-*")))
        target = self.tmp / f"cold-{number}"
        self.monkeypatch.setenv("BALISE_CACHE_DIR", str(self.tmp / f"cold-cache-{number}"))
        self.cli("build", "-d", str(target))
        return target

    @property
    def site(self) -> Path:
        return self.root / "site"

    def state(self) -> Path:
        (found,) = self.cache.glob("sites/*/state.pickle")
        return found

    def rebuilds_alike(self) -> None:
        """The warm rebuild, then a cold build of the same commit: the same files, the same bytes."""
        result = self.build()
        assert "build cache" not in result.stderr, result.stderr
        assert_same_site(self.site, self.cold())


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def assert_same_site(warm: Path, cold: Path) -> None:
    ours, theirs = files_of(warm), files_of(cold)
    assert sorted(ours) == sorted(theirs)
    different = [path for path in ours if ours[path] != theirs[path]]
    assert not different, f"{len(different)} files differ, e.g. {different[:5]}"


def append_update(root: Path, message: str) -> None:
    """One update more to the open incident, written before the next commit."""
    with open(root / OPEN_INCIDENT, "a", encoding="utf-8") as file:
        file.write(f"\n## 2026-11-22 11:35 +01:00 — monitoring\n\n{message}\n")


@contextmanager
def failing_on_call(owner: object, name: str, number: int, error: Exception) -> Iterator[list]:
    """`owner.name` raising `error` at its `number`-th call, within the block; gives the calls made."""
    real, calls = getattr(owner, name), []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == number:
            raise error
        return real(*args, **kwargs)

    setattr(owner, name, failing)
    try:
        yield calls
    finally:
        setattr(owner, name, real)


def inode(path: Path) -> int:
    return path.stat().st_ino


@pytest.fixture
def site(tmp_path, monkeypatch) -> Site:
    built = Site(tmp_path, monkeypatch)
    built.build()
    return built


def test_an_update_appended(site):
    kept = {path: inode(site.site / path) for path in (CLOSED_FEED, "sitemap.xml", "sitemap.xml.gz")}
    append_update(site.root, "La cause est trouvée : un certificat expiré.")
    site.commit()
    site.rebuilds_alike()
    assert "certificat expiré" in (site.site / OPEN_INCIDENT.replace(".md", "/index.html")).read_text()
    # An unchanged incident's feed, and the sitemap (the same addresses, changed the same day): left
    # in place, not made again.
    assert {path: inode(site.site / path) for path in kept} == kept


def test_an_incident_added(site):
    (site.root / "incidents/2026-11-22-courriels-en-retard.md").write_text(
        "---\ntitle: Courriels en retard\nimpact: minor\ncomponents:\n  - courriels\n---\n\n"
        "## 2026-11-22 11:20 +01:00 — investigating\n\nLes courriels partent avec du retard.\n",
        encoding="utf-8",
    )
    site.commit()
    site.rebuilds_alike()
    assert (site.site / "incidents/2026-11-22-courriels-en-retard/index.html").is_file()


def test_an_incident_withdrawn(site):
    """A published incident is never deleted silently (tests/test_record.py): it is withdrawn, its
    timeline gone from every output, its page saying so."""
    incident_id = Path(CLOSED_INCIDENT).stem
    site.cli("withdraw", incident_id, "--reason", "Publié par erreur.", "--at", "2026-11-22 11:30 +01:00")
    site.commit()
    site.rebuilds_alike()
    assert "Publié par erreur." in (site.site / CLOSED_INCIDENT.replace(".md", "/index.html")).read_text()
    assert not (site.site / CLOSED_FEED).exists()


def test_a_template_changed(site):
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"))
    override = site.root / "overrides/balise/partials/footer_note.html"
    override.parent.mkdir(parents=True)
    original = Path(__file__).parents[1] / "balise/templates/partials/footer_note.html"
    override.write_text(original.read_text() + "Version de démonstration.\n")
    site.commit()
    site.rebuilds_alike()
    override.write_text(original.read_text() + "Version relue.\n")
    site.commit()
    site.rebuilds_alike()
    assert "Version relue." in (site.site / CLOSED_INCIDENT.replace(".md", "/index.html")).read_text()
    assert "Version relue." in (site.site / "a-propos/index.html").read_text()  # a writers' page too


@pytest.mark.parametrize(
    ("old", "new"),
    [("language: fr", "language: en"), ("site_url: https://statut.", "site_url: https://etat.")],
)
def test_settings_changed(site, old, new):
    edit(site.root, "mkdocs.yml", old, new)
    site.commit()
    site.rebuilds_alike()


def test_a_writers_page_changed(site):
    edit(site.root, "content/a-propos.md", "\n", "\n\nUne phrase ajoutée à propos.\n")
    site.commit()
    site.rebuilds_alike()
    assert "Une phrase ajoutée à propos." in (site.site / "a-propos/index.html").read_text()


def test_nothing_changed(site):
    kept = inode(site.site / CLOSED_INCIDENT.replace(".md", "/index.html"))
    site.rebuilds_alike()  # the same commit, built again
    assert inode(site.site / CLOSED_INCIDENT.replace(".md", "/index.html")) == kept


def test_an_empty_commit_changes_only_the_footer(site):
    git(site.root, "commit", "-q", "--allow-empty", "-m", "nothing", when=WHEN[1])
    site.rebuilds_alike()


def test_a_published_incident_made_draft_is_refused_and_the_site_left_as_it_was(site):
    """Making a published incident a draft would remove it silently (tests/test_record.py)."""
    page = site.site / CLOSED_INCIDENT.replace(".md", "/index.html")
    before = files_of(site.site)
    edit(site.root, CLOSED_INCIDENT, "---\n", "---\ndraft: true\n")
    site.commit()
    result = site.build(expect=1)
    assert f"{CLOSED_INCIDENT}:1: this incident was published: 'draft: true' would remove it" in result.stderr
    assert page.is_file() and files_of(site.site) == before


def test_a_corrupt_cache_means_a_full_build_and_one_line(site):
    site.state().write_bytes(b"not a pickle")
    append_update(site.root, "Trouvé.")
    site.commit()
    result = site.build()
    lines = [line for line in result.stderr.splitlines() if "build cache" in line]
    assert len(lines) == 1 and "cannot be read" in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert_same_site(site.site, site.cold())
    assert "build cache" not in site.build().stderr  # the cache was made afresh


def test_a_cache_of_another_version_means_a_full_build_and_one_line(site):
    state = pickle.loads(site.state().read_bytes())
    state.fingerprint = "another balise"
    site.state().write_bytes(pickle.dumps(state))
    result = site.build()
    lines = [line for line in result.stderr.splitlines() if "build cache" in line]
    assert len(lines) == 1 and "another version of balise" in lines[0], result.stderr
    assert lines[0].startswith("warning: ")
    assert_same_site(site.site, site.cold())


def test_a_cache_naming_a_class_balise_no_longer_has_is_of_another_version(site):
    import balise.pipeline.cache as cache_module

    class Gone:
        pass

    Gone.__module__, Gone.__qualname__ = cache_module.__name__, "Gone"
    site.monkeypatch.setattr(cache_module, "Gone", Gone, raising=False)
    site.state().write_bytes(pickle.dumps(Gone()))
    site.monkeypatch.delattr(cache_module, "Gone")
    lines = [line for line in site.build().stderr.splitlines() if "build cache" in line]
    assert len(lines) == 1 and "another version of balise" in lines[0], lines
    assert_same_site(site.site, site.cold())


def test_a_failed_build_leaves_the_site_and_the_next_build_is_right(site):
    before = files_of(site.site)
    edit(site.root, OPEN_INCIDENT, "— investigating", "— investigatin")
    site.commit()
    site.build(expect=1)
    assert files_of(site.site) == before
    edit(site.root, OPEN_INCIDENT, "— investigatin", "— investigating")
    site.commit()
    site.rebuilds_alike()


def test_a_file_removed_from_the_last_site_is_made_again(site):
    (site.site / CLOSED_FEED).unlink()
    site.rebuilds_alike()


def test_a_site_built_meanwhile_with_another_cache_is_not_trusted_as_this_cache_left_it(site):
    """Another build of the same folder with its own cache (another BALISE_CACHE_DIR, a colleague's
    command) in between: every page this cache would keep holds another footer note, so each is made
    again rather than kept with a stale commit."""
    append_update(site.root, "Un point d'étape.")
    site.commit()
    site.monkeypatch.setenv("BALISE_CACHE_DIR", str(site.tmp / "another-cache"))
    site.cli("build")
    git(site.root, "commit", "-q", "--allow-empty", "-m", "nothing but a commit", when=WHEN[2])
    site.rebuilds_alike()
    commit = git(site.root, "rev-parse", "HEAD").strip()
    pages = list(site.site.rglob("*.html"))
    assert len(pages) > 25
    assert [page for page in pages if "data-commit" in page.read_text() and commit not in page.read_text()] == []


def test_serve_rebuilds_an_edited_incident_without_mkdocs(tmp_path, monkeypatch):
    """`balise serve` after an edit of an incident: balise's pipeline alone, into the folder served
    (the theme's files are those of the last build: same inodes), and the same site as a first build."""
    from balise.mkdocs_adapter.serve import Preview

    monkeypatch.setenv("BALISE_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_demo(tmp_path / "demo")
    monkeypatch.chdir(root)

    def preview(folder: str) -> Preview:
        made = Preview(str(root / "mkdocs.yml"), str(tmp_path / folder))
        made.serve_url = "http://127.0.0.1:8000/"
        return made

    served = preview("served")
    served.rebuild(None)
    site = tmp_path / "served"
    (theme_file,) = site.glob("assets/stylesheets/main.*.css")
    kept = inode(theme_file)
    append_update(root, "Les rendez-vous sont de nouveau possibles.")
    served.rebuild({root / OPEN_INCIDENT})
    assert "de nouveau possibles" in (site / OPEN_INCIDENT.replace(".md", "/index.html")).read_text()
    assert inode(theme_file) == kept  # not built again by MkDocs
    first = preview("first")
    first.rebuild(None)
    assert_same_site(site, tmp_path / "first")


def test_a_warm_build_failing_mid_write_leaves_the_site_and_the_cache_right(site):
    """A disk that fills while the files made afresh are written (into the side folder, before
    anything in the site is touched): the site stays as it was, and the next build is still the same
    as a cold one."""
    before = files_of(site.site)
    append_update(site.root, "Une mise à jour qui ne paraîtra pas encore.")
    site.commit()
    with (
        failing_on_call(Path, "write_bytes", 3, OSError(28, "No space left on device")) as calls,
        pytest.raises(OSError),
    ):
        site.build()
    assert len(calls) == 3
    assert files_of(site.site) == before
    assert not [path.name for path in site.root.iterdir() if path.name.startswith(".site.")]
    site.rebuilds_alike()


def footer_of(site: Site) -> str:
    return pickle.loads(site.state().read_bytes()).footer


def test_a_page_kept_gets_the_new_footer_note_where_it_stands(site):
    page = site.site / CLOSED_INCIDENT.replace(".md", "/index.html")
    kept, before, footer = inode(page), page.read_text(), footer_of(site)
    append_update(site.root, "Un point d'étape.")
    site.commit()
    site.rebuilds_alike()
    assert len(footer_of(site)) == len(footer) and footer_of(site) != footer
    assert inode(page) == kept and page.read_text() != before and footer_of(site) in page.read_text()


def test_a_footer_note_of_another_length_rewrites_the_pages_kept(site):
    """A commit on another day: the note's dates are written out, so it is longer or shorter."""
    footer = footer_of(site)
    git(site.root, "commit", "-q", "--allow-empty", "-m", "the next day", when="2026-12-01T09:15:00+01:00")
    site.rebuilds_alike()
    assert len(footer_of(site).encode()) != len(footer.encode())
    git(site.root, "commit", "-q", "--allow-empty", "-m", "later that day", when="2026-12-01T10:45:00+01:00")
    site.rebuilds_alike()


def test_files_put_into_the_site_are_removed_as_a_fresh_build_would(site):
    (site.site / "incidents/stray.html").write_text("<p>not ours</p>", encoding="utf-8")
    (site.site / "stray/inner").mkdir(parents=True)
    (site.site / "stray/inner/notes.txt").write_text("not ours either", encoding="utf-8")
    append_update(site.root, "Un point d'étape.")
    site.commit()
    site.rebuilds_alike()
    assert not (site.site / "stray").exists()


def test_an_address_no_longer_made_is_removed_with_its_folder(site):
    components = "status/components.yml"
    addition = "  - id: kiosque\n    name: Kiosque d'accueil\n    group: services-en-ligne\n"
    edit(site.root, components, "components:\n", "components:\n" + addition)
    site.commit()
    site.rebuilds_alike()
    assert (site.site / "components/kiosque/index.html").is_file()
    edit(site.root, components, addition, "")
    site.commit()
    site.rebuilds_alike()
    assert not (site.site / "components/kiosque").exists()


def test_an_update_in_place_cut_short_is_made_right_by_the_next_build(site):
    """The commit of an update in place (files moved in, notes rewritten, files removed) dies
    part-way: the cache was dropped before it began, so the next build is a full one, and right."""
    append_update(site.root, "Un point d'étape.")
    site.commit()
    with failing_on_call(os, "replace", 2, OSError(5, "Input/output error")) as moved, pytest.raises(OSError):
        site.build()
    assert len(moved) == 2 and not list(site.cache.glob("sites/*/state.pickle"))
    site.rebuilds_alike()


def test_an_update_reworded_is_marked_amended_from_the_log_read_since_the_last_build(site):
    """The git log is read only for the commits since the last build: an amendment found so is the
    one a full read finds; a history rewritten since (an amended commit) is read again whole."""
    append_update(site.root, "Les rendez-vous reprennent lentement.")
    site.commit()
    site.rebuilds_alike()
    edit(site.root, OPEN_INCIDENT, "reprennent lentement", "reprennent progressivement")
    site.commit()
    site.rebuilds_alike()
    page = (site.site / OPEN_INCIDENT.replace(".md", "/index.html")).read_text()
    assert "reprennent progressivement" in page and "reprennent lentement" in page  # the earlier wording
    edit(site.root, OPEN_INCIDENT, "reprennent progressivement", "reprennent peu à peu")
    git(site.root, "commit", "-q", "-a", "--amend", "--no-edit", when=WHEN[2])
    site.rebuilds_alike()
    page = (site.site / OPEN_INCIDENT.replace(".md", "/index.html")).read_text()
    assert "reprennent peu à peu" in page and "reprennent progressivement" not in page


def test_an_amended_incident_is_walked_again_only_when_a_commit_or_an_edit_changes_it(
    site, monkeypatch, versions_walked
):
    """What the walk of an incident's versions found is kept with the log: a rebuild parses the
    versions of the files changed since (not every version of every incident ever amended), and
    shows the same amendments as a cold build that walks them all."""
    walked = versions_walked
    closed_page = site.site / CLOSED_INCIDENT.replace(".md", "/index.html")
    edit(site.root, CLOSED_INCIDENT, "redescend.", "redescend nettement.")
    site.commit()
    site.rebuilds_alike()
    assert "redescend." in closed_page.read_text()  # the earlier wording, shown as amended
    walked.clear()
    append_update(site.root, "Les rendez-vous reprennent lentement.")
    site.commit()
    site.build()
    assert walked and all(path.endswith(OPEN_INCIDENT.rpartition("/")[2]) for path in walked), walked
    assert_same_site(site.site, site.cold())  # the closed incident still shows its amendment
    walked.clear()
    edit(site.root, CLOSED_INCIDENT, "nettement", "franchement")  # not committed: walked, as edited
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795345200")  # a dirty work tree builds as of the clock, else
    site.build()
    assert any(path.endswith(CLOSED_INCIDENT.rpartition("/")[2]) for path in walked)
    assert_same_site(site.site, site.cold())
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    site.commit()
    site.rebuilds_alike()
    page = closed_page.read_text()
    assert "franchement" in page and "nettement" in page


def test_a_build_writes_only_the_groups_of_loads_that_changed_and_loads_a_damaged_one_again(site):
    loads = site.state().parent / "loads"
    before = {path.name: path.stat().st_mtime_ns for path in loads.iterdir()}
    append_update(site.root, "Un point d'étape.")
    site.commit()
    site.rebuilds_alike()
    after = {path.name: path.stat().st_mtime_ns for path in loads.iterdir()}
    kept = before.keys() & after.keys()
    assert len(kept) > 5 and 1 <= len(after.keys() - kept) <= 2  # the incident's old group, and its new one
    assert all(after[name] == before[name] for name in kept)
    for name in after:
        (loads / name).write_bytes(b"damaged")
    edit(site.root, OPEN_INCIDENT, "Un point d'étape.", "Un point d'étape, corrigé.")
    site.commit()
    site.rebuilds_alike()


def test_the_code_fingerprint_follows_every_change_of_balise_without_reading_it_at_every_build(tmp_path, monkeypatch):
    """balise's own files are digested once, then known by their sizes, times and inodes (`code.json`
    in the cache's home); a file changed, added or removed gives another digest, the one a full read
    gives. Files changed in the last clock tick's doubt (`RACY_NS`) are read every time. The
    libraries' versions are those importlib.metadata reads."""
    from importlib import metadata

    from balise.pipeline import cache

    code = tmp_path / "balise"
    (code / "templates").mkdir(parents=True)
    (code / "model.py").write_text("A = 1\n", encoding="utf-8")
    (code / "templates" / "page.html").write_text("<p>{{ a }}</p>\n", encoding="utf-8")
    monkeypatch.setattr(cache, "BALISE", code)
    monkeypatch.setenv("BALISE_CACHE_DIR", str(tmp_path / "cache"))
    memo = tmp_path / "cache" / "code.json"

    first = cache.code_digest()
    assert first == cache.tree_digest(code) and not memo.exists()  # just written: not trusted yet
    monkeypatch.setattr(cache, "RACY_NS", 0)
    assert cache.code_digest() == first and memo.is_file()
    assert cache.code_digest() == first
    (code / "model.py").write_text("A = 22\n", encoding="utf-8")
    changed = cache.code_digest()
    assert changed != first and changed == cache.tree_digest(code)
    (code / "templates" / "extra.html").write_text("", encoding="utf-8")
    assert cache.code_digest() == cache.tree_digest(code) != changed
    (code / "templates" / "extra.html").unlink()
    assert cache.code_digest() == cache.tree_digest(code) == changed

    expected = []
    for name in cache.DEPENDENCIES:
        try:
            expected.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            expected.append((name, None))
    assert cache.installed_versions(cache.DEPENDENCIES) == expected
    assert cache.installed_versions(["no-such-distribution"]) == [("no-such-distribution", None)]
