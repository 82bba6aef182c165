"""Measured uptime: `balise uptime` against local servers answering in each source's real shape (and a
real Prometheus), the daily summaries it writes, the figures on the pages, and `balise check`'s
honesty warnings against the published incidents."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import edit, page, text_of

PARIS_OFFSET = "+01:00"


@contextmanager
def serve(routes: dict[str, object], delay: float = 0.0):
    """A local HTTP server: `routes` maps a path (query ignored) to a JSON-able answer or to bytes."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            answer = routes.get(self.path.split("?", 1)[0])
            if delay:
                time.sleep(delay)
            if answer is None:
                self.send_response(404)
                self.end_headers()
                return
            body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def configure(demo: Path, sources: str, fresh: bool = True) -> None:
    """The uptime sources in the demo's mkdocs.yml (YAML under the plugin's options, 6 spaces in)."""
    block = "      uptime_sources:\n" + "".join(f"        {line}\n" for line in sources.strip("\n").splitlines())
    edit(demo, "mkdocs.yml", "\nmarkdown_extensions:", "\n" + block + "\nmarkdown_extensions:")
    if fresh:
        shutil.rmtree(demo / "status" / "uptime")


def line_of(demo: Path, text: str) -> int:
    lines = (demo / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


# -- the sources' answers (shapes from their documentation and code) ---------------------------
GATUS = [
    {
        "name": "Dons en ligne",
        "group": "public",
        "key": "public_dons-en-ligne",
        "results": [
            {
                "status": 200,
                "hostname": "dons.example.org",
                "duration": 48211000,
                "conditionResults": [{"condition": "[STATUS] == 200", "success": True}],
                "success": True,
                "timestamp": "2026-11-20T10:59:30.25Z",
            }
        ],
        "events": [
            {"type": "START", "timestamp": "2026-11-18T23:00:00Z"},
            {"type": "HEALTHY", "timestamp": "2026-11-18T23:00:00.5Z"},
            {"type": "UNHEALTHY", "timestamp": "2026-11-19T13:10:00.123456789Z"},
            {"type": "HEALTHY", "timestamp": "2026-11-19T13:33:00Z"},
        ],
    }
]


def kuma_beats() -> list[dict]:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    beats = []
    for minute in range(100):  # the public API gives the latest 100
        at = start + timedelta(minutes=minute)
        down = 60 <= minute < 65
        beats.append({"status": 0 if down else 1, "time": at.strftime("%Y-%m-%d %H:%M:%S.000"), "msg": "", "ping": 31})
    return beats


KUMA_PAGE = {
    "config": {"slug": "relais", "title": "Relais", "showTags": False},
    "incident": None,
    "publicGroupList": [
        {"id": 1, "name": "Services", "weight": 1, "monitorList": [{"id": 3, "name": "Site internet", "type": "http"}]}
    ],
    "maintenanceList": [],
}

UPPTIME_SUMMARY = [
    {
        "name": "Espace bénéficiaires",
        "url": "https://espace.example.org",
        "icon": "https://icons.duckduckgo.com/ip3/espace.example.org.ico",
        "slug": "espace-beneficiaires",
        "status": "up",
        "uptime": "99.72%",
        "uptimeDay": "100.00%",
        "uptimeWeek": "99.72%",
        "uptimeMonth": "99.72%",
        "uptimeYear": "99.72%",
        "time": 214,
        "timeDay": 201,
        "timeWeek": 214,
        "timeMonth": 214,
        "timeYear": 214,
        "dailyMinutesDown": {"2026-11-18": 12},
    }
]


def upptime_routes(prefix: str = "") -> dict[str, object]:
    return {
        f"{prefix}/history/summary.json": UPPTIME_SUMMARY,
        f"{prefix}/history/espace-beneficiaires.yml": b"url: https://espace.example.org\nstatus: up\ncode: 200\n"
        b"responseTime: 214\nlastUpdated: 2026-11-20T10:55:12.000Z\nstartTime: 2026-11-17T00:00:00.000Z\ngenerator: Upptime\n",
        f"{prefix}/api/espace-beneficiaires/uptime.json": {
            "schemaVersion": 1,
            "label": "uptime",
            "message": "99.72%",
            "color": "brightgreen",
        },
    }


def three_sources(url: str) -> str:
    return f"""
- name: gatus
  kind: gatus
  url: {url}
  monitors:
    - {{component: paiements, name: public_dons-en-ligne}}
- name: kuma
  kind: uptime_kuma
  url: {url}
  slug: relais
  monitors:
    - component: site-internet
      name: Site internet
- name: upptime
  kind: upptime
  url: {url}/org/status/HEAD
  monitors:
    - {{component: espace-beneficiaires, name: espace-beneficiaires}}
"""


def all_routes() -> dict[str, object]:
    return {
        "/api/v1/endpoints/statuses": GATUS,
        "/api/status-page/relais": KUMA_PAGE,
        "/api/status-page/heartbeat/relais": {"heartbeatList": {"3": kuma_beats()}, "uptimeList": {"3_24": 0.95}},
        **upptime_routes("/org/status/HEAD"),
    }


def month(demo: Path, name: str = "2026-11") -> str:
    return (demo / "status" / "uptime" / f"{name}.yml").read_text(encoding="utf-8")


def day_line(text: str, day: str, component: str) -> str:
    lines = text.splitlines()
    start = lines.index(f"  {day}:")
    return next(line for line in lines[start + 1 :] if line.startswith(f"    {component}:"))


# -- the summaries ---------------------------------------------------------------------------
def test_three_sources_give_daily_summaries_pages_and_honesty_warnings(demo, cli, built_at):
    with serve(all_routes()) as url:
        configure(demo, three_sources(url))
        result = cli("uptime", "--at", "2026-11-20 12:00 +01:00")
    assert result.stdout.strip() == "status/uptime/2026-11.yml"
    assert "Upptime says 99.72% overall" in result.stderr
    text = month(demo)
    # Gatus: the day of the outage, complete, with its times; the day of the run, partial.
    assert day_line(text, "2026-11-19", "paiements") == (
        '    paiements: {source: "gatus", checked: 1440, down: 23, degraded: 0, outages: '
        '[{from: "2026-11-19 14:10 +01:00", until: "2026-11-19 14:33 +01:00"}]}'
    )
    assert day_line(text, "2026-11-20", "paiements").endswith("checked: 720, down: 0, degraded: 0, partial: true}")
    # Uptime Kuma: 100 beats a minute apart, five down.
    assert day_line(text, "2026-11-20", "site-internet") == (
        '    site-internet: {source: "kuma", checked: 100, down: 5, degraded: 0, partial: true, outages: '
        '[{from: "2026-11-20 11:00 +01:00", until: "2026-11-20 11:05 +01:00"}]}'
    )
    # Upptime: every day from its start, minutes down per day (no times).
    assert day_line(text, "2026-11-17", "espace-beneficiaires").endswith("checked: 1440, down: 0, degraded: 0}")
    assert day_line(text, "2026-11-18", "espace-beneficiaires").endswith("checked: 1440, down: 12, degraded: 0}")

    # The honesty check: each uncovered outage once, with its times in the site's zone.
    checked = cli("check")
    warnings = [line for line in checked.stderr.splitlines() if "monitors saw" in line]
    assert len(warnings) == 2, warnings
    paiements = next(w for w in warnings if "on paiements" in w)
    assert paiements.startswith(
        f"status/uptime/2026-11.yml:{text.splitlines().index(day_line(text, '2026-11-19', 'paiements')) + 1}: warning:"
    )
    assert (
        "monitors saw 23 min down on paiements (Dons et paiements en ligne) on 2026-11-19 14:10–14:33 (Europe/Paris)"
        in paiements
    )
    assert (
        "no incident covers it — publish one, or record why under 'explained:' in status/uptime/2026-11.yml"
        in paiements
    )
    assert "12 min down on espace-beneficiaires" in next(w for w in warnings if w is not paiements)
    assert not any("site-internet" in w for w in warnings)  # 5 min: not beyond the threshold

    # The pages: the figures, and the day's words saying what was measured and what was published.
    site = built_at()
    row = page(site).find(id="component-paiements")
    assert "Disponibilité mesurée : 98,93 % sur 30 jours, 98,93 % sur 90 jours" in text_of(
        row.find(class_="uptime-figures")
    )
    titles = [text_of(t) for t in page(site, "components/paiements/").select(".bar title")]
    assert "19 novembre 2026 — 23 min d'indisponibilité mesurée ; aucun incident publié" in titles


def test_a_covered_outage_gives_no_warning_an_uncovered_one_gives_one(demo, cli):
    # The demo's measurements: every downtime is covered by an incident, or explained.
    assert "monitors saw" not in cli("check").stderr
    # Without its explanation, the false alarm of 14 October is one warning, with its times.
    text = (demo / "status/uptime/2026-10.yml").read_text(encoding="utf-8")
    (demo / "status/uptime/2026-10.yml").write_text(
        text.split("\nexplained:")[0] + "\nexplained: []\n", encoding="utf-8"
    )
    warnings = [line for line in cli("check").stderr.splitlines() if "monitors saw" in line]
    assert len(warnings) == 1
    assert (
        "27 min down on paiements (Dons et paiements en ligne) on 2026-10-14 03:02–03:29 (Europe/Paris)" in warnings[0]
    )


def test_a_major_incident_with_no_downtime_measured_is_information(demo, cli):
    edit(
        demo,
        "status/uptime/2026-09.yml",
        'prise-de-rendez-vous: {source: "gatus", checked: 1440, down: 65, degraded: 0, outages: '
        '[{from: "2026-09-01 09:12 +02:00", until: "2026-09-01 10:17 +02:00"}]}',
        'prise-de-rendez-vous: {source: "gatus", checked: 1440, down: 0, degraded: 0}',
    )
    result = cli("check")
    assert "incidents/2026-09-01-creneaux-rendez-vous-en-double.md:" in result.stderr
    assert "info: major impact on prise-de-rendez-vous, but the monitors measured no downtime then" in result.stderr


def test_explained_downtime_is_shown_as_explained(built_at):
    site = built_at()
    titles = [text_of(t) for t in page(site, "components/paiements/").select(".bar title")]
    assert any(
        t.startswith("14 octobre 2026 — 27 min d'indisponibilité mesurée, expliqué : Fausse alerte") for t in titles
    )
    transparency = page(site, "transparency/")
    assert "Dons et paiements en ligne, 14 octobre 2026 : Fausse alerte" in text_of(
        transparency.find(class_="explained")
    )
    rows = [[text_of(c) for c in tr.find_all(["th", "td"])] for tr in transparency.select("table.uptime tbody tr")]
    assert ["Prise de rendez-vous en ligne", "T3 2026", "99,926 %", "99,9 %", "atteint"] in rows
    assert ["Prise de rendez-vous en ligne", "T4 2026", "99,772 %", "99,9 %", "non atteint"] in rows
    summary = json.loads((site / "api/v2/summary.json").read_text(encoding="utf-8"))
    assert summary["balise"]["uptime"]["paiements"]["days_90"]["minutes_down"] == 27
    assert "uptime" not in summary["components"][0]  # the Statuspage fields as they were
    feed = " ".join((site / "components/paiements/history.atom").read_text(encoding="utf-8").split())
    assert "Disponibilité mesurée : 100,00 % sur 30 jours, 99,97 % sur 90 jours.</subtitle>" in feed
    assert "Disponibilité mesurée" not in (site / "components/ligne-ecoute/history.atom").read_text(encoding="utf-8")


def test_a_partial_day_never_replaces_a_complete_one(demo, cli):
    with serve(all_routes()) as url:
        configure(demo, three_sources(url))
        cli("uptime", "--at", "2026-11-20 12:00 +01:00")
    before = day_line(month(demo), "2026-11-19", "paiements")
    later = json.loads(json.dumps(GATUS))
    later[0]["events"] = [
        {"type": "START", "timestamp": "2026-11-19T12:00:00Z"},
        {"type": "HEALTHY", "timestamp": "2026-11-19T12:00:00Z"},
    ]
    routes = {**all_routes(), "/api/v1/endpoints/statuses": later}
    with serve(routes) as url:
        text = (demo / "mkdocs.yml").read_text(encoding="utf-8")
        (demo / "mkdocs.yml").write_text(re.sub(r"http://127\.0\.0\.1:\d+", url, text), encoding="utf-8")
        cli("uptime", "--at", "2026-11-20 12:00 +01:00")
    assert day_line(month(demo), "2026-11-19", "paiements") == before


def test_a_failing_source_is_one_warning_and_the_others_are_read(demo, cli):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with (
        serve({**all_routes(), "/bad/api/v1/endpoints/statuses": b"<html>not json"}) as url,
        serve({}, delay=3) as slow,
    ):
        configure(
            demo,
            f"""
- {{name: down, kind: gatus, url: "http://127.0.0.1:{port}", monitors: [{{component: paiements, name: x}}]}}
- {{name: slow, kind: gatus, url: "{slow}", monitors: [{{component: paiements, name: x}}]}}
- {{name: broken, kind: gatus, url: "{url}/bad", monitors: [{{component: paiements, name: x}}]}}
- {{name: big, kind: uptime_kuma, url: "{url}", slug: relais, monitors: [{{component: site-internet, name: Site internet}}]}}
- {{name: good, kind: gatus, url: "{url}", monitors: [{{component: paiements, name: Dons en ligne}}]}}
""",
        )
        result = cli("uptime", "--at", "2026-11-20 12:00 +01:00", "--timeout", "1", "--max-bytes", "6000")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 4, result.stderr
    assert any(w.startswith("warning: down (gatus)") and "cannot be reached" in w for w in warnings)
    assert any(w.startswith("warning: slow (gatus)") and "1 s" in w for w in warnings)
    assert any(w.startswith("warning: broken (gatus) the answer is not JSON") for w in warnings)
    assert any(w.startswith("warning: big (uptime_kuma)") and "limit" in w for w in warnings)
    assert 'paiements: {source: "good"' in month(demo)


def test_no_source_read_writes_nothing_and_fails(demo, cli):
    configure(demo, "- {name: down, kind: gatus, url: 'http://127.0.0.1:9', monitors: [{component: paiements}]}")
    result = cli("uptime", expect=1)
    assert "no source could be read — nothing was written" in result.stderr
    assert not (demo / "status" / "uptime").exists()


# -- configuration -------------------------------------------------------------------------------
def test_a_monitor_of_an_unknown_component_is_one_line_at_its_mkdocs_line(demo, cli):
    configure(
        demo,
        "- name: gatus\n  kind: gatus\n  url: http://127.0.0.1:9\n  monitors:\n    - component: paiement\n      name: x",
        fresh=False,
    )
    line = line_of(demo, "component: paiement")
    for command in ("uptime", "check"):
        result = cli(command, expect=1)
        assert (
            f"mkdocs.yml:{line}: uptime source 'gatus': unknown component 'paiement' — did you mean 'paiements'?"
            in result.stderr
        )
        assert "Traceback" not in result.stderr


def test_a_source_kind_typo_is_one_line_at_its_mkdocs_line(demo, cli):
    configure(demo, "- name: gatus\n  kind: gatsu\n  url: http://127.0.0.1:9", fresh=False)
    line = line_of(demo, "kind: gatsu")
    result = cli("check", expect=1)
    problems = [p for p in result.stderr.splitlines() if "gatsu" in p]
    assert len(problems) == 1, result.stderr
    assert problems[0].startswith(f"mkdocs.yml:{line}: ")
    assert "unknown kind 'gatsu' — did you mean 'gatus'?" in problems[0]


def test_a_token_must_come_from_the_environment(demo, cli, monkeypatch):
    configure(demo, "- name: gatus\n  kind: gatus\n  url: http://127.0.0.1:9\n  token: s3cret", fresh=False)
    line = line_of(demo, "token: s3cret")
    assert (
        f"mkdocs.yml:{line}: uptime source 'gatus': a token is a credential — write 'token: !ENV UPTIME_TOKEN'"
        in cli("check", expect=1).stderr
    )
    edit(demo, "mkdocs.yml", "token: s3cret", "token: !ENV UPTIME_TOKEN")
    monkeypatch.setenv("UPTIME_TOKEN", "s3cret")
    assert "credential" not in cli("check").stderr


def test_upptime_from_a_local_clone(demo, cli, tmp_path):
    clone = tmp_path / "status-repo"
    for relative, answer in upptime_routes().items():
        target = clone / relative.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(answer if isinstance(answer, bytes) else json.dumps(answer).encode())
    configure(
        demo,
        f"- {{name: upptime, kind: upptime, path: '{clone}', monitors: [{{component: espace-beneficiaires, name: espace-beneficiaires}}]}}",
    )
    cli("uptime", "--at", "2026-11-20 12:00 +01:00")
    assert day_line(month(demo), "2026-11-18", "espace-beneficiaires").endswith("down: 12, degraded: 0}")


# -- a real Prometheus ------------------------------------------------------------------------------
@pytest.fixture
def prometheus(tmp_path):
    """Debian's prometheus, loaded by promtool with a day of blackbox probes: 23 minutes failed."""
    start = datetime.fromisoformat("2026-11-19T00:00:00+01:00")
    lines = ["# HELP probe_success Whether the probe succeeded.", "# TYPE probe_success gauge"]
    for minute in range(24 * 60 + 1):
        at = start + timedelta(minutes=minute)
        down = 14 * 60 + 11 <= minute <= 14 * 60 + 33
        lines.append(f'probe_success{{instance="https://dons.example.org"}} {0 if down else 1} {int(at.timestamp())}')
    lines.append("# EOF")
    (tmp_path / "probes.om").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = tmp_path / "tsdb"
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(tmp_path / "probes.om"), str(data)],
        check=True,
        capture_output=True,
    )
    (tmp_path / "prometheus.yml").write_text("global:\n  scrape_interval: 1m\n", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=20y",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # ready within a minute, or fail
            try:
                with urllib.request.urlopen(url + "/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("prometheus did not become ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_prometheus_range_query_gives_minutes_down_with_their_times(demo, cli, prometheus):
    configure(
        demo,
        f"""
- name: prometheus
  kind: prometheus
  url: {prometheus}
  step: 60
  days: 1
  monitors:
    - component: paiements
      query: 'probe_success{{instance="https://dons.example.org"}}'
""",
    )
    cli("uptime", "--at", "2026-11-20 00:00 +01:00")
    text = month(demo)
    assert day_line(text, "2026-11-19", "paiements") == (
        '    paiements: {source: "prometheus", checked: 1440, down: 23, degraded: 0, outages: '
        '[{from: "2026-11-19 14:10 +01:00", until: "2026-11-19 14:33 +01:00"}]}'
    )
    assert "2026-11-18" not in text and "2026-11-20" not in text
    warnings = [line for line in cli("check").stderr.splitlines() if "monitors saw" in line]
    assert (
        len(warnings) == 1
        and "23 min down on paiements (Dons et paiements en ligne) on 2026-11-19 14:10–14:33 (Europe/Paris)"
        in warnings[0]
    )


def test_the_readme_example_is_valid(demo, cli, monkeypatch):
    from test_readme import readme_block

    block = readme_block("yaml", "## Measured uptime").split("\n", 2)[2]  # under `plugins: - balise:`
    edit(demo, "mkdocs.yml", "\nmarkdown_extensions:", "\n" + block + "\nmarkdown_extensions:")
    monkeypatch.setenv("GATUS_TOKEN", "from-a-secret")
    assert "mkdocs.yml" not in cli("check").stderr


LAST_OF_20 = "    site-internet"  # the last component of 2026-11-20 in the demo's summary


def test_a_warm_rebuild_shows_a_new_measurement(tmp_path, monkeypatch):
    from test_incremental import Site

    site = Site(tmp_path, monkeypatch)
    site.build()
    edit(
        site.root,
        "status/uptime/2026-11.yml",
        f'{LAST_OF_20}: {{source: "gatus", checked: 1440, down: 0, degraded: 0}}\n  2026-11-21:',
        f'{LAST_OF_20}: {{source: "gatus", checked: 1440, down: 9, degraded: 0}}\n  2026-11-21:',
    )
    site.commit()
    site.rebuilds_alike()
    titles = [text_of(t) for t in page(site.site, "components/site-internet/").select(".bar title")]
    assert "20 novembre 2026 — 9 min d'indisponibilité mesurée ; aucun incident publié" in titles


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "checked: 1440, down: 0, degraded: 0}",
            "checked: 1440, down: 1501, degraded: 0}",
            "'down' is a number of minutes, from 0 to 1500, not '1501'",
        ),
        (
            "checked: 1440, down: 0, degraded: 0}",
            "checked: 10, down: 11, degraded: 0}",
            "11 min down and 0 degraded, but only 10 checked — fix the figures",
        ),
        ("  2026-11-20:\n", "  2026-12-20:\n", "'2026-12-20' is not a day of 2026-11 — write it as 2026-11-01"),
        ("degraded: 0}", "degradde: 0}", "unknown field 'degradde' — did you mean 'degraded'?"),
        (
            '{from: "2026-11-22 08:38 +01:00"',
            '{from: "2026-11-22 08:38"',
            "an outage is '{from: 2026-11-03 14:10 +01:00, until: 2026-11-03 14:33 +01:00}'",
        ),
    ],
)
def test_a_bad_summary_is_one_line_at_its_line(demo, cli, old, new, message):
    path = demo / "status/uptime/2026-11.yml"
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    line = text[:at].count("\n") + 1
    for command in ("check", "build"):
        result = cli(command, expect=1)
        problems = [p for p in result.stderr.splitlines() if p.startswith("status/uptime/2026-11.yml:")]
        assert len(problems) == 1, result.stderr
        assert problems[0] == f"status/uptime/2026-11.yml:{line}: {message}", problems[0]
        assert "Traceback" not in result.stderr
    assert not (demo / "site").exists()


