"""Co-production made visible: participation by role, your words in the policy,
the "I statements" check, the ladder and the monitoring record.

Every member reads these; facilitators (MANAGE) edit the statement list and write
the learning. Check answers are anonymous: no route returns who answered what.
"""

from __future__ import annotations

from flask import Response

from server import access_of, auth
from server.access import group_access, policy_access
from server.api.common import ID, ApiBlueprint, db
from server.api.coproduction_schemas import (
    CoprodAnswersSchema,
    CoprodCheckSchema,
    CoprodImpactSchema,
    CoprodLadderSchema,
    CoprodLearningSchema,
    CoprodMonitoringSchema,
    CoprodParticipationSchema,
    CoprodPeriodSchema,
    CoprodPlaceSchema,
    CoprodResultsSchema,
    CoprodStatementInSchema,
    CoprodStatementSchema,
    CoprodStatementUpdateSchema,
    participation_body,
)
from server.exports import monitoring_record
from server.participation import figures, impact, ladder, monitoring, statements
from server.permissions import Action
from server.policies.services import policies_of

blp = ApiBlueprint(
    "Co-production",
    'Participation by role, your words in a policy, the anonymous "I statements" '
    "check after each session, the ladder of co-production and the monitoring record.",
)

# Every route here needs a signed-in caller: check it before the body is read, so
# an anonymous caller gets 401 whatever it sent.
blp.before_request(lambda: auth.me() and None)


def blueprints() -> list:
    return [blp]


def _period(args):
    """The period the query asks for (both ends optional)."""
    return figures.parse_period(
        args["start"].isoformat() if args.get("start") else None,
        args["end"].isoformat() if args.get("end") else None,
    )


def _policy_report(args, policy_id) -> figures.Report:
    period = _period(args)
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    return figures.report(db(), policy.group_id, [policy], period)


def _group_report(args, group_id) -> figures.Report:
    period = _period(args)
    group_access(db(), auth.me().id, group_id)
    return figures.report(db(), group_id, policies_of(db(), group_id), period)


@blp.route(f"/policies/<{ID}:policy_id>/participation", methods=["GET"])
@blp.arguments(CoprodPeriodSchema, location="query")
@blp.response(200, CoprodParticipationSchema)
@blp.errors(401, 404, 422)
def policy_participation(args, policy_id):
    """Participation by role for a policy over a period"""
    return participation_body(_policy_report(args, policy_id))


@blp.route(f"/groups/<{ID}:group_id>/participation", methods=["GET"])
@blp.arguments(CoprodPeriodSchema, location="query")
@blp.response(200, CoprodParticipationSchema)
@blp.errors(401, 404, 422)
def group_participation(args, group_id):
    """Participation by role across every policy of a group over a period"""
    return participation_body(_group_report(args, group_id))


