"""SQLite's writers in one process wait for each other cooperatively
(server.sqlite_writer), never in SQLite's busy handler for a greenlet of their own
process.

The gevent case runs in a process of its own, patched as `codraft serve` is: many
greenlets write at once, through the ORM's statements and through the driver's
(server.driver_sql), each yielding inside its transaction, while a scheduled-job
style session that must not wait is refused at once rather than blocked. Without
the lock the same mix stops: a greenlet waits for SQLite's lock in C in the hub's
thread, so the greenlet holding it never runs again to commit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from server.db import Database, without_lock_waits

ROOT = Path(__file__).resolve().parents[1]

WRITERS = textwrap.dedent(
    """
    import sys
    if sys.argv[2] == "gevent":
        from gevent import monkey
        monkey.patch_all()
    import json, random, threading, time
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert, text
    from server.db import Database, without_lock_waits
    from server.driver_sql import Statement

    database = Database("sqlite:///" + sys.argv[1])
    rows = Table("rows", MetaData(), Column("id", Integer, primary_key=True),
                 Column("who", String), Column("n", Integer))
    rows.metadata.create_all(database.engine)
    add = Statement(insert(rows), keys=["who", "n"])
    random.seed(14)
    refused, done = [], []

    def writer(who):
        for n in range(20):
            db = database.session
            try:
                db.execute(text("SELECT count(*) FROM rows")).scalar()
                if n % 2:
                    add.run(db, {"who": who, "n": n})
                else:
                    db.execute(rows.insert().values(who=who, n=n))
                time.sleep(random.random() / 1000)  # yield inside the transaction
                db.commit()
            finally:
                database.remove()
        done.append(who)

    def job():
        for _ in range(40):
            db = database.session
            try:
                with without_lock_waits(db):
                    db.execute(rows.insert().values(who="job", n=0))
                    db.commit()
            except Exception as exc:
                refused.append(type(exc).__name__)
                db.rollback()
            finally:
                database.remove()
            time.sleep(0.001)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(15)]
    threads.append(threading.Thread(target=job))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with database.engine.connect() as c:
        count = c.execute(text("SELECT count(*) FROM rows WHERE who != 'job'")).scalar()
    print(json.dumps({"done": len(done), "count": count, "refused": sorted(set(refused))}))
    """
)


@pytest.mark.parametrize("mode", ["gevent", "threads"])
def test_writers_in_one_process_all_commit(tmp_path, mode):
    """15 writers x 20 transactions that yield while holding the write lock, and a
    job that must not wait: every writer's rows are there, nobody hung, and the job
    was only ever refused as a locked database (tried again at its next run)."""
    out = subprocess.run(
        [sys.executable, "-c", WRITERS, str(tmp_path / "w.db"), mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,  # a deadlock would wait out SQLite's 30 s busy timeout many times
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["done"] == 15
    assert result["count"] == 15 * 20
    assert set(result["refused"]) <= {"OperationalError"}


def test_a_writer_that_must_not_wait_is_refused_while_another_writes(tmp_path):
    """The lock is per engine and held from the first write to the commit: a
    no-wait session meets it as SQLite's own "database is locked", and gets it
    once the first transaction ends."""
    database = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with database.engine.begin() as c:
        c.execute(text("CREATE TABLE t (x INTEGER)"))
    first = database.engine.connect()
    first.execute(text("INSERT INTO t VALUES (1)"))  # holds the lock until commit
    other = database.session
    with without_lock_waits(other), pytest.raises(OperationalError, match="locked"):
        other.execute(text("INSERT INTO t VALUES (2)"))
    other.rollback()
    first.commit()
    first.close()
    with without_lock_waits(other):
        other.execute(text("INSERT INTO t VALUES (3)"))
        other.commit()
    database.remove()
    with database.engine.connect() as c:
        assert c.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 3]
