"""Crisis playbooks: listed, started from, and never published half-filled."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from balise.content.playbooks import load_playbooks, placeholders_in
from balise.errors import Collector
from conftest import REPO, Cli, page, text_of

SCENARIOS = {
    "fr": ["panne-de-service", "fuite-de-donnees", "desinformation", "publication-virale", "maintenance-programmee"],
    "en": ["service-outage", "data-breach", "misinformation", "viral-post", "planned-maintenance"],
}


@pytest.mark.parametrize("folder", [REPO / "content/playbooks", REPO / "balise/scaffold/site/content/playbooks"])
def test_every_scenario_exists_in_french_and_english_and_loads(folder: Path):
    report = Collector()
    found = load_playbooks(folder, report)
    assert report.problems == []
    names = {(p.language, p.name) for p in found}
    for language, scenarios in SCENARIOS.items():
        for name in scenarios:
            assert (language, name) in names
    assert all(p.description and p.placeholders for p in found)


def test_templates_lists_them(cli):
    out = cli("templates").stdout
    for name in SCENARIOS["fr"] + SCENARIOS["en"]:
        assert name in out
    assert "--set service=… depuis=…" in out


def test_new_from_a_template_fills_what_it_can_and_keeps_a_draft(cli, demo, at_time):
    created = cli(
        "new",
        "--template",
        "panne-de-service",
        "--component",
        "paiements",
        "--set",
        "service=Le don en ligne",
        "--at",
        "2026-11-22T13:00",
    )
    path = demo / created.stdout.strip()
    text = path.read_text(encoding="utf-8")
    assert "title: 'Le don en ligne : service indisponible'" in text
    assert "Le don en ligne ne fonctionne plus normalement depuis {{ depuis }}" in text
    assert "au plus tard à 13:30" in text and "Next update: 2026-11-22 13:30 +01:00" in text  # +30min by default
    assert "draft: true" in text  # placeholders left: not published
    assert "{{ depuis }}" in created.stderr and "{{ solution_de_secours }}" in created.stderr
    cli("check")  # a draft may keep placeholders

    late = cli(
        "new",
        "--template",
        "panne-de-service",
        "--component",
        "paiements",
        "--set",
        "service=Les dons",
        "--at",
        "2026-11-22T23:50",
    )
    text = (demo / late.stdout.strip()).read_text(encoding="utf-8")
    assert "au plus tard le 23 novembre 2026 à 00:20 CET, même si" in text  # a promise past midnight has its date

    # Published with a placeholder left: check refuses, with the file and line.
    path.write_text(text.replace("draft: true\n", ""), encoding="utf-8")
    result = cli("check", expect=1)
    relative = created.stdout.strip()
    lines = text.replace("draft: true\n", "").split("\n")
    line = next(n for n, content in enumerate(lines, 1) if "{{ depuis }}" in content)
    assert f"{relative}:{line}: unfilled placeholder {{{{ depuis }}}} in a published file" in result.stderr
    cli("build", expect=1)  # nor is it built
    assert not (demo / "site").exists()


def test_a_fully_filled_template_is_published(cli, demo, at_time):
    created = cli(
        "new",
        "--template",
        "service-outage",
        "--component",
        "paiements",
        "--at",
        "2026-11-22T13:00",
        "--set",
        "service=Online donations",
        "--set",
        "since=12:40",
        "--set",
        "workaround=donate by cheque or bank transfer.",
    )
    assert created.stderr == ""
    text = (demo / created.stdout.strip()).read_text(encoding="utf-8")
    assert "draft" not in text and placeholders_in(text) == []
    cli("check")
    at_time(datetime.fromisoformat("2026-11-22T13:05:00+01:00"))
    cli("build")
    detail = page(demo / "site", f"incidents/{Path(created.stdout.strip()).stem}/")
    assert "Online donations has not been working normally since 12:40" in text_of(detail)
    assert "Claire Dubois" in text_of(detail)


def test_a_maintenance_template_uses_the_window(cli, demo):
    created = cli(
        "new",
        "--template",
        "maintenance-programmee",
        "--component",
        "paiements",
        "--starts",
        "2026-12-12T22:00",
        "--ends",
        "2026-12-13T02:00",
        "--set",
        "service=Le don en ligne",
        "--set",
        "raison=changer de prestataire de paiement",
        "--set",
        "solution_de_secours=les dons par chèque restent possibles.",
    )
    text = (demo / created.stdout.strip()).read_text(encoding="utf-8")
    assert "kind: maintenance" in text and "— scheduled" in text
    assert "du 12 décembre 2026 à 22:00 CET au 13 décembre 2026 à 02:00 CET" in text
    assert "draft" not in text


def test_unknown_template_and_bad_set(cli):
    result = cli("new", "--template", "panne-de-servise", expect=2)
    assert "did you mean 'panne-de-service'" in result.stderr
    result = cli("new", "--template", "panne-de-service", "--set", "service", expect=2)
    assert "NAME=VALUE" in result.stderr
    result = cli("new", "--title", "x", expect=2)
    assert "--template" in result.stderr


def test_a_broken_playbook_is_found_by_check_not_at_3am(cli, demo):
    (demo / "content/playbooks/cassé.fr.md").write_text(
        "---\ntitle: x\nimpact: enorme\n---\n\nTexte.\n", encoding="utf-8"
    )
    result = cli("check", expect=1)
    assert "content/playbooks/cassé.fr.md:3: 'enorme' is not a valid impact" in result.stderr
    cli(
        "update",
        "2026-11-22-prise-de-rendez-vous-indisponible",
        "--status",
        "monitoring",
        "--message",
        "Le service revient progressivement.",
    )  # writing updates still works


def test_update_refuses_a_placeholder_in_a_published_incident(cli, demo):
    path = demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
    before = path.read_bytes()
    result = cli(
        "update",
        "2026-11-22-prise-de-rendez-vous-indisponible",
        "--status",
        "monitoring",
        "--message",
        "Retour du service vers {{ heure }}.",
        expect=1,
    )
    assert "unfilled placeholder {{ heure }}" in result.stderr
    assert path.read_bytes() == before


def test_init_scaffolds_playbooks_verbatim(tmp_path):
    Cli(tmp_path)("init", "site", "--language", "en")
    site = tmp_path / "site"
    outage = (site / "content/playbooks/service-outage.en.md").read_text(encoding="utf-8")
    assert "{{ service }}" in outage and "{{ spokesperson }}" in outage  # not rendered away by the scaffold
    out = Cli(site)("templates").stdout
    assert "service-outage [en]" in out
    Cli(site)("build")
    assert not (site / "site/playbooks").exists()  # playbooks are data, never pages


def test_the_readme_example_works(cli, demo):
    import shlex

    from test_readme import readme_block

    block = readme_block("sh", "### Crisis playbooks").replace("\\\n", " ")
    commands = [shlex.split(line.split("  #")[0]) for line in block.strip().splitlines()]
    assert [c[:2] for c in commands] == [["balise", "templates"], ["balise", "new"]]
    cli(*commands[0][1:])
    created = cli(*commands[1][1:])
    text = (demo / created.stdout.strip()).read_text(encoding="utf-8")
    assert "Le don en ligne ne fonctionne plus normalement depuis 8 h 40" in text
    assert "draft" not in text and created.stderr == ""


def test_a_placeholder_missing_a_brace_is_caught(cli, demo):
    playbook = demo / "content/playbooks/panne-de-service.fr.md"
    text = playbook.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "{{ depuis }}" in row)
    playbook.write_text(text.replace("{{ depuis }}", "{{ depuis }", 1), encoding="utf-8")
    result = cli("check", expect=1)
    assert (
        f"content/playbooks/panne-de-service.fr.md:{line}: placeholder {{{{ depuis }} has a brace missing"
        in result.stderr
    )


def test_a_mistyped_set_is_flagged_and_placeholders_never_name_the_file(cli, demo):
    result = cli("new", "--template", "panne-de-service", "--component", "paiements", "--set", "servce=Le don")
    assert "warning: --set servce=… fills no placeholder of panne-de-service — did you mean 'service'?" in result.stderr
    path = result.stdout.strip()
    assert "{{" not in path and "service-service" not in path
    assert (demo / path).exists()


def test_a_value_is_cased_for_where_the_playbook_puts_it(cli, demo):
    """One --set value serves the title, a sentence's start and its middle: no capital after a comma."""
    created = cli(
        "new",
        "--template",
        "maintenance-programmee",
        "--component",
        "paiements",
        "--starts",
        "2026-12-12T22:00",
        "--ends",
        "2026-12-13T02:00",
        "--set",
        "service=Le site",
        "--set",
        "raison=Une mise à jour",
        "--set",
        "solution_de_secours=les dons par chèque restent possibles.",
    )
    text = (demo / created.stdout.strip()).read_text(encoding="utf-8")
    assert "Pour une mise à jour, le site sera indisponible du 12 décembre 2026" in text
    assert "title: 'Maintenance programmée : Le site'" in text
    assert "Pendant l'intervention : les dons par chèque restent possibles." in text  # after a colon: as typed
    outage = cli(
        "new",
        "--template",
        "panne-de-service",
        "--component",
        "paiements",
        "--set",
        "service=le don en ligne",
        "--set",
        "depuis=8 h 40",
        "--set",
        "solution_de_secours=les dons par chèque restent possibles.",
    )
    text = (demo / outage.stdout.strip()).read_text(encoding="utf-8")
    assert "\nLe don en ligne ne fonctionne plus normalement depuis 8 h 40." in text  # a sentence starts with it


@pytest.mark.parametrize(
    "value, before, expected",
    [
        ("Le site", "Pour une mise à jour, ", "le site"),
        ("L’équipe", "nous avons appris que ", "l’équipe"),
        ("The website", "To upgrade it, ", "the website"),
        ("Google Pay", "Pour une mise à jour, ", "Google Pay"),  # a name keeps its capital
        ("THE app", "et ", "THE app"),
        ("le site", "", "Le site"),
        ("le site", "Fin. ", "Le site"),
        ("le site", "Texte.\n\n- ", "Le site"),
        ("le site", "Texte\n**", "Le site"),
        ("iPhone", "", "iPhone"),
        ("Le site", "Maintenance programmée : ", "Le site"),  # after a colon: as typed
        ("le site", "Maintenance programmée : ", "le site"),
    ],
)
def test_cased(value, before, expected):
    from balise.content.playbooks import cased

    assert cased(value, before) == expected
