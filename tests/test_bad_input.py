"""Malformed content, file by file: `balise check` and `balise build` each answer with one
`path:line: what is wrong — how to fix` line per problem, exit 1, never a traceback, and the
build writes nothing.

The corpus is `tests/corpus/`: `incidents/*.md` are dropped into a copy of the demo's
`incidents/`, `components/*.yml` replace its `status/components.yml`; `expected.yml` gives, for
each file, the line of the error and words its message must contain. To add a case, add a file
and its line in `expected.yml`.
"""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest
import yaml

from balise.content import loaders, yamlfile
from balise.errors import Collector
from conftest import Cli, copy_demo

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict] = yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))
LOCATED = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+): (?P<message>.+)$")


def drop(demo: Path, name: str, data: bytes) -> str:
    """Put one corpus file into the demo; returns its path as `balise check` names it."""
    kind, filename = name.split("/", 1)
    if kind == "incidents":
        target = f"incidents/{filename}"
    elif kind == "components":
        target = "status/components.yml"
    else:
        raise AssertionError(f"unknown corpus folder {kind!r}")
    (demo / target).write_bytes(data)
    return target


def assert_reported(result, target: str, line: int, words: list[str]) -> None:
    output = result.stderr
    assert "Traceback" not in result.output + output
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines, "no message at all"
    for text in lines:
        assert LOCATED.match(text), f"not a 'path:line: message' line: {text!r}"
    ours = [LOCATED.match(line) for line in lines if line.startswith(f"{target}:") and ": warning: " not in line]
    assert ours, f"nothing reported for {target}:\n{output}"
    for match in ours:
        hint = match["message"].split(" — ", 1)
        assert len(hint) == 2 and hint[1].strip(), f"no '— how to fix' part: {match.group(0)!r}"
    found = [m for m in ours if int(m["line"]) == line]
    assert found, f"expected an error on {target}:{line}, got:\n{output}"
    message = " ".join(m["message"] for m in found).lower()
    for word in words:
        assert word.lower() in message, f"{word!r} not in the message(s) for {target}:{line}:\n{output}"


