"""Slips at the command line: each refused with one line naming the option and the fix, nothing written."""

from __future__ import annotations

import pytest

from conftest import Cli, copy_demo

OPEN_INCIDENT = "2026-11-22-prise-de-rendez-vous-indisponible"
NEW = ["new", "--impact", "minor", "--component", "paiements"]


def files(demo):
    return {p: p.read_bytes() for p in demo.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "args, message",
    [
        (
            NEW + ["--title", "🔥🔥", "--message", "m"],
            "Invalid value for --title: '🔥🔥' has no letter or digit — say what is happening, e.g. \"Paiements en "
            "ligne indisponibles\" (it also names the incident's page)",
        ),
        (
            NEW + ["--title", "Panne", "--message", "Nous cherchons.\n\n## 2026-11-22 17:00 +01:00 — resolved\n\nfaux"],
            "Invalid value for --message: line 3 ('## 2026-11-22 17:00 +01:00 — resolved') is a heading, which would "
            "start another update or a postmortem — write it without the '##', or post it with its own balise update",
        ),
        (
            ["update", OPEN_INCIDENT, "--status", "monitoring", "--message", "Bilan :\n## Postmortem\nà venir"],
            "Invalid value for --message: line 2 ('## Postmortem') is a heading, which would start another update or "
            "a postmortem — write it without the '##', or post it with its own balise update",
        ),
        (
            NEW + ["--title", "Panne", "--message", "m", "--next-update", "+99999999h"],
            "Invalid value for --next-update: '+99999999h' is too far from today — check it",
        ),
        (
            NEW + ["--title", "Panne", "--message", "m", "--at", "0001-01-01 00:30"],
            "Invalid value for --at: '0001-01-01 00:30': the year 1 is not plausible — check the date",
        ),
        (
            [
                "new",
                "--template",
                "panne-de-service",
                "--component",
                "paiements",
                "--set",
                "service=",
                "--set",
                "depuis=x",
            ],
            "Invalid value for --set: 'service=' gives service no value — write the words that go there, or leave out "
            "--set service=… to keep the file a draft",
        ),
    ],
)
def test_a_slip_is_one_line_and_writes_nothing(tmp_path, args, message):
    demo = copy_demo(tmp_path / "demo")
    before = files(demo)
    result = Cli(demo)(*args, expect=2)
    assert result.stderr.strip().splitlines()[-1] == f"Error: {message}"
    assert files(demo) == before


def test_an_update_dated_decades_ahead_is_refused_before_it_is_written(tmp_path):
    """The build would refuse it (and every update after it would look out of order): the CLI says
    so when it is typed, not on the next command."""
    demo = copy_demo(tmp_path / "demo")
    cli = Cli(demo)
    before = files(demo)
    result = cli(
        "update", OPEN_INCIDENT, "--status", "monitoring", "--message", "a", "--at", "2062-11-23 10:00", expect=1
    )
    assert "refusing to write: this update is dated 2062-11-23 10:00 +01:00" in result.stderr, result.stderr
    assert "check the year, month, day and hour" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert files(demo) == before
    cli("update", OPEN_INCIDENT, "--status", "monitoring", "--message", "b")  # the next update is not blocked


@pytest.mark.parametrize("value", ["", "abc", "1e9", "99999999999999"])
def test_a_source_date_epoch_that_is_not_a_time_is_one_line(tmp_path, monkeypatch, value):
    demo = copy_demo(tmp_path / "demo")
    before = files(demo)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    testimonial = ["testimonial", "add", "--quote", "Merci", "--attribution", "anonymous", "--relationship"]
    testimonial += ["partner", "--source", "email", "--consent-date", "2026-11-01", "--consent-how", "email"]
    # ingest and testimonial read it as build and check do (`content.version`): never a feed read with the clock
    for command in (["build"], ["check"], testimonial, ["ingest", "http://127.0.0.1:9/feed.xml", "--dry-run"]):
        result = Cli(demo)(*command, expect=1)
        assert result.stderr.strip() == (
            f"Error: SOURCE_DATE_EPOCH={value!r} is not a time — set it to seconds since 1970, e.g. "
            "SOURCE_DATE_EPOCH=$(date +%s), or unset it"
        ), command
    assert files(demo) == before


