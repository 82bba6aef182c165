"""The benchmark runs and reports; a long history renders on every core to the same bytes as on one.

No timing is asserted here: `scripts/bench` measures, these tests check that it works.
"""

from __future__ import annotations

import filecmp
import importlib.util
import os
import subprocess
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest

from balise.content import loaders, publishing
from balise.content.model import Settings
from balise.errors import Collector
from balise.outputs.pages import PageContext, SiteRenderer
from balise.pipeline import parallel, stages as pipeline
from balise.pipeline.write import Folder
from balise.timeline import parse_body
from conftest import REPO, page

BENCH = REPO / "scripts/bench"


def bench_module():
    loader = SourceFileLoader("balise_bench", str(BENCH))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("balise_bench", loader))
    loader.exec_module(module)
    return module


def run(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_the_benchmark_prints_and_writes_its_tables(tmp_path):
    out = tmp_path / "results.md"
    result = run(BENCH, "--quick", "--sizes", "40", "--runs", "1", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == [
        "N",
        "runs",
        "balise build (s)",
        "per incident (ms)",
        "CPU (s)",
        "peak memory (MiB)",
        "output (MiB, files)",
        "floor (s)",
        "floor per incident (ms)",
        "balise ÷ floor",
        "one-update rebuild (s)",
    ]
    row = [cell.strip() for cell in lines[2].strip("|").split("|")]
    assert row[0] == "40" and row[1] == "1"
    assert row[-2].endswith("×") and float(row[-2][:-1]) > 0
    assert float(row[-1]) > 0
    view_header = next(line for line in lines if line.startswith("| N | files |"))
    view = [cell.strip() for cell in lines[lines.index(view_header) + 2].strip("|").split("|")]
    assert view[0] == "40" and int(view[1]) >= 2, "the HTML and its stylesheet at least"
    assert view[5] == "0", "the home page must make no third-party request"
    assert view[6] == "0", "the home page needs no script"
    assert view[7].startswith("yes"), "the status must be in the home page's HTML"
    raw, packed = (float(size) for size in view[8].split(" / "))
    assert 0 < packed < raw, "embed.js's weight, raw and gzip"
    as_written = next(line for line in lines if "committed as it was written" in line)
    assert float(as_written.rsplit(": ", 1)[1].removesuffix(" s.")) > 0
    assert "rebuild after editing one incident" in result.stdout
    assert out.read_text(encoding="utf-8").startswith("# balise build benchmark\n\n| N |")


def test_the_synthetic_history_is_valid_balise_content(tmp_path):
    bench = bench_module()
    bench.generate(tmp_path / "site", 60)
    report = Collector(tmp_path / "site")
    content = loaders.load_content(tmp_path / "site/status", tmp_path / "site/incidents", report)
    assert not report.problems, [str(p) for p in report.problems]
    assert len(content.incidents) == 60 and len(content.components) == 12
    assert all(len(incident.updates) == 5 for incident in content.incidents)
    kinds = [incident.kind for incident in content.incidents]
    assert 3 <= kinds.count("maintenance") <= 20
    assert sum(not incident.is_closed for incident in content.incidents) >= 3


def test_the_floor_renders_the_same_pages(tmp_path):
    bench = bench_module()
    bench.generate(tmp_path / "site", 30)
    bench.floor(tmp_path / "site", tmp_path / "floor")
    assert len(list((tmp_path / "floor/incidents").iterdir())) == 30
    assert (tmp_path / "floor/index.html").is_file() and (tmp_path / "floor/history/index.html").is_file()


def test_a_long_history_builds_the_same_bytes_on_several_cores_as_on_one(tmp_path):
    bench = bench_module()
    source = tmp_path / "site"
    bench.generate(source, parallel.MIN_INCIDENTS + 20)
    epoch = {"SOURCE_DATE_EPOCH": str(int(bench.NOW.timestamp()))}
    for jobs in ("1", "2"):
        result = run("-m", "balise", "build", "-d", f"site-{jobs}", cwd=source, env={**epoch, "BALISE_JOBS": jobs})
        assert result.returncode == 0, result.stderr
    comparison = filecmp.dircmp(source / "site-1", source / "site-2")
    differing = []

    def walk(node, prefix=""):
        differing.extend(
            prefix + name for name in node.diff_files + node.left_only + node.right_only + node.funny_files
        )
        for name, sub in node.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(comparison)
    assert not differing
    incidents = sorted(p.name for p in (source / "site-2/incidents").iterdir())
    assert incidents == sorted(p.stem for p in (source / "incidents").glob("*.md"))
    newest = page(source / "site-2", f"incidents/{incidents[-1]}/")
    assert newest.select("ol.timeline > li")


def write_all(renderer, site_dir):
    """Everything balise produces from `renderer`'s content, written as the build writes it."""
    return pipeline.write(Folder(site_dir), pipeline.produce(renderer))


@pytest.fixture
def demo_page(demo):
    report = Collector(demo)
    content = loaders.load_content(demo / "status", demo / "incidents", report)
    from zoneinfo import ZoneInfo

    from conftest import DEMO_NOW

    return publishing.publish(content, Settings(timezone=ZoneInfo("Europe/Paris"), now=DEMO_NOW))


def test_a_worker_s_error_fails_the_build(demo_page, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_INCIDENTS", 1)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setenv("BALISE_JOBS", "2")
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "incident.html").write_text("{{ no_such_variable }}", encoding="utf-8")
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        write_all(SiteRenderer(demo_page, PageContext(), custom), tmp_path / "out")


def test_workers_write_every_incident_page(demo_page, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_INCIDENTS", 1)
    monkeypatch.setattr(parallel, "CHUNK", 2)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setenv("BALISE_JOBS", "2")
    written = write_all(SiteRenderer(demo_page, PageContext()), tmp_path / "par")
    monkeypatch.setenv("BALISE_JOBS", "1")
    serial = write_all(SiteRenderer(demo_page, PageContext()), tmp_path / "ser")
    assert sorted(written) == sorted(serial)
    for path in serial:
        assert (tmp_path / "par" / path).read_bytes() == (tmp_path / "ser" / path).read_bytes(), path


@pytest.mark.parametrize(
    "last_line",
    [
        "Next update: 2026-11-21 10:00 +01:00",
        "**Prochaine mise à jour :** 2026-11-21 10:00 +01:00",
        "  _Prochain point_ : 2026-11-21 10:00 +01:00.",
    ],
)
def test_the_next_update_line_is_found_after_a_long_message(last_line):
    body = "## 2026-11-21 09:00 +01:00 — investigating\n\n" + "Une longue phrase. " * 40 + "\n\n" + last_line + "\n"
    (update,) = parse_body(body, 1).updates
    assert update.next_update == "2026-11-21 10:00 +01:00"
    assert "Prochain" not in update.message and "Next" not in update.message


def test_the_home_page_lists_a_bounded_number_of_recent_incidents(demo_page, tmp_path, monkeypatch):
    from balise.outputs import pages as render

    monkeypatch.setattr(render, "RECENT_DAYS", 3650)  # every closed incident of the demo is recent
    write_all(SiteRenderer(demo_page, PageContext()), tmp_path / "all")
    everything = page(tmp_path / "all").select("ul.recent > li")
    assert len(everything) > 2
    monkeypatch.setattr(render, "RECENT_LIMIT", 2)
    write_all(SiteRenderer(demo_page, PageContext()), tmp_path / "two")
    home = page(tmp_path / "two")
    assert [li.a["href"] for li in home.select("ul.recent > li")] == [li.a["href"] for li in everything[:2]]
    assert home.select_one("#recent ~ p a, section[aria-labelledby=recent] p a")["href"] == "history/"
