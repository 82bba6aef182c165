"""An append-only public record: what was published stays accounted for, in a real git repository.

Each test makes a change a writer could make (delete an update, delete an incident, rename a file,
correct a time, reopen, withdraw with a reason), then checks what `balise check` says, and what the
pages, feeds and API show."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from conftest import Cli, copy_demo, page, text_of
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
RESOLVED = OPENED + """
## 2026-12-01 11:30 +01:00 — resolved

Les paiements fonctionnent de nouveau.
"""
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
        assert f"incidents/{ID}.md:{line}: the update of 2026-12-01 10:40 +01:00 (identified) was published" in result.stderr
        assert "restore it" in result.stderr and f"balise withdraw {ID} --update '2026-12-01 10:40 +01:00'" in result.stderr
        assert "git show " in result.stderr
        built = Cli(root)("build", expect=1)
        assert "the update of 2026-12-01 10:40 +01:00 (identified) was published" in built.stderr
        assert not (root / "site").exists()


def test_deleting_a_published_incident_file_is_refused_at_its_old_path(tmp_path, at_time):
    root = published(tmp_path, at_time)
    write(root, OPENED.replace("Paiements lents", "Autre chose").replace("paiements en ligne", "dons"), name="2026-12-01-autre")
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
