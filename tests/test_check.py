"""`balise check` and `balise build` on bad input: one line per problem, path:line, exit 1, nothing built."""

from __future__ import annotations

import re

import pytest

from conftest import edit, page

INCIDENT = "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"


def test_demo_checks_clean(cli):
    result = cli("check")
    assert "no errors" in result.stderr
    assert all("warning:" in line for line in result.stderr.splitlines()[:-1])  # only the overdue promise, if any


@pytest.mark.parametrize(
    "old, new, line, words",
    [
        ("impact: major", "impact: majr", 4, ["impact", "major"]),
        (
            "## 2026-11-22 09:30 +01:00 — identified",
            "## 2026-11-22 09:30 — identified",
            20,
            ["no UTC offset", "+01:00"],
        ),
        (
            "  - rappels-sms: partial_outage",
            "  - rappels-sms2: partial_outage",
            7,
            ["unknown component", "rappels-sms"],
        ),
    ],
    ids=["misspelled-impact", "naive-timestamp", "unknown-component"],
)
def test_bad_input_is_reported_with_path_and_line(cli, demo, old, new, line, words):
    edit(demo, INCIDENT, old, new)
    result = cli("check", expect=1)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "warning:" not in line]
    assert errors, result.stderr
    first = errors[0]
    assert first.startswith(f"{INCIDENT}:{line}: "), first
    for word in words:
        assert word.lower() in first.lower(), first
    assert "Traceback" not in result.output

    built = cli("build", expect=1)
    assert f"{INCIDENT}:{line}:" in built.stderr
    assert not (demo / "site").exists()
    assert not list(demo.glob(".site*"))


def test_a_failed_build_leaves_the_previous_site_untouched(cli, demo):
    cli("build")
    before = {p.relative_to(demo / "site"): p.read_bytes() for p in (demo / "site").rglob("*") if p.is_file()}
    edit(demo, "status/components.yml", "components:", "components:\n  - id: Bad Id\n    name: x")
    cli("build", expect=1)
    after = {p.relative_to(demo / "site"): p.read_bytes() for p in (demo / "site").rglob("*") if p.is_file()}
    assert before == after


def test_every_problem_is_listed_not_just_the_first(cli, demo):
    edit(demo, INCIDENT, "impact: major", "impact: huge")
    edit(demo, "incidents/2026-01-19-espace-beneficiaires-inaccessible.md", "kind: incident", "kind: incidnet")
    result = cli("check", expect=1)
    located = [line for line in result.stderr.splitlines() if re.match(r"^incidents/[^:]+\.md:\d+: ", line)]
    assert len(located) >= 2, result.stderr
    assert any("did you mean 'incident'" in line.lower() or "incident" in line for line in located)


def test_malformed_yaml_names_the_line(cli, demo):
    edit(demo, INCIDENT, "title: Prise", "title: [Prise")
    result = cli("check", expect=1)
    assert re.search(rf"^{re.escape(INCIDENT)}:\d+: ", result.stderr, re.M), result.stderr
    assert "Traceback" not in result.output


def test_likely_slips_are_warned_about_without_failing(cli, demo, monkeypatch):
    """Valid but probably mistyped: a summer offset in November, an update a few hours ahead, a
    file name that is not a date and a short name."""
    from datetime import datetime

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime.fromisoformat("2026-11-22T12:30:00+01:00").timestamp())))
    edit(demo, INCIDENT, "## 2026-11-22 09:30 +01:00 — identified", "## 2026-11-22 10:30 +02:00 — identified")
    notice = demo / "incidents" / "2026-05-19-faux-sms-relais-solidaire.md"
    notice.rename(demo / "incidents" / "faux-sms.md")
    result = cli("check")
    warnings = result.stderr.splitlines()
    assert any(
        line.startswith(f"{INCIDENT}:20: warning: 2026-11-22 10:30 +02:00 uses the other season's offset")
        and "2026-11-22 09:30 +01:00" in line
        for line in warnings
    ), result.stderr
    assert any(
        line.startswith("incidents/faux-sms.md:1: warning: incident files are named YYYY-MM-DD") for line in warnings
    )


def test_an_update_a_few_hours_ahead_is_a_warning(cli, demo, at_time):
    from datetime import datetime

    at_time(datetime.fromisoformat("2026-11-22T06:30:00+01:00"))
    result = cli("check")
    assert f"{INCIDENT}:20: warning: this update is dated 2026-11-22 09:30 +01:00, in the future" in result.stderr


