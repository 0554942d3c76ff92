"""How fast is history as it grows? A policy of 300 sentences gets 100,000
revisions; at 1k, 10k and 100k revisions this times the reads people make:

- read the whole policy at a random past moment (moment -> seq, snapshot, replay),
- diff two checkpoints (two reads and a word-level diff),
- open a section timeline (first page, and a page deep in the past),

and prints medians, p95s and the database size. docs/performance.md ("History")
records the figures.

    .venv/bin/python bench/history.py                 # 100,000 revisions, ~2 minutes
    .venv/bin/python bench/history.py --revisions 20000 --reads 30

Seeding: the policy, its parts and its three sections (100 sentences each) are
made through the real services. The 100,000 changes are then written in bulk:
for each change, exactly the rows the services would write (policy_ops with the
same message, sentence_versions, a revision by the live coalescing rule, a
snapshot every SNAPSHOT_EVERY ops built with the same replay), because 100,000
service calls would take longer than the benchmark. Authors take turns and
changes are a minute and more apart, so each change is its own revision, the
worst case for history size. About 3% of changes move a sentence.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diff_match_patch import diff_match_patch  # noqa: E402
from fractional_indexing import generate_key_between  # noqa: E402
from sqlalchemy import insert, select, text, update  # noqa: E402

# Words of a real Personal Budget policy, so sentences share words as real ones do.
WORDS = sorted(
    set(
        """
