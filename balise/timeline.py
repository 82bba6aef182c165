"""The timeline syntax of an incident file's body, read and written.

An incident file is YAML front matter followed by its updates, oldest first, each under a
second-level heading that gives its time and status::

    ## 2026-11-21 14:05 +01:00 — investigating

    Le paiement en ligne est indisponible. Nous cherchons la cause.

    Next update: 2026-11-21 15:00 +01:00

A new update is appended at the end (before a ``## Postmortem`` section if there is one),
so adding one touches a single place and shows as a pure addition in a diff. Any dash,
``|`` or ``·`` separates the time from the status, and the status may be written in
English or French. The optional last line promises the next update.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache

HEADING = re.compile(r"^##(?!#)\s*(?P<text>.*?)\s*#*\s*$")
# Any dash (typed '--' or '---' where the keyboard has no '—'), '|', '·' or ':' between time and status.
UPDATE_HEADING = re.compile(r"^(?P<when>\d.*?)\s+(?:—|–|-{1,3}|\||·|:)\s+(?P<status>\S.*)$")
SEPARATORS_HINT = "'—', '-', '--', '|' or '·'"
# A heading with one, three or more '#' that reads like an update: a slip of the keyboard.
ODD_HEADING = re.compile(r"^(?:#|#{3,6})\s+(?P<text>\d{4}-\d{2}-\d{2}.*?)\s*#*\s*$")
DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
POSTMORTEM_HEADING = "Postmortem"
POSTMORTEM_TITLES = {
    "postmortem",
    "post-mortem",
    "post mortem",
    "retour d'experience",
    "retour d’experience",
    "retex",
    "lessons learned",
    "lecons tirees",
    "enseignements",
}
# The ways writers label a promise, on the accent-free lower-case line (`plain`): "Next update",
# "Prochaine mise à jour", "Prochaine MAJ", "Prochain point (prévu)"…
PROMISE_LABEL = (
    r"(?:next\s+update|prochaine?\s+(?:mise\s*-?\s*a\s*-?\s*jour|m\.?\s?a\.?\s?j\.?|point(?:\s+d'etape)?))"
    r"(?:\s+(?:expected|planned|scheduled|at|by|prevue?|attendue?))?"
)
NEXT_UPDATE_LINE = re.compile(
    rf"^\s*[*_]*\s*{PROMISE_LABEL}\s*[*_]*\s*:\s*[*_]*\s*(?P<when>.+?)\s*[*_.]*\s*$",
    re.IGNORECASE,
)
# A line that starts like a promise: if it is not read as one, the writer is told how to write it.
LOOKS_LIKE_PROMISE = re.compile(rf"^\s*[*_]*\s*{PROMISE_LABEL}\b", re.IGNORECASE)
NEXT_UPDATE_START = re.compile(r"^\s*[*_]*\s*(?:next|proch)", re.IGNORECASE)
PROMISE_HINT = (
    "write it as the update's last line: 'Next update: 2026-11-21 15:00 +01:00' (or 'Prochaine mise à jour : …')"
)
TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[T ]\s*|\s+)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?(?:\s*(?P<abbr>[A-Za-z]{2,5}))?$",
    re.IGNORECASE,
)
# Zone names writers type after a time, and what each means; the name alone is refused, as the
# same letters can name several zones and a season is easy to get wrong.
ZONE_ABBREVIATIONS = {
    "wet": "+00:00",
    "west": "+01:00",
    "bst": "+01:00",
    "cet": "+01:00",
    "cest": "+02:00",
    "hnec": "+01:00",
    "haec": "+02:00",
    "met": "+01:00",
    "mest": "+02:00",
    "eet": "+02:00",
    "eest": "+03:00",
    "msk": "+03:00",
    "est": "-05:00",
    "edt": "-04:00",
    "cdt": "-05:00",
    "mst": "-07:00",
    "mdt": "-06:00",
    "pst": "-08:00",
    "pdt": "-07:00",
    "jst": "+09:00",
    "aest": "+10:00",
    "aedt": "+11:00",
    "nzst": "+12:00",
    "nzdt": "+13:00",
}
EXAMPLE_TIME = datetime(2026, 11, 21, 14, 5)


def offset_in(zone: tzinfo | None, moment: datetime | None = None) -> str:
    """The UTC offset a writer should type for a wall-clock `moment` in `zone` ('+01:00'), for
    hints; without a zone, Paris in winter, the example used throughout the README."""
    if zone is None:
        return "+01:00"
    offset = _localize((moment or EXAMPLE_TIME).replace(tzinfo=None), zone).utcoffset() or timedelta(0)
    sign, minutes = ("-" if offset < timedelta(0) else "+"), abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


DELAY = re.compile(r"^\+\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*(?:min|mn|m)?)?$", re.IGNORECASE)


def parse_delay(text: str) -> timedelta | None:
    """A delay such as `+30min`, `+1h`, `+1h30` (for `Next update`), or None if `text` is not one."""
    match = DELAY.match(str(text).strip())
    if not match or not (match["h"] or match["m"]):
        return None
    return timedelta(hours=int(match["h"] or 0), minutes=int(match["m"] or 0))


def later(moment: datetime, delay: timedelta) -> datetime:
    """`delay` after `moment` as time elapses: one hour after 02:30 on the night clocks go back is 02:30
    again (in the other offset), not 03:30 — aware arithmetic in one zone would count wall-clock time."""
    return (moment.astimezone(timezone.utc) + delay).astimezone(moment.tzinfo)


PLAUSIBLE_YEARS = (1900, 2999)


class TimeError(ValueError):
    """A time that cannot be used; its message says how to write it."""


@lru_cache(maxsize=4096)  # the same few status words, over and over
def plain(text: str) -> str:
    """Lower case without accents, for forgiving comparisons of words a person typed."""
    if text.isascii():  # nothing to decompose: most lines
        return text.strip().lower()
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def parse_time(text: str, default_tz: tzinfo | None = None, hint_zone: tzinfo | None = None) -> datetime:
    """An ISO 8601 time. Without an offset it is read in `default_tz`, or refused if there is none.
    Hints give the offset of `hint_zone` (the site's zone, or `default_tz`) at that date."""
    zone = hint_zone or default_tz
    match = TIME.match(str(text).strip())
    if not match:
        example = f"{format_time(EXAMPLE_TIME.replace(tzinfo=timezone.utc))[:-7]} {offset_in(zone)}"
        raise TimeError(f"'{text}' is not a time — write it as {example} (ISO 8601 with its UTC offset)")
    try:
        moment = datetime.fromisoformat(f"{match['date']}T{int(match['h']):02d}:{match['m']}:{match['s'] or '00'}")
    except ValueError as error:
        raise TimeError(f"'{text}' is not a real date or time ({error}) — check the day, month and hour") from None
    if not PLAUSIBLE_YEARS[0] <= moment.year <= PLAUSIBLE_YEARS[1]:  # also keeps time arithmetic in range
        raise TimeError(f"'{text}': the year {moment.year} is not plausible — check the date")
    offset, abbreviation = match["tz"], match["abbr"]
    if abbreviation:
        raise TimeError(_zone_name_hint(str(text).strip(), abbreviation, offset is not None, moment, zone))
    if offset is None:
        if default_tz is None:
            raise TimeError(
                f"'{text}' has no UTC offset, so it could mean several moments — add one, e.g. "
                f"'{text.strip()} {offset_in(zone, moment)}'"
            )
        return _localize(moment, default_tz)
    if offset.upper() in ("Z", "UTC", "GMT"):
        return moment.replace(tzinfo=timezone.utc)
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise TimeError(f"'{text}' has an impossible UTC offset '{offset}' — offsets go from -12:00 to +14:00")
    return moment.replace(tzinfo=fixed_offset((hours * 60 + minutes) * (1 if offset[0] == "+" else -1)))


@cache
def fixed_offset(minutes: int) -> timezone:
    """One object per UTC offset for every time read: two times of the same offset then compare
    without each being asked its offset (the aggregates compare 20,000 incidents' times), and the
    build cache pickles the offset once per file rather than once per time."""
    return timezone(timedelta(minutes=minutes))


def _zone_name_hint(text: str, abbreviation: str, has_offset: bool, moment: datetime, zone: tzinfo | None) -> str:
    """Why '10:21 CET' is refused, and the offset to write instead."""
    without = text[: len(text) - len(abbreviation)].rstrip()
    if has_offset:
        return f"'{text}': write only the UTC offset — remove '{abbreviation}': '{without}'"
    meant = ZONE_ABBREVIATIONS.get(abbreviation.lower())
    if meant:
        return f"'{text}': write the UTC offset, not the zone's name — {abbreviation} is {meant}: '{without} {meant}'"
    return (
        f"'{text}': '{abbreviation}' is not a UTC offset — write one instead, e.g. "
        f"'{without} {offset_in(zone, moment)}'"
    )


def _localize(moment: datetime, zone: tzinfo) -> datetime:
    """Attach a zone to a wall-clock time; a time skipped by a DST change moves forward."""
    local = moment.replace(tzinfo=zone)
    roundtrip = local.astimezone(timezone.utc).astimezone(zone)
    if roundtrip.replace(tzinfo=None) != moment:  # inside a spring-forward gap
        local = (local.astimezone(timezone.utc)).astimezone(zone)
    return local


def format_time(moment: datetime) -> str:
    """How balise writes a time into a file: readable, and read back to the same instant."""
    text = moment.isoformat(sep=" ", timespec="minutes" if moment.second == 0 else "seconds")
    return text[:-6] + " " + text[-6:]


@dataclass
class RawUpdate:
    line: int
    when: str
    status: str
    message: str
    next_update: str | None = None
    next_update_line: int = 0


@dataclass
class RawBody:
    updates: list[RawUpdate] = field(default_factory=list)
    postmortem: str = ""
    postmortem_line: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)


