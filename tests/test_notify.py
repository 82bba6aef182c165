"""`balise notify` against real local servers: an HTTP receiver recording what each kind of channel
posts, a real SMTP server (aiosmtpd) that parses the mails, and a WebSub hub. Each test drives the
CLI over a copy of the demo, at pinned moments, and reads what the servers received."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

from conftest import REPO, edit, page, text_of
from gitrepo import commit_all, init_repo

INCIDENT = "incidents/2026-11-22-prise-de-rendez-vous-indisponible.md"
MAINTENANCE = "incidents/2026-12-05-maintenance-espace-beneficiaires.md"
# The day after the demo's incident: everything in the demo is older than max_age (6 h).
LATER = datetime.fromisoformat("2026-11-23T12:00:00+01:00")
SECRET = "a-long-webhook-secret"


# -- the servers -------------------------------------------------------------------------------
@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records every request; a path may be told to fail, or to
    kill the process that posts to it (a crash mid-send)."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    failing: dict[str, int] = field(default_factory=dict)  # path -> status to answer
    kill: dict[str, int] = field(default_factory=dict)  # path -> pid to kill on receipt

    def on(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def clear(self) -> None:
        self.requests.clear()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            found.requests.append(Request(self.path, dict(self.headers.items()), body))
            if self.path in found.kill:
                os.kill(found.kill.pop(self.path), signal.SIGKILL)
            status = found.failing.get(self.path, 200)
            answer = b"{}"
            if self.path.endswith("createSession"):
                answer = json.dumps({"accessJwt": "jwt-of-the-session", "did": "did:plc:relais"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1; BALISE_SMTP_URL points at it."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("BALISE_SMTP_URL", f"smtp://127.0.0.1:{port}")
    yield box
    controller.stop()


# -- the site ----------------------------------------------------------------------------------
def configure(demo: Path, channels: str, extra: str = "") -> None:
    """The demo's plugin options with `channels` as its notify: list (YAML, indented as items)."""
    block = "      notify:\n" + "".join(f"        {line}\n" for line in channels.strip("\n").splitlines())
    edit(demo, "mkdocs.yml", "      as_of: 2026-11-22T11:30:00+01:00\n", block + extra)


def webhook_and_email(receiver: Receiver) -> str:
    return f"""
- kind: webhook
  url: {receiver.url}/hook
  secret: !ENV BALISE_WEBHOOK_SECRET
- kind: email
  url: !ENV BALISE_SMTP_URL
  security: none
  to: annonces@liste.example.org
  from: statut@relais-solidaire.example.org
  list_unsubscribe: https://liste.example.org/unsubscribe
"""


@pytest.fixture
def site(demo, receiver, smtp, monkeypatch) -> Path:
    monkeypatch.setenv("BALISE_WEBHOOK_SECRET", SECRET)
    configure(demo, webhook_and_email(receiver))
    return demo


def notify_at(cli, at_time, moment: datetime, *args: str, expect: int = 0):
    at_time(moment)
    return cli("notify", *args, expect=expect)


def post_update(cli, at_time, moment: datetime, message: str, status: str = "monitoring") -> None:
    at_time(moment)
    cli("update", "prise-de-rendez-vous", "--status", status, "--message", message, "--at", moment.isoformat())


def ledger_lines(site: Path) -> list[dict]:
    path = site / ".balise" / "notify-ledger.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- exactly once ------------------------------------------------------------------------------
def test_first_run_on_an_existing_history_records_everything_and_sends_nothing(cli, site, receiver, smtp, at_time):
    result = notify_at(cli, at_time, LATER)
    assert receiver.requests == [] and smtp.mails == []
    assert "webhook: 0 sent" in result.stderr and "email: 0 sent" in result.stderr
    skipped = {(line["channel"], line["event"]) for line in ledger_lines(site) if line.get("state") == "skipped"}
    assert ("webhook", "update:2026-11-22-prise-de-rendez-vous-indisponible:update-20261122t075200z") in skipped
    assert len(skipped) > 40  # every update and postmortem of the demo, for both channels


def test_an_update_goes_once_to_each_channel_across_two_runs_and_a_rerun(cli, site, receiver, smtp, at_time):
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service d'agenda <fonctionne> de nouveau & nous surveillons.")
    notify_at(cli, at_time, moment + timedelta(minutes=2))
    assert len(receiver.on("/hook")) == 1 and len(smtp.mails) == 1
    # the next run (a scheduled rebuild), and the same run again (a re-run workflow): nothing more
    notify_at(cli, at_time, moment + timedelta(minutes=15))
    notify_at(cli, at_time, moment + timedelta(minutes=15))
    assert len(receiver.on("/hook")) == 1 and len(smtp.mails) == 1


