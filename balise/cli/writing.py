"""The writer's commands: `new`, `update`, `resolve`, `withdraw`, and `templates` (the playbooks `new` starts from).

Each checks what it is given as the build would, and writes nothing unless the file reads back clean."""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import click
from click.core import ParameterSource

from balise.cli.context import Site, config_option, pass_site, write_checked
from balise.cli.times import TimeParam, local, now_in, resolve_time
from balise.content import loaders, model, playbooks as pb
from balise.content.authoring import appended, incident_path, incident_text, new_incident_path, withdrawn_text
from balise.content.fields import Fields, did_you_mean
from balise.content.version import clock_time
from balise.content.vocabulary import unknown_status
from balise.content.yamlfile import Located
from balise.errors import Collector, ContentError, show_problems
from balise.i18n import Translator, find_status
from balise.mkdocs_adapter.project import Project, load_checked, shown
from balise.pipeline.stages import apply_amendments
from balise.timeline import HEADING, LineReader, format_time, plain

TIME_OPTION_HELP = "Time of the update (default: now)."
NEXT_UPDATE_HELP = "When the next update is promised (a time, or +30min, +1h…)."


def _status_choice(kind: str, value: str | None, default: str) -> str:
    """`--status` read as a file's heading is: the same words (`Résolue`, `enquête`), the same hint."""
    if value is None:
        return default
    found = find_status(value, model.statuses_for(kind))
    if not found:
        raise click.BadParameter(unknown_status(value, kind), param_hint="--status")
    return found


def _field_choice(value: str | None, key: str, choices: Sequence[str], option: str) -> str | None:
    """An option read exactly as the file check reads the field of that name (`loaders.Fields.choice`):
    the same spellings accepted, the same did-you-mean."""
    if value is None:
        return None
    report = Collector(Path.cwd())
    located = Located({key: value}, {}, 1)
    found = Fields(located, located.data, (), Path(option), report).choice(key, choices)
    if report.errors:
        raise click.BadParameter(report.errors[0].message, param_hint=option)
    return found