# CommonMark's fenced code: up to 3 spaces, then 3+ backticks (with no backtick after them on the
# line: "```x``` svp" is inline code) or 3+ tildes.
FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}(?=[^`]*$)|~{3,})")
# A comment within a line; a line that starts one without closing it opens a comment block (a
# '<!--' left open after other text is only text, as CommonMark reads it).
INLINE_COMMENT = re.compile(r"<!--.*?-->")
COMMENT_BLOCK = re.compile(r"^ {0,3}<!--")


class LineReader:
    """What each line of a body is, as far as the timeline cares: inside a fenced code block
    (where nothing is a heading), or in an HTML comment — the writers' internal notes, which are
    dropped from the message so that they reach no page, feed or API document."""

    def __init__(self) -> None:
        self.fence = ""  # the opening fence while inside a code block
        self.fence_line = 0
        self.comment_line = 0  # where the open comment began, 0 outside one

    def read(self, line: str, number: int) -> tuple[str, bool]:
        """(the line without its comments, True if it is code). A line that was all comment
        reads as blank, which ends a paragraph as the comment did."""
        if self.fence:
            closing = line.strip()
            if (
                len(line) - len(line.lstrip(" ")) <= 3
                and closing
                and closing.startswith(self.fence)
                and set(closing) == {self.fence[0]}
            ):
                self.fence = ""
            return line, True
        visible = self._without_comments(line, number) if self.comment_line or "<!--" in line else line
        opening = FENCE_OPEN.match(visible) if visible[:4].lstrip(" ")[:1] in ("`", "~") else None
        if opening:
            self.fence, self.fence_line = opening["fence"], number
            return visible, True
        return visible, False

    def _without_comments(self, line: str, number: int) -> str:
        if self.comment_line:  # in a comment block, which ends on the line holding -->
            end = line.find("-->")
            if end < 0:
                return ""
            self.comment_line, line = 0, line[end + 3 :]
        kept = INLINE_COMMENT.sub("", line)
        if COMMENT_BLOCK.match(kept):  # a line that opens a comment (an HTML block) hides what follows
            self.comment_line = number
            kept = ""
        return kept if kept.strip() or kept == line else ""

    def unclosed(self) -> list[tuple[int, str]]:
        """Problems for a code block or a comment still open at the end of the body."""
        problems = []
        if self.fence:
            problems.append(
                (
                    self.fence_line,
                    f"this code block ({self.fence}) is never closed, so every line "
                    f"after it is read as code — add a closing {self.fence} line",
                )
            )
        if self.comment_line:
            problems.append(
                (
                    self.comment_line,
                    "this comment (<!--) is never closed, so everything after it is hidden — close it with -->",
                )
            )
        return problems


def parse_body(text: str, first_line: int) -> RawBody:
    """Split a body into raw updates; `first_line` is the file line number of the body's first line."""
    body = RawBody()
    current: list[str] | None = None
    current_start = 0
    header: tuple[str, str] | None = None
    in_postmortem = False
    after_bad_heading = False
    code_lines: set[int] = set()  # indexes, in `current`, of lines inside a code block
    lines = LineReader()

    def close() -> None:
        if current is None:
            return
        if in_postmortem:
            body.postmortem = "\n".join(current).strip("\n")
            return
        message_lines = list(current)
        promise, promise_line = None, 0
        while message_lines and not message_lines[-1].strip():
            message_lines.pop()
        last_index = len(message_lines) - 1
        if message_lines and last_index not in code_lines and _is_promise(message_lines[-1]):
            original = message_lines.pop()
            promise = original[original.index(":") + 1 :].strip().strip("*_").strip().rstrip(".").strip()
            promise_line = current_start + last_index + 1
        for index, line in enumerate(message_lines):
            if index in code_lines or not NEXT_UPDATE_START.match(line):
                continue
            if _is_promise(line):
                body.problems.append(
                    (
                        current_start + index + 1,
                        "the 'Next update' line must be the last line of "
                        "its update — move it after the message, or into the next update",
                    )
                )
            elif LOOKS_LIKE_PROMISE.match(plain(line)):
                body.warnings.append(
                    (
                        current_start + index + 1,
                        "this line looks like a next-update promise but "
                        f"is read as message text, so nothing is promised — {PROMISE_HINT}",
                    )
                )
        assert header is not None
        body.updates.append(
            RawUpdate(current_start, header[0], header[1], "\n".join(message_lines).strip("\n"), promise, promise_line)
        )

    for offset, raw_line in enumerate(text.split("\n")):
        number = first_line + offset
        line, code = lines.read(raw_line, number)
        stripped = line.strip()
        heading = None if code else HEADING.match(line)
        if heading is None:
            if (
                not code
                and not in_postmortem
                and (odd := ODD_HEADING.match(line))
                and UPDATE_HEADING.match(odd["text"])
            ):
                body.problems.append(
                    (number, f"an update heading starts with exactly two '#' — write '## {odd['text']}'")
                )
            if current is not None:
                if code:
                    code_lines.add(len(current))
                current.append(line)
            elif stripped and not _is_preamble(stripped) and not after_bad_heading:
                body.problems.append(
                    (
                        number,
                        "text before the first update — put it under an update heading such as "
                        "'## 2026-11-21 14:05 +01:00 — investigating'",
                    )
                )
            continue
        close()
        title = heading["text"]
        if not DATE_START.match(title) and plain(title).rstrip(" :") in POSTMORTEM_TITLES:
            in_postmortem, current, current_start = True, [], number
            body.postmortem_line = number
            continue
        if in_postmortem:  # sub-sections of a postmortem are part of it, but not a late update
            if UPDATE_HEADING.match(title) and DATE_START.match(title):
                body.problems.append(
                    (
                        number,
                        "an update after the postmortem — move it above the "
                        f"'## {POSTMORTEM_HEADING}' line: updates first, the postmortem last",
                    )
                )
            in_postmortem, current = True, (current or []) + [line]
            continue
        match = UPDATE_HEADING.match(title)
        if not match:
            body.problems.append(
                (
                    number,
                    f"'## {title}' is not an update heading — write '## <time> — <status>' (separated by "
                    f"{SEPARATORS_HINT}, with a space on each side), e.g. '## 2026-11-21 14:05 +01:00 — "
                    "investigating', or '## Postmortem'",
                )
            )
            current, header, after_bad_heading = None, None, True  # its text was reported with it
            continue
        current, current_start, header = [], number, (match["when"], match["status"])
        code_lines = set()
    close()
    body.problems += lines.unclosed()
    body.problems.sort()
    return body


def _is_promise(line: str) -> bool:
    # Cheap test on the raw line first ("proch" has no accent): most lines are long sentences.
    return bool(NEXT_UPDATE_START.match(line) and NEXT_UPDATE_LINE.match(plain(line)))


def _is_preamble(stripped: str) -> bool:
    """A top-level title may precede the timeline, for GitHub's preview (comments, anywhere, are
    already gone: `LineReader`)."""
    return stripped.startswith("# ")


def format_update(at: datetime, status: str, message: str, next_update: datetime | None = None) -> str:
    """The text of one update section, as `balise update` appends it."""
    text = f"## {format_time(at)} — {status}\n\n{message.strip()}\n"
    if next_update is not None:
        text += f"\nNext update: {format_time(next_update)}\n"
    return text


def append_update(source: str, section: str) -> str:
    """Insert an update section at the end of the timeline, leaving every other byte alone."""
    newline = "\r\n" if "\r\n" in source else "\n"
    section = section.replace("\n", newline)
    lines = source.splitlines(keepends=True)
    insert_at = len(lines)
    reader = LineReader()
    dashes = 0
    for index, raw_line in enumerate(lines):
        if dashes < 2:
            if raw_line.strip().lstrip("\ufeff") == "---":  # a byte order mark may precede the first
                dashes += 1
            continue
        line, code = reader.read(raw_line.rstrip("\r\n"), index + 1)
        heading = None if code else HEADING.match(line)
        if heading and plain(heading["text"]).rstrip(" :") in POSTMORTEM_TITLES:
            insert_at = index
            break
    before, after = "".join(lines[:insert_at]), "".join(lines[insert_at:])
    if before and not before.endswith(("\n", "\r")):
        before += newline
    if before.strip() and not before.endswith(newline * 2):
        before += newline
    return before + section + (newline + after if after else "")
