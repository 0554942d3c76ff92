"""Whose words are in the current text: the definition, and a cache that keeps
each view from re-reading the whole history.

Words written (the definition, also in docs/coproduction.md):

- A word is a run of letters or digits, with any apostrophes or hyphens inside it
  ("carer's", "self-directed"); punctuation and spaces are not words.
- Each live sentence of the current text is compared, word by word, with its first
  version. Words still there from the first version (each counted as often as it
  is in both, wherever it now stands) count for the sentence's writer; every
  other word (added or changed since) counts for its latest editor.
- The latest editor is whoever last changed the sentence's words by editing it
  (typing, or an accepted suggestion); splitting, joining and restoring are not
  writing. A sentence never edited has only its writer.
- The writer of a sentence is the author of its first version, except:
  a sentence made by splitting another has the writer of the sentence it came
  from (splitting is not writing), and a sentence brought back by a restore has
  the writer of the removed sentence whose words it brings back (restoring is not
  writing). An accepted suggestion is written by whoever suggested it (the review
  records them as its author).
- Known limit: a middle editor's words that a later editor kept count for the
  later editor (only the first and latest versions are compared).

Cost: a view reads the live sentences (the size of the text, not of its history)
and recomputes only sentences whose version changed since the last view; a
process keeps at most CACHE_POLICIES policies.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from server.history.models import Revision
from server.policies.models import Section, Sentence, SentenceVersion

WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
CACHE_POLICIES = 256
CHUNK = 900  # ids per IN (...), well under every database's limit
MAX_CHAIN = 100  # splits of splits followed at most this deep


def words_in(text: str) -> list[str]:
    return WORD.findall(text or "")


def credit(first: str, latest: str, writer: int | None, editor: int | None) -> Counter:
    """Split the words of `latest` between the sentence's writer (words still there
    from `first`, each counted as often as it is in both) and its latest editor
    (the rest)."""
    now = words_in(latest)
    if first == latest or writer == editor:
        return Counter({writer: len(now)}) if now else Counter()
    kept = sum((Counter(words_in(first)) & Counter(now)).values())
    out = Counter()
    if kept:
        out[writer] += kept
    if len(now) - kept:
        out[editor] += len(now) - kept
    return out


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


class _Policy:
    def __init__(self):
        self.lock = threading.Lock()
        self.sentences: dict[int, tuple[int, Counter]] = {}  # id -> (version, credits)
        self.edits_mark = 0  # revisions with first_seq <= mark are counted below
        # seq // BLOCK -> revisions per author; None until a period is asked for
        self.edit_blocks: dict[int, Counter] | None = None
        self.edit_total: Counter = Counter()  # revisions per author, in all


_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()


def cache_for(db: Session, policy) -> _Policy:
    """This process's running totals for one policy (per database, and per policy
    row: a re-created database with the same ids starts afresh)."""
    key = (str(db.get_bind().url), policy.id, policy.created_at.isoformat())
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = _Policy()
            while len(_CACHE) > CACHE_POLICIES:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(key)
        return found


def live_sentences(db: Session, policy_id: int) -> list[tuple[int, int, str]]:
    """(id, version, text) of every sentence in the current text."""
    return list(
        db.execute(
            select(Sentence.id, Sentence.version, Sentence.text)
            .join(Section, Section.id == Sentence.section_id)
            .where(
                Section.policy_id == policy_id,
                Section.deleted_at.is_(None),
                Sentence.deleted_at.is_(None),
            )
        ).all()
    )


def sentence_credits(db: Session, policy) -> dict[int, Counter]:
    """Words of each live sentence, by who they count for (see the module's doc)."""
    cache = cache_for(db, policy)
    live = live_sentences(db, policy.id)
    with cache.lock:
        stale = [(sid, v, t) for sid, v, t in live if cache.sentences.get(sid, (None,))[0] != v]
        if stale:
            fresh = _compute(db, stale)
            for sid, version, _text in stale:
                cache.sentences[sid] = (version, fresh[sid])
        ids = {sid for sid, _v, _t in live}
        for gone in [sid for sid in cache.sentences if sid not in ids]:
            del cache.sentences[gone]
        return {sid: cache.sentences[sid][1] for sid in ids}


def word_totals(db: Session, policy) -> Counter:
    total = Counter()
    for credits in sentence_credits(db, policy).values():
        total.update(credits)
    return total


def _compute(db: Session, rows: list[tuple[int, int, str]]) -> dict[int, Counter]:
    """Credits for these sentences, in two statements per CHUNK sentences: the first
    version, and (by one index seek each, however long the history) the newest
    typed edit and the first revision; then those revisions' authors and kinds."""
    ids = [sid for sid, _v, _t in rows]
    first: dict[int, tuple[str, int | None]] = {}
    editor: dict[int, int | None] = {}
    restored: set[int] = set()
    r = aliased(Revision)
    latest_edit = (
        select(r.id)
        .where(r.sentence_id == Sentence.id, r.kind == "edit", TYPED(r))
        .order_by(r.first_seq.desc())
        .limit(1)
        .scalar_subquery()
    )
    r2 = aliased(Revision)
    first_revision = (
        select(r2.id)
        .where(r2.sentence_id == Sentence.id)
        .order_by(r2.first_seq)
        .limit(1)
        .scalar_subquery()
    )
    for part in _chunks(ids):
        edits, firsts = {}, {}
        for sid, text, author, edit_id, first_id in db.execute(
            select(
                Sentence.id,
                SentenceVersion.text,
                SentenceVersion.author_id,
                latest_edit,
                first_revision,
            )
            .join(
                SentenceVersion,
                (SentenceVersion.sentence_id == Sentence.id) & (SentenceVersion.version == 1),
            )
            .where(Sentence.id.in_(part))
        ):
            first[sid] = (text, author)
            if edit_id:
                edits[edit_id] = sid
            if first_id:
                firsts[first_id] = sid
        wanted = set(edits) | set(firsts)
        if not wanted:
            continue
        for rid, author, kind, cause in db.execute(
            select(Revision.id, Revision.author_id, Revision.kind, Revision.cause).where(
                Revision.id.in_(wanted)
            )
        ):
            if rid in edits:
                editor[edits[rid]] = author
            if rid in firsts and kind == "insert" and cause == "restore":
                restored.add(firsts[rid])
    writers = writers_of(db, ids, first, restored)
    out = {}
    for sid, _version, text in rows:
        first_text, _author = first.get(sid, (text, None))
        out[sid] = credit(first_text, text, writers.get(sid), editor.get(sid, writers.get(sid)))
    return out


def TYPED(r):  # noqa: N802 (reads as a condition)
    return or_(r.cause.is_(None), r.cause != "restore")


def writers_of(
    db: Session, ids: list[int], first: dict, restored: set[int]
) -> dict[int, int | None]:
    """Who wrote each sentence: its first version's author, or for a split-off
    half the writer of the sentence it came from, or for a restored sentence the
    writer of the removed one it brings back."""
    parent: dict[int, int] = {}
    for part in _chunks(ids):
        for child, source in db.execute(
            select(Revision.other_sentence_id, Revision.sentence_id).where(
                Revision.other_sentence_id.in_(part), Revision.kind == "split"
            )
        ):
            parent[child] = source
    for sid in restored:
        text = first.get(sid, ("", None))[0]
        source = db.scalar(
            select(SentenceVersion.sentence_id)
            .join(Sentence, Sentence.id == SentenceVersion.sentence_id)
            .where(
                SentenceVersion.text == text,
                SentenceVersion.sentence_id != sid,
                Sentence.deleted_at.is_not(None),
                Sentence.section_id
                == select(Sentence.section_id).where(Sentence.id == sid).scalar_subquery(),
            )
            .order_by(SentenceVersion.sentence_id)
            .limit(1)
        )
        if source is not None:
            parent[sid] = source
    # Follow splits (and restores) back to the sentence first written.
    authors = {sid: first.get(sid, (None, None))[1] for sid in ids}
    looked = set(ids)  # sentences whose parent and author are known
    root = {sid: sid for sid in ids}
    todo = {sid for sid in ids if sid in parent}
    for _ in range(MAX_CHAIN):
        if not todo:
            break
        for sid in todo:
            root[sid] = parent[root[sid]]
        new = {root[s] for s in todo} - looked
        for part in _chunks(new):
            for child, source in db.execute(
                select(Revision.other_sentence_id, Revision.sentence_id).where(
                    Revision.other_sentence_id.in_(part), Revision.kind == "split"
                )
            ):
                parent[child] = source
            for sid, author in db.execute(
                select(SentenceVersion.sentence_id, SentenceVersion.author_id).where(
                    SentenceVersion.sentence_id.in_(part), SentenceVersion.version == 1
                )
            ):
                authors[sid] = author
        looked |= new
        todo = {s for s in todo if root[s] in parent}
    return {sid: authors.get(root[sid]) for sid in ids}
