"""History for people: points in time, checkpoints, the policy as it was,
timelines and attribution. No Flask here; callers authorise first (server.access).

A point is written `now`, `seq:42`, `checkpoint:7` or `time:2026-11-23T10:00:00Z`,
the same in the API and in page links. A moment maps to the last change
committed at or before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.accounts.services import users_by_id, valid_name
from server.db import utcnow
from server.editing import services as editing
from server.errors import InvalidInput, NotFound
from server.groups.models import Membership, Subgroup
from server.history import store
from server.history.models import CHECKPOINT_NAME_CHARS, Checkpoint, Revision
from server.history.replay import PolicyState
from server.policies import oplog
from server.policies.models import Part, Policy, PolicyOp, Section, Sentence, SentenceVersion
from server.text.dates import day_in_words
from server.text.worddiff import word_diff

MAX_PAGE = 200

# --- points in time ----------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A resolved point: the seq to read at, and how to name it to people."""

    seq: int
    spec: str  # canonical: "now", "seq:42", "checkpoint:7", "time:..."
    label: str
    checkpoint: Checkpoint | None = None
    moment: datetime | None = None


def _when(value: datetime) -> str:
    return f"{day_in_words(value)} at {value:%H:%M} UTC"


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date and time; without a zone it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a date and time. Write it like 2026-11-23T10:00:00Z.",
            fields={"point": ["Not a date and time."]},
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def resolve_point(db: Session, policy: Policy, spec: str | None, *, name: str = "point") -> Point:
    """Turn `now`, `seq:N`, `checkpoint:ID` or `time:ISO` into a seq of this policy.
    An unknown checkpoint is NotFound (404); a moment before the policy existed or
    in the future, a seq out of range, or bad syntax is InvalidInput (422)."""
    spec = (spec or "now").strip()
    current = oplog.current_seq(db, policy.id)
    kind, _, value = spec.partition(":")
    bad = InvalidInput(
        f"{spec!r} is not a point in history. Use now, seq:NUMBER, checkpoint:ID or "
        "time:DATE-AND-TIME.",
        fields={name: ["Not a point in history."]},
    )
    if kind == "now" and not value:
        return Point(current, "now", "now")
    if kind in ("seq", "checkpoint"):
        if not value.isdigit() or len(value) > 12:
            raise bad
        number = int(value)
        if kind == "seq":
            if number > current:
                raise InvalidInput(
                    f"Change {number} has not happened yet: the latest is {current}.",
                    fields={name: ["Not yet happened."]},
                )
            return Point(number, f"seq:{number}", f"after change {number}")
        found = get_checkpoint(db, number)
        if found.policy_id != policy.id:
            raise NotFound("That checkpoint was not found.")
        return Point(
            found.seq, f"checkpoint:{found.id}", f"checkpoint “{found.name}”", checkpoint=found
        )
    if kind == "time" and value:
        moment = parse_moment(value)
        if moment < policy.created_at:
            raise InvalidInput(
                f"That moment is before the policy existed: it was started on "
                f"{_when(policy.created_at)}.",
                fields={name: ["Before the policy existed."]},
            )
        if moment > utcnow():
            raise InvalidInput(
                "That moment is in the future. Choose a time that has passed.",
                fields={name: ["In the future."]},
            )
        seq = store.seq_at(db, policy.id, moment, current)
        return Point(
            seq, f"time:{moment.isoformat().replace('+00:00', 'Z')}", _when(moment), moment=moment
        )
    raise bad


# --- checkpoints -------------------------------------------------------------------------


def get_checkpoint(db: Session, checkpoint_id: int) -> Checkpoint:
    row = db.get(Checkpoint, checkpoint_id)
    if row is None:
        raise NotFound("That checkpoint was not found.")
    return row


def checkpoints_of(db: Session, policy_id: int) -> list[Checkpoint]:
    return list(
        db.scalars(
            select(Checkpoint)
            .where(Checkpoint.policy_id == policy_id)
            .order_by(Checkpoint.seq.desc(), Checkpoint.id.desc())
        )
    )


def make_checkpoint(
    db: Session, policy: Policy, by: User | None, name: str, *, session_id: int | None = None
) -> Checkpoint:
    """Name the policy as it is now. Whole-group sessions call this when they start
    (with their id); any member may call it from the pages or the API."""
    row = Checkpoint(
        policy_id=policy.id,
        seq=oplog.current_seq(db, policy.id),
        name=valid_name(name, "name", CHECKPOINT_NAME_CHARS),
        created_by_id=by.id if by else None,
        session_id=session_id,
    )
    db.add(row)
    db.flush()
    return row


def rename_checkpoint(db: Session, checkpoint: Checkpoint, name: str) -> Checkpoint:
    checkpoint.name = valid_name(name, "name", CHECKPOINT_NAME_CHARS)
    db.flush()
    return checkpoint


