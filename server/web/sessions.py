"""Pages for whole-group sessions: the group's sessions, one session with its
agenda and minutes, each member's review of what changed since the last session
(with marks and a way to vote), the facilitators' review progress, and the
printable session pack (HTML and PDF).

Facilitators (MANAGE) plan, start and close sessions and edit the agenda; every
member reads them, reviews and prints the pack.
"""

from __future__ import annotations

from flask import Response, flash, make_response, redirect, render_template, request, url_for

from server import access_of, auth
from server.access import Access, group_access
from server.db import utcnow
from server.errors import DomainError
from server.exports import session_pack as pack
from server.meetings import agenda, review, services
from server.meetings.models import Meeting
from server.meetings.present import review_data
from server.permissions import Action, allows
from server.review import votes
from server.web import times
from server.web.blueprint import bp
from server.web.helpers import attach, db, my_id, safe_next
from server.web.review import vote_panel
from server.web.sessions_forms import AgendaItemForm, MarkForm, SessionForm

STATE_LABELS = {"planned": "Planned", "running": "Running now", "closed": "Closed"}
OUTCOME_LABELS = {
    "approved": "Approved",
    "rejected": "Not approved",
    "no_quorum": "Not decided: too few members voted",
}


@bp.app_template_filter("session_state")
def _session_state(value: str) -> str:
    return STATE_LABELS.get(value, value)


@bp.app_template_filter("outcome_label")
def _outcome_label(value: str | None) -> str:
    return OUTCOME_LABELS.get(value or "", "Still open")


def _meeting(meeting_id: int, action: Action = Action.VIEW) -> tuple[Meeting, Access]:
    return access_of.session(db(), my_id(), meeting_id, action)


def _fragment(template: str, **context):
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the group's sessions ------------------------------------------------------------------


def _list_page(access: Access, form: SessionForm, status: int = 200):
    can_manage = allows(db(), access.membership, Action.MANAGE)
    return render_template(
        "sessions/list.html",
        group=access.group,
        me=access.membership,
        can_manage=can_manage,
        form=form,
        meetings=services.meetings_of(db(), access.group.id),
    ), status


@bp.get("/groups/<int:group_id>/sessions")
def sessions(group_id: int):
    return _list_page(group_access(db(), my_id(), group_id), SessionForm(formdata=None))


@bp.post("/groups/<int:group_id>/sessions")
def plan_session(group_id: int):
    access = group_access(db(), my_id(), group_id, Action.MANAGE)
    form = SessionForm()
    if not form.validate():
        return _list_page(access, form, 422)
    try:
        meeting = services.schedule(
            db(),
            access.group,
            auth.me(),
            title=form.title.data,
            starts_at=times.from_local(form.starts_at.data),
            place=form.place.data or "",
            notes=form.notes.data or "",
        )
    except DomainError as exc:
        attach(form, exc)
        return _list_page(access, form, exc.status)
    flash(
        f"The session “{meeting.title}” is planned. Its agenda lists everything "
        "waiting for a vote.",
        "success",
    )
    return redirect(url_for("web.session", meeting_id=meeting.id))


# --- one session -----------------------------------------------------------------------------


