"""Pages for picking the date of the next session: facilitators offer dates,
each member answers yes, if need be or no, and everyone sees the counts and who
gave them. The rules live in server/meetings/date_poll.py."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for

from server import access_of, auth
from server.access import group_access
from server.errors import DomainError
from server.meetings import date_poll
from server.permissions import Action, allows
from server.web import times
from server.web.blueprint import bp
from server.web.helpers import db, my_id

FORM_DATES = 5  # date boxes on the page; the API takes up to date_poll.MAX_OPTIONS


def _poll_page(poll, access, status: int = 200, error: str | None = None):
    return render_template(
        "sessions/date_poll.html",
        poll=poll,
        group=access.group,
        found=date_poll.results(db(), poll, my_id()),
        answers=date_poll.ANSWERS,
        can_manage=allows(db(), access.membership, Action.MANAGE),
        error=error,
    ), status


def _ask_page(access, status: int = 200, error: str | None = None, bad_box: int | None = None):
    return render_template(
        "sessions/date_poll_new.html",
        group=access.group,
        boxes=FORM_DATES,
        typed=request.form,
        error=error,
        bad_box=bad_box,
    ), status


@bp.app_template_global("date_polls_of")
def date_polls_of(group_id: int) -> list:
    """The group's polls, for the sessions page (open ones first, at most five)."""
    return date_poll.polls_of(db(), group_id, limit=5)


@bp.get("/date-polls/<int:poll_id>", endpoint="date_poll")
def date_poll_page(poll_id: int):
    return _poll_page(*access_of.date_poll(db(), my_id(), poll_id))


@bp.get("/groups/<int:group_id>/date-polls/new")
def new_date_poll(group_id: int):
    return _ask_page(group_access(db(), my_id(), group_id, Action.MANAGE))


def _typed_dates() -> tuple[list, list[int]]:
    """The dates typed in the boxes (empty boxes left out; a box that is not a date
    is None, which the service refuses), and the box number of each."""
    out, boxes = [], []
    for n in range(1, FORM_DATES + 1):
        raw = (request.form.get(f"date-{n}") or "").strip()
        if not raw:
            continue
        boxes.append(n)
        try:
            out.append(times.from_local(datetime.strptime(raw, "%Y-%m-%dT%H:%M")))
        except ValueError:
            out.append(None)
    return out, boxes


def _box_of(exc: DomainError, boxes: list[int]) -> int | None:
    """The box of a refused date (`options[n]`, the n-th date given), to mark it."""
    for key in exc.fields or {}:
        if key.startswith("options[") and key.endswith("]"):
            n = int(key[len("options[") : -1])
            return boxes[n] if n < len(boxes) else None
    return None


@bp.post("/groups/<int:group_id>/date-polls")
def ask_dates(group_id: int):
    access = group_access(db(), my_id(), group_id, Action.MANAGE)
    dates, boxes = _typed_dates()
    try:
        poll = date_poll.ask(
            db(),
            access.group,
            auth.me(),
            title=(request.form.get("title") or "").strip() or None,
            options=dates,
            numbers=boxes,  # "Date 4" is the fourth box, whichever were left empty
        )
    except DomainError as exc:
        db().rollback()
        return _ask_page(access, exc.status, exc.message, _box_of(exc, boxes))
    flash("Your dates are offered. Members are asked which suit them.", "success")
    return redirect(url_for("web.date_poll", poll_id=poll.id))


@bp.post("/date-polls/<int:poll_id>/answers")
def answer_date_poll(poll_id: int):
    poll, access = access_of.date_poll(db(), my_id(), poll_id)
    given = {
        str(o.id): request.form[f"option-{o.id}"]
        for o in poll.options
        if request.form.get(f"option-{o.id}")
    }
    try:
        date_poll.answer(db(), poll, my_id(), given)
    except DomainError as exc:
        db().rollback()
        return _poll_page(date_poll.get_poll(db(), poll_id), access, exc.status, exc.message)
    flash("Your answers are saved. You can change them while the poll is open.", "success")
    return redirect(url_for("web.date_poll", poll_id=poll.id, _anchor="results"))


@bp.post("/date-polls/<int:poll_id>/close")
def close_date_poll(poll_id: int):
    poll, access = access_of.date_poll(db(), my_id(), poll_id, Action.MANAGE)
    raw = request.form.get("option_id") or ""
    try:
        date_poll.close(db(), poll, auth.me(), int(raw) if raw.isdigit() else None)
    except DomainError as exc:
        db().rollback()
        return _poll_page(date_poll.get_poll(db(), poll_id), access, exc.status, exc.message)
    if poll.meeting_id:
        flash("The poll is closed and the session is planned on the date chosen.", "success")
        return redirect(url_for("web.session", meeting_id=poll.meeting_id))
    flash("The poll is closed.", "success")
    return redirect(url_for("web.date_poll", poll_id=poll.id))
