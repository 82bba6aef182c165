"""`balise check` and `balise build` on bad input: one line per problem, path:line, exit 1, nothing built."""

from __future__ import annotations

import re

import pytest

from conftest import edit

INCIDENT = "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"


def test_demo_checks_clean(cli):
    result = cli("check")
    assert "no errors" in result.stderr
    assert all("warning:" in l for l in result.stderr.splitlines()[:-1])  # only the overdue promise, if any


@pytest.mark.parametrize(
    "old, new, line, words",
    [
        ("impact: major", "impact: majr", 4, ["impact", "major"]),
        ("## 2026-11-22 09:30 +01:00 — identified", "## 2026-11-22 09:30 — identified", 20, ["no UTC offset", "+01:00"]),
        ("  - rappels-sms: partial_outage", "  - rappels-sms2: partial_outage", 7, ["unknown component", "rappels-sms"]),
    ],
    ids=["misspelled-impact", "naive-timestamp", "unknown-component"],
)
def test_bad_input_is_reported_with_path_and_line(cli, demo, old, new, line, words):
    edit(demo, INCIDENT, old, new)
    result = cli("check", expect=1)
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    errors = [l for l in lines if "warning:" not in l]
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
    located = [l for l in result.stderr.splitlines() if re.match(r"^incidents/[^:]+\.md:\d+: ", l)]
    assert len(located) >= 2, result.stderr
    assert any("did you mean 'incident'" in l.lower() or "incident" in l for l in located)


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
    assert any(l.startswith(f"{INCIDENT}:20: warning: 2026-11-22 10:30 +02:00 uses the other season's offset") and
               "2026-11-22 09:30 +01:00" in l for l in warnings), result.stderr
    assert any(l.startswith("incidents/faux-sms.md:1: warning: incident files are named YYYY-MM-DD") for l in warnings)


def test_an_update_a_few_hours_ahead_is_a_warning(cli, demo, at_time):
    from datetime import datetime

    at_time(datetime.fromisoformat("2026-11-22T06:30:00+01:00"))
    result = cli("check")
    assert f"{INCIDENT}:20: warning: this update is dated 2026-11-22 09:30 +01:00, in the future" in result.stderr
