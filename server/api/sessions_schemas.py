"""Bodies of the sessions API: whole-group sessions, their agenda, each member's
review of what changed since the last session, and review progress.

Names start with "Session" so they stay unique in the OpenAPI document. Input
schemas check shape and a generous size; server.meetings checks the rest in its
own words.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import fields, validate

from server.api.schemas import Flag, PieceSchema, Schema, Stamp, Text, _d
from server.meetings.models import AGENDA_TITLE_CHARS, SESSION_TITLE_CHARS
from server.meetings.services import MAX_NOTES_CHARS

STATES = ["planned", "running", "closed"]


class SessionPersonSchema(Schema):
    """A person, named."""

    id = fields.Integer(metadata=_d("User id."))
    name = fields.String(metadata=_d("The name others see."))


class SessionCreateSchema(Schema):
    """A session to plan."""

    title = Text(
        f"What the session is called (up to {SESSION_TITLE_CHARS} characters).",
        4 * SESSION_TITLE_CHARS,
        required=True,
    )
    starts_at = fields.AwareDateTime(
        default_timezone=UTC,
        required=True,
        metadata=_d("When it starts (ISO 8601; without a zone, UTC)."),
    )
    place = Text("Where it is: a room or a link (up to 500 characters).", 2000, load_default="")
    notes = Text(
        f"Notes for members (up to {MAX_NOTES_CHARS} characters).",
        2 * MAX_NOTES_CHARS,
        load_default="",
    )


class SessionUpdateSchema(Schema):
    """Changes to a session; absent fields stay as they are. A closed session's time
    cannot change (409 `session_closed`)."""

    title = Text("A new title.", 4 * SESSION_TITLE_CHARS)
    starts_at = fields.AwareDateTime(default_timezone=UTC, metadata=_d("A new time."))
    place = Text("A new place or link.", 2000)
    notes = Text("New notes.", 2 * MAX_NOTES_CHARS)


class SessionDecisionSchema(Schema):
    """A vote that closed while the session ran."""

    vote_id = fields.Integer(metadata=_d("The vote's id."))
    subject = fields.String(metadata=_d("`proposal` or `agreement`."))
    proposal_id = fields.Integer(allow_none=True, metadata=_d("The proposal's id (null: none)."))
    section_id = fields.Integer(metadata=_d("The section's id."))
    section = fields.String(metadata=_d("The section's title."))
    part = fields.String(metadata=_d("The part's title."))
    policy = fields.String(metadata=_d("The policy's title."))
    outcome = fields.String(allow_none=True, metadata=_d("approved, rejected or no_quorum."))
    tally = fields.Dict(allow_none=True, metadata=_d("The counts recorded when it closed."))
    closed_at = fields.String(metadata=_d("When it closed (ISO 8601)."))


class SessionAgreedSchema(Schema):
    """A section the group agreed during the session."""

    section_id = fields.Integer(metadata=_d("The section's id."))
    section = fields.String(metadata=_d("The section's title."))
    policy = fields.String(metadata=_d("The policy's title."))


class SessionMinutesSchema(Schema):
    """What the session decided, written when it closed."""

    decisions = fields.List(fields.Nested(SessionDecisionSchema), metadata=_d("Decisions."))
    agreed_sections = fields.List(
        fields.Nested(SessionAgreedSchema), metadata=_d("Agreed sections.")
    )


class SessionSchema(Schema):
    """A whole-group session."""

    id = fields.Integer(metadata=_d("Its id."))
    group_id = fields.Integer(metadata=_d("The group it belongs to."))
    title = fields.String(metadata=_d("Its title, as people read it."))
    starts_at = Stamp("When it is planned for")
    place = fields.String(metadata=_d("A room or a link."))
    notes = fields.String(metadata=_d("Notes."))
    state = fields.String(
        metadata=_d("planned, running or closed."), validate=validate.OneOf(STATES)
    )
    created_at = Stamp("When it was planned")
    started_at = Stamp("When it started (null: not yet)")
    closed_at = Stamp("When it closed (null: not yet)")
    minutes = fields.Nested(
        SessionMinutesSchema, allow_none=True, metadata=_d("Null until it closes.")
    )
    page = fields.String(metadata=_d("The session's web page."))


class SessionAgendaItemSchema(Schema):
    """One of the facilitators' own items on the agenda."""

    key = fields.String(metadata=_d("`item:<id>`: what notes on it are written against."))
    kind = fields.Constant("item", metadata=_d("Always `item`."))
    id = fields.Integer(metadata=_d("Its id."))
    position = fields.Integer(metadata=_d("1 = first among the facilitators' items."))
    title = fields.String(metadata=_d("Its title, as people read it."))
    note = fields.String(metadata=_d("A note from the facilitators."))