def _votes_page() -> int:
    """Which page of the agenda's votes (?votes=N; anything else is the first)."""
    value = request.args.get("votes", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1


def _session_context(meeting: Meeting, access: Access, **extra) -> dict:
    can_manage = allows(db(), access.membership, Action.MANAGE)
    return {
        "meeting": meeting,
        "group": access.group,
        "me": access.membership,
        "can_manage": can_manage,
        "items": agenda.items(meeting),
        "votes": agenda.votes(db(), meeting, _votes_page()),
        "running": services.running(db(), meeting.group_id),
        "add_form": extra.pop("add_form", None) or AgendaItemForm(formdata=None),
        **extra,
    }


def _session_page(meeting: Meeting, access: Access, status: int = 200, **extra):
    return render_template(
        "sessions/session.html", **_session_context(meeting, access, **extra)
    ), status


@bp.get("/sessions/<int:meeting_id>")
def session(meeting_id: int):
    return _session_page(*_meeting(meeting_id))


@bp.get("/sessions/<int:meeting_id>/live")
def session_fragment(meeting_id: int):
    """The session's details, agenda and minutes, for sessions.js to swap in."""
    meeting, access = _meeting(meeting_id)
    return _fragment("sessions/_session_body.html", **_session_context(meeting, access))


@bp.route("/sessions/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_session(meeting_id: int):
    meeting, access = _meeting(meeting_id, Action.MANAGE)
    if request.method == "GET":
        form = SessionForm(formdata=None, obj=meeting)
        form.starts_at.data = times.for_input(meeting.starts_at)
        return render_template("sessions/edit.html", form=form, meeting=meeting, group=access.group)
    form = SessionForm()
    if not form.validate():
        return render_template(
            "sessions/edit.html", form=form, meeting=meeting, group=access.group
        ), 422
    try:
        services.update_meeting(
            db(),
            meeting,
            title=form.title.data,
            starts_at=times.from_local(form.starts_at.data),
            place=form.place.data or "",
            notes=form.notes.data or "",
        )
    except DomainError as exc:
        db().rollback()
        meeting = services.get_meeting(db(), meeting_id)
        attach(form, exc)
        return render_template(
            "sessions/edit.html", form=form, meeting=meeting, group=access.group
        ), exc.status
    flash("The session's details are saved.", "success")
    return redirect(url_for("web.session", meeting_id=meeting.id))


@bp.route("/sessions/<int:meeting_id>/start", methods=["GET", "POST"])
def start_session(meeting_id: int):
    meeting, access = _meeting(meeting_id, Action.MANAGE)
    if request.method == "GET":
        return render_template(
            "sessions/confirm.html",
            meeting=meeting,
            group=access.group,
            action="start",
            running=services.running(db(), meeting.group_id),
            # Planned for a later day: said before it starts, since starting cannot be undone.
            early=times.local(meeting.starts_at).date() > times.local(utcnow()).date(),
        )
    try:
        services.start(db(), meeting, auth.me())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("web.session", meeting_id=meeting.id))
    flash(
        f"The session “{meeting.title}” has started. Members' review pages now show what "
        "changes from here.",
        "success",
    )
    return redirect(url_for("web.session", meeting_id=meeting.id))


@bp.route("/sessions/<int:meeting_id>/close", methods=["GET", "POST"])
def close_session(meeting_id: int):
    meeting, access = _meeting(meeting_id, Action.MANAGE)
    if request.method == "GET":
        return render_template(
            "sessions/confirm.html",
            meeting=meeting,
            group=access.group,
            action="close",
            running=None,
        )
    try:
        services.close(db(), meeting, auth.me())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("web.session", meeting_id=meeting.id))
    flash(
        f"The session “{meeting.title}” is closed. Its minutes list the decisions taken.", "success"
    )
    return redirect(url_for("web.session", meeting_id=meeting.id, _anchor="minutes"))


@bp.route("/sessions/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel_session(meeting_id: int):
    meeting, access = _meeting(meeting_id, Action.MANAGE)
    if request.method == "GET":
        return render_template(
            "sessions/confirm.html", meeting=meeting, group=access.group, action="cancel"
        )
    title, group_id = meeting.title, meeting.group_id
    try:
        services.cancel(db(), meeting, my_id())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("web.session", meeting_id=meeting.id))
    flash(f"The session “{title}” is cancelled. Members are told.", "success")
    return redirect(url_for("web.sessions", group_id=group_id))


# --- the agenda ------------------------------------------------------------------------------


def _back_to_agenda(meeting: Meeting, item_id: int | None = None):
    anchor = f"item-{item_id}" if item_id else "agenda"
    return redirect(url_for("web.session", meeting_id=meeting.id, _anchor=anchor))


@bp.post("/sessions/<int:meeting_id>/agenda")
def add_agenda_item(meeting_id: int):
    meeting, access = _meeting(meeting_id, Action.MANAGE)
    form = AgendaItemForm()
    if not form.validate():
        return _session_page(meeting, access, 422, add_form=form)
    try:
        item = agenda.add(db(), meeting, form.title.data, form.note.data or "")
    except DomainError as exc:
        attach(form, exc)
        return _session_page(meeting, access, exc.status, add_form=form)
    flash(f"“{item.title}” is added to the agenda.", "success")
    return _back_to_agenda(meeting, item.id)


