"""Pages for completing a session: attendance, notes on each agenda item, action
items, and the full minutes on the session's page.

Facilitators (MANAGE) record attendance, notes and actions; the member an action
is for, or a facilitator, marks it done. Every member reads the minutes.
"""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for

from server import access_of, auth
from server.errors import DomainError, InvalidInput
from server.meetings import actions, attendance, calendar, minutes, notes
from server.meetings.models import Meeting
from server.permissions import Action
from server.web.blueprint import bp
from server.web.helpers import db, my_id, safe_next


@bp.app_template_global("session_record")
def _session_record(meeting: Meeting) -> dict:
    """The full minutes of a session (sessions/_record.html)."""
    return minutes.full(db(), meeting)


@bp.app_template_global("my_open_actions")
def _my_open_actions(group_id: int) -> list:
    """The signed-in member's open actions in a group, for the sessions page."""
    return actions.open_for(db(), my_id(), group_id)


@bp.app_template_global("attendance_labels")
def _attendance_labels() -> dict:
    return {**attendance.STATUSES, **attendance.MODES}


def _record_page(
    meeting: Meeting, access, status: int = 200, error: str | None = None, sent=None, **form
):
    """The record page; `sent`: a refused attendance-and-notes form, shown as sent."""
    written = {key: note.text for key, note in notes.of_meeting(db(), meeting.id).items()}
    items = [
        {"key": key, "title": title, "text": written.get(key, "")}
        for key, title in minutes.noteable(db(), meeting)
    ]
    rows = minutes.attendance_rows(db(), meeting)
    if sent is not None:
        for item in items:
            item["text"] = sent.get(f"note-{item['key']}", item["text"])
        for row in rows:
            row["status"] = sent.get(f"status-{row['user_id']}") or row["status"]
            row["mode"] = sent.get(f"mode-{row['user_id']}") or row["mode"]
    return render_template(
        "sessions/record.html",
        meeting=meeting,
        group=access.group,
        rows=rows,
        items=items,
        agreed=minutes.full(db(), meeting)["actions"],
        members=minutes.members(db(), meeting.group_id),
        statuses=attendance.STATUSES,
        modes=attendance.MODES,
        error=error,
        values=form,
    ), status


def _managed(meeting_id: int):
    return access_of.session(db(), my_id(), meeting_id, Action.MANAGE)


@bp.get("/sessions/<int:meeting_id>/record")
def session_record(meeting_id: int):
    return _record_page(*_managed(meeting_id))


@bp.post("/sessions/<int:meeting_id>/record")
def save_record(meeting_id: int):
    """Attendance and the notes on each item, saved together: one form on the page,
    since saving them apart lost whichever was not saved (a facilitator chose who
    came, then saved the notes, and the choices were gone). A member left at "Not
    recorded" is not changed. On an error nothing is saved and the page shows what
    was sent, to correct."""
    meeting, access = _managed(meeting_id)
    entries = []
    for key, value in request.form.items():
        if not key.startswith("status-") or not value:
            continue
        raw = key.removeprefix("status-")
        user_id = int(raw) if raw.isdigit() and len(raw) < 12 else -1
        mode = request.form.get(f"mode-{raw}") or None
        entries.append(
            {"user_id": user_id, "status": value, "mode": mode if value == "present" else None}
        )
    try:
        attendance.record(db(), meeting, auth.me().id, entries)
        for key, value in request.form.items():
            if key.startswith("note-"):
                notes.write(db(), meeting, key.removeprefix("note-"), value, auth.me().id)
    except DomainError as exc:
        db().rollback()
        meeting, access = _managed(meeting_id)
        return _record_page(meeting, access, exc.status, exc.message, sent=request.form)
    flash("Attendance and notes are saved.", "success")
    part = "notes" if request.form.get("part") == "notes" else "attendance"
    return redirect(url_for("web.session_record", meeting_id=meeting.id, _anchor=part))


def parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "Write the date like 2026-12-31.", fields={"due_on": ["Not a date."]}
        ) from None


@bp.post("/sessions/<int:meeting_id>/actions")
def add_action(meeting_id: int):
    meeting, access = _managed(meeting_id)
    raw = (request.form.get("assignee_id") or "").strip()
    try:
        actions.add(
            db(),
            meeting,
            auth.me().id,
            what=request.form.get("what", ""),
            assignee_id=int(raw) if raw.isdigit() and len(raw) < 12 else None,
            due_on=parse_day(request.form.get("due_on")),
        )
    except DomainError as exc:
        db().rollback()
        meeting, access = _managed(meeting_id)
        return _record_page(meeting, access, exc.status, exc.message, **request.form)
    flash("The action is added.", "success")
    return redirect(url_for("web.session_record", meeting_id=meeting.id, _anchor="actions"))


@bp.get("/sessions/<int:meeting_id>/calendar.ics")
def session_calendar(meeting_id: int):
    """The session as a calendar file (any member)."""
    meeting, access = access_of.session(db(), my_id(), meeting_id)
    link = url_for("web.session", meeting_id=meeting.id, _external=True)
    return Response(
        calendar.ics(meeting, link, access.group.name),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{calendar.filename(meeting)}"'},
    )


@bp.post("/actions/<int:action_id>/done")
def mark_action(action_id: int):
    action, access = access_of.action_item(db(), my_id(), action_id)
    done = request.form.get("done", "1") != "0"
    try:
        actions.mark(db(), action, access.membership, done)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash("The action is marked done." if done else "The action is open again.", "success")
    target = safe_next(request.form.get("next")) or url_for(
        "web.sessions", group_id=action.group_id
    )
    return redirect(target)
