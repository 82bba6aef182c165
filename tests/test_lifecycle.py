"""An incident's life as a comms officer lives it, end to end through the CLI and the built site."""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup

from conftest import Cli, page, text_of


def test_new_update_resolve_on_a_fresh_site(tmp_path, at_time):
    Cli(tmp_path)("init", "relais", "--name", "Le Relais", "--timezone", "Europe/Paris")
    site_dir = tmp_path / "relais"
    cli = Cli(site_dir)

    created = cli(
        "new",
        "--title",
        "Site internet indisponible",
        "--impact",
        "major",
        "--component",
        "website",
        "--message",
        "Le site ne répond plus. Nous cherchons la cause.",
        "--at",
        "2026-03-29T01:50",
        "--next-update",
        "2026-03-29T03:30",
    )
    path = site_dir / created.stdout.strip()
    assert path.parent.name == "incidents" and path.exists()
    incident_id = path.stem

    at_time(datetime.fromisoformat("2026-03-29T01:55:00+01:00"))
    cli("build")
    home = page(site_dir / "site")
    assert home.select_one("#component-website")["data-status"] == "partial_outage"
    assert home.select_one(".banner")["data-status"] == "partial_outage"
    open_section = home.select_one("#open-incidents").parent
    assert "Site internet indisponible" in text_of(open_section)
    promise = open_section.select_one(".promise time")
    assert promise["datetime"] == "2026-03-29T03:30:00+02:00"  # 03:30 is already summer time
    assert "03:30 CEST" in text_of(promise)

    # Across the spring-forward change in Paris (02:00 -> 03:00 on 29 March 2026).
    cli(
        "update",
        incident_id,
        "--status",
        "identified",
        "--message",
        "Cause trouvée : un certificat expiré.",
        "--at",
        "2026-03-29T03:10",
        "--next-update",
        "2026-03-29T04:00",
    )
    cli(
        "resolve",
        incident_id,
        "--message",
        "Le site fonctionne de nouveau. Toutes nos excuses.",
        "--at",
        "2026-03-29T03:40",
    )

    at_time(datetime.fromisoformat("2026-03-29T03:00:00+00:00"))
    cli("build")
    home = page(site_dir / "site")
    assert home.select_one(".banner")["data-status"] == "operational"
    assert home.select_one("#component-website")["data-status"] == "operational"
    assert home.select_one("#open-incidents") is None

    detail = page(site_dir / "site", f"incidents/{incident_id}/")
    updates = detail.select("ol.timeline > li")
    assert [text_of(u.select_one(".pill")) for u in updates] == ["Résolu", "Cause identifiée", "Enquête en cours"]
    stamps = [u.select_one("time")["datetime"] for u in updates]
    # Shown in Paris time, with the offset that applied on each side of the change.
    assert stamps == ["2026-03-29T03:40:00+02:00", "2026-03-29T03:10:00+02:00", "2026-03-29T01:50:00+01:00"]
    assert [text_of(u.select_one("time")) for u in updates][::2] == [
        "29 mars 2026 à 03:40 CEST",
        "29 mars 2026 à 01:50 CET",
    ]

    history = page(site_dir / "site", "history/")
    assert history.find("a", string=lambda s: s and "Site internet indisponible" in s)


def test_new_maintenance_and_default_time(tmp_path):
    Cli(tmp_path)("init", "site", "--language", "en", "--timezone", "America/New_York")
    cli = Cli(tmp_path / "site")
    created = cli(
        "new",
        "--kind",
        "maintenance",
        "--title",
        "Database upgrade",
        "--component",
        "website",
        "--message",
        "We will upgrade the database.",
        "--starts",
        "2030-01-10T22:00",
        "--ends",
        "2030-01-11T00:00",
    )
    text = (tmp_path / "site" / created.stdout.strip()).read_text()
    assert "scheduled_for: 2030-01-10 22:00 -05:00" in text.replace("'", "")
    assert "— scheduled" in text
    cli("check")
    cli("build")
    home = page(tmp_path / "site" / "site")
    assert "Database upgrade" in text_of(home.select_one("#upcoming").parent)


