"""Plain-language hints for sentences, sections and policies.

Where hints are computed, and why there: on the server, from server/plain/rules.py,
after the edit has committed (server/realtime/hints_feed.py queues the changed
sentences and a background task sends a `hints` event), and whenever a page or the
API asks. Not in the browser: the reading-age formula (textstat and its pronouncing
dictionary), the word lists and the group's glossary all live here, and a second
copy of the rules in JavaScript would need a parity test to stay honest. One copy
is simpler to keep correct.

Cache: a hint depends only on the sentence's text and the group's accepted terms,
so results are cached in memory by exactly that pair (`_check`). A new version of
a sentence is a new text and gets its own entry; a glossary change is a new key.
Nothing can go stale and nothing is written to the database, so a page that reads
hints never writes. Each process warms its own cache (a 300-sentence policy costs
well under a second cold: docs/performance.md).

Dismissals are stored (HintDismissal) and are the only thing here that writes.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.db import utcnow
from server.errors import InvalidInput
from server.glossary.services import term_keys
from server.history import store
from server.meetings.services import last_started
from server.plain import rules
from server.plain.models import HintDismissal
from server.policies.models import Policy, Section, Sentence
from server.publishing.models import Release


@lru_cache(maxsize=50_000)
def _cached(text: str, glossary: frozenset[str]) -> rules.Check:
    return rules.check(text, glossary)


def _no_wait() -> None:
    return None


_wait_until_warm: Callable[[], None] = _no_wait


def set_warm_waiter(wait: Callable[[], None]) -> None:
    """The server loads the rules' dictionary in a thread of its own at start-up
    (server/realtime/hints_feed.py) and says here how to wait for it, so a page in
    the first seconds waits for that load instead of starting a second one."""
    global _wait_until_warm
    _wait_until_warm = wait


def _check(text: str, glossary: frozenset[str]) -> rules.Check:
    _wait_until_warm()
    return _cached(text, glossary)


def check_text(text: str, glossary: frozenset[str] = frozenset()) -> rules.Check:
    return _check(text, glossary)


def clear_cache() -> None:
    """For the benchmark's cold runs."""
    _cached.cache_clear()
    terms_in.cache_clear()


# --- one sentence -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceHints:
    id: int
    version: int
    check: rules.Check
    dismissed: frozenset[str] = frozenset()
    terms: tuple[str, ...] = ()  # the glossary's terms in it (lower case), for marking

    @property
    def hints(self) -> tuple[rules.Hint, ...]:
        return tuple(h for h in self.check.hints if h.code not in self.dismissed)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "version": self.version,
            "checked": self.check.checked,
            "reading_age": self.check.reading_age,
            "hints": [h.as_dict() for h in self.hints],
            "dismissed": sorted(self.dismissed & self.check.codes()),
            "terms": list(self.terms),
        }


def dismissed_for(db: Session, sentence_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    ids = list(sentence_ids)
    out: dict[int, set[str]] = {}
    if ids:
        rows = db.execute(
            select(HintDismissal.sentence_id, HintDismissal.code).where(
                HintDismissal.sentence_id.in_(ids)
            )
        )
        for sid, code in rows:
            out.setdefault(sid, set()).add(code)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True)
class Context:
    """What a batch of one group's sentences needs from the database, read at once
    (two queries however many sentences), so the checks themselves touch no
    database and can run one at a time (server/realtime/hints_feed.py)."""

    glossary: frozenset[str]
    dismissed: dict[int, frozenset[str]]

    def hints(self, sentence_id: int, version: int, text: str) -> SentenceHints:
        return SentenceHints(
            sentence_id,
            version,
            _check(text, self.glossary),
            self.dismissed.get(sentence_id, frozenset()),
            terms_in(text, self.glossary),
        )


def read_context(db: Session, group_id: int, sentence_ids: Iterable[int]) -> Context:
    return Context(term_keys(db, group_id), dismissed_for(db, sentence_ids))


def hints_for(
    db: Session, group_id: int, items: Iterable[tuple[int, int, str]]
) -> list[SentenceHints]:
    """Hints for (sentence id, version, text) triples of one group."""
    items = list(items)
    context = read_context(db, group_id, [i for i, _v, _t in items])
    return [context.hints(i, v, t) for i, v, t in items]


