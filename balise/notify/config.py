"""The channels of `balise notify`, as the site's mkdocs.yml lists them under the plugin's `notify:`.

They arrive as plain data (the MkDocs adapter reads mkdocs.yml): each entry's options, the line it
starts on, and the environment variable each `!ENV` option names. Every problem (an unknown kind, a
missing variable, a malformed address) is one `mkdocs.yml:line: message — how to fix` line, and all
of them are found before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from balise.errors import ContentError, Problem
from balise.i18n import LANGUAGES

# Each kind: the options it requires, and those it may have (besides the common ones).
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "webhook": (("url",), ("secret", "component_updates")),
    "slack": (("url",), ()),
    "teams": (("url",), ()),
    "discord": (("url",), ()),
    "mattermost": (("url",), ()),
    "mastodon": (("url", "token"), ()),
    "bluesky": (("identifier", "password"), ("url",)),
    "email": (("url", "to", "from"), ("list_unsubscribe", "security")),
    "websub": (("url",), ()),
}
COMMON = ("kind", "name", "language", "components", "corrections", "withdrawals", "timeout")
# Corrections of an announced update are announced where readers expect a record (webhooks, chat,
# e-mail, feeds), not on social networks, where a second post reads as a second incident.
# A withdrawal is weightier: it goes everywhere the update could have gone, unless turned off.
SOCIAL = ("mastodon", "bluesky")
BLUESKY_SERVICE = "https://bsky.social"
SCHEMES = {"email": ("smtp", "smtps")}
SECURITY = ("starttls", "tls", "none")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class Entry:
    """One item of `notify:` as mkdocs.yml has it: its options (after `!ENV`), the line it starts
    on, the lines of its options, and the variable each `!ENV` option reads."""

    values: dict[str, object]
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Channel:
    name: str  # the ledger's key for this channel: keep it when editing the rest
    kind: str
    url: str
    line: int
    options: dict[str, str] = field(default_factory=dict)  # the kind's own (secret, token, to…)
    language: str = ""  # "" for the site's
    components: tuple[str, ...] = ()  # only the incidents touching one of these; () for all
    corrections: bool = True
    withdrawals: bool = True
    component_updates: bool = False  # webhook: also Statuspage's component webhooks
    timeout: float = 10.0

    def option(self, key: str) -> str:
        return self.options.get(key, "")


def read_channels(entries: Sequence[Entry], config_path: str, component_ids: set[str]) -> list[Channel]:
    """The channels, or a ContentError listing every problem in them."""
    problems: list[Problem] = []
    channels: list[Channel] = []
    for entry, name in zip(entries, default_names(entries), strict=True):
        found = _channel(entry, name, config_path, component_ids, problems)
        if found is not None:
            channels.append(found)
    names = [channel.name for channel in channels]
    for channel in channels:
        if names.count(channel.name) > 1 and channel is next(c for c in channels if c.name == channel.name):
            problems.append(
                Problem(
                    config_path,
                    channel.line,
                    f"two notify channels are named '{channel.name}' — give each a different 'name:'"
                    " (the ledger records what each channel was sent under its name)",
                )
            )
    if problems:
        raise ContentError(problems)
    return channels


def default_names(entries: Sequence[Entry]) -> list[str]:
    """A channel's name: its `name:`, else its kind, numbered when several share the kind."""
    kinds = [str(entry.values.get("kind", "")) for entry in entries]
    names = []
    for index, (entry, kind) in enumerate(zip(entries, kinds, strict=True)):
        given = entry.values.get("name")
        if given:
            names.append(str(given))
        elif kinds.count(kind) > 1:
            names.append(f"{kind}-{kinds[: index + 1].count(kind)}")
        else:
            names.append(kind)
    return names


