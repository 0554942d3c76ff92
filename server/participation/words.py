"""Whose words are in the current text: the definition, and a cache that keeps
each view from re-reading the whole history.

Words written (the definition, also in docs/coproduction.md):

- A word is a run of letters or digits, with any apostrophes or hyphens inside it
  ("carer's", "self-directed"); punctuation and spaces are not words.
- Each live sentence of the current text is compared, word by word, with its first
  version. Words still there from the first version (each counted as often as it
  is in both, wherever it now stands) count for whoever owns them there; every
  other word (added or changed since) counts for its latest editor.
- The first version's words are owned by its author, except in a sentence made by
  splitting another, or brought back by a restore (splitting and restoring are not
  writing). Its first words come from a sentence before it, its source: those that
  were in the source's first version are owned as they were there; the others were
  typed into the source before the split, and are owned by whoever last typed in
  it then (for a restore, the removed sentence's latest editor). A split tells
  them apart by where they stand in the source just before it (`typed_in`); a
  restore by their spelling.
- The writer of a sentence is whoever owns most of its first words (on a tie, the
  writer of its source); one that started empty was written by whoever made it.
  An accepted suggestion is written by whoever suggested it (the review records
  them as its author).
- The latest editor is whoever last changed the sentence's words by editing it
  (typing, or an accepted suggestion): nobody, when its words are still those of
  its first version. Splitting, joining and restoring are not writing.
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
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from server.history.models import Revision
from server.policies.models import Section, Sentence, SentenceVersion

_dmp = diff_match_patch()
_dmp.Diff_Timeout = 0.1  # a sentence: milliseconds at most
WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
CACHE_POLICIES = 256
CHUNK = 900  # ids per IN (...), well under every database's limit
MAX_CHAIN = 100  # splits of splits followed at most this deep


def words_in(text: str) -> list[str]:
    return WORD.findall(text or "")


Owners = dict  # person -> Counter of the words of a sentence's first version they own


def credit(first: str, latest: str, writer: int | None, editor: int | None) -> Counter:
    """Split the words of `latest` between the sentence's writer (words still there
    from `first`, each counted as often as it is in both) and its latest editor
    (the rest)."""
    return credit_owned(Counter(words_in(latest)), {writer: Counter(words_in(first))}, editor)


def credit_owned(latest: Counter, owners: Owners, editor: int | None) -> Counter:
    """Split the words of the latest text (`latest`, counted) among the owners of the
    first version's words (each kept word counts for whoever owned it there, the
    first owner first) and the latest editor (every word not kept)."""
    if len(owners) == 1:  # the common case, in one multiset intersection
        [(person, owned)] = owners.items()
        kept = sum((owned & latest).values())
        rest = sum(latest.values()) - kept
        out = Counter({person: kept}) if kept else Counter()
        if rest:
            out[editor] += rest
        return out
    left = latest.copy()
    out = Counter()
    for person, owned in owners.items():
        kept = owned & left
        if kept:
            out[person] += sum(kept.values())
            left -= kept
    if left:
        out[editor] += sum(left.values())
    return out


def typed_in(first: str, source_first: str, before: str | None) -> Counter | None:
    """Of a split-off sentence's first words, those typed into its source after the
    source's first version: `before` is the source just before the split, whose end
    is `first`. Found by where they stand (a character diff of the source's first
    version and `before`), so a word the source's writer also used elsewhere is still
    the typist's. None when that cannot be told (then `inherited` counts words)."""
    if before is None or not first or not before.endswith(first):
        return None
    start = len(before) - len(first)
    added = bytearray(len(before))  # 1 where `before` has characters typed since
    at = 0
    for op, chunk in _dmp.diff_main(source_first, before, False):
        if op == _dmp.DIFF_INSERT:
            added[at : at + len(chunk)] = b"\x01" * len(chunk)
        if op != _dmp.DIFF_DELETE:
            at += len(chunk)
    return Counter(
        m.group() for m in WORD.finditer(before, start) if any(added[m.start() : m.end()])
    )


def inherited(
    first: str,
    source_first: str,
    source: Owners,
    carried_by: int | None,
    typed: Counter | None = None,
) -> Owners:
    """Who owns the first words of a sentence split off `source` (or restored from a
    removed one): words that were in the source's first version are owned as they
    were there; the others were typed into the source before it was split, and are
    owned by whoever typed them (`carried_by`, its latest editor then). `typed`, when
    known, says which words those are (`typed_in`); else a word counts as the
    source's when the source's first version has it too."""
    start = Counter(words_in(first))
    pool = start - typed if typed is not None else start & Counter(words_in(source_first))
    owners: Owners = {}
    for person, owned in source.items():
        mine = owned & pool
        if mine:
            owners[person] = owners.get(person, Counter()) + mine
            pool -= mine
    rest = start - sum(owners.values(), Counter())
    if rest:
        fallback = carried_by if carried_by is not None else next(iter(source), None)
        owners[fallback] = owners.get(fallback, Counter()) + rest
    return owners


