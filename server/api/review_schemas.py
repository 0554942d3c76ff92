"""Bodies of the review API: comments, proposals, votes, agreed sections and the
group's decision rules.

Input schemas check shape, type and a generous raw size; the review services check
the rules (a comment of at most 5000 characters with words in it, a reason, a
closing time in the future, rules within their ranges) and say what is wrong in
their own words, so pages and API refuse the same things the same way.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import fields, validate

from server.api.schemas import Flag, Id, PieceSchema, Schema, Stamp, Text, _d
from server.review.models import (
    Choice,
    CloseMode,
    Outcome,
    ProposalKind,
    ProposalStatus,
    VoteSubject,
    WordingDecider,
)
from server.review.proposals import MAX_PROPOSAL_CHARS, MAX_REASON_CHARS
from server.review.rules import QUORUM_RANGE, THRESHOLD_RANGE, VOTE_DAYS_RANGE
from server.text.rich import MAX_COMMENT_CHARS

CHOICES = [c.value for c in Choice]
CLOSE_MODES = [m.value for m in CloseMode]
DECIDERS = [d.value for d in WordingDecider]
_DECIDER = (
    "Who decides a suggestion on wording (`replace`): group (the whole group, by vote) or "
    "subgroup (any member of the sub-group that owns the section accepts or declines it). "
    "Other suggestions and agreeing a section are always a vote of the whole group."
)
# Raw caps: well above the services' limits, so their clearer message answers a
# body that is a little too long, while a huge one is refused before any work.
RAW_COMMENT_CHARS = 4 * MAX_COMMENT_CHARS
RAW_REASON_CHARS = 4 * MAX_REASON_CHARS
RAW_PROPOSAL_CHARS = 2 * MAX_PROPOSAL_CHARS


def _closes_at() -> fields.AwareDateTime:
    return fields.AwareDateTime(
        default_timezone=UTC,
        allow_none=True,
        load_default=None,
        metadata=_d(
            "When the vote closes (ISO 8601; without a zone, UTC). Absent or null: after "
            "the group's `vote_days`. Ignored when the group's votes close only when "
            "everyone has voted."
        ),
    )


# --- people --------------------------------------------------------------------------------


class ReviewerSchema(Schema):
    """A person, named."""

    id = fields.Integer(metadata=_d("User id."))
    name = fields.String(attribute="display_name", metadata=_d("The name others see."))


# --- comments ------------------------------------------------------------------------------


class WordsSchema(Schema):
    """Some words of a sentence: character offsets into its text as it is now."""

    start = fields.Integer(required=True, strict=True, metadata=_d("The first character (from 0)."))
    end = fields.Integer(required=True, strict=True, metadata=_d("Just after the last character."))


class CommentWordsSchema(Schema):
    """The words a comment is about, followed through later edits."""

    text = fields.String(
        attribute="words", metadata=_d("The words as they were when the comment was made.")
    )
    gone = fields.Boolean(metadata=_d("Every one of those words has been removed since."))
    sentence_id = fields.Integer(
        allow_none=True, metadata=_d("The live sentence they are in now (null: gone).")
    )
    start = fields.Integer(
        allow_none=True, metadata=_d("Where they start in that sentence's text now (null: gone).")
    )
    end = fields.Integer(allow_none=True, metadata=_d("Just after where they end (null: gone)."))
    now = fields.String(
        allow_none=True,
        metadata=_d("The words there now, with any edits inside them (null: gone)."),
    )


class CommentCreateSchema(Schema):
    """A new comment on the section, or on one of its sentences."""

    body = Text(
        f"The comment: a little Markdown (**bold**, *italic*, lists, links) and "
        f"@Name to mention a member. At most {MAX_COMMENT_CHARS} characters, with "
        "some words in it: other markup is removed.",
        RAW_COMMENT_CHARS,
        required=True,
    )
    sentence_id = Id(
        "Comment on this live sentence of the section (absent or null: on the section as a whole).",
        allow_none=True,
        load_default=None,
    )
    words = fields.Nested(
        WordsSchema,
        allow_none=True,
        load_default=None,
        metadata=_d(
            "Comment on some words of that sentence: their offsets in its text now "
            "(needs `sentence_id`; absent or null: the whole sentence)."
        ),
    )


class CommentBodySchema(Schema):
    """The text of a reply, or a comment's new text."""

    body = Text(
        f"The text, as for a new comment (at most {MAX_COMMENT_CHARS} characters).",
        RAW_COMMENT_CHARS,
        required=True,
    )


