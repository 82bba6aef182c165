"""A source's documents: files in a folder, or addresses fetched over http(s) within a time limit and
a size cap per document (`balise ingest`'s own fetching). Anything wrong is a `SourceError`, one line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from balise.importers.records import SourceError
from balise.transparency.ingest import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, FeedError, fetch, size_text


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES


def is_address(source: str) -> bool:
    """A source written as an address (`scheme://…`) rather than a folder or file."""
    return "://" in source


def read_address(url: str, limits: Limits, headers: dict[str, str] | None = None) -> bytes:
    if urlsplit(url).scheme not in ("http", "https"):
        raise SourceError(f"{url}: not an http:// or https:// address — give the page's https:// address or a folder")
    try:
        return fetch(url, limits.timeout, limits.max_bytes, headers, purpose="import")
    except FeedError as error:
        raise SourceError(f"{url}: {error}") from None


def read_path(path: Path, limits: Limits) -> bytes:
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise SourceError(
                f"{path}: is {size_text(size)}, over the {size_text(limits.max_bytes)} limit (--max-bytes)"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file — check the folder holds the saved documents") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot be read ({error.strerror or error})") from None


def json_document(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"{where}: is not a JSON document ({error}) — is it the right address or file?") from None


def parse_moment(value: Any, where: str = "") -> datetime | None:
    """An ISO 8601 time as another system writes it; one without an offset is UTC (as Hugo and
    Statuspage read them). None if there is none or it cannot be read."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = str(value).strip()
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