def test_the_webhook_is_statuspages_shape_signed_with_a_stable_delivery_id(cli, site, receiver, at_time):
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service fonctionne de nouveau.", status="resolved")
    notify_at(cli, at_time, moment)
    (request,) = receiver.on("/hook")
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Balise-Signature-256"] == expected
    assert request.headers["Content-Type"] == "application/json"
    payload = request.json()
    assert set(payload) == {"meta", "page", "incident"}
    assert payload["page"]["status_indicator"] == "none"  # the incident is resolved: all is well
    assert payload["page"]["status_description"]
    incident = payload["incident"]
    assert incident["id"] == "2026-11-22-prise-de-rendez-vous-indisponible"
    assert incident["status"] == "resolved"
    latest = incident["incident_updates"][0]
    assert latest["status"] == "resolved" and latest["body"] == "Le service fonctionne de nouveau."
    assert payload["meta"]["delivery_id"] == request.headers["X-Balise-Delivery"]
    assert len(request.headers["X-Balise-Delivery"]) == 32


def test_component_updates_are_statuspages_component_webhooks_when_asked_for(cli, demo, receiver, at_time):
    configure(demo, f"- kind: webhook\n  url: {receiver.url}/hook\n  component_updates: true\n")
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service fonctionne de nouveau.", status="resolved")
    notify_at(cli, at_time, moment)
    incident, *components = [r.json() for r in receiver.on("/hook")]
    assert "incident" in incident and all(
        set(c) == {"meta", "page", "component", "component_update"} for c in components
    )
    changes = {c["component"]["id"]: c["component_update"] for c in components}
    assert set(changes) == {"prise-de-rendez-vous", "rappels-sms"}
    change = changes["prise-de-rendez-vous"]
    assert (change["old_status"], change["new_status"], change["component_id"]) == (
        "major_outage",
        "operational",
        "prise-de-rendez-vous",
    )
    assert components[0]["component"]["status"] == "operational" and components[0]["component"]["name"]
    notify_at(cli, at_time, moment + timedelta(minutes=15))
    assert len(receiver.requests) == 3


def test_the_mail_has_text_and_html_a_stable_message_id_and_list_unsubscribe(cli, site, smtp, at_time):
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service d'agenda **fonctionne** de nouveau <script>alert(1)</script>.")
    notify_at(cli, at_time, moment)
    (mail,) = smtp.mails
    assert smtp.envelopes == [("statut@relais-solidaire.example.org", ["annonces@liste.example.org"])]
    assert mail["Subject"] == "[Sous surveillance] Prise de rendez-vous en ligne indisponible"
    assert mail["List-Unsubscribe"] == "<https://liste.example.org/unsubscribe>"
    assert mail["Message-ID"].endswith("@statut.relais-solidaire.example.org>")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Le service d'agenda fonctionne de nouveau" in text and "**" not in text
    assert "#update-20261123t111000z" in text
    assert "<strong>fonctionne</strong>" in html and "<script" not in html and "alert" not in text
    assert 'href="https://liste.example.org/unsubscribe"' in html


def test_a_crash_between_two_sends_never_sends_the_first_again(cli, demo, receiver, at_time, monkeypatch):
    """The second channel's receiver kills `balise notify` as its request arrives: the first delivery
    was recorded and is not made again; the one in flight is made again, with the same delivery id."""
    configure(
        demo,
        f"- kind: webhook\n  name: first\n  url: {receiver.url}/a\n"
        f"- kind: webhook\n  name: second\n  url: {receiver.url}/b\n",
    )
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service fonctionne de nouveau.")
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(int(moment.timestamp()))}
    process = subprocess.Popen(
        [sys.executable, "-m", "balise", "notify"], cwd=demo, env=environment, stderr=subprocess.PIPE
    )
    receiver.kill["/b"] = process.pid
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert len(receiver.on("/a")) == 1 and len(receiver.on("/b")) == 1
    notify_at(cli, at_time, moment + timedelta(minutes=5))
    assert len(receiver.on("/a")) == 1
    first, again = receiver.on("/b")
    assert first.headers["X-Balise-Delivery"] == again.headers["X-Balise-Delivery"]
    notify_at(cli, at_time, moment + timedelta(minutes=20))
    assert len(receiver.requests) == 3


def test_a_failing_channel_stops_no_other_and_is_retried_until_max_age(cli, site, receiver, smtp, at_time):
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service revient peu à peu.")
    post_update(cli, at_time, moment + timedelta(minutes=1), "Le service fonctionne de nouveau.", status="resolved")
    receiver.failing["/hook"] = 503
    result = notify_at(cli, at_time, moment + timedelta(minutes=2), expect=1)
    assert "webhook: 127.0.0.1" in result.stderr and "503" in result.stderr and "tried again" in result.stderr
    assert "/hook" not in result.stderr  # a webhook's address is its secret: only its host is shown
    assert len(receiver.on("/hook")) == 1  # after a failure, the next update waits: no second refusal
    assert len(smtp.mails) == 2  # the other channel got its mails
    del receiver.failing["/hook"]
    notify_at(cli, at_time, moment + timedelta(minutes=15))
    retried = [r.json()["incident"]["incident_updates"][0]["status"] for r in receiver.on("/hook")[1:]]
    assert retried == ["monitoring", "resolved"]  # in order
    notify_at(cli, at_time, moment + timedelta(minutes=30))
    assert len(receiver.on("/hook")) == 3 and len(smtp.mails) == 2


def test_a_failure_is_not_retried_past_max_age(cli, site, receiver, smtp, at_time):
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service fonctionne de nouveau.")
    receiver.failing["/hook"] = 500
    notify_at(cli, at_time, moment, expect=1)
    del receiver.failing["/hook"]
    notify_at(cli, at_time, moment + timedelta(hours=7))
    assert len(receiver.on("/hook")) == 1  # the failed attempt only: old news is not sent