class ResolvedSchema(Schema):
    """When a discussion was resolved, and by whom."""

    at = Stamp("When it was resolved")
    by = fields.Nested(ReviewerSchema, allow_none=True, metadata=_d("Who resolved it."))


class ReplySchema(Schema):
    """One comment. A deleted one stays as a marker with an empty body."""

    id = fields.Integer(metadata=_d("Comment id."))
    thread_id = fields.Integer(
        allow_none=True,
        metadata=_d("The first comment of its thread (null: this one starts a thread)."),
    )
    policy_id = fields.Integer(metadata=_d("The policy."))
    section_id = fields.Integer(metadata=_d("The section it is about."))
    proposal_id = fields.Integer(
        allow_none=True, metadata=_d("The suggestion it discusses (null: none).")
    )
    author = fields.Nested(
        ReviewerSchema, allow_none=True, metadata=_d("Who wrote it (null: the account is gone).")
    )
    body_html = fields.String(
        metadata=_d(
            "The comment as safe HTML (p, br, strong, em, ul, ol, li, a, and span.mention); "
            "empty once deleted."
        )
    )
    source = fields.String(
        allow_none=True,
        metadata=_d("The text as typed, for editing: shown to its author only (null for others)."),
    )
    created_at = Stamp("When it was written")
    edited_at = fields.DateTime(
        allow_none=True, metadata=_d("When it was last changed (ISO 8601, UTC; null: never).")
    )
    deleted = fields.Boolean(
        metadata=_d("Deleted: its place in the thread is kept, its words are not.")
    )
    sentence_id = fields.Integer(
        allow_none=True, metadata=_d("The sentence it was written on (null: the whole section).")
    )
    anchor_sentence_id = fields.Integer(
        allow_none=True,
        metadata=_d(
            "The live sentence it belongs to now: its own, or the one it was merged into "
            "(null: on the section, or on text since removed)."
        ),
    )
    on_removed_text = fields.Boolean(
        metadata=_d("The sentence it was about has been removed; `quote` keeps its words.")
    )
    quote = fields.String(
        metadata=_d(
            "The sentence's words when the thread began (empty for a comment on the section)."
        )
    )
    mentions = fields.List(fields.Integer(), metadata=_d("User ids of the members it mentions."))
    words = fields.Nested(
        CommentWordsSchema,
        allow_none=True,
        metadata=_d(
            "For a thread on some words of a sentence: those words, where they are now, or "
            "that they were removed (null: on a whole sentence, the section, or a reply)."
        ),
    )


class CommentSchema(ReplySchema):
    """A comment with its place in the discussion: a thread's first comment carries
    its replies and whether the thread is resolved; a reply has neither."""

    resolved = fields.Nested(
        ResolvedSchema,
        allow_none=True,
        metadata=_d("For a thread: when and by whom it was resolved (null: open, or a reply)."),
    )
    replies = fields.List(
        fields.Nested(ReplySchema),
        metadata=_d("For a thread: its replies, oldest first (empty for a reply)."),
    )


# --- proposals -----------------------------------------------------------------------------