class SessionAgendaVoteSchema(Schema):
    """A vote on the agenda, read as it is (nothing stored): read-only."""

    key = fields.String(metadata=_d("`vote:<vote id>`: what notes on it are written against."))
    kind = fields.Constant("vote", metadata=_d("Always `vote`."))
    vote_id = fields.Integer(metadata=_d("The vote's id (`GET /votes/{id}`)."))
    title = fields.String(metadata=_d("What it decides, as people read it."))
    subject = fields.String(metadata=_d("`proposal` or `agreement`."))
    section_id = fields.Integer(metadata=_d("The section's id."))
    proposal_id = fields.Integer(allow_none=True, metadata=_d("The proposal's id (null: none)."))
    closes_at = Stamp("When it closes")
    open = fields.Boolean(metadata=_d("Whether it is still open."))
    outcome = fields.String(
        allow_none=True, metadata=_d("approved, rejected or no_quorum (null: still open).")
    )


class SessionAgendaSchema(Schema):
    """A session's agenda: the facilitators' items, then one page of the votes."""

    items = fields.List(
        fields.Nested(SessionAgendaItemSchema),
        metadata=_d("The facilitators' own items in order (at most 100)."),
    )
    votes = fields.List(
        fields.Nested(SessionAgendaVoteSchema),
        metadata=_d(
            "Votes awaiting a decision, in the order of the text (once the session "
            "closed: the votes it decided); this page of them."
        ),
    )
    votes_total = fields.Integer(metadata=_d("How many votes there are, on every page."))
    page = fields.Integer(metadata=_d("This page of votes (1 = first)."))
    pages = fields.Integer(metadata=_d("How many pages of votes; ask for `?page=N`."))
    message = fields.String(
        allow_none=True,
        metadata=_d("Set when the votes do not fit on one page: which ones this page shows."),
    )


class SessionAgendaCreateSchema(Schema):
    """An item of the facilitators' own."""

    title = Text(
        f"The item (up to {AGENDA_TITLE_CHARS} characters).", 4 * AGENDA_TITLE_CHARS, required=True
    )
    note = Text("A note for members.", 2 * MAX_NOTES_CHARS, load_default="")


class SessionAgendaUpdateSchema(Schema):
    """Changes to an item; absent fields stay as they are."""

    title = Text("A new title.", 4 * AGENDA_TITLE_CHARS)
    note = Text("A new note.", 2 * MAX_NOTES_CHARS)
    position = fields.Integer(strict=True, metadata=_d("Move it to this place (1 = first)."))


# --- review ----------------------------------------------------------------------------


class SessionChangedSentenceSchema(Schema):
    """A sentence of a changed section. Unchanged ones are there for context and have
    no key."""

    id = fields.Integer(metadata=_d("Its id."))
    key = fields.String(allow_none=True, metadata=_d("What to send to mark it reviewed."))
    change = fields.String(metadata=_d("added, removed, changed, moved or unchanged."))
    moved = fields.Boolean(metadata=_d("Whether it moved among the sentences kept."))
    text = fields.String(metadata=_d("The text now (removed: as it was)."))
    before = fields.String(allow_none=True, metadata=_d("The text before, when changed."))
    pieces = fields.List(
        fields.Nested(PieceSchema),
        allow_none=True,
        metadata=_d("The word diff from before to now, when changed."),
    )
    by = fields.List(fields.Nested(SessionPersonSchema), metadata=_d("Who changed it."))
    reviewed = fields.Boolean(
        allow_none=True, metadata=_d("Whether you marked it reviewed (null: not an item).")
    )


