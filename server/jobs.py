"""Scheduled work, all in one place.

Each `Job` names a plain domain function `run(db, now)` that does its work and
flushes. The server process runs the due ones in the background (`start`), each
in its own transaction; `codraft jobs [--once]` runs them from cron or by hand
instead. Running a job twice at once (two processes, or the server and cron) is
safe: each job's work claims its rows (e.g. a vote is closed only if it is still
open).

Nothing else in the server does work on a timer or while reading: pages and the
API only read, so a GET never changes policy text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from server.db import utcnow
from server.review import votes

log = logging.getLogger(__name__)
TICK_SECONDS = 1  # how often the runner looks for due jobs


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[Session, datetime], object]


JOBS: list[Job] = [
    # A vote whose time is up (or that everyone has voted in) records its outcome
    # and carries it out: an approved proposal changes the text.
    Job("close_due_votes", 30, votes.close_due),
]


def run_job(database, job: Job, now: datetime | None = None) -> object:
    """Run one job in its own transaction: committed if it succeeds, rolled back
    (and logged) if it fails, so one failing job never holds up the others."""
    now = now or utcnow()
    db = database.session
    try:
        result = job.run(db, now)
        database.commit()
        return result
    except Exception:
        db.rollback()
        log.exception("scheduled job %s failed", job.name)
        return None


def run_all(database, now: datetime | None = None, jobs: list[Job] | None = None) -> dict:
    """Run every job once (what `codraft jobs --once` does). Returns each job's result."""
    return {job.name: run_job(database, job, now) for job in jobs or JOBS}


class Runner:
    """Runs each job when its interval has passed since it last ran."""

    def __init__(self, jobs: list[Job] | None = None, clock: Callable[[], float] = time.monotonic):
        self.jobs = list(jobs or JOBS)
        self.clock = clock
        self.last: dict[str, float] = {}

    def due(self) -> list[Job]:
        now = self.clock()
        return [
            job
            for job in self.jobs
            if job.name not in self.last or now - self.last[job.name] >= job.every_seconds
        ]

    def tick(self, database) -> list[str]:
        ran = []
        for job in self.due():
            self.last[job.name] = self.clock()
            run_job(database, job)
            ran.append(job.name)
        return ran


def start(app, sleep: Callable[[float], object], spawn: Callable) -> None:
    """Start the runner inside a server process (`codraft serve` and `run` set
    RUN_JOBS; other commands and tests run jobs themselves). `sleep` and `spawn`
    are the async library's, so the runner is a green thread next to the sockets."""
    if not app.config.get("RUN_JOBS") or app.config.get("TESTING"):
        return
    if app.extensions.get("codraft_jobs"):
        return
    app.extensions["codraft_jobs"] = True
    runner = Runner()

    def loop():
        database = app.extensions["codraft_db"]
        while True:
            sleep(TICK_SECONDS)
            try:
                with app.app_context():
                    runner.tick(database)
            except Exception:
                log.exception("scheduled jobs failed")
            finally:
                database.remove()

    spawn(loop)