@lru_cache(maxsize=50_000)
def terms_in(text: str, glossary: frozenset[str]) -> tuple[str, ...]:
    """The glossary's terms a sentence uses, each once, in the order they appear
    (the same matching as the jargon rule and the reading view's marks)."""
    return tuple(dict.fromkeys(key for _a, _b, key in rules.find_terms(text, glossary)))


def sentences_using_terms(
    db: Session, group_id: int, keys: Iterable[str]
) -> dict[int, list[tuple[int, int, str]]]:
    """After the glossary changed for `keys` (lower case): every live sentence of the
    group whose text holds one of them, (id, version, text) by policy: their hints
    need sending again. Matching by substring may take a sentence the jargon rule
    would not (a term inside a longer word); its hints are then the same as before,
    which is harmless."""
    keys = [k for k in keys if k]
    if not keys:
        return {}
    rows = db.execute(
        select(Policy.id, Sentence.id, Sentence.version, Sentence.text)
        .join(Section, Section.policy_id == Policy.id)
        .join(Sentence, Sentence.section_id == Section.id)
        .where(
            Policy.group_id == group_id,
            Section.deleted_at.is_(None),
            Sentence.deleted_at.is_(None),
        )
        .order_by(Policy.id, Section.position, Sentence.position, Sentence.id)
    )
    by_policy: dict[int, list[tuple[int, int, str]]] = {}
    for policy_id, sid, version, text in rows:
        low = text.lower()
        if any(k in low for k in keys):
            by_policy.setdefault(policy_id, []).append((sid, version, text))
    return by_policy


def section_hints(db: Session, section: Section, group_id: int) -> list[SentenceHints]:
    return hints_for(db, group_id, [(s.id, s.version, s.text) for s in section.sentences])


# --- dismissing ------------------------------------------------------------------------------


def _known(code: str) -> str:
    if code not in rules.CODES:
        raise InvalidInput(
            f"{code!r} is not a kind of hint. Use one of: {', '.join(rules.CODES)}.",
            fields={"code": ["Not a kind of hint."]},
        )
    return code


def dismiss(db: Session, sentence: Sentence, code: str, by: User) -> HintDismissal:
    """Set a hint aside for this sentence (doing it twice changes nothing)."""
    code = _known(code)
    row = db.scalar(
        select(HintDismissal).where(
            HintDismissal.sentence_id == sentence.id, HintDismissal.code == code
        )
    )
    if row is None:
        row = HintDismissal(
            sentence_id=sentence.id, code=code, dismissed_by_id=by.id, created_at=utcnow()
        )
        db.add(row)
        db.flush()
    return row


def restore(db: Session, sentence: Sentence, code: str) -> None:
    """Show a dismissed hint again."""
    code = _known(code)
    row = db.scalar(
        select(HintDismissal).where(
            HintDismissal.sentence_id == sentence.id, HintDismissal.code == code
        )
    )
    if row is not None:
        db.delete(row)
        db.flush()


# --- summaries ---------------------------------------------------------------------------------


@dataclass
class Summary:
    """How a set of sentences reads: how many have each hint, and the median reading
    age. Shares are of the sentences the rules judged (`checked`)."""

    sentences: int = 0
    checked: int = 0
    flagged: int = 0  # sentences with at least one hint showing
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(rules.CODES, 0))
    median_age: float | None = None

    def share(self, code: str) -> float:
        return self.counts[code] / self.checked if self.checked else 0.0

    def as_dict(self) -> dict:
        return {
            "sentences": self.sentences,
            "checked": self.checked,
            "flagged": self.flagged,
            "median_reading_age": self.median_age,
            "hints": {
                code: {"sentences": n, "share": round(self.share(code), 3)}
                for code, n in self.counts.items()
            },
        }


def summarise(found: Iterable[SentenceHints]) -> Summary:
    out = Summary()
    ages = []
    for item in found:
        out.sentences += 1
        if not item.check.checked:
            continue
        out.checked += 1
        if item.check.reading_age is not None:
            ages.append(item.check.reading_age)
        codes = {h.code for h in item.hints}
        if codes:
            out.flagged += 1
        for code in codes:
            out.counts[code] += 1
    out.median_age = round(statistics.median(ages), 1) if ages else None
    return out


