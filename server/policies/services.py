"""Policy structure and text: create and arrange parts, sections and sentences.
No Flask here. Callers authorise first (server.permissions)."""

from __future__ import annotations

from fractional_indexing import generate_key_between, generate_n_keys_between
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server import driver_sql, events, sync
from server.accounts.models import User
from server.accounts.services import valid_name
from server.db import utcnow
from server.errors import InvalidInput, NotFound
from server.events import EditRightsChanged, publish
from server.groups.models import Group, Subgroup
from server.policies import oplog
from server.policies.models import (
    PART_TITLE_CHARS,
    POLICY_TITLE_CHARS,
    SECTION_TITLE_CHARS,
    Part,
    Policy,
    Section,
    SectionKind,
    Sentence,
    SentenceVersion,
)
from server.policies.oplog import Origin
from server.policies.views import section_view, sentence_view
from server.text.clean import clean_block
from server.text.sentences import split_sentences

MAX_SENTENCE_CHARS = 2000
MAX_PASTE_CHARS = 100_000
MAX_SENTENCES_PER_PASTE = 1000


def get_policy(db: Session, policy_id: int) -> Policy:
    row = db.get(Policy, policy_id)
    if row is None:
        raise NotFound("That policy was not found.")
    return row


def get_part(db: Session, part_id: int) -> Part:
    row = db.get(Part, part_id)
    if row is None:
        raise NotFound("That part was not found.")
    return row


