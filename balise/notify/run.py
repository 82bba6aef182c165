"""One run of `balise notify`: the news, less what the ledger holds, to every channel.

For each channel and event: an event the ledger holds as sent or skipped is done; any other became
public when its own moment says, or — unseen by the channel's last run — after that run. Older than
`max_age` (the first run on an existing history: everything), it is recorded as skipped and never
sent. Otherwise it is sent and recorded at once; a failure is recorded too, and the event is tried
again by the next run while it is younger than `max_age` (after a channel's first failure, its
other news waits for that run too, so that it arrives in order). A failing channel stops no other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from balise.content.messages import MarkdownRenderer
from balise.content.model import StatusPage
from balise.i18n import Translator
from balise.notify.channels import Delivery, DeliveryError, Sender, delivery_id
from balise.notify.config import Channel
from balise.notify.ledger import FINAL, Ledger
from balise.notify.messages import Message, compose
from balise.notify.news import DEFAULT_REMINDERS, Event, events
from balise.outputs.links import SiteLinks

DEFAULT_MAX_AGE = timedelta(hours=6)


@dataclass
class Outcome:
    channel: Channel
    sent: list[str] = field(default_factory=list)  # event keys
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one message per failed delivery

    @property
    def failed(self) -> bool:
        return bool(self.failures)


class Notifier:
    def __init__(
        self,
        page: StatusPage,
        ledger: Ledger,
        max_age: timedelta = DEFAULT_MAX_AGE,
        reminders: Sequence[timedelta] = DEFAULT_REMINDERS,
    ):
        self.page, self.ledger, self.max_age = page, ledger, max_age
        self.events = events(page, reminders)
        self.sender = Sender(page, self.translator)
        self.links = SiteLinks(page.settings)

    @cache  # noqa: B019  # one notifier per run
    def translator(self, language: str) -> Translator:
        return Translator(language or self.page.settings.language, self.page.settings.timezone)

    def message(self, channel: Channel, event: Event) -> Message:
        t = self.translator(channel.language)
        return compose(event, self.page, t, MarkdownRenderer(t.language))

    def applies(self, channel: Channel, event: Event) -> bool:
        if event.kind == "component":  # Statuspage's component webhooks, for who asked for them
            wanted = channel.kind == "webhook" and channel.component_updates
            return wanted and (not channel.components or event.component in channel.components)
        if channel.components and not set(channel.components) & set(event.incident.components):
            return False
        if event.kind == "correction" and not channel.corrections:
            return False
        if event.kind == "withdrawal" and not channel.withdrawals:
            return False
        return not (channel.kind == "websub" and event.kind == "reminder")  # a reminder changes no feed

    def due(self, channel: Channel, skipped: list[str] | None = None) -> list[Delivery]:
        """What the channel is to be sent now; with `skipped`, what has become too old is recorded as
        skipped (and listed there)."""
        now, ledger = self.page.now, self.ledger
        previous = ledger.last_run(channel.name)
        found = []
        for event in self.events:
            if not self.applies(channel, event):
                continue
            record = ledger.get(channel.name, event.key)
            if record is not None and record.state in FINAL:
                continue
            if record is not None:
                public = record.public
            elif previous is not None:  # not seen by the last run: public since
                public = max(event.moment, previous)
            else:
                public = min(event.moment, event.written) if event.written else event.moment
            identity = delivery_id(channel.name, event.key)
            if now - public > self.max_age:
                if skipped is not None:
                    ledger.record(channel.name, event.key, "skipped", public, identity, now)
                    skipped.append(event.key)
                continue
            message = self.message(channel, event)
            found.append(Delivery(channel, event, message, identity, now, self.feeds(event), public))
        return found

    def feeds(self, event: Event) -> tuple[str, ...]:
        """The feeds an event is in (WebSub announces each once a run)."""
        incident = event.incident
        paths = ["history.atom", "history.rss"]
        for component in incident.components:
            if component in self.page.components_by_id:
                paths += [f"components/{component}/history.atom", f"components/{component}/history.rss"]
        if incident.updates:  # a wholly withdrawn incident keeps its page, not its feed
            paths.append(f"incidents/{incident.id}/feed.atom")
        return tuple(self.links.shown(path) for path in paths)

    def run(self, channel: Channel) -> Outcome:
        outcome = Outcome(channel)
        now = self.page.now
        due = self.due(channel, outcome.skipped)
        batches = [due] if channel.kind == "websub" and due else [[d] for d in due]
        for batch in batches:
            delivery = batch[0]
            if channel.kind == "websub":
                feeds = tuple(dict.fromkeys(feed for d in batch for feed in d.feeds))
                delivery = Delivery(channel, delivery.event, delivery.message, delivery.id, now, feeds, delivery.public)
            if outcome.failed:  # one failure a run: the rest wait, in order, for the next run
                state = "failed"
            else:
                try:
                    self.sender.send(delivery)
                    state = "sent"
                except DeliveryError as error:
                    state = "failed"
                    outcome.failures.append(str(error))
                except ValueError as error:  # a payload the stdlib refuses to build: the others still go
                    state = "failed"
                    outcome.failures.append(f"could not be sent ({error})")
            for done in batch:
                assert done.event is not None and done.public is not None
                self.ledger.record(channel.name, done.event.key, state, done.public, done.id, now)
                if state == "sent":
                    outcome.sent.append(done.event.key)
        self.ledger.ran(channel.name, now)
        return outcome

    def preview(self, channel: Channel, echo: Callable[[str], None]) -> None:
        """What `--dry-run` prints: each delivery as its receiver would get it; nothing is recorded."""
        for delivery in self.due(channel):
            echo(f"--- {channel.name} ({channel.kind}): {delivery.event.key if delivery.event else 'test'}")
            echo(self.shown(delivery))

    def shown(self, delivery: Delivery) -> str:
        kind = delivery.channel.kind
        if kind == "email":
            return self.sender.mail_message(delivery).as_string()
        if kind == "websub":
            return "\n".join(f"hub.mode=publish hub.url={feed}" for feed in delivery.feeds)
        if kind == "bluesky":
            return json.dumps(self.sender.bluesky_record(delivery), ensure_ascii=False, indent=2)
        _, body, _ = self.sender.payload(delivery)
        return json.dumps(json.loads(body), ensure_ascii=False, indent=2)

    def test(self, channel: Channel) -> None:
        """A test message to the channel (nothing recorded); raises DeliveryError."""
        t = self.translator(channel.language)
        site = self.page.settings.site_name
        text = t("notify.test_text", site=site)
        link = self.links.shown("")
        message = Message(t("notify.test_title"), site, text, f"<p>{text}</p>", link, "", (), t.language)
        identity = delivery_id(channel.name, f"test:{self.page.now.isoformat()}")
        feeds = (self.links.shown("history.atom"),)
        self.sender.send(Delivery(channel, None, message, identity, self.page.now, feeds))