def delete_checkpoint(db: Session, checkpoint: Checkpoint) -> None:
    """Remove the name only: the history it pointed at stays."""
    db.delete(checkpoint)
    db.flush()


# --- the policy as it was -------------------------------------------------------------------


def state_at(db: Session, policy: Policy, point: Point) -> PolicyState:
    return store.state_at(db, policy.id, point.seq)


def names_for(db: Session, state: PolicyState) -> dict[int, str]:
    """Sub-group names for the sections in a state (one query)."""
    ids = {s["subgroup_id"] for s in state.sections.values()}
    if not ids:
        return {}
    return dict(db.execute(select(Subgroup.id, Subgroup.name).where(Subgroup.id.in_(ids))).all())


def load_sentence(db: Session, sentence_id: int) -> Sentence:
    """Any sentence, deleted ones too: they have a history."""
    return editing.sentence_row(db, sentence_id)


def load_section(db: Session, section_id: int) -> Section:
    row = db.get(Section, section_id)
    if row is None:
        raise NotFound("That section was not found.")
    return row


def sentence_version(db: Session, sentence_id: int, version: int) -> SentenceVersion:
    row = db.get(SentenceVersion, (sentence_id, version))
    if row is None:
        raise NotFound(f"Version {version} of that sentence was not found.")
    return row


def versions_of(
    db: Session, sentence_id: int, limit: int = 50, before: int | None = None
) -> list[SentenceVersion]:
    q = select(SentenceVersion).where(SentenceVersion.sentence_id == sentence_id)
    if before is not None:
        q = q.where(SentenceVersion.version < before)
    return list(db.scalars(q.order_by(SentenceVersion.version.desc()).limit(limit)))


def versions_that_end_a_change(db: Session, sentence_id: int, limit: int = 50) -> list:
    """The sentence's versions a person tells apart: its first, and the one each change
    ended with. Typing is kept as one change until the writer pauses (a revision), so
    22 letters typed in one go are one version here, not seven (every saved batch of
    keys is a version, which `versions_of` and the API keep exactly). Newest first."""
    ends = select(Revision.to_version).where(
        Revision.sentence_id == sentence_id, Revision.to_version.is_not(None)
    )
    q = select(SentenceVersion).where(
        SentenceVersion.sentence_id == sentence_id,
        or_(SentenceVersion.version == 1, SentenceVersion.version.in_(ends)),
    )
    return list(db.scalars(q.order_by(SentenceVersion.version.desc()).limit(limit)))


# --- timelines -----------------------------------------------------------------------------

SUMMARIES = {
    "edit": "changed a sentence",
    "insert": "added a sentence",
    "delete": "removed a sentence",
    "split": "split a sentence in two",
    "merge": "joined two sentences",
    "move": "moved a sentence",
    "section_insert": "added a section",
    "section_delete": "removed a section",
    "section_move": "moved a section",
    "section_update": "changed a section's title, owner or status",
    "part_insert": "added a part",
    "part_update": "changed a part's title",
    "policy_update": "changed the policy's title or summary",
}


STATUS_WORDS = {
    "drafting": "back to drafting",
    "ready_for_review": "ready for the group to agree",
    "agreed": "agreed",
}


def section_update_words(message: dict | None, subgroup_names: dict[int, str]) -> str | None:
    """Which of a section's title, owner or status a section_update changed, in
    words; None for an op that does not say (recorded before it did)."""
    changed = (message or {}).get("changed")
    if not changed:
        return None
    said = []
    if "title" in changed:
        said.append(f"renamed the section “{message['title']}”")
    if "subgroup_id" in changed:
        owner = subgroup_names.get(message.get("subgroup_id"), "another sub-group")
        said.append(f"gave the section to the sub-group {owner}")
    if "status" in changed:
        status = STATUS_WORDS.get(message.get("status"), str(message.get("status")))
        said.append(f"marked the section {status}")
    return " and ".join(said) or None


def summary_of(kind: str, cause: str | None, detail: str | None = None) -> str:
    text = detail or SUMMARIES.get(kind, f"made a change ({kind})")
    if cause == "restore":
        return "restored an earlier text: " + text
    if cause and cause.startswith("proposal:"):
        # The author suggested it; the group (or its sub-group) accepted it.
        return f"suggested this change, and it was accepted (suggestion {cause[9:]}): " + text
    return text


def actor_of(cause: str | None) -> str | None:
    """Who made a change nobody typed, when no member is its author."""
    if cause and cause.startswith("vote:"):
        return "The group's vote"
    return None


@dataclass
class Entry:
    """One revision, ready to show: who, when, what, and the text before and after."""

    revision: Revision
    author: User | None
    summary: str
    section_title: str | None = None
    part_title: str | None = None
    before: str | None = None
    after: str | None = None
    pieces: list = field(default_factory=list)
    actor: str | None = None  # who, in words, when no member is the author (a vote)

    def __getattr__(self, name):
        return getattr(self.revision, name)


