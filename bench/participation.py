"""How fast is participation by role on a long history? A policy of 1,000 sentences
gets 100,000 revisions by 200 members (with 5,000 comments, 1,000 suggestions,
20,000 votes cast and 20 sessions with attendance); this times:

- cold: the process's running totals are empty (as after a restart), so the
  report reads the live text and counts every revision once;
- warm: the next view, with nothing new;
- after 100 new edits: the view reads only the new revisions and recomputes the
  words of only the sentences they changed;

and prints medians and p95s. docs/performance.md ("Participation") records them.

    .venv/bin/python bench/participation.py                  # ~1 minute
    .venv/bin/python bench/participation.py --revisions 20000 --runs 5

Seeding writes the rows the services would (sentences, sentence_versions,
revisions, comments, proposals, votes, ballots, meetings, attendance) in bulk:
100,000 service calls would take longer than the benchmark. Each revision is one
edit of one sentence by one member, the worst case for history size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, update  # noqa: E402

# fmt: off
WORDS = ["you", "can", "ask", "for", "a", "personal", "budget", "when", "the", "plan", "is",
         "reviewed", "we", "will", "tell", "in", "writing", "within", "four", "weeks",
         "whether", "agree", "and", "how", "money", "be", "used"]
# fmt: on


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15, help="timed reports of each kind")
    parser.add_argument(
        "--entered",
        action="store_true",
        help="every sentence after a section's first was typed on the end of the one "
        "before it and split off with Enter: views follow chains of splits",
    )
    args = parser.parse_args()

    from server import create_app
    from server.accounts.models import User
    from server.groups.models import Membership, Role
    from server.groups.services import create_group, create_subgroup
    from server.history import store
    from server.history.models import HistorySnapshot, Revision
    from server.meetings.models import Attendance, Meeting
    from server.migrate import upgrade
    from server.participation import figures, words
    from server.policies import services as policies
    from server.policies.models import PolicyOp, Sentence, SentenceVersion
    from server.review.models import Ballot, Comment, Proposal, Vote

    folder = Path(tempfile.mkdtemp(prefix="codraft-bench-participation-"))
    url = f"sqlite:///{folder / 'codraft.db'}"
    upgrade(url)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-participation-secret-key",
            "TESTING": True,
            "ASYNC_MODE": "threading",
        }
    )
    rng = random.Random(2026)
    roles = [r for r in Role]
    with app.app_context():
        db = app.extensions["codraft_db"].session
        t0 = time.perf_counter()
        db.execute(
            insert(User),
            [
                {"email": f"m{i}@example.org", "display_name": f"Member {i}", "password_hash": None}
                for i in range(args.members)
            ],
        )
        users = list(db.query(User).order_by(User.id))
        group = create_group(db, users[0], "Bench group")
        db.execute(
            insert(Membership),
            [
                {"group_id": group.id, "user_id": u.id, "role": roles[n % len(roles)]}
                for n, u in enumerate(users[1:])
            ],
        )
        sub = create_subgroup(db, group, "Writers")
        policy = policies.create_policy(db, group, users[0], "Bench policy", "", ["Part"])
        sections = [
            policies.create_section(
                db, policy.parts[0], users[0], title=f"Section {n}", subgroup_id=sub.id, text=""
            )
            for n in range(5)
        ]
        db.commit()
        start = datetime.now(UTC) - timedelta(days=400)
        # The structure was made just now; date it before the seeded history, so
        # moments map to seqs in order.
        for table, column in (
            (policies.Policy, "created_at"),
            (PolicyOp, "created_at"),
            (HistorySnapshot, "at"),
        ):
            where = (
                table.id == policy.id
                if table is policies.Policy
                else (table.policy_id == policy.id)
            )
            db.execute(update(table).where(where).values({column: start - timedelta(hours=1)}))
        ids = [u.id for u in users]
        rows = []
        for n in range(args.sentences):
            rows.append(
                {
                    "section_id": sections[n % 5].id,
                    "position": f"a{n:06d}",
                    "text": "",
                    "version": 1,
                    "created_by_id": rng.choice(ids),
                    "created_at": start,
                    "updated_at": start,
                }
            )
        db.execute(insert(Sentence), rows)
        sentences = [s for (s,) in db.query(Sentence.id).order_by(Sentence.id)]
        texts = {s: " ".join(rng.choice(WORDS) for _ in range(12)) for s in sentences}
        versions, revisions, version_of, ops, snaps = [], [], {}, [], []
        for sid in sentences:
            version_of[sid] = 1
            versions.append(
                {
                    "sentence_id": sid,
                    "version": 1,
                    "text": texts[sid],
                    "author_id": rng.choice(ids),
                    "created_at": start,
                }
            )
        seq = 10
        clock = start

        def change(sid, author, kind, text, other=None):
            """One change of one sentence, as the services record it: its new version,
            a revision and an op, at `seq` and `clock`."""
            version_of[sid] += 1
            versions.append(
                {
                    "sentence_id": sid,
                    "version": version_of[sid],
                    "text": text,
                    "author_id": author,
                    "created_at": clock,
                }
            )
            revisions.append(
                {
                    "policy_id": policy.id,
                    "kind": kind,
                    "cause": None,
                    "author_id": author,
                    "sentence_id": sid,
                    "other_sentence_id": other,
                    "first_seq": seq,
                    "last_seq": seq,
                    "from_version": version_of[sid] - 1,
                    "to_version": version_of[sid],
                    "op_count": 1,
                    "started_at": clock,
                    "ended_at": clock,
                }
            )
            ops.append(
                {
                    "policy_id": policy.id,
                    "seq": seq,
                    "author_id": author,
                    "created_at": clock,
                    "message": {"seq": seq, "op": kind, "id": sid, "text": text},
                }
            )

        if args.entered:
            # Sentence n was typed on the end of sentence n-5 (the one before it in its
            # section) and split off: the source gets that text as version 2 (a typed
            # edit), and its own text back as version 3 (the split).
            for n, sid in enumerate(sentences[5:], start=5):
                source = sentences[n - 5]
                typist = rng.choice(ids)
                seq += 1
                change(source, typist, "edit", texts[source] + " " + texts[sid])
                seq += 1
                change(source, typist, "split", texts[source], other=sid)
        for _ in range(args.revisions):
            seq += 1
            clock += timedelta(seconds=rng.randint(60, 600))
            sid = rng.choice(sentences)
            author = rng.choice(ids)
            w = texts[sid].split()
            w[rng.randrange(len(w))] = rng.choice(WORDS)
            texts[sid] = " ".join(w)
            change(sid, author, "edit", texts[sid])
            if seq % store.SNAPSHOT_EVERY == 0:
                # Only `seq` and `at` are read here (a moment -> seq); the state is
                # left empty, as participation never replays the text.
                snaps.append({"policy_id": policy.id, "seq": seq, "at": clock, "state": b""})
        for part in range(0, len(versions), 20_000):
            db.execute(insert(SentenceVersion), versions[part : part + 20_000])
        for part in range(0, len(revisions), 20_000):
            db.execute(insert(Revision), revisions[part : part + 20_000])
            db.execute(insert(PolicyOp), ops[part : part + 20_000])
        if snaps:
            db.execute(insert(HistorySnapshot), snaps)
        for sid in sentences:
            db.execute(
                update(Sentence)
                .where(Sentence.id == sid)
                .values(text=texts[sid], version=version_of[sid])
            )
        db.execute(update(policies.Policy).where(policies.Policy.id == policy.id).values(seq=seq))
        db.execute(
            insert(Comment),
            [
                {
                    "policy_id": policy.id,
                    "section_id": sections[n % 5].id,
                    "author_id": rng.choice(ids),
                    "source": "A comment",
                    "body_html": "<p>A comment</p>",
                    "created_at": start + timedelta(hours=n),
                }
                for n in range(5000)
            ],
        )
        db.execute(
            insert(Proposal),
            [
                {
                    "policy_id": policy.id,
                    "section_id": sections[n % 5].id,
                    "author_id": rng.choice(ids),
                    "kind": "replace",
                    "status": rng.choice(["applied", "rejected", "open"]),
                    "reason": "Clearer",
                    "sentence_ids": [],
                    "base": [],
                    "created_at": start + timedelta(hours=n),
                    "updated_at": start + timedelta(hours=n),
                    "decided_at": start + timedelta(hours=n + 5),
                }
                for n in range(1000)
            ],
        )
        db.execute(
            insert(Vote),
            [
                {
                    "group_id": group.id,
                    "policy_id": policy.id,
                    "section_id": sections[n % 5].id,
                    "subject": "agreement",
                    "quorum_percent": 50,
                    "threshold_percent": 50,
                    "close_mode": "date",
                    "secret": False,
                    "opened_at": start + timedelta(days=n),
                    "closed_at": start + timedelta(days=n + 7),
                    "outcome": "approved",
                }
                for n in range(100)
            ],
        )
        votes = [v for (v,) in db.query(Vote.id)]
        db.execute(
            insert(Ballot),
            [
                {
                    "vote_id": v,
                    "user_id": u,
                    "choice": "approve",
                    "reason": "",
                    "cast_at": start + timedelta(days=n),
                    "changed_at": start + timedelta(days=n),
                }
                for n, v in enumerate(votes)
                for u in ids
            ],
        )
        db.execute(
            insert(Meeting),
            [
                {
                    "group_id": group.id,
                    "title": f"Session {n}",
                    "place": "",
                    "notes": "",
                    "starts_at": start + timedelta(days=20 * n),
                    "started_at": start + timedelta(days=20 * n),
                    "closed_at": start + timedelta(days=20 * n, hours=2),
                    "created_at": start,
                }
                for n in range(20)
            ],
        )
        meetings = [m for (m,) in db.query(Meeting.id)]
        db.execute(
            insert(Attendance),
            [
                {
                    "meeting_id": m,
                    "user_id": u,
                    "status": rng.choice(["present", "apologies"]),
                    "mode": None,
                    "recorded_at": start,
                }
                for m in meetings
                for u in ids
            ],
        )
        db.commit()
        print(
            f"Codraft participation bench: {args.sentences:,} sentences, {args.revisions:,} "
            f"revisions, {args.members} members; seeded in {time.perf_counter() - t0:.1f} s"
        )

        def once(period=None):
            t = time.perf_counter()
            found = figures.report(db, group.id, [policy], period or figures.Period())
            db.rollback()
            return time.perf_counter() - t, found

        cold, warm, after = [], [], []
        for _ in range(args.runs):
            words._CACHE.clear()  # a restarted process: no running totals
            cold.append(once()[0])
            warm.append(once()[0])
        for _ in range(args.runs):
            # 100 new edits, each a new revision and version of some sentence
            new_versions, new_revisions = [], []
            for _ in range(100):
                seq += 1
                sid = rng.choice(sentences)
                author = rng.choice(ids)
                version_of[sid] += 1
                texts[sid] = texts[sid] + " " + rng.choice(WORDS)
                clock += timedelta(seconds=61)
                new_versions.append(
                    {
                        "sentence_id": sid,
                        "version": version_of[sid],
                        "text": texts[sid],
                        "author_id": author,
                        "created_at": clock,
                    }
                )
                new_revisions.append(
                    {
                        "policy_id": policy.id,
                        "kind": "edit",
                        "cause": None,
                        "author_id": author,
                        "sentence_id": sid,
                        "other_sentence_id": None,
                        "first_seq": seq,
                        "last_seq": seq,
                        "op_count": 1,
                        "started_at": clock,
                        "ended_at": clock,
                    }
                )
                db.execute(
                    update(Sentence)
                    .where(Sentence.id == sid)
                    .values(text=texts[sid], version=version_of[sid])
                )
            db.execute(insert(SentenceVersion), new_versions)
            db.execute(insert(Revision), new_revisions)
            db.execute(
                insert(PolicyOp),
                [
                    {
                        "policy_id": policy.id,
                        "seq": r["first_seq"],
                        "author_id": r["author_id"],
                        "created_at": r["started_at"],
                        "message": {"seq": r["first_seq"]},
                    }
                    for r in new_revisions
                ],
            )
            db.execute(
                update(policies.Policy).where(policies.Policy.id == policy.id).values(seq=seq)
            )
            db.commit()
            after.append(once()[0])
        period = figures.Period(
            start.date() + timedelta(days=100), start.date() + timedelta(days=200)
        )
        chosen = [once(period)[0] for _ in range(args.runs)]
        found = once()[1]
        print(f"  cold (no running totals)     {ms(cold)}")
        print(f"  warm (nothing new)           {ms(warm)}")
        print(f"  after 100 new edits          {ms(after)}")
        print(f"  warm, a chosen 100-day period {ms(chosen)}")
        print(f"  words in the text: {found.totals.words:,}; edits: {found.totals.edits:,}")


if __name__ == "__main__":
    main()