def test_an_embargo_lifting_is_news_when_it_lifts(cli, site, receiver, at_time):
    notify_at(cli, at_time, LATER)
    embargo = LATER + timedelta(hours=1)
    (site / "incidents" / "2026-11-23-faux-courriels.md").write_text(
        "---\ntitle: Faux courriels\nkind: notice\nimpact: none\n"
        f"publish_at: {embargo.isoformat(' ')}\n---\n\n"
        f"## {(LATER - timedelta(hours=8)).isoformat(' ')} — investigating\n\n"
        "Des courriels imitant les nôtres circulent : ne cliquez sur aucun lien.\n",
        encoding="utf-8",
    )
    notify_at(cli, at_time, LATER + timedelta(minutes=30))
    assert receiver.requests == []  # still embargoed
    notify_at(cli, at_time, embargo + timedelta(minutes=5))
    (request,) = receiver.on("/hook")
    assert request.json()["incident"]["name"] == "Faux courriels"


def test_a_draft_published_is_news_even_when_written_long_before(cli, site, receiver, smtp, at_time):
    notify_at(cli, at_time, LATER)
    path = site / "incidents" / "2026-11-23-faux-courriels.md"
    written = (LATER - timedelta(hours=10)).isoformat(" ")
    path.write_text(
        f"---\ntitle: Faux courriels\nkind: notice\nimpact: none\ndraft: true\n---\n\n## {written} — investigating\n\n"
        "Des courriels imitant les nôtres circulent.\n",
        encoding="utf-8",
    )
    notify_at(cli, at_time, LATER + timedelta(minutes=15))
    assert receiver.requests == [] and smtp.mails == []  # a draft is never sent
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    notify_at(cli, at_time, LATER + timedelta(minutes=30))
    assert [r.json()["incident"]["name"] for r in receiver.on("/hook")] == ["Faux courriels"]
    assert [m["Subject"] for m in smtp.mails] == ["[Enquête en cours] Faux courriels"]


def test_an_amendment_is_a_correction_on_webhooks_and_not_on_social_networks(cli, demo, receiver, at_time, monkeypatch):
    configure(
        demo,
        f"- kind: webhook\n  url: {receiver.url}/hook\n- kind: mastodon\n  url: {receiver.url}/masto\n  token: t\n",
    )
    init_repo(demo)
    commit_all(demo, "The demo", "2026-11-22T12:00:00+01:00")
    notify_at(cli, at_time, LATER)
    edit(demo, INCIDENT, "Nous cherchons la cause.", "Nous cherchons la cause avec notre prestataire.")
    commit_all(demo, "Corrected", LATER.isoformat())
    notify_at(cli, at_time, LATER + timedelta(minutes=5))
    (request,) = receiver.requests
    assert request.path == "/hook" and request.json()["meta"]["event"] == "correction"
    assert "avec notre prestataire" in json.dumps(request.json(), ensure_ascii=False)
    notify_at(cli, at_time, LATER + timedelta(minutes=20))
    assert len(receiver.requests) == 1


def test_maintenance_reminders_are_sent_once_inside_their_window_never_after_the_start(cli, demo, receiver, at_time):
    configure(demo, f"- kind: discord\n  url: {receiver.url}/discord\n")
    start = datetime.fromisoformat("2026-12-05T22:00:00+01:00")
    notify_at(cli, at_time, start - timedelta(hours=30))  # the history, recorded
    assert receiver.requests == []
    notify_at(cli, at_time, start - timedelta(hours=23, minutes=20))  # a late scheduled run, in the 24 h window
    notify_at(cli, at_time, start - timedelta(hours=22))
    (day_before,) = receiver.requests
    assert "Rappel" in day_before.json()["content"] and "dans 24\u00a0h" in day_before.json()["content"]
    notify_at(cli, at_time, start - timedelta(minutes=50))
    notify_at(cli, at_time, start - timedelta(minutes=10))
    assert len(receiver.requests) == 2 and "dans 1\u00a0h" in receiver.requests[1].json()["content"]
    notify_at(cli, at_time, start + timedelta(minutes=5))
    assert len(receiver.requests) == 2


def test_a_reminder_is_never_sent_once_the_maintenance_has_started(cli, demo, receiver, at_time):
    configure(demo, f"- kind: discord\n  url: {receiver.url}/discord\n")
    start = datetime.fromisoformat("2026-12-05T22:00:00+01:00")
    notify_at(cli, at_time, start - timedelta(hours=30))
    notify_at(cli, at_time, start + timedelta(minutes=1))  # the scheduled run came too late
    assert receiver.requests == []


# -- each channel's payload --------------------------------------------------------------------
def every_kind(url: str) -> str:
    return f"""
- kind: slack
  url: {url}/slack
- kind: teams
  url: {url}/teams
- kind: discord
  url: {url}/discord
- kind: mattermost
  url: {url}/mattermost
- kind: mastodon
  url: {url}/mastodon/
  token: !ENV BALISE_MASTODON_TOKEN
- kind: bluesky
  url: {url}/bsky
  identifier: relais.example.org
  password: !ENV BALISE_BLUESKY_PASSWORD
  language: en
"""


