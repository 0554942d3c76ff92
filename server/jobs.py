"""Scheduled work, all in one place: a list of `Job(name, every_seconds, run)`.

`run(db, now)` is a plain domain function that does its work and flushes. The
runner calls the due ones, each in its own transaction: inside the server process
(`codraft serve` and `run` set RUN_JOBS; a deployment that prefers cron sets
CODRAFT_JOBS_IN_SERVER=0) and from `codraft jobs [--once]`. Every job is safe to
run twice or in two processes at once (unique keys, claimed rows: a vote is closed
only if it is still open, a mail is sent by whoever claimed it), so running both,
or several servers, does each piece of work once.

Nothing else in the server does work on a timer or while reading: pages and the
API only read, so a GET never changes policy text.

`PROCESS_JOBS` is a second list, run by every serving process (`serve`, `run`)
whether or not it runs `JOBS`, and never by `codraft jobs`: they look after the
sockets connected to that process, which only it knows (server/realtime/
broadcast.py keeps them in memory). Cutting off sockets whose credential ended
without an event reaching this process, marking its sockets alive and forgetting
those of processes that died cannot be done by cron or by another server.

Two jobs commit inside `run`: the outbox sender must commit its claim before
talking to the SMTP server and the result right after
(server/notifications/outbox.py says why), and `tell_pending` commits each
event's notifications with the deletion of the event
(server/notifications/pending.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.db import utcnow, without_lock_waits
from server.editing import clients
from server.notifications import outbox, pending, scheduled
from server.notifications.delivery import Delivery
from server.presence import services as presence
from server.realtime import broadcast
from server.review import votes

log = logging.getLogger(__name__)
TICK_SECONDS = 1  # how often the runner looks for due jobs


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[Session, datetime], object]


class _Settings:
    """What the notification jobs need from the configuration (set by `configure`)."""

    delivery: Delivery | None = None
    digest_hour: int = 17
    session_idle: object = None  # SESSION_IDLE: a sign-in unused this long has ended


_settings = _Settings()


def configure(config: dict) -> None:
    _settings.delivery = delivery_from(config)
    _settings.digest_hour = int(config.get("DIGEST_HOUR", 17))
    _settings.session_idle = config.get("SESSION_IDLE")


def delivery_from(config: dict) -> Delivery:
    return Delivery(
        mail=config.get("MAIL"),
        base_url=config.get("BASE_URL") or "",
        secret_key=config["SECRET_KEY"],
        time_zone=config.get("TIME_ZONE", "Europe/London"),
    )


def _delivery() -> Delivery:
    if _settings.delivery is None:
        raise RuntimeError("server.jobs.configure(app.config) was not called")
    return _settings.delivery


def tell_pending(db: Session, now: datetime) -> int:
    """Events a crash (or a test) left waiting: normally each is told right after its
    commit by a background task (server/realtime/notifications_feed.py)."""
    return pending.process(db, _delivery())


def send_outbox(db: Session, now: datetime) -> int:
    return outbox.send_due(db, now, _delivery().mail)


def vote_closing_reminders(db: Session, now: datetime) -> int:
    return len(scheduled.remind_closing_votes(db, now, _delivery()))


def session_digest(db: Session, now: datetime) -> int:
    return len(scheduled.session_soon(db, now, _delivery()))


def daily_digest(db: Session, now: datetime) -> int:
    return scheduled.daily_digest(db, now, _delivery(), _settings.digest_hour)


# The sender last, so `codraft jobs --once` sends what the others just recorded.
JOBS: list[Job] = [
    # A vote whose time is up (or that everyone has voted in) records its outcome
    # and carries it out: an approved proposal changes the text.
    Job("close_due_votes", 30, votes.close_due),
    Job("tell_pending", 2, tell_pending),
    Job("vote_closing_reminders", 300, vote_closing_reminders),
    Job("session_digest", 300, session_digest),
    Job("daily_digest", 300, daily_digest),
    Job("send_outbox", 2, send_outbox),
]


def check_credentials(db: Session, now: datetime) -> int:
    """Cut off this process's sockets whose credential ended by a route that sent no
    event here (an account disabled from the command line with no message queue,
    expiry, going idle)."""
    return broadcast.check_credentials(db, _settings.session_idle)


def presence_housekeeping(db: Session, now: datetime) -> None:
    """Mark this process's sockets alive, forget those of processes that died, and
    forget old client ids and requests (editing.clients)."""
    presence.refresh(db, broadcast.local_sids())
    presence.sweep(db)
    clients.sweep(db)


PROCESS_JOBS: list[Job] = [
    Job("check_credentials", 5, check_credentials),
    Job("presence_housekeeping", 30, presence_housekeeping),
]


def run_job(database, job: Job, now: datetime | None = None) -> object:
    """Run one job in its own transaction: committed if it succeeds, rolled back
    (and logged) if it fails, so one failing job never holds up the others. A job
    never waits for SQLite's write lock (db.without_lock_waits): if the database
    is busy it runs again at its next turn."""
    db = database.session
    try:
        with without_lock_waits(db):
            result = job.run(db, now or utcnow())
            database.commit()
        return result
    except OperationalError as exc:
        db.rollback()
        log.info("scheduled job %s will run again: %s", job.name, exc.orig)
        return None
    except Exception:
        db.rollback()
        log.exception("scheduled job %s failed", job.name)
        return None
    finally:
        database.remove()


def run_due(
    database, last_run: dict[str, float], now: datetime | None = None, jobs: list[Job] = JOBS
) -> dict:
    """Run each job whose interval has passed since `last_run` (monotonic seconds,
    updated in place). Returns each run job's result (None: it failed)."""
    done = {}
    for job in jobs:
        clock = time.monotonic()
        if clock - last_run.get(job.name, float("-inf")) < job.every_seconds:
            continue
        last_run[job.name] = clock
        done[job.name] = run_job(database, job, now)
    return done


def run_all(database, now: datetime | None = None) -> dict:
    """Every job once (`codraft jobs --once`, tests)."""
    return run_due(database, {}, now)


def start(app, sleep: Callable[[float], object], spawn: Callable) -> None:
    """Run the jobs in the background of a server process: only where the command
    asked for it (RUN_JOBS: `serve`, `run`), never in tests. `PROCESS_JOBS` always
    run there; `JOBS` not when the deployment runs `codraft jobs` from cron
    (CODRAFT_JOBS_IN_SERVER=0). `sleep` and `spawn` are the async library's, so the
    runner is a green thread."""
    if not app.config.get("RUN_JOBS") or app.config.get("TESTING"):
        return
    if app.extensions.get("codraft_jobs"):
        return
    app.extensions["codraft_jobs"] = True
    configure(app.config)
    lists = [PROCESS_JOBS] + ([JOBS] if app.config.get("JOBS_IN_SERVER", True) else [])

    def loop():
        last_run: dict[str, float] = {}
        while True:
            sleep(TICK_SECONDS)
            try:
                with app.app_context():
                    for jobs in lists:
                        run_due(app.extensions["codraft_db"], last_run, jobs=jobs)
            except Exception:
                log.exception("scheduled jobs failed")

    spawn(loop)
