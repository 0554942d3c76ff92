"""Times as people read and type them: in the place's time zone (CODRAFT_TIME_ZONE,
UK time by default), with the zone's short name (BST, GMT) so nobody has to guess.

The database and the API keep UTC; only pages convert. A UK group planning an 18:00
meeting in June types 18:00 and sees 18:00 BST, while the API says 17:00Z.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app

from server.text.dates import day_in_words
from server.web.blueprint import bp


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    return _zone(current_app.config["TIME_ZONE"])


def local(value: datetime) -> datetime:
    """A stored (UTC) time as the clock on the wall shows it."""
    return value.astimezone(zone())


def from_local(typed: datetime) -> datetime:
    """A time typed in a form (no zone) as the moment it names, in UTC. In the hour
    the clocks go back, the first of the two moments."""
    return typed.replace(tzinfo=zone(), fold=0).astimezone(UTC)


def for_input(value: datetime) -> datetime:
    """A stored time to put back in a form's date and time box."""
    return local(value).replace(tzinfo=None)


@bp.app_template_global("zone_name")
def zone_name() -> str:
    """The zone in words, for hints next to date and time boxes."""
    name = current_app.config["TIME_ZONE"]
    return "UK time" if name == "Europe/London" else f"{name.replace('_', ' ')} time"


@bp.app_template_filter("day")
def day(value: datetime | None) -> str:
    if value is None:
        return ""
    return day_in_words(local(value))


@bp.app_template_filter("calendar")
def calendar(value: date | str | None) -> str:
    """A calendar day, or a month, in words as every page writes them ("14 December
    2026", "November 2026"), from a date or the API's ISO text ("2026-12-14",
    "2026-11"). A day has no time, so no zone applies."""
    if not value:
        return ""
    if isinstance(value, str):
        if len(value) == 7:
            return f"{date.fromisoformat(value + '-01'):%B %Y}"
        value = date.fromisoformat(value)
    return day_in_words(value)


@bp.app_template_filter("when")
def when(value: datetime | None) -> str:
    return "" if value is None else f"{day(value)} at {local(value):%H:%M %Z}"
