"""An invisible control character (a terminal's colour code, a stray U+0001) is refused by
`balise check` in every content file balise reads, raw or as a YAML escape, with its path:line."""

from __future__ import annotations

import pytest

from conftest import edit

CASES = [  # (file, text there, replacement, line of the error, character)
    ("content/testimonials/2026-02-10-beneficiaire-anonyme.yml", "je n'osais pas", "je n'osais\x01 pas", 2, "U+0001"),
    (
        "content/testimonials/2026-02-10-beneficiaire-anonyme.yml",
        "context: accompagnée pour un relogement, Montreuil",
        'context: "\\e[1maccompagnée pour un relogement, Montreuil"',
        10,
        "U+001B",
    ),
    ("status/monitoring/2026-06.yml", 'name: "Talkwalker Alerts"', 'name: "Talkwalker\\x7fAlerts"', 7, "U+007F"),
    ("status/kpis.yml", "reviews: {min: 10}", 'reviews: {min: 10, "\\u0085note": 1}', 6, "U+0085"),
]


@pytest.mark.parametrize("relative, old, new, line, character", CASES)
def test_a_control_character_in_a_content_file_is_refused_with_its_line(cli, demo, relative, old, new, line, character):
    edit(demo, relative, old, new)
    checked = cli("check", expect=1)
    assert "Traceback" not in checked.output + checked.stderr
    assert (
        f"{relative}:{line}: character {character} is not allowed here (an invisible control character) — delete it"
        in checked.stderr
    ), checked.stderr
