"""Pages for the co-production checks: the "I statements" check after a session
(and its results over time, and the list a facilitator edits), the ladder for a
policy, the monitoring record (page, DOCX, CSV), and a page explaining them."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from server import access_of, auth
from server.access import group_access, policy_access
from server.errors import DomainError
from server.exports import monitoring_record
from server.meetings.models import Meeting
from server.participation import charts, figures, ladder, monitoring, statements
from server.permissions import Action, allows
from server.web.blueprint import bp
from server.web.helpers import db, my_id


@bp.get("/co-production")
def coproduction_help():
    return render_template("coproduction/help.html", rungs=ladder.RUNGS)


# --- the "I statements" check ---------------------------------------------------------------


@bp.app_template_global("check_status")
def _check_status(meeting: Meeting, membership) -> str | None:
    """For the session page: "open" (this member may answer), "done", or None."""
    if meeting.closed_at is None or membership is None:
        return None
    if statements.has_answered(db(), meeting.id, membership.user_id):
        return "done"
    return "open" if statements.may_answer(db(), meeting, membership) else None


def _check_page(meeting, access, status=200, error=None, chosen=None):
    return render_template(
        "coproduction/check.html",
        meeting=meeting,
        group=access.group,
        items=statements.statements_of(db(), meeting.group_id),
        answers=statements.ANSWERS,
        done=statements.has_answered(db(), meeting.id, access.membership.user_id),
        allowed=statements.may_answer(db(), meeting, access.membership),
        error=error,
        chosen=chosen or {},
    ), status


@bp.get("/sessions/<int:meeting_id>/check")
def session_check(meeting_id: int):
    return _check_page(*access_of.session(db(), my_id(), meeting_id))


@bp.post("/sessions/<int:meeting_id>/check")
def answer_check(meeting_id: int):
    meeting, access = access_of.session(db(), my_id(), meeting_id)
    answers = {}
    for key, value in request.form.items():
        if key.startswith("s-") and value:
            raw = key.removeprefix("s-")
            answers[int(raw) if raw.isdigit() and len(raw) < 12 else -1] = value
    try:
        statements.answer(db(), meeting, access.membership, answers)
    except DomainError as exc:
        db().rollback()
        meeting, access = access_of.session(db(), my_id(), meeting_id)
        return _check_page(meeting, access, exc.status, exc.message, answers)
    flash("Thank you. Your answers are counted, with nothing to say they are yours.", "success")
    return redirect(url_for("web.group_checks", group_id=meeting.group_id))


def _checks_page(access, status=200, error=None):
    found = statements.results(db(), access.group.id)
    rows = statements.statements_of(db(), access.group.id, active_only=False)
    return render_template(
        "coproduction/checks.html",
        group=access.group,
        found=found,
        rows=rows,
        starter=statements.STARTER if not rows else None,
        answers=statements.ANSWERS,
        can_manage=allows(db(), access.membership, Action.MANAGE),
        error=error,
    ), status


@bp.get("/groups/<int:group_id>/checks")
def group_checks(group_id: int):
    return _checks_page(group_access(db(), my_id(), group_id))


@bp.post("/groups/<int:group_id>/statements")
def add_statement(group_id: int):
    group_access(db(), my_id(), group_id, Action.MANAGE)
    try:
        statements.add(db(), group_id, request.form.get("text", ""))
    except DomainError as exc:
        db().rollback()
        access = group_access(db(), my_id(), group_id, Action.MANAGE)
        return _checks_page(access, exc.status, exc.message)
    flash("The statement is added to the check.", "success")
    return redirect(url_for("web.group_checks", group_id=group_id, _anchor="statements"))


@bp.post("/statements/<int:statement_id>")
def change_statement(statement_id: int):
    row, _access = access_of.statement(db(), my_id(), statement_id, Action.MANAGE)
    active = {"retire": False, "restore": True}.get(request.form.get("do", ""))
    text = request.form.get("text") if request.form.get("do") == "save" else None
    try:
        statements.change(db(), row, text=text, active=active)
    except DomainError as exc:
        db().rollback()
        _row, access = access_of.statement(db(), my_id(), statement_id, Action.MANAGE)
        return _checks_page(access, exc.status, exc.message)
    flash("The check is updated.", "success")
    return redirect(url_for("web.group_checks", group_id=row.group_id, _anchor="statements"))


# --- the ladder -----------------------------------------------------------------------------


def _ladder_page(policy, access, status=200, error=None):
    found = ladder.summary(db(), policy, my_id())
    chart = charts.bar_chart(
        "ladder",
        "Where members place the work now",
        # Highest step first, as the steps are listed above the chart.
        [(name, found["now"][key]) for key, name, _w, _p in reversed(ladder.RUNGS)],
        by="step",
    )
    return render_template(
        "coproduction/ladder.html",
        policy=policy,
        group=access.group,
        found=found,
        rungs=ladder.RUNGS,
        names=ladder.RUNG_NAMES,
        chart=chart,
        error=error,
    ), status


@bp.get("/policies/<int:policy_id>/ladder")
def policy_ladder(policy_id: int):
    return _ladder_page(*policy_access(db(), my_id(), policy_id))


@bp.post("/policies/<int:policy_id>/ladder")
def place_on_ladder(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    try:
        ladder.place(db(), policy, my_id(), request.form.get("rung", ""))
    except DomainError as exc:
        return _ladder_page(policy, access, exc.status, exc.message)
    flash("Thank you: your view of where the work stands is saved.", "success")
    return redirect(url_for("web.policy_ladder", policy_id=policy.id))


# --- the monitoring record -------------------------------------------------------------


@bp.get("/policies/<int:policy_id>/monitoring")
def monitoring_page(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    found = monitoring.record(db(), policy)
    return render_template(
        "coproduction/monitoring.html",
        policy=policy,
        group=access.group,
        found=found,
        metrics=figures.METRICS,
        names=ladder.RUNG_NAMES,
        rungs=ladder.RUNGS,
        can_manage=allows(db(), access.membership, Action.MANAGE),
    )


def _monitoring_file(policy_id: int, fmt: str) -> Response:
    policy, access = policy_access(db(), my_id(), policy_id)
    found = monitoring_record.as_file(monitoring.record(db(), policy), access.group.name, fmt)
    return Response(
        found.body,
        mimetype=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.name}"'},
    )


@bp.get("/policies/<int:policy_id>/monitoring.docx")
def monitoring_docx(policy_id: int):
    return _monitoring_file(policy_id, "docx")


@bp.get("/policies/<int:policy_id>/monitoring.csv")
def monitoring_csv(policy_id: int):
    return _monitoring_file(policy_id, "csv")


@bp.post("/policies/<int:policy_id>/monitoring/learning")
def write_learning(policy_id: int):
    policy, _access = policy_access(db(), my_id(), policy_id, Action.MANAGE)
    try:
        monitoring.write_learning(db(), policy, request.form.get("text", ""), auth.me().id)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash("What the group learned is saved.", "success")
    return redirect(url_for("web.monitoring_page", policy_id=policy.id, _anchor="learning"))
