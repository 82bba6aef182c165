"""The /transparency/ page: linked from home and navigation, its four sections, French and English."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import DEMO_NOW, REPO, edit, page, text_of

VNU = REPO / "tests/tools/node_modules/vnu-jar/build/dist/vnu.jar"


@pytest.fixture
def built(built_at):
    return built_at(DEMO_NOW)


def test_linked_from_the_home_page_and_the_navigation(built):
    home = page(built)
    nav = [(text_of(a), a["href"]) for a in home.select("header nav a")]
    assert ("Transparence", "transparency/") in nav
    assert home.select_one("main a[href='transparency/']") is not None
    mine = page(built, "transparency/")
    current = mine.select_one("header nav a[aria-current=page]")
    assert text_of(current) == "Transparence"


def test_sections_and_testimonials_as_quotations(built):
    doc = page(built, "transparency/")
    assert text_of(doc.select_one("h1")) == "Transparence"
    assert [text_of(h) for h in doc.select("main h2")] == [
        "Nos engagements, chiffres à l'appui",
        "Disponibilité mesurée",
        "Indicateurs de réputation",
        "Ce qui se dit de nous",
        "Témoignages",
    ]
    figures = doc.select("figure.testimonial")
    assert len(figures) == 11
    for figure in figures:
        assert [child.name for child in figure.find_all(recursive=False)] == ["blockquote", "figcaption"]
    # newest first; anonymous ones say so; another language is marked for screen readers
    first = figures[0]
    assert text_of(first.select_one(".author")) == "Awa Diallo"
    assert any(text_of(f.select_one(".author")) == "Anonyme" for f in figures)
    english = [f for f in figures if f.blockquote.get("lang") == "en"]
    assert len(english) == 1 and "homework" in text_of(english[0].blockquote)


def test_monitoring_section_shows_counts_spike_and_reviewed_items(built):
    doc = page(built, "transparency/")
    table = doc.select_one("table.monitoring")
    assert text_of(table.caption).startswith("Éléments reçus par semaine")
    rows = table.select("tbody tr")
    assert len(rows) == 8
    spike = [r for r in rows if "spike" in (r.get("class") or [])]
    assert len(spike) == 1
    assert text_of(spike[0].th) == "semaine du 26 octobre 2026 Pic"  # in words, not colour alone
    assert text_of(spike[0].select("td")[-1]) == "61"
    assert "semaine du 26 octobre 2026 : 61 éléments" in text_of(doc.select_one("ul.spikes"))
    items = doc.select("ul.mentions li")
    assert len(items) == 10
    assert all(a["rel"] == ["nofollow", "noopener", "noreferrer", "ugc"] for a in doc.select("ul.mentions a"))
    assert "masqué" not in text_of(doc.select_one("main"))  # hidden by a reviewer: counted, not shown
    assert "juin 2026" in text_of(doc.select_one("p.note"))


def test_the_english_site(cli, demo, at_time):
    config = demo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: fr", "language: en"), encoding="utf-8")
    at_time(DEMO_NOW)
    cli("build")
    doc = page(demo / "site", "transparency/")
    assert doc.html["lang"] == "en"
    assert [text_of(h) for h in doc.select("main h2")] == [
        "Our commitments, in figures",
        "Measured uptime",
        "Reputation indicators",
        "What is said about us",
        "Testimonials",
    ]
    assert text_of(doc.select_one('tr[data-quarter="2025-Q4"] th')) == "Q4 2025"
    assert text_of(doc.select_one('tr[data-kpi="average_rating"] .met')) == "Met"
    assert ("Transparency", "transparency/") in [
        (text_of(a), a["href"]) for a in page(demo / "site").select("header nav a")
    ]
    # the French quotes stay French and are marked as such
    langs = [f.blockquote.get("lang") for f in doc.select("figure.testimonial")]
    assert langs.count("fr") == 10 and None in langs  # the English one needs no lang on an English page


def test_an_empty_site_still_has_an_honest_page(tmp_path):
    from conftest import Cli

    Cli(tmp_path)("init", "site", "--language", "fr", "--name", "Asso")
    Cli(tmp_path / "site")("build")
    doc = page(tmp_path / "site/site", "transparency/")
    text = text_of(doc.select_one("main"))
    for sentence in (
        "Aucun incident publié",
        "Aucun indicateur publié",
        "Aucun résumé de veille",
        "Aucun témoignage publié",
    ):
        assert sentence in text


def test_builds_are_deterministic(cli, demo, at_time, built):
    first = (built / "transparency/index.html").read_bytes()
    shutil.rmtree(built)
    cli("build")
    assert (built / "transparency/index.html").read_bytes() == first


@pytest.mark.skipif(not VNU.exists() or shutil.which("java") is None, reason="the Nu HTML Checker is not installed")
def test_the_page_is_valid_html(built):
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", str(built / "transparency/index.html")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


SPIKE = '  - {period: "2026-W44", source: all, count: 61, baseline: 19.5, factor: 2}'
OCTOBER = "status/monitoring/2026-10.yml"


@pytest.mark.parametrize(
    "old, new, words",
    [
        ('"2026-W44"', '"2026-11"', "'period: 2026-11' is not a period — write an ISO week such as 2026-W44 or a day"),
        ('"2026-W44"', '"2026-W60"', "'period: 2026-W60': 2026 has weeks W01 to W53 — check the week's number"),
        ('"2026-W44"', '"2027-W53"', "2027 has weeks W01 to W52"),
        ('"2026-W44"', '"semaine 44"', "'period: semaine 44' is not a period"),
        ('"2026-W44"', '"2026-10-32"', "'period: 2026-10-32' is not a period"),
        (
            '"2026-W44"',
            '"2026-W45"',
            "the spike of 2026-W45 belongs in 2026-11.yml (a week is in the month of its Thursday)",
        ),
        ("count: 61", "count: .inf", "'count: inf' must be a whole number ≥ 0"),
        ("count: 61", "count: 61.5", "'count: 61.5' must be a whole number ≥ 0"),
        ("count: 61", "count: 12", "a spike of 12 is not above its baseline of 19.5"),
        ("baseline: 19.5", "baseline: -2", "'baseline: -2' must be a number ≥ 0"),
        ("baseline: 19.5", "baseline: .nan", "'baseline: nan' must be a number ≥ 0"),
        ("factor: 2", "factor: 0", "'factor: 0' must be a number above 0"),
        ("source: all", "source: alertes-gogle", "unknown source 'alertes-gogle' — write 'all'"),
    ],
)
def test_a_spike_the_page_cannot_show_fails_check_on_its_line(cli, demo, at_time, old, new, words):
    """A spike that passed `check` once crashed `build` (a week 60, a month as period): each value is
    now checked where it is written, and the build stops with the same line."""
    edit(demo, OCTOBER, SPIKE, SPIKE.replace(old, new))
    line = (demo / OCTOBER).read_text(encoding="utf-8").split("\n").index(SPIKE.replace(old, new)) + 1
    result = cli("check", expect=1)
    errors = [problem for problem in result.stderr.splitlines() if ": warning: " not in problem]
    assert len(errors) == 1 and errors[0].startswith(f"{OCTOBER}:{line}: ") and words in errors[0], result.stderr
    if "period" in words:  # the reported crash: the build says the same, and writes nothing
        at_time(DEMO_NOW)
        assert words in cli("build", expect=1).stderr
        assert not (demo / "site").exists()


def test_a_day_is_a_period_too(built_at, demo):
    edit(demo, OCTOBER, SPIKE, '  - {period: "2026-10-27", source: all, count: 30, baseline: 4, factor: 2}')
    doc = page(built_at(DEMO_NOW), "transparency/")
    assert "27 octobre 2026 : 30 éléments" in text_of(doc.select_one("ul.spikes"))


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("spikes:\n" + SPIKE, "spikes: 2026-W44", "'spikes' must be a list of"),
        ("sources:\n", "sources: [alertes-google]\nsourced:\n", "'sources' must be fields such as"),
        ("counts:\n", "counts: [1, 2]\ncounted:\n", "'counts' must be fields such as"),
        (
            "2026-10-02: {alertes-google: 1",
            "2026-10-02: {alertes-google: -1",
            "'alertes-google: -1' must be a whole number ≥ 0",
        ),
        ('url: "https://www.google.com', 'url: "https://[www.google.com', "'url' is not a web address"),
    ],
)
def test_a_monitoring_summary_of_the_wrong_shape_fails_check(cli, demo, old, new, words):
    edit(demo, OCTOBER, old, new)
    result = cli("check", expect=1)
    assert words in result.stderr and result.stderr.startswith(f"{OCTOBER}:")
