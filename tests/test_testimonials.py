"""Testimonials: consent is required, personal data is refused, unpublished ones never appear."""

from __future__ import annotations

import re

import pytest

from balise.content.transparency import looks_like_initials, personal_data
from conftest import DEMO_NOW, edit, page, text_of

ONE = "content/testimonials/2026-09-24-usager-enquete.yml"


def errors(result):
    return [line for line in result.stderr.splitlines() if line and "warning:" not in line]


def test_a_testimonial_without_consent_fails_check(cli, demo):
    edit(
        demo,
        ONE,
        "consent:\n  date: 2026-09-24\n  how: online_form\n  reference: Enquête en ligne de septembre 2026, case d'accord cochée\n",
        "",
    )
    result = cli("check", expect=1)
    assert errors(result) == [
        f"{ONE}:1: no consent record — a testimonial is published only with the person's consent: "
        "add 'consent:' with 'date: 2026-11-21' and 'how: written_form' (or email, online_form, recorded_oral)"
    ]
    cli("build", expect=1)
    assert not (demo / "site").exists()


def test_consent_without_a_date_is_reported_on_its_line(cli, demo):
    edit(demo, ONE, "  date: 2026-09-24\n  how: online_form", "  how: online_form")
    result = cli("check", expect=1)
    assert re.match(rf"^{re.escape(ONE)}:\d+: missing 'date'", errors(result)[0]), result.stderr


