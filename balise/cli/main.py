"""The `balise` command group: each command's module is imported only when that command runs.

A writer at 3 a.m. should not wait for the build's modules to load to read `balise --help` or to
run `balise new`: the group is click's lazy-loading group, and lists the commands from the summaries
below (tests/test_cli.py checks they are the commands' own)."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from balise import __version__

# name: (the module defining the command under that name, the first paragraph of its help)
COMMANDS = {
    "build": ("balise.cli.site", "Build the site (default: site/)."),
    "check": ("balise.cli.reading", "Validate all content; print each problem as path:line: message."),
    "import": (
        "balise.cli.importing",
        "Import another status page's components and history (Statuspage, cState, any Atom/RSS feed).",
    ),
    "ingest": ("balise.cli.transparency", "Read the monitoring feeds and update status/monitoring/YYYY-MM.yml."),
    "init": ("balise.cli.scaffold", "Create a new status site in DIRECTORY."),
    "new": ("balise.cli.writing", "Write a new incident (or maintenance) file and print its path."),
    "notify": (
        "balise.cli.notify",
        "Push every update published since the last run to the channels of mkdocs.yml, once each.",
    ),
    "resolve": ("balise.cli.writing", "Close an incident (or complete a maintenance) with a final update."),
    "serve": (
        "balise.cli.serving",
        "Preview the site and rebuild it on every edit; while an edit breaks it, the browser lists the problems.",
    ),
    "status": ("balise.cli.reading", "Print the overall status, the components and the open incidents."),
    "templates": ("balise.cli.writing", "List the crisis playbooks that balise new --template can start from."),
    "testimonial": ("balise.cli.transparency", "Testimonials shown on the transparency page."),
    "update": ("balise.cli.writing", "Append an update to an incident's timeline."),
    "uptime": ("balise.cli.uptime", "Read the monitors and update the daily summaries in status/uptime/YYYY-MM.yml."),
    "withdraw": (
        "balise.cli.writing",
        "Withdraw a published update (or a whole incident): its words leave the site, the fact stays.",
    ),
}
PROGRAM = "balise.program"  # in the context's `meta`: the command runs in the balise program (`run`)


class BaliseCommands(click.Group):
    """Loads a command's module when the command is run (click's lazy-loading group), and refuses
    an argument that is not UTF-8 text before any command runs: typed in a terminal set to another
    encoding, it would otherwise fail half-way through writing a file."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        program = extra.pop("program", False)
        ctx = super().make_context(info_name, args, parent, **extra)
        ctx.meta[PROGRAM] = program  # shared with the command's context
        return ctx

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), cmd_name)
        assert isinstance(command, click.Command), f"{module}.{cmd_name} is not a click command"
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as unknown:  # click suggests from the commands it holds: none
            raise click.exceptions.NoSuchCommand(unknown.command_name, possibilities=COMMANDS, ctx=ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of `balise --help`, as click writes it, from the summaries: no module imported."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=summary).get_short_help_str(limit))
            for name, (_, summary) in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for argument in args:
            try:
                argument.encode("utf-8")
            except UnicodeEncodeError:
                shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                raise click.ClickException(
                    f"'{shown}' is not UTF-8 text (the character shown as \ufffd) — your terminal is not set "
                    "to UTF-8: set it (e.g. LANG=C.UTF-8) and type the text again; nothing was written"
                ) from None
        return super().parse_args(ctx, args)


@click.group(cls=BaliseCommands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="balise")
def main() -> None:
    """balise — a status and transparency page built from Markdown and YAML files in git."""


def run() -> None:
    """The balise program (its command, and `python -m balise`): the group, told it is the program,
    so that a command done may end the process at once (`end_process`)."""
    main(prog_name="balise", program=True)


def end_process() -> None:
    """End the balise program, its command done, without freeing what it loaded one object at a
    time (0.8 s for a history of 20,000 incidents, as long as a rebuild may take), as mypy does;
    what was printed is flushed first. Returns when the command was not run by the program itself
    (`run`) but by a caller in the same process (a test, a script)."""
    if click.get_current_context().meta.get(PROGRAM):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":  # pragma: no cover
    run()
