"""An Atlassian Statuspage page: its public API v2 documents (from the page's address, or saved in a
folder) and, for the history beyond the public API's latest incidents, the manage API
(`/v1/pages/{page_id}/incidents`, page by page, with a key read from the environment only)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from balise.content import model
from balise.importers.records import Component, Group, Imported, Incident, SourceError, Update
from balise.importers.sources import Limits, is_address, json_document, parse_moment, read_address, read_path

PUBLIC_DOCUMENTS = ("summary.json", "components.json", "incidents.json", "scheduled-maintenances.json")
MANAGE_API = "https://api.statuspage.io/v1"
KEY_VARIABLE = "STATUSPAGE_API_KEY"
PER_PAGE = 100
MAX_PAGES = 1000  # 100,000 incidents: a page that never ends is a server's bug, not a history
WORST_FIRST = list(reversed(list(model.ComponentStatus)))


def read(
    source: str,
    limits: Limits,
    full_history: bool = False,
    api_url: str = MANAGE_API,
    environ: Mapping[str, str] = os.environ,
) -> Imported:
    documents, base = _public_documents(source, limits)
    summary = documents.get("summary.json") or {}
    page = _mapping(summary.get("page") or documents.get("components.json", {}).get("page") or {})
    page_url = str(page.get("url") or base or "").rstrip("/")
    imported = Imported("statuspage", source)
    raw_components = _list(documents.get("components.json") or summary, "components", "components.json")
    _components(raw_components, imported)
    found: dict[str, dict[str, Any]] = {}
    for name, key in (
        ("summary.json", "incidents"),
        ("summary.json", "scheduled_maintenances"),
        ("incidents.json", "incidents"),
        ("scheduled-maintenances.json", "scheduled_maintenances"),
    ):
        for raw in _list(documents.get(name) or {}, key, name):
            found[str(raw.get("id"))] = raw
    if full_history:
        for raw in _manage_api_incidents(str(page.get("id") or ""), api_url, limits, environ):
            found[str(raw.get("id"))] = raw  # the manage API's has the postmortem, impact_override…
    keys = {c.key for c in imported.components}
    imported.incidents = [_incident(raw, page_url, keys) for raw in found.values()]
    return imported


def _public_documents(source: str, limits: Limits) -> tuple[dict[str, Any], str]:
    documents: dict[str, Any] = {}
    if is_address(source):
        base = source.rstrip("/").removesuffix("/api/v2").removesuffix("/summary.json").removesuffix("/api/v2")
        for name in PUBLIC_DOCUMENTS:
            url = f"{base}/api/v2/{name}"
            documents[name] = json_document(read_address(url, limits, {"Accept": "application/json"}), url)
        return documents, base
    folder = Path(source)
    if not folder.is_dir():
        raise SourceError(f"{source}: no such folder — give the page's address or a folder of saved API documents")
    for name in PUBLIC_DOCUMENTS:
        if (folder / name).is_file():
            documents[name] = json_document(read_path(folder / name, limits), str(folder / name))
    if "summary.json" not in documents and "components.json" not in documents:
        raise SourceError(
            f"{source}: neither summary.json nor components.json here — save the page's /api/v2/summary.json, "
            "components.json, incidents.json and scheduled-maintenances.json in this folder"
        )
    return documents, ""


def _manage_api_incidents(
    page_id: str, api_url: str, limits: Limits, environ: Mapping[str, str]
) -> list[dict[str, Any]]:
    key = environ.get(KEY_VARIABLE, "").strip()
    if not key:
        raise SourceError(
            f"--full-history reads the manage API with your key: set it in the {KEY_VARIABLE} environment "
            "variable (never on the command line, nor in a file in git)"
        )
    if not page_id:
        raise SourceError("the page's id is not in summary.json — cannot ask the manage API for its incidents")
    incidents: list[dict[str, Any]] = []
    for number in range(1, MAX_PAGES + 1):
        url = f"{api_url.rstrip('/')}/pages/{page_id}/incidents?page={number}&per_page={PER_PAGE}"
        data = json_document(
            read_address(url, limits, {"Authorization": f"OAuth {key}", "Accept": "application/json"}), url
        )
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise SourceError(f"{url}: is not a list of incidents — is the page id right?")
        if not data:  # the page after the last (a server may send fewer than asked per page)
            break
        incidents += data
    return incidents


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(document: Any, key: str, name: str) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        raise SourceError(f"{name}: is not a Statuspage API document (expected an object with '{key}')")
    items = document.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("id") for i in items):
        raise SourceError(f"{name}: '{key}' is not a list of entries with ids — is it a Statuspage API document?")
    return items


def _components(raw: list[dict[str, Any]], imported: Imported) -> None:
    """Groups and components in the page's order (by position, each group followed by its members)."""
    by_position = sorted(raw, key=lambda c: (c.get("position") or 0, str(c.get("name"))))
    members: dict[str, list[dict[str, Any]]] = {}
    for item in by_position:
        if item.get("group_id") and not item.get("group"):
            members.setdefault(str(item["group_id"]), []).append(item)
    groups = {str(item["id"]) for item in by_position if item.get("group")}
    for item in by_position:
        if item.get("group"):
            imported.groups.append(Group(str(item["id"]), _text(item.get("name")), _text(item.get("description"))))
            for member in members.get(str(item["id"]), []):
                imported.components.append(_component(member, str(item["id"])))
        elif not item.get("group_id") or str(item["group_id"]) not in groups:
            if item.get("group_id"):
                imported.note(f"component '{item.get('name')}' names a group not in the page: imported without one")
            imported.components.append(_component(item, None))