def writer_of(owners: Owners, maker: int | None) -> int | None:
    """Whoever most of the first words are owned by (the first owner on a tie); a
    sentence that started empty was written by whoever made it."""
    best, most = maker, 0
    for person, owned in owners.items():
        if sum(owned.values()) > most:
            best, most = person, sum(owned.values())
    return best


@dataclass(frozen=True)
class People:
    """Who a live sentence's words count for, who wrote it, and who last changed
    its words by editing it (None: its words are still those it was made with)."""

    credits: Counter
    writer: int | None
    editor: int | None


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


class _Policy:
    def __init__(self):
        self.lock = threading.Lock()
        self.sentences: dict[int, tuple[int, People]] = {}  # id -> (version, People)
        # id -> (first version's text, who owns its words): never changes once made,
        # so a chain of splits is followed once per process, not at every view.
        self.origins: dict[int, tuple[str, Owners]] = {}
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


def live_sentences(
    db: Session, policy_id: int, section_id: int | None = None
) -> list[tuple[int, int, str]]:
    """(id, version, text) of every sentence in the current text (of one section)."""
    query = (
        select(Sentence.id, Sentence.version, Sentence.text)
        .join(Section, Section.id == Sentence.section_id)
        .where(
            Section.policy_id == policy_id,
            Section.deleted_at.is_(None),
            Sentence.deleted_at.is_(None),
        )
    )
    if section_id is not None:
        query = query.where(Section.id == section_id)
    return list(db.execute(query).all())


def sentence_people(db: Session, policy, section_id: int | None = None) -> dict[int, People]:
    """Each live sentence's People (see the module's doc), of the whole policy or of
    one section (a section page reads only its own)."""
    cache = cache_for(db, policy)
    live = live_sentences(db, policy.id, section_id)
    with cache.lock:
        stale = [(sid, v, t) for sid, v, t in live if cache.sentences.get(sid, (None,))[0] != v]
        if stale:
            fresh = _compute(db, stale, cache.origins)
            for sid, version, _text in stale:
                cache.sentences[sid] = (version, fresh[sid])
        ids = {sid for sid, _v, _t in live}
        if section_id is None:
            for gone in [sid for sid in cache.sentences if sid not in ids]:
                del cache.sentences[gone]
        return {sid: cache.sentences[sid][1] for sid in ids}


def sentence_credits(db: Session, policy) -> dict[int, Counter]:
    """Words of each live sentence, by who they count for."""
    return {sid: people.credits for sid, people in sentence_people(db, policy).items()}


def word_totals(db: Session, policy) -> Counter:
    total = Counter()
    for credits in sentence_credits(db, policy).values():
        total.update(credits)
    return total


def _compute(
    db: Session, rows: list[tuple[int, int, str]], origins: dict | None = None
) -> dict[int, People]:
    """People for these sentences, in two statements per CHUNK sentences: the first
    version, and (by one index seek each, however long the history) the newest
    typed edit and the first revision; then those revisions' authors and kinds; and
    for sentences split off or restored, the lineage (Lineage)."""
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
    owners = Lineage(db, first, restored, origins).owners(ids)  # split off or restored only
    out = {}
    for sid, _version, text in rows:
        first_text, maker = first.get(sid, (text, None))
        last = editor.get(sid)
        if text == first_text:
            last = None  # never changed, or changed back
        if sid not in owners:  # made by typing (the common case): its maker wrote it
            if last is None or last == maker:
                total = len(words_in(text))
                out[sid] = People(Counter({maker: total}) if total else Counter(), maker, last)
                continue
            writer, owned = maker, {maker: Counter(words_in(first_text))}
            mine = owned[maker]
        else:
            owned = owners[sid]
            writer = writer_of(owned, maker)
            mine = sum(owned.values(), Counter())
        now = Counter(words_in(text))
        # Typing that ends with the same words (say, words typed and then split off
        # into a sentence of their own) changed nothing: nobody is its editor.
        if last is not None and now == mine:
            last = None
        out[sid] = People(credit_owned(now, owned, last if last else writer), writer, last)
    return out


def TYPED(r):  # noqa: N802 (reads as a condition)
    return or_(r.cause.is_(None), r.cause != "restore")


