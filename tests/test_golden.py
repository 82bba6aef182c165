"""Golden files: a handful of the demo's built pages, feeds and API documents, reviewed and kept in
`tests/golden/<language>/` at their place in the site, so that any change of output shows in review
as a diff of those files (as Pelican does).

The demo is built at DEMO_NOW (12:30 in Paris, set by SOURCE_DATE_EPOCH, which overrides the demo's
`as_of` of 11:30): the moment every whole-site check of the suite uses (one shared build), when the
open incident's update promised for noon is late, so the pages show that case too.
Nothing is normalised: a build outside git at a fixed SOURCE_DATE_EPOCH is byte-for-byte the same on
any machine and in any folder. The API's documents, compact JSON on one line, are kept indented for
review; the test encodes the reviewed document the way the build must (`as_built`) and compares bytes.
Accept an intended change with `scripts/golden`, then review the diff.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from conftest import REPO

GOLDEN_DIR = REPO / "tests" / "golden"
UPDATE = "scripts/golden"
OPEN = "incidents/2026-11-22-prise-de-rendez-vous-indisponible/"
MAINTENANCE = "incidents/2026-12-05-maintenance-espace-beneficiaires/"
COMPONENT = "components/prise-de-rendez-vous/"
# Site-relative paths kept per language: one file of each kind in French (the demo's language),
# and in English the files that show most of the English wording.
GOLDEN = {
    "fr": (
        "index.html",
        OPEN + "index.html",
        OPEN + "feed.atom",
        MAINTENANCE + "index.html",
        "history/index.html",
        COMPONENT + "index.html",
        COMPONENT + "history.atom",
        COMPONENT + "badge.svg",
        "history.atom",
        "history.rss",
        "api/v2/summary.json",
        "api/v2/incidents.json",
        "maintenance.ics",
        "sitemap.xml",
        "404.html",
    ),
    "en": (
        "index.html",
        OPEN + "index.html",
        "history.atom",
    ),
}
KEPT_AS_IS = {".gitattributes"}  # in tests/golden/ but not built output
MAX_DIFF_LINES = 60
MAX_LINE_CHARS = 200


def golden_files() -> list[str]:
    """Every golden file, as '<language>/<site path>'."""
    return [f"{language}/{path}" for language, paths in GOLDEN.items() for path in paths]


def reviewed(name: str, built: bytes) -> bytes:
    """A built file as its golden file keeps it: a JSON document indented, one field a line."""
    if not name.endswith(".json"):
        return built
    return (json.dumps(json.loads(built), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def as_built(name: str, golden: bytes) -> bytes:
    """The bytes the build must write for a golden file: a JSON document compact, UTF-8 unescaped."""
    if not name.endswith(".json"):
        return golden
    return (json.dumps(json.loads(golden), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def difference(golden: bytes, built: bytes, name: str) -> str:
    """A unified diff from the golden file to the built one, cut to a readable length."""
    old = golden.decode("utf-8", "replace").splitlines(keepends=True)
    new = built.decode("utf-8", "replace").splitlines(keepends=True)
    lines = [
        visible_end(line)
        for line in difflib.unified_diff(old, new, f"tests/golden/{name} (reviewed)", f"{name} (built now)", n=2)
    ]
    if not lines:  # same text, other bytes: invalid UTF-8
        lines = [f"(no line differs as text, the bytes do: reviewed {golden[:80]!r}…, built {built[:80]!r}…)"]
    shown = [line[:MAX_LINE_CHARS] + " […]" if len(line) > MAX_LINE_CHARS else line for line in lines[:MAX_DIFF_LINES]]
    if len(lines) > MAX_DIFF_LINES:
        shown.append(f"[… {len(lines) - MAX_DIFF_LINES} more lines of diff]")
    return "\n".join(shown)


def visible_end(line: str) -> str:
    """A diff line without its newline, a carriage return shown (the iCalendar file ends lines in CRLF)."""
    line = line.rstrip("\n")
    return line[:-1] + "\\r" if line.endswith("\r") else line


def mismatch_message(name: str, diff: str) -> str:
    return (
        f"the build's {name} differs from its golden file tests/golden/{name}:\n{diff}\n"
        f"If this change of output is intended, run `{UPDATE}` to rewrite tests/golden/, "
        f"and have the diff of tests/golden/ looked at in review with the change that caused it."
    )


def update(sites: dict[str, Path], golden_dir: Path = GOLDEN_DIR) -> dict[str, list[str]]:
    """Rewrite `golden_dir` from built sites ({language: site folder}); returns what changed.

    Refuses (ValueError, nothing written) when a listed file was not built: dropping a golden file
    is a decision to take in GOLDEN, not a side effect of a build."""
    missing = [name for name in golden_files() if not built_file(sites, name).is_file()]
    if missing:
        raise ValueError(
            f"not built: {', '.join(missing)} — if the build no longer writes them on purpose, "
            f"remove them from GOLDEN in tests/test_golden.py"
        )
    report: dict[str, list[str]] = {"added": [], "changed": [], "removed": [], "unchanged": []}
    for name in golden_files():
        built = reviewed(name, built_file(sites, name).read_bytes())
        target = golden_dir / name
        if not target.is_file():
            report["added"].append(name)
        elif target.read_bytes() != built:
            report["changed"].append(name)
        else:
            report["unchanged"].append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(built)
    for stale in sorted(set(stored(golden_dir)) - set(golden_files())):
        (golden_dir / stale).unlink()
        report["removed"].append(stale)
    for folder in sorted((p for p in golden_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return report


def built_file(sites: dict[str, Path], name: str) -> Path:
    language, path = name.split("/", 1)
    return sites[language] / path


def stored(golden_dir: Path = GOLDEN_DIR) -> list[str]:
    """The golden files on disk, as '<language>/<site path>'."""
    return sorted(
        p.relative_to(golden_dir).as_posix() for p in golden_dir.rglob("*") if p.is_file() and p.name not in KEPT_AS_IS
    )


@pytest.mark.parametrize("name", golden_files())
def test_the_built_file_is_the_reviewed_one(built_demo, name):
    language, path = name.split("/", 1)
    built, golden = built_file({language: built_demo(language)}, name), GOLDEN_DIR / name
    assert built.is_file(), (
        f"the build no longer writes {path} ({language}): if that is intended, remove it "
        f"from GOLDEN in tests/test_golden.py and run `{UPDATE}`"
    )
    assert golden.is_file(), f"tests/golden/{name} is missing: run `{UPDATE}` and review the file"
    kept, actual = golden.read_bytes(), built.read_bytes()
    expected = as_built(name, kept)
    if actual != expected:  # the diff alone, without pytest's own comparison of two long byte strings
        shown = reviewed(name, actual)
        diff = difference(kept, shown, name) if shown != kept else difference(expected, actual, name)
        pytest.fail(mismatch_message(name, diff), pytrace=False)


def test_the_golden_folder_holds_only_the_listed_files():
    assert stored() == sorted(golden_files()), f"tests/golden/ is not what GOLDEN lists: run `{UPDATE}`"


def test_a_difference_is_shown_as_a_short_unified_diff():
    golden = "".join(f"<p>line {i}</p>\n" for i in range(200)).encode()
    built = golden.replace(b"line 5<", b"ligne 5<").replace(b"line 150<", b"ligne 150<" + b"x" * 500)
    message = mismatch_message("fr/index.html", difference(golden, built, "fr/index.html"))
    assert "--- tests/golden/fr/index.html (reviewed)" in message
    assert "-<p>line 5</p>\n+<p>ligne 5</p>" in message
    assert "x" * MAX_LINE_CHARS not in message  # a huge line is cut
    assert len(message.splitlines()) < MAX_DIFF_LINES + 10
    assert f"run `{UPDATE}`" in message
    crlf = difference(b"a\r\nb\r\n", b"a\nb\n", "fr/maintenance.ics")
    assert "-a\\r\n-b\\r\n+a\n+b" in crlf


def test_a_json_document_is_reviewed_indented_and_checked_byte_for_byte(built_demo):
    name = "fr/api/v2/summary.json"
    built = built_file({"fr": built_demo("fr")}, name).read_bytes()
    kept = reviewed(name, built)
    assert built.count(b"\n") == 1 and kept.count(b"\n") > 100  # one line built, one field a line reviewed
    assert as_built(name, kept) == built
    escaped = (json.dumps(json.loads(built), separators=(",", ":")) + "\n").encode()  # \u00e9 for é
    assert escaped != built and as_built(name, kept) != escaped  # another encoding of it is a change
    assert "+{" in difference(as_built(name, kept), escaped, name)


def test_the_update_rewrites_the_folder_and_says_what_changed(built_demo, tmp_path):
    sites = {language: built_demo(language) for language in GOLDEN}
    golden_dir = tmp_path / "golden"
    assert update(sites, golden_dir)["added"] == golden_files()
    (golden_dir / "fr/index.html").write_bytes(b"old output\n")
    (golden_dir / "fr/old/page.html").parent.mkdir()
    (golden_dir / "fr/old/page.html").write_text("no longer listed", encoding="utf-8")
    (golden_dir / ".gitattributes").write_text("* -text\n", encoding="utf-8")
    report = update(sites, golden_dir)
    assert (report["changed"], report["removed"], report["added"]) == (["fr/index.html"], ["fr/old/page.html"], [])
    assert stored(golden_dir) == sorted(golden_files()) and not (golden_dir / "fr/old").exists()
    assert (golden_dir / "fr/index.html").read_bytes() == (sites["fr"] / "index.html").read_bytes()
    assert (golden_dir / ".gitattributes").is_file()


def test_the_update_writes_nothing_when_a_listed_file_is_not_built(built_demo, tmp_path):
    sites = {language: built_demo(language) for language in GOLDEN}
    fake_fr = tmp_path / "fr"
    for path in GOLDEN["fr"][1:]:
        (fake_fr / path).parent.mkdir(parents=True, exist_ok=True)
        (fake_fr / path).write_bytes((sites["fr"] / path).read_bytes())
    with pytest.raises(ValueError, match=r"not built: fr/index\.html"):
        update({**sites, "fr": fake_fr}, tmp_path / "golden")
    assert not (tmp_path / "golden").exists()
