"""What do mentions add to posting a comment? In a group of 200 members, the same
comment is posted through the API (POST /api/v1/sections/{id}/comments, Flask test
client, SQLite) with no mention and with five, alternately, and the request times
are compared: the difference is finding the names, storing five Mention rows and
showing them. Issue 13's bound: under 10 ms. Email is not sent in the request.

    .venv/bin/python bench/mentions.py            # 300 comments of each, ~1 minute
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=300, help="comments of each kind")
    args = parser.parse_args()

    from server import create_app
    from server.accounts.services import create_api_token, create_user
    from server.groups.models import Membership, Role
    from server.groups.services import create_group, create_subgroup
    from server.migrate import upgrade
    from server.policies import services as policies

    folder = Path(tempfile.mkdtemp(prefix="codraft-bench-mentions-"))
    url = f"sqlite:///{folder / 'codraft.db'}"
    upgrade(url)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-mentions-secret-key",
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "ASYNC_MODE": "threading",
        }
    )
    names = ["Tom O'Neill", "Tom & Jerry", "Zoë Adams", "Ана Петрова", "李雷"]
    with app.app_context():
        db = app.extensions["codraft_db"].session
        chair = create_user(db, "chair@example.org", "Chair", None)
        group = create_group(db, chair, "Bench group")
        people = [
            create_user(db, f"m{i}@example.org", names[i] if i < 5 else f"Member {i}", None)
            for i in range(199)
        ]
        db.add_all(
            Membership(group_id=group.id, user_id=u.id, role=Role.PARENT_CARER) for u in people
        )
        sub = create_subgroup(db, group, "Writers")
        policy = policies.create_policy(db, group, chair, "Policy", "", ["One"])
        section = policies.create_section(
            db, policy.parts[0], chair, title="S", subgroup_id=sub.id, text="Some words here."
        )
        token = create_api_token(db, people[10], "bench")[0]
        db.commit()
        section_id = section.id
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    plain = "Thanks all, I agree with the change to the second sentence and the new example."
    mentioning = "Thanks @Tom O'Neill, @Tom & Jerry, @Zoë Adams, @Ана Петрова and @李雷, I agree."
    times: dict[str, list[float]] = {"no mention": [], "5 mentions": []}
    cpu: dict[str, list[float]] = {"no mention": [], "5 mentions": []}
    for i in range(args.posts * 2 + 20):
        kind, body = ("no mention", plain) if i % 2 else ("5 mentions", mentioning)
        t, c = time.perf_counter(), time.process_time()
        reply = client.post(
            f"/api/v1/sections/{section_id}/comments", json={"body": body}, headers=headers
        )
        wall, used = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
        assert reply.status_code == 201, reply.get_json()
        if i >= 20:  # warmed up
            times[kind].append(wall)
            cpu[kind].append(used)
        if kind == "5 mentions":
            assert len(reply.get_json()["mentions"]) == 5
    print("POST a comment (ms)       p50 wall  p50 CPU")
    for kind in times:
        wall, used = statistics.median(times[kind]), statistics.median(cpu[kind])
        print(f"  {kind:<22} {wall:8.1f} {used:8.1f}")
    print(
        "  added by 5 mentions    "
        f"{statistics.median(times['5 mentions']) - statistics.median(times['no mention']):8.1f} "
        f"{statistics.median(cpu['5 mentions']) - statistics.median(cpu['no mention']):8.1f}"
    )


if __name__ == "__main__":
    main()
