"""KPIs: latest value, target, met or not in words, and an accessible inline SVG trend."""

from __future__ import annotations

import re

import pytest
import yaml

from balise.content.transparency import Kpis, Monitoring, Target, sparkline
from conftest import DEMO_NOW, edit, page, text_of


def kpi_rows(demo):
    table = page(demo / "site", "transparency/").select_one("table.kpis")
    return table, {row["data-kpi"]: row for row in table.select("tbody tr")}


def test_the_demo_kpis_are_shown_with_target_and_trend(cli, demo, at_time):
    at_time(DEMO_NOW)
    cli("build")
    table, rows = kpi_rows(demo)
    assert text_of(table.caption)
    assert list(rows) == ["reviews", "average_rating", "response_rate", "mention_volume", "mention_reach"]
    rating = rows["average_rating"]
    assert text_of(rating.select_one(".latest-value")) == "4,2/5 novembre 2026"
    assert text_of(rating.select_one(".target")) == "au moins 4,0/5"
    assert text_of(rating.select_one(".met")) == "Atteint"
    assert text_of(rows["response_rate"].select_one(".latest-value")).startswith("83 %")
    assert text_of(rows["mention_reach"].select_one(".met")) == "Sans objectif"

    svg = rating.select_one("svg.spark")
    assert svg["role"] == "img"
    label = svg["aria-label"]
    # the text alternative lists the twelve months' values, oldest first
    values = re.findall(r"(\w+ \d{4}) : ([\d,]+)/5", label)
    assert len(values) == 12
    assert values[0] == ("décembre 2025", "4,4") and values[-1] == ("novembre 2026", "4,2")
    assert len(svg.select_one("polyline")["points"].split()) == 12
    assert svg.select_one("line.spark-target") is not None


def test_mention_volume_is_counted_from_the_committed_monitoring_summaries(cli, demo, at_time):
    at_time(DEMO_NOW)
    cli("build")
    data = yaml.safe_load((demo / "status/monitoring/2026-11.yml").read_text(encoding="utf-8"))
    mention_sources = {sid for sid, source in data["sources"].items() if source["kind"] == "mentions"}
    expected = sum(n for row in data["counts"].values() for sid, n in row.items() if sid in mention_sources)
    _, rows = kpi_rows(demo)
    cell = text_of(rows["mention_volume"].select_one(".latest-value"))
    assert cell == f"{expected} novembre 2026 · compté par notre veille"
    # months before monitoring began keep their declared value (January 2026: 96)
    assert "janvier 2026 : 96" in rows["mention_volume"].select_one("svg")["aria-label"]


def test_a_missed_target_is_said_in_words(cli, demo, at_time):
    path = demo / "status/kpis.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "average_rating: 4.2, response_rate: 83, mention_reach: 23700",
            "average_rating: 3.7, response_rate: 83, mention_reach: 23700",
        ),
        encoding="utf-8",
    )
    at_time(DEMO_NOW)
    cli("build")
    _, rows = kpi_rows(demo)
    assert text_of(rows["average_rating"].select_one(".met")) == "Non atteint"
    assert rows["average_rating"].select_one(".met svg.icon") is not None  # an icon too, not colour alone


def test_bad_kpi_values_are_reported_with_path_and_line(cli, demo):
    path = demo / "status/kpis.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("2026-03: {reviews: 12, average_rating: 4.2", "2026-03: {reviews: 12, average_rating: 7")
    text = text.replace("  response_rate: {min: 80}", "  response_rte: {min: 80}")
    path.write_text(text, encoding="utf-8")
    result = cli("check", expect=1)
    lines = text.split("\n")
    rate_line = next(i for i, line in enumerate(lines, 1) if "response_rte" in line)
    march_line = next(i for i, line in enumerate(lines, 1) if line.startswith("  2026-03"))
    errors = [line for line in result.stderr.splitlines() if "warning:" not in line and line]
    assert errors == [
        f"status/kpis.yml:{rate_line}: unknown KPI 'response_rte' — did you mean 'response_rate'?",
        f"status/kpis.yml:{march_line}: 'average_rating: 7' must be between 0 and 5 — fix it, "
        "or leave it out for a month it was not measured",
    ]


def test_targets_and_derivation_units():
    assert Target(minimum=4).met(4.0) is True and Target(minimum=4).met(3.9) is False
    assert Target(maximum=10).met(11) is False and Target().met(3) is None and Target(minimum=1).met(None) is None
    kpis = Kpis({"reviews": Target(minimum=10)}, {"2026-01": {"reviews": 12}})
    series = {s.kpi: s for s in kpis.series(Monitoring([]))}
    assert list(series) == ["reviews"] and series["reviews"].latest == ("2026-01", 12)


def test_sparkline_geometry():
    # 3 values in a 120×32 box with 3 px padding: x at 3, 60, 117; lowest value at the bottom (y 29), highest at the top (y 3)
    spark = sparkline([1, 3, 2], width=120, height=32, pad=3)
    assert spark["points"] == [(3.0, 29.0), (60.0, 3.0), (117.0, 16.0)]
    assert sparkline([5], target=5)["points"] == [(3.0, 29.0)]
    # a target outside the values widens the scale: values 4..5 with target 3 -> 3 at the bottom
    assert sparkline([4, 5], target=3)["target_y"] == 29.0


@pytest.mark.parametrize(
    "old, new, words",
    [
        (
            "reviews: 12, average_rating: 4.2, response_rate: 83, mention_reach: 23700}",
            "reviews: .nan, average_rating: 4.2, response_rate: 83, mention_reach: 23700}",
            "'reviews: nan' must be a whole number",
        ),
        (
            "average_rating: 4.2, response_rate: 83, mention_reach: 23700}",
            "average_rating: .inf, response_rate: 83, mention_reach: 23700}",
            "'average_rating: inf' must be between 0 and 5",
        ),
        (
            "mention_reach: 23700}",
            'mention_reach: "23,700"}',
            "'mention_reach: 23,700' must be a whole number ≥ 0, written without",
        ),
        (
            "reviews: 12, average_rating: 4.2, response_rate: 83, mention_reach: 23700}",
            "reviews: true, average_rating: 4.2, response_rate: 83, mention_reach: 23700}",
            "'reviews: true' must be",
        ),
        ("  2026-11: {", "  0202-11: {", "'0202-11' is not a month"),
        (
            "average_rating: {min: 4}",
            "average_rating: {min: 6}",
            "the target 'min: 6' of 'average_rating' must be between 0 and 5",
        ),
        ("reviews: {min: 10}", "reviews: {min: 10, max: 5}", "the target of 'reviews' can never be met"),
        ("reviews: {min: 10}", "reviews: {min: .nan}", "the target of 'reviews' must be numbers"),
        ("targets:\n", "targets: [reviews]\ntargeted:\n", "'targets' must be fields such as"),
    ],
)
def test_kpi_values_the_page_would_misstate_fail_check_on_their_line(cli, demo, old, new, words):
    """NaN, infinity, a count with a thousands separator (read 23.7) or a target off the scale once
    reached the page as 'nan', '24' or a target never met."""
    edit(demo, "status/kpis.yml", old, new)
    lines = (demo / "status/kpis.yml").read_text(encoding="utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if new.split("\n")[0] in text)
    result = cli("check", expect=1)
    errors = [problem for problem in result.stderr.splitlines() if ": warning: " not in problem]
    assert [e for e in errors if e.startswith(f"status/kpis.yml:{line}: ") and words in e and " — " in e], result.stderr
