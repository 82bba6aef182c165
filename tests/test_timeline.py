"""The timeline syntax: reading times (with DST), and appending an update without touching the rest."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from balise.content.loaders import load_incident
from balise.errors import Collector
from balise.timeline import TimeError, append_update, format_time, format_update, parse_body, parse_time

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-21 14:05 +01:00", "2026-11-21T14:05:00+01:00"),
        ("2026-11-21T14:05+0100", "2026-11-21T14:05:00+01:00"),
        ("2026-11-21T13:05Z", "2026-11-21T13:05:00+00:00"),
        ("2026-11-21 13:05 UTC", "2026-11-21T13:05:00+00:00"),
        ("2026-07-01 09:00:30 -04:00", "2026-07-01T09:00:30-04:00"),
    ],
)
def test_times_with_an_offset(text, expected):
    assert parse_time(text).isoformat() == expected


def test_times_of_one_offset_share_one_zone_object():
    """So that they compare without asking each its offset, and pickle it once (the build cache)."""
    winter, later = parse_time("2026-11-21 14:05 +01:00"), parse_time("2026-11-22 09:00 +0100")
    india, newfoundland = parse_time("2026-07-01 09:00 +05:30"), parse_time("2026-07-01 09:00 -03:30")
    assert winter.tzinfo is later.tzinfo and winter.tzinfo == timezone(timedelta(hours=1))
    assert india.utcoffset() == timedelta(hours=5, minutes=30)
    assert newfoundland.utcoffset() == -timedelta(hours=3, minutes=30)
    assert india.tzinfo is not newfoundland.tzinfo


def test_a_time_without_offset_is_refused_unless_a_zone_is_given():
    with pytest.raises(TimeError, match="no UTC offset"):
        parse_time("2026-11-21 14:05")
    assert parse_time("2026-11-21 14:05", PARIS).utcoffset() == timedelta(hours=1)
    assert parse_time("2026-07-21 14:05", PARIS).utcoffset() == timedelta(hours=2)


def test_dst_changes_in_the_site_zone():
    # Spring forward, 29 March 2026: 02:30 does not exist in Paris; it is read as 03:30 CEST.
    gap = parse_time("2026-03-29 02:30", PARIS)
    assert gap.astimezone(timezone.utc) == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    # Fall back, 25 October 2026: 02:30 happens twice; the first (summer time) is taken.
    fold = parse_time("2026-10-25 02:30", PARIS)
    assert fold.utcoffset() == timedelta(hours=2)
    # An explicit offset always wins, so the second 02:30 can be written too.
    assert parse_time("2026-10-25 02:30 +01:00").astimezone(timezone.utc).hour == 1


@pytest.mark.parametrize(
    "text",
    ["2026-02-30 10:00 +01:00", "21/11/2026 14:05", "2026-11-21 25:00 +01:00", "2026-11-21 10:00 +15:00", "tomorrow"],
)
def test_impossible_times_are_explained(text):
    with pytest.raises(TimeError, match=r"2026|ISO|offset|time"):
        parse_time(text)


def test_written_times_read_back_to_the_same_instant():
    moment = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=1)
    assert parse_time(format_time(moment)).timestamp() == moment.timestamp()
    assert format_time(moment) == "2026-10-25 02:30 +01:00"


SOURCE = """---
title: Paiements indisponibles   # hand comment kept
impact: major
components: [paiements]
---

<!-- note interne : ne pas oublier la FAQ -->

## 2026-11-21 09:00 +01:00 — investigating

Nous enquêtons.

Next update: 2026-11-21 10:00 +01:00

## 2026-11-21 09:40 +01:00 — identified