def _csv(found: figures.Report, name: str) -> Response:
    return Response(
        figures.csv_text(found),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blp.route(f"/policies/<{ID}:policy_id>/participation.csv", methods=["GET"])
@blp.arguments(CoprodPeriodSchema, location="query")
@blp.response(200, {"type": "string"}, content_type="text/csv")
@blp.errors(401, 404, 422)
def policy_participation_csv(args, policy_id):
    """The same figures as CSV: a header row, one row per role, then everyone"""
    found = _policy_report(args, policy_id)
    return _csv(found, figures.csv_filename(policy_id, None))


@blp.route(f"/groups/<{ID}:group_id>/participation.csv", methods=["GET"])
@blp.arguments(CoprodPeriodSchema, location="query")
@blp.response(200, {"type": "string"}, content_type="text/csv")
@blp.errors(401, 404, 422)
def group_participation_csv(args, group_id):
    """The group's figures as CSV"""
    return _csv(_group_report(args, group_id), figures.csv_filename(None, group_id))


@blp.route(f"/policies/<{ID}:policy_id>/my-words", methods=["GET"])
@blp.response(200, CoprodImpactSchema)
@blp.errors(401, 404)
def my_words(policy_id):
    """Your words in the policy: your sentences, accepted suggestions, decisions"""
    me = auth.me()
    policy, _access = policy_access(db(), me.id, policy_id)
    return impact.impact(db(), policy, me.id)


# --- the "I statements" check -----------------------------------------------------------


@blp.route(f"/groups/<{ID}:group_id>/statements", methods=["GET"])
@blp.response(200, CoprodStatementSchema(many=True))
@blp.errors(401, 404)
def list_statements(group_id):
    """The group's statements, retired ones included"""
    group_access(db(), auth.me().id, group_id)
    return statements.statements_of(db(), group_id, active_only=False)


@blp.route(f"/groups/<{ID}:group_id>/statements", methods=["POST"])
@blp.arguments(CoprodStatementInSchema)
@blp.response(201, CoprodStatementSchema)
@blp.errors(401, 403, 404, 422)
def add_statement(body, group_id):
    """Add a statement to the check (facilitators); a first edit brings in the starter set"""
    group_access(db(), auth.me().id, group_id, Action.MANAGE)
    return statements.add(db(), group_id, body["text"])


@blp.route(f"/statements/<{ID}:statement_id>", methods=["PATCH"])
@blp.arguments(CoprodStatementUpdateSchema)
@blp.response(200, CoprodStatementSchema)
@blp.errors(401, 403, 404, 422)
def change_statement(body, statement_id):
    """Reword a statement, or stop or start asking it (facilitators)"""
    me = auth.me()
    row, _access = access_of.statement(db(), me.id, statement_id, Action.MANAGE)
    return statements.change(db(), row, text=body.get("text"), active=body.get("active"))


@blp.route(f"/sessions/<{ID}:meeting_id>/check", methods=["GET"])
@blp.response(200, CoprodCheckSchema)
@blp.errors(401, 404)
def get_check(meeting_id):
    """A session's check: its statements and whether you may answer"""
    me = auth.me()
    meeting, access = access_of.session(db(), me.id, meeting_id)
    return {
        "meeting_id": meeting.id,
        "open": meeting.closed_at is not None,
        "may_answer": statements.may_answer(db(), meeting, access.membership),
        "answered": statements.has_answered(db(), meeting.id, me.id),
        "statements": statements.statements_of(db(), meeting.group_id),
        "choices": list(statements.ANSWERS),
    }


@blp.route(f"/sessions/<{ID}:meeting_id>/check/answers", methods=["POST"])
@blp.arguments(CoprodAnswersSchema)
@blp.response(204)
@blp.errors(401, 403, 404, 409, 422)
def answer_check(body, meeting_id):
    """Answer a session's check, once (members who were at the session)

    Anonymous: each answer only adds one to a count. An answer other than agree,
    partly or disagree, or an unknown statement, is 422; a second answer is 409
    `already_answered`; a session not yet closed is 409 `session_not_closed`;
    someone not at the session gets 403 `not_at_session`. Nothing is saved then.
    """
    me = auth.me()
    meeting, access = access_of.session(db(), me.id, meeting_id)
    answers = {int(k): v for k, v in body["answers"].items()}
    statements.answer(db(), meeting, access.membership, answers)
    return None


@blp.route(f"/groups/<{ID}:group_id>/checks", methods=["GET"])
@blp.response(200, CoprodResultsSchema)
@blp.errors(401, 404)
def check_results(group_id):
    """Check results over time: counts only, none below 3 answers"""
    group_access(db(), auth.me().id, group_id)
    return statements.results(db(), group_id)


# --- the ladder --------------------------------------------------------------------------


def _ladder(policy, user_id):
    found = ladder.summary(db(), policy, user_id)
    found["rungs"] = [{"key": k, "name": n, "words": w, "plain": p} for k, n, w, p in ladder.RUNGS]
    return found


@blp.route(f"/policies/<{ID}:policy_id>/ladder", methods=["GET"])
@blp.response(200, CoprodLadderSchema)
@blp.errors(401, 404)
def get_ladder(policy_id):
    """Where members place the work on the ladder, now and over time"""
    me = auth.me()
    policy, _access = policy_access(db(), me.id, policy_id)
    return _ladder(policy, me.id)


@blp.route(f"/policies/<{ID}:policy_id>/ladder", methods=["POST"])
@blp.arguments(CoprodPlaceSchema)
@blp.response(201, CoprodLadderSchema)
@blp.errors(401, 404, 422)
def place_on_ladder(body, policy_id):
    """Place the work on the ladder (your latest placement counts)"""
    me = auth.me()
    policy, _access = policy_access(db(), me.id, policy_id)
    ladder.place(db(), policy, me.id, body["rung"])
    return _ladder(policy, me.id)


# --- the monitoring record ------------------------------------------------------------


@blp.route(f"/policies/<{ID}:policy_id>/monitoring", methods=["GET"])
@blp.response(200, CoprodMonitoringSchema)
@blp.errors(401, 404)
def get_monitoring(policy_id):
    """The monitoring record of a policy (also as DOCX and CSV on its page)"""
    me = auth.me()
    policy, _access = policy_access(db(), me.id, policy_id)
    found = monitoring.record(db(), policy)
    found["participation"] = participation_body(found["participation"])
    found["ladder"] = _ladder(policy, me.id)
    return found


def _monitoring_file(policy_id, fmt: str) -> Response:
    policy, access = policy_access(db(), auth.me().id, policy_id)
    found = monitoring_record.as_file(monitoring.record(db(), policy), access.group.name, fmt)
    return Response(
        found.body,
        mimetype=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.name}"'},
    )


@blp.route(f"/policies/<{ID}:policy_id>/monitoring.csv", methods=["GET"])
@blp.response(200, {"type": "string"}, content_type="text/csv")
@blp.errors(401, 404)
def monitoring_csv(policy_id):
    """The monitoring record as CSV, the file the page offers"""
    return _monitoring_file(policy_id, "csv")


@blp.route(f"/policies/<{ID}:policy_id>/monitoring.docx", methods=["GET"])
@blp.response(200, {"type": "string", "format": "binary"}, content_type=monitoring_record.DOCX)
@blp.errors(401, 404)
def monitoring_docx(policy_id):
    """The monitoring record as a Word document, the file the page offers"""
    return _monitoring_file(policy_id, "docx")


@blp.route(f"/policies/<{ID}:policy_id>/monitoring/learning", methods=["PUT"])
@blp.arguments(CoprodLearningSchema)
@blp.response(200, CoprodLearningSchema)
@blp.errors(401, 403, 404, 422)
def put_learning(body, policy_id):
    """Write what the group learned (facilitators)"""
    me = auth.me()
    policy, _access = policy_access(db(), me.id, policy_id, Action.MANAGE)
    return {"text": monitoring.write_learning(db(), policy, body["text"], me.id).text}