class SessionChangedSectionSchema(Schema):
    """A section that changed since the last session, with its sentences."""

    id = fields.Integer(metadata=_d("Its id."))
    title = fields.String(metadata=_d("Its title, as people read it."))
    title_before = fields.String(allow_none=True, metadata=_d("Its title before, if renamed."))
    part_title = fields.String(metadata=_d("The part it is in."))
    change = fields.String(metadata=_d("added, removed, moved or changed."))
    key = fields.String(
        allow_none=True,
        metadata=_d("Set when the section itself is the item (its text did not change)."),
    )
    reviewed = fields.Boolean(
        allow_none=True, metadata=_d("Whether you marked it reviewed (null: not an item).")
    )
    sentences = fields.List(
        fields.Nested(SessionChangedSentenceSchema),
        metadata=_d("Every sentence, changed or not, in order."),
    )


class SessionThreadSchema(Schema):
    """A discussion with comments or replies since the last session."""

    key = fields.String(metadata=_d("What to send to mark it reviewed."))
    reviewed = fields.Boolean(
        metadata=_d("Whether you have marked it reviewed (null: nothing to mark).")
    )
    id = fields.Integer(metadata=_d("Its id."))
    section_id = fields.Integer(metadata=_d("The section's id."))
    section_title = fields.String(metadata=_d("The section's title."))
    sentence_id = fields.Integer(
        allow_none=True, metadata=_d("The sentence it is about (null: the section).")
    )
    proposal_id = fields.Integer(allow_none=True, metadata=_d("The proposal's id (null: none)."))
    quote = fields.String(metadata=_d("The sentence's words when the discussion started."))
    deleted = fields.Boolean(metadata=_d("Whether the first comment was deleted."))
    body_html = fields.String(metadata=_d("The first comment, as safe HTML."))
    author = fields.Nested(SessionPersonSchema, allow_none=True, metadata=_d("Author."))
    created_at = Stamp("When it was started")
    replies = fields.Integer(metadata=_d("How many replies it has."))


class SessionChangeSchema(Schema):
    """One block of a proposal's diff: before, after, in words."""

    before = fields.String(metadata=_d("The text before."))
    after = fields.String(metadata=_d("The text after."))
    gone = fields.Boolean(metadata=_d("Whether the sentence it was about has been removed since."))
    pieces = fields.List(fields.Nested(PieceSchema), metadata=_d("Pieces."))


class SessionProposalSchema(Schema):
    """A proposal open for discussion."""

    key = fields.String(metadata=_d("What to send to mark it reviewed."))
    reviewed = fields.Boolean(
        metadata=_d("Whether you have marked it reviewed (null: nothing to mark).")
    )
    id = fields.Integer(metadata=_d("Its id."))
    section_id = fields.Integer(metadata=_d("The section's id."))
    section_title = fields.String(metadata=_d("The section's title."))
    kind = fields.String(metadata=_d("What kind of change."))
    kind_words = fields.String(metadata=_d("The kind, in words."))
    reason = fields.String(metadata=_d("Why the author proposes it."))
    author = fields.Nested(SessionPersonSchema, allow_none=True, metadata=_d("Author."))
    changes = fields.List(fields.Nested(SessionChangeSchema), metadata=_d("Changes."))


class SessionVoteSchema(Schema):
    """A vote waiting for a decision. Only your own choice is shown."""

    key = fields.String(metadata=_d("What to send to mark it reviewed."))
    reviewed = fields.Boolean(
        metadata=_d("Whether you have marked it reviewed (null: nothing to mark).")
    )
    id = fields.Integer(metadata=_d("Its id."))
    subject = fields.String(metadata=_d("`proposal` or `agreement`."))
    section_id = fields.Integer(metadata=_d("The section's id."))
    section_title = fields.String(metadata=_d("The section's title."))
    proposal_id = fields.Integer(allow_none=True, metadata=_d("The proposal's id (null: none)."))
    title = fields.String(metadata=_d("Its title, as people read it."))
    closes_at = Stamp("When it closes")
    secret = fields.Boolean(metadata=_d("Whether it is a secret ballot."))
    my_choice = fields.String(allow_none=True, metadata=_d("Your vote, if you voted."))


