"""Each kind of channel: the payload its receiver expects, and the one request that delivers it.

Every address is the site's to choose (`url`), so self-hosted Mattermost or Mastodon, an SMTP relay
or a test's local server are reached the same way as the public services. Only the stdlib talks to
them (urllib, smtplib, email, hmac): the payloads are small and documented, and nothing here needs
more. A failure is a `DeliveryError` whose message names the host, never the whole address (a
Slack or Discord webhook's address is its secret).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import jinja2

from balise import __version__
from balise.content.model import StatusPage
from balise.i18n import Translator
from balise.notify.config import LOOPBACK, Channel
from balise.notify.messages import Message, shown_link
from balise.notify.news import Event, update_key
from balise.outputs.api import StatuspageAPI
from balise.outputs.links import SiteLinks
from balise.outputs.pages import TEMPLATES
from balise.outputs.site import data_environment

DISCORD_LIMIT = 2000
MASTODON_LIMIT, MASTODON_LINK = 500, 23  # Mastodon counts every link as 23 characters
BLUESKY_LIMIT = 300  # graphemes; counted here as code points, never fewer than graphemes
SIGNATURE_HEADER = "X-Balise-Signature-256"
DELIVERY_HEADER = "X-Balise-Delivery"
STATUSPAGE_DOCUMENTATION = "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/"


class DeliveryError(Exception):
    """A channel refused or could not be reached: the message says which host and why."""


@dataclass(frozen=True)
class Delivery:
    channel: Channel
    event: Event | None  # None for `--test`
    message: Message
    id: str  # the same for the same channel and event, on every retry
    at: datetime  # the run's moment
    feeds: tuple[str, ...] = field(default=())  # websub: the feeds to announce
    public: datetime | None = None  # when the event became public (the ledger keeps it)


def delivery_id(channel: str, event: str) -> str:
    return hashlib.sha256(f"{channel}\n{event}".encode()).hexdigest()[:32]


class Sender:
    """Payloads and requests for one run, over the published page."""

    def __init__(self, page: StatusPage, translators: Callable[[str], Translator]):
        self.page, self.translators = page, translators
        self.links = SiteLinks(page.settings)

    # -- the payloads ---------------------------------------------------------------
    def payload(self, delivery: Delivery) -> tuple[str, bytes, dict[str, str]]:
        """(address, body, headers) of the HTTP request delivering it; e-mail is `mail`."""
        kinds = {
            "webhook": self._webhook,
            "slack": self._slack,
            "teams": self._teams,
            "discord": self._discord,
            "mattermost": self._mattermost,
            "mastodon": self._mastodon,
        }
        url, document, headers = kinds[delivery.channel.kind](delivery)
        body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return url, body, {"Content-Type": "application/json", **headers}

    def _t(self, delivery: Delivery) -> Translator:
        return self.translators(delivery.message.language)

    def _webhook(self, delivery: Delivery) -> tuple[str, dict[str, Any], dict[str, str]]:
        """Statuspage's subscriber webhook: `meta`, `page` and `incident` (with its updates)."""
        page, t = self.page, self._t(delivery)
        api = StatuspageAPI(page, t, self.links)
        document: dict[str, Any] = {
            "meta": {
                "unsubscribe": None,
                "documentation": STATUSPAGE_DOCUMENTATION,
                "generated_at": api.time(delivery.at),
                "delivery_id": delivery.id,
                "event": delivery.event.kind if delivery.event else "test",
            },
            "page": {
                "id": api.page_id,
                "status_indicator": page.indicator,
                "status_description": t(f"overall_status.{page.overall_status}"),
            },
        }
        event = delivery.event
        if event is not None and event.kind == "component" and event.update is not None:
            document.update(self._component_change(event, api))
        elif event is not None and event.kind == "update" and event.update is not None:
            # The incident as of this update, as Statuspage sends it when the update is posted.
            updates = event.incident.updates
            document["incident"] = api.incident(
                replace(event.incident, updates=updates[: updates.index(event.update) + 1])
            )
        elif event is not None and event.kind == "withdrawal":
            document.update(self._withdrawal(event, api))
        elif event is not None:
            document["incident"] = api.incident(event.incident)
        else:
            document["message"] = delivery.message.full(t)
        return delivery.channel.url, document, {DELIVERY_HEADER: delivery.id}

    def _component_change(self, event: Event, api: StatuspageAPI) -> dict[str, Any]:
        """Statuspage's component webhook: the component as it is now, and the change of this update."""
        assert event.update is not None
        documents = {document["id"]: document for document in api.components()}
        component = documents.get(event.component, {})
        return {
            "component": {
                "created_at": component.get("created_at"),
                "id": event.component,
                "name": component.get("name"),
                "status": self.page.component_status.get(event.component, "operational"),
            },
            "component_update": {
                "created_at": api.time(event.update.at),
                "new_status": event.new_status,
                "old_status": event.old_status,
                "id": f"{api.links.api_update_id(event.incident, event.update)}-{event.component}",
                "component_id": event.component,
            },
        }

    def _withdrawal(self, event: Event, api: StatuspageAPI) -> dict[str, Any]:
        """Statuspage has no webhook for a withdrawal: the incident as it now stands (the withdrawn
        update absent from its `incident_updates`), and balise's own `withdrawal` saying what was
        taken back, when, and why."""
        withdrawal, incident = event.withdrawal, event.incident
        assert withdrawal is not None
        if incident.updates:
            document = api.incident(incident)
        else:  # a whole incident withdrawn: its words are gone, its id and title stay
            components = {component["id"]: component for component in api.components()}
            document = {
                "id": incident.permanent_id,
                "name": incident.title,
                "updated_at": api.time(withdrawal.on),
                "shortlink": self.links.shown(self.links.incident_path(incident)),
                "page_id": api.page_id,
                "incident_updates": [],
                "components": [components[c] for c in incident.components if c in components],
            }
        update = withdrawal.update
        return {
            "incident": document,
            "withdrawal": {
                "incident_id": incident.permanent_id,
                # the withdrawn update's id in the API, as its receivers last had it; None for the incident
                "incident_update_id": f"{incident.permanent_id}-{withdrawal.anchor}" if update else None,
                "created_at": api.time(update) if update else None,
                "withdrawn_at": api.time(withdrawal.on),
                "reason": withdrawal.reason,
            },
        }

    def _slack(self, delivery: Delivery) -> tuple[str, dict[str, Any], dict[str, str]]:
        message, t = delivery.message, self._t(delivery)
        details = [part for part in (message.promise, message.components_line(t)) if part]
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(message.text)[:2900]}},
        ]
        if details:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(d)} for d in details]}
            )
        link = f"<{message.link}|{slack_escape(t('subscribe.read_on_site'))}>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": link}})
        return delivery.channel.url, {"text": message.title, "blocks": blocks}, {}

    def _teams(self, delivery: Delivery) -> tuple[str, dict[str, Any], dict[str, str]]:
        """A Workflows webhook ("When a Teams webhook request is received") posting an Adaptive Card."""
        message, t = delivery.message, self._t(delivery)
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": message.title, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": message.text, "wrap": True},
        ]
        body += [
            {"type": "TextBlock", "text": d, "wrap": True, "isSubtle": True}
            for d in (message.promise, message.components_line(t))
            if d
        ]
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "lang": message.language,
            "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": t("subscribe.read_on_site"), "url": message.link}],
        }
        document = {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
            ],
        }
        return delivery.channel.url, document, {}

    def _discord(self, delivery: Delivery) -> tuple[str, dict[str, Any], dict[str, str]]:
        content = delivery.message.short(DISCORD_LIMIT, self._t(delivery))
        return delivery.channel.url, {"content": content, "allowed_mentions": {"parse": []}}, {}

    def _mattermost(self, delivery: Delivery) -> tuple[str, dict[str, Any], dict[str, str]]:
        return delivery.channel.url, {"text": delivery.message.full(self._t(delivery))}, {}

    def _mastodon(self, delivery: Delivery) -> tuple[str, dict[str, Any], dict[str, str]]:
        channel, message = delivery.channel, delivery.message
        status = message.short(MASTODON_LIMIT, self._t(delivery), link_length=MASTODON_LINK)
        document = {"status": status, "language": message.language, "visibility": "public"}
        headers = {"Authorization": f"Bearer {channel.option('token')}", "Idempotency-Key": delivery.id}
        return f"{channel.url}/api/v1/statuses", document, headers

    def bluesky_record(self, delivery: Delivery) -> dict[str, Any]:
        """An app.bsky.feed.post: the link made a link facet, its offsets counted in UTF-8 bytes."""
        message = delivery.message
        shown = shown_link(message.link)
        text = message.short(BLUESKY_LIMIT, self._t(delivery), shown_link=shown)
        start = len(text[: text.rindex(shown)].encode("utf-8"))
        facet = {
            "index": {"byteStart": start, "byteEnd": start + len(shown.encode("utf-8"))},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": message.link}],
        }
        created = delivery.at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": created,
            "langs": [message.language],
            "facets": [facet],
        }

    # -- the requests -----------------------------------------------------------------
    def send(self, delivery: Delivery) -> None:
        kind = delivery.channel.kind
        if kind == "email":
            self.mail(delivery)
        elif kind == "bluesky":
            self.bluesky(delivery)
        elif kind == "websub":
            for feed in delivery.feeds:
                form = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed}).encode()
                post(
                    delivery.channel, delivery.channel.url, form, {"Content-Type": "application/x-www-form-urlencoded"}
                )
        else:
            url, body, headers = self.payload(delivery)
            secret = delivery.channel.option("secret")
            if secret:
                headers[SIGNATURE_HEADER] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            post(delivery.channel, url, body, headers)

    def bluesky(self, delivery: Delivery) -> None:
        channel = delivery.channel
        login = {"identifier": channel.option("identifier"), "password": channel.option("password")}
        answer = post(channel, f"{channel.url}/xrpc/com.atproto.server.createSession", _json(login), JSON)
        try:
            session = json.loads(answer)
            token, did = session["accessJwt"], session["did"]
        except (ValueError, KeyError, TypeError):
            raise DeliveryError(f"{_host(channel.url)} answered the login without a session") from None
        record = {"repo": did, "collection": "app.bsky.feed.post", "record": self.bluesky_record(delivery)}
        headers = {**JSON, "Authorization": f"Bearer {token}"}
        post(channel, f"{channel.url}/xrpc/com.atproto.repo.createRecord", _json(record), headers)

    def mail_message(self, delivery: Delivery) -> EmailMessage:
        channel, message, t = delivery.channel, delivery.message, self._t(delivery)
        mail = EmailMessage()
        mail["Subject"] = message.title
        mail["From"] = channel.option("from")
        mail["To"] = channel.option("to")
        mail["Date"] = format_datetime(delivery.at.astimezone(timezone.utc))
        domain = self.links.host or "balise.invalid"
        mail["Message-ID"] = f"<{delivery.id}@{domain}>"
        event = delivery.event
        if event is not None and event.withdrawal is not None and event.withdrawal.update is not None:
            # In the thread of the update it takes back (its mail, if this channel sent it).
            original = delivery_id(channel.name, update_key(event.incident, event.withdrawal.anchor))
            mail["In-Reply-To"] = mail["References"] = f"<{original}@{domain}>"
        mail["Auto-Submitted"] = "auto-generated"
        unsubscribe = channel.option("list_unsubscribe")
        if unsubscribe:
            mail["List-Unsubscribe"] = f"<{unsubscribe}>"
        mail.set_content(message.full(t) + "\n")
        html = _email_template(t).render(message=message, unsubscribe=unsubscribe)
        mail.add_alternative(html, subtype="html")
        return mail

    def mail(self, delivery: Delivery) -> None:
        channel = delivery.channel
        parts = urllib.parse.urlsplit(channel.url)
        security = channel.option("security") or ("tls" if parts.scheme == "smtps" else "starttls")
        port = parts.port or {"tls": 465, "starttls": 587}.get(security, 25)
        host = parts.hostname or ""
        try:
            if security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=channel.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(host, port, timeout=channel.timeout)
            with client:
                if security == "starttls":
                    client.ehlo()
                    if client.has_extn("starttls"):
                        client.starttls(context=ssl.create_default_context())
                    elif host not in LOOPBACK:  # a relay on this machine may speak plain SMTP; no other
                        raise DeliveryError(f"the SMTP server {host}:{port} does not offer STARTTLS — use smtps://")
                if parts.username:
                    client.login(urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
                client.send_message(self.mail_message(delivery))
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(
                f"the SMTP server {host}:{port} refused or could not be reached: {_reason(error)}"
            ) from None


JSON = {"Content-Type": "application/json"}


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def post(channel: Channel, url: str, body: bytes, headers: dict[str, str]) -> bytes:
    """One POST; a status other than 2xx, or no answer within the channel's timeout, is a DeliveryError."""
    request = urllib.request.Request(url, data=body, headers={"User-Agent": f"balise/{__version__}", **headers})
    try:
        with urllib.request.urlopen(request, timeout=channel.timeout) as response:
            answer: bytes = response.read()
            return answer
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"{_host(url)} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DeliveryError(f"could not reach {_host(url)}: {_reason(error)}") from None


def _host(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or error
    return " ".join(str(reason).split()) or type(error).__name__


def slack_escape(text: str) -> str:
    """Slack's mrkdwn: only &, < and > are special (a '<' would start a link or a mention)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TEMPLATES: dict[str, jinja2.Template] = {}


def _email_template(t: Translator) -> jinja2.Template:
    if t.language not in _TEMPLATES:
        environment = data_environment(jinja2.FileSystemLoader(str(TEMPLATES)), t)
        _TEMPLATES[t.language] = environment.get_template("notify/email.html")
    return _TEMPLATES[t.language]
