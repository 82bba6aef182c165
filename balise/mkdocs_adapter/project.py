"""A balise site on disk: its mkdocs.yml, the balise plugin's settings, and its content."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import yaml
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError

from balise.content import loaders
from balise.content.model import Settings
from balise.errors import Collector, ContentError, Problem, one_line, show_problems
from balise.mkdocs_adapter.plugin import BalisePlugin
from balise.notify.config import Entry
from balise.pipeline import stages as pipeline
from balise.pipeline.unchanged import config_key


@dataclass
class Project:
    config: MkDocsConfig
    plugin: BalisePlugin
    # What the plugin's settings were derived from (`pipeline.unchanged.config_key`), None when
    # reading mkdocs.yml warned (a build without MkDocs would not say it again); and the -d given.
    key: str | None = None
    site_dir_option: str | None = None

    @property
    def root(self) -> Path:
        return self.plugin.root

    @property
    def settings(self) -> Settings:
        settings = self.plugin.settings
        assert settings is not None, "open_project prepares the plugin"
        return settings

    def load(self, report: Collector) -> loaders.Content:
        content = self.plugin.load(report)
        self.plugin.content = content
        return content


def shown(path: Path) -> str:
    """A path as the writer would type it: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def open_project(config_file: str | None, site_dir: str | None = None, strict: bool = False) -> Project:
    """Load mkdocs.yml and prepare the balise plugin, without loading content yet."""
    path = Path(config_file or "mkdocs.yml")
    if not path.exists():
        raise click.ClickException(f"{path}: no such file — run this in a balise site, or give -f path/to/mkdocs.yml")
    options: dict[str, Any] = {"config_file": str(path), "strict": strict}
    if site_dir:
        options["site_dir"] = site_dir
    key = config_key(path, site_dir, strict)
    with _config_messages(path) as said:
        try:
            config = load_config(**options)
        except (ConfigurationError, Abort) as error:  # MkDocs logs each problem, then aborts
            errors = [problem for problem in said if problem.severity == "error"]
            raise ContentError(errors or [Problem(str(path), 1, one_line(str(error)))]) from None
        warned = bool(said)
    plugin = config.plugins.get("balise")
    if not isinstance(plugin, BalisePlugin):
        raise click.ClickException(f"{path}:1: the balise plugin is not enabled — add 'plugins: [balise]'")
    plugin.prepare(config)
    return Project(config, plugin, None if warned else key, site_dir)


@contextmanager
def _config_messages(path: Path) -> Iterator[list[Problem]]:
    """MkDocs logs what is wrong in mkdocs.yml (an option's bad value...) before it aborts: each problem
    is gathered on the line of its option, each warning shown too."""
    errors: list[Problem] = []

    class Gather(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = one_line(record.getMessage())
            problem = Problem(
                str(path),
                _option_line(path, message),
                message,
                "error" if record.levelno >= logging.ERROR else "warning",
            )
            errors.append(problem)
            if problem.severity != "error":
                show_problems([problem])

    logger, handler = logging.getLogger("mkdocs.config"), Gather(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield errors
    finally:
        logger.removeHandler(handler)


# How MkDocs names the option a message is about: "Config value 'site_url': …" or
# "Config value 'plugins': Plugin 'balise' option 'as_of': …".
CONFIG_OPTION = re.compile(r"^Config value '(?P<key>[^']+)'(?:: Plugin '[^']+' option '(?P<option>[^']+)')?")


def _option_line(path: Path, message: str) -> int:
    """The line of mkdocs.yml where the option the message is about is set, else 1."""
    found = CONFIG_OPTION.match(message)
    if found is None:
        return 1
    key = re.compile(rf"^\s*(?:-\s+)?{re.escape(found['option'] or found['key'])}\s*:")
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    found_at = next((number for number, line in enumerate(lines, 1) if key.match(line)), 1)
    # An option in a list of settings (`uptime_sources:`): the line of the sub-option holding the bad value.
    sub = re.search(r"Sub-option '(?P<sub>[^']+)': .*?'(?P<value>[^']+)'", message)
    if sub is not None:
        wrong = re.compile(
            rf"^\s*(?:-\s+)?{re.escape(sub['sub'])}\s*:\s*['\"]?{re.escape(sub['value'])}['\"]?\s*(?:#.*)?$"
        )
        return next((n for n, line in enumerate(lines[found_at:], found_at + 1) if wrong.match(line)), found_at)
    return found_at


def load_checked(project: Project) -> tuple[loaders.Content, Collector]:
    """Load content; raise a ContentError listing every error, if any."""
    report = Collector(project.root)
    content = project.load(report)
    pipeline.validate(report)
    return content, report


def notify_entries(project: Project) -> list[Entry]:
    """The plugin's `notify:` channels as plain data, with the line of each in mkdocs.yml and the
    environment variable each `!ENV` option reads (MkDocs keeps neither)."""
    path = Path(project.config.config_file_path or "mkdocs.yml")
    located = _notify_nodes(path)
    entries = []
    for index, values in enumerate(project.plugin.config.notify):
        node = located[index] if index < len(located) else None
        if not isinstance(node, yaml.MappingNode):
            entries.append(Entry(dict(values), 1))
            continue
        lines, variables = {}, {}
        for key, value in node.value:
            lines[str(key.value)] = key.start_mark.line + 1
            if value.tag == "!ENV":
                names = value.value if isinstance(value, yaml.SequenceNode) else [value]
                variables[str(key.value)] = str(names[0].value) if names else ""
        entries.append(Entry(dict(values), node.start_mark.line + 1, lines, variables))
    return entries


def _notify_nodes(path: Path) -> list[yaml.Node]:
    """The YAML nodes of the balise plugin's `notify:` items (composed, so `!ENV` is left as a tag)."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return []
    plugins = _child(root, "plugins")
    items = plugins.value if isinstance(plugins, yaml.SequenceNode) else []
    for item in items:
        options = _child(item, "balise")
        notify = _child(options, "notify") if options is not None else None
        if isinstance(notify, yaml.SequenceNode):
            return list(notify.value)
    return []


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if name.value == key), None)