@pytest.mark.parametrize(
    "inserted, what",
    [
        ("écrivez-moi à marie.dupont@example.fr", "an e-mail address (marie.dupont@example.fr)"),
        ("mon numéro : 06 12 34 56 78", "a phone number (06 12 34 56 78)"),
        ("appelez le +33 6 12 34 56 78", "a phone number (+33 6 12 34 56 78)"),
        ("ou le 01.99.00.42.42", "a phone number (01.99.00.42.42)"),
    ],
    ids=["email", "french-mobile", "international", "dotted"],
)
def test_personal_data_in_a_quote_fails_check_on_its_line(cli, demo, inserted, what):
    edit(demo, ONE, "comme tout le monde,", f"comme tout le monde, {inserted},")
    result = cli("check", expect=1)
    lines = (demo / ONE).read_text(encoding="utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if inserted in text)
    assert errors(result) == [
        f"{ONE}:{line}: the quote contains {what} — personal data must not be published: "
        "remove it or replace it with words such as « par courriel » / « by phone »"
    ]


def test_personal_data_detection():
    assert personal_data("contact : a.b+c@relais.example.org.") == [("email", "a.b+c@relais.example.org")]
    assert personal_data("0612345678 et 06-12-34-56-78") == [("phone", "0612345678"), ("phone", "06-12-34-56-78")]
    assert personal_data("+33 (0)6 12 34 56 78") == [("phone", "+33 (0)6 12 34 56 78")]
    assert personal_data("0033 1 99 00 42 42") == [("phone", "0033 1 99 00 42 42")]
    assert personal_data("+44 20 7946 0958") == [("phone", "+44 20 7946 0958")]
    # not personal data: dates, amounts, years, quarters
    assert personal_data("Le 2026-11-21, 12 000 € pour 350 familles en 2025, T4 2026, 9 h 30.") == []


def test_initials_must_look_like_initials(cli, demo):
    assert looks_like_initials("M. L.") and looks_like_initials("J.-P. D.") and looks_like_initials("KA")
    assert not looks_like_initials("Karim Alaoui")
    assert not looks_like_initials("Marie") and not looks_like_initials("marie")  # a first name is not initials
    edit(demo, ONE, 'attribution: {initials: "K. A."}', 'attribution: {initials: "Karim Alaoui"}')
    result = cli("check", expect=1)
    assert errors(result)[0].startswith(f"{ONE}:3: 'Karim Alaoui' does not look like initials")  # line of attribution:


def test_consent_cannot_be_dated_in_the_future(cli, demo):
    edit(demo, ONE, "consent:\n  date: 2026-09-24", "consent:\n  date: 2099-09-24")
    result = cli("check", expect=1)
    assert re.match(rf"^{re.escape(ONE)}:\d+: consent given on 2099-09-24, a date still to come", errors(result)[0])


def test_unpublished_testimonials_never_reach_any_output(cli, demo, at_time):
    at_time(DEMO_NOW)
    cli("build")
    hidden = "mon fils a repris confiance"
    for path in (demo / "site").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt", ".ics", ".js"):
            assert hidden not in path.read_text(encoding="utf-8", errors="replace"), path
    assert not list((demo / "site").rglob("testimonials"))  # the data folder is not copied
    figures = page(demo / "site", "transparency/").select("figure.testimonial")
    assert len(figures) == 11


def test_add_writes_a_valid_testimonial_and_prints_its_path(cli, demo, at_time):
    result = cli(
        "testimonial",
        "add",
        "--quote",
        "Merci pour votre aide.\n\nJe recommande <b>vivement</b> le Relais !",
        "--attribution",
        "initials:S. M.",
        "--relationship",
        "beneficiary",
        "--source",
        "letter",
        "--date",
        "2026-11-02",
        "--consent-date",
        "2026-11-05",
        "--consent-how",
        "e-mail",
        "--context",
        "aidée pendant l'hiver",
    )
    path = result.stdout.strip()
    assert path == "content/testimonials/2026-11-02-beneficiary-s-m.yml"
    text = (demo / path).read_text(encoding="utf-8")
    assert 'consent:\n  date: 2026-11-05\n  how: "e-mail"' in text
    cli("check")
    at_time(DEMO_NOW)
    cli("build")
    figure = page(demo / "site", "transparency/").select_one("#testimonial-2026-11-02-beneficiary-s-m")
    quote = figure.select_one("blockquote")
    assert [text_of(p) for p in quote.select("p")] == [
        "Merci pour votre aide.",
        "Je recommande <b>vivement</b> le Relais !",
    ]
    assert quote.find("b") is None  # shown as text, never as markup
    caption = " ".join(figure.select_one("figcaption").get_text().split())
    assert (
        caption
        == "S. M., bénéficiaire — aidée pendant l'hiver Courrier, 2 novembre 2026 · accord donné le 5 novembre 2026"
    )


def test_add_refuses_without_consent_and_writes_nothing(cli, demo):
    before = sorted((demo / "content/testimonials").iterdir())
    result = cli(
        "testimonial",
        "add",
        "--quote",
        "Super",
        "--attribution",
        "anonymous",
        "--relationship",
        "partner",
        "--source",
        "email",
        expect=1,
    )
    assert "refusing to write" in result.stderr and "--consent-date" in result.stderr
    result = cli(
        "testimonial",
        "add",
        "--quote",
        "Écrivez à jo@example.org",
        "--attribution",
        "anonymous",
        "--relationship",
        "partner",
        "--source",
        "email",
        "--consent-date",
        "2026-11-01",
        "--consent-how",
        "email",
        expect=1,
    )
    assert "refusing to write" in result.stderr and "e-mail address" in result.stderr
    assert sorted((demo / "content/testimonials").iterdir()) == before


def test_a_quote_is_escaped_not_interpreted(cli, demo, at_time):
    edit(demo, ONE, "La carte solidaire", '<img src=x onerror="alert(1)"><script>alert(2)</script> La carte solidaire')
    cli("check")
    at_time(DEMO_NOW)
    cli("build")
    main = page(demo / "site", "transparency/").select_one("main")
    assert main.find_all(["img", "script"]) == []
    assert "<script>alert(2)</script> La carte solidaire" in text_of(main)


def test_the_readme_examples_are_valid(cli, demo):
    from test_readme import readme_block

    (demo / "content/testimonials/2026-09-24-readme.yml").write_text(
        readme_block("yaml", "### Testimonials"), encoding="utf-8"
    )
    (demo / "status/kpis.yml").write_text(readme_block("yaml", "### KPIs"), encoding="utf-8")
    cli("check")


@pytest.mark.parametrize(
    "consent, moment, accepted",
    [
        ("2026-11-23", "2026-11-22T23:30:00+00:00", True),  # already 23 November in Paris
        ("2026-11-23", "2026-11-22T22:30:00+00:00", False),  # still 22 November there
        ("2099-09-24", "2099-12-01T12:00:00+00:00", True),  # a build dated later accepts it, whatever the clock says
    ],
)
def test_consent_is_judged_by_the_builds_reference_time_not_the_clock(cli, demo, at_time, consent, moment, accepted):
    from datetime import datetime

    edit(demo, ONE, "consent:\n  date: 2026-09-24", f"consent:\n  date: {consent}")
    at_time(datetime.fromisoformat(moment))
    result = cli("build", expect=0 if accepted else 1)
    if not accepted:
        assert re.match(rf"^{re.escape(ONE)}:\d+: consent given on {consent}, a date still to come", errors(result)[0])


def test_an_old_commit_with_a_late_consent_still_fails_on_a_later_day(tmp_path, monkeypatch):
    """Built from git, consent is judged as of the commit: the same commit fails (or builds) on any day."""
    from conftest import Cli, copy_demo, without_as_of
    from gitrepo import commit_all, init_repo

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    origin = init_repo(without_as_of(copy_demo(tmp_path / "origin")))
    edit(origin, ONE, "consent:\n  date: 2026-09-24", "consent:\n  date: 2026-11-25")
    commit_all(origin, "A consent dated three days after the commit", "2026-11-22T11:00:00+01:00")
    result = Cli(origin)("build", expect=1)
    assert re.match(rf"^{re.escape(ONE)}:\d+: consent given on 2026-11-25, a date still to come", errors(result)[0])


def test_add_judges_a_future_consent_by_the_pinned_time(cli, demo, at_time):
    at_time(DEMO_NOW)  # 22 November 2026: the 23rd has not come yet, whatever the clock says
    before = sorted((demo / "content/testimonials").iterdir())
    result = cli(
        "testimonial",
        "add",
        "--quote",
        "Merci",
        "--attribution",
        "anonymous",
        "--relationship",
        "partner",
        "--source",
        "email",
        "--date",
        "2026-11-20",
        "--consent-date",
        "2026-11-23",
        "--consent-how",
        "email",
        expect=1,
    )
    assert "consent given on 2026-11-23, a date still to come" in result.stderr
    assert sorted((demo / "content/testimonials").iterdir()) == before


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("date: 2026-09-24\nsource", "date: 0026-09-24\nsource", "'date: 0026-09-24': the year 26 is not plausible"),
        ("date: 2026-09-24\nsource", "date: 2026-02-30\nsource", "'date: 2026-02-30' is not a date"),
        (
            "language: fr\n",
            "language: fr\nsource_url: https://[avis.example.org/1\n",
            "'source_url' is not a web address",
        ),
    ],
)
def test_dates_and_addresses_the_page_shows_are_checked(cli, demo, old, new, words):
    edit(demo, ONE, old, new)
    line = (demo / ONE).read_text(encoding="utf-8").split("\n").index(
        new.split("\n")[-2] if new.endswith("\n") else new.split("\n")[0]
    ) + 1
    result = cli("check", expect=1)
    assert errors(result) and errors(result)[0].startswith(f"{ONE}:{line}: ") and words in errors(result)[0], (
        result.stderr
    )
