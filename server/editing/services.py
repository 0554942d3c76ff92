"""Apply live edits: load state from the database, let the pure sync engine decide,
save its result, and publish the op for everyone watching (after commit).

Writes are conditional on the version read (`UPDATE ... WHERE version = old`), so
two writers racing on one sentence, in one process or several, cannot both win:
the loser raises StaleWrite and its boundary retries on fresh state. SQLite and
PostgreSQL behave the same way under this rule.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from server import driver_sql, sync
from server.accounts.models import User
from server.db import utcnow
from server.errors import InvalidInput, NotFound
from server.history.models import Revision
from server.policies import oplog
from server.policies import services as policies
from server.policies.models import Policy, Section, Sentence, SentenceVersion
from server.policies.oplog import Origin
from server.policies.services import MAX_SENTENCE_CHARS
from server.policies.views import section_view
from server.text.clean import clean_line, typed_text_problem


class StaleWrite(Exception):
    """Someone else changed the row between our read and our write: retry."""


def state_of(row: Sentence) -> sync.SentenceState:
    return sync.SentenceState(
        row.id,
        row.text,
        row.version,
        row.position,
        deleted=row.deleted_at is not None,
        merged_into=row.merged_into_id,
    )


def section_state(db: Session, section_id: int) -> sync.SectionState:
    rows = db.scalars(select(Sentence).where(Sentence.section_id == section_id))
    return tuple(state_of(r) for r in rows)


def sentence_row(db: Session, sentence_id: int) -> Sentence:
    """Any sentence, tombstones included (a late edit to one is answered as gone)."""
    row = db.get(Sentence, sentence_id)
    if row is None:
        raise NotFound("That sentence was not found.")
    return row


_SENTENCES = Sentence.__table__
_SAVE_STATEMENT = (
    update(_SENTENCES)
    .where(_SENTENCES.c.id == bindparam("b_id"), _SENTENCES.c.version == bindparam("b_version"))
    .values(
        text=bindparam("b_text"),
        version=bindparam("b_new_version"),
        position=bindparam("b_position"),
        updated_by_id=bindparam("b_user"),
        updated_at=bindparam("b_at"),
    )
)
_SAVE = driver_sql.Statement(_SAVE_STATEMENT)  # every edit's write, on the driver


def _save(
    db: Session, old: sync.SentenceState, new: sync.SentenceState, user: User, **extra
) -> None:
    """Write the engine's result if nobody wrote the sentence since we read it.

    Typing runs a statement built once, on the driver (it is every edit's write;
    building the ORM UPDATE cost more than running it); deletes and merges add their
    columns to it.
    The new values go on the sentence this session holds, so a later change in the
    same batch reads them."""
    now = utcnow()
    values = {
        "b_id": old.id,
        "b_version": old.version,
        "b_text": new.text,
        "b_new_version": new.version,
        "b_position": new.position,
        "b_user": user.id,
        "b_at": now,
    }
    if extra:
        written = db.execute(_SAVE_STATEMENT.values(**extra), values).rowcount
    else:
        written = _SAVE.run(db, values)
    if written != 1:
        raise StaleWrite(old.id)
    held = db.identity_map.get(db.identity_key(Sentence, old.id))
    if held is not None:
        for name, value in (
            ("text", new.text),
            ("version", new.version),
            ("position", new.position),
            ("updated_by_id", user.id),
            ("updated_at", now),
            *extra.items(),
        ):
            set_committed_value(held, name, value)
    if new.version != old.version:
        _keep_version(db, new, user)


def _keep_version(db: Session, state: sync.SentenceState, user: User) -> None:
    policies.keep_version(db, state.id, state.version, state.text, user.id)


_VERSIONS, _REVISIONS = SentenceVersion.__table__, Revision.__table__  # Core: see _SAVE
# On the driver, which runs no IN list (SQLAlchemy renders one on every run).
_KEPT_UNLESS_CUT = driver_sql.Statement(
    select(_VERSIONS.c.text).where(
        _VERSIONS.c.sentence_id == bindparam("sentence_id"),
        _VERSIONS.c.version == bindparam("base_version"),
        ~exists().where(
            _REVISIONS.c.sentence_id == bindparam("sentence_id"),
            or_(_REVISIONS.c.kind == "split", _REVISIONS.c.kind == "merge"),
            _REVISIONS.c.to_version > bindparam("base_version"),
        ),
    )
)


def _base_text(db: Session, sentence: Sentence, base_version: int) -> str | None:
    """The text the client's patch was made against, if it is older than now and
    the sentence has not been split or merged since: then a merge would put typing
    meant for the other half, or before the joined text, in the wrong place. The
    edit is then matched hunk by hunk, and a conflict makes the client wait for
    the split or merge to reach it and send its typing again."""
    if base_version >= sentence.version:
        return None
    policies.write_versions(db)  # the base may be a version kept earlier in this batch
    return _KEPT_UNLESS_CUT.scalar(db, {"sentence_id": sentence.id, "base_version": base_version})


def _broadcast(
    db: Session, section: Section, message: dict, user: User, origin: Origin | None
) -> dict:
    return oplog.record(
        db, section.policy_id, {"section_id": section.id, **message}, user.id, origin
    )


def edit_text(
    db: Session,
    section: Section,
    sentence: Sentence,
    user: User,
    base_version: int,
    patch: str,
    origin: Origin | None = None,
) -> dict:
    """Apply one client's patch; return the reply (the op, with the new text)."""
    current = state_of(sentence)
    result = sync.apply_text_edit(
        current,
        base_version,
        patch,
        max_len=MAX_SENTENCE_CHARS,
        base_text=_base_text(db, sentence, base_version),
    )
    problem = typed_text_problem(result.sentence.text)
    if problem:
        raise InvalidInput(problem, code="bad_text")
    if not result.changed or sync.same_words(result.sentence.text, current.text):
        # Nothing to do (docs/protocol.md): no op, no history, the text as it is.
        unchanged = sync.TextEditResult(current, "")
        return {"seq": None, "section_id": section.id, **unchanged.message()}
    _save(db, current, result.sentence, user)
    return _broadcast(db, section, result.message(), user, origin)