@bp.route("/sessions/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
def edit_agenda_item(meeting_id: int, item_id: int):
    meeting, access = _meeting(meeting_id, Action.MANAGE)
    item = agenda.get_item(db(), meeting, item_id)
    if request.method == "GET":
        return render_template(
            "sessions/edit_item.html",
            meeting=meeting,
            item=item,
            group=access.group,
            form=AgendaItemForm(formdata=None, obj=item),
        )
    form = AgendaItemForm()
    if not form.validate():
        return render_template(
            "sessions/edit_item.html", meeting=meeting, item=item, group=access.group, form=form
        ), 422
    try:
        agenda.edit(db(), item, title=form.title.data, note=form.note.data or "")
    except DomainError as exc:
        attach(form, exc)
        return render_template(
            "sessions/edit_item.html", meeting=meeting, item=item, group=access.group, form=form
        ), exc.status
    flash("The agenda item is saved.", "success")
    return _back_to_agenda(meeting, item.id)


@bp.post("/sessions/<int:meeting_id>/agenda/<int:item_id>/move")
def move_agenda_item(meeting_id: int, item_id: int):
    meeting, _access = _meeting(meeting_id, Action.MANAGE)
    item = agenda.get_item(db(), meeting, item_id)
    rows = agenda.items(meeting)
    place = next(n for n, row in enumerate(rows, start=1) if row.id == item.id)
    to = place - 1 if request.form.get("direction") == "up" else place + 1
    if 1 <= to <= len(rows):
        agenda.move(db(), meeting, item, to)
        flash(f"“{item.title}” is now number {to} on the agenda.", "success")
    return _back_to_agenda(meeting, item.id)


@bp.post("/sessions/<int:meeting_id>/agenda/<int:item_id>/remove")
def remove_agenda_item(meeting_id: int, item_id: int):
    meeting, _access = _meeting(meeting_id, Action.MANAGE)
    item = agenda.get_item(db(), meeting, item_id)
    agenda.remove(db(), item)
    flash(f"“{item.title}” is taken off the agenda.", "success")
    return _back_to_agenda(meeting)


# --- the pack --------------------------------------------------------------------------------


@bp.get("/sessions/<int:meeting_id>/pack")
def session_pack(meeting_id: int):
    meeting, _access = _meeting(meeting_id)
    return pack.pack_html(db(), meeting)


@bp.get("/sessions/<int:meeting_id>/pack.pdf")
def session_pack_pdf(meeting_id: int):
    meeting, _access = _meeting(meeting_id)
    return Response(
        pack.pack_pdf(db(), meeting),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{pack.filename(meeting)}"'},
    )


# --- each member's review --------------------------------------------------------------------


def _page_arg() -> int:
    """?page=N (1 = first); anything else is the first page."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def _review_context(access: Access, page: int = 1) -> dict:
    group_id = access.group.id
    data = review_data(db(), group_id, access.membership.user_id, page=page)
    here = url_for("web.my_review", group_id=group_id, page=data["page"])
    panels = {}
    for p in data["policies"]:
        for v in p["votes"]:
            panels[v["id"]] = vote_panel(
                votes.get_vote(db(), v["id"]), access, f"{here}#item-vote-{v['id']}"
            )
    return {
        "group": access.group,
        "me": access.membership,
        "review": data,
        "panels": panels,
        "can_manage": allows(db(), access.membership, Action.MANAGE),
        "next_session": services.next_planned(db(), group_id),
    }


@bp.get("/groups/<int:group_id>/review")
def my_review(group_id: int):
    access = group_access(db(), my_id(), group_id)
    return render_template("sessions/review.html", **_review_context(access, _page_arg()))


@bp.get("/groups/<int:group_id>/review/live")
def my_review_fragment(group_id: int):
    access = group_access(db(), my_id(), group_id)
    return _fragment("sessions/_review_list.html", **_review_context(access, _page_arg()))


@bp.post("/groups/<int:group_id>/review/marks")
def mark_reviewed(group_id: int):
    access = group_access(db(), my_id(), group_id)
    form = MarkForm()
    keys = [k for k in request.form.getlist("key") if k][:1000]
    reviewed = form.reviewed.data != "0"
    got = review.mark(db(), group_id, access.membership.user_id, keys, reviewed)
    what = "reviewed" if reviewed else "not reviewed"
    flash(f"Marked as {what}. You have reviewed {got.done} of {len(got.items)}.", "success")
    anchor = safe_next(request.form.get("next") or "") or ""
    target = url_for("web.my_review", group_id=group_id)
    if anchor.startswith((target + "#", target + "?page=")):
        return redirect(anchor)
    return redirect(target)


@bp.get("/groups/<int:group_id>/review/progress")
def review_progress(group_id: int):
    access = group_access(db(), my_id(), group_id, Action.MANAGE)
    return render_template(
        "sessions/progress.html",
        group=access.group,
        rows=review.progress(db(), group_id),
        since=services.last_started(db(), group_id),
    )