def test_draft_stays_off_the_site(cli, demo, at_time):
    at_time(datetime.fromisoformat("2026-11-22T12:30:00+01:00"))
    cli(
        "new",
        "--title",
        "Brouillon confidentiel",
        "--impact",
        "minor",
        "--component",
        "paiements",
        "--message",
        "Texte en préparation.",
        "--at",
        "2026-11-22T12:00",
        "--draft",
    )
    cli("build")
    for file in (demo / "site").rglob("*"):
        if file.is_file() and file.suffix in {".html", ".xml", ".json", ".rss", ".atom", ".ics", ".svg", ".txt"}:
            assert "Brouillon confidentiel" not in file.read_text(encoding="utf-8", errors="replace"), file


def test_update_refuses_unknown_incident_and_time_before_latest(cli, demo):
    result = cli(
        "update", "2026-11-22-prise-de-rendez-vous-indisponibel", "--status", "monitoring", "--message", "x", expect=2
    )
    assert "2026-11-22-prise-de-rendez-vous-indisponible" in result.stderr
    before = (demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md").read_bytes()
    cli(
        "update",
        "2026-11-22-prise-de-rendez-vous-indisponible",
        "--status",
        "monitoring",
        "--message",
        "x",
        "--at",
        "2026-11-22T09:00",
        expect=2,
    )
    assert (demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md").read_bytes() == before


def test_status_command_prints_components_and_open_incidents(cli):
    result = cli("status")
    assert "Prise de rendez-vous" in result.stdout
    assert "2026-11-22-prise-de-rendez-vous-indisponible" in result.stdout


def test_next_update_can_be_a_delay_after_the_update(cli, demo):
    created = cli(
        "new",
        "--title",
        "Lenteurs",
        "--impact",
        "minor",
        "--component",
        "paiements",
        "--message",
        "Les paiements sont lents.",
        "--at",
        "2026-11-22T23:50",
        "--next-update",
        "+1h15",
    )
    text = (demo / created.stdout.strip()).read_text(encoding="utf-8")
    assert "Next update: 2026-11-23 01:05 +01:00" in text
    cli(
        "update",
        created.stdout.strip().split("/")[-1][:-3],
        "--status",
        "identified",
        "--message",
        "Cause trouvée.",
        "--at",
        "2026-11-23T00:20",
        "--next-update",
        "+30min",
    )
    assert (
        (demo / created.stdout.strip()).read_text(encoding="utf-8").endswith("Next update: 2026-11-23 00:50 +01:00\n")
    )


def test_updates_in_quick_succession_keep_their_order(tmp_path):
    """At 3 a.m. two commands can run in the same second: neither fails, the timeline stays in order."""
    Cli(tmp_path)("init", "site")
    cli = Cli(tmp_path / "site")
    path = (
        tmp_path
        / "site"
        / cli(
            "new", "--title", "Lenteurs", "--impact", "minor", "--component", "website", "--message", "Nous enquêtons."
        ).stdout.strip()
    )
    for status in ("identified", "monitoring"):
        cli("update", path.stem, "--status", status, "--message", f"Étape {status}.", "--next-update", "+30min")
    cli("resolve", path.stem, "--message", "Résolu.")
    cli("check")
    lines = path.read_text(encoding="utf-8").splitlines()
    times = [line.split(" — ")[0][3:] for line in lines if line.startswith("## ")]
    promises = [line.split(": ", 1)[1] for line in lines if line.startswith("Next update: ")]
    from balise.timeline import parse_time

    moments = [parse_time(t) for t in times]
    assert len(moments) == 4 and moments == sorted(moments) and len(set(moments)) == 4
    # to the minute, as a person writes them: no seconds in a heading or a promise
    assert len(promises) == 2 and all(
        re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d", t) for t in times + promises
    )


def test_serve_shows_an_edit_without_a_restart(demo):
    """`balise serve` is what a writer watches while editing: every save must show, and a broken save must say why."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "balise", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=demo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/incidents/2026-11-22-prise-de-rendez-vous-indisponible/"

    def updates_shown() -> int:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode().count('class="update"')
        except OSError:
            return -1

    def wait_for(expected: int) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if updates_shown() == expected:
                return True
            time.sleep(0.3)
        return False

    try:
        assert wait_for(2), "the server did not start"
        source = demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
        source.write_text(
            source.read_text(encoding="utf-8") + "\n## 2026-11-22 12:05 +01:00 — monitoring\n\nRetour.\n",
            encoding="utf-8",
        )
        assert wait_for(3), "the edit did not show"
        source.write_text(source.read_text(encoding="utf-8").replace("impact: major", "impact: majr"), encoding="utf-8")
        time.sleep(3)
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=10)
    assert "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md:4: 'majr' is not a valid impact" in log
    assert "Traceback" not in log


def test_history_and_component_pages_are_paginated_and_reach_every_incident(cli, demo, at_time):
    from datetime import timedelta

    start = datetime.fromisoformat("2025-06-01T10:00:00+02:00")
    for number in range(120):
        at = (start + timedelta(days=number)).astimezone(ZoneInfo("Europe/Paris"))
        stamp = at.isoformat(" ", "minutes")
        (demo / f"incidents/{at:%Y-%m-%d}-lenteur-{number:03d}.md").write_text(
            f"---\ntitle: Lenteur {number}\nimpact: minor\ncomponents: [courriels]\n---\n\n"
            f"## {stamp[:16]} {stamp[16:]} — resolved\n\nRétabli.\n",
            encoding="utf-8",
        )
    at_time(datetime.fromisoformat("2026-11-22T12:30:00+01:00"))
    cli("build")
    site = demo / "site"
    seen, path = [], "components/courriels/"
    while path:
        soup = page(site, path)
        seen += [
            a["href"].rsplit("incidents/", 1)[1]
            for a in soup.select("ul.history li > a:first-child")
            if "/incidents/" in a["href"] and "Lenteur" in a.text
        ]
        assert (soup.select_one(".bar svg") is not None) == (path == "components/courriels/")  # 90 days on page 1 only
        older = soup.select_one(".pager a[rel=next]")
        path = posixpath.normpath(posixpath.join(path, older["href"])) + "/" if older else None
    assert sorted(seen) == sorted(f"{p.stem}/" for p in demo.glob("incidents/*-lenteur-*.md"))
    assert (site / "components/courriels/page/3/index.html").is_file()
    assert (
        page(site, "components/courriels/page/3/").select_one(".pager a[rel=prev]")["href"]
        == "../../../../components/courriels/page/2/"
    )


def test_the_404_page_is_light_and_its_links_work_from_any_address(built_at):
    """The host serves 404.html at whatever address was not found: balise's own page, a few KB
    (the theme's loaded 275 KB), with absolute links that lead to real files."""
    site = built_at()
    html = (site / "404.html").read_text(encoding="utf-8")
    soup = page(site, "404.html")
    assert text_of(soup.h1) == "Page introuvable" and len(html.encode()) < 10_000
    base = "https://statut.relais-solidaire.example.org/"
    addresses = [tag.get("href") or tag.get("src") for tag in soup.select("[href], [src]")]
    own = [a for a in addresses if not a.startswith(("data:", "#"))]
    assert own and all(a.startswith(base) for a in own), own
    for address in own:
        path = site / address[len(base) :].split("#")[0]
        assert (path / "index.html" if path.is_dir() else path).is_file(), address


def test_serve_shows_what_is_wrong_instead_of_hanging(demo):
    """While an edit breaks the content, every page of `balise serve` answers at once with the problems
    (escaped), and the site comes back with the next good edit."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "balise", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=demo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/incidents/2026-11-22-prise-de-rendez-vous-indisponible/"

    def fetch() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # an answer within seconds, or a hang
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            return -1, ""

    def wait_for(condition) -> tuple[int, str]:
        deadline = time.monotonic() + 30
        answer = fetch()
        while not condition(*answer) and time.monotonic() < deadline:
            time.sleep(0.3)
            answer = fetch()
        return answer

    source = demo / "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
    good = source.read_text(encoding="utf-8")
    try:
        code, html = wait_for(lambda code, html: code == 200)
        assert code == 200, "the server did not start"
        source.write_text(good.replace("impact: major", "impact: <script>majr"), encoding="utf-8")
        code, html = wait_for(lambda code, html: "problems" in html)
        assert code == 500, (code, html[:300])
        doc = BeautifulSoup(html, "html.parser")
        assert text_of(doc.h1) == "L'aperçu ne peut pas être construit"
        problems = [text_of(li) for li in doc.select("ul.problems li")]
        assert len(problems) == 1 and problems[0].startswith(
            "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md:4: '<script>majr' is not a valid impact — "
        )
        assert "<script>majr" not in html  # the writer's text, escaped
        assert "livereload" in html  # it reloads itself once fixed
        source.write_text(good, encoding="utf-8")
        code, html = wait_for(lambda code, html: code == 200)
        assert code == 200 and 'class="update"' in html, "the site did not come back after the fix"
    finally:
        server.terminate()
        try:
            log, _ = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            log, _ = server.communicate()
    assert "Traceback" not in log