Cause trouvée.
```
## 2026-01-01 00:00 +01:00 — this is inside a code block
```
"""


def test_append_adds_one_section_and_leaves_every_other_byte():
    section = format_update(datetime(2026, 11, 21, 10, 5, tzinfo=PARIS), "monitoring", "Correctif déployé.")
    result = append_update(SOURCE, section)
    assert result.startswith(SOURCE)
    assert result[len(SOURCE) :] == "\n## 2026-11-21 10:05 +01:00 — monitoring\n\nCorrectif déployé.\n"
    body = parse_body(result.split("---\n", 2)[2], 6)
    assert [u.status for u in body.updates] == ["investigating", "identified", "monitoring"]


def test_append_goes_before_the_postmortem_and_keeps_crlf():
    source = SOURCE.replace("```\n## 2026-01-01 00:00 +01:00 — this is inside a code block\n```\n", "") + (
        "\n## Postmortem\n\nCe que nous avons appris.\n"
    )
    source = source.replace("\n", "\r\n")
    section = format_update(datetime(2026, 11, 21, 11, 0, tzinfo=PARIS), "resolved", "Résolu.")
    result = append_update(source, section)
    head, tail = source.split("## Postmortem")
    assert result.startswith(head)
    assert result.endswith("## Postmortem" + tail)
    assert "\n" not in result.replace("\r\n", "")
    assert "## 2026-11-21 11:00 +01:00 — resolved\r\n\r\nRésolu.\r\n\r\n## Postmortem" in result


def test_append_to_a_file_without_final_newline():
    result = append_update("---\ntitle: x\n---\n## 2026-11-21 09:00 +01:00 — investigating\n\nx", "## s\n\ny\n")
    assert result == "---\ntitle: x\n---\n## 2026-11-21 09:00 +01:00 — investigating\n\nx\n\n## s\n\ny\n"


def test_update_command_changes_nothing_else_in_the_file(cli, demo):
    path = demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
    before = path.read_text(encoding="utf-8")
    cli(
        "update",
        path.stem,
        "--status",
        "monitoring",
        "--message",
        "Le service revient progressivement.",
        "--at",
        "2026-11-22T11:45:00+01:00",
        "--next-update",
        "2026-11-22T13:00",
    )
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert after[len(before) :] == (
        "\n## 2026-11-22 11:45 +01:00 — monitoring\n\nLe service revient progressivement.\n\n"
        "Next update: 2026-11-22 13:00 +01:00\n"
    )


def test_french_statuses_and_next_update_lines_are_accepted(tmp_path):
    path = tmp_path / "2026-11-21-x.md"
    path.write_text(
        "---\ntitle: X\nimpact: minor\ncomponents: [api]\n---\n\n"
        "## 2026-11-21 09:00 +01:00 · Enquête en cours\n\nx\n\nProchaine mise à jour : 2026-11-21 10:00 +01:00\n\n"
        "## 2026-11-21 09:30 +01:00 - Cause identifiée\n\ny\n",
        encoding="utf-8",
    )
    report = Collector(tmp_path)
    incident = load_incident(path, {"api"}, report)
    assert not report.problems, report.problems
    assert [u.status for u in incident.updates] == ["investigating", "identified"]
    assert incident.updates[0].next_update == datetime(2026, 11, 21, 10, 0, tzinfo=PARIS)


UPDATE_1 = "## 2026-11-21 09:00 +01:00 — investigating\n\n"
UPDATE_2 = "\n\n## 2026-11-21 10:00 +01:00 — resolved\n\nRétabli.\n"


@pytest.mark.parametrize(
    "message",
    [
        "Tapez ```redémarrer``` svp.",  # three backticks with more on the line: inline code, not a fence
        "Exemple :\n\n    ```\n    pas une clôture, du code indenté",  # four spaces: not a fence
        "Journal :\n\n~~~~\n## 2026-11-21 09:30 +01:00 — identified\n~~~\n~~~~~",  # closed by a longer fence only
    ],
)
def test_code_is_read_as_commonmark_reads_it(message):
    body = parse_body(UPDATE_1 + message + UPDATE_2, 7)
    assert body.problems == []
    assert [u.status for u in body.updates] == ["investigating", "resolved"]
    assert body.updates[0].message == message


def test_comments_are_notes_for_the_team_and_never_an_update():
    body = parse_body(
        UPDATE_1 + "Cause <!-- Acme, ne pas citer --> à l'étude.\n\n<!-- la suite :\n"
        "## 2026-11-21 11:00 +01:00 — resolved\n-->\nNext update: 2026-11-21 10:00 +01:00",
        7,
    )
    assert body.problems == []
    [update] = body.updates
    assert (update.message, update.next_update) == ("Cause  à l'étude.", "2026-11-21 10:00 +01:00")
    preamble = parse_body(
        "# Paiements lents\n<!-- pour l'équipe :\nle prestataire est Acme -->\n\n" + UPDATE_1 + "x", 7
    )
    assert (preamble.problems, [u.message for u in preamble.updates]) == ([], ["x"])


@pytest.mark.parametrize(
    "opening, problem",
    [
        (
            "```",
            "this code block (```) is never closed, so every line after it is read as code — add a closing ``` line",
        ),
        ("<!-- à voir", "this comment (<!--) is never closed, so everything after it is hidden — close it with -->"),
    ],
)
def test_a_block_left_open_is_an_error_where_it_opens(opening, problem):
    body = parse_body(UPDATE_1 + "Une ligne.\n" + opening + UPDATE_2, 7)
    assert body.problems == [(10, problem)]
    assert len(body.updates) == 1  # what followed was swallowed: hence the error


def test_resolving_after_a_message_with_inline_code_closes_the_incident(cli, demo):
    cli(
        "new",
        "--title",
        "Connexion",
        "--impact",
        "minor",
        "--component",
        "paiements",
        "--at",
        "2026-11-22T10:00",
        "--message",
        "Tapez ```redémarrer``` svp.",
    )
    [created] = demo.glob("incidents/2026-11-22-connexion.md")
    cli("resolve", created.stem, "--message", "Rétabli.", "--at", "2026-11-22T10:10")
    report = Collector(demo)
    incident = load_incident(created, {"paiements"}, report)
    assert [u.status for u in incident.updates] == ["investigating", "resolved"] and not report.errors


def test_update_keeps_a_byte_order_mark_and_goes_before_the_postmortem(cli, demo):
    path = demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
    original = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original + "\n## Postmortem\n\nÀ venir.\n".encode())
    cli("resolve", path.stem, "--message", "Rétabli.", "--at", "2026-11-22T13:00:00+01:00")
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf" + original)
    assert after[len(original) + 3 :].decode() == (
        "\n## 2026-11-22 13:00 +01:00 — resolved\n\nRétabli.\n\n## Postmortem\n\nÀ venir.\n"
    )


@pytest.mark.parametrize("separator", ["--", "---", "-", "—", "–", "|", "·"])
def test_any_dash_separates_the_time_from_the_status(separator):
    body = parse_body(f"## 2026-11-21 14:05 +01:00 {separator} identified\n\nCause trouvée.\n", 9)
    assert not body.problems
    assert [(u.line, u.when, u.status) for u in body.updates] == [(9, "2026-11-21 14:05 +01:00", "identified")]


@pytest.mark.parametrize(
    "line",
    [
        "Prochaine MAJ : 2026-11-21 15:00 +01:00",
        "Prochaine mise à jour : 2026-11-21 15:00 +01:00",
        "Prochaine mise-à-jour: 2026-11-21 15:00 +01:00",
        "**Prochain point prévu :** 2026-11-21 15:00 +01:00",
        "Next update expected: 2026-11-21 15:00 +01:00",
        "next update: 2026-11-21 15:00 +01:00",
    ],
)
def test_the_usual_ways_of_promising_the_next_update_are_read(line):
    body = parse_body(f"## 2026-11-21 14:05 +01:00 — identified\n\nCause trouvée.\n\n{line}\n", 9)
    assert not body.problems and not body.warnings
    assert (body.updates[0].message, body.updates[0].next_update) == ("Cause trouvée.", "2026-11-21 15:00 +01:00")
    assert body.updates[0].next_update_line == 13


def test_a_line_that_looks_like_a_promise_but_is_not_read_is_warned_about():
    text = (
        "## 2026-11-21 14:05 +01:00 — identified\n\nCause trouvée.\n\nProchaine MAJ vers 15 h\n\n"
        "```\nNext update soon\n```\n\nProchainement, un correctif.\n"
    )
    body = parse_body(text, 9)
    assert body.updates[0].next_update is None
    assert [line for line, _ in body.warnings] == [13]  # neither the code block nor "Prochainement"
    assert "is read as message text, so nothing is promised" in body.warnings[0][1]
    assert "'Next update: 2026-11-21 15:00 +01:00'" in body.warnings[0][1]


@pytest.mark.parametrize(
    "text, zone, hint",
    [
        ("2026-11-21 10:21 CET", None, "CET is +01:00: '2026-11-21 10:21 +01:00'"),
        ("2026-07-21 10:21 CEST", None, "CEST is +02:00: '2026-07-21 10:21 +02:00'"),
        ("2026-11-21 10:21 EST", None, "EST is -05:00: '2026-11-21 10:21 -05:00'"),
        ("2026-11-21 10:21 +01:00 CET", None, "write only the UTC offset — remove 'CET'"),
        ("2026-11-21 10:21 XYZ", ZoneInfo("America/Montreal"), "e.g. '2026-11-21 10:21 -05:00'"),
        ("2026-07-21 10:21", ZoneInfo("America/Montreal"), "e.g. '2026-07-21 10:21 -04:00'"),
        ("2026-07-21 10:21", PARIS, "e.g. '2026-07-21 10:21 +02:00'"),
        ("demain 10 h", ZoneInfo("Asia/Tokyo"), "write it as 2026-11-21 14:05 +09:00"),
    ],
)
def test_time_hints_give_the_offset_of_the_site_zone_at_that_date(text, zone, hint):
    with pytest.raises(TimeError) as error:
        parse_time(text, hint_zone=zone)
    assert hint in str(error.value)


def test_gmt_is_utc():
    assert parse_time("2026-11-21 13:05 GMT").isoformat() == "2026-11-21T13:05:00+00:00"


def test_status_and_impact_suggestions_ignore_accents_and_know_french_words():
    from balise.content.vocabulary import suggest_component_status, suggest_impact, suggest_status

    assert suggest_status("incident", "Résolue") == "did you mean 'resolved'?"
    assert suggest_status("incident", "RÉTABLI") == "did you mean 'resolved'?"
    assert suggest_status("incident", "enquête") == "did you mean 'investigating'?"
    assert suggest_status("incident", "Identifiée") == "did you mean 'identified'?"
    assert suggest_status("maintenance", "Terminé") == "did you mean 'completed'?"
    assert suggest_status("maintenance", "commencée") == "did you mean 'in_progress'?"
    assert suggest_status("maintenance", "resolved") == "it is a status for an incident; did you mean 'completed'?"
    assert suggest_status("incident", "en panne").startswith("expected one of: investigating")
    assert [suggest_impact(w) for w in ("majeur", "Mineure", "critique", "aucun", "majr")] == [
        "did you mean 'major'?",
        "did you mean 'minor'?",
        "did you mean 'critical'?",
        "did you mean 'none'?",
        "did you mean 'major'?",
    ]
    assert suggest_impact("huge") == "expected one of: none, minor, major, critical"
    assert suggest_component_status("Panne partielle") == "did you mean 'partial_outage'?"


def test_did_you_mean_ignores_case_and_accents():
    from balise.content.fields import did_you_mean

    assert did_you_mean("Paiements", ["paiements", "dons"]) == "did you mean 'paiements'?"
    assert did_you_mean("Démande-aide", ["demande-aide", "dons"]) == "did you mean 'demande-aide'?"