def test_a_warm_build_reads_each_month_once_and_still_says_its_warnings(tmp_path, monkeypatch):
    """A month of measurements is taken from the build cache when its bytes are unchanged, with its
    warnings said again; a change to the components reads it afresh (its ids are checked against them)."""
    from test_incremental import Site

    site = Site(tmp_path, monkeypatch)
    edit(
        site.root,
        "status/uptime/2026-11.yml",
        "  2026-11-20:\n",
        '  2026-11-20:\n    ancien-standard: {source: "gatus", checked: 1440, down: 0, degraded: 0}\n',
    )
    site.commit()

    def said(result) -> list[str]:
        return sorted(line for line in result.stderr.splitlines() if line.startswith("status/uptime/2026-11.yml:"))

    cold = said(site.cli("check"))  # before any build: the month read from its file
    assert len(cold) == 1 and "ancien-standard" in cold[0] and "not shown" in cold[0], cold
    site.build()
    warm = site.cli("check")  # the month as the build's cache kept it
    assert "build cache" not in warm.stderr, warm.stderr
    assert said(warm) == cold
    components = site.root / "status/components.yml"
    components.write_text(
        components.read_text(encoding="utf-8")
        + "  - id: ancien-standard\n    name: Ancien standard\n    group: contact-et-rappels\n",
        encoding="utf-8",
    )
    site.commit()
    assert said(site.cli("check")) == []
    site.rebuilds_alike()