@click.command()
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
@click.option("--at", type=TimeParam(), default=None, help=TIME_OPTION_HELP)
@click.option("--next-update", type=TimeParam(), default=None, help=NEXT_UPDATE_HELP)
@click.option("--starts", type=TimeParam(), default=None, help="Maintenance window start.")
@click.option("--ends", type=TimeParam(), default=None, help="Maintenance window end.")
@click.option("--spokesperson", default="", help="Who speaks for the organisation.")
@click.option("--draft", is_flag=True, help="Keep it off the public site until draft: true is removed.")
@click.option("--force", is_flag=True, help="Write a second file even if one has this title and day already.")
@pass_site
def new(
    site: Site,
    template: str | None,
    values: tuple[str, ...],
    title: str | None,
    kind: str,
    impact: str | None,
    components: tuple[str, ...],
    status: str | None,
    message: str | None,
    at: str | datetime | None,
    next_update: str | datetime | None,
    starts: str | datetime | None,
    ends: str | datetime | None,
    spokesperson: str,
    draft: bool,
    force: bool,
) -> None:
    """Write a new incident (or maintenance) file and print its path.

    With --template NAME, start from a playbook: its fields and message are the defaults, every
    --set NAME=VALUE fills a placeholder, and a file with a placeholder left is written as a draft."""
    kind_given = click.get_current_context().get_parameter_source("kind") == ParameterSource.COMMANDLINE
    chosen_kind = _field_choice(kind, "kind", model.KINDS, "--kind")
    impact = _field_choice(impact, "impact", model.IMPACTS, "--impact")
    project = site.project
    content, _ = load_checked(project)
    known = {c.id for c in content.components}
    playbook, unfilled = None, []
    if template is not None:
        playbook = _playbook(project, template, known)
        at = resolve_time(at, project, "--at") or now_in(project)
        filled = _set_values(values)
        promised = resolve_time(next_update, project, "--next-update", base=at)
        starts = resolve_time(starts, project, "--starts")
        ends = resolve_time(ends, project, "--ends", base=starts)  # +3h: after the start
        started = pb.opening(
            playbook,
            title=title,
            message=message,
            kind=chosen_kind if kind_given else None,
            impact=impact,
            status=status,
            components=components,
            spokesperson=spokesperson,
            values=filled,
            at=at,
            next_update=promised,
            starts=starts,
            ends=ends,
            organisation=project.settings.site_name,
            translator=Translator(playbook.language or project.settings.language, project.settings.timezone),
        )
        for name in started.unused:
            click.echo(
                f"warning: --set {name}=… fills no placeholder of {playbook.name} — "
                f"{did_you_mean(name, playbook.placeholders)}",
                err=True,
            )
        title, message, chosen_kind, impact = started.title, started.message, started.kind, started.impact
        status, components, spokesperson = started.status, started.components, started.spokesperson
        next_update, unfilled = started.next_update, started.unfilled
        draft = draft or bool(unfilled)
    if title is None or message is None:
        raise click.UsageError("give --title and --message, or start from a playbook with --template NAME")
    if not any(ch.isalnum() for ch in pb.PLACEHOLDER.sub("", title)) and playbook is None:
        raise click.BadParameter(
            f"'{title}' has no letter or digit — say what is happening, e.g. "
            '"Paiements en ligne indisponibles" (it also names the incident\'s page)',
            param_hint="--title",
        )
    _refuse_structure(message, "--message")
    for component in components:
        if component not in known:
            raise click.BadParameter(
                f"unknown component '{component}' — {did_you_mean(component, sorted(known))}",
                param_hint="--component",
            )
    assert chosen_kind is not None  # --kind has a default
    if chosen_kind == "incident" and impact is None:
        raise click.BadParameter("an incident needs an impact: none, minor, major or critical", param_hint="--impact")
    moment = resolve_time(at, project, "--at") or now_in(project)
    window_start = resolve_time(starts, project, "--starts")
    window_end = resolve_time(ends, project, "--ends", base=window_start)  # +3h: after the start
    if chosen_kind == "maintenance" and (window_start is None or window_end is None):
        raise click.BadParameter("a maintenance needs --starts and --ends", param_hint="--starts/--ends")
    text = incident_text(
        title=title,
        kind=chosen_kind,
        impact=impact or "none",
        components=dict.fromkeys(components),
        status=_status_choice(chosen_kind, status, "scheduled" if chosen_kind == "maintenance" else "investigating"),
        message=message,
        at=moment.astimezone(project.settings.timezone),
        next_update=local(resolve_time(next_update, project, "--next-update", base=moment), project),
        draft=draft,
        spokesperson=spokesperson,
        scheduled_for=local(window_start, project),
        scheduled_until=local(window_end, project),
    )
    # The file name is the incident's permanent URL: never made of placeholder names.
    named_by = pb.PLACEHOLDER.sub("", title).strip() if playbook is not None else title
    day = moment.astimezone(project.settings.timezone)
    if not any(ch.isalnum() for ch in named_by):
        assert playbook is not None  # a title given on its own has a letter
        named_by = playbook.name
    same = incident_path(project.plugin.incidents_dir, day, named_by)
    if same.exists() and not force:
        _refuse_a_second_file(same, content.incidents)
    path = new_incident_path(project.plugin.incidents_dir, day, named_by)
    _write_incident(path, text, project, known)
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
        left = sorted({found for _, found in pb.placeholders_in(path.read_text(encoding="utf-8"))})
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


def _set_values(pairs: Sequence[str]) -> dict[str, str]:
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


def _playbook(project: Project, name: str, component_ids: Collection[str]) -> pb.Playbook:
    report = Collector(project.root)
    found = pb.load_playbooks(project.plugin.playbooks_dir, report, component_ids)
    if report.errors:
        raise ContentError(report.errors)
    playbook = pb.choose(found, name, project.settings.language)
    if playbook is None:
        names = sorted({p.name for p in found})
        hint = did_you_mean(name, names) if names else f"there is none in {shown(project.plugin.playbooks_dir)}"
        raise click.BadParameter(
            f"no playbook '{name}' — {hint} (list them with: balise templates)", param_hint="--template"
        )
    return playbook


