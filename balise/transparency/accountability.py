"""How well we kept our crisis-communication promises, computed from the published incidents.

Pure functions over `balise.content.model.Incident` (no I/O, no MkDocs), per calendar quarter in the
site's time zone. Only `kind: incident` counts: maintenance is planned and notices (e.g. a phishing
warning) are not disruptions of our services.

- **Time to first public update**: from the incident's recorded start (`started_at`) to its first
  update. Incidents without a recorded start are left out (their delay would be 0 by definition)
  and counted in `ttfu_unknown`.
- **Promises kept**: every update that promises a next update is a promise. It is kept when the
  following update is published at or before the promised time, broken when it is later or when
  none came and the time has passed (`Incident.is_overdue`: the latest update's promise, or the
  front matter's `next_update` written after it). A promise still in the future, or one made by
  the closing update, is not counted.
- **Time to resolve**: from the start to the closing update, for closed incidents; for one that
  was reopened, the time it was open: to its first closing, plus each reopening to the next.
- **Postmortems**: closed major or critical incidents with a published postmortem, among those
  closed more than `postmortem_grace` ago (our commitment: an analysis within a week).

Median: the middle value (the mean of the two middle values for an even count).
90th percentile: nearest rank, the ⌈0.9 × n⌉-th smallest value.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from balise.content.model import Incident

POSTMORTEM_GRACE = timedelta(days=7)


@dataclass(frozen=True)
class QuarterFigures:
    year: int
    quarter: int  # 1..4
    incidents: int
    ttfu_median: timedelta | None
    ttfu_p90: timedelta | None
    ttfu_count: int
    ttfu_unknown: int
    promises_kept: int
    promises_total: int
    ttr_median: timedelta | None
    ttr_count: int
    postmortems_published: int
    postmortems_due: int

    @property
    def label(self) -> tuple[int, int]:
        return self.year, self.quarter

    @property
    def promises_share(self) -> float | None:
        return self.promises_kept / self.promises_total if self.promises_total else None

    @property
    def postmortems_share(self) -> float | None:
        return self.postmortems_published / self.postmortems_due if self.postmortems_due else None


def median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def percentile(values: list[timedelta], share: float) -> timedelta | None:
    """Nearest-rank percentile: the ⌈share × n⌉-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def quarter_of(moment: datetime, zone: ZoneInfo) -> tuple[int, int]:
    local = moment.astimezone(zone)
    return local.year, (local.month - 1) // 3 + 1


def time_to_first_update(incident: Incident) -> timedelta | None:
    if incident.began_at is None:
        return None
    return max(incident.first.at - incident.began_at, timedelta(0))


def promises(incident: Incident, now: datetime) -> tuple[int, int]:
    """(kept, counted) for the next-update promises of an incident: each update's but the last is
    judged by the update that followed it; the last one's is the promise in force
    (`Incident.promised_update`, which the front matter's `next_update` may give), broken once overdue."""
    kept = counted = 0
    for update, following in pairwise(incident.updates):
        if update.next_update is not None:
            counted += 1
            kept += following.at <= update.next_update
    if incident.is_overdue(now):
        counted += 1  # nobody spoke by the promised time: broken
    # else: still in the future, or the incident is closed: not counted
    return kept, counted


def time_to_resolve(incident: Incident) -> timedelta | None:
    if not incident.is_closed:
        return None
    if incident.reopening_times:  # the time it was open again counts, not the time it was closed between
        return sum((end - start for start, end in incident.open_spans(incident.latest.at)), timedelta(0))
    return max(incident.latest.at - incident.started_at, timedelta(0))


def postmortem_status(incident: Incident, now: datetime, grace: timedelta = POSTMORTEM_GRACE) -> bool | None:
    """True/False for a closed major or critical incident whose postmortem is due; None otherwise."""
    if incident.impact not in ("major", "critical") or not incident.is_closed:
        return None
    if incident.postmortem.strip():
        return True
    if now - incident.latest.at < grace:
        return None  # not due yet
    return False


def quarterly(
    incidents: list[Incident], zone: ZoneInfo, now: datetime, grace: timedelta = POSTMORTEM_GRACE
) -> list[QuarterFigures]:
    """The figures for every quarter with at least one incident, newest quarter first."""
    by_quarter: dict[tuple[int, int], list[Incident]] = {}
    for incident in incidents:
        if incident.kind != "incident" or not incident.updates:
            continue
        by_quarter.setdefault(quarter_of(incident.started_at, zone), []).append(incident)
    result = []
    for (year, quarter), members in sorted(by_quarter.items(), reverse=True):
        ttfu = [d for i in members if (d := time_to_first_update(i)) is not None]
        ttr = [d for i in members if (d := time_to_resolve(i)) is not None]
        kept = counted = 0
        for incident in members:
            k, c = promises(incident, now)
            kept, counted = kept + k, counted + c
        postmortems = [s for i in members if (s := postmortem_status(i, now, grace)) is not None]
        result.append(
            QuarterFigures(
                year=year,
                quarter=quarter,
                incidents=len(members),
                ttfu_median=median(ttfu),
                ttfu_p90=percentile(ttfu, 0.9),
                ttfu_count=len(ttfu),
                ttfu_unknown=len(members) - len(ttfu),
                promises_kept=kept,
                promises_total=counted,
                ttr_median=median(ttr),
                ttr_count=len(ttr),
                postmortems_published=sum(postmortems),
                postmortems_due=len(postmortems),
            )
        )
    return result
