"""An append-only public record: what was published stays accounted for, in a real git repository.

Each test makes a change a writer could make (delete an update, delete an incident, rename a file,
correct a time, reopen, withdraw with a reason), then checks what `balise check` says, and what the
pages, feeds and API show."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import REPO, Cli, copy_demo, page, text_of
from gitrepo import commit_all, git, init_repo

ID = "2026-12-01-paiements-lents"
OPENED = """---
title: Paiements lents
kind: incident
impact: minor
components:
  - paiements
---

## 2026-12-01 10:00 +01:00 — investigating

Les paiements en ligne sont lents. Nous cherchons la cause.

## 2026-12-01 10:40 +01:00 — identified

La cause est trouvée : M. Jean Dupont, 12 rue des Lilas, a signalé la panne.
"""
RESOLVED = (
    OPENED
    + """
## 2026-12-01 11:30 +01:00 — resolved

Les paiements fonctionnent de nouveau.
"""
)
NOW = datetime.fromisoformat("2026-12-01T12:00:00+01:00")
ATOM = "{http://www.w3.org/2005/Atom}"


def site(tmp_path):
    root = init_repo(copy_demo(tmp_path / "site"))
    for old in (root / "incidents").glob("*.md"):
        old.unlink()
    return root


def write(root, text, name=ID):
    (root / "incidents" / f"{name}.md").write_text(text, encoding="utf-8")


def published(tmp_path, at_time, text=RESOLVED):
    root = site(tmp_path)
    write(root, text)
    commit_all(root, "Incident", "2026-12-01T11:31:00+01:00")
    at_time(NOW)
    return root


def atom_entries(root, path="history.atom"):
    feed = ET.parse(root / "site" / path).getroot()
    return [
        {child.tag.removeprefix(ATOM): (child.text or child.get("term") or "") for child in entry}
        for entry in feed.iter(ATOM + "entry")
    ]


def api_incident(root, incident_id):
    document = json.loads((root / "site/api/v2/incidents.json").read_text(encoding="utf-8"))
    return next(i for i in document["incidents"] if i["id"] == incident_id)


# -- removal is a public act ---------------------------------------------------------------
def test_deleting_a_published_update_is_refused_with_the_two_ways_out(tmp_path, at_time):
    root = published(tmp_path, at_time)
    write(root, RESOLVED.replace(OPENED.split("## 2026-12-01 10:40")[1], "").replace("## 2026-12-01 10:40", ""))
    text = (root / "incidents" / f"{ID}.md").read_text(encoding="utf-8")
    assert "Jean Dupont" not in text and "10:40" not in text
    for state in ("uncommitted", "committed"):
        if state == "committed":
            commit_all(root, "Remove an update", "2026-12-01T11:50:00+01:00")
        result = Cli(root)("check", expect=1)
        line = text.splitlines().index("## 2026-12-01 11:30 +01:00 — resolved") + 1
        assert (
            f"incidents/{ID}.md:{line}: the update of 2026-12-01 10:40 +01:00 (identified) was published"
            in result.stderr
        )
        assert (
            "restore it" in result.stderr
            and f"balise withdraw {ID} --update '2026-12-01 10:40 +01:00'" in result.stderr
        )
        assert "git show " in result.stderr
        built = Cli(root)("build", expect=1)
        assert "the update of 2026-12-01 10:40 +01:00 (identified) was published" in built.stderr
        assert not (root / "site").exists()


def test_check_after_a_build_walks_what_changed_since_and_says_what_a_check_from_scratch_says(
    tmp_path, at_time, monkeypatch
):
    """`balise check` brings up to date what the last build read of git's history (its walk of each
    incident's versions is not done again for a file unchanged since): an update removed since, in
    the work tree or in a commit, is refused as a check with no build cache refuses it."""
    root = site(tmp_path)
    write(root, OPENED)
    commit_all(root, "Opened", "2026-12-01T10:41:00+01:00")
    write(root, RESOLVED.replace("Nous cherchons la cause.", "Nous cherchons la cause du problème."))
    commit_all(root, "Resolved, a wording corrected", "2026-12-01T11:31:00+01:00")
    at_time(NOW)
    Cli(root)("build")
    (root / "site/placeholder").write_text("")  # not the build's: check writes nothing, removes nothing
    assert "Nous cherchons la cause." in text_of(page(root / "site", f"incidents/{ID}/"))  # shown as amended
    write(root, RESOLVED.replace(OPENED.split("## 2026-12-01 10:40")[1], "").replace("## 2026-12-01 10:40", ""))
    for state in ("uncommitted", "committed"):
        if state == "committed":
            commit_all(root, "Remove an update", "2026-12-01T11:50:00+01:00")
        warm = Cli(root)("check", expect=1)
        assert "the update of 2026-12-01 10:40 +01:00 (identified) was published" in warm.stderr, state
        with monkeypatch.context() as patch:
            patch.setenv("BALISE_CACHE_DIR", str(tmp_path / f"empty-cache-{state}"))
            assert Cli(root)("check", expect=1).stderr == warm.stderr
    assert (root / "site/placeholder").exists()


def test_a_deleted_draft_is_walked_once_and_a_deleted_incident_refused_at_every_check(
    tmp_path, at_time, versions_walked
):
    """A file deleted after being only a draft was never public: the build that first sees it gone
    walks its versions, the next ones take what that walk found. A published file deleted since is
    refused whether or not the last build walked the other files."""
    root = published(tmp_path, at_time)
    write(root, OPENED.replace("---\n\n", "draft: true\n---\n\n", 1), name="2026-12-01-brouillon")
    commit_all(root, "A draft", "2026-12-01T11:40:00+01:00")
    write(root, RESOLVED.replace("---\n\n", "draft: true\n---\n\n", 1), name="2026-12-01-brouillon")
    commit_all(root, "The draft, longer", "2026-12-01T11:45:00+01:00")
    (root / "incidents/2026-12-01-brouillon.md").unlink()
    commit_all(root, "The draft, abandoned", "2026-12-01T11:50:00+01:00")
    walked = versions_walked
    Cli(root)("build")
    assert walked.count("incidents/2026-12-01-brouillon.md") == 2  # its two versions
    walked.clear()
    Cli(root)("build")
    assert walked == []
    (root / "incidents" / f"{ID}.md").unlink()
    commit_all(root, "The incident, deleted", "2026-12-01T11:55:00+01:00")
    for _ in range(2):
        result = Cli(root)("check", expect=1)
        assert f"incidents/{ID}.md:1: this incident was published" in result.stderr
        assert "brouillon" not in result.stderr


def test_deleting_a_published_incident_file_is_refused_at_its_old_path(tmp_path, at_time):
    root = published(tmp_path, at_time)
    write(
        root,
        OPENED.replace("Paiements lents", "Autre chose").replace("paiements en ligne", "dons"),
        name="2026-12-01-autre",
    )
    (root / "incidents" / f"{ID}.md").unlink()
    result = Cli(root)("check", expect=1)
    assert f"incidents/{ID}.md:1: this incident was published" in result.stderr
    assert f"git checkout -- incidents/{ID}.md" in result.stderr
    commit = commit_all(root, "Remove it", "2026-12-01T11:50:00+01:00")
    result = Cli(root)("check", expect=1)
    assert f"deleted in commit {commit[:7]}" in result.stderr
    assert f"git checkout {commit[:7]}~1 -- incidents/{ID}.md" in result.stderr
    assert f"balise withdraw {ID} --reason" in result.stderr
    Cli(root)("build", expect=1)


def test_drafts_never_count_as_published(tmp_path, at_time):
    root = site(tmp_path)
    write(root, RESOLVED.replace("impact: minor", "impact: minor\ndraft: true"))
    commit_all(root, "Draft", "2026-12-01T11:31:00+01:00")
    write(root, OPENED.replace("impact: minor", "impact: minor\ndraft: true").split("## 2026-12-01 10:40")[0])
    commit_all(root, "Draft shortened", "2026-12-01T11:40:00+01:00")
    (root / "incidents" / f"{ID}.md").unlink()
    commit_all(root, "Draft dropped", "2026-12-01T11:45:00+01:00")
    at_time(NOW)
    Cli(root)("check")


def test_making_a_published_incident_a_draft_again_is_refused(tmp_path, at_time):
    root = published(tmp_path, at_time)
    write(root, RESOLVED.replace("impact: minor", "impact: minor\ndraft: true"))
    result = Cli(root)("check", expect=1)
    assert f"incidents/{ID}.md:1: this incident was published: 'draft: true' would remove it" in result.stderr


def test_a_shallow_clone_still_warns_and_builds(tmp_path, at_time):
    root = published(tmp_path, at_time)
    write(root, RESOLVED.replace("Nous cherchons", "Nous recherchons"))
    commit_all(root, "Reword", "2026-12-01T11:40:00+01:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", root.as_uri(), str(clone))
    result = Cli(clone)("build", "--strict")
    assert "shallow" in result.stderr


def test_a_repository_before_its_first_commit_has_nothing_published_yet(tmp_path, at_time):
    root = site(tmp_path)
    write(root, OPENED)
    at_time(NOW)
    cli = Cli(root)
    assert "no errors" in cli("check").stderr
    cli("build")
    assert "Jean Dupont" in (root / "site" / "incidents" / ID / "index.html").read_text(encoding="utf-8")
    commit_all(root, "First", "2026-12-01T10:50:00+01:00")
    (root / "incidents" / f"{ID}.md").unlink()
    assert "was published" in cli("check", expect=1).stderr  # once committed, the record counts


# -- withdrawal ------------------------------------------------------------------------------
def test_withdrawing_a_published_update_keeps_the_fact_and_the_reason_not_the_words(tmp_path, at_time):
    root = published(tmp_path, at_time)
    cli = Cli(root)
    result = cli(
        "withdraw",
        ID,
        "--update",
        "2026-12-01 10:40 +01:00",
        "--at",
        "2026-12-01 11:45 +01:00",
        "--reason",
        "Elle citait le nom et l'adresse d'un bénéficiaire.",
    )
    assert result.stdout.strip() == f"incidents/{ID}.md"
    text = (root / "incidents" / f"{ID}.md").read_text(encoding="utf-8")
    assert "Jean Dupont" not in text and "## 2026-12-01 10:40" not in text
    assert 'update: "2026-12-01 10:40 +01:00"' in text and "reason:" in text
    assert "## 2026-12-01 10:00 +01:00 — investigating" in text and "## 2026-12-01 11:30 +01:00 — resolved" in text
    cli("check")  # the removal is now a withdrawal: nothing to refuse, committed or not
    commit_all(root, "Withdraw an update", "2026-12-01T11:46:00+01:00")
    cli("check")
    cli("build", "--strict")

    site = root / "site"
    detail = page(site, f"incidents/{ID}/")
    assert "Jean Dupont" not in detail.get_text()
    items = detail.select("ol.timeline > li")
    assert [item["id"] for item in items] == [
        "update-20261201t103000z",
        "update-20261201t094000z",
        "update-20261201t090000z",
    ]
    withdrawn = items[1]
    assert "withdrawn" in withdrawn["class"]
    assert (
        "Une mise à jour publiée le 1er décembre 2026 à 10:40 CET a été retirée le 1er décembre 2026 à 11:45 CET"
        in text_of(withdrawn)
    )
    assert "Motif : Elle citait le nom et l'adresse d'un bénéficiaire." in text_of(withdrawn)

    for feed in ("history.atom", f"incidents/{ID}/feed.atom"):
        entries = atom_entries(root, feed)
        assert not any("Dupont" in entry["content"] for entry in entries)
        (entry,) = [e for e in entries if e["category"] == "withdrawn"]
        assert entry["id"].endswith(f"incidents/{ID}/update-20261201t094000z")  # the update's own id
        assert entry["updated"] == "2026-12-01T10:45:00Z"
        assert "Motif\xa0: Elle citait" in entry["content"] and entry["title"] == "[Retirée] Paiements lents"
    assert "Dupont" not in (site / "history.rss").read_text(encoding="utf-8")

    document = api_incident(root, ID)
    assert [u["status"] for u in document["incident_updates"]] == ["resolved", "investigating"]
    assert document["updated_at"] == "2026-12-01T11:45:00.000+01:00"  # the withdrawal changed it
    assert "Dupont" not in json.dumps(document)


def test_a_withdrawal_after_the_update_was_deleted_records_it(tmp_path, at_time):
    """The writer deleted the section first, was refused, then withdrew it: the command records it."""
    root = published(tmp_path, at_time)
    text = RESOLVED.replace(RESOLVED[RESOLVED.index("## 2026-12-01 10:40") : RESOLVED.index("## 2026-12-01 11:30")], "")
    write(root, text)
    Cli(root)("check", expect=1)
    typo = Cli(root)("withdraw", ID, "--update", "2026-12-01 10:04 +01:00", "--reason", "Donnée personnelle", expect=1)
    assert "no update of 2026-12-01 10:04 +01:00 was published and removed here: " in typo.stderr
    assert "the update of 2026-12-01 10:40 +01:00 (identified) was published" in typo.stderr
    assert (root / "incidents" / f"{ID}.md").read_text(encoding="utf-8") == text  # nothing written
    result = Cli(root)("withdraw", ID, "--update", "2026-12-01 10:40 +01:00", "--reason", "Donnée personnelle")
    assert "recorded" in result.stderr
    Cli(root)("check")


def test_withdrawing_a_whole_incident(tmp_path, at_time):
    root = published(tmp_path, at_time)
    Cli(root)(
        "withdraw",
        ID,
        "--reason",
        "Publié par erreur : il concernait un autre organisme.",
        "--at",
        "2026-12-01 11:45 +01:00",
    )
    text = (root / "incidents" / f"{ID}.md").read_text(encoding="utf-8")
    assert "## " not in text and "title: Paiements lents" in text
    commit_all(root, "Withdraw the incident", "2026-12-01T11:46:00+01:00")
    Cli(root)("check")
    Cli(root)("build", "--strict")
    site = root / "site"
    detail = page(site, f"incidents/{ID}/")
    assert "a été retiré le 1er décembre 2026 à 11:45 CET" in text_of(detail.select_one("main"))
    assert "Motif : Publié par erreur" in text_of(detail.select_one("main"))
    assert "Paiements lents" not in text_of(detail.select_one("main"))
    (entry,) = [e for e in atom_entries(root) if e["category"] == "withdrawn"]
    assert "Publié par erreur" in entry["content"]
    assert all(i["id"] != ID for i in json.loads((site / "api/v2/incidents.json").read_text())["incidents"])
    # Deleting the withdrawn file now would still remove what was public.
    (root / "incidents" / f"{ID}.md").unlink()
    Cli(root)("check", expect=1)


def test_a_withdrawal_needs_a_reason_and_an_update_of_the_incident(tmp_path, at_time):
    root = published(tmp_path, at_time)
    before = (root / "incidents" / f"{ID}.md").read_bytes()
    result = Cli(root)("withdraw", ID, "--update", "2026-12-01 10:40 +01:00", "--reason", " … ", expect=2)
    assert "say why" in result.stderr
    assert (root / "incidents" / f"{ID}.md").read_bytes() == before


# -- renames -------------------------------------------------------------------------------------
NEW_ID = "2026-12-01-paiements-en-ligne-lents"


def test_a_renamed_incident_keeps_its_ids_its_amendments_and_its_old_address(tmp_path, at_time):
    root = published(tmp_path, at_time)
    cli = Cli(root)
    cli("build")
    ids_before = {e["id"] for e in atom_entries(root)}
    api_before = api_incident(root, ID)
    write(root, RESOLVED.replace("Nous cherchons la cause.", "Nous recherchons la cause."))
    commit_all(root, "Reword", "2026-12-01T11:40:00+01:00")
    git(root, "mv", f"incidents/{ID}.md", f"incidents/{NEW_ID}.md")
    cli("check")  # renamed in the working copy: not a removal
    commit_all(root, "Rename", "2026-12-01T11:50:00+01:00")
    cli("check")
    cli("build", "--strict")
    site = root / "site"

    assert {e["id"] for e in atom_entries(root)} == ids_before
    # Its own feed is still at the address subscribers have, with the same entries.
    assert atom_entries(root, f"incidents/{ID}/feed.atom") == atom_entries(root, f"incidents/{NEW_ID}/feed.atom")
    document = api_incident(root, ID)  # the API id it was published under
    assert [u["id"] for u in document["incident_updates"]] == [u["id"] for u in api_before["incident_updates"]]
    assert document["shortlink"].endswith(f"incidents/{NEW_ID}/")

    detail = page(site, f"incidents/{NEW_ID}/")
    first = detail.select_one("#update-20261201t090000z")
    assert "Nous recherchons la cause." in text_of(first.select_one(".message"))
    assert "Nous cherchons la cause." in text_of(first.select_one(".amendments blockquote"))

    old = (site / "incidents" / ID / "index.html").read_text(encoding="utf-8")
    moved = page(site, f"incidents/{ID}/")
    target = moved.select_one('link[rel="canonical"]')["href"]
    assert target.endswith(f"incidents/{NEW_ID}/")
    assert moved.select_one("body a")["href"] == target
    assert "<script" not in old
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"incidents/{NEW_ID}/" in sitemap and f"incidents/{ID}/<" not in sitemap


def test_a_rename_with_a_new_title_and_edits_in_the_same_commit_is_still_a_rename(tmp_path, at_time):
    root = published(tmp_path, at_time)
    (root / "incidents" / f"{ID}.md").unlink()
    write(root, RESOLVED.replace("Nous cherchons la cause.", "Nous recherchons la cause."), name=NEW_ID)
    commit_all(root, "Rename and reword", "2026-12-01T11:50:00+01:00")
    Cli(root)("check")
    Cli(root)("build")
    assert (root / "site/incidents" / ID / "index.html").exists()


# -- time corrections ----------------------------------------------------------------------------
def test_a_corrected_time_is_an_amendment_with_the_earlier_time_visible(tmp_path, at_time):
    root = published(tmp_path, at_time)
    cli = Cli(root)
    cli("build")
    ids_before = {e["id"] for e in atom_entries(root)}
    api_before = [u["id"] for u in api_incident(root, ID)["incident_updates"]]
    write(root, RESOLVED.replace("## 2026-12-01 10:40 +01:00", "## 2026-12-01 10:45 +01:00"))
    cli("check")  # uncommitted: not a removal
    commit_all(root, "Correct a time", "2026-12-01T11:50:00+01:00")
    cli("check")
    cli("build", "--strict")
    detail = page(root / "site", f"incidents/{ID}/")
    update = detail.select_one("#update-20261201t094500z")
    notice = update.select_one(".amendments")
    assert "Modifiée le 1er décembre 2026 à 11:50" in text_of(notice)
    assert "Heure annoncée alors : 1er décembre 2026 à 10:40" in text_of(notice)
    assert notice.select_one("blockquote") is None  # the words did not change
    assert detail.select_one("#update-20261201t094000z").find_parent("li") is update  # the old link lands here
    assert {e["id"] for e in atom_entries(root)} == ids_before
    assert [u["id"] for u in api_incident(root, ID)["incident_updates"]] == api_before


# -- reopening, related ----------------------------------------------------------------------------
def test_a_resolved_incident_reopened_by_a_later_update(tmp_path, at_time):
    root = published(tmp_path, at_time)
    cli = Cli(root)
    cli(
        "update",
        ID,
        "--status",
        "investigating",
        "--message",
        "Le problème est revenu.",
        "--at",
        "2026-12-01 11:50 +01:00",
    )
    commit_all(root, "Reopen", "2026-12-01T11:51:00+01:00")
    cli("check")
    cli("build", "--strict")
    detail = page(root / "site", f"incidents/{ID}/")
    reopened = detail.select_one("#update-20261201t105000z")
    assert "reopened" in reopened["class"] and text_of(reopened.select_one("h3")).startswith("Rouvert")
    facts = text_of(detail.select_one(".facts"))
    assert "en cours" in facts.lower()  # open again
    (entry,) = [e for e in atom_entries(root) if "revenu" in e["content"]]
    assert entry["title"].startswith("[Rouvert · ")
    assert api_incident(root, ID)["status"] == "investigating"
    cli("resolve", ID, "--message", "C'est réparé.", "--at", "2026-12-01 11:55 +01:00")
    result = cli("resolve", ID, "--message", "Encore.", expect=1)
    assert "already closed" in result.stderr


def test_related_incidents_are_shown_both_ways(tmp_path, at_time):
    root = published(tmp_path, at_time)
    other = "2026-12-01-dons-lents"
    write(
        root,
        RESOLVED.replace("title: Paiements lents", f"title: Dons lents\nrelated:\n  - {ID}").replace("10:00", "10:05"),
        name=other,
    )
    commit_all(root, "Related", "2026-12-01T11:51:00+01:00")
    Cli(root)("build", "--strict")
    for here, there, title in ((ID, other, "Dons lents"), (other, ID, "Paiements lents")):
        links = page(root / "site", f"incidents/{here}/").select(".facts ul.related a")
        assert [(text_of(a), a["href"]) for a in links] == [(title, f"../../incidents/{there}/")]


def test_an_unknown_related_incident_is_an_error(tmp_path, at_time):
    root = published(tmp_path, at_time)
    write(
        root,
        RESOLVED.replace("title: Paiements lents", "title: Paiements lents\nrelated:\n  - 2026-12-01-paiement-lent"),
    )
    result = Cli(root)("check", expect=1)
    assert f"incidents/{ID}.md:4: no incident '2026-12-01-paiement-lent' to relate to" in result.stderr


def test_a_reopened_incident_counts_the_time_it_was_open_again_not_the_time_between():
    from balise.content.model import Incident, IncidentStatus, Update
    from balise.transparency.accountability import quarterly, time_to_resolve

    def update(when, status):
        return Update(datetime.fromisoformat(f"2026-12-01T{when}:00+01:00"), IncidentStatus(status), "…")

    reopened = Incident(
        id="a",
        title="a",
        impact="minor",
        updates=(
            update("10:00", "investigating"),
            update("11:30", "resolved"),  # 1 h 30 open
            update("14:00", "investigating"),  # reopened 2 h 30 later: not counted
            update("14:20", "monitoring"),
            update("14:45", "resolved"),  # 45 min open again
        ),
    )
    assert reopened.reopening_times == {datetime.fromisoformat("2026-12-01T14:00:00+01:00")}
    assert time_to_resolve(reopened) == timedelta(hours=2, minutes=15)
    assert reopened.duration(NOW) == timedelta(hours=2, minutes=15)
    (figures,) = quarterly([reopened], ZoneInfo("Europe/Paris"), datetime.fromisoformat("2026-12-02T00:00:00+01:00"))
    assert figures.ttr_median == timedelta(hours=2, minutes=15)
    still_open = Incident(id="b", title="b", impact="minor", updates=reopened.updates[:3])
    assert still_open.duration(datetime.fromisoformat("2026-12-01T15:00:00+01:00")) == timedelta(hours=2, minutes=30)
    assert time_to_resolve(still_open) is None


def test_the_readme_section_alone_withdraws_an_update_published_by_mistake(tmp_path, at_time):
    """The README's commands, run as written, on the README's own timeline example."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```markdown\n(.*?)```", readme[readme.index("## Writing incidents") :], re.S).group(1)
    section = readme[readme.index("### Corrections and withdrawals") :]
    commands = re.search(r"```sh\n(.*?)```", section, re.S).group(1).strip().splitlines()
    recorded = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    root = site(tmp_path)
    incident = "2026-11-21-paiements-en-ligne-indisponibles"
    write(root, example.replace("# related: [2026-11-02-lenteurs-paiements]", ""), name=incident)
    commit_all(root, "Incident", "2026-11-21T15:21:00+01:00")
    at_time(datetime.fromisoformat("2026-11-21T16:10:00+01:00"))
    for command in commands:
        words = shlex.split(command)
        if words[0] == "balise":
            Cli(root)(*words[1:])
        else:
            assert words[:2] == ["git", "commit"]
            commit_all(root, words[-1], "2026-11-21T16:06:00+01:00")
    text = (root / "incidents" / f"{incident}.md").read_text(encoding="utf-8")
    shown = re.sub(r'at: "[^"]*"', 'at: "…"', recorded)
    assert re.sub(r'at: "[^"]*"', 'at: "…"', text).count(shown.strip()) == 1
    Cli(root)("build", "--strict")
    withdrawn = page(root / "site", f"incidents/{incident}/").select_one("li.withdrawn")
    assert "Publiée par erreur : elle concernait un autre service." in text_of(withdrawn)


