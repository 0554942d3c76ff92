"""CPU time of one `edit_sentence` in process: no network, no fan-out, no clients.

Seeds an instance with bench/live_edit.py's seed (in a subprocess: Flask-SocketIO
binds socket handlers to the first app a process creates), then sends edits
through Flask-SocketIO's test client in threading mode and prints the process CPU
time per edit (best and median of B batches of N) and the SQL statements SQLite ran
per edit (BEGIN and COMMIT included).
CPU time rather than wall time, so that other work on the machine disturbs it less.

    NORMAL=1 .venv/bin/python bench/inproc_edit.py       # synchronous=NORMAL: no fsync
    ROOT=/other/checkout .venv/bin/python bench/inproc_edit.py   # measure other code
    PROF=1 .venv/bin/python bench/inproc_edit.py         # and a cProfile of one batch
    PROF=1 SORT=tottime ROWS=60 .venv/bin/python bench/inproc_edit.py   # by own time
    SHOW_SQL=1 N=3 B=1 .venv/bin/python bench/inproc_edit.py   # and every statement
"""

from __future__ import annotations

import cProfile
import itertools
import json
import os
import pstats
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = os.environ.get("ROOT", str(Path(__file__).resolve().parent.parent))
sys.path[:0] = [ROOT, ROOT + "/bench"]

import live_edit  # noqa: E402
from diff_match_patch import diff_match_patch  # noqa: E402


def main() -> None:
    if os.environ.get("SEED_ONLY"):
        print(json.dumps(live_edit.seed(Path(os.environ["SEED_ONLY"]), 3)))
        return
    folder = Path(tempfile.mkdtemp(prefix="codraft-inproc-"))
    data = json.loads(
        subprocess.run(
            [sys.executable, __file__],
            check=True,
            text=True,
            capture_output=True,
            env={**os.environ, "SEED_ONLY": str(folder)},
        ).stdout
    )
    from sqlalchemy import event

    from server import create_app
    from server.extensions import socketio
    from server.realtime.limits import buckets

    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": live_edit.SECRET,
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'codraft.db'}",
            "ASYNC_MODE": "threading",
        }
    )
    engine = app.extensions["codraft_db"].engine
    count = {"n": 0}

    def _count(sql):
        # A trigger's statements come as "-- ..." and its statement again: not counted.
        if not sql.startswith("--") and sql != count.get("last"):
            count["n"] += 1
        count["last"] = sql
        if os.environ.get("SHOW_SQL"):
            print(sql[:150].replace("\n", " "))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # SQLite's own trace: statements run on the driver (server.driver_sql) and
        # BEGIN / COMMIT / SAVEPOINT count too, which SQLAlchemy's events do not see.
        dbapi_conn.set_trace_callback(_count)
        if os.environ.get("NORMAL"):
            dbapi_conn.execute("PRAGMA synchronous=NORMAL")

    engine.dispose()  # connections opened at start-up had neither

    socketio.server.async_handlers = False  # acks come back from emit()
    buckets.rate = buckets.burst = 1e9
    me = socketio.test_client(app, auth={"token": data["tokens"][0]})
    other = socketio.test_client(app, auth={"token": data["tokens"][1]})
    for client, cid in ((me, "a" * 16), (other, "b" * 16)):
        joined = client.emit(
            "join_policy", {"policy_id": data["policy_id"], "client_id": cid}, callback=True
        )
        assert joined["ok"], joined
    state = {s["id"]: [s["text"], s["version"]] for s in data["sentences"]}
    dmp, rng = diff_match_patch(), random.Random(1)
    refs = itertools.count(1)  # a new ref per request: the same one is done only once

    def one() -> None:
        sid = rng.choice(list(state))
        text, version = state[sid]
        at = rng.randrange(len(text))
        new = text[:at] + rng.choice(string.ascii_lowercase) + text[at:]
        if len(new) > 90:
            new = text[:at] + text[at + 1 :]
        ack = me.emit(
            "edit_sentence",
            {
                "id": sid,
                "base_version": version,
                "ref": next(refs),
                "patch": dmp.patch_toText(dmp.patch_make(text, new)),
            },
            callback=True,
        )
        assert ack.get("ok"), ack
        state[sid] = [new, version + 1]

    for _ in range(50):
        one()
    n, batches, times = int(os.environ.get("N", 100)), int(os.environ.get("B", 7)), []
    for _ in range(batches):
        me.get_received()
        other.get_received()
        count["n"] = 0
        started = time.process_time()
        for _ in range(n):
            one()
        times.append((time.process_time() - started) / n)
    times.sort()
    print(
        f"best {times[0] * 1000:.3f} median {times[len(times) // 2] * 1000:.3f} ms CPU per "
        f"edit, {count['n'] / n:.1f} statements"
    )
    if os.environ.get("PROF"):
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(n):
            one()
        profile.disable()
        order, rows = os.environ.get("SORT", "cumulative"), int(os.environ.get("ROWS", 40))
        pstats.Stats(profile).sort_stats(order).print_stats(rows)


if __name__ == "__main__":
    main()
