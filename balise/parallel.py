"""Incident pages rendered on every core: forked workers each write a share of them.

A page depends only on the content and the build's reference time, so the bytes written are
the same whichever process renders them, and the same as a serial build. Workers are forked
(they inherit the loaded content and compiled templates, nothing is pickled but the list of
paths they wrote) and only from a single-threaded process, where forking is safe; anywhere
else, or for a short history where a fork costs more than it saves, the build stays serial.
`BALISE_JOBS=1` forces a serial build.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

MIN_INCIDENTS = 300  # below this, the pages render faster than a worker starts
MAX_JOBS = 8
CHUNK = 25  # incidents per unit of work


@dataclass
class Shares:
    """The paths written by the worker processes, once they have all finished."""

    written: list[str] = field(default_factory=list)


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
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


@contextmanager
def incident_workers(renderer, site_dir: Path):
    """Around the rendering of the other pages: workers render incident pages meanwhile, taking
    chunks from a shared counter; this process joins them on exit, then waits for them all.
    Whoever is free takes the next chunk, so a core busy with something else slows nothing down."""
    shares = Shares()
    incidents = renderer.page.incidents
    count = jobs()
    if count < 2 or len(incidents) < MIN_INCIDENTS or not can_fork():
        yield shares
        return
    chunks = [incidents[start : start + CHUNK] for start in range(0, len(incidents), CHUNK)]
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    workers = []
    try:
        for _ in range(count - 1):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(renderer, site_dir, chunks, counter, sender), daemon=True)
            process.start()
            sender.close()
            workers.append((process, receiver))
        renderer._incidents_elsewhere = True
        try:
            yield shares
        finally:
            renderer._incidents_elsewhere = False
        done = dict(_take(renderer, site_dir, chunks, counter))
        for process, receiver in workers:
            try:
                outcome, value = receiver.recv()
            except EOFError:
                outcome, value = "error", RuntimeError(f"a page-rendering worker died (exit code {process.exitcode})")
            if outcome == "error":
                raise value
            done.update(value)
        shares.written = [path for index in sorted(done) for path in done[index]]
    finally:
        for process, receiver in workers:
            process.join(timeout=1 if sys.exc_info()[0] is None else 0)
            if process.is_alive():
                process.terminate()
                process.join()
            receiver.close()


def _take(renderer, site_dir: Path, chunks, counter):
    """Render chunks until none is left: yields (chunk index, paths written)."""
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        if index >= len(chunks):
            return
        pages = (item for incident in chunks[index] for item in renderer.incident_pages(incident))
        yield index, renderer._write_pages(site_dir, pages)


def _work(renderer, site_dir: Path, chunks, counter, sender) -> None:
    try:
        result = ("ok", list(_take(renderer, site_dir, chunks, counter)))
    except BaseException as error:  # noqa: BLE001 — handed to the parent, which raises it
        result = ("error", error)
    try:
        sender.send(result)
    except Exception:  # the error itself could not be pickled: send its text
        sender.send(("error", RuntimeError("".join(traceback.format_exception(result[1])))))
    finally:
        sender.close()
