"""The uptime sources as mkdocs.yml writes them: the line of each, for problems named `mkdocs.yml:line`.

MkDocs checks the options' types (a typo in `kind:` is its error, with a did-you-mean); what it cannot
know is checked here: each monitor's component exists in status/components.yml, and a token is read
from the environment (`token: !ENV NAME`), never written in the file.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from balise.content.fields import did_you_mean
from balise.errors import Collector


@dataclass
class SourceLines:
    line: int
    token_line: int = 0
    token_from_env: bool = True
    component_lines: list[int] = field(default_factory=list)


def _mapping_get(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found: yaml.Node = value
                return found
    return None


def source_lines(path: Path) -> list[SourceLines]:
    """For each entry of the balise plugin's `uptime_sources:`, its lines (none if unreadable)."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)  # tags kept, not run
    except (OSError, yaml.YAMLError):
        return []
    plugins = _mapping_get(root, "plugins") if root is not None else None
    options = None
    for item in plugins.value if isinstance(plugins, yaml.SequenceNode) else []:
        options = options or _mapping_get(item, "balise")
    sources = _mapping_get(options, "uptime_sources") if options is not None else None
    found = []
    for node in sources.value if isinstance(sources, yaml.SequenceNode) else []:
        entry = SourceLines(node.start_mark.line + 1)
        token = _mapping_get(node, "token")
        if token is not None:
            entry.token_line, entry.token_from_env = token.start_mark.line + 1, token.tag == "!ENV"
        monitors = _mapping_get(node, "monitors")
        for monitor in monitors.value if isinstance(monitors, yaml.SequenceNode) else []:
            component = _mapping_get(monitor, "component")
            entry.component_lines.append((component or monitor).start_mark.line + 1)
        found.append(entry)
    return found


def check_sources(
    config_path: Path, sources: Sequence[Mapping[str, Any]], component_ids: Collection[str], report: Collector
) -> None:
    """An error, at its mkdocs.yml line, for a monitor of an unknown component or a token written in clear."""
    lines = source_lines(config_path)
    for index, source in enumerate(sources):
        where = lines[index] if index < len(lines) else SourceLines(1)
        name = source.get("name")
        if source.get("token") and not where.token_from_env:
            report.error(
                config_path,
                where.token_line or where.line,
                f"uptime source '{name}': a token is a credential — write 'token: !ENV UPTIME_TOKEN' and set "
                "that variable where `balise uptime` runs (a workflow secret), never the token itself in mkdocs.yml",
            )
        for number, monitor in enumerate(source.get("monitors") or []):
            component = str(monitor.get("component"))
            if component not in component_ids:
                line = where.component_lines[number] if number < len(where.component_lines) else where.line
                report.error(
                    config_path,
                    line,
                    f"uptime source '{name}': unknown component '{component}' — "
                    f"{did_you_mean(component, sorted(component_ids))} (ids of status/components.yml)",
                )