def test_each_kind_posts_what_its_service_expects(cli, demo, receiver, at_time, monkeypatch):
    monkeypatch.setenv("BALISE_MASTODON_TOKEN", "mastodon-token")
    monkeypatch.setenv("BALISE_BLUESKY_PASSWORD", "app-password")
    configure(demo, every_kind(receiver.url))
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    long = " ".join(["Le service d'agenda fonctionne de nouveau, <@everyone> & @here."] * 60)
    post_update(cli, at_time, moment, long)
    notify_at(cli, at_time, moment)
    link = "https://statut.relais-solidaire.example.org/incidents/2026-11-22-prise-de-rendez-vous-indisponible/#update-20261123t111000z"

    (slack,) = receiver.on("/slack")
    blocks = slack.json()["blocks"]
    assert slack.json()["text"] == "[Sous surveillance] Prise de rendez-vous en ligne indisponible"
    section = blocks[1]["text"]
    assert section["type"] == "mrkdwn" and "&lt;@everyone&gt; &amp; @here" in section["text"]
    assert "<@everyone>" not in json.dumps(blocks)
    assert any(link in json.dumps(block) for block in blocks)

    (teams,) = receiver.on("/teams")
    attachment = teams.json()["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["actions"][0]["url"] == link

    (discord,) = receiver.on("/discord")
    assert discord.json()["allowed_mentions"] == {"parse": []}
    content = discord.json()["content"]
    assert len(content) <= 2000 and content.endswith(link) and "…" in content

    (mattermost,) = receiver.on("/mattermost")
    assert link in mattermost.json()["text"]

    (mastodon,) = receiver.on("/mastodon/api/v1/statuses")
    assert mastodon.headers["Authorization"] == "Bearer mastodon-token"
    assert len(mastodon.headers["Idempotency-Key"]) == 32
    status = mastodon.json()
    assert status["language"] == "fr" and status["status"].endswith(link)
    assert len(status["status"]) - len(link) + 23 <= 500

    session, created = receiver.on("/bsky/xrpc/com.atproto.server.createSession") + receiver.on(
        "/bsky/xrpc/com.atproto.repo.createRecord"
    )
    assert session.json() == {"identifier": "relais.example.org", "password": "app-password"}
    assert created.headers["Authorization"] == "Bearer jwt-of-the-session"
    record = created.json()["record"]
    assert created.json()["repo"] == "did:plc:relais" and record["langs"] == ["en"]
    assert record["text"].startswith("[Monitoring] ") and len(record["text"]) <= 300
    (facet,) = record["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert facet["features"][0] == {"$type": "app.bsky.richtext.facet#link", "uri": link}
    shown = record["text"].encode("utf-8")[start:end].decode("utf-8")  # the link's text, shortened
    assert record["text"].endswith(shown) and shown.endswith("…") and link.startswith("https://" + shown[:-1])
    assert "Le service d'agenda fonctionne" in record["text"]
    assert len(receiver.requests) == 7


# -- WebSub ------------------------------------------------------------------------------------
def test_websub_feeds_name_their_hub_and_the_hub_is_pinged_for_each_changed_feed(cli, demo, receiver, at_time):
    configure(demo, f"- kind: websub\n  url: {receiver.url}/hub\n")
    at_time(LATER)
    cli("build")
    feed = (demo / "site" / "history.atom").read_text(encoding="utf-8")
    assert f'<link rel="hub" href="{receiver.url}/hub" />' in feed
    assert (
        '<link rel="self" type="application/atom+xml" href="https://statut.relais-solidaire.example.org/history.atom" />'
        in feed
    )
    rss = (demo / "site" / "history.rss").read_text(encoding="utf-8")
    assert f'<atom:link rel="hub" href="{receiver.url}/hub" />' in rss
    notify_at(cli, at_time, LATER)
    assert receiver.requests == []
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service fonctionne de nouveau.")
    notify_at(cli, at_time, moment)
    pinged = [r.form() for r in receiver.on("/hub")]
    assert all(form["hub.mode"] == ["publish"] for form in pinged)
    base = "https://statut.relais-solidaire.example.org/"
    assert sorted(form["hub.url"][0] for form in pinged) == sorted(
        [base + "history.atom", base + "history.rss"]
        + [
            base + f"components/{c}/history.{k}"
            for c in ("prise-de-rendez-vous", "rappels-sms")
            for k in ("atom", "rss")
        ]
        + [base + "incidents/2026-11-22-prise-de-rendez-vous-indisponible/feed.atom"]
    )
    notify_at(cli, at_time, moment + timedelta(minutes=15))
    assert len(receiver.on("/hub")) == len(pinged)


# -- dry run, test message, bad configuration --------------------------------------------------
def test_dry_run_prints_what_each_channel_would_receive_and_sends_nothing(cli, site, receiver, smtp, at_time):
    notify_at(cli, at_time, LATER)
    before = ledger_lines(site)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service fonctionne de nouveau.")
    result = notify_at(cli, at_time, moment, "--dry-run")
    assert "--- webhook (webhook): update:2026-11-22-prise-de-rendez-vous-indisponible" in result.stdout
    assert '"status_indicator"' in result.stdout and "List-Unsubscribe:" in result.stdout
    assert receiver.requests == [] and smtp.mails == [] and ledger_lines(site) == before
    notify_at(cli, at_time, moment)
    assert len(receiver.requests) == 1 and len(smtp.mails) == 1


def test_test_sends_one_message_and_records_nothing(cli, site, receiver, smtp, at_time):
    result = notify_at(cli, at_time, LATER, "--test", "email")
    assert "email: test message sent" in result.stderr
    (mail,) = smtp.mails
    assert mail["Subject"].startswith("[Message de test]")
    assert receiver.requests == [] and not (site / ".balise" / "notify-ledger.jsonl").exists()
    notify_at(cli, at_time, LATER, "--test", "webhook")
    assert receiver.on("/hook")[0].json()["meta"]["event"] == "test"
    result = notify_at(cli, at_time, LATER, "--test", "slack", expect=1)
    assert "no notify channel named 'slack' — the channels are: webhook, email" in result.stderr


@pytest.mark.parametrize(
    ("channels", "line", "message"),
    [
        (
            "- kind: pigeon\n  url: https://example.org/\n",
            25,
            "unknown notify channel kind 'pigeon' — use one of: webhook",
        ),
        (
            "- kind: webhook\n  url: !ENV BALISE_UNSET_URL\n",
            26,
            "environment variable BALISE_UNSET_URL, which is not set",
        ),
        (
            "- kind: slack\n  url: hooks.slack.com/services/x\n",
            26,
            "the slack channel's url 'hooks.slack.com/services/x' is malformed",
        ),
        (
            "- kind: email\n  url: smtp://u:p@mail.example.org\n  to: a@example.org\n",
            25,
            "the email channel needs 'from'",
        ),
        ("- kind: webhook\n  url: https://example.org/\n  components: [cantine]\n", 27, "'cantine' is not a component"),
    ],
)
def test_bad_configuration_is_one_line_naming_mkdocs_yml_before_anything_is_sent(
    cli, demo, receiver, at_time, channels, line, message
):
    configure(demo, f"- kind: webhook\n  url: {receiver.url}/hook\n" + channels)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, "Le service fonctionne de nouveau.")
    result = notify_at(cli, at_time, moment, expect=1)
    (shown,) = result.stderr.strip().splitlines()
    assert shown.startswith(f"mkdocs.yml:{line}: ") and message in shown, shown
    assert receiver.requests == [] and not (demo / ".balise").exists()


# -- the Subscribe page ------------------------------------------------------------------------
def test_the_subscribe_page_lists_the_public_ways_to_follow(cli, demo, at_time):
    edit(
        demo,
        "mkdocs.yml",
        "      as_of: 2026-11-22T11:30:00+01:00\n",
        "      follow:\n"
        "        - name: Mastodon @relais@social.example.org\n          url: https://social.example.org/@relais\n"
        "        - name: Liste de diffusion\n          url: https://liste.example.org/subscribe\n",
    )
    at_time(LATER)
    cli("build")
    follow = page(demo / "site", "subscribe/").find(id="follow")
    assert follow is not None
    links = [(text_of(a), a["href"]) for a in follow.find_next("ul").find_all("a")]
    assert links == [
        ("Mastodon @relais@social.example.org", "https://social.example.org/@relais"),
        ("Liste de diffusion", "https://liste.example.org/subscribe"),
    ]


def test_the_readme_shows_every_kind(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Notifications", 1)[1].split("\n## ", 1)[0]
    for kind in ("webhook", "slack", "teams", "discord", "mattermost", "mastodon", "bluesky", "email", "websub"):
        assert f"kind: {kind}" in section


# -- the workflows -----------------------------------------------------------------------------
@pytest.mark.parametrize("folder", [".github/workflows", "balise/scaffold/site/github/workflows"])
@pytest.mark.parametrize(("name", "after"), [("publish.yml", "publish"), ("rebuild.yml", "rebuild")])
def test_the_workflows_notify_after_deploying_writing_only_the_ledger_branch(folder, name, after):
    import yaml

    workflow = yaml.safe_load((REPO / folder / name).read_text(encoding="utf-8"))
    job = workflow["jobs"]["notify"]
    assert job["needs"] == after and job["permissions"] == {"contents": "write"}
    steps = {step["name"]: step for step in job["steps"]}
    notify = steps["Notify"]
    assert notify["run"] == "balise notify --ledger .ledger/notify-ledger.jsonl"
    assert all(value == f"${{{{ secrets.{key} }}}}" for key, value in notify["env"].items())
    push = steps["Push the delivery ledger"]
    assert push["if"] == "${{ !cancelled() }}" and "HEAD:balise-notify" in push["run"]
    checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}


# -- the README, as a new user reads it -----------------------------------------------------------
def test_a_new_user_following_the_readme_gets_one_delivery_per_channel_then_nothing(
    cli, demo, receiver, smtp, monkeypatch
):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Notifications", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    items = block.split("      notify:\n", 1)[1]
    configure(demo, "\n".join(line.removeprefix("        ") for line in items.splitlines()))
    monkeypatch.setenv("BALISE_WEBHOOK_URL", f"{receiver.url}/hook")
    monkeypatch.setenv("BALISE_WEBHOOK_SECRET", SECRET)
    init_repo(demo)
    commit_all(demo, "Our status page", "2026-11-23T09:00:00+01:00")
    cli(
        "update",
        "prise-de-rendez-vous",
        "--status",
        "resolved",
        "--message",
        "Le service est rétabli.",
        "--at",
        "2026-11-23T10:00:00+01:00",
    )
    commit_all(demo, "Resolved", "2026-11-23T10:01:00+01:00")
    cli("notify")
    assert len(receiver.on("/hook")) == 1 and len(smtp.mails) == 1
    assert smtp.mails[0]["List-Unsubscribe"] == "<https://liste.example.org/unsubscribe>"
    cli("notify")
    assert len(receiver.on("/hook")) == 1 and len(smtp.mails) == 1


def test_a_postmortem_published_later_is_news(cli, demo, receiver, at_time):
    configure(demo, f"- kind: mattermost\n  url: {receiver.url}/mm\n")
    init_repo(demo)
    commit_all(demo, "The demo", "2026-11-22T12:00:00+01:00")
    notify_at(cli, at_time, LATER)  # the history, and its postmortems dated by this one commit: old news
    assert receiver.requests == []
    path = demo / "incidents" / "2026-10-27-ligne-ecoute-injoignable.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n## Postmortem\n\nLe standard a cédé sous la charge.\n")
    commit_all(demo, "Postmortem", (LATER + timedelta(minutes=5)).isoformat())
    notify_at(cli, at_time, LATER + timedelta(minutes=10))
    (request,) = receiver.requests
    assert request.json()["text"].startswith("[Retour d'expérience]") or "Le standard a cédé" in request.json()["text"]
    assert "#postmortem" in request.json()["text"]


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that the client trusts (through SSL_CERT_FILE, as a system's CA list)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return key, cert


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_mail_goes_over_tls_with_the_login_of_the_url(cli, demo, at_time, certificate, monkeypatch, scheme):
    """A real SMTP server requiring TLS before AUTH: STARTTLS for smtp://, implicit TLS for smtps://."""
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate[1], certificate[0])
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, data):
        if isinstance(data, LoginPassword):
            logins.append((data.login, data.password))
        return AuthResult(success=isinstance(data, LoginPassword) and data.password == b"p@ss word")

    box, port = Mailbox(), free_port()
    # aiosmtpd knows a session is encrypted only after STARTTLS: with implicit TLS, AUTH is simply offered.
    tls = (
        {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
        if scheme == "smtp"
        else {"ssl_context": context, "auth_require_tls": False}
    )
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=authenticate, **tls)
    controller.start()
    try:
        monkeypatch.setenv("BALISE_SMTP_URL", f"{scheme}://statut:p%40ss%20word@127.0.0.1:{port}")
        configure(demo, "- kind: email\n  url: !ENV BALISE_SMTP_URL\n  to: a@example.org\n  from: s@example.org\n")
        notify_at(cli, at_time, LATER, "--test", "email")
    finally:
        controller.stop()
    assert logins == [(b"statut", b"p@ss word")] and len(box.mails) == 1


