"""An event in words, in the channel's language: the status label, the title, the update's text as
plain text, the link to its anchor, the promised next update and the services affected; and the same
cut to a network's limit, at a word, the link always kept whole."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

from balise.content.messages import MarkdownRenderer
from balise.content.model import StatusPage
from balise.i18n import Translator
from balise.notify.news import Event
from balise.outputs.links import SiteLinks

ELLIPSIS = "…"
MINIMUM_TEXT = 100  # characters of an update's text worth a post, before its details


@dataclass(frozen=True)
class Message:
    label: str  # the update's status in words, "Correction", "Withdrawn", "Reminder", "Postmortem"
    headline: str  # the incident's title
    text: str  # plain text, whole
    html: str  # the same, as the site's sanitised HTML (for e-mail)
    link: str  # the update's anchor on the site (absolute with site_url)
    promise: str  # "Next update expected by …", or ""
    components: tuple[str, ...]
    language: str

    @property
    def title(self) -> str:
        return f"[{self.label}] {self.headline}"

    def components_line(self, t: Translator) -> str:
        return t("notify.components", components=", ".join(self.components)) if self.components else ""

    def short(self, limit: int, t: Translator, link_length: int | None = None, shown_link: str = "") -> str:
        """Title, text, promise and services, and the link, within `limit` characters: the text is
        cut at a word; where that leaves too little of it, the services go, then the promise.
        `link_length` is what the network counts the link as (Mastodon: 23); `shown_link`, the
        link's text where the network links it apart from its text (Bluesky's facets)."""
        shown = shown_link or self.link
        link = len(shown) if link_length is None else link_length
        promise, services = self.promise, self.components_line(t)
        for details in ([promise, services], [promise], []):
            tail = "\n\n".join(part for part in details if part)
            room = limit - len(self.title) - 2 - (len(tail) + 2 if tail else 0) - 2 - link
            if room >= min(len(self.text), MINIMUM_TEXT):
                text = "\n\n".join(part for part in (self.title, cut(self.text, room), tail) if part)
                return f"{text}\n\n{shown}"
        return f"{cut(self.title, limit - 2 - link)}\n\n{shown}"  # a title longer than the limit

    def full(self, t: Translator) -> str:
        parts = [self.title, self.text, self.promise, self.components_line(t), self.link]
        return "\n\n".join(part for part in parts if part)


def compose(event: Event, page: StatusPage, t: Translator, markdown: MarkdownRenderer) -> Message:
    links = SiteLinks(page.settings)
    incident, update = event.incident, event.update
    title = " ".join(incident.title.split())  # one line: a title is a mail's Subject, a card's heading
    if event.kind == "withdrawal":
        return _withdrawal(event, page, t, title, links)
    link = links.shown(
        links.update_path(incident, update) if event.kind != "reminder" else links.incident_path(incident)
    )
    promise = ""
    if event.kind == "update" and update is not None and update is incident.latest:
        promised = incident.promised_update(page.now)
        promise = t("next_update_expected", time=t.datetime(promised)) if promised else ""
    elif event.kind == "update" and update is not None and update.next_update:
        promise = t("next_update_expected", time=t.datetime(update.next_update))
    components = tuple(page.components_by_id[c].name for c in incident.components if c in page.components_by_id)
    if event.kind == "component":
        name = page.components_by_id[event.component].name if event.component in page.components_by_id else ""
        before, after = t(f"component_status.{event.old_status}"), t(f"component_status.{event.new_status}")
        text = f"{name} : {before} → {after}" if t.language == "fr" else f"{name}: {before} → {after}"
        return Message(after, title, text, text, link, "", (name,), t.language)
    if event.kind == "reminder":
        assert event.before is not None and incident.scheduled_for is not None
        start, end = t.datetime(incident.scheduled_for), incident.scheduled_until
        delay = t.duration(event.before)
        text = (
            t("notify.reminder_text", delay=delay, start=start, end=t.datetime(end))
            if end
            else t("notify.reminder_open", delay=delay, start=start)
        )
        return Message(t("notify.reminder"), title, text, text, link, "", components, t.language)
    source = incident.postmortem if update is None else update.message
    html = markdown(source)
    text = plain_text(html)
    if event.kind == "correction" and update is not None:
        intro = t("notify.correction_of", time=t.datetime(update.at))
        text, html = f"{intro}\n{text}", f"<p>{intro}</p>\n{html}"
        label = t("notify.correction")
    elif update is None:
        label = t("postmortem")
    else:
        label = t(f"update_status.{update.status}")
        if incident.reopens(update):  # as the page and the feeds say it
            label = f"{t('publishing.reopened')} · {label}"
    return Message(label, title, text, html, link, promise, components, t.language)


def _withdrawal(event: Event, page: StatusPage, t: Translator, title: str, links: SiteLinks) -> Message:
    """A statement taken back: when it was published and withdrawn, and why; never its words."""
    withdrawal, incident = event.withdrawal, event.incident
    assert withdrawal is not None
    withdrawn = t.datetime(withdrawal.on)
    if withdrawal.update is not None:
        label = t("publishing.withdrawn_label")
        text = t(
            "publishing.feed_withdrawn",
            published=t.datetime(withdrawal.update),
            withdrawn=withdrawn,
            reason=withdrawal.reason,
        )
        path = f"{links.incident_path(incident)}#{withdrawal.anchor}"
    else:  # its page stays at its address, saying so
        label = t("publishing.withdrawn_incident_label")
        text = t("notify.withdrawn_incident", withdrawn=withdrawn, reason=withdrawal.reason)
        path = links.incident_path(incident)
    components = tuple(page.components_by_id[c].name for c in incident.components if c in page.components_by_id)
    return Message(label, title, text, f"<p>{escape(text)}</p>", links.shown(path), "", components, t.language)


_PARAGRAPH = re.compile(r"</(?:p|ul|ol|h[1-6]|table|pre|blockquote|div)>", re.IGNORECASE)
_LINE = re.compile(r"<br\s*/?>|</tr>", re.IGNORECASE)
_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def shown_link(url: str, limit: int = 40) -> str:
    """A link as a post shows it: without its scheme, cut after `limit` characters."""
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= limit else bare[: limit - 1] + ELLIPSIS


def plain_text(html: str) -> str:
    """Sanitised HTML (`content.messages`) as text: a blank line between paragraphs, a list's items
    on lines of their own, no markup."""
    text = unescape(_TAG.sub("", _ITEM.sub("\n- ", _LINE.sub("\n", _PARAGRAPH.sub("\n\n", html)))))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    kept: list[str] = []
    for index, line in enumerate(lines):
        following = next((later for later in lines[index + 1 :] if later), "")
        between_items = not line and kept and kept[-1].startswith("- ") and following.startswith("- ")
        if line or (kept and kept[-1] and not between_items):
            kept.append(line)
    return "\n".join(kept).strip()


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at the last word that fits, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    at_word = max(head.rfind(" "), head.rfind("\n"))
    if at_word > limit // 2:
        head = head[:at_word]
    return head.rstrip(" \n,;:.") + ELLIPSIS