class ProposalCreateSchema(Schema):
    """A change to suggest to the section, with the reason for it."""

    kind = fields.String(
        required=True,
        validate=validate.OneOf([k.value for k in ProposalKind]),
        metadata=_d(
            "replace one sentence, insert sentences after one (or at "
            "the start), delete sentences, or rewrite the whole "
            "section.",
            enum=[k.value for k in ProposalKind],
        ),
    )
    reason = Text(
        f"Why the change is needed (at most {MAX_REASON_CHARS} characters).",
        RAW_REASON_CHARS,
        required=True,
    )
    text = Text(
        f"The suggested words (replace, insert, rewrite; at most {MAX_PROPOSAL_CHARS} "
        "characters); split into sentences.",
        RAW_PROPOSAL_CHARS,
        load_default=None,
        allow_none=True,
    )
    sentence_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1)),
        validate=validate.Length(max=500),
        load_default=list,
        metadata=_d(
            "replace: the one sentence; delete: the sentences; insert: the sentence to "
            "follow (empty: at the start); rewrite: leave empty."
        ),
    )


class ProposalUpdateSchema(Schema):
    """Fields to change on your suggestion before voting opens; leave out what stays."""

    reason = Text("Why the change is needed.", RAW_REASON_CHARS)
    text = Text(
        "The suggested words (not for delete); checked against today's text.", RAW_PROPOSAL_CHARS
    )


class ProposalChangeSchema(Schema):
    """One block of a suggestion, shown against the text as it is now."""

    sentence_ids = fields.List(
        fields.Integer(),
        metadata=_d("The sentences it changes (insert: the one it follows; empty: at the start)."),
    )
    before = fields.String(metadata=_d("Today's words (empty for an insert)."))
    after = fields.String(metadata=_d("The suggested words (empty for a delete)."))
    pieces = fields.List(
        fields.Nested(PieceSchema),
        metadata=_d("Word-level diff from before to after, in reading order."),
    )
    gone = fields.Boolean(metadata=_d("The sentence it is about has been removed since."))


class ProposalConflictSchema(Schema):
    """Why an approved suggestion could not be applied, with both texts kept."""

    reason = fields.String(metadata=_d("What got in the way, in words."))
    current = fields.String(metadata=_d("The text as it was when the suggestion was approved."))
    proposed = fields.String(metadata=_d("The suggested words."))


class VoteRefSchema(Schema):
    """The vote on a suggestion, in brief (GET /votes/{id} for the rest)."""

    id = fields.Integer(metadata=_d("Vote id."))
    open = fields.Boolean(attribute="is_open", metadata=_d("Still open for votes."))
    closing = fields.Boolean(
        metadata=_d(
            "Open but over by its rules (its time is up, or everyone has voted): it takes "
            "no more ballots, and the scheduled job records its outcome within about 30 "
            "seconds. Reading a vote never closes it."
        )
    )
    closes_at = fields.DateTime(
        allow_none=True,
        metadata=_d("When it closes (ISO 8601, UTC; null: when everyone has voted)."),
    )
    closed_at = fields.DateTime(allow_none=True, metadata=_d("When it closed (null: open)."))
    outcome = fields.String(
        allow_none=True,
        metadata=_d(
            "approved, rejected or no_quorum once closed.", enum=[o.value for o in Outcome]
        ),
    )


class ProposalDecisionSchema(Schema):
    """A suggestion decided by a member of the owning sub-group, without a vote."""

    accepted = fields.Boolean(metadata=_d("Accepted (true) or declined (false)."))
    by = fields.Nested(
        ReviewerSchema,
        attribute="decided_by",
        allow_none=True,
        metadata=_d("Who decided (null: their account was removed)."),
    )
    subgroup_id = fields.Integer(allow_none=True, metadata=_d("For which sub-group."))
    decided_at = Stamp("When")