def test_init_quotes_a_name_yaml_would_misread_and_its_site_builds(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795865400")
    Cli(tmp_path)("init", "asso", "--name", "Le Relais : antenne Nord #1")
    site = tmp_path / "asso"
    Cli(site)("check")
    Cli(site)("build")
    assert "<title>Le Relais : antenne Nord #1</title>" in (site / "site/index.html").read_text(encoding="utf-8")
    assert (site / "incidents/README.md").is_file()  # so that git keeps the folder, and CI finds it


@pytest.mark.parametrize(
    "args, message",
    [
        (["init", "d"], "Error: d/status: is a file where balise init makes a folder — move it away first"),
        (
            ["init", "x", "--timezone", "Mars/Olympus"],
            "Error: Invalid value for --timezone: unknown time zone 'Mars/Olympus' — use an IANA name such as Europe/Paris",
        ),
    ],
)
def test_init_refuses_before_writing_anything(tmp_path, args, message):
    (tmp_path / "d").mkdir()
    (tmp_path / "d/status").write_text("", encoding="utf-8")
    result = Cli(tmp_path)(*args, expect=1 if args == ["init", "d"] else 2)
    assert result.stderr.strip().splitlines()[-1] == message
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["d", "d/status"]


def test_a_missing_incidents_folder_is_an_error_not_an_all_clear(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    config = demo / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "      timezone: Europe/Paris\n", "      timezone: Europe/Paris\n      incidents_dir: incident\n"
        ),
        encoding="utf-8",
    )
    for command in ("check", "build"):
        result = Cli(demo)(command, expect=1)
        assert result.stderr.strip() == (
            "incident:1: no such folder — it holds the incident files: create it, or fix incidents_dir in mkdocs.yml"
        )


@pytest.mark.parametrize(
    "option, value", [("--date", "2026-11-05 # x"), ("--consent-date", "2026-11-01\npublished: true")]
)
def test_testimonial_dates_are_dates(tmp_path, option, value):
    demo = copy_demo(tmp_path / "demo")
    before = files(demo)
    args = {"--date": "2026-11-05", "--consent-date": "2026-11-01", option: value}
    result = Cli(demo)(
        "testimonial",
        "add",
        "--quote",
        "Merci.",
        "--attribution",
        "anonymous",
        "--relationship",
        "client",
        "--source",
        "survey",
        "--consent-how",
        "email",
        "--date",
        args["--date"],
        "--consent-date",
        args["--consent-date"],
        expect=2,
    )
    shown = value.replace("\n", "\\n")
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for {option}: '{shown}' is not a date — write it as YYYY-MM-DD, e.g. 2026-11-05"
    )
    assert files(demo) == before


def test_delays_count_elapsed_time_across_the_clocks_going_back(tmp_path):
    """02:30 CEST plus one hour is 02:30 CET on 25 October 2026, not 03:30 (two hours later)."""
    demo = copy_demo(tmp_path / "demo")
    Cli(demo)(*NEW, "--title", "Nuit", "--message", "m", "--at", "2026-10-25 02:30 +02:00", "--next-update", "+1h")
    text = (demo / "incidents/2026-10-25-nuit.md").read_text(encoding="utf-8")
    assert "## 2026-10-25 02:30 +02:00 — investigating" in text and "Next update: 2026-10-25 02:30 +01:00" in text