@click.command()
@config_option
@pass_site
def templates(site: Site) -> None:
    """List the crisis playbooks that balise new --template can start from."""
    project = site.project
    report = Collector(project.root)
    found = pb.load_playbooks(project.plugin.playbooks_dir, report)
    show_problems(report.problems, report.root)
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


def _write_incident(path: Path, text: str, project: Project, component_ids: Collection[str]) -> None:
    """Write only an incident file that loads cleanly and that the build would accept."""

    def read_back(trial: Path, report: Collector) -> None:
        incident = loaders.load_incident(trial, component_ids, report, zone=project.settings.timezone)
        if incident is not None:  # the same rule as the build's, so the next command is not the one to refuse it
            loaders.future_updates([incident], max(project.settings.latest_writing_time, clock_time()), report)

    write_checked(path, text, read_back)


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
    ids = sorted(i.id for i in incidents)
    raise click.BadParameter(
        f"no incident '{argument}' in {shown(project.plugin.incidents_dir)} — "
        f"{did_you_mean(wanted, ids) if ids else 'there is none yet: open one with balise new'}",
        param_hint="ID",
    )


def _append(
    project: Project,
    incident_id: str,
    status: str | None,
    message: str,
    at: str | datetime | None,
    next_update: str | datetime | None,
    closing: bool,
) -> None:
    content, _ = load_checked(project)
    incident = _incident_for(incident_id, content.incidents, project)
    path = Path(incident.path)
    if closing:
        if incident.is_closed:
            raise click.ClickException(
                f"{shown(path)}: this {incident.kind} is already closed — to reopen it, post an update "
                f"with the status it reopens with: balise update {incident.id} --status investigating --message …"
            )
        status = "completed" if incident.is_maintenance else "resolved"
    else:
        status = _status_choice(incident.kind, status, incident.status)
        if incident.is_closed and status in model.CLOSING_STATUSES:
            raise click.BadParameter(
                f"this {incident.kind} is already closed — an update reopens it with another status "
                "(e.g. investigating), or open a new one with balise new",
                param_hint="--status",
            )
    _refuse_structure(message, "--message")
    given = resolve_time(at, project, "--at")
    moment = given or now_in(project)
    if given is None and moment <= incident.latest.at:
        moment = _next_free_minute(incident, moment, path)
    if moment <= incident.latest.at:
        raise click.BadParameter(
            f"{format_time(moment)} is not after the latest update ({format_time(incident.latest.at)}) — give a later --at",
            param_hint="--at",
        )
    raw = path.read_bytes().decode("utf-8")  # keep the writer's line endings, and byte order mark, exactly
    text = appended(
        raw,
        moment.astimezone(project.settings.timezone),
        status,
        message,
        local(resolve_time(next_update, project, "--next-update", base=moment), project),
    )
    _write_incident(path, text, project, {c.id for c in content.components})
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


@click.command()
@config_option
@click.argument("incident_id", metavar="ID")
@click.option(
    "--status", required=True, help="investigating, identified, monitoring, resolved (or maintenance statuses)."
)
@click.option("--message", required=True, help="The public message (Markdown).")
@click.option("--at", type=TimeParam(), default=None, help=TIME_OPTION_HELP)
@click.option("--next-update", type=TimeParam(), default=None, help=NEXT_UPDATE_HELP)
@pass_site
def update(
    site: Site,
    incident_id: str,
    status: str,
    message: str,
    at: str | datetime | None,
    next_update: str | datetime | None,
) -> None:
    """Append an update to an incident's timeline."""
    _append(site.project, incident_id, status, message, at, next_update, closing=False)