class ProposalSchema(Schema):
    """A suggested change, shown as a word diff against the text as it is now."""

    id = fields.Integer(metadata=_d("Suggestion id."))
    policy_id = fields.Integer(metadata=_d("The policy."))
    section_id = fields.Integer(metadata=_d("The section it changes."))
    author = fields.Nested(ReviewerSchema, allow_none=True, metadata=_d("Who suggested it."))
    kind = fields.String(metadata=_d("What kind of change.", enum=[k.value for k in ProposalKind]))
    status = fields.String(
        metadata=_d(
            "open (being discussed; its author may change or withdraw it), voting, applied, "
            "conflict (approved, but the text moved too far: see `conflict`), rejected, "
            "not_decided (no quorum) or withdrawn.",
            enum=[s.value for s in ProposalStatus],
        )
    )
    reason = fields.String(metadata=_d("Why, in the author's words."))
    text = fields.String(metadata=_d("The suggested words (empty for a delete)."))
    sentence_ids = fields.List(
        fields.Integer(), metadata=_d("The sentences it changes, or (insert) follows.")
    )
    changes = fields.List(
        fields.Nested(ProposalChangeSchema),
        metadata=_d("The suggestion as word diffs against today's text."),
    )
    stale = fields.Boolean(
        metadata=_d(
            "The text has changed since the suggestion was made: when applied it is merged, or "
            "marked as a conflict."
        )
    )
    conflict = fields.Nested(
        ProposalConflictSchema,
        allow_none=True,
        metadata=_d("When status is conflict: why, and both texts (null otherwise)."),
    )
    vote = fields.Nested(
        VoteRefSchema, allow_none=True, metadata=_d("The group's vote on it (null: none yet).")
    )
    decided_by = fields.String(
        metadata=_d(
            "Who decides it under the group's rules now: group (a vote) or subgroup (a "
            "member of the owning sub-group accepts or declines it).",
            enum=DECIDERS,
        )
    )
    decision = fields.Nested(
        ProposalDecisionSchema,
        allow_none=True,
        metadata=_d("When the sub-group decided it: who, what and when (null otherwise)."),
    )
    created_at = Stamp("When it was made")
    updated_at = Stamp("When it last changed")
    decided_at = fields.DateTime(
        allow_none=True,
        metadata=_d("When it was decided or withdrawn (ISO 8601, UTC; null: not yet)."),
    )


# --- votes ---------------------------------------------------------------------------------


class VoteOpenSchema(Schema):
    """Open a vote: optionally when it closes."""

    closes_at = _closes_at()


class VoteTimeSchema(Schema):
    """Give an open vote more time."""

    closes_at = fields.AwareDateTime(
        default_timezone=UTC,
        required=True,
        metadata=_d(
            "The new closing time (ISO 8601; without a zone, UTC): later than the one it has now."
        ),
    )


class ChoiceSchema(Schema):
    """Your vote."""

    choice = fields.String(
        required=True,
        validate=validate.OneOf(CHOICES),
        metadata=_d("approve, reject or abstain.", enum=CHOICES),
    )
    reason = fields.String(
        load_default=None,
        validate=validate.Length(max=4000),
        metadata=_d(
            "Why, if you want to say (up to 2000 characters). Shown with your name beside "
            "the result unless the ballot is secret. Absent: keep the reason given before."
        ),
    )


class ProposalFilterSchema(Schema):
    """Which suggestions to list."""

    status = fields.String(
        load_default=None,
        validate=validate.OneOf([s.value for s in ProposalStatus]),
        metadata=_d(
            "Only suggestions with this status (open: still being discussed, not yet "
            "put to a vote nor decided); absent: all.",
            enum=[s.value for s in ProposalStatus],
        ),
    )


class VoteFilterSchema(Schema):
    """Which votes to list."""

    open = fields.Boolean(
        load_default=None,
        metadata=_d("true: open votes only; false: closed ones only; absent: all."),
    )


class VoteRulesSchema(Schema):
    """The rules a vote runs by, copied from the group's when it opened."""

    quorum_percent = fields.Integer(metadata=_d("At least this % of members must vote."))
    threshold_percent = fields.Integer(
        metadata=_d("It passes when approvals are more than this % of approve and reject votes.")
    )
    close_mode = fields.String(
        metadata=_d(
            "date, all_voted, or date_or_all_voted (whichever comes first).", enum=CLOSE_MODES
        )
    )
    secret = fields.Boolean(
        metadata=_d("A secret ballot: nobody, facilitators included, is shown who voted how.")
    )
    explain = fields.String(metadata=_d("The rules in one plain sentence."))


