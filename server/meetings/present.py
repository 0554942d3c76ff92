"""A member's review and a session's pack as plain data, for the pages, the pack
and the API alike (so they show the same things).

Nothing here decides anything: the review and its marks come from
server.meetings.review, the agenda from server.meetings.agenda. This only loads
the names, sections and diffs that people read next to them.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.meetings import agenda, review
from server.meetings.models import Meeting
from server.policies.models import Section
from server.policies.services import sentences_of
from server.review import proposals, votes
from server.review.models import Comment, Proposal, ProposalKind, Vote, VoteSubject

PROPOSAL_WORDS = {kind: words.capitalize() for kind, words in agenda.KIND_WORDS.items()}


def person(user) -> dict | None:
    return None if user is None else {"id": user.id, "name": user.display_name}


def since_of(meeting: Meeting | None) -> dict | None:
    if meeting is None:
        return None
    return {"id": meeting.id, "title": meeting.title, "started_at": meeting.started_at}


def _sections(db: Session, ids: set[int]) -> dict[int, Section]:
    if not ids:
        return {}
    return {s.id: s for s in db.scalars(select(Section).where(Section.id.in_(ids)))}


def _reply_counts(db: Session, root_ids: list[int]) -> dict[int, int]:
    if not root_ids:
        return {}
    return dict(
        db.execute(
            select(Comment.thread_id, func.count())
            .where(Comment.thread_id.in_(root_ids), Comment.deleted_at.is_(None))
            .group_by(Comment.thread_id)
        ).all()
    )


def proposal_changes(db: Session, proposal: Proposal) -> list[dict]:
    found, _stale = proposals.changes(db, proposal)
    return [
        {
            "before": c.before,
            "after": c.after,
            "gone": c.gone,
            "pieces": [p.as_dict() for p in c.pieces],
        }
        for c in found
    ]


# A review page holds units (a changed section, a discussion, a proposal, a vote)
# until their weight reaches this budget, so no page grows with the whole group's
# activity (a review once reached 19.5 MB). A changed section shows at most
# SECTION_ROWS sentences: changed ones first, then unchanged ones for context.
REVIEW_PAGE_BUDGET = 400
SECTION_ROWS = 100
UNIT_WEIGHTS = {"thread": 2, "proposal": 4, "vote": 4}


def _weight(kind: str, unit) -> int:
    if kind == "section":
        return 1 + min(len(unit["sentences"]), SECTION_ROWS)
    return UNIT_WEIGHTS[kind]


def review_pages(units: list[tuple[int, str, object]]) -> list[list[int]]:
    """Split units (in reading order) into pages of at most REVIEW_PAGE_BUDGET weight
    (a unit heavier than that gets a page of its own). Returns unit indexes per page."""
    pages: list[list[int]] = [[]]
    used = 0
    for n, (_policy, kind, unit) in enumerate(units):
        weight = _weight(kind, unit)
        if pages[-1] and used + weight > REVIEW_PAGE_BUDGET:
            pages.append([])
            used = 0
        pages[-1].append(n)
        used += weight
    return pages


def _shown_rows(rows: list[dict]) -> tuple[list[dict], int]:
    """At most SECTION_ROWS rows in text order: every changed row first, then the
    unchanged rows nearest to the start for context. Returns (rows, left out)."""
    if len(rows) <= SECTION_ROWS:
        return rows, 0
    keep = {n for n, row in enumerate(rows) if row["change"] != "unchanged"}
    keep = set(sorted(keep)[:SECTION_ROWS])
    for n in range(len(rows)):
        if len(keep) >= SECTION_ROWS:
            break
        keep.add(n)
    return [row for n, row in enumerate(rows) if n in keep], len(rows) - len(keep)


def review_data(
    db: Session,
    group_id: int,
    user_id: int | None,
    *,
    pack_of: Meeting | None = None,
    page: int = 1,
) -> dict:
    """One page of a member's review, with their marks (user_id None: none).
    `page` 1 is the first; `pages` says how many there are. The counts (`done`,
    `total`) and each policy's `items` cover the whole review, not the page."""
    got = review.review_for(db, group_id, user_id, pack_of=pack_of)
    flags = {i.key: i.reviewed for i in got.items}
    units: list[tuple[int, str, object]] = []
    for n, pr in enumerate(got.policies):
        units += [(n, "section", s) for s in pr.changes["sections"]]
        units += [(n, "thread", t) for t in pr.threads]
        units += [(n, "proposal", p) for p in pr.proposals]
        units += [(n, "vote", v) for v in pr.votes]
    pages = review_pages(units)
    page = min(max(page, 1), len(pages))
    chosen: dict[int, dict[str, list]] = {}
    for index in pages[page - 1]:
        n, kind, unit = units[index]
        chosen.setdefault(n, {}).setdefault(kind, []).append(unit)
    policies = []
    for n, pr in enumerate(got.policies):
        if n not in chosen and units:
            continue  # nothing of this policy on this page
        mine = chosen.get(n, {})
        policies.append(_policy_data(db, pr, mine, flags, user_id))
    return {
        "since": since_of(got.since),
        "done": got.done,
        "total": len(got.items),
        "page": page,
        "pages": len(pages),
        "policies": policies,
    }