A Personal Budget is an amount of money identified by the local authority to deliver
some of the provision set out in an Education Health and Care Plan. You can ask for one
when the plan is drafted or reviewed, for example at the annual review meeting. We will
tell you in writing within four weeks whether we agree and how the money can be used.
Parents carers and young people can receive the budget as a direct payment, or ask the
council or school to arrange the support for them. If we say no you can ask us to think
again, talk to the independent information advice and support service, or appeal to the
tribunal. The budget must be spent on the outcomes agreed in the plan and records should
be kept of what was bought. Schools colleges health services and social care teams work
together with families to decide what support is needed and who provides it. Payments are
reviewed every year and can change if needs change. Nobody has to take a budget.
""".replace(",", " ")
        .replace(".", " ")
        .split()
    )
)


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"median {statistics.median(values) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=40, help="timed reads of each kind")
    parser.add_argument("--keep", help="folder for the database (default: a temporary one)")
    args = parser.parse_args()

    from server import create_app
    from server.accounts.services import create_user
    from server.groups.models import Membership, Role
    from server.groups.services import add_to_subgroup, create_group, create_subgroup
    from server.history import diff as diffs
    from server.history import services as history
    from server.history import store
    from server.history.models import Checkpoint, HistorySnapshot, Revision
    from server.history.recording import revision_fields
    from server.migrate import upgrade
    from server.policies import services as policies
    from server.policies.models import Policy, PolicyOp, Sentence, SentenceVersion

    folder = Path(args.keep or tempfile.mkdtemp(prefix="codraft-bench-history-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "codraft.db"
    if path.exists():
        sys.exit(f"{path} exists: choose an empty folder")
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-history-secret-key",
            "TESTING": True,
            "ASYNC_MODE": "threading",
        }
    )
    rng = random.Random(2026)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    with app.app_context():
        db = app.extensions["codraft_db"].session
        users = [create_user(db, f"writer{i}@example.org", f"Writer {i}", None) for i in range(4)]
        group = create_group(db, users[0], "Bench group")
        members = [
            Membership(group_id=group.id, user_id=u.id, role=Role.PARENT_CARER) for u in users[1:]
        ]
        db.add_all(members)
        db.flush()
        sub = create_subgroup(db, group, "Writers")
        for m in members:
            add_to_subgroup(db, sub, m)
        policy = policies.create_policy(
            db, group, users[0], "Bench policy", "", ["Questions", "Processes"]
        )
        sections = []
        for n in range(3):
            body = " ".join(
                f"{' '.join(rng.choice(WORDS) for _ in range(12)).capitalize()}."
                for _ in range(100)
            )
            sections.append(
                policies.create_section(
                    db,
                    policy.parts[n % 2],
                    users[0],
                    title=f"Section {n + 1}",
                    subgroup_id=sub.id,
                    text=body,
                )
            )
        db.commit()
        pid = policy.id
        state = store.state_at(db, pid, policy.seq)
        seq = policy.seq
        sentence_ids = list(state.sentences)
        start = datetime.now(UTC) - timedelta(seconds=75 * args.revisions + 3600)
        db.execute(
            update(Policy).where(Policy.id == pid).values(created_at=start - timedelta(hours=1))
        )
        db.execute(
            update(PolicyOp)
            .where(PolicyOp.policy_id == pid)
            .values(created_at=start - timedelta(minutes=30))
        )
        db.commit()
        clock = start
        checkpoints: list[int] = []
        print(
            f"Codraft history bench: {len(sentence_ids)} sentences, up to {args.revisions:,} "
            f"revisions, snapshot every {store.SNAPSHOT_EVERY} ops, SQLite at {path}"
        )

        def seed(upto: int) -> None:
            nonlocal seq, clock
            ops, versions, revisions, snaps = [], [], [], []
            while seq - 5 < upto:  # 5 ops made the structure
                seq += 1
                clock += timedelta(seconds=rng.randint(61, 89))
                author = users[seq % len(users)].id
                sid = rng.choice(sentence_ids)
                s = state.sentences[sid]
                if rng.random() < 0.03:
                    keys = sorted(
                        x["position"]
                        for x in state.sentences.values()
                        if x["section_id"] == s["section_id"] and x["id"] != sid
                    )
                    at = rng.randrange(len(keys) + 1)
                    pos = generate_key_between(
                        keys[at - 1] if at else None, keys[at] if at < len(keys) else None
                    )
                    message = {
                        "seq": seq,
                        "origin": None,
                        "ref": None,
                        "section_id": s["section_id"],
                        "op": "move",
                        "id": sid,
                        "position": pos,
                    }
                else:
                    words = s["text"].rstrip(".").split(" ")
                    words[rng.randrange(len(words))] = rng.choice(WORDS)
                    new = " ".join(words) + "."
                    if new == s["text"]:
                        new = s["text"][:-1] + " " + rng.choice(WORDS) + "."
                    if len(new) > 160:  # keep sentences a readable length throughout
                        new = " ".join(new.split(" ")[:12]) + "."
                    message = {
                        "seq": seq,
                        "origin": None,
                        "ref": None,
                        "section_id": s["section_id"],
                        "op": "edit",
                        "id": sid,
                        "version": s["version"] + 1,
                        "text": new,
                        "patch": dmp.patch_toText(dmp.patch_make(s["text"], new)),
                    }
                    versions.append(
                        {
                            "sentence_id": sid,
                            "version": s["version"] + 1,
                            "text": new,
                            "author_id": author,
                            "created_at": clock,
                        }
                    )
                state.apply(message)
                ops.append(
                    {
                        "policy_id": pid,
                        "seq": seq,
                        "message": message,
                        "author_id": author,
                        "created_at": clock,
                    }
                )
                revisions.append(
                    {
                        "policy_id": pid,
                        "kind": message["op"],
                        "cause": None,
                        "author_id": author,
                        "part_id": None,
                        "section_id": None,
                        "sentence_id": None,
                        "other_sentence_id": None,
                        "first_seq": seq,
                        "last_seq": seq,
                        "from_version": None,
                        "to_version": None,
                        "op_count": 1,
                        "started_at": clock,
                        "ended_at": clock,
                        **revision_fields(message),
                    }
                )
                if seq % store.SNAPSHOT_EVERY == 0:
                    snaps.append({"policy_id": pid, "seq": seq, "at": clock, "state": state.dump()})
                if seq % 2000 == 0:
                    checkpoints.append(seq)
                    db.add(
                        Checkpoint(
                            policy_id=pid,
                            seq=seq,
                            name=f"Draft {len(checkpoints)}",
                            created_by_id=author,
                            created_at=clock,
                        )
                    )
            for table, rows in (
                (PolicyOp, ops),
                (SentenceVersion, versions),
                (Revision, revisions),
                (HistorySnapshot, snaps),
            ):
                for i in range(0, len(rows), 5000):
                    db.execute(insert(table), rows[i : i + 5000])
            for sid, s in state.sentences.items():
                db.execute(
                    update(Sentence)
                    .where(Sentence.id == sid)
                    .values(text=s["text"], version=s["version"], position=s["position"])
                )
            db.execute(update(Policy).where(Policy.id == pid).values(seq=seq))
            db.commit()

        stages = [n for n in (1_000, 10_000, 100_000) if n < args.revisions] + [args.revisions]
        for target in stages:
            began = time.monotonic()
            seed(target)
            seeded = time.monotonic() - began
            db.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.execute(text("ANALYZE"))
            db.commit()
            size = sum(f.stat().st_size for f in folder.glob("codraft.db*"))
            revs = db.scalar(select(Revision.id).order_by(Revision.id.desc()).limit(1))
            print(
                f"\n{revs:,} revisions ({seq:,} ops; seeded in {seeded:.1f} s); "
                f"database {size / 1e6:.1f} MB"
            )
            policy = db.get(Policy, pid)
            read, diff_t, first_page, deep_page = [], [], [], []
            cps = list(db.scalars(select(Checkpoint).where(Checkpoint.policy_id == pid)))
            for _ in range(args.reads):
                db.expire_all()
                moment = start + (clock - start) * rng.random()
                t = time.perf_counter()
                point = history.resolve_point(db, policy, "time:" + moment.isoformat())
                outline = history.state_at(db, policy, point).outline()
                read.append(time.perf_counter() - t)
                assert outline
                if len(cps) >= 2:
                    a, b = sorted(rng.sample(cps, 2), key=lambda c: c.seq)
                    specs = (f"checkpoint:{a.id}", f"checkpoint:{b.id}")
                else:
                    specs = (f"seq:{rng.randint(6, seq)}", "now")
                t = time.perf_counter()
                pa = history.resolve_point(db, policy, specs[0])
                pb = history.resolve_point(db, policy, specs[1])
                diffs.compare(history.state_at(db, policy, pa), history.state_at(db, policy, pb))
                diff_t.append(time.perf_counter() - t)
                section = rng.choice(sections)
                t = time.perf_counter()
                history.timeline(db, pid, section_id=section.id)
                first_page.append(time.perf_counter() - t)
                t = time.perf_counter()
                history.timeline(db, pid, section_id=section.id, before=rng.randint(6, seq))
                deep_page.append(time.perf_counter() - t)
            print(f"  read the policy at a random moment   {ms(read)}")
            print(
                f"  diff two checkpoints                 {ms(diff_t)}"
                f"{'' if len(cps) >= 2 else '   (a past seq against now: <2 checkpoints)'}"
            )
            print(f"  section timeline, first page         {ms(first_page)}")
            print(f"  section timeline, a page in the past {ms(deep_page)}")
    if not args.keep:
        for f in folder.glob("codraft.db*"):
            os.remove(f)


if __name__ == "__main__":
    main()
