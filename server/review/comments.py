"""Comments: threads on a section, a sentence or a proposal.

A comment is attached to a sentence by id, so it stays with its sentence as the
words around it change. When the sentence is merged into another it follows to
that one; when it is deleted the comment stays, shown as on removed text with the
words it was about (`quote`). Deleting a comment keeps a marker in its thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from server.accounts.models import User
from server.db import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.groups.models import Membership
from server.policies.models import Section, Sentence
from server.review import rights, word_anchors
from server.review.changes import announce
from server.review.models import Comment, Mention, Proposal
from server.search.terms import fold
from server.text.rich import MAX_COMMENT_CHARS, Rendered, mentions_in, render_comment


def members_for_mentions(db: Session, group_id: int) -> list[tuple[int, str]]:
    return [
        (uid, name)
        for uid, name in db.execute(
            select(User.id, User.display_name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == group_id)
        )
    ]


MAX_CANDIDATES = 10


def mention_candidates(db: Session, group_id: int, typed: str, limit: int = MAX_CANDIDATES):
    """Members of the group someone may mean by "@" + `typed`: a name, or a word in
    it, starts with what was typed, ignoring case and accents ("zo" finds "Zoë",
    "o'n" finds "Tom O'Neill"). Names that start with it come first."""
    want = fold(" ".join((typed or "").split()))
    found = []
    for uid, name in members_for_mentions(db, group_id):
        folded = fold(name)
        if folded.startswith(want):
            found.append((0, folded, uid, name))
        elif any(w.startswith(want) for w in folded.split()[1:]):
            found.append((1, folded, uid, name))
    return [(uid, name) for _, _, uid, name in sorted(found)[:limit]]


def _render(db: Session, group_id: int, body: str, written: list[tuple[int, str]] = ()) -> Rendered:
    if body is None or not body.strip():
        raise InvalidInput("Write a comment first.", fields={"body": ["Required."]})
    if len(body) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            f"A comment can be up to {MAX_COMMENT_CHARS} characters. This one is {len(body)}.",
            fields={"body": [f"Up to {MAX_COMMENT_CHARS} characters."]},
            code="too_long",
        )
    members = members_for_mentions(db, group_id)
    in_group = {uid for uid, _ in members}
    # Names as written in the comment before, so a member renamed since stays mentioned.
    members += [(uid, name) for uid, name in written if uid in in_group]
    rendered = render_comment(body, members)
    if not rendered.text:
        raise InvalidInput(
            "The comment has no words in it, only formatting. Write what you want to say.",
            fields={"body": ["No words."]},
            code="empty",
        )
    return rendered


def live_anchor(db: Session, sentence_id: int | None) -> Sentence | None:
    """The live sentence a comment now belongs to: its own, or the one it was
    merged into; None when the text it was about is gone."""
    seen = set()
    row = db.get(Sentence, sentence_id) if sentence_id else None
    while (
        row is not None and row.deleted_at is not None and row.merged_into_id and row.id not in seen
    ):
        seen.add(row.id)
        row = db.get(Sentence, row.merged_into_id)
    return row if row is not None and row.deleted_at is None else None


def get_comment(db: Session, comment_id: int) -> Comment:
    row = db.get(Comment, comment_id)
    if row is None:
        raise NotFound("That comment was not found.")
    return row


def add(
    db: Session,
    section: Section,
    membership: Membership,
    body: str,
    *,
    sentence_id: int | None = None,
    proposal: Proposal | None = None,
    words: tuple[int, int] | None = None,
    typed_words: str = "",
) -> Comment:
    """Start a thread on the section, one of its live sentences (or some words of
    it: `words` is (start, end) offsets into its text now, or `typed_words` the
    words as someone typed them, for who cannot select them), or a proposal."""
    quote = ""
    sentence = None
    typed_words = typed_words.strip()
    if (words is not None or typed_words) and sentence_id is None:
        raise InvalidInput(
            "Say which sentence the words are in.", fields={"sentence_id": ["Required."]}
        )
    if sentence_id is not None:
        sentence = db.get(Sentence, sentence_id)
        if sentence is None or sentence.section_id != section.id or sentence.deleted_at:
            raise NotFound("That sentence was not found in this section.")
        quote = sentence.text
        if words is None and typed_words:
            words = word_anchors.find(sentence, typed_words)
        if words is not None:
            word_anchors.check(sentence, *words)
    if proposal is not None and proposal.section_id != section.id:
        raise NotFound("That suggestion was not found in this section.")
    rendered = _render(db, membership.group_id, body)
    row = Comment(
        policy_id=section.policy_id,
        section_id=section.id,
        sentence_id=sentence_id,
        proposal_id=proposal.id if proposal else None,
        author_id=membership.user_id,
        source=rendered.source,
        body_html=rendered.html,
        quote=quote,
    )
    if words is None:
        return _saved(db, row, rendered, "added")
    db.add(row)
    db.flush()
    word_anchors.attach(db, row, sentence, *words)
    return _saved(db, row, rendered, "added")


def reply(db: Session, thread: Comment, membership: Membership, body: str) -> Comment:
    root = _root(db, thread)
    if root.deleted_at is not None and not _replies(db, root.id):
        raise Conflict("That comment was deleted; start a new one instead.", code="deleted")
    rendered = _render(db, membership.group_id, body)
    row = Comment(
        policy_id=root.policy_id,
        section_id=root.section_id,
        sentence_id=root.sentence_id,
        proposal_id=root.proposal_id,
        thread_id=root.id,
        author_id=membership.user_id,
        source=rendered.source,
        body_html=rendered.html,
        quote=root.quote,
    )
    if root.resolved_at is not None:  # a reply reopens the discussion
        root.resolved_at, root.resolved_by_id = None, None
    return _saved(db, row, rendered, "added")


def edit(db: Session, comment: Comment, membership: Membership, body: str) -> Comment:
    rights.require(
        rights.can_change_comment(membership, comment), "You can only change your own comments."
    )
    if comment.deleted_at is not None:
        raise Conflict("That comment was deleted.", code="deleted")
    rendered = _render(db, membership.group_id, body, mentions_in(comment.body_html))
    comment.source, comment.body_html, comment.edited_at = rendered.source, rendered.html, utcnow()
    db.execute(Mention.__table__.delete().where(Mention.comment_id == comment.id))
    return _saved(db, comment, rendered, "edited")


def delete(db: Session, comment: Comment, membership: Membership) -> Comment:
    """Blank the comment but keep its place, so replies still make sense."""
    rights.require(
        rights.can_remove_comment(membership, comment), "You can only delete your own comments."
    )
    if comment.deleted_at is not None:
        return comment
    comment.deleted_at = utcnow()
    comment.source, comment.body_html = "", ""
    db.execute(Mention.__table__.delete().where(Mention.comment_id == comment.id))
    db.flush()
    announce(db, comment.policy_id, comment.section_id, "comment", comment.id, "deleted")
    return comment


def set_resolved(
    db: Session, thread: Comment, membership: Membership, owner_subgroup_id: int, resolved: bool
) -> Comment:
    root = _root(db, thread)
    rights.require(
        rights.can_resolve(db, membership, root, owner_subgroup_id),
        "Only the person who started this discussion, the sub-group that owns "
        "the section, or a facilitator can resolve it.",
    )
    if resolved and root.resolved_at is None:
        root.resolved_at, root.resolved_by_id = utcnow(), membership.user_id
    elif not resolved and root.resolved_at is not None:
        root.resolved_at, root.resolved_by_id = None, None
    else:
        return root
    db.flush()
    announce(
        db,
        root.policy_id,
        root.section_id,
        "comment",
        root.id,
        "resolved" if resolved else "reopened",
    )
    return root


def _root(db: Session, comment: Comment) -> Comment:
    return get_comment(db, comment.thread_id) if comment.thread_id else comment


def _replies(db: Session, thread_id: int) -> list[Comment]:
    return list(
        db.scalars(
            select(Comment)
            .where(Comment.thread_id == thread_id)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def _saved(db: Session, row: Comment, rendered: Rendered, action: str) -> Comment:
    db.add(row)
    db.flush()
    for uid in rendered.mentioned:
        db.add(Mention(comment_id=row.id, user_id=uid))
    db.flush()
    db.expire(row, ["mentioned"])  # the rows just replaced
    announce(db, row.policy_id, row.section_id, "comment", row.thread_id or row.id, action)
    return row


# --- reading --------------------------------------------------------------------------------


@dataclass
class Thread:
    root: Comment
    replies: list[Comment] = field(default_factory=list)
    anchor: Sentence | None = None  # the live sentence it is about now
    on_removed_text: bool = False
    words: word_anchors.Placed | None = None  # a comment on some words of the sentence

    @property
    def resolved(self) -> bool:
        return self.root.resolved_at is not None


def threads(
    db: Session, section_id: int, *, proposal_id: int | None = None, include_proposals: bool = False
) -> list[Thread]:
    """A section's threads (or one proposal's) in order, replies included, with their
    authors: a few queries, plus one per moved anchor."""
    query = select(Comment).where(Comment.section_id == section_id)
    if proposal_id is not None:
        query = query.where(Comment.proposal_id == proposal_id)
    elif not include_proposals:
        query = query.where(Comment.proposal_id.is_(None))
    rows = list(
        db.scalars(
            query.order_by(Comment.created_at, Comment.id).options(
                selectinload(Comment.author), selectinload(Comment.resolved_by)
            )
        )
    )  # pages show both
    sentence_ids = {r.sentence_id for r in rows if r.sentence_id}
    sentences = (
        {s.id: s for s in db.scalars(select(Sentence).where(Sentence.id.in_(sentence_ids)))}
        if sentence_ids
        else {}
    )
    out: dict[int, Thread] = {}
    for r in rows:
        if r.thread_id is None:
            anchor = sentences.get(r.sentence_id)
            if anchor is not None and anchor.deleted_at is not None:
                anchor = live_anchor(db, anchor.id)
            out[r.id] = Thread(
                r, anchor=anchor, on_removed_text=r.sentence_id is not None and anchor is None
            )
        elif r.thread_id in out:
            out[r.thread_id].replies.append(r)
    for comment_id, where in word_anchors.placed(db, list(out)).items():
        out[comment_id].words = where
    return [t for t in out.values() if not _empty_deleted(t)]


def _empty_deleted(thread: Thread) -> bool:
    """A deleted comment with no replies has nothing left to show."""
    return thread.root.deleted_at is not None and all(r.deleted_at for r in thread.replies)


def mentions_of(db: Session, user_id: int, policy_ids: list[int], limit: int = 50) -> list[Comment]:
    if not policy_ids:
        return []
    return list(
        db.scalars(
            select(Comment)
            .join(Mention, Mention.comment_id == Comment.id)
            .where(
                Mention.user_id == user_id,
                Comment.policy_id.in_(policy_ids),
                Comment.deleted_at.is_(None),
            )
            .order_by(Comment.created_at.desc())
            .limit(limit)
        )
    )


def mentioned_user_ids(db: Session, comment: Comment) -> list[int]:
    """The members a comment mentions now (user ids, each once), from its Mention
    rows: only members of the group when it was written or last changed. For
    notifications: call after add, reply or edit (edit replaces the rows)."""
    return list(
        db.scalars(
            select(Mention.user_id)
            .where(Mention.comment_id == comment.id)
            .order_by(Mention.user_id)
        )
    )


def mentioned_in(db: Session, comment_ids: list[int]) -> dict[int, list[int]]:
    """The members each comment mentions (user ids), in one query."""
    out: dict[int, list[int]] = {i: [] for i in comment_ids}
    if comment_ids:
        for cid, uid in db.execute(
            select(Mention.comment_id, Mention.user_id)
            .where(Mention.comment_id.in_(comment_ids))
            .order_by(Mention.comment_id, Mention.user_id)
        ):
            out[cid].append(uid)
    return out