def _policy_data(db: Session, pr, mine: dict, flags: dict, user_id: int | None) -> dict:
    shown_threads = mine.get("thread", [])
    shown_proposals = mine.get("proposal", [])
    shown_votes = mine.get("vote", [])
    section_ids = (
        {t.section_id for t in shown_threads}
        | {p.section_id for p in shown_proposals}
        | {v.section_id for v in shown_votes}
    )
    sections = _sections(db, section_ids)
    replies = _reply_counts(db, [t.id for t in shown_threads])
    changed = []
    for s in mine.get("section", []):
        key = f"section:{s['id']}" if f"section:{s['id']}" in flags else None
        rows, more_rows = _shown_rows(s["sentences"])
        rows = [
            {
                **row,
                "key": row.get("key"),
                "by": row.get("by", []),
                "reviewed": flags.get(row.get("key")) if row.get("key") else None,
            }
            for row in rows
        ]
        changed.append(
            {
                "id": s["id"],
                "title": s["title"],
                "title_before": s["title_before"],
                "part_title": s["part_title"],
                "change": s["change"],
                "key": key,
                "reviewed": flags.get(key) if key else None,
                "sentences": rows,
                "more_sentences": more_rows,
            }
        )
    threads = [
        {
            "key": f"thread:{t.id}",
            "reviewed": flags[f"thread:{t.id}"],
            "id": t.id,
            "section_id": t.section_id,
            "section_title": _title(sections.get(t.section_id)),
            "sentence_id": t.sentence_id,
            "proposal_id": t.proposal_id,
            "quote": t.quote,
            "deleted": t.deleted_at is not None,
            "body_html": "" if t.deleted_at else t.body_html,
            "author": person(t.author),
            "created_at": t.created_at,
            "replies": replies.get(t.id, 0),
        }
        for t in shown_threads
    ]
    props = [
        {
            "key": f"proposal:{p.id}",
            "reviewed": flags[f"proposal:{p.id}"],
            "id": p.id,
            "section_id": p.section_id,
            "section_title": _title(sections.get(p.section_id)),
            "kind": p.kind.value,
            "kind_words": PROPOSAL_WORDS[ProposalKind(p.kind)],
            "title": proposals.title(p),  # named by its words, as on every page
            "reason": p.reason,
            "author": person(p.author),
            "changes": proposal_changes(db, p),
        }
        for p in shown_proposals
    ]
    vote_rows = []
    for v in shown_votes:
        ballot = votes.my_ballot(db, v, user_id) if user_id is not None else None
        section = sections.get(v.section_id)
        vote_rows.append(
            {
                "key": f"vote:{v.id}",
                "reviewed": flags[f"vote:{v.id}"],
                "id": v.id,
                "subject": v.subject.value,
                "section_id": v.section_id,
                "section_title": _title(section),
                "proposal_id": v.proposal_id,
                "title": agenda.title_for(db, v, section),
                "closes_at": v.closes_at,
                "secret": v.secret,
                "my_choice": ballot.choice.value if ballot else None,
            }
        )
    return {
        "id": pr.policy.id,
        "title": pr.policy.title,
        "since_seq": pr.since_seq,
        "sections": changed,
        "threads": threads,
        "proposals": props,
        "votes": vote_rows,
        "items": [{"key": i.key, "kind": i.kind, "reviewed": i.reviewed} for i in pr.items],
    }


