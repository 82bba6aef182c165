"""Drafts and embargoed items never reach the public: not a page, a feed, the JSON, a calendar,
the sitemap or the search index. Unique markers are planted in them, the site is built, and every
output file (gzip ones decompressed) is searched for the markers.

The copy of the demo turns MkDocs's search plugin on, so its index is searched too.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from browser import build_demo, file_bytes, site_files
from conftest import DEMO_NOW, page, text_of

DRAFT = "zqxdraftmarker"  # lower case: it is also in the draft's file name, hence its id and URL
EMBARGO = "zqxembargomarker"
EMBARGO_MAINTENANCE = "zqxembargomaint"
UNPUBLISHED = "zqxunpublishedtestimonial"  # a testimonial with `published: false`
PRIVATE = "zqxprivatemarker"  # data kept for the team only: consent proof, playbooks, hidden mentions
CONTROL = "zqxpublishedmarker"  # a published incident with a marker, to prove the search finds things
COMMENT = "zqxcommentmarker"  # the writers' notes in HTML comments of that published incident
PUBLISH_AT = DEMO_NOW + timedelta(hours=3)


def incident(marker: str, extra: str, kind: str = "incident") -> str:
    window = ""
    if kind == "maintenance":
        window = "scheduled_for: 2026-12-20 22:00 +01:00\nscheduled_until: 2026-12-21 02:00 +01:00\n"
    status = "scheduled" if kind == "maintenance" else "investigating"
    return f"""---
title: Titre {marker}
kind: {kind}
impact: critical
components:
  - paiements: major_outage
spokesperson: Porte-parole {marker}
{window}{extra}---

## 2026-11-22 09:00 +01:00 — {status}

Message {marker}, avec un [lien](https://example.org/{marker}).

Next update: 2026-11-22 13:00 +01:00

## Postmortem

Analyse {marker}.
"""


def plant(demo: Path) -> None:
    folder = demo / "incidents"
    (folder / f"2026-11-22-{DRAFT}.md").write_text(incident(DRAFT, "draft: true\n"), encoding="utf-8")
    embargo = f"publish_at: {PUBLISH_AT.isoformat(' ', 'minutes')}\n"
    (folder / "2026-11-22-annonce-sous-embargo.md").write_text(incident(EMBARGO, embargo), encoding="utf-8")
    (folder / "2026-11-22-maintenance-sous-embargo.md").write_text(
        incident(EMBARGO_MAINTENANCE, embargo, kind="maintenance"), encoding="utf-8"
    )
    notes = (
        f"Cause <!-- {COMMENT} --> à l'étude.\n\n<!-- brouillon de la suite :\n\n"
        f"## 2026-11-22 11:00 +01:00 — resolved\n\n{COMMENT} : le prestataire.\n-->\n\nNext update:"
    )
    (folder / "2026-11-22-incident-publie.md").write_text(
        incident(CONTROL, "").replace("Next update:", notes, 1), encoding="utf-8"
    )
    testimonial = (demo / "content/testimonials/2026-02-10-beneficiaire-anonyme.yml").read_text(encoding="utf-8")
    (demo / "content/testimonials/2026-11-01-retire.yml").write_text(
        testimonial.replace("Quand je suis", f"{UNPUBLISHED} Quand je suis").replace(
            "published: true", "published: false"
        ),
        encoding="utf-8",
    )
    (demo / "content/testimonials/2026-11-02-preuve.yml").write_text(
        testimonial.replace("formulaire n° 2026-031", f"formulaire {PRIVATE}"), encoding="utf-8"
    )
    playbook = demo / "content/playbooks/data-breach.en.md"
    playbook.write_text(playbook.read_text(encoding="utf-8") + f"\n{PRIVATE}\n", encoding="utf-8")
    monitoring = demo / "status/monitoring/2026-11.yml"
    monitoring.write_text(
        monitoring.read_text(encoding="utf-8").replace(
            "items:\n",
            f'items:\n  - id: "0123456789abcdef"\n    at: 2026-11-06 10:00 +01:00\n    source: alertes-google\n'
            f'    title: "Mention masquée {PRIVATE}"\n    link: "https://example.org/{PRIVATE}"\n    hidden: true\n',
            1,
        ),
        encoding="utf-8",
    )
    config = demo / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "plugins:\n" in text
    config.write_text(text.replace("plugins:\n", "plugins:\n  - search\n", 1), encoding="utf-8")


def files_containing(site: Path, marker: str) -> list[str]:
    needle = marker.encode()
    return [p.relative_to(site).as_posix() for p in site_files(site) if needle in file_bytes(p).lower()]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The planted demo built before the embargo ends, and once it has ended."""
    before = build_demo(tmp_path_factory.mktemp("drafts-before"), DEMO_NOW, edit=plant)
    after = build_demo(tmp_path_factory.mktemp("drafts-after"), PUBLISH_AT + timedelta(minutes=1), edit=plant)
    return before, after


def test_the_search_index_is_built_and_searched(sites):
    before, _ = sites
    assert (before / "search" / "search_index.json").is_file(), "the search plugin wrote no index"
    assert any(p.suffix == ".gz" for p in site_files(before)), "no compressed file to decompress"


def test_published_markers_are_found(sites):
    """The control: a published incident's marker is found, so the search below can fail."""
    before, _ = sites
    found = files_containing(before, CONTROL)
    assert "index.html" in found and "incidents/2026-11-22-incident-publie/index.html" in found
    # The update drafted inside a comment is not one: the incident is still under investigation.
    updates = page(before, "incidents/2026-11-22-incident-publie/").select(".timeline .update")
    assert [text_of(u.select_one(".message")) for u in updates] == [
        f"Message {CONTROL}, avec un lien . Cause à l'étude."
    ]


def test_drafts_and_embargoed_items_are_in_no_output_file(sites):
    before, _ = sites
    for marker in (DRAFT, EMBARGO, EMBARGO_MAINTENANCE, UNPUBLISHED, PRIVATE, COMMENT):
        assert files_containing(before, marker) == [], f"{marker} leaked"
    assert not (before / "incidents" / f"2026-11-22-{DRAFT}").exists()
    assert not (before / "incidents" / "2026-11-22-annonce-sous-embargo").exists()


def test_an_embargo_lifts_at_its_time_and_a_draft_stays_hidden(sites):
    _, after = sites
    assert "incidents/2026-11-22-annonce-sous-embargo/index.html" in files_containing(after, EMBARGO)
    assert files_containing(after, EMBARGO_MAINTENANCE)
    assert files_containing(after, DRAFT) == []