def test_the_corpus_is_large_and_fully_described():
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file() and p.name != "expected.yml"}
    assert len(files) >= 50
    assert files == set(EXPECTED), "every corpus file needs its line in expected.yml, and only those"
    for name, case in EXPECTED.items():
        assert isinstance(case["line"], int) and case["words"], name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_is_reported_and_nothing_is_built(tmp_path, name):
    case = EXPECTED[name]
    demo = copy_demo(tmp_path / "demo")
    target = drop(demo, name, (CORPUS / name).read_bytes())
    cli = Cli(demo)

    checked = cli("check", expect=1)
    assert_reported(checked, target, case["line"], case["words"])

    built = cli("build", expect=1)
    assert_reported(built, target, case["line"], case["words"])
    assert not (demo / "site").exists()
    assert not list(demo.glob(".site*")), "a failed build left a temporary folder behind"


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    demo = copy_demo(tmp_path / "demo")
    source = (demo / "incidents/2026-02-24-dons-en-ligne-indisponibles.md").read_text(encoding="utf-8")
    padding = "Journal collé par erreur : " + "x" * 80 + "\n"
    huge = source + "\n" + padding * (yamlfile.MAX_FILE_BYTES // len(padding) + 10)
    assert len(huge.encode()) > yamlfile.MAX_FILE_BYTES
    (demo / "incidents/2026-02-25-journal-enorme.md").write_text(huge, encoding="utf-8")
    cli = Cli(demo)
    for command in ("check", "build"):
        result = cli(command, expect=1)
        assert_reported(result, "incidents/2026-02-25-journal-enorme.md", 1, ["KiB limit", "split it"])
    assert not (demo / "site").exists()


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    """Thirty levels of ten aliases each would be 10^30 strings if expanded: finishing at all,
    within a few MiB of memory, proves the loader never builds it."""
    levels = ['l0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    path = tmp_path / "2026-01-01-bombe.md"
    path.write_text("---\ntitle: Bombe\nimpact: minor\n" + "\n".join(levels) + "\n---\n", encoding="utf-8")
    report = Collector()
    tracemalloc.start()
    try:
        incident = loaders.load_incident(path, {"paiements"}, report)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert incident is None
    assert [str(p) for p in report.errors] == [
        f"{path.as_posix()}:4: YAML anchors and aliases (& and *) are not allowed — write the value out in full"
    ]
    assert peak < 5 * 1024 * 1024, f"peak memory {peak} bytes"


@pytest.mark.parametrize("brackets", [25, 2000], ids=["past balise's limit", "past libyaml's limit"])
@pytest.mark.parametrize("parser", ["libyaml", "pure Python"])
def test_deep_nesting_gets_balise_s_message_with_either_parser(tmp_path, monkeypatch, parser, brackets):
    """PyYAML 6.0.4's libyaml stops at its own nesting limit before balise's check has seen level 21:
    the message and line must not depend on which parser PyYAML has, nor on how deep the mistake goes."""
    if parser == "pure Python":
        monkeypatch.setattr(yamlfile, "ContentYamlLoader", yamlfile.PureContentYamlLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("this PyYAML was built without libyaml")
    path = tmp_path / "2026-01-01-profond.md"
    nested = "[" * brackets + "]" * brackets
    path.write_text(f"---\ntitle: Profond\nimpact: minor\nnote:\n  - {nested}\n---\n", encoding="utf-8")
    report = Collector()
    assert loaders.load_incident(path, {"paiements"}, report) is None
    assert [str(p) for p in report.errors] == [
        f"{path.as_posix()}:5: lists and fields are nested more than 20 levels deep — check the brackets and indentation"
    ]


def test_a_byte_order_mark_and_windows_line_endings_are_accepted(tmp_path, at_time):
    """What Notepad saves (UTF-8 with a BOM, CRLF line endings) builds exactly like the original."""
    from conftest import DEMO_NOW, page, text_of

    at_time(DEMO_NOW)

    def build(edit) -> Path:
        demo = copy_demo(tmp_path / f"demo-{edit.__name__}")
        edit(demo)
        cli = Cli(demo)
        assert "no errors" in cli("check").stderr
        cli("build")
        return demo / "site"

    incident = "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"

    def original(demo):
        pass

    def windows(demo):
        for relative in (incident, "status/components.yml"):
            path = demo / relative
            text = path.read_bytes().decode("utf-8")
            assert "\r" not in text
            path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))

    plain_site, windows_site = build(original), build(windows)
    for path in ("", "incidents/2026-11-22-prise-de-rendez-vous-indisponible/", "components/paiements/"):
        assert (windows_site / path / "index.html").read_bytes() == (plain_site / path / "index.html").read_bytes()
    assert "\ufeff" not in text_of(page(windows_site, "incidents/2026-11-22-prise-de-rendez-vous-indisponible/"))


def test_a_broken_components_file_is_reported_alone(tmp_path):
    """One typo in components.yml must not bury its error under one 'unknown component' per incident."""
    demo = copy_demo(tmp_path / "demo")
    path = demo / "status/components.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: Site internet", "name: [Site internet"), encoding="utf-8"
    )
    result = Cli(demo)("check", expect=1)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and all(line.startswith("status/components.yml:") for line in lines), result.stderr


def test_text_typed_in_a_terminal_not_set_to_utf8_is_refused_before_anything_is_written(tmp_path):
    """Python hands bytes that are not UTF-8 over as lone surrogates: refused with one line, not a traceback."""
    demo = copy_demo(tmp_path / "demo")
    incident = demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
    before = incident.read_bytes()
    testimonials = sorted((demo / "content/testimonials").iterdir())
    latin1 = "Tr\udce8s bien"  # 'Très bien' typed in a Latin-1 terminal
    for args in (
        ["update", incident.stem, "--status", "monitoring", "--message", latin1],
        [
            "testimonial",
            "add",
            "--quote",
            latin1,
            "--attribution",
            "anonymous",
            "--relationship",
            "client",
            "--source",
            "survey",
            "--consent-date",
            "2026-11-20",
            "--consent-how",
            "email",
        ],
    ):
        result = Cli(demo)(*args, expect=1)
        assert result.stderr.strip() == (
            "Error: 'Tr\ufffds bien' is not UTF-8 text (the character shown as \ufffd) — your terminal is not set to "
            "UTF-8: set it (e.g. LANG=C.UTF-8) and type the text again; nothing was written"
        )
    assert incident.read_bytes() == before
    assert sorted((demo / "content/testimonials").iterdir()) == testimonials
