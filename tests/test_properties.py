"""Property-based tests: whatever a writer (or a broken editor, or an attacker) puts in a content
file, balise answers with `path:line: message` problems or a page, never a traceback.

Most properties call the loaders directly with a `Collector` (fast); a few examples go through
the real CLI. Example counts are bounded so the whole file runs in seconds.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balise import loaders, model
from balise.errors import Collector
from balise.render import PageContext, SiteRenderer
from balise.timeline import TimeError, parse_body, parse_time

COMPONENTS = {"paiements", "courriels", "site-internet"}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 22, 11, 30, tzinfo=timezone.utc)

# -- strategies -----------------------------------------------------------------------------------

words = st.sampled_from(
    [
        "paiements", "courriels", "site-internet", "major", "minor", "critical", "none", "incident",
        "maintenance", "notice", "investigating", "resolved", "completed", "scheduled", "true", "false",
        "2026-11-21 14:05 +01:00", "2026-11-21 14:05", "2026-02-30 10:00 +01:00", "Z", "null", "~", "",
        "partial_outage", "Résolu", "—", ": ", "#", "&a", "*a", "!tag", "'", '"', "[", "]", "{", "}",
        "\t", "\u00a0", "\ufeff", "\u202e", "<script>", "é", "日本", "\U0001f525",
    ]
)
text = st.one_of(words, st.text(max_size=30), st.lists(words, max_size=5).map(" ".join))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), text)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=12)
field_names = st.one_of(st.sampled_from(loaders.INCIDENT_FIELDS), text)
front_matters = st.dictionaries(field_names, values, max_size=8)

times = st.one_of(
    st.sampled_from(["2026-11-21 14:05 +01:00", "2026-11-21T14:05Z", "2026-11-21 14:05", "2026-13-01 10:00 +01:00"]),
    st.builds(
        lambda d, h, m, tz: f"2026-11-{d:02d} {h:02d}:{m:02d}{tz}",
        st.integers(0, 32), st.integers(0, 25), st.integers(0, 61),
        st.sampled_from([" +01:00", "Z", " -03:30", " +15:00", "", " UTC", "+0100"]),
    ),
    st.text(max_size=25),
)
statuses = st.one_of(st.sampled_from(list(model.INCIDENT_STATUSES + model.MAINTENANCE_STATUSES) + ["Résolu", "Enquête en cours", "en panne"]), text)
separators = st.sampled_from([" — ", " – ", " - ", " | ", " · ", " : ", " ", "—"])
body_lines = st.one_of(
    st.builds(lambda t, s, st_: f"## {t}{s}{st_}", times, separators, statuses),
    st.builds(lambda t: f"Next update: {t}", times),
    st.builds(lambda t: f"Prochaine mise à jour : {t}", times),
    st.sampled_from(["## Postmortem", "## Retour d'expérience", "### Détails", "# Titre", "<!-- note -->", "```", "~~~",
                     "", "", "- point", "[lien](javascript:alert(1))", "<script>alert(1)</script>", "---", "##", "## —"]),
    text,
)
bodies = st.lists(body_lines, max_size=14).map("\n".join)
messages = st.one_of(
    text.filter(lambda m: m.strip() and not m.lstrip().startswith("#")),
    st.sampled_from(["**Gras** et [lien](https://example.org)", "- un\n- deux", "<b>html</b> <img src=x onerror=alert(1)>",
                     "`code`", "| a | b |\n|---|---|\n| 1 | 2 |", "> citation", "{{ 7*7 }} {% raw %}"]),
)


@st.composite
def timelines(draw):
    """Well-formed timelines (increasing times, real statuses), so files get past the syntax
    checks and are rendered too."""
    minute, lines = 0, []
    for _ in range(draw(st.integers(1, 4))):
        minute += draw(st.integers(1, 300))
        at = f"2026-11-21 {8 + minute // 60 % 14:02d}:{minute % 60:02d} +01:00"
        status = draw(st.sampled_from(model.INCIDENT_STATUSES[:3]))
        lines += [f"## {at} — {status}", "", draw(messages), ""]
        if draw(st.booleans()):
            lines += [f"Next update: 2026-11-22 {draw(st.integers(0, 23)):02d}:00 +01:00", ""]
    if draw(st.booleans()):
        lines += ["## 2026-11-22 23:59 +01:00 — resolved", "", draw(messages), ""]
    if draw(st.booleans()):
        lines += ["## Postmortem", "", draw(messages)]
    return "\n".join(lines)



def dump(front: dict) -> str:
    try:
        return yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return "title: x\n"


def check_problems(report: Collector, path: Path) -> None:
    for problem in report.problems:
        assert problem.line >= 1
        assert problem.path == path.as_posix()
        assert problem.message.strip() and all(c.isprintable() or c == " " for c in str(problem))


def render_all(incident: model.Incident) -> None:
    """A file that loads cleanly must also render: every page, without an exception."""
    components = [model.Component(id=c, name=c, description="", group=None, order=i) for i, c in enumerate(sorted(COMPONENTS))]
    page = model.StatusPage(model.Settings(timezone=ZoneInfo("Europe/Paris"), now=NOW), [], components, [incident])
    for _path, html in SiteRenderer(page, PageContext()).pages():
        assert html.startswith("<!doctype html>")


def load(tmp_path: Path, data: bytes, name: str = "2026-11-21-hasard.md"):
    path = tmp_path / name
    path.write_bytes(data)
    report = Collector()
    incident = loaders.load_incident(path, COMPONENTS, report)
    check_problems(report, path)
    if incident is not None:
        assert not report.errors
        render_all(incident)
    else:
        assert report.errors, "a file was refused without saying why"
    return incident, report


# -- properties -------------------------------------------------------------------------------------


@FAST
@given(front=front_matters, body=bodies)
def test_random_front_matter_and_timeline_never_crash(tmp_path_factory, front, body):
    tmp = tmp_path_factory.mktemp("p", numbered=True)
    load(tmp, f"---\n{dump(front)}---\n{body}\n".encode("utf-8"))


@FAST
@given(
    front=st.fixed_dictionaries(
        {"title": text, "impact": st.sampled_from(model.IMPACTS)},
        optional={
            "kind": st.sampled_from(model.KINDS), "components": st.lists(st.sampled_from(sorted(COMPONENTS)), max_size=3),
            "scheduled_for": times, "scheduled_until": times, "started_at": times, "draft": st.booleans(),
            "spokesperson": text, "publish_at": times,
        },
    ),
    body=st.one_of(timelines(), bodies),
)
def test_nearly_valid_incidents_load_or_are_explained(tmp_path_factory, front, body):
    """Mostly-right files reach the deeper checks (times, order, rendering) rather than stopping at the YAML."""
    tmp = tmp_path_factory.mktemp("p", numbered=True)
    load(tmp, f"---\n{dump(front)}---\n{body}\n".encode("utf-8"))


@FAST
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_random_bytes_never_crash(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("p", numbered=True)
    load(tmp, data)
    path = tmp / "components.yml"
    path.write_bytes(data)
    report = Collector()
    loaders.load_components(path, report)
    check_problems(report, path)


@FAST
@given(source=st.lists(st.one_of(text, st.sampled_from(["---", "- ", "  ", ": ", "&x", "*x", "? ", "|", ">", "!!str", "%YAML 1.1", "[", "{", "\t"])), max_size=30).map("".join))
def test_random_yaml_text_never_crashes(tmp_path_factory, source):
    tmp = tmp_path_factory.mktemp("p", numbered=True)
    load(tmp, f"---\n{source}\n---\n## 2026-11-21 14:05 +01:00 — investigating\n\nx\n".encode("utf-8"))
    path = tmp / "components.yml"
    path.write_text(source, encoding="utf-8")
    report = Collector()
    loaders.load_components(path, report)
    check_problems(report, path)


@FAST
@given(components=st.dictionaries(st.sampled_from(["groups", "components", "component"]), st.lists(st.dictionaries(st.sampled_from(["id", "name", "description", "group", "order", "nom"]), values, max_size=5), max_size=4), max_size=3))
def test_random_components_files_never_crash(tmp_path_factory, components):
    tmp = tmp_path_factory.mktemp("p", numbered=True)
    path = tmp / "components.yml"
    path.write_text(dump(components), encoding="utf-8")
    report = Collector()
    groups, found = loaders.load_components(path, report)
    check_problems(report, path)
    if not report.errors:
        assert found and len({c.id for c in found}) == len(found)


@FAST
@given(value=st.one_of(times, st.text(max_size=40)))
def test_times_parse_or_explain(value):
    try:
        moment = parse_time(value)
    except TimeError as error:
        assert " — " in str(error) or "offset" in str(error)
    else:
        assert moment.tzinfo is not None and moment.utcoffset() is not None


@FAST
@given(body=bodies, first=st.integers(1, 500))
def test_timeline_lines_point_inside_the_body(body, first):
    raw = parse_body(body, first)
    last = first + body.count("\n")
    for item in raw.updates:
        assert first <= item.line <= last
        if item.next_update:
            assert first <= item.next_update_line <= last
    for line, message in raw.problems:
        assert first <= line <= last and message


# -- through the CLI --------------------------------------------------------------------------------


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(front=front_matters, body=bodies)
def test_random_incidents_through_the_cli(demo, front, body):
    """`balise check` and `balise build`: exit 0 or 1, `path:line:` lines, never a traceback."""
    import re

    from conftest import Cli

    target = demo / "incidents" / "2026-11-21-hasard.md"
    target.write_text(f"---\n{dump(front)}---\n{body}\n", encoding="utf-8")
    cli = Cli(demo)
    for command in ("check", "build"):
        try:
            result = cli(command, expect=1)
        except AssertionError:
            result = cli(command, expect=0)
        assert "Traceback" not in result.output
        if result.exit_code:
            for line in filter(str.strip, result.stderr.splitlines()):
                assert re.match(r"^[^\s:][^:]*:\d+: ", line), line


def test_strategies_reach_both_outcomes(tmp_path):
    """The generators above are only useful if they produce both accepted and refused files."""
    good = "---\ntitle: T\nimpact: minor\ncomponents: [paiements]\n---\n## 2026-11-21 14:05 +01:00 — investigating\n\nx\n"
    assert load(tmp_path, good.encode())[0] is not None
    assert load(tmp_path, b"---\ntitle: [\n---\n")[0] is None