def test_the_pages_of_the_record_are_valid_html(tmp_path, at_time):
    """A renamed incident's redirect, a withdrawn update, a wholly withdrawn incident, a reopened
    incident and related incidents: the Nu HTML Checker finds no error in their pages."""
    from browser import VNU, java, require

    require(VNU, "the Nu HTML Checker (vnu-jar)")
    root = published(tmp_path, at_time)
    other = "2026-12-01-dons-lents"
    write(
        root,
        RESOLVED.replace("title: Paiements lents", f"title: Dons lents\nrelated: [{ID}]").replace("10:00", "10:05"),
        name=other,
    )
    commit_all(root, "Another", "2026-12-01T11:35:00+01:00")
    cli = Cli(root)
    cli(
        "withdraw",
        ID,
        "--update",
        "2026-12-01 10:40 +01:00",
        "--reason",
        'Donnée personnelle <b>&</b> "quote"',
        "--at",
        "2026-12-01 11:40 +01:00",
    )
    cli("update", ID, "--status", "investigating", "--message", "Revenu.", "--at", "2026-12-01 11:45 +01:00")
    cli("withdraw", other, "--reason", "Publié par erreur", "--at", "2026-12-01 11:46 +01:00")
    git(root, "mv", f"incidents/{ID}.md", f"incidents/{NEW_ID}.md")
    commit_all(root, "Withdraw, reopen, rename", "2026-12-01T11:50:00+01:00")
    cli("build", "--strict")
    site = root / "site"
    pages = [site / "incidents" / name / "index.html" for name in (ID, NEW_ID, other)]
    assert "&lt;b&gt;" in pages[1].read_text(encoding="utf-8")  # the reason is text, never markup
    result = subprocess.run(
        [java(), "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert json.loads(result.stderr or result.stdout)["messages"] == []


# -- the walk through the versions, unit by unit ---------------------------------------------------
def walk_of(*texts):
    """`history._walk` over committed versions of the file, the last one being the file as it is."""
    from balise.content import history
    from balise.content.loaders import load_incident
    from balise.errors import Collector

    start = datetime.fromisoformat("2026-12-01T11:00:00+01:00")
    versions = [
        (history.Revision(f"{index:040d}", start + timedelta(minutes=index)), text) for index, text in enumerate(texts)
    ]
    current = load_incident(REPO / "incidents" / f"{ID}.md", None, Collector(), text=texts[-1])
    return history._walk(current, versions)


def test_a_removal_in_an_intermediate_version_then_restored_is_no_removal():
    deleted = RESOLVED.replace(
        RESOLVED[RESOLVED.index("## 2026-12-01 10:40") : RESOLVED.index("## 2026-12-01 11:30")], ""
    )
    assert [gone.at.strftime("%H:%M") for gone in walk_of(RESOLVED, deleted).removed] == ["10:40"]
    assert walk_of(RESOLVED, deleted, RESOLVED).removed == []


def test_an_embargoed_version_replaced_before_its_time_was_never_published():
    embargoed = RESOLVED.replace("impact: minor", "impact: minor\npublish_at: 2026-12-01 11:30 +01:00")
    shortened = embargoed.replace(
        embargoed[embargoed.index("## 2026-12-01 10:40") : embargoed.index("## 2026-12-01 11:30")], ""
    )
    assert walk_of(embargoed, shortened).removed == []  # replaced at 11:01, before 11:30


def test_two_times_corrected_in_one_commit_are_matched_by_their_words():
    corrected = RESOLVED.replace("10:00 +01:00", "09:55 +01:00").replace("10:40 +01:00", "10:35 +01:00")
    walk = walk_of(RESOLVED, corrected)
    assert walk.removed == []
    earlier = {
        u.at.strftime("%H:%M"): u.amendments[0].earlier_at.strftime("%H:%M")
        for u in walk.incident.updates
        if u.amendments
    }
    assert earlier == {"09:55": "10:00", "10:35": "10:40"}


def test_an_update_replaced_by_another_at_another_place_is_a_removal_not_a_correction():
    """A new update at the end and one deleted in the middle, in the same commit: not a time correction."""
    replaced = RESOLVED.replace(
        RESOLVED[RESOLVED.index("## 2026-12-01 10:40") : RESOLVED.index("## 2026-12-01 11:30")], ""
    )
    replaced += "\n## 2026-12-01 11:45 +01:00 — investigating\n\nDe nouveau lent.\n"
    walk = walk_of(RESOLVED, replaced)
    assert [gone.at.strftime("%H:%M") for gone in walk.removed] == ["10:40"]