def _new_row(db: Session, section: Section, user: User) -> Sentence:
    """Reserve an id for a sentence the engine is about to place."""
    now = utcnow()
    row = Sentence(
        section_id=section.id,
        position="",
        text="",
        created_by_id=user.id,
        created_at=now,
        updated_by_id=user.id,
        updated_at=now,
    )
    db.add(row)
    db.flush()
    return row


def _fill(db: Session, row: Sentence, state: sync.SentenceState, user: User) -> None:
    row.text, row.position, row.version = state.text, state.position, state.version
    _keep_version(db, state, user)


def insert(
    db: Session,
    section: Section,
    user: User,
    text: str,
    place: sync.Place,
    origin: Origin | None = None,
) -> dict:
    state = section_state(db, section.id)
    row = _new_row(db, section, user)
    change = sync.insert_sentence(
        state, row.id, clean_line(text), place, max_len=MAX_SENTENCE_CHARS
    )
    _fill(db, row, change.op.sentence, user)
    db.flush()
    return _broadcast(db, section, change.op.message(), user, origin)


def insert_typed(
    db: Session,
    section: Section,
    user: User,
    text: str,
    place: sync.Place,
    origin: Origin | None = None,
) -> dict:
    """Insert a sentence a live client typed: refused like a typed edit (line breaks,
    control characters: `bad_text`) rather than cleaned."""
    problem = typed_text_problem(text)
    if problem:
        raise InvalidInput(problem, code="bad_text")
    return insert(db, section, user, text, place, origin)


def delete(
    db: Session,
    section: Section,
    sentence: Sentence,
    user: User,
    base_version: int,
    origin: Origin | None = None,
) -> dict:
    current = state_of(sentence)
    change = sync.delete_sentence(section_state(db, section.id), sentence.id, base_version)
    _save(db, current, current, user, deleted_at=utcnow())
    return _broadcast(db, section, change.op.message(), user, origin)


def split(
    db: Session,
    section: Section,
    sentence: Sentence,
    user: User,
    base_version: int,
    offset: int,
    origin: Origin | None = None,
) -> dict:
    current = state_of(sentence)
    state = section_state(db, section.id)
    sync.ordering.find_live(state, sentence.id)  # a gone sentence is refused before any write
    row = _new_row(db, section, user)
    change = sync.split_sentence(state, sentence.id, base_version, offset, row.id)
    _save(db, current, change.op.sentence, user)
    _fill(db, row, change.op.new, user)
    db.flush()
    return _broadcast(db, section, change.op.message(), user, origin)


def merge(
    db: Session,
    section: Section,
    sentence: Sentence,
    into: Sentence,
    user: User,
    base_version: int,
    into_base_version: int,
    origin: Origin | None = None,
) -> dict:
    if into.section_id != section.id:
        raise NotFound("That sentence was not found in this section.")
    gone, target = state_of(sentence), state_of(into)
    change = sync.merge_sentence(
        section_state(db, section.id),
        sentence.id,
        base_version,
        into.id,
        into_base_version,
        max_len=MAX_SENTENCE_CHARS,
    )
    _save(db, target, change.op.into, user)
    _save(db, gone, gone, user, deleted_at=utcnow(), merged_into_id=into.id)
    return _broadcast(db, section, change.op.message(), user, origin)


def move(
    db: Session,
    section: Section,
    sentence: Sentence,
    user: User,
    place: sync.Place,
    origin: Origin | None = None,
) -> dict:
    current = state_of(sentence)
    change = sync.move_sentence(section_state(db, section.id), sentence.id, place)
    moved = sync.SentenceState(current.id, current.text, current.version, change.op.position)
    _save(db, current, moved, user)
    return _broadcast(db, section, change.op.message(), user, origin)


def catch_up(db: Session, policy: Policy, since: int | None) -> dict:
    """What a joining client needs: the ops after `since` if all are kept, else a
    snapshot of every live section and sentence. Either way, the current seq."""
    seq = oplog.current_seq(db, policy.id)
    if since is not None and since <= seq:
        ops = oplog.ops_since(db, policy.id, since)
        if ops is not None:
            return {"seq": seq, "ops": ops}
    kept = _snapshots.get(policy.id)
    if kept is None or kept[0] != seq:
        kept = (seq, _snapshot(db, policy))
        # PostgreSQL reads each statement afresh: keep it only if nothing was
        # committed between reading the seq and the snapshot.
        if oplog.current_seq(db, policy.id) == seq:
            _snapshots[policy.id] = kept
    return {"seq": seq, **kept[1]}


# Policy id -> (seq, snapshot) in this process. Everything a snapshot holds changes
# only through the op log (a client that missed ops catches up from them alone), so
# a snapshot is the same for every joiner at one seq: 500 people joining at once
# read the policy once, not 500 times. Replies share it; nobody changes it.
_snapshots: dict[int, tuple[int, dict]] = {}


def _snapshot(db: Session, policy: Policy) -> dict:
    outline = policies.policy_outline(db, policy)
    sections = [s for _part, secs in outline for s in secs]
    text = policies.sentences_of(db, [s.id for s in sections])
    return {
        "parts": [{"id": p.id, "title": p.title, "position": p.position} for p, _ in outline],
        "sections": [section_view(s, text[s.id]) for s in sections],
    }
