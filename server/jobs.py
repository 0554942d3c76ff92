"""Scheduled work, in one place: a list of `Job(name, every_seconds, run)`.

`run(db, now)` is a plain domain function that does its work and flushes. The
runner calls the due ones, each in its own transaction: inside the server
process (a background task, unless CODRAFT_JOBS_IN_SERVER=0) and from
`codraft jobs [--once]` for deployments that prefer cron. Every job is safe to
run twice or in two processes at once (unique keys, claimed rows), so running
both, or several servers, does each piece of work once.

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

from sqlalchemy.orm import Session

from server.db import utcnow
from server.notifications import outbox, pending, scheduled
from server.notifications.delivery import Delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[Session, datetime], object]


class _Settings:
    """What the notification jobs need from the configuration (set by `configure`)."""

    delivery: Delivery | None = None
    digest_hour: int = 17


_settings = _Settings()


def configure(config: dict) -> None:
    _settings.delivery = delivery_from(config)
    _settings.digest_hour = int(config.get("DIGEST_HOUR", 17))


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
    Job("tell_pending", 2, tell_pending),
    Job("vote_closing_reminders", 300, vote_closing_reminders),
    Job("session_digest", 300, session_digest),
    Job("daily_digest", 300, daily_digest),
    Job("send_outbox", 2, send_outbox),
]


def run_due(database, last_run: dict[str, float], now: datetime | None = None) -> dict:
    """Run each job whose interval has passed since `last_run` (monotonic seconds,
    updated in place), each in its own transaction; one failing holds up no other."""
    done = {}
    for job in JOBS:
        clock = time.monotonic()
        if clock - last_run.get(job.name, float("-inf")) < job.every_seconds:
            continue
        last_run[job.name] = clock
        try:
            done[job.name] = job.run(database.session, now or utcnow())
            database.commit()
        except Exception:
            database.session.rollback()
            log.exception("job %s failed", job.name)
        finally:
            database.remove()
    return done


def run_all(database, now: datetime | None = None) -> dict:
    """Every job once (`codraft jobs --once`, tests)."""
    return run_due(database, {}, now)


def start(app, sleep: Callable[[float], None], spawn: Callable) -> None:
    """Run the jobs in the background of a server process (not in tests, not when
    CODRAFT_JOBS_IN_SERVER=0)."""
    if app.config.get("TESTING") or not app.config.get("JOBS_IN_SERVER", True):
        return
    if app.extensions.get("codraft_jobs"):
        return
    app.extensions["codraft_jobs"] = True
    tick = max(1, int(app.config.get("JOBS_TICK_SECONDS", 5)))

    def loop():
        last_run: dict[str, float] = {}
        while True:
            sleep(tick)
            with app.app_context():
                run_due(app.extensions["codraft_db"], last_run)

    spawn(loop)
