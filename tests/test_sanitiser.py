"""What the sanitiser removes from a message is said, and never more than it must remove.

HTML in a message goes through an allow-list sanitiser (nh3). Disallowed tags go and their text
stays; only <script> and <style> take their content with them, and `balise check` names those words
at the update's line. A message the sanitiser would empty is refused, not published as `<p></p>`.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from balise.content.messages import MarkdownRenderer, sanitising_losses
from conftest import DEMO_NOW, page, text_of

OPEN_INCIDENT = "2026-11-22-prise-de-rendez-vous-indisponible"
OPEN_FILE = f"incidents/{OPEN_INCIDENT}.md"
LAST_PROMISE = "Next update: 2026-11-22 12:00 +01:00\n"


def append_update(demo, message: str, at: str = "2026-11-22 12:05 +01:00") -> int:
    """Add an update at the end of the demo's open incident; returns the line of its heading."""
    path = demo / OPEN_FILE
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(text + f"\n## {at} — monitoring\n\n{message}\n", encoding="utf-8")
    return text.count("\n") + 2


def messages_of(site, incident: str = OPEN_INCIDENT) -> list[str]:
    return [text_of(m) for m in page(site, f"incidents/{incident}/").select(".timeline .update .message")]


@pytest.mark.parametrize(
    "opening",
    [
        "<math><mi>x",
        "<svg><title>x",
        "<template>x",
        "<xmp>x",
        "<math><mtext>x",
        "<noscript>x",
        "<select>x",
        "<script>x",
        "<style>x",
    ],
)
def test_an_unclosed_tag_does_not_swallow_the_rest(opening):
    html = MarkdownRenderer()(f"La formule {opening} est fausse.\n\nLe service est **rétabli**, merci.")
    soup = BeautifulSoup(html, "html.parser")
    assert "Le service est rétabli , merci." in text_of(soup)
    assert soup.select_one("strong").get_text() == "rétabli"
    assert "&lt;" not in html  # no markup turned into visible text either


def test_an_image_whose_address_is_removed_becomes_its_text_alternative():
    render = MarkdownRenderer()
    html = render(
        'Voir <img src="javascript:alert(1)" alt="le plan <b>B</b> & co"> ici.\n\n![carte](javascript:alert(2))'
    )
    assert "<img" not in html  # an <img> without src is invalid HTML
    assert html == "<p>Voir le plan &lt;b&gt;B&lt;/b&gt; &amp; co ici.</p>\n<p>carte</p>"
    assert render('<img src="javascript:alert(1)">x') == "<p>x</p>"
    assert render("<img src=x onerror=alert(1)>") == '<img alt="" src="x">'  # a safe address stays an image


def test_removed_words_are_found_and_nothing_else():
    assert sanitising_losses("Avant <script>alert(1)</script> après") == (["alert(1)"], False)
    assert sanitising_losses("<style>p { color: red }</style>") == (["p", "{", "color:", "red", "}"], True)
    assert sanitising_losses("<iframe src=https://example.org></iframe>") == ([], True)
    for kept in (
        "<b>gras</b>, <div>bloc</div>, <math><mi>x</mi></math>",
        "a < b et <3",
        "`<script>`",
        '<a title="a > b" href="https://example.org">lien</a>',
        "<table> mal placé",
        '<img src="javascript:x" alt="photo">après',
        "[lien](javascript:alert(1))",
        "Sans balise.",
    ):
        assert sanitising_losses(kept) == ([], False), kept


def test_check_names_the_words_the_sanitiser_removes_at_the_update(cli, demo, built_at):
    line = append_update(demo, "Le service remarche. <script>alert('coucou')</script> Merci.")
    result = cli("check")  # a warning: the update itself is still worth publishing
    assert result.stderr.startswith(
        f"{OPEN_FILE}:{line}: warning: the sanitiser removes text from this update: \"alert('coucou')\" — "
    )
    assert "`code`" in result.stderr.splitlines()[0]
    site = built_at(DEMO_NOW.replace(hour=12, minute=10))
    assert messages_of(site)[0] == "Le service remarche. Merci."


def test_the_unclosed_math_of_the_report_reaches_the_page_whole(cli, demo, built_at):
    append_update(demo, "La formule <math><mi>x est fausse.\n\nLes rendez-vous sont de nouveau possibles.")
    result = cli("check")
    assert "warning" not in result.stderr  # nothing is lost any more
    site = built_at(DEMO_NOW.replace(hour=12, minute=10))
    assert messages_of(site)[0] == "La formule x est fausse. Les rendez-vous sont de nouveau possibles."


@pytest.mark.parametrize(
    "message",
    ["<script>alert(1)</script>", '<iframe src="https://example.org"></iframe>', '<img src="javascript:alert(1)">'],
)
def test_an_update_the_sanitiser_would_empty_is_refused(cli, demo, at_time, message):
    line = append_update(demo, message)
    result = cli("check", expect=1)
    errors = [problem for problem in result.stderr.splitlines() if ": warning: " not in problem]
    assert len(errors) == 1 and errors[0].startswith(
        f"{OPEN_FILE}:{line}: nothing is left of this update once its HTML is removed"
    )
    at_time(DEMO_NOW.replace(hour=12, minute=10))
    assert errors[0] in cli("build", expect=1).stderr
    assert not (demo / "site").exists()  # never published as an empty update


def test_an_emptied_postmortem_is_refused_at_its_heading(cli, demo):
    path = demo / "incidents/2025-12-15-retard-rappels-sms.md"
    text = path.read_text(encoding="utf-8")
    assert "## Postmortem" not in text and "## Retour d'expérience" not in text
    line = text.rstrip("\n").count("\n") + 3
    path.write_text(text.rstrip("\n") + "\n\n## Postmortem\n\n<style>.x{}</style>\n", encoding="utf-8")
    result = cli("check", expect=1)
    assert f"{path.relative_to(demo).as_posix()}:{line}: nothing is left of this postmortem" in result.stderr


def test_balise_update_refuses_a_message_the_sanitiser_would_empty(cli, demo):
    before = (demo / OPEN_FILE).read_bytes()
    result = cli(
        "update",
        OPEN_INCIDENT,
        "--status",
        "monitoring",
        "--at",
        "2026-11-22T12:05",
        "--message",
        "<script>alert(1)</script>",
        expect=1,
    )
    assert "nothing is left of this update" in result.stderr
    assert (demo / OPEN_FILE).read_bytes() == before
