"""Who came to a session, and how: present (in person or online), sent apologies,
or absent. Facilitators record it (callers authorise); a whole list is checked
before anything is saved, so one bad line changes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import utcnow
from server.errors import InvalidInput
from server.groups.models import Membership
from server.meetings.models import Attendance, Meeting

STATUSES = {"present": "Present", "apologies": "Sent apologies", "absent": "Absent"}
MODES = {"in_person": "In person", "online": "Online"}


def of_meeting(db: Session, meeting: Meeting) -> dict[int, Attendance]:
    """The recorded attendance of a session, by user id."""
    return {
        row.user_id: row
        for row in db.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }


def record(db: Session, meeting: Meeting, by_id: int, entries: list[dict]) -> list[Attendance]:
    """Record attendance for some members: [{user_id, status, mode}]. A member not
    in the group, an unknown status or mode, or the same member twice is refused
    (422) before any row changes."""
    members = set(
        db.scalars(select(Membership.user_id).where(Membership.group_id == meeting.group_id))
    )
    seen: set[int] = set()
    for n, entry in enumerate(entries):
        user_id, status, mode = entry.get("user_id"), entry.get("status"), entry.get("mode")
        where = f"attendance[{n}]"
        if user_id not in members:
            raise InvalidInput(
                "Attendance can only be recorded for members of this group.",
                fields={where: ["Not a member of this group."]},
                code="not_a_member",
            )
        if user_id in seen:
            raise InvalidInput(
                "Each member appears once in the attendance.",
                fields={where: ["Listed twice."]},
            )
        seen.add(user_id)
        if status not in STATUSES:
            raise InvalidInput(
                "Attendance is present, apologies or absent.",
                fields={where: ["present, apologies or absent."]},
            )
        if mode is not None and mode not in MODES:
            raise InvalidInput(
                "Someone present came in person or online.",
                fields={where: ["in_person or online."]},
            )
        if status != "present" and mode is not None:
            raise InvalidInput(
                "Only someone present came in person or online.",
                fields={where: ["Leave out the mode unless present."]},
            )
    known = of_meeting(db, meeting)
    now = utcnow()
    out = []
    for entry in entries:
        row = known.get(entry["user_id"])
        if row is None:
            row = Attendance(meeting_id=meeting.id, user_id=entry["user_id"])
            db.add(row)
        row.status, row.mode = entry["status"], entry.get("mode")
        row.recorded_by_id, row.recorded_at = by_id, now
        out.append(row)
    db.flush()
    return out


def summary(rows: dict[int, Attendance]) -> dict[str, int]:
    """How many were present in person, online, sent apologies, absent."""
    counts = {"in_person": 0, "online": 0, "apologies": 0, "absent": 0}
    for row in rows.values():
        if row.status == "present":
            counts[row.mode or "in_person"] += 1
        else:
            counts[row.status] += 1
    return counts
