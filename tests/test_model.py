"""How component and overall status are derived from incidents and maintenance."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from balise.content import model

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=PARIS)


def incident(
    id, impact="major", components=("api",), statuses=("investigating",), kind="incident", window=None, overrides=None
):
    updates = [
        model.Update(at=NOW - timedelta(hours=len(statuses) - n), status=s, message="m", line=1)
        for n, s in enumerate(statuses)
    ]
    comps = {c: (overrides or {}).get(c) for c in components}
    scheduled_for, scheduled_until = window or (None, None)
    return model.Incident(
        id=id,
        title=id,
        kind=kind,
        impact=impact,
        components=comps,
        updates=tuple(updates),
        scheduled_for=scheduled_for,
        scheduled_until=scheduled_until,
    )


def page(*incidents):
    groups = [model.ComponentGroup("g", "G")]
    components = [
        model.Component("api", "API", group="g"),
        model.Component("web", "Web", group="g"),
        model.Component("sms", "SMS"),
    ]
    return model.StatusPage(model.Settings(PARIS, now=NOW), groups, components, list(incidents))


@pytest.mark.parametrize(
    "impact, expected",
    [
        ("none", "operational"),
        ("minor", "degraded_performance"),
        ("major", "partial_outage"),
        ("critical", "major_outage"),
    ],
)
def test_impact_sets_the_component_status(impact, expected):
    site = page(incident("a", impact=impact))
    assert site.component_status["api"] == expected
    assert site.component_status["web"] == "operational"
    assert site.overall_status == expected


def test_the_worst_open_incident_wins_and_resolved_ones_do_not_count():
    site = page(
        incident("minor", impact="minor", components=("api", "web")),
        incident("critical-but-resolved", impact="critical", statuses=("investigating", "resolved")),
        incident("major", impact="major", components=("web",)),
    )
    assert site.component_status == {"api": "degraded_performance", "web": "partial_outage", "sms": "operational"}
    assert site.overall_status == "partial_outage"
    assert site.group_status("g") == "partial_outage"
    assert {i.id for i in site.open_incidents} == {"minor", "major"}


def test_an_explicit_override_beats_the_impact():
    site = page(incident("a", impact="minor", components=("api", "web"), overrides={"web": "major_outage"}))
    assert site.component_status["api"] == "degraded_performance"
    assert site.component_status["web"] == "major_outage"
    assert site.overall_status == "major_outage"
    assert site.indicator == "critical"


def test_maintenance_counts_only_inside_its_window():
    upcoming = incident(
        "later",
        kind="maintenance",
        impact="none",
        statuses=("scheduled",),
        window=(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=2)),
    )
    running = incident(
        "now",
        kind="maintenance",
        impact="none",
        components=("sms",),
        statuses=("in_progress",),
        window=(NOW - timedelta(hours=1), NOW + timedelta(hours=1)),
    )
    site = page(upcoming, running)
    assert site.component_status == {"api": "operational", "web": "operational", "sms": "under_maintenance"}
    assert [i.id for i in site.upcoming_maintenance] == ["later"]
    assert [i.id for i in site.active_maintenance] == ["now"]


def test_an_outage_during_maintenance_is_worse_than_the_maintenance():
    running = incident(
        "mnt",
        kind="maintenance",
        impact="none",
        statuses=("in_progress",),
        window=(NOW - timedelta(hours=1), NOW + timedelta(hours=1)),
    )
    site = page(running, incident("down", impact="minor"))
    assert site.component_status["api"] == "degraded_performance"


def test_all_operational_without_incidents():
    site = page()
    assert set(site.component_status.values()) == {"operational"}
    assert site.overall_status == "operational" and site.indicator == "none"


def test_daily_history_marks_each_day_an_incident_touched_in_the_site_zone():
    # 23:30 on 8 June in Paris is 21:30 UTC: the bar must mark 8 and 9 June (Paris), not 8 June only.
    item = incident("night", impact="critical", statuses=("investigating", "resolved"))
    opened, closed = item.updates
    item = replace(
        item,
        updates=(
            replace(opened, at=datetime(2026, 6, 8, 23, 30, tzinfo=PARIS)),
            replace(closed, at=datetime(2026, 6, 9, 0, 30, tzinfo=PARIS)),
        ),
    )
    days = {day.isoformat(): status for day, status, _ in page(item).daily_impact("api", 90)}
    assert days["2026-06-08"] == days["2026-06-09"] == "major_outage"
    assert days["2026-06-07"] == days["2026-06-10"] == "operational"
    assert len(days) == 90 and max(days) == "2026-06-10"


def test_the_model_is_frozen_and_its_words_are_text():
    """Nothing changes a published statement behind the model's back; its words are enums that
    json, Jinja and comparisons read as their text."""
    item = incident("frozen", statuses=("investigating",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.title = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.updates[0].message = "other"  # type: ignore[misc]
    shown = page(item)
    with pytest.raises(dataclasses.FrozenInstanceError):
        shown.incidents = []  # type: ignore[misc]
    status = shown.component_status["api"]
    assert status is model.ComponentStatus.PARTIAL_OUTAGE and status == "partial_outage"
    assert json.dumps({status: status}) == '{"partial_outage": "partial_outage"}'
    assert f"impact.{model.Impact.MAJOR}" == "impact.major"
    assert model.statuses_for(model.Kind.MAINTENANCE)[0] is model.MaintenanceStatus.SCHEDULED


def test_loaded_content_carries_the_model_s_words():
    """What the loaders read is typed with the enums, even after a caller asked with plain text."""
    from pathlib import Path

    from balise.content import loaders
    from balise.errors import Collector
    from balise.i18n import find_status

    assert find_status("Résolu", ("investigating", "identified", "monitoring", "resolved")) == "resolved"
    assert find_status("Résolu", model.INCIDENT_STATUSES) is model.IncidentStatus.RESOLVED
    repo = Path(__file__).resolve().parents[1]
    content = loaders.load_content(repo / "status", repo / "incidents", Collector(repo))
    assert content.incidents
    for item in content.incidents:
        assert isinstance(item.kind, model.Kind) and isinstance(item.impact, model.Impact)
        assert isinstance(item.updates, tuple)
        assert all(isinstance(u.status, model.IncidentStatus | model.MaintenanceStatus) for u in item.updates)
        assert all(s is None or isinstance(s, model.ComponentStatus) for s in item.components.values())
