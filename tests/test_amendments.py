"""A published update whose wording a later commit changes is marked as amended, earlier wording kept."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from balise.content import history, model
from conftest import Cli, copy_demo, page, text_of
from gitrepo import commit_all, init_repo

ID = "2026-12-01-paiements-lents"
FIRST = """---
title: Paiements lents
kind: incident
impact: minor
components:
  - paiements
---

## 2026-12-01 10:00 +01:00 — investigating

Les paiements en ligne sont lents. Appelez le 01 99 00 42 42 pour un don urgent.

Next update: 2026-12-01 11:00 +01:00
"""


def site(tmp_path):
    root = init_repo(copy_demo(tmp_path / "site"))
    for old in (root / "incidents").glob("*.md"):
        old.unlink()
    return root


def write(root, text):
    (root / "incidents" / f"{ID}.md").write_text(text, encoding="utf-8")


def built_updates(root):
    detail = page(root / "site", f"incidents/{ID}/")
    return detail.select("ol.timeline > li")


def test_an_amended_update_shows_the_notice_and_the_earlier_wording(tmp_path, at_time):
    root = site(tmp_path)
    write(root, FIRST)
    commit_all(root, "Incident opened", "2026-12-01T10:01:00+01:00")
    write(root, FIRST.replace("01 99 00 42 42", "01 99 00 43 43"))  # a wrong phone number, corrected
    fix = commit_all(root, "Correct the phone number", "2026-12-01T10:20:00+01:00")
    at_time(datetime.fromisoformat("2026-12-01T10:30:00+01:00"))
    Cli(root)("build", "--strict")

    (update,) = built_updates(root)
    assert "01 99 00 43 43" in text_of(update.select_one(".message"))
    notice = update.select_one(".amendments .amended")
    assert text_of(notice).startswith("Modifiée le 1er décembre 2026 à 10:20")
    assert datetime.fromisoformat(notice.select_one("time")["datetime"]) == datetime.fromisoformat(
        "2026-12-01T10:20:00+01:00"
    )
    assert fix[:7] in text_of(notice)
    earlier = update.select_one(".amendments details")  # readable without JavaScript
    assert text_of(earlier.select_one("summary")) == "Voir la formulation précédente"
    assert "01 99 00 42 42" in text_of(earlier.select_one("blockquote"))


def test_a_changed_promise_or_status_is_an_amendment_too(tmp_path, at_time):
    """Moving a promised time after the fact, or changing the status word, must not erase a broken promise silently."""
    root = site(tmp_path)
    write(root, FIRST)
    commit_all(root, "Incident opened", "2026-12-01T10:01:00+01:00")
    write(
        root,
        FIRST.replace("Next update: 2026-12-01 11:00 +01:00", "Next update: 2026-12-01 18:00 +01:00").replace(
            "— investigating", "— identified"
        ),
    )
    commit_all(root, "Later promise", "2026-12-01T12:00:00+01:00")
    at_time(datetime.fromisoformat("2026-12-01T12:30:00+01:00"))
    Cli(root)("build")

    (update,) = built_updates(root)
    assert text_of(update.select_one(".amendments .amended")).startswith("Modifiée le 1er décembre 2026 à 12:00")
    earlier = text_of(update.select_one(".amendments details"))
    assert "État annoncé alors : Enquête en cours" in earlier
    assert "Prochaine mise à jour promise alors : 1er décembre 2026 à 11:00 CET" in earlier


def test_several_amendments_and_untouched_updates(tmp_path, at_time):
    root = site(tmp_path)
    write(root, FIRST)
    commit_all(root, "Opened", "2026-12-01T10:01:00+01:00")
    second = FIRST + "\n## 2026-12-01 10:50 +01:00 — identified\n\nLe prestataire de paiement est en panne.\n"
    write(root, second)
    commit_all(root, "Identified", "2026-12-01T10:51:00+01:00")
    write(root, second.replace("sont lents", "sont très lents"))
    commit_all(root, "Wording 2", "2026-12-01T11:05:00+01:00")
    write(root, second.replace("sont lents", "sont très lents, parfois impossibles"))
    commit_all(root, "Wording 3", "2026-12-01T11:30:00+01:00")
    at_time(datetime.fromisoformat("2026-12-01T12:00:00+01:00"))
    Cli(root)("build")

    newest, oldest = built_updates(root)
    assert newest.select(".amendments") == []  # the 10:50 update was never changed
    assert "Modifiée le 1er décembre 2026 à 11:30" in text_of(oldest.select_one(".amended"))
    assert text_of(oldest.select_one("summary")) == "Voir les 2 formulations précédentes"
    wordings = [text_of(b) for b in oldest.select("details blockquote")]
    assert ["très lents" in w for w in wordings] == [True, False]  # newest earlier wording first


def test_edits_before_publication_and_whitespace_do_not_count(tmp_path, at_time):
    root = site(tmp_path)
    write(root, FIRST.replace("---\n\n", "draft: true\n---\n\n", 1))
    commit_all(root, "Draft", "2026-12-01T09:55:00+01:00")
    write(root, FIRST.replace("---\n\n", "draft: true\n---\n\n", 1).replace("sont lents", "sont lents depuis 9 h 50"))
    commit_all(root, "Draft reworded", "2026-12-01T09:58:00+01:00")
    write(root, FIRST.replace("sont lents", "sont lents depuis 9 h 50"))
    commit_all(root, "Published", "2026-12-01T10:01:00+01:00")
    write(root, FIRST.replace("sont lents", "sont lents\ndepuis 9 h 50"))  # re-wrapped, same words
    commit_all(root, "Re-wrapped", "2026-12-01T10:10:00+01:00")
    at_time(datetime.fromisoformat("2026-12-01T10:30:00+01:00"))
    Cli(root)("build")
    (update,) = built_updates(root)
    assert update.select(".amendments") == []


def test_draft_edits_are_not_amendments_unit():
    """The walk over versions, without git: only a change to wording already public counts."""
    at = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    incident = model.Incident(
        id=ID,
        title="x",
        updates=[
            model.Update(at=datetime.fromisoformat("2026-12-01T10:00:00+01:00"), status="investigating", message="c")
        ],
    )
    draft = FIRST.replace("---\n\n", "draft: true\n---\n\n", 1)
    versions = [
        (history.Revision("a" * 40, at), draft.replace("sont lents", "a")),
        (history.Revision("b" * 40, at.replace(minute=5)), draft.replace("sont lents", "b")),  # still a draft
        (history.Revision("c" * 40, at.replace(minute=10)), FIRST.replace("sont lents", "b")),  # published as b
        (history.Revision("d" * 40, at.replace(minute=20)), FIRST.replace("sont lents", "c")),  # amended
        (history.Revision("e" * 40, at.replace(minute=30)), None),  # a version that cannot be read
    ]
    incident = history._apply(incident, versions)
    (amendment,) = incident.updates[0].amendments
    assert amendment.commit == "d" * 40 and amendment.at == at.replace(minute=20)
    assert "paiements en ligne b." in amendment.earlier_message
    assert incident.updates[0].last_modified == at.replace(minute=20)


@pytest.mark.parametrize("embargo, expected", [("2026-12-01 12:00 +01:00", 0), ("2026-12-01 10:05 +01:00", 1)])
def test_an_embargoed_update_is_not_public_until_its_time(embargo, expected):
    at = datetime.fromisoformat("2026-12-01T10:10:00+01:00")
    embargoed = FIRST.replace("---\n\n", f"publish_at: {embargo}\n---\n\n", 1)
    incident = model.Incident(
        id=ID,
        title="x",
        updates=[
            model.Update(at=datetime.fromisoformat("2026-12-01T10:00:00+01:00"), status="investigating", message="c")
        ],
    )
    incident = history._apply(
        incident,
        [
            (history.Revision("a" * 40, at), embargoed),
            (history.Revision("b" * 40, at.replace(minute=20)), embargoed.replace("sont lents", "x")),
        ],
    )
    assert len(incident.updates[0].amendments) == expected


def test_a_version_public_once_its_embargo_lifted_counts_and_one_that_never_built_does_not():
    """Committed at 10:00 under an embargo until 12:00, reworded at 15:00: the public read the first
    wording from 12:00, so the rewording is an amendment. A version the build refused (an unknown
    component) never reached the site: its words are not an earlier wording to show."""
    at = datetime.fromisoformat("2026-12-01T10:00:00+01:00")
    embargoed = FIRST.replace("---\n\n", "publish_at: 2026-12-01 12:00 +01:00\n---\n\n", 1)
    incident = model.Incident(id=ID, title="x", updates=[model.Update(at=at, status="investigating", message="c")])
    incident = history._apply(
        incident,
        [
            (history.Revision("a" * 40, at), embargoed),
            (history.Revision("b" * 40, at.replace(hour=15)), embargoed.replace("sont lents", "sont très lents")),
        ],
        {"paiements"},
    )
    (amendment,) = incident.updates[0].amendments
    assert amendment.commit == "b" * 40 and "sont lents" in amendment.earlier_message

    broken = FIRST.replace("  - paiements", "  - paiement").replace("sont lents", "NOTE INTERNE : Acme")
    incident = model.Incident(id=ID, title="x", updates=[model.Update(at=at, status="investigating", message="c")])
    incident = history._apply(
        incident,
        [
            (history.Revision("a" * 40, at), broken),  # refused by the build
            (history.Revision("b" * 40, at.replace(minute=5)), FIRST),
        ],
        {"paiements"},
    )
    assert incident.updates[0].amendments == ()


def test_a_published_postmortem_is_announced_in_the_feeds_when_git_first_saw_it(tmp_path, at_time):
    import feedparser

    root = site(tmp_path)
    write(root, FIRST)
    commit_all(root, "Incident opened", "2026-12-01T10:01:00+01:00")
    resolved = FIRST + "\n## 2026-12-01 11:00 +01:00 — resolved\n\nRétabli.\n"
    write(root, resolved)
    commit_all(root, "Resolved", "2026-12-01T11:01:00+01:00")
    write(root, resolved + "\n## Postmortem\n\nUn certificat expiré ; nous surveillons désormais les dates.\n")
    commit_all(root, "Postmortem", "2026-12-03T16:00:00+01:00")
    at_time(datetime.fromisoformat("2026-12-04T09:00:00+01:00"))
    for _ in range(2):  # the same entry, build after build
        Cli(root)("build")
        feeds = [
            feedparser.parse((root / "site" / name).read_bytes())
            for name in ("history.atom", "history.rss", f"incidents/{ID}/feed.atom")
        ]
        for feed in feeds:
            newest = feed.entries[0]
            assert newest.title == "[Retour d'expérience] Paiements lents"
            assert newest.link.endswith(f"/incidents/{ID}/#postmortem")
            assert "certificat expiré" in newest.description
        atom = feeds[0].entries[0]
        assert atom.id == f"tag:statut.relais-solidaire.example.org,2026-12-03:incidents/{ID}/postmortem"
        assert atom.published == "2026-12-03T15:00:00Z" and atom.updated == atom.published
        assert [e.title for e in feeds[2].entries][1:] == [
            "[Résolu] Paiements lents",
            "[Enquête en cours] Paiements lents",
        ]