@dataclass
class Page:
    entries: list[Entry]
    next_before: int | None  # pass as `before` for the next (older) page


def timeline(
    db: Session,
    policy_id: int,
    *,
    section_id: int | None = None,
    sentence_id: int | None = None,
    member: int | None = None,
    before: int | None = None,
    limit: int = 50,
) -> Page:
    """Revisions, newest first, `limit` at a time; `before` is a first_seq from the
    previous page. Each page is one indexed range read plus one query each for
    names, sentence texts and section titles, however long the history."""
    limit = max(1, min(limit, MAX_PAGE))
    q = select(Revision).where(Revision.policy_id == policy_id)
    if sentence_id is not None:
        q = q.where(
            or_(Revision.sentence_id == sentence_id, Revision.other_sentence_id == sentence_id)
        )
    elif section_id is not None:
        q = q.where(Revision.section_id == section_id)
    if member is not None:
        q = q.where(Revision.author_id == member)
    if before is not None:
        q = q.where(Revision.first_seq < before)
    rows = list(db.scalars(q.order_by(Revision.first_seq.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(describe(db, rows), rows[-1].first_seq if more and rows else None)


def describe(db: Session, rows: list[Revision]) -> list[Entry]:
    users = users_by_id(db, {r.author_id for r in rows})
    pairs = set()
    for r in rows:
        if r.sentence_id is not None and r.to_version is not None:
            pairs.add((r.sentence_id, r.to_version))
            if r.from_version:
                pairs.add((r.sentence_id, r.from_version))
    texts = {}
    if pairs:
        # sentence_id IN (...) AND version IN (...) walks the primary key; a row-value
        # IN would scan the whole table on SQLite. Extra combinations are dropped.
        found = db.execute(
            select(
                SentenceVersion.sentence_id, SentenceVersion.version, SentenceVersion.text
            ).where(
                SentenceVersion.sentence_id.in_({p[0] for p in pairs}),
                SentenceVersion.version.in_({p[1] for p in pairs}),
            )
        )
        texts = {(sid, v): t for sid, v, t in found if (sid, v) in pairs}
    plain = [r.sentence_id for r in rows if r.sentence_id is not None and r.to_version is None]
    latest = {}
    if plain:
        latest = dict(
            db.execute(select(Sentence.id, Sentence.text).where(Sentence.id.in_(plain))).all()
        )
    section_ids = {r.section_id for r in rows if r.section_id is not None}
    titles = {}
    if section_ids:
        titles = dict(
            db.execute(select(Section.id, Section.title).where(Section.id.in_(section_ids))).all()
        )
    part_ids = {r.part_id for r in rows if r.part_id is not None}
    part_titles = {}
    if part_ids:
        part_titles = dict(
            db.execute(select(Part.id, Part.title).where(Part.id.in_(part_ids))).all()
        )
    details = _section_update_details(db, [r for r in rows if r.kind == "section_update"])
    out = []
    for r in rows:
        # A vote's outcome is the group's, even when a facilitator closed it early:
        # no person is its author (the row keeps who closed it).
        actor = actor_of(r.cause)
        entry = Entry(
            r,
            None if actor else users.get(r.author_id),
            summary_of(r.kind, r.cause, details.get(r.id)),
            titles.get(r.section_id),
            part_titles.get(r.part_id),
            actor=actor,
        )
        if r.sentence_id is not None:
            if r.to_version is not None:
                entry.after = texts.get((r.sentence_id, r.to_version))
                entry.before = (
                    texts.get((r.sentence_id, r.from_version)) if r.from_version else None
                )
            elif r.kind == "delete":
                entry.before = latest.get(r.sentence_id)
            else:
                entry.after = latest.get(r.sentence_id)
            if entry.before is not None and entry.after is not None:
                entry.pieces = word_diff(entry.before, entry.after)
        out.append(entry)
    return out


def _section_update_details(db: Session, rows: list[Revision]) -> dict[int, str]:
    """What each section_update revision changed, in words (two queries)."""
    if not rows:
        return {}
    messages = dict(
        db.execute(
            select(PolicyOp.seq, PolicyOp.message).where(
                PolicyOp.policy_id == rows[0].policy_id,
                PolicyOp.seq.in_([r.last_seq for r in rows]),
            )
        ).all()
    )
    owners = {m.get("subgroup_id") for m in messages.values()} - {None}
    names = (
        dict(db.execute(select(Subgroup.id, Subgroup.name).where(Subgroup.id.in_(owners))).all())
        if owners
        else {}
    )
    found = {r.id: section_update_words(messages.get(r.last_seq), names) for r in rows}
    return {rid: words for rid, words in found.items() if words}


def members_of(db: Session, group_id: int) -> list[User]:
    """Everyone in the group, by name, for the "changes by" filter (bounded by the
    group's size, not by the length of the history)."""
    return list(
        db.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == group_id)
            .order_by(func.lower(User.display_name))
        )
    )
