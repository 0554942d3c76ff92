"""Review tables: comments, proposals, votes, ballots, agreed sections, and each
group's decision rules.

Comments and proposals point at sentences by id. Sentences are never deleted
outright (a tombstone keeps the row), so a comment on removed text keeps its
anchor, and `quote` keeps the words it was about.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow
from server.text.rich import with_names


def _enum(cls, name):
    return Enum(
        cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class CloseMode(enum.StrEnum):
    DATE_OR_ALL_VOTED = "date_or_all_voted"  # whichever comes first
    DATE = "date"
    ALL_VOTED = "all_voted"


class WordingDecider(enum.StrEnum):
    """Who decides a suggestion on wording (a `replace` of one sentence's words)."""

    GROUP = "group"  # the whole group, by vote
    SUBGROUP = "subgroup"  # any member of the sub-group that owns the section


class DecisionRules(Base):
    """How a group decides. A group without a row uses the defaults here; a vote
    copies the rules when it opens, so changing them never changes a running vote.
    `wording_decided_by` is read when someone decides, so it applies to open
    suggestions at once (a suggestion already being voted on stays a vote)."""

    __tablename__ = "decision_rules"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    quorum_percent: Mapped[int] = mapped_column(default=50)
    threshold_percent: Mapped[int] = mapped_column(default=50)
    close_mode: Mapped[CloseMode] = mapped_column(
        _enum(CloseMode, "close_mode"), default=CloseMode.DATE_OR_ALL_VOTED
    )
    vote_days: Mapped[int] = mapped_column(default=7)
    secret_ballot: Mapped[bool] = mapped_column(Boolean, default=False)
    wording_decided_by: Mapped[WordingDecider] = mapped_column(
        _enum(WordingDecider, "wording_decider"),
        default=WordingDecider.GROUP,
        server_default=WordingDecider.GROUP.value,
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(Base):
    """A comment on a section, a sentence or a proposal. Replies point at the first
    comment of their thread (`thread_id`); only a thread is resolved or reopened."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_section_created", "section_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    sentence_id: Mapped[int | None] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(Text)  # as typed (cleaned), for editing
    body_html: Mapped[str] = mapped_column(Text)  # sanitised by server.text.rich
    quote: Mapped[str] = mapped_column(Text, default="")  # the sentence's words when posted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author = relationship("User", foreign_keys=[author_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    # Who it mentions (Mention rows), loaded with the comments in one more query.
    mentioned = relationship("User", secondary="mentions", viewonly=True, lazy="selectin")

    @property
    def html(self) -> str:
        """The comment to show: `body_html` with each mentioned member's name as it
        is now (mentions are stored by member id, so a rename follows)."""
        return with_names(self.body_html, {u.id: u.display_name for u in self.mentioned})

    def __repr__(self) -> str:
        return f"<Comment {self.id} section={self.section_id} thread={self.thread_id}>"


class CommentRange(Base):
    """The words a comment is about, inside its sentence: `start`/`end` are
    character offsets into the sentence's text at `version`, when the comment was
    made, and `words` what they said. Where they are now is worked out from the
    sentence's kept versions (server/review/word_anchors.py), so an edit never has
    to rewrite comments and a read never writes."""

    __tablename__ = "comment_ranges"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    sentence_id: Mapped[int] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column()
    start: Mapped[int] = mapped_column()
    end: Mapped[int] = mapped_column()
    words: Mapped[str] = mapped_column(Text)


class Mention(Base):
    """A member a comment mentions, by id: the notifications read these rows, and
    pages show the member's current name (Comment.html)."""

    __tablename__ = "mentions"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ProposalKind(enum.StrEnum):
    REPLACE = "replace"  # one sentence's words
    INSERT = "insert"  # new sentences after one (or at the start)
    DELETE = "delete"  # some sentences
    REWRITE = "rewrite"  # the whole section


class ProposalStatus(enum.StrEnum):
    OPEN = "open"  # being discussed; the author may still change it
    VOTING = "voting"
    APPLIED = "applied"  # approved and in the text
    CONFLICT = "conflict"  # approved, but the text moved too far to merge
    REJECTED = "rejected"
    NOT_DECIDED = "not_decided"  # the vote closed without a quorum
    WITHDRAWN = "withdrawn"


class Proposal(Base):
    """A change any member asks the group to make. `base` keeps the sentences as
    they were when it was made ([{id, text, version}]), so a later apply can tell
    whether the text moved, and merge or report a conflict."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[ProposalKind] = mapped_column(_enum(ProposalKind, "proposal_kind"))
    status: Mapped[ProposalStatus] = mapped_column(
        _enum(ProposalStatus, "proposal_status"), default=ProposalStatus.OPEN
    )
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")  # the proposed words
    # The sentences it changes (replace, delete) or follows (insert; empty = at the start).
    sentence_ids: Mapped[list] = mapped_column(JSON, default=list)
    base: Mapped[list] = mapped_column(JSON, default=list)
    conflict: Mapped[dict | None] = mapped_column(JSON)  # {"current", "proposed"} texts
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author = relationship("User")
    section = relationship("Section")

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.kind} {self.status}>"


class ProposalDecision(Base):
    """A suggestion decided by the sub-group that owns its section, without a vote:
    who decided, what, and when (a vote's record is the Vote row instead)."""

    __tablename__ = "proposal_decisions"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted: Mapped[bool] = mapped_column(Boolean)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decided_by = relationship("User")
    subgroup = relationship("Subgroup")


class VoteSubject(enum.StrEnum):
    PROPOSAL = "proposal"
    AGREEMENT = "agreement"  # agree a section its sub-group marked ready for review


class Outcome(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"


class Vote(Base):
    """A decision of the full group. The rules are copied in when it opens; the
    tally and outcome are written once, when it closes."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[VoteSubject] = mapped_column(_enum(VoteSubject, "vote_subject"))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    # The section's text being agreed ([{id, text}]), for an agreement vote.
    snapshot: Mapped[list | None] = mapped_column(JSON)
    quorum_percent: Mapped[int] = mapped_column()
    threshold_percent: Mapped[int] = mapped_column()
    close_mode: Mapped[CloseMode] = mapped_column(_enum(CloseMode, "close_mode"))
    secret: Mapped[bool] = mapped_column(Boolean)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # A facilitator gave it more time (the last time they did): shown beside the
    # closing time, so a member who read an earlier date knows why it moved.
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome, "vote_outcome"))
    tally: Mapped[dict | None] = mapped_column(JSON)

    proposal = relationship("Proposal")
    section = relationship("Section")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def __repr__(self) -> str:
        return f"<Vote {self.id} {self.subject} {self.outcome or 'open'}>"


class Choice(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ABSTAIN = "abstain"


class Ballot(Base):
    """One member's vote; changed in place until the vote closes."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("vote_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    choice: Mapped[Choice] = mapped_column(_enum(Choice, "ballot_choice"))
    # Why, if the member wants to say: shown with the result unless the ballot is secret.
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class Agreement(Base):
    """The version of a section the group agreed ([{id, text}] in order). Later
    edits are compared with the latest one to flag changes to agreed text."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    sentences: Mapped[list] = mapped_column(JSON)
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
