"""Incident files rendered on every core: forked workers each write a share of them.

Used by the pipeline's writer (`pipeline.write`): it knows nothing of pages or templates, only a
function that gives an incident's files and one that writes files. A file depends only on the
content and the build's reference time, so the bytes written are the same whichever process
renders them, and the same as a serial build. Workers are forked
(they inherit the loaded content and compiled templates, nothing is pickled but the list of
paths they wrote) and only from a single-threaded process, where forking is safe; anywhere
else, or for a short history where a fork costs more than it saves, the build stays serial.
`BALISE_JOBS=1` forces a serial build.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # multiprocessing is imported only to fork (12 ms of every small build otherwise)
    from multiprocessing.connection import Connection
    from multiprocessing.sharedctypes import Synchronized

Work = tuple[
    list[list[Any]],  # chunks of incidents
    Callable[[Any], Iterable[tuple[str, object]]],  # an incident's files
    Callable[[Iterable[tuple[str, object]]], list[str]],  # writes files, returns their paths
    Callable[[], object] | None,  # what a worker hands back besides its paths
]

MIN_INCIDENTS = 300  # below this, the pages render faster than a worker starts
MAX_JOBS = 8
CHUNK = 25  # incidents per unit of work


@dataclass
class Shares:
    """The paths written by the worker processes, once they have all finished."""

    written: list[str] = field(default_factory=list)
    parallel: bool = False  # False: nobody else writes the incidents' files
    collected: list[object] = field(default_factory=list)  # what each worker's `collect()` gave


def jobs() -> int:
    """How many processes to render with: BALISE_JOBS, else the cores this process may use."""
    wanted = os.environ.get("BALISE_JOBS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), MAX_JOBS)
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_JOBS))


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1  # multiprocessing's "fork" start method


@contextmanager
def incident_workers(
    incidents: list[Any],
    files_of: Callable[[Any], Iterable[tuple[str, object]]],
    write_files: Callable[[Iterable[tuple[str, object]]], list[str]],
    collect: Callable[[], object] | None = None,
) -> Iterator[Shares]:
    """Around the writing of the site-wide files: workers write each incident's files
    (`files_of(incident)`, written by `write_files(pairs) -> paths`) meanwhile, taking chunks from a
    shared counter; this process joins them on exit, then waits for them all. Whoever is free takes
    the next chunk, so a core busy with something else slows nothing down. When the build stays
    serial, `shares.parallel` is False and the caller writes the incidents' files itself. Each
    worker hands back `collect()` too, once done (what it recorded), in `shares.collected`."""
    shares = Shares()
    count = jobs()
    if count < 2 or len(incidents) < MIN_INCIDENTS or not can_fork():
        yield shares
        return
    import multiprocessing

    shares.parallel = True
    chunks = [incidents[start : start + CHUNK] for start in range(0, len(incidents), CHUNK)]
    work: Work = (chunks, files_of, write_files, collect)
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    workers = []
    try:
        for _ in range(count - 1):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(work, counter, sender), daemon=True)
            process.start()
            sender.close()
            workers.append((process, receiver))
        yield shares
        done = dict(_take(work, counter))
        for process, receiver in workers:
            try:
                outcome, value = receiver.recv()
            except EOFError:
                outcome, value = "error", RuntimeError(f"a page-rendering worker died (exit code {process.exitcode})")
            if outcome == "error":
                raise value
            finished, collected = value
            done.update(finished)
            shares.collected.append(collected)
        shares.written = [path for index in sorted(done) for path in done[index]]
    finally:
        for process, receiver in workers:
            process.join(timeout=1 if sys.exc_info()[0] is None else 0)
            if process.is_alive():
                process.terminate()
                process.join()
            receiver.close()


def _take(work: Work, counter: Synchronized[int]) -> Iterator[tuple[int, list[str]]]:
    """Write chunks until none is left: yields (chunk index, paths written)."""
    chunks, files_of, write_files, _ = work
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        if index >= len(chunks):
            return
        yield index, write_files(item for incident in chunks[index] for item in files_of(incident))


def _work(work: Work, counter: Synchronized[int], sender: Connection) -> None:
    result: tuple[str, object]
    try:
        finished = list(_take(work, counter))
        result = ("ok", (finished, work[3]() if work[3] else None))
    except BaseException as error:  # noqa: BLE001 — handed to the parent, which raises it
        result = ("error", error)
    try:
        sender.send(result)
    except Exception:  # noqa: BLE001 — the error itself could not be pickled: send its text
        failure = result[1] if isinstance(result[1], BaseException) else RuntimeError(repr(result[1]))
        sender.send(("error", RuntimeError("".join(traceback.format_exception(failure)))))
    finally:
        sender.close()