def test_readme_files_in_incidents_are_not_incidents(cli, demo):
    (demo / "incidents" / "README.md").write_text("# Comment écrire un incident\n", encoding="utf-8")
    (demo / "incidents" / "README.txt").write_text("Voir README.md\n", encoding="utf-8")
    (demo / "incidents" / "_brouillon.txt").write_text("notes\n", encoding="utf-8")
    result = cli("check")
    assert "README" not in result.stderr and "_brouillon" not in result.stderr


def test_double_dash_headings_and_prochaine_maj_promises_are_published(demo, built_at):
    from datetime import datetime

    edit(demo, INCIDENT, "## 2026-11-22 09:30 +01:00 — identified", "## 2026-11-22 09:30 +01:00 -- identified")
    edit(demo, INCIDENT, "Next update: 2026-11-22 12:00 +01:00", "Prochaine MAJ : 2026-11-22 12:00 +01:00")
    site = built_at(datetime.fromisoformat("2026-11-22T11:00:00+01:00"))
    promise = page(site, f"incidents/{INCIDENT[10:-3]}/").select(".promise time")
    assert promise and promise[-1]["datetime"] == "2026-11-22T12:00:00+01:00"


def test_a_promise_that_is_not_read_as_one_is_warned_about(cli, demo):
    edit(demo, INCIDENT, "Next update: 2026-11-22 12:00 +01:00", "Prochaine MAJ vers midi")
    result = cli("check")
    assert (
        f"{INCIDENT}:32: warning: this line looks like a next-update promise but is read as message text, "
        "so nothing is promised — write it as the update's last line: 'Next update: "
    ) in result.stderr


def test_an_update_far_ahead_of_the_reference_time_is_refused_by_check_and_build(cli, demo, at_time):
    from datetime import datetime

    at_time(datetime.fromisoformat("2026-11-20T12:00:00+01:00"))  # the 22 November incident is 2 days ahead
    for command in ("check", "build"):
        result = cli(command, expect=1)
        assert (
            f"{INCIDENT}:12: this update is dated 2026-11-22 08:52 +01:00, more than a day ahead of now "
            "(2026-11-20 12:00 +01:00) — an update is dated when it is written"
        ) in result.stderr, result.stderr
    assert not (demo / "site").exists()


def test_drafts_and_embargoed_items_may_be_dated_ahead(cli, demo, at_time):
    from datetime import datetime

    at_time(datetime.fromisoformat("2026-11-20T12:00:00+01:00"))
    edit(demo, INCIDENT, "started_at:", "publish_at: 2026-11-22 08:52 +01:00\nstarted_at:")
    cli("check")
    edit(demo, INCIDENT, "publish_at: 2026-11-22 08:52 +01:00", "draft: true")
    cli("check")


def test_a_maintenance_may_promise_its_next_word_for_a_window_months_ahead(cli, demo):
    maintenance = "incidents/2026-12-05-maintenance-espace-beneficiaires.md"
    edit(
        demo,
        maintenance,
        "scheduled_for: 2026-12-05 22:00 +01:00\nscheduled_until: 2026-12-06 02:00 +01:00",
        "scheduled_for: 2027-03-05 22:00 +01:00\nscheduled_until: 2027-03-06 02:00 +01:00",
    )
    path = demo / maintenance
    path.write_text(
        path.read_text(encoding="utf-8").rstrip("\n") + "\n\nNext update: 2027-03-05 22:00 +01:00\n", encoding="utf-8"
    )
    cli("check")
    path.write_text(
        path.read_text(encoding="utf-8").replace("Next update: 2027-03-05", "Next update: 2027-04-05"), encoding="utf-8"
    )
    result = cli("check", expect=1)
    assert "the next update is promised for 2027-04-05 22:00 +01:00" in result.stderr


def test_time_hints_use_the_site_zone(cli, demo):
    edit(demo, "mkdocs.yml", "timezone: Europe/Paris", "timezone: America/Montreal")
    edit(demo, INCIDENT, "## 2026-11-22 09:30 +01:00 — identified", "## 2026-11-22 09:30 — identified")
    result = cli("check", expect=1)
    assert f"{INCIDENT}:20: update time: '2026-11-22 09:30' has no UTC offset" in result.stderr
    assert "e.g. '2026-11-22 09:30 -05:00'" in result.stderr


def test_blank_lines_before_the_front_matter_are_allowed(cli, demo):
    path = demo / INCIDENT
    path.write_text("\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    cli("check")
    edit(demo, INCIDENT, "impact: major", "impact: majeur")
    result = cli("check", expect=1)
    assert f"{INCIDENT}:6: 'majeur' is not a valid impact — did you mean 'major'?" in result.stderr
