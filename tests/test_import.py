"""`balise import`: Statuspage, cState and feeds into a new site, end to end through the CLI.

The fixtures in tests/fixtures/import/ are written for these tests in the sources' real shapes
(Statuspage's public API v2 and manage API, a cState site, Statuspage's history.atom); where the
source is an address they are served by a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import REPO, Cli, page, text_of

FIXTURES = REPO / "tests" / "fixtures" / "import"
STATUSPAGE = FIXTURES / "statuspage"
BUILT_AT = datetime.fromisoformat("2026-11-20T12:00:00+01:00")


class Server:
    """Serves the fixtures: /status/api/v2/*.json, the manage API's pages (with the key checked),
    /feeds/*; counts the requests."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.keys: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                body, status = b"", 404
                if parts.path.startswith("/status/api/v2/"):
                    file = STATUSPAGE / parts.path.removeprefix("/status/api/v2/")
                    if file.is_file():
                        body, status = file.read_bytes(), 200
                elif parts.path == "/v1/pages/k3vq9wz7m2pd/incidents":
                    server.keys.append(self.headers.get("Authorization", ""))
                    if self.headers.get("Authorization") == "OAuth s3cr3t":
                        number = parse_qs(parts.query)["page"][0]
                        body, status = (FIXTURES / "manage-api" / f"page-{number}.json").read_bytes(), 200
                    else:
                        body, status = b'{"error": "unauthorized"}', 401
                elif parts.path == "/broken/api/v2/summary.json":
                    body, status = b"<html>not json</html>", 200
                elif parts.path.startswith("/feeds/"):
                    body, status = (FIXTURES / "feeds" / parts.path.removeprefix("/feeds/")).read_bytes(), 200
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def server():
    running = Server()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def site(tmp_path, at_time) -> Path:
    """A new user's site: `balise init`, in English, pinned to a moment after the fixtures' history."""
    at_time(BUILT_AT)
    Cli(tmp_path)("init", "site", "--language", "en")
    return tmp_path / "site"


def files(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): p.read_bytes()
        for p in sorted([*(site / "incidents").glob("20*.md"), site / "status" / "components.yml"])
    }


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(microsecond=0)


def updates_of(incident: dict) -> list[tuple[str, datetime, str]]:
    return sorted(
        (u["status"], moment(u["display_at"] or u["created_at"]), u["body"])
        for u in incident["incident_updates"]
        if u["status"] != "postmortem"
    )


# -- Statuspage ---------------------------------------------------------------------------------
def test_statuspage_round_trip_through_balise_own_api(site, server):
    """After the import, the API balise builds lists the source's incidents, with the same updates
    (statuses, times, text) and components."""
    cli = Cli(site)
    result = cli("import", "statuspage", server.url("/status"))
    assert "3 components in 1 group, 3 incidents, 1 maintenance, 11 updates" in result.stdout
    cli("check")
    cli("build")
    source = [
        *json.loads((STATUSPAGE / "incidents.json").read_text(encoding="utf-8"))["incidents"],
        *json.loads((STATUSPAGE / "scheduled-maintenances.json").read_text(encoding="utf-8"))["scheduled_maintenances"],
    ]
    built = {}
    for name in ("incidents.json", "scheduled-maintenances.json"):
        document = json.loads((site / "site" / "api" / "v2" / name).read_text(encoding="utf-8"))
        built |= {i["name"]: i for i in document.get("incidents", document.get("scheduled_maintenances", []))}
    clean = [i for i in source if i["id"] != "z9y8x7w6v5u4"]  # its hostile HTML is removed: see below
    for incident in clean:
        ours = built[incident["name"]]
        assert updates_of(ours) == updates_of(incident), incident["name"]
        assert sorted(c["name"] for c in ours["components"]) == sorted(c["name"] for c in incident["components"])
        assert ours["impact"] == incident["impact"]
    booking = built["Appointment booking unavailable"]
    assert moment(booking["started_at"]) == moment("2026-10-14T13:50:00+02:00")
    statuses = {c["name"]: c["new_status"] for c in booking["incident_updates"][-1]["affected_components"]}
    assert statuses == {"Appointment booking": "major_outage", "Partner API": "degraded_performance"}
    assert built["Slow partner API"]["status"] == "postmortem"  # the postmortem update became the postmortem
    maintenance = built["Database upgrade"]
    assert moment(maintenance["scheduled_for"]) == moment("2026-11-01T23:00:00+01:00")
    assert moment(maintenance["scheduled_until"]) == moment("2026-11-02T01:00:00+01:00")
    history = page(site / "site", "history/")
    assert "Appointment booking unavailable" in text_of(history)


def test_statuspage_files_read_as_written_by_hand_and_keep_offsets(site):
    Cli(site)("import", "statuspage", str(STATUSPAGE))
    text = (site / "incidents" / "2026-10-14-appointment-booking-unavailable.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Appointment booking unavailable\nkind: incident\nimpact: major\ncomponents:\n")
    assert "  - appointment-booking: major_outage\n  - partner-api: degraded_performance\n" in text
    assert "started_at: 2026-10-14 13:50 +02:00\n" in text
    assert "  url: https://status.cartes-solidaires.example/incidents/p31zjtct2jer\n" in text
    assert "  id: p31zjtct2jer\n" in text
    assert "## 2026-10-14 14:02:31 +02:00 — investigating\n\nWe are investigating" in text
    assert text.index("— investigating") < text.index("— identified") < text.index("— resolved")
    components = (site / "status" / "components.yml").read_text(encoding="utf-8")
    assert "  - id: appointment-booking\n    name: Appointment booking\n    description: Book a slot" in components
    postmortem = (site / "incidents" / "2026-09-03-slow-partner-api.md").read_text(encoding="utf-8")
    assert postmortem.endswith("## Postmortem\n\nA disk filled up on one API server. We now alert at 80% full.\n")


def test_imported_markdown_keeps_nothing_executable(site):
    result = Cli(site)("import", "statuspage", str(STATUSPAGE))
    text = (site / "incidents" / "2026-08-20-website-b-defaced-b.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    for payload in ("<script", "javascript:", "onerror", "<iframe", "alert("):
        assert payload not in body
    assert "Fixed. Details and" in body and "We are on it." in body
    assert "2026-08-20-website-b-defaced-b.md: update of 2026-08-20 09:00 +02:00: <script> removed" in result.stdout


def test_full_history_from_the_manage_api_page_by_page_with_the_key_from_the_environment(site, server, monkeypatch):
    cli = Cli(site)
    monkeypatch.delenv("STATUSPAGE_API_KEY", raising=False)
    refused = cli("import", "statuspage", str(STATUSPAGE), "--full-history", "--api-url", server.url("/v1"), expect=1)
    assert "STATUSPAGE_API_KEY" in refused.output and not list((site / "incidents").glob("20*.md"))
    monkeypatch.setenv("STATUSPAGE_API_KEY", "wrong")
    refused = cli("import", "statuspage", str(STATUSPAGE), "--full-history", "--api-url", server.url("/v1"), expect=1)
    assert "the server answered HTTP 401" in refused.output and "wrong" not in refused.output
    assert not list((site / "incidents").glob("20*.md"))
    server.requests.clear()
    server.keys.clear()
    monkeypatch.setenv("STATUSPAGE_API_KEY", "s3cr3t")
    result = cli("import", "statuspage", str(STATUSPAGE), "--full-history", "--api-url", server.url("/v1"))
    assert [p for p in server.requests if p.startswith("/v1/")] == [
        f"/v1/pages/k3vq9wz7m2pd/incidents?page={n}&per_page=100" for n in (1, 2, 3)
    ]
    assert set(server.keys) == {"OAuth s3cr3t"}
    assert "5 incidents, 1 maintenance" in result.stdout
    payments = (site / "incidents" / "2024-03-11-card-payments-refused.md").read_text(encoding="utf-8")
    assert "impact: major\n" in payments  # impact_override wins
    assert "started_at: 2024-03-11 18:05 +01:00\n" in payments
    assert payments.endswith("## Postmortem\n\nThe provider's certificate expired. We now monitor it ourselves.\n")
    assert (site / "incidents" / "2023-06-01-phone-line-cut.md").is_file()
    assert "s3cr3t" not in "".join(p.read_text(encoding="utf-8") for p in (site / "incidents").glob("20*.md"))
    cli("check")


def test_reimport_is_byte_identical_and_never_overwrites_a_hand_edited_file(site):
    cli = Cli(site)
    cli("import", "statuspage", str(STATUSPAGE))
    first = files(site)
    again = cli("import", "statuspage", str(STATUSPAGE))
    assert files(site) == first
    assert (
        "wrote" not in again.stdout
        and "unchanged: incidents/2026-10-14-appointment-booking-unavailable.md" in again.stdout
    )
    edited = site / "incidents" / "2026-10-14-appointment-booking-unavailable.md"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nWe have also refunded the booking fees.\n", encoding="utf-8"
    )
    kept = edited.read_bytes()
    other = site / "incidents" / "2026-09-03-slow-partner-api.md"
    other.unlink()  # deleted by mistake: the re-import brings it back, as it was
    third = cli("import", "statuspage", str(STATUSPAGE))
    assert edited.read_bytes() == kept
    assert (
        "left as edited: incidents/2026-10-14-appointment-booking-unavailable.md "
        "(changed by hand since it was imported: not overwritten)"
    ) in third.stdout
    assert other.read_bytes() == first["incidents/2026-09-03-slow-partner-api.md"]


def test_a_changed_source_updates_the_files_it_wrote_without_duplicating_them(site, tmp_path):
    cli = Cli(site)
    source = shutil.copytree(STATUSPAGE, tmp_path / "export")
    cli("import", "statuspage", str(source))
    before = sorted(p.name for p in (site / "incidents").glob("20*.md"))
    incidents = source / "incidents.json"
    incidents.write_text(
        incidents.read_text(encoding="utf-8").replace("Appointment booking unavailable", "Booking unavailable"),
        encoding="utf-8",
    )
    result = cli("import", "statuspage", str(source))
    assert sorted(p.name for p in (site / "incidents").glob("20*.md")) == before  # same file, same address
    assert "updated: incidents/2026-10-14-appointment-booking-unavailable.md" in result.stdout
    assert "title: Booking unavailable\n" in (
        site / "incidents" / "2026-10-14-appointment-booking-unavailable.md"
    ).read_text(encoding="utf-8")


def test_dry_run_writes_nothing_and_says_what_it_would(site):
    before = files(site)
    result = Cli(site)("import", "statuspage", str(STATUSPAGE), "--dry-run")
    assert files(site) == before
    assert "would write: incidents/2026-10-14-appointment-booking-unavailable.md" in result.stdout
    assert "would add to: status/components.yml" in result.stdout


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("/nowhere/api", "cannot be reached"),
        ("/broken", "is not a JSON document"),
        ("ftp", "not an http:// or https:// address"),
    ],
)
def test_unreachable_or_malformed_source_is_one_line_exit_1_nothing_written(site, server, source, expected):
    before = files(site)
    url = "ftp://127.0.0.1/status" if source == "ftp" else server.url(source)
    if source == "/nowhere/api":
        url = "http://127.0.0.1:9/status"  # the discard port: nothing listens there
    result = Cli(site)("import", "statuspage", url, expect=1)
    assert expected in result.output and "nothing was written" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert files(site) == before


def test_a_document_over_the_size_cap_is_refused(site, server):
    result = Cli(site)("import", "statuspage", server.url("/status"), "--max-bytes", "1000", expect=1)
    assert "over the 1000 bytes limit" in result.output
    assert not list((site / "incidents").glob("20*.md"))


def test_ids_file_renames_components_before_import(site, tmp_path):
    renames = tmp_path / "ids.yml"
    renames.write_text("c0book000001: rendez-vous\nPartner API: api\n", encoding="utf-8")
    Cli(site)("import", "statuspage", str(STATUSPAGE), "--ids", str(renames))
    components = (site / "status" / "components.yml").read_text(encoding="utf-8")
    assert "  - id: rendez-vous\n    name: Appointment booking\n" in components and "  - id: api\n" in components
    Cli(site)("check")


# -- cState ------------------------------------------------------------------------------------
def test_cstate_site_with_track_shortcodes_and_untidy_cases(site):
    cli = Cli(site)
    result = cli("import", "cstate", str(FIXTURES / "cstate"))
    out = result.stdout
    cli("check")
    booking = (site / "incidents" / "2025-05-25-booking-connection-issues.md").read_text(encoding="utf-8")
    assert "impact: minor\ncomponents:\n  - booking\n  - media-proxy\n" in booking
    assert (
        booking.index("## 2025-05-25 04:13 +00:00 — investigating\n\nSome people")
        < booking.index("## 2025-05-25 04:40 +00:00 — monitoring\n\nThe problem came")
        < booking.index("## 2025-05-25 05:54 +00:00 — resolved\n\nEveryone can book again.")
    )
    assert "{{<" not in booking and "*Resolved*" not in booking
    assert "  url: https://status.relais.example/issues/2025-05-25-booking-connection-issues/\n" in booking
    # Tabs, systems spelt two ways, one named nowhere, a date that does not exist: imported, and reported.
    down = (site / "incidents" / "2025-03-02-website-down.md").read_text(encoding="utf-8")
    assert "impact: critical\ncomponents:\n  - website\n  - media-proxy\n" in down  # critical: a major outage
    assert "## 2025-03-02 11:30 +00:00 — resolved\n\nThis issue is resolved.\n" in down  # resolvedWhen
    for note in (
        "content/issues/2025-03-02-website-down.md: tabs in its YAML read as spaces",
        "incidents/2025-03-02-website-down.md: affected system 'Media proxy ' read as 'Media Proxy'",
        "incidents/2025-03-02-website-down.md: affected system 'Mailing list' is not in config.yml's systems",
        "incidents/2025-03-02-website-down.md: date '2025-02-30 10:00:00' is not a real date",
        "its file name's date 2025-02-30 does not exist",
    ):
        assert note in out, note
    slow = (site / "incidents" / "2025-03-04-slow-booking-pages.md").read_text(encoding="utf-8")
    assert "## 2025-03-04 09:43:40 +00:00 — identified" in slow  # a date with Z keeps its offset
    assert "## 2025-03-04 11:50 +01:00 — identified\n\n**Update** – Pages are slow" in slow  # and +01:00 its own
    notice = (site / "incidents" / "2025-06-10-beware-of-fake-text-messages.md").read_text(encoding="utf-8")
    assert "kind: notice\nimpact: none\ncomponents:\n  - website\n" in notice
    assert "## 2025-06-10 08:00 +00:00 — investigating\n\nWe never ask" in notice  # no markers: one update
    draft = (site / "incidents" / "2025-07-01-planned-outage-not-announced-yet.md").read_text(encoding="utf-8")
    assert "draft: true\n" in draft
    cli("build")
    assert "Planned outage" not in "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in (site / "site").rglob("*") if p.is_file()
    )
    assert "Booking connection issues" in text_of(page(site / "site", "history/"))
    assert files(site) == (snapshot := files(site))
    cli("import", "cstate", str(FIXTURES / "cstate"))
    assert files(site) == snapshot


# -- feeds -------------------------------------------------------------------------------------
def test_statuspage_style_atom_history_over_http(site, server):
    cli = Cli(site)
    result = cli("import", "feed", server.url("/feeds/history.atom"))
    assert "1 incident, 1 maintenance, 7 updates" in result.stdout
    assert "a feed does not say which components an incident affected" in result.stdout
    cli("check")
    text = (site / "incidents" / "2025-12-31-text-message-reminders-delayed.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [  # the year comes from the entry; December's updates belong to the year before
        "## 2025-12-31 21:40 +00:00 — investigating",
        "## 2025-12-31 22:10 +00:00 — identified",
        "## 2026-01-01 23:50 +00:00 — identified",  # "Update" carries on the status before it
        "## 2026-01-02 09:30 +00:00 — resolved",
    ]
    assert "see [your appointments](https://relais.example/rdv)." in text
    assert "<script" not in text and "alert(" not in text
    assert "  url: https://status.relais.example/incidents/f4k9x2m8q1zt\n" in text
    move = (site / "incidents" / "2025-12-05-server-move.md").read_text(encoding="utf-8")
    assert "kind: maintenance\n" in move
    assert "scheduled_for: 2025-12-05 22:00 +00:00\nscheduled_until: 2025-12-06 02:00 +00:00\n" in move
    assert "status/components.yml" not in result.stdout  # a feed names no component: the file is left alone


def test_a_private_feed_address_token_is_not_recorded_in_the_files(site, server):
    Cli(site)("import", "feed", server.url("/feeds/history.atom?token=pr1vate"))
    text = (site / "incidents" / "2025-12-05-server-move.md").read_text(encoding="utf-8")
    assert f"  source: {server.url('/feeds/history.atom')}\n" in text
    assert "pr1vate" not in text


def test_a_feed_entry_without_update_blocks_is_one_update_and_says_so(site):
    result = Cli(site)("import", "feed", str(FIXTURES / "feeds" / "history.rss"))
    text = (site / "incidents" / "2025-10-14-login-page-unavailable.md").read_text(encoding="utf-8")
    assert "## 2025-10-14 08:15 +00:00 — resolved\n\nThe login page could not be reached" in text
    assert "no update blocks in the entry: one update, written 'resolved'" in result.stdout
    Cli(site)("check")


@pytest.mark.parametrize("folder", ["missing", "not-cstate"])
def test_a_folder_that_is_not_a_cstate_site_is_one_line_exit_1(site, tmp_path, folder):
    (tmp_path / "not-cstate").mkdir()
    (tmp_path / "not-cstate" / "config.yml").write_text("title: My blog\nparams:\n  author: me\n", encoding="utf-8")
    result = Cli(site)("import", "cstate", str(tmp_path / folder), expect=1)
    assert len(result.output.strip().splitlines()) == 1 and "nothing was written" in result.output
    assert "no such folder" in result.output if folder == "missing" else "is this a cState site?" in result.output


def test_a_file_that_is_not_a_feed_is_refused(site, tmp_path):
    bogus = tmp_path / "history.atom"
    bogus.write_text("this is not a feed", encoding="utf-8")
    result = Cli(site)("import", "feed", str(bogus), expect=1)
    assert "is not an RSS or Atom feed" in result.output and "nothing was written" in result.output


# -- the loader -------------------------------------------------------------------------------
def test_check_refuses_a_mistyped_imported_from(site):
    Cli(site)("import", "statuspage", str(STATUSPAGE))
    path = site / "incidents" / "2026-09-03-slow-partner-api.md"
    path.write_text(path.read_text(encoding="utf-8").replace("  url:", "  adress:"), encoding="utf-8")
    result = Cli(site)("check", expect=1)
    assert "unknown field 'adress'" in result.output


def test_the_readme_commands_take_a_new_user_from_init_to_a_built_history(tmp_path, server, at_time):
    """The README's own lines, the page's address replaced by the local server's."""
    import re
    import shlex

    at_time(BUILT_AT)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Moving from another status page") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    folder = tmp_path
    for line in block.strip().splitlines():
        for command in (part.strip() for part in line.split("&&")):
            words = shlex.split(command)
            if words[0] == "cd":
                folder = folder / words[1]
                continue
            assert words[0] == "balise", command
            args = [server.url("/status") if w.startswith("https://") else w for w in words[1:]]
            Cli(folder)(*args)
    history = text_of(page(folder / "site", "historique/" if (folder / "site" / "historique").is_dir() else "history/"))
    assert "Appointment booking unavailable" in history and "Database upgrade" in history


def test_what_cannot_be_mapped_is_imported_where_it_can_and_reported_with_its_file(site, tmp_path):
    source = shutil.copytree(STATUSPAGE, tmp_path / "export")
    document = json.loads((source / "incidents.json").read_text(encoding="utf-8"))
    booking = document["incidents"][0]
    updates = booking["incident_updates"]  # newest first, as Statuspage lists them
    updates[1]["status"] = "escalated"  # a status Statuspage never had
    updates[2]["display_at"] = updates[3]["display_at"]  # two updates at the same second
    updates[2]["body"] = "Found it.\x1b[31m Colour codes\x07 and a bell."
    updates.insert(1, dict(updates[0], id="again", status="resolved", display_at="2026-10-14T16:20:00.000+02:00"))
    booking["components"].append({"id": "gone00000001", "name": "Old mobile app"})
    (source / "incidents.json").write_text(json.dumps(document), encoding="utf-8")
    out = Cli(site)("import", "statuspage", str(source)).stdout
    where = "incidents/2026-10-14-appointment-booking-unavailable.md"
    for note in (
        "status 'escalated' at 2026-10-14 15:55 +02:00 is not a status for this incident: written 'identified'",
        "two updates at 2026-10-14 14:02:31 +02:00: the second moved to the next second",
        "closed at 2026-10-14 16:20 +02:00 then updated again: that update is written 'monitoring'",
        "component 'gone00000001' is not among the page's components: left out",
    ):
        assert f"{where}: {note}" in out, note
    text = (site / where).read_text(encoding="utf-8")
    assert "## 2026-10-14 14:02:32 +02:00 — identified\n\nFound it. Colour codes and a bell." in text
    Cli(site)("check")


def test_a_components_file_with_comments_is_never_rewritten(site):
    components = site / "status" / "components.yml"
    components.write_text(
        components.read_text(encoding="utf-8").replace("    group: online", "    group: online  # our main site"),
        encoding="utf-8",
    )
    before = files(site)
    result = Cli(site)("import", "statuspage", str(STATUSPAGE), expect=1)
    assert "its comments would be lost" in result.output and "partner-api, appointment-booking" in result.output
    assert files(site) == before


def test_an_id_in_the_ids_file_must_be_an_id(site, tmp_path):
    renames = tmp_path / "ids.yml"
    renames.write_text("Partner API: Partner API\n", encoding="utf-8")
    result = Cli(site)("import", "statuspage", str(STATUSPAGE), "--ids", str(renames), expect=1)
    assert "lower-case letters, digits and dashes" in result.output and "nothing was written" in result.output


def test_an_incident_check_would_refuse_is_not_written_and_named(site, tmp_path):
    source = shutil.copytree(STATUSPAGE, tmp_path / "export")
    document = json.loads((source / "incidents.json").read_text(encoding="utf-8"))
    document["incidents"][1]["incident_updates"][1]["body"] = "Logs:\n\n```\nerror 500"  # a code block never closed
    (source / "incidents.json").write_text(json.dumps(document), encoding="utf-8")
    result = Cli(site)("import", "statuspage", str(source))
    assert "warning: not imported: Slow partner API: line " in result.stderr
    assert not (site / "incidents" / "2026-09-03-slow-partner-api.md").exists()
    assert (site / "incidents" / "2026-10-14-appointment-booking-unavailable.md").exists()
    Cli(site)("check")


@pytest.mark.parametrize("name", ["summary.json", "components.json", "incidents.json", "scheduled-maintenances.json"])
def test_the_statuspage_fixtures_have_the_real_api_shape(name):
    """The fixtures pass the schemas tests/test_api.py holds to a real page's payload."""
    from test_api import validator

    document = json.loads((STATUSPAGE / name).read_text(encoding="utf-8"))
    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(document)] == []


def test_the_sites_own_components_stay_as_written_when_imported_ones_are_added(cli, demo):
    """Into the demo organisation: its groups and components are kept, entry for entry, before the new ones."""
    import yaml

    path = demo / "status" / "components.yml"
    before = yaml.safe_load(path.read_text(encoding="utf-8"))
    cli("import", "statuspage", str(STATUSPAGE))
    after = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert after["groups"][: len(before["groups"])] == before["groups"]
    assert after["components"][: len(before["components"])] == before["components"]
    assert [c["name"] for c in after["components"][len(before["components"]) :]] == [
        "Website",
        "Partner API",
        "Appointment booking",
    ]
    assert path.read_text(encoding="utf-8").startswith("# Services suivis sur la page de statut.")
    cli("check")