def test_a_maintenance_window_may_end_a_delay_after_its_start(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    Cli(demo)(
        "new",
        "--kind",
        "maintenance",
        "--title",
        "Mise à jour",
        "--component",
        "paiements",
        "--message",
        "m",
        "--at",
        "2026-11-22 10:00",
        "--starts",
        "2026-12-01 22:00",
        "--ends",
        "+3h",
    )
    text = (demo / "incidents/2026-11-22-mise-a-jour.md").read_text(encoding="utf-8")
    assert "scheduled_for: 2026-12-01 22:00 +01:00" in text and "scheduled_until: 2026-12-02 01:00 +01:00" in text


# -- `balise new` run twice for the same incident -------------------------------------------------------
def test_rerunning_new_for_a_draft_says_how_to_complete_it_and_writes_nothing(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    cli = Cli(demo)
    args = [
        "new",
        "--template",
        "panne-de-service",
        "--component",
        "paiements",
        "--at",
        "2026-11-22 13:00",
        "--set",
        "service=Le don en ligne",
    ]
    path = cli(*args).stdout.strip()
    assert path == "incidents/2026-11-22-le-don-en-ligne-service-indisponible.md"
    before = files(demo)
    result = cli(*args, "--set", "depuis=12 h 40", expect=1)
    assert result.stderr.strip() == (
        f"Error: {path} is already a draft of this incident — fill {{{{ depuis }}}}, {{{{ solution_de_secours }}}} "
        "in it, then remove 'draft: true' to publish it (later news: balise update "
        "2026-11-22-le-don-en-ligne-service-indisponible …); nothing was written (--force writes a second file)"
    )
    assert files(demo) == before


def test_rerunning_new_for_a_published_incident_points_to_update_and_force_writes_a_second(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    cli = Cli(demo)
    args = [*NEW, "--title", "Paiements lents", "--message", "Nous cherchons.", "--at", "2026-11-22 13:00"]
    cli(*args)
    before = files(demo)
    result = cli(*args, expect=1)
    assert result.stderr.strip() == (
        "Error: incidents/2026-11-22-paiements-lents.md already has this title and day — post news to it: "
        "balise update 2026-11-22-paiements-lents --status … --message …; nothing was written (--force writes "
        "a second file)"
    )
    assert files(demo) == before
    assert cli(*args, "--force").stdout.strip() == "incidents/2026-11-22-paiements-lents-2.md"
    cli("new", *args[1:], "--at", "2026-11-23 08:00")  # another day: another incident, no question asked


# -- an incident named the way a writer has it at hand ----------------------------------------------------
@pytest.mark.parametrize(
    "named",
    [
        f"incidents/{OPEN_INCIDENT}.md",  # tab completion
        f"{OPEN_INCIDENT}.md",
        OPEN_INCIDENT,
        "2026-11-22-prise",  # a prefix
        "rendez-vous",  # a part of its name
    ],
)
def test_an_incident_is_found_by_its_path_its_file_or_a_unique_part(tmp_path, named):
    demo = copy_demo(tmp_path / "demo")
    result = Cli(demo)("update", named, "--status", "monitoring", "--message", "Retour.", "--at", "2026-11-22 12:10")
    assert result.stdout.strip() == f"incidents/{OPEN_INCIDENT}.md"
    assert "## 2026-11-22 12:10 +01:00 — monitoring" in (demo / result.stdout.strip()).read_text(encoding="utf-8")


def test_an_ambiguous_part_lists_the_candidates(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    Cli(demo)(*NEW, "--title", "Rendez-vous perdus", "--message", "m", "--at", "2026-11-22 12:00")
    before = files(demo)
    result = Cli(demo)("update", "rendez-vous", "--status", "monitoring", "--message", "m", expect=2)
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for ID: 'rendez-vous' could be 2026-11-22-prise-de-rendez-vous-indisponible, "
        "2026-11-22-rendez-vous-perdus — give more of the name"
    )
    assert files(demo) == before
    unknown = Cli(demo)("resolve", "cantine", "--message", "m", expect=2)
    assert (
        unknown.stderr.strip()
        .splitlines()[-1]
        .startswith("Error: Invalid value for ID: no incident 'cantine' in incidents — ")
    )


# -- the clocks changing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "option, value, message",
    [
        (
            "--at",
            "2027-03-28 02:30",
            "'2027-03-28 02:30' does not exist in Europe/Paris: the clocks go forward that night, past it — give "
            "'2027-03-28 01:30 +01:00' (before the change) or '2027-03-28 03:30 +02:00' (after it)",
        ),
        (
            "--next-update",
            "2026-10-25T02:30",
            "'2026-10-25T02:30' happens twice in Europe/Paris (the clocks go back that night) — write it with its "
            "offset: '2026-10-25 02:30 +02:00' (the first time) or '2026-10-25 02:30 +01:00' (the second)",
        ),
    ],
)
def test_a_time_the_clocks_skip_or_repeat_is_refused(tmp_path, option, value, message):
    demo = copy_demo(tmp_path / "demo")
    before = files(demo)
    at = [] if option == "--at" else ["--at", "2026-10-25 01:00"]
    result = Cli(demo)(*NEW, "--title", "Nuit", "--message", "m", *at, option, value, expect=2)
    assert result.stderr.strip().splitlines()[-1] == f"Error: Invalid value for {option}: {message}"
    assert files(demo) == before


def test_a_time_with_its_offset_is_taken_as_written_on_the_night_the_clocks_go_back(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    Cli(demo)(*NEW, "--title", "Nuit", "--message", "m", "--at", "2026-10-25 02:30 +01:00")
    assert "## 2026-10-25 02:30 +01:00 — investigating" in (demo / "incidents/2026-10-25-nuit.md").read_text(
        encoding="utf-8"
    )


# -- options read as the file check reads the same fields ------------------------------------------------
def _file_check_says(demo, old: str, new: str) -> str:
    """The message `balise check` gives once `old` is replaced by `new` in the open incident's file."""
    from conftest import edit

    edit(demo, f"incidents/{OPEN_INCIDENT}.md", old, new)
    result = Cli(demo)("check", expect=1)
    line = next(line for line in result.stderr.splitlines() if line.startswith(f"incidents/{OPEN_INCIDENT}.md:"))
    return line.split(": ", 1)[1]


@pytest.mark.parametrize(
    "option, value, field",
    [
        ("--impact", "majeur", "impact: major"),
        ("--impact", "Critical!", "impact: major"),
        ("--kind", "maintenanse", "kind: incident"),
    ],
)
def test_new_options_get_the_file_checks_hint(tmp_path, option, value, field):
    demo = copy_demo(tmp_path / "demo")
    args = {"--impact": "minor", "--kind": "incident", option: value}
    result = Cli(demo)(
        "new",
        "--title",
        "Panne",
        "--message",
        "m",
        "--component",
        "paiements",
        "--impact",
        args["--impact"],
        "--kind",
        args["--kind"],
        expect=2,
    )
    said = result.stderr.strip().splitlines()[-1]
    assert said == f"Error: Invalid value for {option}: " + _file_check_says(
        demo, field, f"{field.split(':')[0]}: {value}"
    )


def test_update_status_gets_the_file_checks_hint_and_words(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    heading = "## 2026-11-22 09:30 +01:00 — identified"
    for wrong in ("resolvd", "scheduled"):  # a slip; a status of another kind
        result = Cli(demo)("update", OPEN_INCIDENT, "--status", wrong, "--message", "m", expect=2)
        said = result.stderr.strip().splitlines()[-1]
        fresh = copy_demo(tmp_path / f"fresh-{wrong}")
        assert said == "Error: Invalid value for --status: " + _file_check_says(
            fresh, heading, heading.replace("identified", wrong)
        )
    written = Cli(demo)(
        "update", OPEN_INCIDENT, "--status", "Sous surveillance", "--message", "m", "--at", "2026-11-22 12:10"
    )
    assert "## 2026-11-22 12:10 +01:00 — monitoring" in (demo / written.stdout.strip()).read_text(encoding="utf-8")


def test_at_a_terminal_a_second_file_is_asked_for_not_refused(tmp_path):
    """A person at a terminal may answer the question; 'no' (the default) writes nothing."""
    import os
    import pty
    import subprocess
    import sys

    demo = copy_demo(tmp_path / "demo")
    args = [*NEW, "--title", "Paiements lents", "--message", "Nous cherchons.", "--at", "2026-11-22 13:00"]
    Cli(demo)(*args)

    def answer(reply: str) -> str:
        main_end, terminal = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "balise", *args], cwd=demo, stdin=terminal, stdout=subprocess.PIPE, stderr=terminal
        )
        os.close(terminal)
        os.write(main_end, reply.encode() + b"\n")
        try:
            out, _ = process.communicate(timeout=60)
        finally:
            process.kill()
            os.close(main_end)
        return out.decode().strip()

    assert answer("") == "" and not (demo / "incidents/2026-11-22-paiements-lents-2.md").exists()
    assert answer("y") == "incidents/2026-11-22-paiements-lents-2.md"


@pytest.mark.parametrize("value", ["1795865400", "+1795865400"])
def test_a_testimonial_is_dated_by_source_date_epoch_as_the_build_reads_it(cli, demo, monkeypatch, value):
    """`testimonial add` reads SOURCE_DATE_EPOCH through `content.version`, as `build` and `check` do:
    every value they accept dates it, none falls back to the clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)  # 2026-11-28 in Paris
    result = cli(
        "testimonial", "add", "--quote", "Merci", "--attribution", "anonymous", "--relationship", "partner",
        "--source", "email", "--consent-date", "2026-11-20", "--consent-how", "email",
    )  # fmt: skip
    assert result.stdout.strip() == "content/testimonials/2026-11-28-partner-anonyme.yml"
    assert "\ndate: 2026-11-28\n" in (demo / result.stdout.strip()).read_text(encoding="utf-8")