def _channel(entry: Entry, name: str, path: str, component_ids: set[str], problems: list[Problem]) -> Channel | None:
    values = dict(entry.values)

    def problem(key: str, message: str) -> None:
        problems.append(Problem(path, entry.lines.get(key, entry.line), message))

    kind = str(values.get("kind") or "")
    if kind not in KINDS:
        known = ", ".join(KINDS)
        problem(
            "kind",
            f"unknown notify channel kind '{kind}' — use one of: {known}"
            if kind
            else f"a notify channel without 'kind:' — add one of: {known}",
        )
        return None
    required, optional = KINDS[kind]
    for key in values:
        if key not in (*COMMON, *required, *optional):
            allowed = ", ".join((*required, *optional, *COMMON[1:]))
            problem(key, f"'{key}' is not an option of a {kind} channel — its options are: {allowed}")
    texts: dict[str, str] = {}
    switches = {key: values.pop(key) for key in ("component_updates",) if key in values}
    for key, value in switches.items():
        if not isinstance(value, bool):
            problem(key, f"'{key}' is true or false")
    for key in (*required, *optional):
        value = values.get(key)
        if value is None or value == "":
            if key in required:
                problem(key, _missing(kind, key, entry.variables.get(key)))
            continue
        if not isinstance(value, str):
            problem(key, f"'{key}' of a {kind} channel is text — quote it")
            continue
        texts[key] = value.strip()
    url = texts.pop("url", BLUESKY_SERVICE if kind == "bluesky" else "")
    if url and not _url_problem(kind, url, texts.get("security", ""), problem):
        url = url.rstrip("/") if kind in ("mastodon", "bluesky") else url
    language = str(values.get("language") or "")
    if language and language not in LANGUAGES:
        problem("language", f"language '{language}' is not one balise writes — use one of: {', '.join(LANGUAGES)}")
    components = values.get("components") or []
    if not isinstance(components, list):
        components = [components]
    for component in components:
        if str(component) not in component_ids:
            problem("components", f"'{component}' is not a component of status/components.yml — use one of its ids")
    corrections = values.get("corrections", kind not in SOCIAL)
    if not isinstance(corrections, bool):
        problem("corrections", "'corrections' is true or false")
    withdrawals = values.get("withdrawals", True)
    if not isinstance(withdrawals, bool):
        problem("withdrawals", "'withdrawals' is true or false")
    timeout = values.get("timeout", 10)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        problem("timeout", "'timeout' is a number of seconds, such as 10")
        timeout = 10
    if "security" in texts and texts["security"] not in SECURITY:
        problem("security", f"'security' is one of: {', '.join(SECURITY)}")
    return Channel(
        name=name,
        kind=kind,
        url=url,
        line=entry.line,
        options=texts,
        language=language,
        components=tuple(str(c) for c in components),
        corrections=bool(corrections),
        withdrawals=bool(withdrawals),
        component_updates=switches.get("component_updates") is True,
        timeout=float(timeout),
    )


def _missing(kind: str, key: str, variable: str | None) -> str:
    if variable:
        return (
            f"the {kind} channel's '{key}' comes from the environment variable {variable}, which is not set — "
            f"set it (in GitHub: Settings → Secrets and variables → Actions → New repository secret {variable})"
        )
    return f"the {kind} channel needs '{key}' — add it (a secret with !ENV VARIABLE_NAME, never in the repository)"


_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")


def _url_problem(kind: str, url: str, security: str, problem: Callable[[str, str], None]) -> bool:
    """Whether `url` is wrong for the kind (reported)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  # raises on a port that is not a number
    except ValueError:
        problem("url", f"the {kind} channel's url '{_hidden(url)}' is malformed — write it as https://host/path")
        return True
    schemes = SCHEMES.get(kind, ("https", "http"))
    if parts.scheme not in schemes or not host or not _HOST.match(parts.netloc.rpartition("@")[2]):
        example = "smtp://user:password@smtp.example.org:587" if kind == "email" else "https://host/path"
        problem("url", f"the {kind} channel's url '{_hidden(url)}' is malformed — write it as {example}")
        return True
    if kind == "email" and security == "none" and host not in LOOPBACK:
        problem(
            "security", "'security: none' sends the password in clear: only for a relay on this machine (127.0.0.1)"
        )
        return True
    return False


def _hidden(url: str) -> str:
    """An address as shown in a message: without the password it may hold."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)
