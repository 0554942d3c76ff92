"""How fast does a revocation end the sockets it should? For each way of losing
access (sign-out, password change, account disabled, token revoked, removal from
the group) this opens SOCKETS sockets of one person (half of them having sent a
fake `disconnect` event first), all joined to a policy, revokes, and times until
the last of them has received `access_revoked` and been disconnected.

Two figures per run: from the moment the revoking request was sent (a sign-out
and a password change first load their page for its form token: that is in it)
and from the moment its HTTP reply arrived (negative: the sockets were gone
first). The account is disabled as `codraft disable-user` does it (another
process, with the servers' message queue if there is one), timed from its commit.
docs/protocol.md ("access_revoked") records the figures.

    .venv/bin/python bench/cutoff.py                    # one process, SQLite
    .venv/bin/python bench/cutoff.py --two              # two processes, PostgreSQL + Redis
    .venv/bin/python bench/cutoff.py --runs 5 --sockets 6
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import create_app  # noqa: E402
from server.accounts.services import set_active  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from tests.conftest import Factory, LiveServer  # noqa: E402
from tests.realtime.conftest import build_world, start_patiently  # noqa: E402
from tests.realtime.test_revocation import PATHS, REASON, revoke, victim  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"


def postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def one_run(path, world, make, socket_url, revoke_url, cli, sockets):
    who = victim(make, world, path, socket_url)
    clients = [who.socket(socket_url) for _ in range(sockets)]
    try:
        for n, sock in enumerate(clients):
            assert sock.join(world["policy"].id)["ok"]
            if n % 2:
                sock.call("disconnect", {})
        done_at: dict[int, float] = {}
        for n, sock in enumerate(clients):
            sock.sio.on("disconnect", lambda *_a, n=n: done_at.setdefault(n, time.monotonic()))
        sent = time.monotonic()
        if path == "account_disabled":
            # What `codraft disable-user` does, without its seconds of start-up: this
            # process commits with the servers' message queue (if any) and no sockets.
            set_active(make.db, who.user, False)
            make.db.commit()
        else:
            revoke(path, who, revoke_url, make, world, cli)
        replied = time.monotonic()
        deadline = time.monotonic() + 30
        while len(done_at) < len(clients) and time.monotonic() < deadline:
            time.sleep(0.002)
        if len(done_at) < len(clients):
            return None
        reasons = {s.revoked[0]["reason"] if s.revoked else None for s in clients}
        assert reasons == {REASON[path]}, reasons
        last = max(done_at.values())
        return (last - sent) * 1000, (last - replied) * 1000
    finally:
        for sock in clients:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--two", action="store_true", help="two processes, PostgreSQL + Redis")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sockets", type=int, default=4)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="codraft-cutoff-"))
    config = {"INSTANCE_PATH": str(tmp), "SECRET_KEY": "cutoff-bench-secret", "TESTING": True}
    env: dict = {}
    name = f"codraft_bench_{uuid.uuid4().hex[:8]}"
    if args.two:
        postgres(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        upgrade(url)
        config["DATABASE_URL"] = url
        config["MESSAGE_QUEUE"] = REDIS
        env = {
            "CODRAFT_DATABASE_URL": url,
            "CODRAFT_MESSAGE_QUEUE": REDIS,
            "CODRAFT_MESSAGE_QUEUE_CHANNEL": f"codraft-bench-{uuid.uuid4().hex[:8]}",
        }
        config["MESSAGE_QUEUE_CHANNEL"] = env["CODRAFT_MESSAGE_QUEUE_CHANNEL"]
    else:
        upgrade(f"sqlite:///{tmp / 'codraft.db'}")
    app = create_app(config)
    make = Factory(app)
    world = build_world(make)
    servers = [start_patiently(LiveServer(tmp, env=env))]
    if args.two:
        servers.append(start_patiently(LiveServer(tmp, env=env)))
    socket_url, revoke_url = servers[0].url, servers[-1].url
    cli = {"instance": tmp, "env": env} if env else {"instance": tmp}
    try:
        where = "two processes (PostgreSQL + Redis)" if args.two else "one process (SQLite)"
        print(f"{where}; {args.sockets} sockets a run, {args.runs} runs a path; ms, median / max")
        print(f"{'path':<20} {'from request':>18} {'from reply':>18}  reason")
        for path in PATHS:
            runs = [
                one_run(path, world, make, socket_url, revoke_url, cli, args.sockets)
                for _ in range(args.runs)
            ]
            ok = [r for r in runs if r]
            lost = len(runs) - len(ok)
            a = [r[0] for r in ok]
            b = [r[1] for r in ok]
            print(
                f"{path:<20} {statistics.median(a):>8.0f} / {max(a):>6.0f}  "
                f"{statistics.median(b):>8.0f} / {max(b):>6.0f}  {REASON[path]}"
                + (f"  ({lost} runs not cut off in 30 s)" if lost else "")
            )
    finally:
        for server in servers:
            server.stop()
        make.db.close()
        app.extensions["codraft_db"].engine.dispose()
        if args.two:
            postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
