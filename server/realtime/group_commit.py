"""Group commit: the changes waiting on one policy are written in one transaction.

Why: changes to one policy are already serialised in this process, so that their
broadcasts leave in seq order. Under load they queue behind each other, and each
one used to pay for its own commit: with SQLite at synchronous=FULL that is an
fsync, during which a gevent process does nothing else at all. The queue is the
batch. Whoever finds the policy idle becomes its leader, lets the changes already
on their way join the queue, takes them all, and hands them to `run_batch`, which
writes them in one transaction and gives each its reply. Nobody's reply (the
acknowledgement) is released before that commit, so "acknowledged means durable"
still holds; a refused change is refused alone (see boundary.run_batch).

Back-pressure: a change is refused at once with `refused` (code `busy`, nothing
changed) instead of waiting, so a client learns to slow down within milliseconds,
when either bound of this process (over all policies) is reached:
- the wait it can expect, `max_wait` (CODRAFT_LIVE_MAX_WAIT, 0.5 s): the changes in
  hand times the recent time the process took per change answered (an average
  over the last batches). While changes are waiting, that time runs from one
  batch's end to the next one's, so it counts everything the process does between
  them (sending the last batch's ops to every socket, reading the next events).
  Timing the batch alone left that out, and under load accepted changes waited
  about twice the bound (ack p99 1.12 s; 0.77 s since). This is what keeps the changes
  accepted answered within about a second when more arrive than can be written:
  with a count alone, a slow machine or a slow database let accepted changes wait
  6 s at twice the sustainable rate, behind 128 others.
- the count, `limit` (CODRAFT_LIVE_QUEUE_LIMIT, 128), a hard cap whatever the
  recent times say (and the only bound before the first batch is timed).
Before any bound, at 250 edits/s on one policy, over a thousand edits in ten
seconds went unacked for longer than the client waited, and were committed later
all the same. (A bound per policy was not enough: ten busy policies queued ten
times as much.) The first change to find nothing in hand is always accepted, so
the estimate is measured again once the queue has drained.

Plain threading primitives: under `codraft serve` gevent patches them into
greenlet ones, and in threading mode they are what they say.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_BATCH = 64  # bounds one transaction's lock time and one batch's wait for its ack
SMOOTHING = 0.2  # weight of the latest batch in the time to write one change


@dataclass
class Job:
    """One change waiting to be written; `reply` is set once its batch is done."""

    work: Any  # what `run_batch` needs to carry the change out
    reply: dict | None = None
    done: bool = False


class _Queue:
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.pending: list[Job] = []
        self.busy = False


class GroupCommit:
    """Per key (a policy id), one leader at a time writes everything queued."""

    def __init__(
        self,
        run_batch: Callable[[list[Job]], None],
        *,
        fallback: dict,
        refused: dict | None = None,
        gather: Callable[[], None] = lambda: None,
        max_batch: int = MAX_BATCH,
    ):
        self._run_batch = run_batch
        self._fallback = fallback  # the reply of a job its batch failed to answer
        self._refused = refused or fallback  # the reply of a job that found its queue full
        self._gather = gather  # lets changes already received reach the queue
        self._max = max_batch
        self._queues: dict[Any, _Queue] = {}
        self._making = threading.Lock()  # two first changes to a policy share one queue
        self._counting = threading.Lock()
        self._in_hand = 0  # changes accepted and not yet answered, over all keys
        self._per_change = 0.0  # seconds per change answered, recently (see module doc)
        self._last_done: float | None = None  # when a batch last ended with others waiting

    def _queue(self, key: Any) -> _Queue:
        queue = self._queues.get(key)
        if queue is None:
            with self._making:
                queue = self._queues.setdefault(key, _Queue())
        return queue

    def _time(self, started: float, size: int) -> None:
        """Update the time per change: from the end of the last batch that left others
        waiting (all this process did since went into answering these; with batches
        of several policies at once, the time between two ends), or else from this
        batch's start (the process was idle before it)."""
        now = time.monotonic()
        with self._counting:
            since = started if self._last_done is None else self._last_done
            each = (now - since) / size
            if self._per_change:
                self._per_change += SMOOTHING * (each - self._per_change)
            else:  # the first batch timed
                self._per_change = each
            waiting = self._in_hand > size  # this batch's own are still counted
            self._last_done = now if waiting else None

    def expected_wait(self) -> float:
        """Seconds a change queued now can expect to wait for the changes in hand."""
        return self._in_hand * self._per_change

    def submit(
        self, key: Any, job: Job, *, limit: int | None = None, max_wait: float | None = None
    ) -> dict:
        """Queue `job` and return its reply once a batch holding it has been written,
        or `refused` at once if `limit` changes are already in hand (all keys) or
        they would keep it waiting longer than `max_wait` seconds."""
        with self._counting:
            if limit is not None and self._in_hand >= limit:
                return self._refused
            if max_wait is not None and self.expected_wait() > max_wait:
                return self._refused
            self._in_hand += 1
        try:
            return self._submit(self._queue(key), job)
        finally:
            with self._counting:
                self._in_hand -= 1

    def _submit(self, queue: _Queue, job: Job) -> dict:
        with queue.cond:
            queue.pending.append(job)
            while queue.busy and not job.done:
                queue.cond.wait()
            if job.done:
                return job.reply
            queue.busy = True
        try:
            self._gather()
            while not job.done:  # a new leader's own job may be behind a full batch
                self._write_next(queue)
        finally:
            with queue.cond:
                queue.busy = False
                queue.cond.notify_all()
        return job.reply

    def _write_next(self, queue: _Queue) -> None:
        with queue.cond:
            batch, queue.pending = queue.pending[: self._max], queue.pending[self._max :]
        started = time.monotonic()
        try:
            self._run_batch(batch)
        finally:
            self._time(started, len(batch))
            with queue.cond:
                for job in batch:
                    if job.reply is None:
                        job.reply = self._fallback
                    job.done = True
                queue.cond.notify_all()
