"""The site-wide outputs walk every incident on every build (20,000 at the benchmark's size), so
they take shortcuts: a feed sorts only the incidents that can be in it, the 90 days look only at the
incidents on them, the sitemap is serialised in one go. Each shortcut must give exactly what the
plain rule gives: these properties hold each one against the plain rule, written out here as it was
(random pages of incidents, with ties, corrections, withdrawals, postmortems, maintenance windows).
The golden tests and the byte-identity checks of the benchmark histories hold the whole site."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from balise.content import model
from balise.outputs.feeds import NewestPairs, updates_newest_first
from balise.outputs.xmldoc import sitemap_document, sitemap_tree

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)  # the night Paris moves to summer time
COMPONENTS = ("paiements", "courriels", "site-internet")
OFFSETS = (timezone.utc, timezone(timedelta(hours=1)), timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)))


@st.composite
def moments(draw, after: datetime | None = None) -> datetime:
    """A moment around `NOW`, on whole hours so that ties happen, in any of a few offsets."""
    base = after or NOW - timedelta(days=8)
    moment = base + timedelta(hours=draw(st.integers(0 if after is None else 1, 24 * 10)))
    return moment.astimezone(draw(st.sampled_from(OFFSETS)))


@st.composite
def incidents(draw, number: int) -> model.Incident:
    kind = draw(st.sampled_from(model.KINDS))
    statuses = model.statuses_for(kind)
    updates: list[model.Update] = []
    at = draw(moments())
    for _ in range(draw(st.integers(1, 4))):
        amendments = ()
        if draw(st.integers(0, 4)) == 0:
            amendments = (model.Amendment(draw(moments(after=at)), "c0ffee", "avant"),)
        updates.append(model.Update(at, draw(st.sampled_from(statuses)), "message", amendments=amendments))
        at = draw(moments(after=at))
    withdrawals: tuple[model.Withdrawal, ...] = ()
    if draw(st.integers(0, 4)) == 0:
        withdrawals = (model.Withdrawal(draw(moments(after=updates[0].at)), "erreur", updates[0].at),)
    postmortem = draw(st.sampled_from(["", "Ce qui s'est passé."]))
    start = draw(st.one_of(st.none(), moments()))
    return model.Incident(
        id=f"2026-03-{number:02d}-incident",
        title=f"Incident {number}",
        kind=kind,
        impact=draw(st.sampled_from(model.IMPACTS)),
        components=dict.fromkeys(draw(st.lists(st.sampled_from(COMPONENTS), max_size=3, unique=True))),
        updates=tuple(updates),
        postmortem=postmortem,
        postmortem_at=draw(st.one_of(st.none(), moments())) if postmortem else None,
        scheduled_for=start if kind == model.Kind.MAINTENANCE else None,
        scheduled_until=start + timedelta(hours=draw(st.integers(1, 60))) if start and kind == "maintenance" else None,
        began_at=start if kind != model.Kind.MAINTENANCE and start and start <= updates[0].at else None,
        withdrawals=withdrawals,
    )


@st.composite
def pages(draw) -> model.StatusPage:
    found = [draw(incidents(number)) for number in range(draw(st.integers(0, 12)))]
    found.sort(key=lambda i: (i.started_at, i.id), reverse=True)  # as the loader orders them
    components = [model.Component(c, c.title()) for c in COMPONENTS]
    return model.StatusPage(model.Settings(timezone=PARIS, now=NOW), [], components, found)


# -- feeds ----------------------------------------------------------------------------------------
@FAST
@given(page=pages(), limit=st.integers(1, 6))
def test_a_feed_takes_the_newest_pairs_of_all_in_their_order(page, limit):
    newest = NewestPairs(page.incidents)
    assert newest.pairs(page.incidents, limit) == updates_newest_first(page.incidents, limit)
    for component in COMPONENTS:  # a component's feed: the site's order, filtered
        its = [pair for pair in updates_newest_first(page.incidents, None) if component in pair[0].components]
        mine = [i for i in page.incidents if component in i.components]
        assert newest.pairs(mine, limit) == its[:limit]


# -- the 90 days ----------------------------------------------------------------------------------
def daily_impact_of_every_incident(page: model.StatusPage, component_id: str, days: int):
    """The plain rule: every incident of the component, every day of it."""
    today = page.local_date(page.now)
    first_day = today - timedelta(days=days - 1)
    per_day: dict[date, list[tuple[model.ComponentStatus, model.Incident]]] = {}
    for incident in page.incidents_by_component.get(component_id, ()):
        if incident.is_maintenance and incident.maintenance_phase(page.now) == "upcoming":
            continue
        start = page.local_date(incident.started_at)
        end = page.local_date(incident.ended_at(page.now) or page.now)
        if end < first_day or start > today:
            continue
        day = max(start, first_day)
        while day <= min(end, today):
            per_day.setdefault(day, []).append((incident.component_status(component_id), incident))
            day += timedelta(days=1)
    days_shown = [first_day + timedelta(days=offset) for offset in range(days)]
    return [
        (day, model.worst(s for s, _ in per_day.get(day, [])), [i for _, i in per_day.get(day, [])])
        for day in days_shown
    ]


@FAST
@given(page=pages(), days=st.integers(1, 12))
def test_the_days_shown_are_those_of_every_incident(page, days):
    for component in COMPONENTS:
        expected = daily_impact_of_every_incident(page, component, days)
        assert page.daily_impact(component, days) == expected
        assert page.daily_impact(component, days) == expected  # worked out once, the same again


# -- an incident's changes ------------------------------------------------------------------------
@FAST
@given(page=pages())
def test_an_incident_s_changes_are_those_of_all_its_updates(page):
    for incident in page.incidents:
        moments = [u.last_modified for u in incident.updates if u.at <= page.now]
        if incident.is_maintenance:
            moments += [m for m in (incident.scheduled_for, incident.scheduled_until) if m and m <= page.now]
        assert incident.change_span(page.now) == ((min(moments), max(moments)) if moments else None)
        last = max([u.last_modified for u in incident.updates] + [w.on for w in incident.withdrawals])
        assert incident.last_changed == last


# -- the sitemap ----------------------------------------------------------------------------------
PIECES = [
    "a",
    "é",
    "<",
    ">",
    "&",
    '"',
    "'",
    "]]>",
    "\n",
    "\t",
    "\r",
    " ",
    "\0",
    "\x01",
    "\ud800",
    "\ufffe",
    "\xa0",
    "/",
]
texts = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@FAST
@given(urls=st.lists(st.tuples(texts, texts), max_size=5))
def test_the_sitemap_in_one_go_is_the_tree_s(urls):
    written = sitemap_document(urls)
    assert written == sitemap_tree(urls)
    assert len(ET.fromstring(written.split("\n", 1)[1])) == len(urls)  # and reads back, every entry
