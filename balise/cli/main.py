"""The `balise` command: thin click commands over the loaders, the writers and the build."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from balise import __version__
from balise.content import loaders, model
from balise.content.authoring import appended, incident_path, incident_text, new_incident_path, write_atomically
from balise.content.loaders import load_incident
from balise.content.publishing import writer_warnings
from balise.content.version import clock_time
from balise.errors import Collector, show_problems
from balise.i18n import Translator, find_status
from balise.mkdocs_adapter.project import Project, load_checked, open_project, shown
from balise.timeline import TIME, TimeError, format_time, parse_delay, parse_time, plain

config_option = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Path to mkdocs.yml (default: ./mkdocs.yml).",
)
site_dir_option = click.option(
    "-d", "--site-dir", type=click.Path(file_okay=False), default=None, help="Where to write the site (default: site/)."
)


class TimeParam(click.ParamType):
    """ISO 8601 (without an offset it is read in the site's time zone, see `resolve_time`), `now`,
    or a delay after the update's time such as `+30min`, `+1h`, `+1h30`."""

    name = "TIME"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime) or value is None:
            return value
        text = str(value).strip()
        if plain(text) == "now":
            return datetime.now(timezone.utc).replace(second=0, microsecond=0)
        return text  # resolved against the site's zone once the config is known