def _title(section: Section | None) -> str:
    return section.title if section is not None else "A removed section"


# A printed pack stops here (a 2,916-item agenda did not become a PDF in 30 s);
# the pack says how many items it left out and where to find them.
MAX_PACK_ITEMS = 100


def _vote_data(db: Session, vote: Vote, section: Section | None) -> dict:
    """What the pack prints about a vote: the change proposed, or the text to agree."""
    data = {
        "id": vote.id,
        "subject": vote.subject.value,
        "section_title": _title(section),
        "open": vote.is_open,
        "outcome": vote.outcome.value if vote.outcome else None,
        "proposal": None,
        "text": [],
    }
    if vote.subject == VoteSubject.PROPOSAL and vote.proposal is not None:
        p = vote.proposal
        data["proposal"] = {
            "id": p.id,
            "kind_words": PROPOSAL_WORDS[ProposalKind(p.kind)],
            "title": proposals.title(p),  # named by its words, as on every page
            "reason": p.reason,
            "author": person(p.author),
            "changes": proposal_changes(db, p),
        }
    elif vote.snapshot:
        data["text"] = [s["text"] for s in vote.snapshot]
    else:
        data["text"] = [
            s.text for s in sentences_of(db, [vote.section_id]).get(vote.section_id, [])
        ]
    return data


def agenda_vote(entry: agenda.VoteEntry) -> dict:
    vote = entry.vote
    return {
        "key": entry.key,
        "kind": "vote",
        "vote_id": vote.id,
        "title": entry.title,
        "subject": vote.subject.value,
        "section_id": vote.section_id,
        "proposal_id": vote.proposal_id,
        "closes_at": vote.closes_at,
        "open": vote.is_open,
        "outcome": vote.outcome.value if vote.outcome else None,
    }


def agenda_data(db: Session, meeting: Meeting, page: int = 1) -> dict:
    """A session's agenda for the API and the page: the facilitators' items, then
    one page of votes (server.meetings.agenda). Reads only."""
    shown = agenda.votes(db, meeting, page)
    return {
        "items": agenda.items(meeting),
        "votes": [agenda_vote(e) for e in shown.entries],
        "votes_total": shown.total,
        "page": shown.page,
        "pages": shown.pages,
        "message": shown.message,
    }


def pack_data(db: Session, meeting: Meeting) -> dict:
    """A session's pack: its agenda (the facilitators' items, then the votes, the
    first MAX_PACK_ITEMS in full), each decision's text, and the first page of what
    changed. Reads only: the votes are those server.meetings.agenda lists."""
    own = agenda.items(meeting)[:MAX_PACK_ITEMS]
    entries = [{"key": i.key, "title": i.title, "note": i.note, "vote": None} for i in own]
    shown = agenda.votes(db, meeting)  # page 1: at most VOTES_PER_PAGE votes
    for e in shown.entries[: MAX_PACK_ITEMS - len(entries)]:
        entries.append(
            {"key": e.key, "title": e.title, "note": "", "vote": _vote_data(db, e.vote, e.section)}
        )
    total = len(agenda.items(meeting)) + shown.total
    return {
        "agenda": entries,
        "agenda_total": total,
        "agenda_left_out": total - len(entries),
        "review": review_data(db, meeting.group_id, None, pack_of=meeting),
    }