class TallySchema(Schema):
    """Votes counted. While a secret ballot is open, only `cast` and `members`."""

    approve = fields.Integer(metadata=_d("Approvals."))
    reject = fields.Integer(metadata=_d("Rejections."))
    abstain = fields.Integer(metadata=_d("Abstentions (they count towards the quorum)."))
    cast = fields.Integer(metadata=_d("Members who have voted."))
    members = fields.Integer(
        metadata=_d("Members who may vote (the group's members now, or at closing).")
    )


class BallotSchema(Schema):
    """One member's vote (never shown for a secret ballot)."""

    user = fields.Nested(ReviewerSchema, metadata=_d("Who voted."))
    choice = fields.String(metadata=_d("Their choice.", enum=CHOICES))
    reason = fields.String(metadata=_d("Why they voted so, in their words (may be empty)."))
    changed_at = Stamp("When they voted, or last changed their vote")


class VoteSchema(Schema):
    """A decision of the whole group: on a suggestion, or on agreeing a section."""

    id = fields.Integer(metadata=_d("Vote id."))
    subject = fields.String(
        metadata=_d(
            "proposal (a suggestion), or agreement (agree a section that its sub-group "
            "marked ready).",
            enum=[s.value for s in VoteSubject],
        )
    )
    policy_id = fields.Integer(metadata=_d("The policy."))
    section_id = fields.Integer(metadata=_d("The section."))
    proposal_id = fields.Integer(
        allow_none=True, metadata=_d("The suggestion decided (null for an agreement vote).")
    )
    rules = fields.Nested(VoteRulesSchema, metadata=_d("The rules it runs by."))
    opened_at = Stamp("When voting opened")
    closes_at = fields.DateTime(
        allow_none=True,
        metadata=_d("When it closes by date (ISO 8601, UTC; null: when everyone has voted)."),
    )
    extended_at = fields.DateTime(
        allow_none=True,
        metadata=_d(
            "When a facilitator last gave it more time (ISO 8601, UTC; null: never). "
            "`closes_at` is then the new time."
        ),
    )
    closed_at = fields.DateTime(
        allow_none=True, metadata=_d("When it closed (ISO 8601, UTC; null: still open).")
    )
    open = fields.Boolean(attribute="is_open", metadata=_d("Still open for votes."))
    closing = fields.Boolean(
        metadata=_d(
            "Open but over by its rules (its time is up, or everyone has voted): it takes "
            "no more ballots, and the scheduled job records its outcome within about 30 "
            "seconds. Reading a vote never closes it."
        )
    )
    outcome = fields.String(
        allow_none=True,
        metadata=_d(
            "Once closed: approved, rejected or no_quorum (null: open).",
            enum=[o.value for o in Outcome],
        ),
    )
    tally = fields.Nested(
        TallySchema,
        metadata=_d(
            "Closed: the tally recorded with the outcome. Open: the running tally, or for a "
            "secret ballot only how many have voted."
        ),
    )
    ballots = fields.List(
        fields.Nested(BallotSchema),
        allow_none=True,
        metadata=_d("Who voted how, for members of the group; null for a secret ballot."),
    )
    my_choice = fields.String(
        allow_none=True, metadata=_d("Your own vote (null: you have not voted).", enum=CHOICES)
    )


class ReadySchema(VoteOpenSchema):
    """Ask the group to agree the section as it is now; optionally when the vote closes."""


# --- agreed sections ---------------------------------------------------------------------


class AgreedSentenceSchema(Schema):
    """A sentence as agreed."""

    id = fields.Integer(metadata=_d("Sentence id."))
    text = fields.String(metadata=_d("Its words when agreed."))


