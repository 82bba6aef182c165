"""The delivery ledger: one JSON line per thing decided about a channel and an event, appended and
flushed to disk before the next send, so that a run that dies half-way has recorded every delivery
it made but, at worst, the one in flight (which the next run sends again, with the same delivery id).

Lines are never rewritten: the last one for a (channel, event) is its state — `sent`, `skipped`
(too old, or filtered out when first seen) or `failed` (tried again next run until `max_age`). A
`run` line dates each run of each channel: an event it has not seen became public after that run.
A torn last line (the machine stopped mid-write) is ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

FINAL = ("sent", "skipped")


@dataclass(frozen=True)
class Record:
    state: str
    public: datetime  # when the event became public, as first judged
    delivery: str


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        self.records: dict[tuple[str, str], Record] = {}
        self.runs: dict[str, datetime] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                self._read(line)

    def _read(self, line: str) -> None:
        try:
            data = json.loads(line)
            if "run" in data:
                self.runs[data["channel"]] = datetime.fromisoformat(data["run"])
            else:
                key = (data["channel"], data["event"])
                self.records[key] = Record(data["state"], datetime.fromisoformat(data["public"]), data["delivery"])
        except (ValueError, KeyError, TypeError):
            return  # a torn line: what it was about is decided again

    def get(self, channel: str, event: str) -> Record | None:
        return self.records.get((channel, event))

    def last_run(self, channel: str) -> datetime | None:
        return self.runs.get(channel)

    def record(self, channel: str, event: str, state: str, public: datetime, delivery: str, at: datetime) -> None:
        self.records[channel, event] = Record(state, public, delivery)
        line = {"channel": channel, "event": event, "state": state, "public": public.isoformat()}
        self._append({**line, "delivery": delivery, "at": at.isoformat()})

    def ran(self, channel: str, at: datetime) -> None:
        self.runs[channel] = at
        self._append({"channel": channel, "run": at.isoformat()})

    def _append(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as file:
            if file.tell() and not _ends_with_newline(self.path):
                file.write(b"\n")  # after a torn line, start a clean one
            file.write(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
            file.flush()
            os.fsync(file.fileno())


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"