def test_a_short_post_keeps_its_link_whole_whatever_the_title():
    from zoneinfo import ZoneInfo

    from balise.i18n import Translator
    from balise.notify.messages import Message

    t = Translator("en", ZoneInfo("Europe/Paris"))
    link = "https://status.example.org/incidents/2026-11-23-x/#update-20261123t111000z"
    message = Message("Investigating", "A very long title " * 30, "Text " * 200, "", link, "", ("A", "B"), "en")
    for limit in (300, 500, 2000):
        short = message.short(limit, t)
        assert len(short) <= limit and short.endswith("\n\n" + link)


def test_a_title_on_several_lines_is_one_subject_line_and_adds_no_header(cli, site, smtp, at_time):
    notify_at(cli, at_time, LATER)
    (site / "incidents" / "2026-11-23-courriels.md").write_text(
        "---\ntitle: |\n  Faux courriels\n  Bcc: tous@example.org\nkind: notice\nimpact: none\n---\n\n"
        f"## {(LATER + timedelta(minutes=5)).isoformat(' ')} — investigating\n\nNe cliquez sur aucun lien.\n",
        encoding="utf-8",
    )
    notify_at(cli, at_time, LATER + timedelta(minutes=10))
    (mail,) = smtp.mails
    assert mail["Subject"] == "[Enquête en cours] Faux courriels Bcc: tous@example.org"
    assert mail["Bcc"] is None and smtp.envelopes[0][1] == ["annonces@liste.example.org"]


