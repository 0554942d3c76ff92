"""Heavy work (a PDF, a large page, an export) off the gevent hub, bounded in time.

`codraft serve` is one gevent process: a long CPU-bound call on the hub stops
every other request and every live edit until it ends. `run(work, ...)` calls
`work` on a real OS thread of a small pool instead, so the hub keeps serving
sockets, and gives up waiting after `HEAVY_WORK_SECONDS`: the request then gets
503 `too_slow` (a plain page, or JSON under /api) while live editing goes on.
When every worker is busy a new request gets 503 `busy` at once instead of
queueing behind them.

`work` must be a plain function of its arguments: no database, no Flask
context (gevent's locks, which the database pool and Flask use once patched, are
not safe across OS threads). Load and render on the request, then hand the
CPU-heavy step (HTML to PDF, building an export file) to `run`; pages stay light
by being paged.

Outside gevent (`codraft run`, the test client) each request already has its
own thread, so `work` runs inline there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from server.errors import DomainError

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_SECONDS = 20
WORKERS = 2  # OS threads for heavy work; the machine's other core serves the hub

_pool = None
_in_flight = 0


class TooSlow(DomainError):
    """The heavy work did not finish in time (or every worker is busy)."""

    status = 503
    code = "too_slow"


def under_gevent() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("threading")


def _threadpool():
    global _pool
    if _pool is None:
        from gevent.threadpool import ThreadPool

        _pool = ThreadPool(WORKERS)
    return _pool


def run(work: Callable[..., T], *args, what: str = "This", seconds: float | None = None) -> T:
    """Call `work(*args)` off the hub and return what it returns; TooSlow (503)
    if it takes longer than `seconds` (default: the HEAVY_WORK_SECONDS setting).
    `what` names the thing for the message people read ("The session pack")."""
    app = current_app._get_current_object()
    limit = seconds or app.config.get("HEAVY_WORK_SECONDS", DEFAULT_SECONDS)
    if not under_gevent():
        return work(*args)
    global _in_flight
    if _in_flight >= WORKERS:
        raise TooSlow(
            f"{what} cannot be made right now: the server is busy making others. "
            "Try again in a minute.",
            code="busy",
        )

    def done(_result):
        global _in_flight
        _in_flight -= 1

    _in_flight += 1
    result = _threadpool().spawn(work, *args)
    result.rawlink(done)
    from gevent import Timeout

    try:
        return result.get(timeout=limit)
    except Timeout:
        log.warning("%s took longer than %s s; answered 503", what, limit)
        raise TooSlow(
            f"{what} is taking too long to make (over {int(limit)} seconds), so it was "
            "stopped waiting. Try again later, or ask a facilitator to make it smaller.",
        ) from None