def get_sentence(db: Session, sentence_id: int) -> Sentence:
    row = db.get(Sentence, sentence_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("That sentence was not found.")
    return row


def policies_of(db: Session, group_id: int) -> list[Policy]:
    return list(
        db.scalars(
            select(Policy).where(Policy.group_id == group_id).order_by(Policy.created_at.desc())
        )
    )


def _key_after(db: Session, column, where, after_position: str | None) -> str:
    """Key for a new item right after `after_position` (None: at the end)."""
    if after_position is None:
        last = db.scalar(select(func.max(column)).where(*where))
        return generate_key_between(last, None)
    following = db.scalar(select(func.min(column)).where(*where, column > after_position))
    return generate_key_between(after_position, following)


def _check_sentences(sentences: list[str]) -> None:
    if len(sentences) > MAX_SENTENCES_PER_PASTE:
        raise InvalidInput(
            f"Paste at most {MAX_SENTENCES_PER_PASTE} sentences at once.",
            fields={"text": ["Too many sentences."]},
        )
    long = [i + 1 for i, s in enumerate(sentences) if len(s) > MAX_SENTENCE_CHARS]
    if long:
        raise InvalidInput(
            f"Sentence {long[0]} is longer than {MAX_SENTENCE_CHARS} characters. "
            "Split it into shorter sentences.",
            fields={"text": [f"Sentence {long[0]} is too long."]},
        )


def parse_text(text: str) -> list[str]:
    if not isinstance(text, str):
        raise InvalidInput("Text must be a string.", fields={"text": ["Not a string."]})
    if len(text) > MAX_PASTE_CHARS:
        raise InvalidInput(
            f"Paste at most {MAX_PASTE_CHARS} characters at once.", fields={"text": ["Too long."]}
        )
    sentences = split_sentences(text)
    _check_sentences(sentences)
    return sentences


def create_policy(
    db: Session,
    group: Group,
    by: User,
    title: str,
    summary: str = "",
    part_titles: list[str] | None = None,
) -> Policy:
    policy = Policy(
        group_id=group.id,
        title=valid_name(title, "title", POLICY_TITLE_CHARS),
        summary=clean_block(summary or ""),
        created_by_id=by.id,
    )
    db.add(policy)
    db.flush()
    titles = [valid_name(t, "part_titles", PART_TITLE_CHARS) for t in (part_titles or [])]
    for title_, key in zip(titles, generate_n_keys_between(None, None, len(titles)), strict=True):
        db.add(Part(policy_id=policy.id, title=title_, position=key))
    db.flush()
    for part in policy.parts:
        _part_inserted(db, part, by.id)
    return policy


def _part_inserted(db: Session, part: Part, author_id: int | None) -> None:
    """Parts are in the op log too, so history can rebuild the whole policy."""
    oplog.record(
        db,
        part.policy_id,
        {
            "op": "part_insert",
            "part": {
                "id": part.id,
                "title": part.title,
                "position": part.position,
                "intro": part.intro,
            },
        },
        author_id,
    )


def update_policy(
    db: Session,
    policy: Policy,
    title: str | None = None,
    summary: str | None = None,
    by: User | None = None,
) -> Policy:
    if title is not None:
        policy.title = valid_name(title, "title", POLICY_TITLE_CHARS)
    if summary is not None:
        policy.summary = clean_block(summary)
    db.flush()
    # In the op log so history shows it (live clients and the replay ignore it).
    oplog.record(
        db,
        policy.id,
        {"op": "policy_update", "title": policy.title, "summary": policy.summary},
        by.id if by else None,
    )
    return policy


def create_part(
    db: Session,
    policy: Policy,
    title: str,
    intro: str = "",
    after_part_id: int | None = None,
    by: User | None = None,
) -> Part:
    after = None
    if after_part_id is not None:
        anchor = get_part(db, after_part_id)
        if anchor.policy_id != policy.id:
            raise NotFound("That part was not found in this policy.")
        after = anchor.position
    key = _key_after(db, Part.position, [Part.policy_id == policy.id], after)
    part = Part(
        policy_id=policy.id,
        title=valid_name(title, "title", PART_TITLE_CHARS),
        intro=clean_block(intro or ""),
        position=key,
    )
    db.add(part)
    db.flush()
    _part_inserted(db, part, by.id if by else None)
    return part


def update_part(
    db: Session,
    part: Part,
    title: str | None = None,
    intro: str | None = None,
    by: User | None = None,
) -> Part:
    if title is not None:
        part.title = valid_name(title, "title", PART_TITLE_CHARS)
    if intro is not None:
        part.intro = clean_block(intro)
    db.flush()
    oplog.record(
        db,
        part.policy_id,
        {"op": "part_update", "id": part.id, "title": part.title, "intro": part.intro},
        by.id if by else None,
    )
    return part


def _owner(db: Session, policy: Policy, subgroup_id: int) -> Subgroup:
    sub = db.get(Subgroup, subgroup_id)
    if sub is None or sub.group_id != policy.group_id:
        raise InvalidInput(
            "Choose a sub-group of this group to own the section.",
            fields={"subgroup_id": ["Not a sub-group of this group."]},
        )
    return sub


def _section_items(db: Session, part_id: int) -> list[sync.Item]:
    """Sections of a part as ordered items, tombstones included, so a new key never
    lands on a deleted section's key."""
    rows = db.execute(
        select(Section.id, Section.position, Section.deleted_at).where(Section.part_id == part_id)
    )
    return [sync.Item(i, p, d is not None) for i, p, d in rows]


def _sentence_states(db: Session, section_id: int) -> list[sync.Item]:
    rows = db.execute(
        select(Sentence.id, Sentence.position, Sentence.deleted_at).where(
            Sentence.section_id == section_id
        )
    )
    return [sync.Item(i, p, d is not None) for i, p, d in rows]


def _place(after_id: int | None) -> sync.Place:
    return sync.Place(after=after_id) if after_id is not None else sync.Place(at="end")


def _placed(items: list[sync.Item], new_id: int, place: sync.Place) -> str:
    try:
        placed = sync.insert_item(items, sync.Item(new_id, ""), place)
    except (sync.NotFound, sync.Gone):
        raise NotFound("The place to put it was not found.") from None
    return sync.ordering.find_item(placed, new_id).position


def create_section(
    db: Session,
    part: Part,
    by: User,
    *,
    title: str,
    subgroup_id: int,
    kind: str = "text",
    text: str = "",
    after_section_id: int | None = None,
    place: sync.Place | None = None,
    origin: Origin | None = None,
) -> Section:
    """Create a section owned by a sub-group; pasted text is split into sentences."""
    try:
        kind_ = SectionKind(kind)
    except ValueError:
        raise InvalidInput(
            "Kind must be 'text' or 'faq'.", fields={"kind": ["Must be text or faq."]}
        ) from None
    policy = part.policy
    owner = _owner(db, policy, subgroup_id)
    title_ = valid_name(title, "title", SECTION_TITLE_CHARS)
    sentences = parse_text(text or "")
    items = _section_items(db, part.id)
    section = Section(
        policy_id=policy.id,
        part_id=part.id,
        subgroup_id=owner.id,
        kind=kind_,
        title=title_,
        position="",
        created_by_id=by.id,
    )
    db.add(section)
    db.flush()
    section.position = _placed(items, section.id, place or _place(after_section_id))
    rows = _insert_sentences(db, section, by, sentences, None, None)
    oplog.record(
        db,
        policy.id,
        {"op": "section_insert", "section_id": section.id, "section": section_view(section, rows)},
        by.id,
        origin,
    )
    return section


def update_section(
    db: Session,
    section: Section,
    *,
    title: str | None = None,
    subgroup_id: int | None = None,
    by: User | None = None,
) -> Section:
    changed = []
    if title is not None:
        new_title = valid_name(title, "title", SECTION_TITLE_CHARS)
        if new_title != section.title:
            changed.append("title")
        section.title = new_title
    if subgroup_id is not None and subgroup_id != section.subgroup_id:
        section.subgroup_id = _owner(db, section.part.policy, subgroup_id).id
        publish(db, EditRightsChanged(section.part.policy.group_id))
        changed.append("subgroup_id")
    db.flush()
    section_changed(db, section, by.id if by else None, changed=tuple(changed))
    return section


def section_changed(
    db: Session,
    section: Section,
    author_id: int | None,
    origin: Origin | None = None,
    *,
    changed: tuple[str, ...] = (),
) -> dict:
    """Record a section's title, owner and status after a change (for history;
    live clients ignore the op). Call it after changing any of them; `changed`
    names which ("title", "subgroup_id", "status"), so history can say so."""
    message = {
        "op": "section_update",
        "section_id": section.id,
        "id": section.id,
        "title": section.title,
        "subgroup_id": section.subgroup_id,
        "status": section.status.value,
        "kind": section.kind.value,
    }
    if changed:
        message["changed"] = list(changed)
    return oplog.record(db, section.policy_id, message, author_id, origin)


def delete_section(db: Session, section: Section, by: User, origin: Origin | None = None) -> dict:
    """Hide a section; it stays in the database for history and comments."""
    section.deleted_at = utcnow()
    db.flush()
    return oplog.record(
        db,
        section.policy_id,
        {"op": "section_delete", "section_id": section.id, "id": section.id},
        by.id,
        origin,
    )


def move_section(
    db: Session, section: Section, by: User, place: sync.Place, origin: Origin | None = None
) -> dict:
    items = _section_items(db, section.part_id)
    try:
        moved = sync.move_item(items, section.id, place)
    except (sync.NotFound, sync.Gone):
        raise NotFound("The place to put it was not found.") from None
    section.position = sync.ordering.find_item(moved, section.id).position
    db.flush()
    return oplog.record(
        db,
        section.policy_id,
        {
            "op": "section_move",
            "section_id": section.id,
            "id": section.id,
            "position": section.position,
        },
        by.id,
        origin,
    )


def _insert_sentences(
    db: Session,
    section: Section,
    by: User,
    sentences: list[str],
    before: str | None,
    after: str | None,
) -> list[Sentence]:
    now = utcnow()
    rows = [
        Sentence(
            section_id=section.id,
            position=key,
            text=text,
            created_by_id=by.id,
            created_at=now,
            updated_by_id=by.id,
            updated_at=now,
        )
        for text, key in zip(
            sentences, generate_n_keys_between(before, after, len(sentences)), strict=True
        )
    ]
    db.add_all(rows)
    db.flush()
    for r in rows:
        keep_version(db, r.id, r.version, r.text, by.id)
    return rows


# Every edit keeps one: on the driver (server.driver_sql).
_KEEP_VERSION = driver_sql.Statement(
    SentenceVersion.__table__.insert(),
    keys=("sentence_id", "version", "text", "author_id", "created_at"),
)
VERSIONS = "sentence_versions"


def keep_version(
    db: Session, sentence_id: int, version: int, text: str, author_id: int | None
) -> None:
    """Keep the exact text of a new version (live edits merge against it). A plain
    INSERT: every live edit runs it, and nothing reads the row back as an object. In
    a batch (events.begin_batch) the rows are kept and written in one statement
    before the commit; a read of them in the batch calls `write_versions` first."""
    row = {
        "sentence_id": sentence_id,
        "version": version,
        "text": text,
        "author_id": author_id,
        "created_at": utcnow(),
    }
    if events.batched(db):
        events.journal(db, VERSIONS).items.append(row)
    else:
        _KEEP_VERSION.run(db, row)


def write_versions(db: Session) -> None:
    """Write the versions kept in this batch and not yet written (one executemany)."""
    if not events.batched(db):
        return
    kept = events.journal(db, VERSIONS)
    rows = kept.unwritten()
    if rows:
        _KEEP_VERSION.run(db, rows)
        kept.flushed = len(kept.items)


events.deferred(write_versions)


def add_text(
    db: Session, section: Section, by: User, text: str, after_sentence_id: int | None = None
) -> list[Sentence]:
    """Split pasted text and insert its sentences after a sentence (None: at the end);
    each arrives live for anyone watching, as an insert."""
    sentences = parse_text(text)
    if not sentences:
        raise InvalidInput("Paste some text to add.", fields={"text": ["Required."]})
    items = sync.ordering.in_order(_sentence_states(db, section.id))
    if after_sentence_id is None:
        before = items[-1].position if items else None
    else:
        anchor = get_sentence(db, after_sentence_id)
        if anchor.section_id != section.id:
            raise NotFound("That sentence was not found in this section.")
        before = anchor.position
    after = (
        next((i.position for i in items if i.position > before), None)
        if before
        else (items[0].position if items else None)
    )
    rows = _insert_sentences(db, section, by, sentences, before, after)
    for row in rows:
        oplog.record(
            db,
            section.policy_id,
            {"op": "insert", "section_id": section.id, "sentence": sentence_view(row)},
            by.id,
        )
    return rows


def policy_outline(db: Session, policy: Policy) -> list[tuple[Part, list[Section]]]:
    """Parts with their live sections, in order, in two queries."""
    parts = list(
        db.scalars(select(Part).where(Part.policy_id == policy.id).order_by(Part.position))
    )
    sections = list(
        db.scalars(
            select(Section)
            .where(Section.policy_id == policy.id, Section.deleted_at.is_(None))
            .order_by(Section.position, Section.id)
        )
    )
    by_part: dict[int, list[Section]] = {p.id: [] for p in parts}
    for s in sections:
        by_part[s.part_id].append(s)
    return [(p, by_part[p.id]) for p in parts]


def sentences_of(db: Session, section_ids: list[int]) -> dict[int, list[Sentence]]:
    """Live sentences of many sections, in order, in one query."""
    out: dict[int, list[Sentence]] = {i: [] for i in section_ids}
    if not section_ids:
        return out
    for s in db.scalars(
        select(Sentence)
        .where(Sentence.section_id.in_(section_ids), Sentence.deleted_at.is_(None))
        .order_by(Sentence.section_id, Sentence.position, Sentence.id)
    ):
        out[s.section_id].append(s)
    return out
