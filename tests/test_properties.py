"""Property-based tests: whatever a writer (or a broken editor, or an attacker) puts in a content
file, balise answers with `path:line: message` problems or a page, never a traceback.

Most properties call the loaders directly with a `Collector` (fast); a few examples go through
the real CLI. Example counts are bounded so the whole file runs in seconds.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from balise.content import loaders, model, transparency as tr
from balise.errors import Collector
from balise.outputs.pages import PageContext, SiteRenderer
from balise.timeline import TimeError, parse_body, parse_time
from balise.transparency import loaders as tl
from balise.transparency.page import transparency_pages

COMPONENTS = {"paiements", "courriels", "site-internet"}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 22, 11, 30, tzinfo=timezone.utc)

# -- strategies -----------------------------------------------------------------------------------

words = st.sampled_from(
    [
        "paiements",
        "courriels",
        "site-internet",
        "major",
        "minor",
        "critical",
        "none",
        "incident",
        "maintenance",
        "notice",
        "investigating",
        "resolved",
        "completed",
        "scheduled",
        "true",
        "false",
        "2026-11-21 14:05 +01:00",
        "2026-11-21 14:05",
        "2026-02-30 10:00 +01:00",
        "Z",
        "null",
        "~",
        "",
        "partial_outage",
        "Résolu",
        "—",
        ": ",
        "#",
        "&a",
        "*a",
        "!tag",
        "'",
        '"',
        "[",
        "]",
        "{",
        "}",
        "\t",
        "\u00a0",
        "\ufeff",
        "\u202e",
        "<script>",
        "é",
        "日本",
        "\U0001f525",
    ]
)
text = st.one_of(words, st.text(max_size=30), st.lists(words, max_size=5).map(" ".join))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), text)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=12
)
field_names = st.one_of(st.sampled_from(loaders.INCIDENT_FIELDS), text)
front_matters = st.dictionaries(field_names, values, max_size=8)

times = st.one_of(
    st.sampled_from(["2026-11-21 14:05 +01:00", "2026-11-21T14:05Z", "2026-11-21 14:05", "2026-13-01 10:00 +01:00"]),
    st.builds(
        lambda d, h, m, tz: f"2026-11-{d:02d} {h:02d}:{m:02d}{tz}",
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.sampled_from([" +01:00", "Z", " -03:30", " +15:00", "", " UTC", "+0100"]),
    ),
    st.text(max_size=25),
)
statuses = st.one_of(
    st.sampled_from(
        list(model.INCIDENT_STATUSES + model.MAINTENANCE_STATUSES) + ["Résolu", "Enquête en cours", "en panne"]
    ),
    text,
)
separators = st.sampled_from([" — ", " – ", " - ", " | ", " · ", " : ", " ", "—"])
body_lines = st.one_of(
    st.builds(lambda t, s, st_: f"## {t}{s}{st_}", times, separators, statuses),
    st.builds(lambda t: f"Next update: {t}", times),
    st.builds(lambda t: f"Prochaine mise à jour : {t}", times),
    st.sampled_from(
        [
            "## Postmortem",
            "## Retour d'expérience",
            "### Détails",
            "# Titre",
            "<!-- note -->",
            "```",
            "~~~",
            "",
            "",
            "- point",
            "[lien](javascript:alert(1))",
            "<script>alert(1)</script>",
            "---",
            "##",
            "## —",
        ]
    ),
    text,
)
bodies = st.lists(body_lines, max_size=14).map("\n".join)
messages = st.one_of(
    text.filter(lambda m: m.strip() and not m.lstrip().startswith("#")),
    st.sampled_from(
        [
            "**Gras** et [lien](https://example.org)",
            "- un\n- deux",
            "<b>html</b> <img src=x onerror=alert(1)>",
            "`code`",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "> citation",
            "{{ 7*7 }} {% raw %}",
        ]
    ),
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
    components = [
        model.Component(id=c, name=c, description="", group=None, order=i) for i, c in enumerate(sorted(COMPONENTS))
    ]
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
    load(tmp, f"---\n{dump(front)}---\n{body}\n".encode())


@FAST
@given(
    front=st.fixed_dictionaries(
        {"title": text, "impact": st.sampled_from(model.IMPACTS)},
        optional={
            "kind": st.sampled_from(model.KINDS),
            "components": st.lists(st.sampled_from(sorted(COMPONENTS)), max_size=3),
            "scheduled_for": times,
            "scheduled_until": times,
            "started_at": times,
            "draft": st.booleans(),
            "spokesperson": text,
            "publish_at": times,
        },
    ),
    body=st.one_of(timelines(), bodies),
)
def test_nearly_valid_incidents_load_or_are_explained(tmp_path_factory, front, body):
    """Mostly-right files reach the deeper checks (times, order, rendering) rather than stopping at the YAML."""
    tmp = tmp_path_factory.mktemp("p", numbered=True)
    load(tmp, f"---\n{dump(front)}---\n{body}\n".encode())


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
@given(
    source=st.lists(
        st.one_of(
            text,
            st.sampled_from(
                ["---", "- ", "  ", ": ", "&x", "*x", "? ", "|", ">", "!!str", "%YAML 1.1", "[", "{", "\t"]
            ),
        ),
        max_size=30,
    ).map("".join)
)
def test_random_yaml_text_never_crashes(tmp_path_factory, source):
    tmp = tmp_path_factory.mktemp("p", numbered=True)
    load(tmp, f"---\n{source}\n---\n## 2026-11-21 14:05 +01:00 — investigating\n\nx\n".encode())
    path = tmp / "components.yml"
    path.write_text(source, encoding="utf-8")
    report = Collector()
    loaders.load_components(path, report)
    check_problems(report, path)


@FAST
@given(
    components=st.dictionaries(
        st.sampled_from(["groups", "components", "component"]),
        st.lists(
            st.dictionaries(
                st.sampled_from(["id", "name", "description", "group", "order", "nom"]), values, max_size=5
            ),
            max_size=4,
        ),
        max_size=3,
    )
)
def test_random_components_files_never_crash(tmp_path_factory, components):
    tmp = tmp_path_factory.mktemp("p", numbered=True)
    path = tmp / "components.yml"
    path.write_text(dump(components), encoding="utf-8")
    report = Collector()
    _groups, found = loaders.load_components(path, report)
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


# -- the transparency page's files: monitoring summaries, KPIs, testimonials ---------------------------
# Valid files, then a few mutations of them (a value, a key replaced, an entry deleted): whatever
# passes the loader must render the page; whatever does not is refused with a located problem.

MONITORING = {
    "sources": {
        "alertes": {"name": "Alertes", "kind": "mentions", "url": "https://example.org/feed"},
        "avis": {"name": "Avis", "kind": "reviews"},
    },
    "counts": {"2026-10-05": {"alertes": 1}, "2026-10-27": {"alertes": 15, "avis": 5}},
    "spikes": [{"period": "2026-W44", "source": "all", "count": 20, "baseline": 4, "factor": 2}],
    "items": [
        {
            "id": "a1",
            "at": "2026-10-27 10:00 +01:00",
            "source": "alertes",
            "title": "Titre",
            "link": "https://example.org/a",
        }
    ],
}
KPI_FILE = {
    "targets": {"reviews": {"min": 10}, "average_rating": {"min": 4}, "response_rate": {"min": 80, "max": 100}},
    "months": {
        "2026-10": {"reviews": 12, "average_rating": 4.2, "response_rate": 83, "mention_reach": 23700},
        "2026-11": {"reviews": 9, "mention_volume": 40},
    },
}
TESTIMONIAL = {
    "quote": "Merci.\n\nDeuxième paragraphe.",
    "attribution": {"initials": "M. L."},
    "relationship": "beneficiary",
    "date": "2026-09-24",
    "source": "letter",
    "source_url": "https://example.org/avis",
    "language": "fr",
    "context": "aidée en 2025",
    "consent": {"date": "2026-09-24", "how": "email"},
    "published": True,
}
TRANSPARENCY_FILES = {  # kind: (base, file name, loader)
    "monitoring": (MONITORING, "2026-10.yml", tl.load_month_summary),
    "kpis": (KPI_FILE, "kpis.yml", tl.load_kpis),
    # judged as of a fixed day, as a build judges them by its reference time
    "testimonial": (
        TESTIMONIAL,
        "2026-09-24-merci.yml",
        lambda path, report: tl.load_testimonial(path, report, date(2026, 11, 22)),
    ),
}
hostile_values = st.one_of(
    st.sampled_from(
        [
            "2026-W60",
            "2026-W00",
            "2026-W53",
            "2027-W53",
            "2026-W44",
            "2026-W45",
            "2026-11",
            "semaine 44",
            "2026-10-32",
            "2026-02-30",
            "2026-10-27",
            "2026-11-01",
            "9999-12-31",
            "0001-01-01",
            "2026-10-27 10:00",
            "2999-12-31 23:59 -12:00",
            "1900-01-01 00:00 +14:00",
            "https://[x",
            "javascript:alert(1)",
            "all",
            "alertes",
            "avis",
            "mentions",
            "provider",
            "",
            " ",
            "<script>alert(1)</script>",
            "23,700",
            "83%",
            "4,2",
            "1e400",
            "nan",
            "inf",
            "-1",
            "anonymous",
            "Marie",
        ]
    ),
    st.sampled_from(
        [
            float("nan"),
            float("inf"),
            -float("inf"),
            -1,
            0,
            0.5,
            5.5,
            61.5,
            101,
            10**30,
            1e300,
            True,
            False,
            None,
            [],
            {},
            [1],
            {"name": "x"},
            {"min": 3},
        ]
    ),
    scalars,
)
hostile_keys = st.one_of(
    st.sampled_from(
        [
            "2026-10-28",
            "2026-11-01",
            "2026-13",
            "1899-12",
            1,
            True,
            "all",
            "reviews",
            "mention_volume",
            "min",
            "max",
            "name",
            "initials",
            "nom",
            "period",
        ]
    ),
    text,
)


def node_paths(data, prefix=()):
    """The path of every node under `data` (its keys and indexes), parents before children."""
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in children:
        yield prefix + (key,)
        yield from node_paths(value, prefix + (key,))


@st.composite
def mutated(draw, base):
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(0, 3))):
        paths = list(node_paths(data))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["value", "value", "key", "delete"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "key" and isinstance(parent, dict):
            value = parent.pop(path[-1])
            parent[draw(hostile_keys)] = value
        else:
            parent[path[-1]] = copy.deepcopy(draw(hostile_values))  # sampled containers are shared
    return data


def render_transparency(data: tr.Transparency, language: str) -> None:
    settings = model.Settings(timezone=ZoneInfo("Europe/Paris"), now=NOW, language=language)
    page = model.StatusPage(settings, [], [], [], transparency=data)
    ((path, html),) = transparency_pages(SiteRenderer(page, PageContext()))
    assert path == "transparency/index.html" and "<h1>" in html


def load_transparency_file(tmp: Path, kind: str, data, language: str = "fr"):
    """Load one mutated file with the valid others; render the page if it loads cleanly."""
    _base, name, loader = TRANSPARENCY_FILES[kind]
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / name
    path.write_text(dump(data) if isinstance(data, dict) else yaml.safe_dump(data), encoding="utf-8")
    report = Collector()
    loaded = loader(path, report)
    check_problems(report, path)
    if report.errors:
        return None
    assert loaded is not None, "a file was accepted but nothing was read from it"
    others = {}
    for other, (other_base, other_name, other_loader) in TRANSPARENCY_FILES.items():
        if other != kind:
            (tmp / other).mkdir(exist_ok=True)
            (tmp / other / other_name).write_text(dump(other_base), encoding="utf-8")
            others[other] = other_loader(tmp / other / other_name, Collector())
    found = {kind: loaded, **others}
    render_transparency(
        tr.Transparency(
            testimonials=[found["testimonial"]], kpis=found["kpis"], monitoring=tr.Monitoring([found["monitoring"]])
        ),
        language,
    )
    return loaded


@FAST
@given(data=mutated(MONITORING), language=st.sampled_from(["fr", "en"]))
def test_mutated_monitoring_summaries_render_or_are_explained(tmp_path_factory, data, language):
    load_transparency_file(tmp_path_factory.mktemp("m", numbered=True), "monitoring", data, language)


@FAST
@given(data=mutated(KPI_FILE), language=st.sampled_from(["fr", "en"]))
def test_mutated_kpis_render_or_are_explained(tmp_path_factory, data, language):
    load_transparency_file(tmp_path_factory.mktemp("k", numbered=True), "kpis", data, language)


@FAST
@given(data=mutated(TESTIMONIAL), language=st.sampled_from(["fr", "en"]))
def test_mutated_testimonials_render_or_are_explained(tmp_path_factory, data, language):
    load_transparency_file(tmp_path_factory.mktemp("t", numbered=True), "testimonial", data, language)


@FAST
@given(kind=st.sampled_from(sorted(TRANSPARENCY_FILES)), data=values)
def test_random_transparency_files_never_crash(tmp_path_factory, kind, data):
    load_transparency_file(tmp_path_factory.mktemp("r", numbered=True), kind, data)


# -- through the CLI --------------------------------------------------------------------------------


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
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


TRANSPARENCY_TARGETS = {
    "monitoring": "status/monitoring/2026-10.yml",
    "kpis": "status/kpis.yml",
    "testimonial": "content/testimonials/2026-09-24-usager-enquete.yml",
}


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    kind_and_data=st.sampled_from(sorted(TRANSPARENCY_FILES)).flatmap(
        lambda kind: st.tuples(st.just(kind), mutated(TRANSPARENCY_FILES[kind][0]))
    )
)
def test_mutated_transparency_files_through_the_cli(demo, kind_and_data):
    """What `balise check` passes, `balise build` builds; what it refuses, it refuses on a located line."""
    import re

    from conftest import Cli

    kind, data = kind_and_data
    (demo / TRANSPARENCY_TARGETS[kind]).write_text(dump(data), encoding="utf-8")
    cli = Cli(demo)
    try:
        cli("check", expect=1)
    except AssertionError:
        cli("check", expect=0)
        cli("build", expect=0)  # Cli raises any exception: a traceback fails the test
    else:
        result = cli("build", expect=1)
        for line in filter(str.strip, result.stderr.splitlines()):
            assert re.match(r"^[^\s:][^:]*:\d+: ", line), line


def test_strategies_reach_both_outcomes(tmp_path):
    """The generators above are only useful if they produce both accepted and refused files."""
    good = (
        "---\ntitle: T\nimpact: minor\ncomponents: [paiements]\n---\n## 2026-11-21 14:05 +01:00 — investigating\n\nx\n"
    )
    assert load(tmp_path, good.encode())[0] is not None
    assert load(tmp_path, b"---\ntitle: [\n---\n")[0] is None


def test_transparency_strategies_reach_both_outcomes(tmp_path):
    for kind, (base, _, _) in TRANSPARENCY_FILES.items():
        assert load_transparency_file(tmp_path / kind, kind, base) is not None, kind
    spike = copy.deepcopy(MONITORING)
    spike["spikes"][0]["period"] = "2026-W60"
    assert load_transparency_file(tmp_path / "w60", "monitoring", spike) is None
