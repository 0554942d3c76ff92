"""How fast is search in a big group? A group with 2,000 sentences (40 sections of
50), 400 comments and 100 suggestions, beside a second group just as big with the
same words (so the group filter is paid for), is searched with a mix of queries:
a common word, a rare one, two words, a word's start, a word found nowhere.

Timed: the search service alone (database + snippets), and the whole API request
(GET /api/v1/groups/{id}/search through the Flask test client: token check, group
access, search, JSON). Prints p50, p95, p99 and max per query and overall, in wall
clock time and in this process's CPU time (SQLite runs in the process, so on a
shared machine CPU time is the cost without the wait for a turn on a core).
docs/performance.md ("Search") records the figures; the target is p99 < 50 ms.

    .venv/bin/python bench/search.py                       # SQLite (FTS5)
    .venv/bin/python bench/search.py --searches 1000
    .venv/bin/python bench/search.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

With --postgres a fresh database is created on that server and dropped after.
Everything is made through the real services, so the index is built by the same
triggers (SQLite) that keep it in step with every change.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXT = """
A Personal Budget is an amount of money identified by the local authority to deliver
some of the provision set out in an Education Health and Care Plan You can ask for one
when the plan is drafted or reviewed for example at the annual review meeting We will
tell you in writing within four weeks whether we agree and how the money can be used
Parents carers and young people can receive the budget as a direct payment or ask the
council or school to arrange the support for them If we say no you can ask us to think
again talk to the independent information advice and support service or appeal to the
tribunal The budget must be spent on the outcomes agreed in the plan and records should
be kept of what was bought Schools colleges health services and social care teams work
"""
WORDS = TEXT.split()
QUERIES = ["budget", "tribunal", "annual review", "pay", "carers plan", "minibus"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."


def seed(db, make_token, rng: random.Random, sentences: int):
    from server.accounts.services import create_user
    from server.groups.models import Membership, Role
    from server.groups.services import add_to_subgroup, create_group, create_subgroup
    from server.policies import services as policies
    from server.review import comments, proposals

    made = []
    for g in range(2):
        users = [
            create_user(db, f"m{g}-{i}@example.org", f"Member {g}-{i}", None) for i in range(5)
        ]
        group = create_group(db, users[0], f"Group {g}")
        members = [
            Membership(group_id=group.id, user_id=u.id, role=Role.PARENT_CARER) for u in users[1:]
        ]
        db.add_all(members)
        db.flush()
        sub = create_subgroup(db, group, "Writers")
        for m in members:
            add_to_subgroup(db, sub, m)
        policy = policies.create_policy(db, group, users[0], f"Policy {g}", "", ["One", "Two"])
        per_section = 50
        sections = []
        for n in range(sentences // per_section):
            body = " ".join(sentence(rng) for _ in range(per_section))
            sections.append(
                policies.create_section(
                    db,
                    policy.parts[n % 2],
                    users[0],
                    title=f"Section {n} {rng.choice(WORDS)}",
                    subgroup_id=sub.id,
                    text=body,
                )
            )
        for _ in range(400):
            comments.add(db, rng.choice(sections), rng.choice(members), sentence(rng))
        for _ in range(100):
            section = rng.choice(sections)
            proposals.create(
                db,
                section,
                rng.choice(members),
                kind="rewrite",
                reason=sentence(rng),
                text=" ".join(sentence(rng) for _ in range(3)),
            )
        db.commit()
        made.append((group, make_token(db, users[1])))
    return made[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=2000, help="sentences per group")
    parser.add_argument("--searches", type=int, default=600, help="timed searches of each way")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()

    from server import create_app
    from server.accounts.services import create_api_token
    from server.migrate import upgrade
    from server.search import services as search

    folder = Path(tempfile.mkdtemp(prefix="codraft-bench-search-"))
    dropping = None
    if args.postgres:
        import psycopg

        name = f"codraft_bench_{uuid.uuid4().hex[:8]}"
        admin = args.postgres.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = args.postgres.rsplit("/", 1)[0] + "/" + name
        dropping = (admin, name)
    else:
        url = f"sqlite:///{folder / 'codraft.db'}"
    try:
        upgrade(url)
        app = create_app(
            {
                "INSTANCE_PATH": str(folder),
                "DATABASE_URL": url,
                "SECRET_KEY": "bench-search-secret-key",
                "TESTING": True,
                "RATELIMIT_ENABLED": False,
                "ASYNC_MODE": "threading",
            }
        )
        rng = random.Random(2026)
        with app.app_context():
            db = app.extensions["codraft_db"].session
            started = time.perf_counter()
            group, token = seed(
                db, lambda d, u: create_api_token(d, u, "bench")[0], rng, args.sentences
            )
            db.commit()
            if args.postgres:  # what autovacuum does on a live server soon after a load
                with db.get_bind().connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
            print(
                f"{'PostgreSQL' if args.postgres else 'SQLite'}: 2 groups of {args.sentences} "
                f"sentences, 400 comments, 100 suggestions each; seeded in "
                f"{time.perf_counter() - started:.1f} s"
            )
            group_id = group.id
            for q in QUERIES:  # warm up
                search.search(db, group_id, q)
            ways = {}
            service = {q: [] for q in QUERIES}
            service_cpu = {q: [] for q in QUERIES}
            for i in range(args.searches):
                q = QUERIES[i % len(QUERIES)]
                t, c = time.perf_counter(), time.process_time()
                found = search.search(db, group_id, q)
                service[q].append((time.perf_counter() - t) * 1000)
                service_cpu[q].append((time.process_time() - c) * 1000)
                db.rollback()  # end the read, as a request does
            ways["service, wall clock"] = service
            ways["service, CPU time of this process"] = service_cpu
            hits = {q: len(search.search(db, group_id, q).hits) for q in QUERIES}
            del found
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        api = {q: [] for q in QUERIES}
        api_cpu = {q: [] for q in QUERIES}
        for i in range(args.searches):
            q = QUERIES[i % len(QUERIES)]
            t, c = time.perf_counter(), time.process_time()
            reply = client.get(
                f"/api/v1/groups/{group_id}/search", query_string={"q": q}, headers=headers
            )
            api[q].append((time.perf_counter() - t) * 1000)
            api_cpu[q].append((time.process_time() - c) * 1000)
            assert reply.status_code == 200, reply.get_json()
        ways["API request, wall clock"] = api
        ways["API request, CPU time of this process"] = api_cpu
        app.extensions["codraft_db"].remove()
        app.extensions["codraft_db"].engine.dispose()

        for way, timings in ways.items():
            print(f"\n{way} (ms)\n  {'query':<16} {'hits':>5}    p50    p95    p99    max")
            for q, values in timings.items():
                print(
                    f"  {q:<16} {hits[q]:>5} {statistics.median(values):6.1f} "
                    f"{pct(values, 95):6.1f} {pct(values, 99):6.1f} {max(values):6.1f}"
                )
            every = [v for values in timings.values() for v in values]
            print(
                f"  {'all':<16} {'':>5} {statistics.median(every):6.1f} "
                f"{pct(every, 95):6.1f} {pct(every, 99):6.1f} {max(every):6.1f}"
            )
    finally:
        if dropping:
            import psycopg

            with psycopg.connect(dropping[0], autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dropping[1]}" WITH (FORCE)')


if __name__ == "__main__":
    main()
