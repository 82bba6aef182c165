"""The `balise` command itself: thin, and quick to answer. Its group imports a command's module
only when that command runs, so `balise --help` and `balise new` never wait for the build's code."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner

from balise.cli.main import COMMANDS, main
from balise.content.playbooks import Playbook, opening
from balise.i18n import Translator

CLI = Path(__file__).resolve().parents[1] / "balise" / "cli"


def loaded(name: str) -> click.Command:
    command = main.get_command(click.Context(main), name)
    assert command is not None, name
    return command


def test_the_list_of_commands_is_the_commands_own():
    """`balise --help` lists the commands without importing them: its list must read as click would
    write it from the commands themselves."""
    eager = click.Group(
        "balise",
        commands={name: loaded(name) for name in COMMANDS},
        params=main.params,
        help=main.help,
        context_settings=main.context_settings,
    )
    for width in (60, 80, 200):
        lazy_help = CliRunner().invoke(main, ["--help"], prog_name="balise", terminal_width=width).stdout
        eager_help = CliRunner().invoke(eager, ["--help"], prog_name="balise", terminal_width=width).stdout
        assert lazy_help == eager_help
    for name, (_, summary) in COMMANDS.items():
        assert (loaded(name).help or "").split("\n\n")[0] == summary, name


def imported_by(*args: str) -> set[str]:
    """The modules a fresh interpreter has imported once `balise ARGS` is done."""
    script = (
        "import sys\nfrom balise.cli.main import main\n"
        f"try:\n    main({list(args)!r}, prog_name='balise')\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_help_imports_no_command():
    modules = imported_by("--help")
    assert not {m for m in modules if m.startswith(("mkdocs", "balise.cli.", "balise.content"))} - {"balise.cli.main"}


def test_a_command_imports_its_own_module_only():
    modules = imported_by("new", "--help")
    assert "balise.cli.writing" in modules
    assert not {"balise.cli.site", "balise.mkdocs_adapter.build", "balise.mkdocs_adapter.serve"} & modules
    assert not {"balise.cli.transparency", "balise.transparency.ingest", "balise.cli.reading"} & modules


def test_the_program_ends_as_soon_as_a_build_is_done_and_other_commands_as_usual(tmp_path):
    """`balise build` ends its process without tearing it down (nothing left to free object by
    object), having said what it built; any other command ends as Python ends (exit handlers run)."""
    from conftest import copy_demo

    root = copy_demo(tmp_path / "demo")
    script = (
        "import atexit, sys\natexit.register(print, 'torn down')\n"
        "from balise.cli.main import run\nsys.argv[0] = 'balise'\nrun()"
    )
    environment = {**os.environ, "BALISE_CACHE_DIR": str(tmp_path / "cache")}

    def program(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, *args], cwd=root, env=environment, capture_output=True, text=True
        )

    for _ in range(2):  # with MkDocs, then without (`pipeline.unchanged`)
        built = program("build")
        assert built.returncode == 0, built.stderr
        assert "Site built in" in built.stderr and "torn down" not in built.stdout
    checked = program("check")
    assert checked.returncode == 0 and "torn down" in checked.stdout


def test_an_unknown_command_is_answered_with_the_nearest_name(tmp_path):
    result = CliRunner().invoke(main, ["buil"], prog_name="balise")
    assert result.exit_code == 2
    assert "No such command 'buil'. Did you mean 'build'?" in result.stderr


def test_the_cli_imports_at_the_top_of_its_modules():
    """But in one place, `context.Site`: the MkDocs adapter, which a build that needs no MkDocs never imports."""
    nested = [
        f"{path.name}:{node.lineno}"
        for path in sorted(CLI.glob("*.py"))
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(function)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and not (
            path.name == "context.py"
            and isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("balise.mkdocs_adapter.")
        )
    ]
    assert not nested, "imports inside functions: " + ", ".join(nested)


PARIS = ZoneInfo("Europe/Paris")
PLAYBOOK = Playbook(
    name="panne",
    language="fr",
    path=Path("content/playbooks/panne.fr.md"),
    description="Une panne",
    title="{{ service }} indisponible",
    kind="incident",
    impact="major",
    status="investigating",
    components=["paiements"],
    spokesperson="{{ porte_parole }}",
    next_update=timedelta(hours=1),
    message="Depuis {{ heure }}, {{ service }} est indisponible. Prochain point {{ prochaine_mise_a_jour }}.",
)


def opened(**given):
    """The playbook opened with nothing given but `given`, at 02:30 on the night the clocks go back."""
    nothing = {"title": None, "message": None, "kind": None, "impact": None, "status": None, "components": ()}
    nothing |= {"spokesperson": "", "values": {}, "next_update": None, "starts": None, "ends": None}
    at = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)
    fields = nothing | {"at": at, "organisation": "Asso", "translator": Translator("fr", PARIS)}
    return opening(PLAYBOOK, **(fields | given))


def test_a_playbook_is_the_default_of_every_field_the_writer_does_not_give():
    started = opened(values={"service": "le paiement"}, impact="minor", components=("dons", "paiements"))
    assert (started.kind, started.impact, started.status) == ("incident", "minor", "investigating")
    assert started.components == ("paiements", "dons")  # the playbook's, then the writer's, once each
    assert started.title == "Le paiement indisponible"
    assert started.message.startswith("Depuis 02:30, le paiement est indisponible.")
    assert (started.unfilled, started.unused) == (["{{ porte_parole }}"], [])  # left: written as a draft


def test_the_promise_of_a_playbook_counts_elapsed_time():
    """One hour after 02:30 on the night the clocks go back is 02:30 again, in the winter offset."""
    started = opened(values={"service": "le paiement", "porte_parole": "Marie"})
    assert started.next_update is not None
    assert started.next_update.isoformat() == "2026-10-25T02:30:00+01:00"
    assert started.unfilled == []


@pytest.mark.parametrize(
    "values, unused",
    [({"servcie": "x"}, ["servcie"]), ({"service": "x"}, [])],
)
def test_a_value_that_fills_nothing_is_named(values, unused):
    assert opened(values=values).unused == unused
