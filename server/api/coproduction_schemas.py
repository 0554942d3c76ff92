"""Bodies of the co-production API. Names start with "Coprod" so they stay unique
in the OpenAPI document."""

from __future__ import annotations

from marshmallow import fields, validate

from server.api.schemas import Flag, Schema, Text, _d
from server.participation.figures import METRICS
from server.participation.ladder import RUNG_KEYS
from server.participation.models import STATEMENT_CHARS
from server.participation.statements import ANSWERS

ANSWER_VALUES = list(ANSWERS)


class CoprodPeriodSchema(Schema):
    """A period of whole days, both ends included; leave either out for open-ended."""

    start = fields.Date(load_default=None, metadata=_d("First day (YYYY-MM-DD)."))
    end = fields.Date(load_default=None, metadata=_d("Last day (YYYY-MM-DD)."))


class CoprodRoleSchema(Schema):
    """One role's figures (see docs/coproduction.md for each definition)."""

    role = fields.String(metadata=_d("parent_carer, young_person, education, ... or all."))
    label = fields.String(metadata=_d("The role in words."))
    members = fields.Integer(metadata=_d("Members with this role now."))
    attended = fields.Integer(metadata=_d("Times present at a session held in the period."))
    words = fields.Integer(metadata=_d("Words in the current text written by them."))
    edits = fields.Integer(metadata=_d("Edits in the period."))
    comments = fields.Integer(metadata=_d("Comments in the period."))
    suggestions = fields.Integer(metadata=_d("Suggestions made in the period."))
    accepted = fields.Integer(metadata=_d("Suggestions applied to the text in the period."))
    votes = fields.Integer(metadata=_d("Votes cast in the period."))


class CoprodParticipationSchema(Schema):
    """Participation by role, with prompts for the group when the balance is off."""

    start = fields.Date(allow_none=True, metadata=_d("First day counted (null: from the start)."))
    end = fields.Date(allow_none=True, metadata=_d("Last day counted (null: up to now)."))
    policy_ids = fields.List(fields.Integer(), metadata=_d("The policies counted."))
    sessions = fields.Integer(metadata=_d("Sessions held in the period."))
    rows = fields.List(fields.Nested(CoprodRoleSchema), metadata=_d("One per role."))
    totals = fields.Nested(CoprodRoleSchema, metadata=_d("Everyone together."))
    flags = fields.List(fields.String(), metadata=_d("Prompts about roles, never people."))
    metrics = fields.Dict(keys=fields.String(), values=fields.String(), metadata=_d("Names."))


def participation_body(report) -> dict:
    return {
        "start": report.period.start,
        "end": report.period.end,
        "policy_ids": [p.id for p in report.policies],
        "sessions": report.sessions,
        "rows": report.rows,
        "totals": report.totals,
        "flags": report.flags,
        "metrics": METRICS,
    }


class CoprodSentenceSchema(Schema):
    """A sentence of the current text you wrote or changed."""

    id = fields.Integer(metadata=_d("Sentence id."))
    text = fields.String(metadata=_d("Its words."))
    section_id = fields.Integer(metadata=_d("The section's id."))
    section = fields.String(metadata=_d("The section's title."))
    my_words = fields.Integer(metadata=_d("Its words that count for you."))
    wrote = fields.Boolean(metadata=_d("You wrote it (false: you changed it)."))


class CoprodAcceptedSchema(Schema):
    """A suggestion of yours the group accepted."""

    id = fields.Integer(metadata=_d("Proposal id."))
    section = fields.String(metadata=_d("The section's title."))
    text = fields.String(metadata=_d("The words proposed."))
    reason = fields.String(metadata=_d("The reason given."))
    kind = fields.String(metadata=_d("replace, insert, delete or rewrite."))


class CoprodDecisionSchema(Schema):
    """A decision you voted in."""

    vote_id = fields.Integer(metadata=_d("The vote's id."))
    subject = fields.String(metadata=_d("proposal or agreement."))
    section = fields.String(metadata=_d("The section's title."))
    outcome = fields.String(
        allow_none=True, metadata=_d("approved, rejected, no_quorum, or null while open.")
    )
    choice = fields.String(metadata=_d("How you voted."))


class CoprodImpactSchema(Schema):
    """Your words in the policy: your sentences, accepted suggestions, decisions."""

    words = fields.Integer(metadata=_d("Words in the current text that count for you."))
    total_words = fields.Integer(metadata=_d("Words in the current text."))
    sentences = fields.List(fields.Nested(CoprodSentenceSchema), metadata=_d("Sentences."))
    accepted = fields.List(fields.Nested(CoprodAcceptedSchema), metadata=_d("Accepted."))
    decisions = fields.List(
        fields.Nested(CoprodDecisionSchema), metadata=_d("Votes on the policy that have closed.")
    )


class CoprodStatementSchema(Schema):
    """One "I statement" of the group's check."""

    id = fields.Integer(metadata=_d("Its id."))
    text = fields.String(metadata=_d("Its words."))
    active = fields.Boolean(metadata=_d("Asked in new checks."))


class CoprodStatementInSchema(Schema):
    """A statement to add to the check."""

    text = Text(
        f"The statement, in plain words (up to {STATEMENT_CHARS} characters).",
        2 * STATEMENT_CHARS,
        required=True,
    )


class CoprodStatementUpdateSchema(Schema):
    """Changes to a statement; absent fields stay as they are."""

    text = Text("New words.", 600)
    active = Flag(metadata=_d("false: stop asking it; true: ask it again."))


class CoprodAnswersSchema(Schema):
    """Your answers, by statement id. Anonymous: only counts are kept."""

    answers = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,9}$")),
        values=fields.String(validate=validate.OneOf(ANSWER_VALUES)),
        required=True,
        metadata=_d('{"<statement id>": "agree" | "partly" | "disagree"}.'),
    )