def test_the_downtime_no_incident_covers_is_what_minute_by_minute_counting_finds():
    """`Covers` (the union of the incidents' windows, searched by bisection) against a count of
    every minute: what is left uncovered, where it starts and ends, and whether anything overlaps."""
    import random

    from balise.content.uptime import Covers, Period

    rng = random.Random(7)
    base = datetime(2026, 3, 29, tzinfo=timezone.utc)

    def at(minute: int) -> datetime:
        return base + timedelta(minutes=minute)

    for _ in range(3000):
        spans = []
        for _ in range(rng.randint(0, 8)):
            start = rng.randint(0, 120)
            spans.append((start, start + rng.choice([0, rng.randint(1, 50)])))  # some last no time at all
        start = rng.randint(0, 120)
        end = start + rng.randint(1, 60)
        covers = Covers([Period(at(a), at(b)) for a, b in spans])
        left = covers.uncovered(Period(at(start), at(end)))
        free = [m for m in range(start, end) if not any(a <= m < b for a, b in spans)]
        assert sum(piece.minutes for piece in left) == len(free)
        if free:
            assert (left[0].start, left[-1].end) == (at(free[0]), at(free[-1] + 1))
        met = next(covers.meeting(Period(at(start), at(end))), None) is not None
        assert met == any(a < end and start < b for a, b in spans)
