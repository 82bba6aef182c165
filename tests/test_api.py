"""The Statuspage-compatible JSON API: every document follows its schema, the schemas follow real
Statuspage payloads, and a Statuspage client reading the demo gets the demo's real state."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from balise.outputs.api import SCHEMA_OF, SCHEMAS
from conftest import REPO, Cli

# The demo at 11:30 on 22 November 2026: one open incident, a maintenance announced for 5 December.
PINNED = datetime.fromisoformat("2026-11-22T11:30:00+01:00")
OPEN_INCIDENT = "2026-11-22-prise-de-rendez-vous-indisponible"
UPCOMING = "2026-12-05-maintenance-espace-beneficiaires"


def validator(schema_name: str) -> Draft202012Validator:
    resources = [
        (schema["$id"], Resource.from_contents(schema))
        for schema in (json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json"))
    ]
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


def api(site, name: str) -> dict:
    return json.loads((site / "api/v2" / name).read_text(encoding="utf-8"))


def validate_all(site) -> dict[str, dict]:
    documents = {}
    for name, schema_name in SCHEMA_OF.items():
        document = api(site, name)
        errors = [
            f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(schema_name).iter_errors(document)
        ]
        assert errors == []
        documents[name] = document
    return documents


@pytest.fixture
def site(built_at):
    return built_at(PINNED)


def test_every_document_validates_against_its_schema(site):
    written = sorted(str(p.relative_to(site / "api/v2")) for p in (site / "api/v2").rglob("*.json"))
    assert written == sorted(SCHEMA_OF)
    documents = validate_all(site)
    ids = [c["id"] for c in documents["components.json"]["components"]]
    assert len(ids) == len(set(ids))


def test_the_schemas_accept_a_real_statuspage_payload_and_reject_wrong_values():
    real = json.loads((REPO / "tests/fixtures/statuspage/summary.json").read_text(encoding="utf-8"))
    check = validator("summary.json")
    assert list(check.iter_errors(real)) == []
    wrong = json.loads(json.dumps(real))
    wrong["status"]["indicator"] = "red"
    wrong["components"][0]["status"] = "down"
    del wrong["incidents"][0]["incident_updates"][0]["body"]
    wrong["scheduled_maintenances"][0]["status"] = "investigating"
    assert len(list(check.iter_errors(wrong))) == 4


def test_documents_have_the_shape_of_a_real_statuspage_payload(site):
    """Every field a real page serves is in ours, at the same place, with a value of the same type."""
    real = json.loads((REPO / "tests/fixtures/statuspage/summary.json").read_text(encoding="utf-8"))
    ours = api(site, "summary.json")

    def same_shape(theirs, mine, where):
        for key, value in theirs.items():
            assert key in mine, f"{where}.{key} is missing"
            if value is not None and mine[key] is not None:
                assert type(mine[key]) is type(value), f"{where}.{key}: {type(mine[key])} vs {type(value)}"

    same_shape(real, ours, "summary")
    same_shape(real["page"], ours["page"], "page")
    same_shape(real["status"], ours["status"], "status")
    for theirs in real["components"]:
        mine = next(c for c in ours["components"] if c["group"] == theirs["group"])
        same_shape(theirs, mine, "component")
    same_shape(real["incidents"][0], ours["incidents"][0], "incident")
    same_shape(real["incidents"][0]["incident_updates"][0], ours["incidents"][0]["incident_updates"][0], "update")
    same_shape(real["scheduled_maintenances"][0], ours["scheduled_maintenances"][0], "maintenance")
    # Statuspage's timestamp style: the page's time zone, milliseconds.
    assert ours["page"]["updated_at"] == "2026-11-22T09:30:00.000+01:00"


def test_a_statuspage_client_reads_the_demo_s_real_state(site):
    """What a Slack bot or a dashboard does with summary.json."""
    summary = api(site, "summary.json")
    assert summary["page"]["url"] == "https://statut.relais-solidaire.example.org"
    assert summary["page"]["time_zone"] == "Europe/Paris"
    assert summary["status"] == {"indicator": "critical", "description": "Panne majeure en cours"}

    components = {c["id"]: c for c in summary["components"] if not c["group"]}
    degraded = {cid: c["status"] for cid, c in components.items() if c["status"] != "operational"}
    assert degraded == {"prise-de-rendez-vous": "major_outage", "rappels-sms": "partial_outage"}
    assert components["prise-de-rendez-vous"]["name"] == "Prise de rendez-vous en ligne"
    groups = {c["id"]: c for c in summary["components"] if c["group"]}
    assert groups["services-en-ligne"]["status"] == "major_outage"
    assert "prise-de-rendez-vous" in groups["services-en-ligne"]["components"]
    assert components["prise-de-rendez-vous"]["group_id"] == "services-en-ligne"
    assert all(components[m]["group_id"] == gid for gid, g in groups.items() for m in g["components"])

    [incident] = summary["incidents"]
    assert incident["id"] == OPEN_INCIDENT
    assert incident["name"] == "Prise de rendez-vous en ligne indisponible"
    assert (incident["status"], incident["impact"], incident["resolved_at"]) == ("identified", "major", None)
    assert incident["started_at"] == "2026-11-22T08:40:00.000+01:00"
    assert incident["shortlink"] == f"https://statut.relais-solidaire.example.org/incidents/{OPEN_INCIDENT}/"
    updates = incident["incident_updates"]  # newest first, as Statuspage lists them
    assert [u["status"] for u in updates] == ["identified", "investigating"]
    assert [u["display_at"] for u in updates] == ["2026-11-22T09:30:00.000+01:00", "2026-11-22T08:52:00.000+01:00"]
    assert updates[0]["body"].startswith("Nous avons trouvé la cause")
    assert "Next update" not in updates[0]["body"]
    assert len({u["id"] for u in updates}) == 2
    assert {c["id"] for c in incident["components"]} == {"prise-de-rendez-vous", "rappels-sms"}

    [maintenance] = summary["scheduled_maintenances"]
    assert maintenance["id"] == UPCOMING
    assert (maintenance["status"], maintenance["impact"]) == ("scheduled", "maintenance")
    assert maintenance["scheduled_for"] == "2026-12-05T22:00:00.000+01:00"
    assert maintenance["scheduled_until"] == "2026-12-06T02:00:00.000+01:00"

    assert api(site, "status.json")["status"]["indicator"] == "critical"
    assert [i["id"] for i in api(site, "incidents/unresolved.json")["incidents"]] == [OPEN_INCIDENT]
    assert [m["id"] for m in api(site, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"]] == [UPCOMING]
    assert api(site, "scheduled-maintenances/active.json")["scheduled_maintenances"] == []
    everything = api(site, "incidents.json")["incidents"]
    assert everything[0]["id"] == OPEN_INCIDENT and len(everything) == 11  # the demo's incidents and notices
    assert all(i["impact"] != "maintenance" for i in everything)
    resolved = [i for i in everything if i["id"] != OPEN_INCIDENT]
    assert all(i["status"] in ("resolved", "postmortem") and i["resolved_at"] for i in resolved)
    past = api(site, "scheduled-maintenances.json")["scheduled_maintenances"]
    assert [m["id"] for m in past] == [UPCOMING, "2026-06-13-migration-hebergement"]
    assert past[1]["status"] == "completed" and past[1]["resolved_at"] == "2026-06-14T01:35:00.000+02:00"


def test_maintenance_follows_its_window(cli, demo, at_time):
    cli("resolve", OPEN_INCIDENT, "--message", "Le service fonctionne de nouveau.", "--at", "2026-11-22T13:00")
    at_time(datetime.fromisoformat("2026-12-05T23:00:00+01:00"))
    cli("build")
    site = demo / "site"
    validate_all(site)
    summary = api(site, "summary.json")
    assert summary["status"]["indicator"] == "maintenance"  # what real Statuspage pages report
    assert summary["incidents"] == []
    [active] = api(site, "scheduled-maintenances/active.json")["scheduled_maintenances"]
    assert (active["id"], active["status"]) == (UPCOMING, "in_progress")
    statuses = {c["id"]: c["status"] for c in summary["components"] if not c["group"]}
    assert statuses["espace-beneficiaires"] == "under_maintenance"
    assert api(site, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"] == []
    assert shown_statuses(site) == {"home": "in_progress", "incident": "in_progress", "history": "in_progress"}

    at_time(datetime.fromisoformat("2026-12-06T03:00:00+01:00"))
    cli("build")
    summary = api(site, "summary.json")
    assert summary["status"] == {"indicator": "none", "description": "Tous les services fonctionnent normalement"}
    done = api(site, "scheduled-maintenances.json")["scheduled_maintenances"][0]
    assert (done["status"], done["resolved_at"]) == ("completed", "2026-12-06T02:00:00.000+01:00")
    assert shown_statuses(site) == {"home": None, "incident": "completed", "history": "completed"}


def shown_statuses(site) -> dict:
    """The status pill the pages show for the maintenance (the writer's last word was 'scheduled')."""
    from conftest import page

    def pill(soup, link_selector):
        link = soup.select_one(link_selector)
        if link is None:
            return None
        item = link.find_parent(["article", "li"])
        return next(c[2:] for c in item.select_one(".pill")["class"] if c.startswith("u-"))

    incident = page(site, f"incidents/{UPCOMING}/").select_one(".incident-detail .meta .pill")
    return {
        "home": pill(page(site), f"a[href='incidents/{UPCOMING}/']"),
        "incident": next(c[2:] for c in incident["class"] if c.startswith("u-")),
        "history": pill(page(site, "history/"), f"a[href='../incidents/{UPCOMING}/']"),
    }


def test_summary_names_the_commit_it_was_built_from(tmp_path, monkeypatch):
    from conftest import copy_demo

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the commit's time is the reference time
    demo = copy_demo(tmp_path / "repo")
    git = ["git", "-C", str(demo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(
        git + ["commit", "-q", "-m", "demo", "--date", "2026-11-22T11:30:00+01:00"],
        check=True,
        env={"GIT_COMMITTER_DATE": "2026-11-22T11:30:00+01:00", "PATH": "/usr/bin:/bin"},
    )
    head = subprocess.run(git[:3] + ["rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    Cli(demo)("build", "-d", str(tmp_path / "out"))  # outside the work tree, which stays clean
    summary = json.loads((tmp_path / "out/api/v2/summary.json").read_text(encoding="utf-8"))
    build = {key: summary["balise"][key] for key in ("commit", "commit_time")}  # beside the measured uptime
    assert build == {"commit": head, "commit_time": "2026-11-22T11:30:00.000+01:00"}
    assert list(validator("summary.json").iter_errors(summary)) == []


def test_outside_git_the_commit_is_null(site):
    build = api(site, "summary.json")["balise"]
    assert {key: build[key] for key in ("commit", "commit_time")} == {"commit": None, "commit_time": None}