def resolve_time(value, project: Project, option: str, base: datetime | None = None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    delay = parse_delay(value)
    if delay is not None:
        try:
            return later(base or now_in(project), delay)
        except OverflowError:
            raise click.BadParameter(f"'{value}' is too far from today — check it", param_hint=option) from None
    try:
        moment = parse_time(value, project.settings.timezone)
    except TimeError as error:
        raise click.BadParameter(str(error), param_hint=option) from None
    match = TIME.match(str(value).strip())
    if match and match["tz"] is None:  # a wall-clock time of the site's zone: it must name one moment
        wall = parse_time(value, timezone.utc).replace(tzinfo=None)  # as typed: parse_time moves a skipped time
        _refuse_a_clock_change(value, wall, project.settings.timezone, option)
    return moment


def _refuse_a_clock_change(value: str, wall: datetime, zone, option: str) -> None:
    """Refuse a local time that does not exist (the clocks skip it) or exists twice (they repeat
    it): as in a file, where every time carries its offset, the writer says which moment is meant."""
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return
    written = f"{wall:%Y-%m-%d %H:%M}"
    if first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != wall:  # skipped
        around = sorted(moment.astimezone(timezone.utc).astimezone(zone) for moment in (first, second))
        raise click.BadParameter(
            f"'{value}' does not exist in {zone.key}: the clocks go forward that night, past it — give "
            f"'{format_time(around[0])}' (before the change) or '{format_time(around[1])}' (after it)",
            param_hint=option,
        )
    raise click.BadParameter(
        f"'{value}' happens twice in {zone.key} (the clocks go back that night) — write it with its offset: "
        f"'{written} {format_time(first)[-6:]}' (the first time) or '{written} {format_time(second)[-6:]}' "
        "(the second)",
        param_hint=option,
    )


def later(moment: datetime, delay: timedelta) -> datetime:
    """`delay` after `moment` as time elapses: one hour after 02:30 on the night clocks go back is 02:30
    again (in the other offset), not 03:30 — aware arithmetic in one zone would count wall-clock time."""
    return (moment.astimezone(timezone.utc) + delay).astimezone(moment.tzinfo)


def now_in(project: Project) -> datetime:
    return datetime.now(timezone.utc).replace(second=0, microsecond=0).astimezone(project.settings.timezone)


class BaliseCommands(click.Group):
    """Refuses an argument that is not UTF-8 text before any command runs: typed in a terminal set
    to another encoding, it would otherwise fail half-way through writing a file."""

    def parse_args(self, ctx, args):
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
def main():
    """balise — a status and transparency page built from Markdown and YAML files in git."""


def _print_problems(report: Collector) -> None:
    show_problems(report.problems, report.root)


@main.command()
@config_option
def check(config_file):
    """Validate all content; print each problem as path:line: message."""
    project = open_project(config_file)
    report = Collector(project.root)
    content = project.load(report)
    now = project.settings.written_by or clock_time(project.plugin.config.as_of)
    from balise.content.playbooks import load_playbooks

    load_playbooks(project.plugin.playbooks_dir, report, {c.id for c in content.components})
    if not report.errors:
        writer_warnings(content, project.plugin.incidents_dir, project.settings.timezone, now, report)
    _print_problems(report)
    if report.errors:
        sys.exit(1)
    published = sum(1 for i in content.incidents if i.is_published(now))
    click.echo(
        f"{_count(len(content.components), 'component')}, {_count(published, 'published incident')}, no errors.",
        err=True,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@main.command()
@config_option
@site_dir_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def build(config_file, site_dir, strict):
    """Build the site (default: site/)."""
    from balise.mkdocs_adapter.build import build_site, summarise_for_github

    project = open_project(config_file, site_dir, strict)
    load_checked(project)
    target = build_site(project)
    click.echo(f"Site built in {target}", err=True)
    summarise_for_github(project)


@main.command()
@config_option
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
def serve(config_file, dev_addr):
    """Preview the site and rebuild it on every edit; while an edit breaks it, the browser lists the problems."""
    from balise.mkdocs_adapter.serve import serve as preview

    project = open_project(config_file)
    load_checked(project)  # refuse to start on broken content; later errors show in the browser and the log
    _log_like_mkdocs()
    preview(str(project.config.config_file_path), dev_addr, project.settings.language)  # type: ignore[attr-defined]  # TODO(lead): Project.config: MkDocsConfig


def _log_like_mkdocs() -> None:
    """Show MkDocs's log (the address served, each rebuild, content errors) as `mkdocs serve` does."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@main.command()
@config_option
def status(config_file):
    """Print the overall status, the components and the open incidents."""
    from balise.content.publishing import publish

    project = open_project(config_file)
    content, _ = load_checked(project)
    from dataclasses import replace

    settings = replace(
        project.settings, now=clock_time(project.plugin.config.as_of)
    )  # the clock (or SOURCE_DATE_EPOCH), not the commit's time
    page = publish(content, settings)
    t = Translator(settings.language, settings.timezone)
    click.echo(f"{t('overall_status.' + page.overall_status)}  [{page.overall_status}]")
    for component in page.components:
        state = page.component_status[component.id]
        click.echo(f"  {component.name:<40} {t('component_status.' + state)}")
    # Late promises first: those are the ones to answer now.
    current = sorted(page.open_incidents + page.active_maintenance, key=lambda i: not i.is_overdue(page.now))
    for incident in current:
        overdue = " — " + t("overdue_short") if incident.is_overdue(page.now) else ""
        click.echo(f"\n{incident.id}: {incident.title}{overdue}")
        click.echo(f"  {t('update_status.' + incident.status)} · {t.datetime(incident.latest.at)}")
        promise = incident.promised_update(page.now)
        if promise:
            click.echo(f"  {t.html('next_update_expected', time=t.datetime(promise)).unescape()}")
    for incident in page.upcoming_maintenance:
        click.echo(f"\n{incident.id}: {incident.title} ({t.datetime(incident.scheduled_for)})")  # type: ignore[arg-type]  # upcoming: scheduled


def _status_choice(kind: str, value: str | None, default: str) -> str:
    """`--status` read as a file's heading is: the same words (`Résolue`, `enquête`), the same hint."""
    if value is None:
        return default
    found = find_status(value, model.statuses_for(kind))
    if not found:
        raise click.BadParameter(loaders.unknown_status(value, kind), param_hint="--status")
    return found


def _field_choice(value: str | None, key: str, choices, option: str) -> str | None:
    """An option read exactly as the file check reads the field of that name (`loaders.Fields.choice`):
    the same spellings accepted, the same did-you-mean."""
    if value is None:
        return None
    report = Collector(Path.cwd())
    located = loaders.Located({key: value}, {}, 1)
    found = loaders.Fields(located, located.data, (), Path(option), report).choice(key, choices)
    if report.errors:
        raise click.BadParameter(report.errors[0].message, param_hint=option)
    return found


@main.command()
@config_option
@click.option(
    "--template", "template", default=None, metavar="NAME", help="Start from a playbook (see balise templates)."
)
@click.option(
    "--set", "values", multiple=True, metavar="NAME=VALUE", help="Fill a playbook placeholder (repeat for several)."
)
@click.option("--title", default=None, help="What is happening, in plain words.")
@click.option("--kind", default="incident", show_default=True, help=f"One of: {', '.join(model.KINDS)}.")
@click.option("--impact", default=None, help=f"One of: {', '.join(model.IMPACTS)}. Required for an incident.")
@click.option(
    "--component", "components", multiple=True, metavar="ID", help="An affected component (repeat for several)."
)
@click.option("--status", default=None, help="First status (default: investigating, or scheduled for maintenance).")
@click.option("--message", default=None, help="The first public message (Markdown).")
@click.option("--at", type=TimeParam(), default=None, help="Time of the update (default: now).")
@click.option(
    "--next-update", type=TimeParam(), default=None, help="When the next update is promised (a time, or +30min, +1h…)."
)
@click.option("--starts", type=TimeParam(), default=None, help="Maintenance window start.")
@click.option("--ends", type=TimeParam(), default=None, help="Maintenance window end.")
@click.option("--spokesperson", default="", help="Who speaks for the organisation.")
@click.option("--draft", is_flag=True, help="Keep it off the public site until draft: true is removed.")
@click.option("--force", is_flag=True, help="Write a second file even if one has this title and day already.")
@click.pass_context
def new(
    ctx,
    config_file,
    template,
    values,
    title,
    kind,
    impact,
    components,
    status,
    message,
    at,
    next_update,
    starts,
    ends,
    spokesperson,
    draft,
    force,
):
    """Write a new incident (or maintenance) file and print its path.

    With --template NAME, start from a playbook: its fields and message are the defaults, every
    --set NAME=VALUE fills a placeholder, and a file with a placeholder left is written as a draft."""
    kind = _field_choice(kind, "kind", model.KINDS, "--kind")
    impact = _field_choice(impact, "impact", model.IMPACTS, "--impact")
    project = open_project(config_file)
    content, _ = load_checked(project)
    known = {c.id for c in content.components}
    playbook, unfilled = None, []
    if template is not None:
        from balise.content import playbooks as pb

        playbook = _playbook(project, template, known)
        explicit = lambda name: ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE  # noqa: E731
        kind = kind if explicit("kind") else playbook.kind
        impact = impact or playbook.impact
        status = status or playbook.status
        components = tuple(dict.fromkeys(playbook.components + list(components)))
        spokesperson = spokesperson or playbook.spokesperson
        at = resolve_time(at, project, "--at") or now_in(project)
        if next_update is None and playbook.next_update is not None:
            next_update = later(at, playbook.next_update)
        filled = _set_values(values)
        promised = _local(resolve_time(next_update, project, "--next-update", base=at), project)
        starts = resolve_time(starts, project, "--starts")
        ends = resolve_time(ends, project, "--ends", base=starts)  # +3h: after the start
        translator = Translator(playbook.language or project.settings.language, project.settings.timezone)
        known_values = pb.builtin_values(
            playbook,
            at=at,
            next_update=promised,
            organisation=project.settings.site_name,
            starts=starts,
            ends=ends,
            translator=translator,
        )
        known_values.update(filled)
        for name in sorted(set(filled) - set(playbook.placeholders) - set(known_values.keys() - set(filled))):
            from balise.content.fields import did_you_mean

            click.echo(
                f"warning: --set {name}=… fills no placeholder of {playbook.name} — "
                f"{did_you_mean(name, playbook.placeholders)}",
                err=True,
            )
        title = pb.fill(title or playbook.title, known_values)
        message = pb.fill(message or playbook.message, known_values)
        spokesperson = pb.fill(spokesperson, known_values)
        unfilled = sorted(
            {found for text in (title, message, spokesperson) for _, found in loaders.placeholders_in(text)}
        )
        draft = draft or bool(unfilled)
    if title is None or message is None:
        raise click.UsageError("give --title and --message, or start from a playbook with --template NAME")
    if not any(ch.isalnum() for ch in loaders.PLACEHOLDER.sub("", title)) and playbook is None:
        raise click.BadParameter(
            f"'{title}' has no letter or digit — say what is happening, e.g. "
            '"Paiements en ligne indisponibles" (it also names the incident\'s page)',
            param_hint="--title",
        )
    _refuse_structure(message, "--message")
    for component in components:
        if component not in known:
            from balise.content.fields import did_you_mean

            raise click.BadParameter(
                f"unknown component '{component}' — {did_you_mean(component, sorted(known))}", param_hint="--component"
            )
    if kind == "incident" and impact is None:
        raise click.BadParameter("an incident needs an impact: none, minor, major or critical", param_hint="--impact")
    at = resolve_time(at, project, "--at") or now_in(project)
    starts = resolve_time(starts, project, "--starts")
    ends = resolve_time(ends, project, "--ends", base=starts)  # +3h: after the start
    if kind == "maintenance" and (starts is None or ends is None):
        raise click.BadParameter("a maintenance needs --starts and --ends", param_hint="--starts/--ends")
    status = _status_choice(kind, status, "scheduled" if kind == "maintenance" else "investigating")
    text = incident_text(
        title=title,
        kind=kind,
        impact=impact or "none",
        components=dict.fromkeys(components),
        status=status,
        message=message,
        at=at.astimezone(project.settings.timezone),
        next_update=_local(resolve_time(next_update, project, "--next-update", base=at), project),
        draft=draft,
        spokesperson=spokesperson,
        scheduled_for=_local(starts, project),
        scheduled_until=_local(ends, project),
    )
    # The file name is the incident's permanent URL: never made of placeholder names.
    named_by = loaders.PLACEHOLDER.sub("", title).strip() if playbook is not None else title
    day = at.astimezone(project.settings.timezone)
    named_by = named_by if any(ch.isalnum() for ch in named_by) else playbook.name  # type: ignore[union-attr]  # a title has a letter
    same = incident_path(project.plugin.incidents_dir, day, named_by)
    if same.exists() and not force:
        _refuse_a_second_file(same, content.incidents)
    path = new_incident_path(project.plugin.incidents_dir, day, named_by)
    _write_checked(path, text, project, known)
    click.echo(shown(path))
    if unfilled:
        click.echo(
            f"{shown(path)}: written as a draft: fill {', '.join(unfilled)} in the file, then remove 'draft: true' "
            "to publish",
            err=True,
        )


def _refuse_a_second_file(path: Path, incidents: list[model.Incident]) -> None:
    """Rerunning `balise new` for the same title and day most likely means the same incident: its
    file is completed or updated, not doubled. A terminal may confirm a second one; a script is refused."""
    existing = next((i for i in incidents if Path(i.path) == path), None)
    if existing is not None and existing.draft:
        left = sorted({found for _, found in loaders.placeholders_in(path.read_text(encoding="utf-8"))})
        fill = f"fill {', '.join(left)} in it, then " if left else "complete it, then "
        hint = (
            f"{shown(path)} is already a draft of this incident — {fill}remove 'draft: true' to publish it "
            f"(later news: balise update {existing.id} …)"
        )
    else:
        incident_id = path.stem
        hint = (
            f"{shown(path)} already has this title and day — post news to it: balise update {incident_id} "
            "--status … --message …"
        )
    if sys.stdin.isatty() and sys.stderr.isatty():
        click.echo(hint, err=True)
        if click.confirm("Write a second, separate incident anyway?", default=False, err=True):
            return
        raise click.ClickException("nothing was written")
    raise click.ClickException(f"{hint}; nothing was written (--force writes a second file)")


def _set_values(pairs) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(
                f"'{pair}' is not NAME=VALUE, e.g. --set service=\"Les dons en ligne\"", param_hint="--set"
            )
        if not value.strip():
            raise click.BadParameter(
                f"'{pair}' gives {name.strip()} no value — write the words that go there, "
                f"or leave out --set {name.strip()}=… to keep the file a draft",
                param_hint="--set",
            )
        values[name.strip()] = value.strip()
    return values


def _refuse_structure(message: str, option: str) -> None:
    """A message is the text of one update: a heading in it would become another update, or a postmortem."""
    from balise.timeline import HEADING, LineReader

    reader = LineReader()
    for number, line in enumerate(message.split("\n"), start=1):
        visible, code = reader.read(line, number)
        if not code and HEADING.match(visible):
            raise click.BadParameter(
                f"line {number} ('{line.strip()}') is a heading, which would start another "
                "update or a postmortem — write it without the '##', or post it with its own "
                "balise update",
                param_hint=option,
            )


def _playbook(project: Project, name: str, component_ids):
    from balise.content.playbooks import choose, load_playbooks

    report = Collector(project.root)
    found = load_playbooks(project.plugin.playbooks_dir, report, component_ids)
    if report.errors:
        from balise.errors import ContentError

        raise ContentError(report.errors)
    playbook = choose(found, name, project.settings.language)
    if playbook is None:
        from balise.content.fields import did_you_mean

        names = sorted({p.name for p in found})
        hint = did_you_mean(name, names) if names else f"there is none in {shown(project.plugin.playbooks_dir)}"
        raise click.BadParameter(
            f"no playbook '{name}' — {hint} (list them with: balise templates)", param_hint="--template"
        )
    return playbook


@main.command()
@config_option
def templates(config_file):
    """List the crisis playbooks that balise new --template can start from."""
    from balise.content.playbooks import load_playbooks

    project = open_project(config_file)
    report = Collector(project.root)
    found = load_playbooks(project.plugin.playbooks_dir, report)
    _print_problems(report)
    if report.errors:
        sys.exit(1)
    if not found:
        click.echo(
            f"No playbook in {shown(project.plugin.playbooks_dir)} — add NAME.fr.md or NAME.en.md files (see the README).",
            err=True,
        )
        return
    for playbook in found:
        label = f"{playbook.name}" + (f" [{playbook.language}]" if playbook.language else "")
        click.echo(f"{label:<32} {playbook.kind:<12} {playbook.description}")
        if playbook.placeholders:
            click.echo(f"{'':<32} --set " + " ".join(f"{name}=…" for name in playbook.placeholders))


def _local(moment: datetime | None, project: Project) -> datetime | None:
    return moment.astimezone(project.settings.timezone) if moment else None


def _write_checked(path: Path, text: str, project: Project, component_ids) -> None:
    """Write only text that loads cleanly, so a command never leaves a broken file behind."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / path.name
        trial.write_text(text, encoding="utf-8")
        report = Collector(Path(scratch))
        trial_incident = load_incident(trial, component_ids, report, zone=project.settings.timezone)
        if trial_incident is not None:  # the same rule as the build's, so the next command is not the one to refuse it
            loaders.future_updates([trial_incident], max(project.settings.latest_writing_time, clock_time()), report)
        if report.errors:
            raise click.ClickException("refusing to write: " + "; ".join(p.message for p in report.errors))
    write_atomically(path, text)


DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")  # of an incident's id: the rest is its name


def _incident_for(argument: str, incidents: list[model.Incident], project: Project) -> model.Incident:
    """The incident an ID argument names: its id, its file's name or path (as tab completion
    writes it), or a unique part of it ("cantine" for 2026-11-22-cantine)."""
    wanted = Path(argument.strip()).name
    wanted = wanted[: -len(".md")] if wanted.endswith(".md") else wanted
    exact = next((i for i in incidents if i.id == wanted), None)
    if exact is not None:
        return exact
    key = plain(wanted)
    found = [i for i in incidents if key and (i.id.startswith(key) or key in DATE_PREFIX.sub("", i.id))]
    if len(found) > 1:  # a closed incident takes no update: the one still open is meant
        found = [i for i in found if not i.is_closed] or found
    if len(found) == 1:
        return found[0]
    if found:
        raise click.BadParameter(
            f"'{argument}' could be {', '.join(sorted(i.id for i in found))} — give more of the name", param_hint="ID"
        )
    from balise.content.fields import did_you_mean

    ids = sorted(i.id for i in incidents)
    raise click.BadParameter(
        f"no incident '{argument}' in {shown(project.plugin.incidents_dir)} — "
        f"{did_you_mean(wanted, ids) if ids else 'there is none yet: open one with balise new'}",
        param_hint="ID",
    )


def _append(config_file, incident_id, status, message, at, next_update, closing: bool):
    project = open_project(config_file)
    content, _ = load_checked(project)
    incident = _incident_for(incident_id, content.incidents, project)
    path = Path(incident.path)
    if incident.is_closed:
        raise click.ClickException(
            f"{shown(path)}: this {incident.kind} is already closed — open a new one with balise new"
        )
    if closing:
        status = "completed" if incident.is_maintenance else "resolved"
    else:
        status = _status_choice(incident.kind, status, incident.status)
    _refuse_structure(message, "--message")
    given = resolve_time(at, project, "--at")
    at = given or now_in(project)
    if given is None and at <= incident.latest.at:
        at = _next_free_minute(incident, at, path)
    if at <= incident.latest.at:
        raise click.BadParameter(
            f"{format_time(at)} is not after the latest update ({format_time(incident.latest.at)}) — give a later --at",
            param_hint="--at",
        )
    raw = path.read_bytes().decode("utf-8")  # keep the writer's line endings, and byte order mark, exactly
    text = appended(
        raw,
        at.astimezone(project.settings.timezone),
        status,
        message,
        _local(resolve_time(next_update, project, "--next-update", base=at), project),
    )
    _write_checked(path, text, project, {c.id for c in content.components})
    click.echo(shown(path))


# Headings are written to the minute, and the timeline refuses two updates at the same time: an
# update posted in the minute of the previous one takes the next minute — a few, if several follow
# each other, but never more than this ahead of the clock, which is what `balise check` calls the future.
AHEAD_AT_MOST = timedelta(minutes=5)


def _next_free_minute(incident: model.Incident, now: datetime, path: Path) -> datetime:
    """The first whole minute after the latest update, for an update posted without --at."""
    latest = incident.latest.at
    later_minute = (latest + timedelta(minutes=1)).replace(second=0, microsecond=0).astimezone(now.tzinfo)
    if later_minute - now > AHEAD_AT_MOST:  # a typo in the file's date, not updates in quick succession
        raise click.ClickException(
            f"{shown(path)}:{incident.latest.line}: the latest update is dated {format_time(latest)}, which has not "
            "come yet — correct its date in the file, then post this update"
        )
    click.echo(
        f"note: dated {format_time(later_minute)}, the minute after the latest update "
        f"({format_time(latest)}): updates go in order, to the minute — give --at to choose",
        err=True,
    )
    return later_minute


@main.command()
@config_option
@click.argument("incident_id", metavar="ID")
@click.option(
    "--status", required=True, help="investigating, identified, monitoring, resolved (or maintenance statuses)."
)
@click.option("--message", required=True, help="The public message (Markdown).")
@click.option("--at", type=TimeParam(), default=None, help="Time of the update (default: now).")
@click.option(
    "--next-update", type=TimeParam(), default=None, help="When the next update is promised (a time, or +30min, +1h…)."
)
def update(config_file, incident_id, status, message, at, next_update):
    """Append an update to an incident's timeline."""
    _append(config_file, incident_id, status, message, at, next_update, closing=False)


@main.command()
@config_option
@click.argument("incident_id", metavar="ID")
@click.option("--message", required=True, help="The closing message (Markdown).")
@click.option("--at", type=TimeParam(), default=None, help="Time of the update (default: now).")
def resolve(config_file, incident_id, message, at):
    """Close an incident (or complete a maintenance) with a final update."""
    _append(config_file, incident_id, None, message, at, None, closing=True)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--name", default=None, help="The organisation's name (default: the folder's name).")
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--timezone", "zone", default="Europe/Paris", show_default=True)
@click.option(
    "--balise-requirement",
    "requirement",
    envvar="BALISE_REQUIREMENT",
    show_envvar=True,
    default=None,
    help="What the site's requirements.txt installs, e.g. 'balise==0.2.0' or "
    "'balise @ git+https://github.com/OWNER/balise@COMMIT' (default: this very balise, "
    "from the release or the git commit it was installed from).",
)
def init(directory, name, language, zone, requirement):
    """Create a new status site in DIRECTORY."""
    import re
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from balise.cli.scaffold import NotReproducible, balise_requirement, scaffold

    if not directory.strip():
        raise click.BadParameter("give the folder to create, e.g. balise init statut", param_hint="DIRECTORY")
    if name is not None and (not name.strip() or any(not ch.isprintable() for ch in name)):
        raise click.BadParameter(
            f"{name!r} is not a name to show — give the organisation's name on one line", param_hint="--name"
        )
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"unknown time zone '{zone}' — use an IANA name such as Europe/Paris", param_hint="--timezone"
        ) from None
    if requirement is None:
        try:
            requirement = balise_requirement()
        except NotReproducible as reason:
            raise click.ClickException(
                f"{reason}, which the site's CI cannot install — say what its requirements.txt should install, "
                'e.g. --balise-requirement "balise @ git+https://github.com/OWNER/balise@COMMIT"'
            ) from None
    elif not (re.match(r"balise(?![\w.-])", requirement.strip(), re.IGNORECASE) and requirement.isprintable()):
        raise click.BadParameter(
            f"{requirement!r} does not install balise — give one requirement line such as "
            "'balise==0.2.0' or 'balise @ git+https://github.com/OWNER/balise@COMMIT'",
            param_hint="--balise-requirement",
        )
    for path in scaffold(Path(directory), name=name, language=language, timezone=zone, requirement=requirement.strip()):
        click.echo(shown(path))


from balise.cli.transparency import ingest, testimonial  # noqa: E402  (the transparency page's commands)

main.add_command(ingest)
main.add_command(testimonial)


if __name__ == "__main__":  # pragma: no cover
    main()