class CoprodCheckSchema(Schema):
    """A session's check as you see it: the statements, and whether you may (still)
    answer. Never what anyone answered."""

    meeting_id = fields.Integer(metadata=_d("The session's id."))
    open = fields.Boolean(metadata=_d("The session has closed, so the check is open."))
    may_answer = fields.Boolean(metadata=_d("You were at the session."))
    answered = fields.Boolean(metadata=_d("You have answered."))
    statements = fields.List(
        fields.Nested(CoprodStatementSchema), metadata=_d("Results per statement.")
    )
    choices = fields.List(fields.String(), metadata=_d("agree, partly, disagree."))


class CoprodCountsSchema(Schema):
    """How many answered each way."""

    agree = fields.Integer(metadata=_d("Answered agree."))
    partly = fields.Integer(metadata=_d("Answered partly."))
    disagree = fields.Integer(metadata=_d("Answered disagree."))


class CoprodStatementResultSchema(Schema):
    """One statement's counts after one session."""

    statement_id = fields.Integer(metadata=_d("The statement's id."))
    shown = fields.Boolean(metadata=_d("false: too few answers to show."))
    counts = fields.Nested(
        CoprodCountsSchema, allow_none=True, metadata=_d("Counts (null when too few to show).")
    )


class CoprodSessionResultSchema(Schema):
    """One closed session's check results."""

    meeting_id = fields.Integer(metadata=_d("The session's id."))
    title = fields.String(metadata=_d("The session's title."))
    starts_at = fields.DateTime(metadata=_d("When it starts (ISO 8601, UTC)."))
    shown = fields.Boolean(metadata=_d("At least min_answers members answered."))
    answered = fields.Integer(allow_none=True, metadata=_d("How many answered (null: too few)."))
    statements = fields.List(
        fields.Nested(CoprodStatementResultSchema), metadata=_d("Results per statement.")
    )


class CoprodResultsSchema(Schema):
    """Counts per statement for each closed session, oldest first."""

    min_answers = fields.Integer(metadata=_d("Fewest answers for a session's results to show."))
    statements = fields.List(
        fields.Nested(CoprodStatementSchema), metadata=_d("Results per statement.")
    )
    sessions = fields.List(
        fields.Nested(CoprodSessionResultSchema), metadata=_d("One per closed session.")
    )


class CoprodRungSchema(Schema):
    """A rung of the ladder of co-production."""

    key = fields.String(metadata=_d("The rung's key."))
    name = fields.String(metadata=_d("The rung's name."))
    words = fields.String(metadata=_d("The guide's words for it."))
    plain = fields.String(metadata=_d("What it means, in plain words."))


class CoprodSpreadPointSchema(Schema):
    """Members on each rung at the end of a month."""

    month = fields.String(metadata=_d("YYYY-MM."))
    spread = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata=_d("Members on each rung.")
    )


class CoprodLadderSchema(Schema):
    """The spread of members' placements now, and at the end of each month."""

    rungs = fields.List(fields.Nested(CoprodRungSchema), metadata=_d("Lowest first."))
    now = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata=_d("Members on each rung now.")
    )
    placed = fields.Integer(metadata=_d("Members who have placed it."))
    over_time = fields.List(fields.Nested(CoprodSpreadPointSchema), metadata=_d("Over time."))
    mine = fields.String(allow_none=True, metadata=_d("Your latest placement."))


class CoprodPlaceSchema(Schema):
    """Where you place the work on the ladder."""

    rung = fields.String(
        required=True,
        validate=validate.OneOf(RUNG_KEYS),
        metadata=_d("The rung, lowest first: " + ", ".join(RUNG_KEYS) + ".", enum=RUNG_KEYS),
    )


class CoprodLearningSchema(Schema):
    """What the group learned, in the facilitator's words."""

    text = Text("What the group learned (up to 20000 characters).", 40_000, required=True)


class CoprodSessionSummarySchema(Schema):
    """A session held, with counts of who came."""

    id = fields.Integer(metadata=_d("Its id."))
    title = fields.String(metadata=_d("The session's title."))
    starts_at = fields.DateTime(metadata=_d("When it starts (ISO 8601, UTC)."))
    state = fields.String(metadata=_d("planned, running or closed."))
    attendance = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata=_d("Counts: in_person, online, apologies, absent."),
    )


class CoprodPolicyDecisionSchema(Schema):
    """A decision on the policy."""

    vote_id = fields.Integer(metadata=_d("The vote's id."))
    subject = fields.String(metadata=_d("proposal or agreement."))
    section = fields.String(metadata=_d("The section's title."))
    outcome = fields.String(
        allow_none=True, metadata=_d("approved, rejected, no_quorum, or null while open.")
    )
    closed_at = fields.DateTime(metadata=_d("When it closed (ISO 8601, UTC)."))


class CoprodMonitoringSchema(Schema):
    """The monitoring record of a policy."""

    participation = fields.Nested(
        CoprodParticipationSchema, metadata=_d("Participation by role since the start.")
    )
    sessions = fields.List(
        fields.Nested(CoprodSessionSummarySchema), metadata=_d("One per closed session.")
    )
    decisions = fields.List(
        fields.Nested(CoprodPolicyDecisionSchema),
        metadata=_d("Votes on the policy that have closed."),
    )
    checks = fields.Nested(CoprodResultsSchema, metadata=_d("The group's check results."))
    ladder = fields.Nested(CoprodLadderSchema, metadata=_d("The ladder."))
    learning = fields.String(metadata=_d("What the facilitator wrote the group learned."))
