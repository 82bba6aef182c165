"""`notify`: every update published since the last run, pushed once to the channels of mkdocs.yml."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click

from balise.cli.context import Site, config_option, pass_site
from balise.mkdocs_adapter.project import load_checked, notify_entries, shown
from balise.notify.channels import DeliveryError
from balise.notify.config import read_channels
from balise.notify.ledger import Ledger
from balise.notify.run import Notifier


@click.command()
@config_option
@click.option("--dry-run", is_flag=True, help="Print what each channel would receive; send and record nothing.")
@click.option("--test", "test_channel", metavar="CHANNEL", help="Send a test message to CHANNEL (its name or kind).")
@click.option(
    "--ledger",
    "ledger_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="The delivery ledger (default: the plugin's notify_ledger, .balise/notify-ledger.jsonl).",
)
@pass_site
def notify(site: Site, dry_run: bool, test_channel: str | None, ledger_path: str | None) -> None:
    """Push every update published since the last run to the channels of mkdocs.yml, once each.

    Exits with 1 when a channel failed; what it missed is tried again on the next run."""
    project = site.project
    config_path = shown(Path(project.config.config_file_path or "mkdocs.yml"))
    content, _ = load_checked(project)
    channels = read_channels(notify_entries(project), config_path, {c.id for c in content.components})
    if not channels:  # the workflows run this on every site: without channels there is nothing to do
        click.echo("no notify channel in mkdocs.yml: nothing to send (see the README's Notifications)", err=True)
        return
    if not project.settings.site_url:
        raise click.ClickException(f"{config_path}:1: notifications link to the site — set site_url: https://…")
    options = project.plugin.config
    project.plugin.read_history()
    page = project.plugin.status_page()
    ledger = Ledger(project.root / (ledger_path or options.notify_ledger))
    reminders = [timedelta(hours=hours) for hours in options.notify_reminders]
    notifier = Notifier(page, ledger, timedelta(hours=options.notify_max_age), reminders)
    if test_channel is not None:
        chosen = [c for c in channels if test_channel in (c.name, c.kind)]
        if not chosen:
            names = ", ".join(c.name for c in channels)
            raise click.ClickException(f"no notify channel named '{test_channel}' — the channels are: {names}")
        try:
            notifier.test(chosen[0])
        except DeliveryError as error:
            raise click.ClickException(f"{chosen[0].name}: {error}") from None
        click.echo(f"{chosen[0].name}: test message sent", err=True)
        return
    if dry_run:
        for channel in channels:
            notifier.preview(channel, click.echo)
        return
    failed = False
    for channel in channels:
        outcome = notifier.run(channel)
        old = f", {len(outcome.skipped)} too old or already public before" if outcome.skipped else ""
        click.echo(f"{channel.name}: {len(outcome.sent)} sent{old}", err=True)
        for failure in outcome.failures:
            failed = True
            click.echo(f"{channel.name}: {failure} — it will be tried again on the next run", err=True)
    if failed:
        sys.exit(1)