class SessionItemSchema(Schema):
    """One thing to review, and whether you have."""

    key = fields.String(metadata=_d("What to send to mark it reviewed."))
    kind = fields.String(metadata=_d("sentence, section, thread, proposal or vote."))
    reviewed = fields.Boolean(
        metadata=_d("Whether you have marked it reviewed (null: nothing to mark).")
    )


class SessionReviewPolicySchema(Schema):
    """What changed in one policy."""

    id = fields.Integer(metadata=_d("Its id."))
    title = fields.String(metadata=_d("Its title, as people read it."))
    since_seq = fields.Integer(metadata=_d("The policy's op number the review starts from."))
    sections = fields.List(fields.Nested(SessionChangedSectionSchema), metadata=_d("Sections."))
    threads = fields.List(fields.Nested(SessionThreadSchema), metadata=_d("Threads."))
    proposals = fields.List(fields.Nested(SessionProposalSchema), metadata=_d("Proposals."))
    votes = fields.List(fields.Nested(SessionVoteSchema), metadata=_d("Votes."))
    items = fields.List(fields.Nested(SessionItemSchema), metadata=_d("Items."))


class SessionSinceSchema(Schema):
    """The session the review starts from."""

    id = fields.Integer(metadata=_d("Its id."))
    title = fields.String(metadata=_d("Its title, as people read it."))
    started_at = Stamp("When it started")


class SessionReviewSchema(Schema):
    """Your review: what changed since the last session started."""

    since = fields.Nested(
        SessionSinceSchema,
        allow_none=True,
        metadata=_d(
            "The session it starts from (null: no session yet, so since each policy began)."
        ),
    )
    done = fields.Integer(metadata=_d("How many items you have reviewed (whole review)."))
    total = fields.Integer(metadata=_d("How many items there are (whole review)."))
    page = fields.Integer(metadata=_d("This page (1 = first)."))
    pages = fields.Integer(metadata=_d("How many pages the review has; ask for `?page=N`."))
    policies = fields.List(
        fields.Nested(SessionReviewPolicySchema),
        metadata=_d("Policies with something on this page (all of them when nothing changed)."),
    )


class SessionReviewPageSchema(Schema):
    """Which page (of a review, or of an agenda's votes)."""

    page = fields.Integer(
        load_default=1,
        strict=False,
        validate=validate.Range(min=1, max=100_000),
        metadata=_d("1 = first (default). A page past the last gives the last."),
    )


class SessionMarksSchema(Schema):
    """Items to mark reviewed (or not)."""

    keys = fields.List(
        fields.String(validate=validate.Length(max=60)),
        required=True,
        validate=validate.Length(min=1, max=1000),
        metadata=_d("Item keys from your review, like `sentence:12`."),
    )
    reviewed = Flag(
        load_default=True, metadata=_d("true: mark them reviewed; false: not reviewed.")
    )


class SessionMarkedSchema(Schema):
    """Your review after marking: how much is done, item by item."""

    done = fields.Integer(metadata=_d("How many you have reviewed."))
    total = fields.Integer(metadata=_d("How many items there are."))
    items = fields.List(fields.Nested(SessionItemSchema), metadata=_d("Items."))


class SessionProgressSchema(Schema):
    """How much of the review one member has done. Nothing about votes."""

    user_id = fields.Integer(metadata=_d("The member's user id."))
    name = fields.String(metadata=_d("The member's name."))
    role = fields.String(metadata=_d("The member's role, in words."))
    reviewed = fields.Integer(
        metadata=_d("How many of the items they have marked reviewed, as the items are now.")
    )
    total = fields.Integer(
        metadata=_d("How many items the group's review has (the same for every member).")
    )