class AgreedSchema(Schema):
    """The version of a section the group agreed."""

    vote_id = fields.Integer(metadata=_d("The vote that agreed it."))
    agreed_at = Stamp("When it was agreed")
    sentences = fields.List(
        fields.Nested(AgreedSentenceSchema), metadata=_d("The agreed sentences, in order.")
    )


class ChangedSentenceSchema(Schema):
    """A sentence whose words changed since they were agreed."""

    sentence_id = fields.Integer(metadata=_d("Sentence id."))
    agreed_text = fields.String(metadata=_d("Its words when agreed."))
    text = fields.String(metadata=_d("Its words now."))


class AgreementSchema(Schema):
    """A section's agreed version and how today's text differs from it."""

    section_id = fields.Integer(metadata=_d("The section."))
    status = fields.String(metadata=_d("drafting, ready_for_review or agreed."))
    agreed = fields.Nested(
        AgreedSchema,
        allow_none=True,
        metadata=_d("The latest agreed version (null: never agreed)."),
    )
    open_vote_id = fields.Integer(
        allow_none=True, metadata=_d("An agreement vote now open on the section (null: none).")
    )
    changed_since_agreed = fields.Boolean(
        metadata=_d("Today's text differs from the agreed version.")
    )
    changed = fields.List(
        fields.Nested(ChangedSentenceSchema), metadata=_d("Sentences whose words changed since.")
    )
    added = fields.List(fields.Integer(), metadata=_d("Ids of sentences added since."))
    removed = fields.List(
        fields.Nested(AgreedSentenceSchema), metadata=_d("Agreed sentences removed since.")
    )


# --- decision rules ------------------------------------------------------------------------


class RulesUpdateSchema(Schema):
    """The group's decision rules, all of them. Votes already open keep theirs."""

    quorum_percent = fields.Integer(
        required=True,
        strict=True,
        metadata=_d(
            f"At least this % of members must vote ({QUORUM_RANGE[0]}–{QUORUM_RANGE[1]}); "
            "abstaining counts as voting."
        ),
    )
    threshold_percent = fields.Integer(
        required=True,
        strict=True,
        metadata=_d(
            "A suggestion passes when approvals are more than this % of approve and reject "
            f"votes ({THRESHOLD_RANGE[0]}–{THRESHOLD_RANGE[1]}; 50 is a simple majority)."
        ),
    )
    close_mode = fields.String(
        required=True,
        metadata=_d(
            "When a vote closes: date, all_voted, or date_or_all_voted (whichever comes first).",
            enum=CLOSE_MODES,
        ),
    )
    vote_days = fields.Integer(
        required=True,
        strict=True,
        metadata=_d(
            f"Days a vote stays open unless it says otherwise ({VOTE_DAYS_RANGE[0]}–"
            f"{VOTE_DAYS_RANGE[1]})."
        ),
    )
    secret_ballot = Flag(
        required=True, metadata=_d("Secret ballots: no page, API or export shows who voted how.")
    )
    wording_decided_by = fields.String(
        load_default=None,
        validate=validate.OneOf(DECIDERS),
        metadata=_d(_DECIDER + " Left out: unchanged.", enum=DECIDERS),
    )


class RulesSchema(Schema):
    """How a group decides (the defaults until a facilitator sets them)."""

    group_id = fields.Integer(metadata=_d("The group."))
    quorum_percent = fields.Integer(metadata=_d("At least this % of members must vote."))
    threshold_percent = fields.Integer(
        metadata=_d(
            "A suggestion passes when approvals are more than this % of approve and reject votes."
        )
    )
    close_mode = fields.String(metadata=_d("When a vote closes.", enum=CLOSE_MODES))
    vote_days = fields.Integer(metadata=_d("Days a vote stays open by default."))
    secret_ballot = fields.Boolean(metadata=_d("Secret ballots."))
    wording_decided_by = fields.String(metadata=_d(_DECIDER, enum=DECIDERS))
    explain = fields.String(
        metadata=_d("The rules in one plain sentence, for the group's size now.")
    )