def _editor_before(source, seq):
    """The author of `source`'s newest typed edit before op `seq` (correlated)."""
    r = aliased(Revision)
    query = select(r.author_id).where(r.sentence_id == source, r.kind == "edit", TYPED(r))
    if seq is not None:
        query = query.where(r.first_seq < seq)
    return query.order_by(r.first_seq.desc()).limit(1).scalar_subquery()


# Built once: building a statement costs about as much as running it here.
_split = aliased(Revision)
_before = aliased(SentenceVersion)
_SPLIT_SOURCES = (
    select(
        _split.other_sentence_id,
        _split.sentence_id,
        _editor_before(_split.sentence_id, _split.first_seq),
        _before.text,  # the source just before the split
    )
    .outerjoin(
        _before,
        (_before.sentence_id == _split.sentence_id) & (_before.version == _split.from_version),
    )
    .where(_split.other_sentence_id.in_(bindparam("ids", expanding=True)), _split.kind == "split")
)
_RESTORED_FROM = (
    select(SentenceVersion.sentence_id, _editor_before(SentenceVersion.sentence_id, None))
    .join(Sentence, Sentence.id == SentenceVersion.sentence_id)
    .where(
        SentenceVersion.text == bindparam("text"),
        SentenceVersion.sentence_id != bindparam("sid"),
        Sentence.deleted_at.is_not(None),
        Sentence.section_id
        == select(Sentence.section_id).where(Sentence.id == bindparam("sid")).scalar_subquery(),
    )
    .order_by(SentenceVersion.sentence_id)
    .limit(1)
)


class Lineage:
    """Where each sentence's first words came from. A sentence split off another, or
    brought back by a restore, starts with words of a sentence before it (its
    source): those are owned as they were there, and the source may itself have
    been split off another, up to MAX_CHAIN deep. Everything is read in a few
    statements per generation, not per sentence."""

    def __init__(self, db: Session, first: dict, restored: set[int], origins: dict | None = None):
        self.db = db
        self.first = dict(first)  # id -> (first version's text, its author)
        # Sentences whose owners are known already (the process's cache, filled here).
        self.origins = origins if origins is not None else {}
        self.source: dict[int, int] = {}
        self.carried_by: dict[int, int | None] = {}
        self.before: dict[int, str] = {}  # split-off id -> its source's text just before
        self.restored = restored

    def _sources_of(self, ids) -> None:
        for part in _chunks(ids):
            for child, source, typist, before in self.db.execute(_SPLIT_SOURCES, {"ids": part}):
                self.source[child] = source
                self.carried_by[child] = typist
                if before is not None:
                    self.before[child] = before
        for sid in set(ids) & self.restored:
            text = self.first.get(sid, ("", None))[0]
            found = self.db.execute(_RESTORED_FROM, {"text": text, "sid": sid}).first()
            if found is not None:
                self.source[sid], self.carried_by[sid] = found

    def _firsts_of(self, ids) -> None:
        for part in _chunks(ids):
            for sid, text, author in self.db.execute(
                select(
                    SentenceVersion.sentence_id, SentenceVersion.text, SentenceVersion.author_id
                ).where(SentenceVersion.sentence_id.in_(part), SentenceVersion.version == 1)
            ):
                self.first[sid] = (text, author)

    def owners(self, ids: list[int]) -> dict[int, Owners]:
        todo = set(ids)
        for _ in range(MAX_CHAIN):
            self._sources_of(todo)
            todo = {self.source[s] for s in todo if s in self.source}
            todo -= set(self.first) | set(self.origins)
            if not todo:
                break
            self._firsts_of(todo)
        done: dict[int, Owners] = {sid: owned for sid, (_t, owned) in self.origins.items()}
        out = {sid: self._owners(sid, done) for sid in ids if sid in self.source}
        for sid, owned in done.items():
            if sid not in self.origins and sid in self.first:
                self.origins[sid] = (self.first[sid][0], owned)
        return out

    def _owners(self, sid: int, done: dict) -> Owners:
        chain = []  # sid, its source, its source's source... while not yet known
        at = sid
        while at not in done and len(chain) <= MAX_CHAIN:
            chain.append(at)
            source = self.source.get(at)
            if source is None or (source not in self.first and source not in done):
                break
            at = source
        for node in reversed(chain):
            text, author = self.first.get(node, ("", None))
            source = self.source.get(node)
            if source is None or source not in done:
                done[node] = {author: Counter(words_in(text))}
                continue
            was = self.first[source][0] if source in self.first else self.origins[source][0]
            typed = typed_in(text, was, self.before.get(node))
            done[node] = inherited(text, was, done[source], self.carried_by.get(node), typed)
        return done[sid]
