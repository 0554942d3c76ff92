"""How big and slow are the pages issue 11 found heavy? Sub-groups, review, pack.

Builds a group with SUBGROUPS sub-groups and MEMBERS members (each sub-group with
a few members), and a policy with SENTENCES changed sentences, in a fresh SQLite
instance, then times the facilitator's sub-groups page, the review page and the
session pack through the Flask test client and prints their sizes.

    .venv/bin/python bench/heavy_pages.py                    # 400 x 500, 900 sentences
    .venv/bin/python bench/heavy_pages.py --subgroups 2400 --members 1925

Before issue 11 the sub-groups page grew with sub-groups x members (2,400 x 1,925
gave 524 MB in 54 s); now it is one page of 20 sub-groups and a search.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subgroups", type=int, default=400)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--sentences", type=int, default=900)  # one paste: up to 1,000
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="codraft-bench-"))
    os.environ["CODRAFT_INSTANCE_PATH"] = str(folder)
    from server import create_app
    from server.migrate import upgrade

    url = f"sqlite:///{folder / 'codraft.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789"})
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    from tests.conftest import Factory, sign_in

    with app.app_context():
        db = app.extensions["codraft_db"].session
        make = Factory(app)
        chair = make.user("Fatima Facilitator", "fatima@example.org")
        group = make.group(chair, "Bench group")
        ships = [
            make.member(group, make.user(f"Member {n:05d}", f"m{n}@example.org"), "parent_carer")
            for n in range(args.members)
        ]
        for n in range(args.subgroups):
            make.subgroup(group, f"Sub-group {n:05d}", members=ships[n % len(ships) :][:3])
        policy = make.policy(group, chair, "Bench policy")
        text = " ".join(f"Sentence number {n} of the bench." for n in range(args.sentences))
        writers = make.subgroup(group, "Writers", members=ships[:3])
        make.section(policy.parts[0], chair, writers, "Long section", text=text)
        db.commit()
        group_id = group.id

    client = app.test_client()
    sign_in(client, "fatima@example.org")
    for name, path in (
        ("sub-groups page", f"/groups/{group_id}/subgroups"),
        ("review page", f"/groups/{group_id}/review"),
    ):
        started = time.perf_counter()
        res = client.get(path)
        took = time.perf_counter() - started
        print(f"{name:18} {res.status_code}  {len(res.data) / 1024:10.1f} KiB  {took:6.2f} s")


if __name__ == "__main__":
    main()