def test_a_torn_last_line_of_the_ledger_is_ignored_and_the_next_line_starts_clean(tmp_path):
    from balise.notify.ledger import Ledger

    path = tmp_path / "ledger.jsonl"
    moment = LATER
    Ledger(path).record("webhook", "update:a:1", "sent", moment, "d1", moment)
    with path.open("a", encoding="utf-8") as file:
        file.write('{"channel": "webhook", "event": "update:a:2", "sta')  # the machine stopped here
    ledger = Ledger(path)
    assert ledger.get("webhook", "update:a:1").state == "sent" and ledger.get("webhook", "update:a:2") is None
    ledger.record("webhook", "update:a:2", "sent", moment, "d2", moment)
    assert Ledger(path).get("webhook", "update:a:2").state == "sent"
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


# -- the public record: withdrawals and reopenings ---------------------------------------------
WORDS = "Zorglub"  # in the withdrawn update only: no payload may carry it once withdrawn
REASON = "Publiée par erreur : elle nommait un prestataire"


def withdrawal_channels(receiver: Receiver) -> str:
    return (
        webhook_and_email(receiver)
        + every_kind(receiver.url)
        + f"- kind: websub\n  url: {receiver.url}/hub\n"
        + f"- kind: webhook\n  name: quiet\n  url: {receiver.url}/quiet\n  withdrawals: false\n"
    )


