"""`maintenance.ics`: every published scheduled maintenance as an iCalendar (RFC 5545) event.

People subscribe to it in their calendar app. Each event's UID is the maintenance's id at the
site's host, so a changed window moves the event instead of adding one; times carry the site's
time zone (with its VTIMEZONE); DTSTAMP is the maintenance's latest update, never the clock.
(Named `ical` so as not to shadow the standard library's `calendar`.)
"""

from __future__ import annotations

from datetime import timedelta, timezone

from balise.content.model import StatusPage
from balise.i18n import Translator
from balise.outputs.links import SiteLinks

CALENDAR_PATH = "maintenance.ics"


def maintenance_calendar(page: StatusPage, t: Translator, links: SiteLinks) -> bytes:
    import icalendar  # here, not at the top: a rebuild that reuses the calendar never pays for it (0.1 s)

    zone = page.settings.timezone
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//balise//maintenance calendar//" + t.language.upper())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = t("subscribe.calendar_name", site=page.settings.site_name)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    windows = sorted(
        (
            (i, i.scheduled_for, i.scheduled_until)
            for i in page.incidents
            if i.is_maintenance and i.scheduled_for and i.scheduled_until
        ),
        key=lambda window: (window[1].timestamp(), window[0].id),
    )
    for incident, starts, ends in windows:
        latest_change = max(u.last_modified for u in incident.updates)
        url = links.shown(links.incident_path(incident))
        components = [page.components_by_id[c].name for c in incident.components if c in page.components_by_id]
        description = [incident.latest.message.strip()]
        if components:
            description.append(t("subscribe.entry_components", components=", ".join(components)))
        description.append(url)
        event = icalendar.Event()
        event.add("uid", links.event_uid(incident))
        event.add("dtstamp", latest_change.astimezone(timezone.utc))
        event.add("created", incident.created_at.astimezone(timezone.utc))
        event.add("last-modified", latest_change.astimezone(timezone.utc))
        event.add("sequence", len(incident.updates) - 1 + sum(len(u.amendments) for u in incident.updates))
        event.add("dtstart", starts.astimezone(zone))
        event.add("dtend", ends.astimezone(zone))
        event.add("summary", incident.title)
        event.add("description", "\n\n".join(description))
        if links.absolute:
            event.add("url", url)
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        event.add("categories", [t("kind.maintenance")])
        calendar.add_component(event)
    if windows:
        calendar.add_missing_timezones(
            first_date=windows[0][1].date() - timedelta(days=366),
            last_date=windows[-1][2].date() + timedelta(days=366),
        )
    ical: bytes = calendar.to_ical()
    return ical
