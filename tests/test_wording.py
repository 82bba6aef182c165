"""What balise itself writes on a site is about that site: no demo organisation's name, no capital
in the middle of a sentence."""

from __future__ import annotations

import pytest

from conftest import DEMO_NOW, REPO, edit, page, text_of


def test_the_monitoring_intro_names_the_site_not_the_demo(cli, demo, at_time):
    edit(
        demo,
        "mkdocs.yml",
        "site_name: Le Relais Solidaire — État des services",
        "site_name: Les Amis <b>du</b> Quartier",
    )
    at_time(DEMO_NOW)
    cli("build")
    doc = page(demo / "site", "transparency/")
    intro = text_of(doc.select_one("section[aria-labelledby=monitoring] p"))
    assert intro.startswith("Notre veille compte les mentions en ligne de « Les Amis <b>du</b> Quartier »")
    assert doc.select_one("section[aria-labelledby=monitoring] p b") is None  # the name is text, never markup
    assert "Relais" not in intro


@pytest.mark.parametrize("word", ["Relais", "Solidaire", "l'association", "nos bénévoles", "our volunteers"])
def test_no_locale_names_the_demo_organisation(word):
    for path in sorted((REPO / "balise/locales").glob("*.yml")):
        assert word not in path.read_text(encoding="utf-8"), f"{path.name} says '{word}': every site would show it"