@click.command()
@config_option
@click.argument("incident_id", metavar="ID")
@click.option("--message", required=True, help="The closing message (Markdown).")
@click.option("--at", type=TimeParam(), default=None, help=TIME_OPTION_HELP)
@pass_site
def resolve(site: Site, incident_id: str, message: str, at: str | datetime | None) -> None:
    """Close an incident (or complete a maintenance) with a final update."""
    _append(site.project, incident_id, None, message, at, None, closing=True)


@click.command()
@config_option
@click.argument("incident_id", metavar="ID")
@click.option(
    "--update",
    "update_time",
    type=TimeParam(),
    default=None,
    help="The time of the update to withdraw, as in its heading (default: the whole incident).",
)
@click.option("--reason", required=True, help="Why it is withdrawn: shown in its place, instead of its words.")
@click.option("--at", type=TimeParam(), default=None, help="When it is withdrawn (default: now).")
@pass_site
def withdraw(
    site: Site, incident_id: str, update_time: str | datetime | None, reason: str, at: str | datetime | None
) -> None:
    """Withdraw a published update (or a whole incident): its words leave the site, the fact stays.

    The file keeps a 'withdrawn:' entry with the date and the reason, which the page, the feeds and
    the API show in its place; the update's section is removed from the file. Its words remain in
    the git history (see the README, "Corrections and withdrawals")."""
    project = site.project
    content, _ = load_checked(project)
    reason = " ".join(reason.split())
    if not any(ch.isalnum() for ch in reason):
        raise click.BadParameter("say why it is withdrawn, in a few words the public will read", param_hint="--reason")
    incident = _incident_for(incident_id, content.incidents, project)
    path = Path(incident.path)
    moment = resolve_time(at, project, "--at") or now_in(project)
    entry = {"at": format_time(moment.astimezone(project.settings.timezone)), "reason": reason}
    removed: list[int] = []
    if update_time is not None:
        when = resolve_time(update_time, project, "--update")
        assert when is not None
        if any(w.update == when for w in incident.withdrawn_updates):
            raise click.ClickException(f"{shown(path)}: the update of {format_time(when)} is already withdrawn")
        still = [u for u in incident.updates if u.at == when]
        if still and len(incident.updates) == 1:
            raise click.ClickException(
                f"{shown(path)}: this is its only update — withdraw the whole incident: balise withdraw {incident.id} --reason …"
            )
        if moment < when:
            raise click.BadParameter(f"{format_time(moment)} is before the update itself", param_hint="--at")
        removed = [u.line for u in still]
        if not still:
            _refuse_an_unpublished_time(project, content, incident, when)
        entry = {"update": format_time(when), **entry}
    raw = path.read_bytes().decode("utf-8")  # keep the writer's line endings exactly
    text = withdrawn_text(raw, removed, entry, whole=update_time is None)
    _write_incident(path, text, project, {c.id for c in content.components})
    click.echo(shown(path))
    if update_time is not None and not removed:
        click.echo(f"note: no update of {entry['update']} in the file: its withdrawal is recorded", err=True)


def _refuse_an_unpublished_time(
    project: Project, content: loaders.Content, incident: model.Incident, when: datetime
) -> None:
    """An update no longer in the file is withdrawn only if git history says it was published there
    and removed: a mistyped time would otherwise tell the public of an update that never was."""

    def removals(trial: model.Incident) -> list[str]:
        report = Collector(project.root)
        others = [trial if i is incident else i for i in content.incidents]
        assert project.plugin.sources is not None
        apply_amendments(project.plugin.sources, replace(content, incidents=others), report)
        return [p.message for p in report.errors if (project.root / p.path).resolve() == Path(incident.path).resolve()]

    before = removals(incident)
    withdrawal = model.Withdrawal(on=when, reason="-", update=when)
    if len(removals(replace(incident, withdrawals=(*incident.withdrawals, withdrawal)))) < len(before):
        return
    hint = f": {before[0].split(' — ')[0]}" if before else ": none of its published updates is missing"
    raise click.ClickException(
        f"{shown(Path(incident.path))}: no update of {format_time(when)} was published and removed here{hint} — "
        "give --update the time in the removed update's heading; nothing was written"
    )
