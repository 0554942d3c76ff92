"""Notifications at scale (issue 13), on SQLite in a temporary folder:

1. The digest the day before a session, for a group of 200 members with 1,000
   changes since the last session: build each member's count and open votes,
   record 200 notifications and 200 emails in the outbox. Bound: under 5 s.
2. What 5 mentions add to posting a comment: median POST time with 5 mentions
   minus without any, and the time inside the request's commit spent writing
   the event down for notifications. Bound: under 10 ms. The notifications and
   the 5 emails are made right after the commit, outside the request, and sent
   later by the jobs; that time is printed too.

    .venv/bin/python bench/notifications.py                  # ~2 minutes
    .venv/bin/python bench/notifications.py --members 50 --changes 200 --posts 20

Everything is made through the real services and the JSON API (Flask's test
client, so no network in the figures). docs/performance.md records the results.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


HOOK_TIMES: list[float] = []


def _time_the_hook() -> None:
    """Time what notifications add inside each commit (the before-commit hook that
    writes the event down), apart from the request around it."""
    from server.realtime import notifications_feed

    real = notifications_feed._before_commit

    def timed(db):
        started = time.perf_counter()
        try:
            return real(db)
        finally:
            HOOK_TIMES.append(time.perf_counter() - started)

    notifications_feed._before_commit = timed


def build(folder: Path, members: int, changes: int):
    from argon2 import PasswordHasher

    from server import create_app
    from server.accounts import passwords
    from server.migrate import upgrade

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._hasher = lambda: cheap  # seeding 200 accounts, not measuring argon2
    url = f"sqlite:///{folder / 'codraft.db'}"
    upgrade(url)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "SMTP_URL": "smtp://127.0.0.1:2525",  # never contacted: nothing is sent here
            "MAIL_FROM": "codraft@example.org",
            "BASE_URL": "http://codraft.test",
        }
    )
    return app


def seed(app, n_members: int, n_changes: int):
    from server.accounts.services import create_api_token, create_user
    from server.editing import services as editing
    from server.groups.models import Membership, Role
    from server.groups.services import add_to_subgroup, create_group, create_subgroup, get_member
    from server.meetings.services import schedule, start
    from server.policies.models import Section
    from server.policies.services import create_policy, create_section
    from server.sync.ordering import Place

    db = app.extensions["codraft_db"].session
    chair = create_user(db, "chair@example.org", "Chair Person", "bench password 1")
    group = create_group(db, chair, "Bench group")
    users = [chair]
    for i in range(n_members - 1):
        u = create_user(db, f"member{i}@example.org", f"Member Number{i}", "bench password 1")
        db.add(Membership(group_id=group.id, user_id=u.id, role=Role.PARENT_CARER))
        users.append(u)
    db.commit()
    sub = create_subgroup(db, group, "Writers")
    add_to_subgroup(db, sub, get_member(db, group.id, chair.id))
    policy = create_policy(db, group, chair, "Bench policy", "", ["Part one"])
    sections = [
        create_section(
            db,
            policy.parts[0],
            chair,
            title=f"Section {i}",
            subgroup_id=sub.id,
            kind="text",
            text="A first sentence. A second sentence.",
        )
        for i in range(10)
    ]
    db.commit()
    first = schedule(db, group, chair, title="Last session", starts_at=datetime.now(UTC))
    start(db, first, chair)
    db.commit()
    for i in range(n_changes):
        section = db.get(Section, sections[i % len(sections)].id)
        editing.insert(
            db, section, chair, f"A new sentence number {i} about budgets.", Place(at="end")
        )
        if i % 100 == 99:
            db.commit()
    db.commit()
    # The next session, tomorrow; its "planned" notification is made here, not timed.
    upcoming = schedule(
        db, group, chair, title="Next session", starts_at=datetime.now(UTC) + timedelta(hours=20)
    )
    db.commit()
    token, _ = create_api_token(db, chair, "bench")
    db.commit()
    return group, sections[0].id, users, upcoming, token


def digest_time(app) -> tuple[float, int]:
    from server import jobs
    from server.notifications import scheduled

    database = app.extensions["codraft_db"]
    delivery = jobs.delivery_from(app.config)
    started = time.perf_counter()
    told = scheduled.session_soon(database.session, datetime.now(UTC), delivery)
    database.commit()
    return time.perf_counter() - started, len(told)


def post_times(app, section_id: int, token: str, users, posts: int) -> tuple[list, list]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    names = " ".join(f"@{u.display_name}" for u in users[1:6])

    def post(body: str) -> float:
        started = time.perf_counter()
        reply = client.post(
            f"/api/v1/sections/{section_id}/comments", json={"body": body}, headers=headers
        )
        took = time.perf_counter() - started
        assert reply.status_code == 201, reply.get_data(as_text=True)
        return took

    from server import jobs
    from server.notifications import pending

    database = app.extensions["codraft_db"]
    delivery = jobs.delivery_from(app.config)
    plain, mentions, hook, after = [], [], [], []
    for i in range(posts):  # interleaved, so load on the machine hits both alike
        plain.append(post(f"A comment with no mentions, number {i}."))
        pending.process(database.session, delivery)
        HOOK_TIMES.clear()
        mentions.append(post(f"A comment for {names}, number {i}."))
        hook.append(sum(HOOK_TIMES))
        started = time.perf_counter()
        pending.process(database.session, delivery)  # what a live server does after commit
        after.append(time.perf_counter() - started)
    return plain, mentions, hook, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=60)
    args = parser.parse_args()
    _time_the_hook()
    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp), args.members, args.changes)
        with app.app_context():
            t0 = time.perf_counter()
            _group, section_id, users, _upcoming, token = seed(app, args.members, args.changes)
            print(
                f"seeded {args.members} members, {args.changes} changes in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            from server.notifications.counts import changed_counts

            db = app.extensions["codraft_db"].session
            counts = changed_counts(db, _group.id, [users[1].id])
            print(f"a member's 'what changed' count: {counts[users[1].id]}")
            took, told = digest_time(app)
            print(f"day-before digest: {told} members told, {took:.2f} s (bound 5 s)")
            plain, mentions, hook, after = post_times(app, section_id, token, users, args.posts)
            p50, m50 = statistics.median(plain), statistics.median(mentions)
            print(
                f"writing the event down inside the request's commit: "
                f"median {statistics.median(hook) * 1000:.1f} ms, "
                f"p90 {statistics.quantiles(hook, n=10)[-1] * 1000:.1f} ms"
            )
            print(
                f"after the commit, outside the request: 5 notifications and 5 emails "
                f"recorded in median {statistics.median(after) * 1000:.1f} ms"
            )
            print(
                f"POST comment: no mentions median {p50 * 1000:.1f} ms, "
                f"5 mentions median {m50 * 1000:.1f} ms, "
                f"added {(m50 - p50) * 1000:.1f} ms (bound 10 ms); "
                f"p90 {statistics.quantiles(plain, n=10)[-1] * 1000:.1f} / "
                f"{statistics.quantiles(mentions, n=10)[-1] * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
