"""Accountability figures, checked against values computed by hand on fixture incidents."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from balise.content.model import Incident, Update
from balise.transparency.accountability import median, percentile, promises, quarterly
from conftest import DEMO_NOW, page, text_of

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.fromisoformat("2026-04-20T12:00:00+02:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def incident(id, impact, updates, began=None, kind="incident", postmortem=""):
    """updates: (time, status, promised next update or None)."""
    return Incident(
        id=id,
        title=id,
        kind=kind,
        impact=impact,
        began_at=at(began) if began else None,
        postmortem=postmortem,
        updates=[Update(at(when), status, "…", next_update=at(nxt) if nxt else None) for when, status, nxt in updates],
    )


FIXTURES = [
    # Q1 2026 -------------------------------------------------------------------------------
    # A: first update 10 min after the start; promise 10:40 kept (10:35), promise 11:30 broken (11:45);
    #    resolved 1 h 45 after the start; major with a postmortem.
    incident(
        "a",
        "major",
        [
            ("2026-01-10T10:10+01:00", "investigating", "2026-01-10T10:40+01:00"),
            ("2026-01-10T10:35+01:00", "identified", "2026-01-10T11:30+01:00"),
            ("2026-01-10T11:45+01:00", "resolved", None),
        ],
        began="2026-01-10T10:00+01:00",
        postmortem="What happened.",
    ),
    # B: first update after 30 min; 09:00 promised and published at 09:00 exactly (kept), 10:00 promised,
    #    09:50 published (kept); resolved after 1 h 50; critical, no postmortem 2 months later: missing.
    incident(
        "b",
        "critical",
        [
            ("2026-02-01T08:30+01:00", "investigating", "2026-02-01T09:00+01:00"),
            ("2026-02-01T09:00+01:00", "monitoring", "2026-02-01T10:00+01:00"),
            ("2026-02-01T09:50+01:00", "resolved", None),
        ],
        began="2026-02-01T08:00+01:00",
    ),
    # C: no recorded start (left out of the first-update delay); 21:30Z is 23:30 in Paris on 31 March: Q1.
    #    Promise 22:00Z, next update 22:15Z: broken. Resolved 45 min after its first update. Minor: no postmortem due.
    incident(
        "c",
        "minor",
        [
            ("2026-03-31T21:30+00:00", "investigating", "2026-03-31T22:00+00:00"),
            ("2026-03-31T22:15+00:00", "resolved", None),
        ],
    ),
    # Q2 2026 -------------------------------------------------------------------------------
    # D: open; first update after 20 min; 10:00 promise kept (09:50); 13:00 promise still ahead at 12:00: not counted.
    incident(
        "d",
        "major",
        [
            ("2026-04-20T09:20+02:00", "investigating", "2026-04-20T10:00+02:00"),
            ("2026-04-20T09:50+02:00", "identified", "2026-04-20T13:00+02:00"),
        ],
        began="2026-04-20T09:00+02:00",
    ),
    # E: first update after 5 min; promise 10:30 broken (next at 11:00); resolved after 1 h;
    #    major resolved 2 days before NOW, no postmortem yet: not due (a week's grace).
    incident(
        "e",
        "major",
        [
            ("2026-04-18T10:05+02:00", "investigating", "2026-04-18T10:30+02:00"),
            ("2026-04-18T11:00+02:00", "resolved", None),
        ],
        began="2026-04-18T10:00+02:00",
    ),
    # F: open; first update after 10 min; promised 11:40, nothing since, now 12:00: broken.
    incident(
        "f",
        "minor",
        [
            ("2026-04-20T11:10+02:00", "investigating", "2026-04-20T11:40+02:00"),
        ],
        began="2026-04-20T11:00+02:00",
    ),
    # Not counted at all: a maintenance and a notice.
    incident("m", "minor", [("2026-04-10T22:00+02:00", "scheduled", "2026-04-10T22:05+02:00")], kind="maintenance"),
    incident("n", "none", [("2026-04-11T10:00+02:00", "investigating", "2026-04-11T10:05+02:00")], kind="notice"),
]


def test_quarterly_figures_match_the_hand_computation():
    q2, q1 = quarterly(FIXTURES, PARIS, NOW)
    # Q1: incidents A, B, C.
    #   first update: A 10 min, B 30 min (C unknown) -> median (10+30)/2 = 20 min; p90 rank ⌈0.9×2⌉ = 2 -> 30 min
    #   promises: A 1/2, B 2/2, C 0/1 -> 3 of 5
    #   resolve: C 45, A 105, B 110 min -> median 105 min
    #   postmortems: A yes, B missing -> 1 of 2
    assert (q1.year, q1.quarter, q1.incidents) == (2026, 1, 3)
    assert (q1.ttfu_median, q1.ttfu_p90, q1.ttfu_count, q1.ttfu_unknown) == (
        timedelta(minutes=20),
        timedelta(minutes=30),
        2,
        1,
    )
    assert (q1.promises_kept, q1.promises_total) == (3, 5)
    assert q1.promises_share == 0.6
    assert (q1.ttr_median, q1.ttr_count) == (timedelta(minutes=105), 3)
    assert (q1.postmortems_published, q1.postmortems_due, q1.postmortems_share) == (1, 2, 0.5)
    # Q2: incidents D, E, F (the maintenance and the notice are not counted).
    #   first update: E 5, F 10, D 20 min -> median 10 min; p90 rank ⌈0.9×3⌉ = 3 -> 20 min
    #   promises: D 1/1 (the future one not counted), E 0/1, F 0/1 -> 1 of 3
    #   resolve: only E, 60 min
    #   postmortems: D open, E within the week's grace -> none due
    assert (q2.year, q2.quarter, q2.incidents) == (2026, 2, 3)
    assert (q2.ttfu_median, q2.ttfu_p90, q2.ttfu_unknown) == (timedelta(minutes=10), timedelta(minutes=20), 0)
    assert (q2.promises_kept, q2.promises_total) == (1, 3)
    assert (q2.ttr_median, q2.ttr_count) == (timedelta(hours=1), 1)
    assert (q2.postmortems_due, q2.postmortems_share) == (0, None)


def test_a_week_later_the_missing_postmortem_is_due():
    # At 2026-04-26 12:00, E was resolved 8 days earlier without a postmortem: 0 of 1.
    # D's 13:00 promise on 20 April passed with no update: now broken -> Q2 promises 1 of 4.
    q2 = quarterly(FIXTURES, PARIS, at("2026-04-26T12:00+02:00"))[0]
    assert (q2.postmortems_published, q2.postmortems_due) == (0, 1)
    assert (q2.promises_kept, q2.promises_total) == (1, 4)


def test_median_and_nearest_rank_percentile():
    minutes = [timedelta(minutes=m) for m in (7, 1, 10, 3, 2, 9, 4, 6, 8, 5)]
    assert median(minutes) == timedelta(minutes=5, seconds=30)  # (5 + 6) / 2
    assert percentile(minutes, 0.9) == timedelta(minutes=9)  # ⌈0.9 × 10⌉ = 9th smallest
    assert percentile(minutes[:1], 0.9) == timedelta(minutes=7)
    assert median([]) is None and percentile([], 0.9) is None


def test_a_promise_kept_exactly_on_time_counts_as_kept():
    b = FIXTURES[1]
    assert promises(b, NOW) == (2, 2)


def test_the_promise_in_force_is_the_one_judged_and_a_promise_is_broken_only_once_overdue():
    """The latest update's promise, else the front matter's (`Incident.promised_update`); broken
    when `Incident.is_overdue` says so, the same moment the page and `balise check` flag it."""
    from dataclasses import replace

    silent = incident("s", "minor", [("2026-04-20T10:00+02:00", "investigating", None)])
    promised = replace(silent, next_update=at("2026-04-20T11:00+02:00"))  # written in the front matter
    assert promises(silent, at("2026-04-20T12:00+02:00")) == (0, 0)
    assert promises(promised, at("2026-04-20T12:00+02:00")) == (0, 1)
    on_time = incident("t", "minor", [("2026-04-20T10:00+02:00", "investigating", "2026-04-20T11:00+02:00")])
    for item in (promised, on_time):
        for moment in ("2026-04-20T10:59+02:00", "2026-04-20T11:00+02:00", "2026-04-20T11:01+02:00"):
            now = at(moment)
            assert promises(item, now) == (0, int(item.is_overdue(now))), (item.id, moment)
    assert promises(on_time, at("2026-04-20T11:00+02:00")) == (0, 0)  # an update now would still keep it


def test_the_demo_page_shows_the_computed_figures(cli, demo, at_time):
    at_time(DEMO_NOW)
    cli("build")
    table = page(demo / "site", "transparency/").select_one("table.figures")
    assert table.caption is not None
    row = table.select_one('tr[data-quarter="2025-Q4"]')
    # 2025-12-15 SMS reminders (minor): started 17:30, first update 17:42 -> 12 min;
    # promised 18:30, updated 18:20 (kept); promised 19:30, resolved 19:15 (kept) -> 2 of 2;
    # resolved 19:15 -> 1 h 45; minor, so no postmortem is due.
    assert text_of(row.select_one("th")) == "T4 2025"
    assert text_of(row.select_one(".n-incidents")) == "1"
    assert text_of(row.select_one(".ttfu")) == "médiane 12 min, 90 % en moins de 12 min"
    assert text_of(row.select_one(".promises")) == "100 % (2 sur 2)"
    assert text_of(row.select_one(".ttr")) == "1 h 45"
    assert text_of(row.select_one(".postmortems")) == "—"
    quarters = [tr["data-quarter"] for tr in table.select("tbody tr")]
    assert quarters == sorted(quarters, reverse=True) and quarters[0] == "2026-Q4"