def _component(item: dict[str, Any], group: str | None) -> Component:
    return Component(str(item["id"]), _text(item.get("name")) or str(item["id"]), _text(item.get("description")), group)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _incident(raw: dict[str, Any], page_url: str, component_keys: set[str]) -> Incident:
    key = str(raw["id"])
    maintenance = raw.get("impact") == "maintenance" or bool(raw.get("scheduled_for"))
    incident = Incident(key, _text(raw.get("name")) or key, kind="maintenance" if maintenance else "incident")
    impact = raw.get("impact_override") or raw.get("impact") or "none"
    if impact in model.IMPACTS:
        incident.impact = str(impact)
    elif not maintenance:
        incident.impact = "minor"
        incident.notes.append(f"impact '{impact}' is not one of none, minor, major, critical: written 'minor'")
    postmortem = str(raw.get("postmortem_body") or "")
    worst: dict[str, str] = {}
    for item in reversed(raw.get("incident_updates") or []):  # newest first in the API: ties keep their order
        at = parse_moment(item.get("display_at")) or parse_moment(item.get("created_at"))
        if at is None:
            incident.notes.append(f"an update with no readable time ({item.get('display_at')!r}) left out")
            continue
        if item.get("status") == "postmortem":  # Statuspage's postmortem, published as an update
            postmortem = postmortem or str(item.get("body") or "")
            continue
        incident.updates.append(Update(at, str(item.get("status") or ""), str(item.get("body") or "")))
        for affected in item.get("affected_components") or []:
            code, status = str(affected.get("code")), affected.get("new_status")
            if status in model.COMPONENT_STATUSES and status != "operational":
                worst[code] = min(worst.get(code) or status, status, key=WORST_FIRST.index)
            worst.setdefault(code, "")
    listed = [str(c.get("id")) for c in raw.get("components") or [] if isinstance(c, dict)] + list(worst)
    for code in dict.fromkeys(listed):
        if code not in component_keys:
            incident.notes.append(f"component '{code}' is not among the page's components: left out")
            continue
        incident.components[code] = None if maintenance else (worst.get(code) or None)
    incident.postmortem = postmortem
    incident.started_at = parse_moment(raw.get("started_at"))
    incident.scheduled_for = parse_moment(raw.get("scheduled_for"))
    incident.scheduled_until = parse_moment(raw.get("scheduled_until"))
    incident.url = f"{page_url}/incidents/{key}" if page_url else str(raw.get("shortlink") or "")
    return incident