@dataclass(frozen=True)
class Change:
    """Now compared with an earlier point (`since`: what it is called for people)."""

    since: str
    at: datetime
    then: Summary
    now: Summary

    @property
    def flagged(self) -> int:
        return self.now.flagged - self.then.flagged

    @property
    def median_age(self) -> float | None:
        if self.now.median_age is None or self.then.median_age is None:
            return None
        return round(self.now.median_age - self.then.median_age, 1)

    def as_dict(self) -> dict:
        return {
            "since": self.since,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "flagged": self.flagged,
            "median_reading_age": self.median_age,
            "then": self.then.as_dict(),
        }


@dataclass
class PolicyPlain:
    summary: Summary
    sections: dict[int, Summary]
    since_session: Change | None
    since_release: Change | None

    def as_dict(self) -> dict:
        return {
            **self.summary.as_dict(),
            "sections": [{"section_id": k, **v.as_dict()} for k, v in self.sections.items()],
            "since_last_session": self.since_session.as_dict() if self.since_session else None,
            "since_last_release": self.since_release.as_dict() if self.since_release else None,
        }


def _live_sentences(db: Session, policy_id: int) -> list[tuple[int, int, int, str]]:
    rows = db.execute(
        select(Section.id, Sentence.id, Sentence.version, Sentence.text)
        .join(Sentence, Sentence.section_id == Section.id)
        .where(
            Section.policy_id == policy_id,
            Section.deleted_at.is_(None),
            Sentence.deleted_at.is_(None),
        )
        .order_by(Section.position, Section.id, Sentence.position, Sentence.id)
    )
    return [tuple(r) for r in rows]


def policy_items(db: Session, policy: Policy) -> list[SentenceHints]:
    """Hints for every live sentence of a policy, in reading order."""
    rows = _live_sentences(db, policy.id)
    return hints_for(db, policy.group_id, [(i, v, t) for _s, i, v, t in rows])


def _by_section(db: Session, group_id: int, rows) -> tuple[Summary, dict[int, Summary]]:
    found = hints_for(db, group_id, [(i, v, t) for _s, i, v, t in rows])
    per: dict[int, list[SentenceHints]] = {}
    for (section_id, *_rest), item in zip(rows, found, strict=True):
        per.setdefault(section_id, []).append(item)
    return summarise(found), {k: summarise(v) for k, v in per.items()}


def _summary_at(db: Session, policy: Policy, moment: datetime) -> Summary:
    """The policy's text as it was at `moment` (from history), judged by today's rules
    and glossary: the comparison shows what the writing changed, nothing else."""
    return _summary_at_seq(db, policy, store.seq_at(db, policy.id, moment, policy.seq))


def _summary_at_seq(db: Session, policy: Policy, seq: int) -> Summary:
    state = store.state_at(db, policy.id, seq)
    items = [(s["id"], s["version"], s["text"]) for s in state.sentences.values()]
    return summarise(hints_for(db, policy.group_id, items))


def since_last_session(db: Session, policy: Policy, now: Summary) -> Change | None:
    """Compared with the text when the group's last session ended (or began, while it
    runs). None when the group has had no session."""
    meeting = last_started(db, policy.group_id)
    if meeting is None:
        return None
    moment = meeting.closed_at or meeting.started_at
    return Change(f"the session “{meeting.title}”", moment, _summary_at(db, policy, moment), now)


def since_last_release(db: Session, policy: Policy, now: Summary) -> Change | None:
    """Compared with the text of the policy's last release (the point it was published
    from, which for a release made from a checkpoint is earlier than its date). None
    before the first release."""
    release = db.scalar(
        select(Release).where(Release.policy_id == policy.id).order_by(Release.number.desc())
    )
    if release is None:
        return None
    return Change(
        f"version {release.number}",
        release.created_at,
        _summary_at_seq(db, policy, release.seq),
        now,
    )


def policy_plain(db: Session, policy: Policy) -> PolicyPlain:
    summary, sections = _by_section(db, policy.group_id, _live_sentences(db, policy.id))
    return PolicyPlain(
        summary,
        sections,
        since_last_session(db, policy, summary),
        since_last_release(db, policy, summary),
    )


def section_summary(db: Session, section: Section, group_id: int) -> Summary:
    return summarise(section_hints(db, section, group_id))
