"""A planned session as an iCalendar (.ics) file, so members can add it to their
own calendars. Sessions have no end time, so the event lasts LENGTH."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from server.db import utcnow
from server.meetings.models import Meeting

LENGTH = timedelta(hours=2)


def filename(meeting: Meeting) -> str:
    return f"session-{meeting.id}.ics"


def ics(meeting: Meeting, link: str, group_name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Codraft//Sessions//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"session-{meeting.id}-{meeting.created_at:%Y%m%d%H%M%S}@codraft")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + LENGTH)
    event.add("summary", f"{meeting.title} ({group_name})")
    if meeting.place:
        event.add("location", meeting.place)
    event.add("description", "\n\n".join(p for p in (meeting.notes, link) if p))
    event.add("url", link)
    cal.add_component(event)
    return cal.to_ical()