def everything_received(receiver: Receiver, smtp: Mailbox) -> str:
    """Every body the servers received, mails whole and decoded (text and HTML parts, headers)."""
    bodies = [r.body.decode("utf-8") for r in receiver.requests]
    for mail in smtp.mails:
        bodies += [mail.as_string(), mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()]
    return "\n".join(bodies)


def test_a_withdrawn_update_is_announced_once_per_channel_with_its_reason_never_its_words(
    cli, demo, receiver, smtp, at_time, monkeypatch
):
    monkeypatch.setenv("BALISE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("BALISE_MASTODON_TOKEN", "mastodon-token")
    monkeypatch.setenv("BALISE_BLUESKY_PASSWORD", "app-password")
    configure(demo, withdrawal_channels(receiver))
    init_repo(demo)
    commit_all(demo, "The demo", "2026-11-22T12:00:00+01:00")
    notify_at(cli, at_time, LATER)
    moment = LATER + timedelta(minutes=10)
    post_update(cli, at_time, moment, f"Le prestataire {WORDS} a coupé le service par négligence.")
    commit_all(demo, "Monitoring", moment.isoformat())
    notify_at(cli, at_time, moment + timedelta(minutes=2))
    (update,) = receiver.on("/hook")
    (first_mail,) = smtp.mails
    assert WORDS in everything_received(receiver, smtp)
    receiver.clear()
    smtp.mails.clear()

    withdrawn = moment + timedelta(minutes=20)
    at_time(withdrawn)
    cli(
        "withdraw",
        "prise-de-rendez-vous",
        "--update",
        moment.isoformat(),
        "--reason",
        REASON,
        "--at",
        withdrawn.isoformat(),
    )
    commit_all(demo, "Withdrawn", withdrawn.isoformat())
    preview = notify_at(cli, at_time, withdrawn + timedelta(minutes=5), "--dry-run").stdout
    assert "--- webhook-1 (webhook): withdrawal:" in preview and REASON in preview and WORDS not in preview
    assert receiver.requests == [] and smtp.mails == []
    notify_at(cli, at_time, withdrawn + timedelta(minutes=5))

    # exactly one delivery per channel (bluesky: its login, then its post), none where turned off
    paths = sorted(r.path for r in receiver.requests if r.path != "/hub")
    assert paths == [
        "/bsky/xrpc/com.atproto.repo.createRecord",
        "/bsky/xrpc/com.atproto.server.createSession",
        "/discord",
        "/hook",
        "/mastodon/api/v1/statuses",
        "/mattermost",
        "/slack",
        "/teams",
    ]
    feeds = [r.form()["hub.url"][0] for r in receiver.on("/hub")]  # the feeds, which now say it was withdrawn
    assert len(feeds) == len(set(feeds)) and any(f.endswith("indisponible/feed.atom") for f in feeds)
    assert len(smtp.mails) == 1
    received = everything_received(receiver, smtp)
    assert WORDS not in received and "négligence" not in received
    for request in receiver.requests:
        if not request.path.endswith(("createSession", "/hub")):
            assert "Publiée par erreur" in request.body.decode("utf-8"), request.path

    (hook,) = receiver.on("/hook")
    payload = hook.json()
    assert payload["meta"]["event"] == "withdrawal"
    assert hook.headers["X-Balise-Delivery"] == payload["meta"]["delivery_id"] != update.json()["meta"]["delivery_id"]
    withdrawn_id = update.json()["incident"]["incident_updates"][0]["id"]
    assert payload["withdrawal"] == {
        "incident_id": "2026-11-22-prise-de-rendez-vous-indisponible",
        "incident_update_id": withdrawn_id,
        "created_at": "2026-11-23T12:10:00.000+01:00",
        "withdrawn_at": "2026-11-23T12:30:00.000+01:00",
        "reason": REASON,
    }
    assert withdrawn_id not in [u["id"] for u in payload["incident"]["incident_updates"]]
    assert payload["incident"]["status"] == "identified"  # the incident as it now stands
    (mail,) = smtp.mails
    assert mail["Subject"] == "[Retirée] Prise de rendez-vous en ligne indisponible"
    assert mail["In-Reply-To"] == mail["References"] == first_mail["Message-ID"] != mail["Message-ID"]
    text = mail.get_body(("plain",)).get_content()
    assert "Une mise à jour publiée le" in text and "a été retirée le" in text and REASON in text
    assert "#update-20261123t111000z" in text
    record = receiver.on("/bsky/xrpc/com.atproto.repo.createRecord")[0].json()["record"]
    assert record["text"].startswith("[Withdrawn] ")  # in the channel's language

    receiver.clear()
    smtp.mails.clear()
    notify_at(cli, at_time, withdrawn + timedelta(minutes=20))
    assert receiver.requests == [] and smtp.mails == []


def test_a_withdrawn_incident_is_announced_once_without_its_words(cli, demo, receiver, smtp, at_time, monkeypatch):
    monkeypatch.setenv("BALISE_WEBHOOK_SECRET", SECRET)
    configure(demo, webhook_and_email(receiver) + f"- kind: websub\n  url: {receiver.url}/hub\n")
    site = demo
    init_repo(site)
    commit_all(site, "The demo", "2026-11-22T12:00:00+01:00")
    notify_at(cli, at_time, LATER)
    path = site / "incidents" / "2026-11-23-faux-courriels.md"
    path.write_text(
        "---\ntitle: Faux courriels\nkind: notice\nimpact: none\ncomponents: [prise-de-rendez-vous]\n---\n\n"
        f"## {LATER.isoformat(' ')} — investigating\n\n"
        f"Des courriels signés {WORDS} circulent : ne cliquez sur aucun lien.\n",
        encoding="utf-8",
    )
    commit_all(site, "Notice", LATER.isoformat())
    notify_at(cli, at_time, LATER + timedelta(minutes=5))
    assert len(receiver.on("/hook")) == 1 and len(smtp.mails) == 1
    assert any("faux-courriels/feed.atom" in r.form()["hub.url"][0] for r in receiver.on("/hub"))
    receiver.clear()
    smtp.mails.clear()

    withdrawn = LATER + timedelta(minutes=30)
    at_time(withdrawn)
    reason = "Ces courriels étaient bien les nôtres"
    cli("withdraw", "2026-11-23-faux-courriels", "--reason", reason, "--at", withdrawn.isoformat())
    commit_all(site, "Withdrawn", withdrawn.isoformat())
    notify_at(cli, at_time, withdrawn + timedelta(minutes=5))
    (hook,) = receiver.on("/hook")
    (mail,) = smtp.mails
    assert WORDS not in everything_received(receiver, smtp)
    feeds = [r.form()["hub.url"][0] for r in receiver.on("/hub")]  # its page stays; its own feed is gone
    assert any(f.endswith("/history.atom") for f in feeds) and not any("faux-courriels" in f for f in feeds)
    payload = hook.json()
    assert payload["meta"]["event"] == "withdrawal" and payload["incident"]["incident_updates"] == []
    assert payload["incident"]["name"] == "Faux courriels"
    assert payload["withdrawal"]["incident_update_id"] is None
    assert payload["withdrawal"]["reason"] == "Ces courriels étaient bien les nôtres"
    assert mail["Subject"] == "[Incident retiré] Faux courriels"
    text = mail.get_body(("plain",)).get_content()
    assert "Cet incident a été retiré le" in text and "Ces courriels étaient bien les nôtres" in text
    assert "/incidents/2026-11-23-faux-courriels/" in text
    sent = len(receiver.requests)
    notify_at(cli, at_time, withdrawn + timedelta(minutes=20))
    assert len(receiver.requests) == sent and len(smtp.mails) == 1


def test_the_first_run_on_a_history_holding_withdrawals_sends_nothing(cli, site, receiver, smtp, at_time):
    at_time(datetime.fromisoformat("2026-11-22T12:00:00+01:00"))
    update, at = "2026-11-22T09:30:00+01:00", "2026-11-22T12:00:00+01:00"
    cli("withdraw", "prise-de-rendez-vous", "--update", update, "--reason", "Erronée", "--at", at)
    init_repo(site)
    commit_all(site, "The demo, one update withdrawn", "2026-11-22T12:00:00+01:00")
    notify_at(cli, at_time, LATER)
    assert receiver.requests == [] and smtp.mails == []
    skipped = {(line["channel"], line["event"]) for line in ledger_lines(site) if line.get("state") == "skipped"}
    key = "withdrawal:2026-11-22-prise-de-rendez-vous-indisponible:update-20261122t083000z"
    assert {("webhook", key), ("email", key)} <= skipped


def test_a_reopening_update_says_the_incident_is_reopened(cli, site, receiver, smtp, at_time):
    notify_at(cli, at_time, LATER)
    resolved = LATER + timedelta(minutes=10)
    post_update(cli, at_time, resolved, "Le service fonctionne de nouveau.", status="resolved")
    notify_at(cli, at_time, resolved)
    assert smtp.mails[0]["Subject"] == "[Résolu] Prise de rendez-vous en ligne indisponible"
    again = resolved + timedelta(hours=1)
    post_update(cli, at_time, again, "Le problème est revenu : nous cherchons.", status="investigating")
    notify_at(cli, at_time, again)
    assert smtp.mails[1]["Subject"] == "[Rouvert · Enquête en cours] Prise de rendez-vous en ligne indisponible"
    assert receiver.on("/hook")[1].json()["incident"]["status"] == "investigating"
    assert len(receiver.on("/hook")) == 2 and len(smtp.mails) == 2
