"""Times given on the command line (`--at`, `--next-update`, `--starts`, `--ends`), read in the site's zone."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import click

from balise.mkdocs_adapter.project import Project
from balise.timeline import TIME, TimeError, format_time, later, parse_delay, parse_time, plain


class TimeParam(click.ParamType):  # type: ignore[type-arg]  # generic only since click 8.5; pyproject allows 8.1
    """ISO 8601 (without an offset it is read in the site's time zone, see `resolve_time`), `now`,
    or a delay after the update's time such as `+30min`, `+1h`, `+1h30`."""

    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime) or value is None:
            return value
        text = str(value).strip()
        if plain(text) == "now":
            return datetime.now(timezone.utc).replace(second=0, microsecond=0)
        return text  # resolved against the site's zone once the config is known


def resolve_time(
    value: str | datetime | None, project: Project, option: str, base: datetime | None = None
) -> datetime | None:
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


def _refuse_a_clock_change(value: str, wall: datetime, zone: ZoneInfo, option: str) -> None:
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


def now_in(project: Project) -> datetime:
    return datetime.now(timezone.utc).replace(second=0, microsecond=0).astimezone(project.settings.timezone)


def local(moment: datetime | None, project: Project) -> datetime | None:
    return moment.astimezone(project.settings.timezone) if moment else None
