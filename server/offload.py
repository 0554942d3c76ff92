"""Heavy work (a PDF, an export file) in a worker process, bounded in time.

`codraft serve` is one gevent process: a long CPU-bound call stops every other
request and every live edit until it ends. So `run(work, *args)` runs
`work(*args)` in a worker process (`python -m server.offload`, kept for the next
job), waits for it without blocking the gevent hub, and stops it after
HEAVY_WORK_SECONDS: the request then gets 503 `too_slow` (a plain page, or JSON
under /api) while live editing goes on. A process rather than a thread: it can
be stopped when it runs over, it shares no locks with the server, and loading
and rendering can run there too. When WORKERS are busy a new request gets 503
`busy` at once instead of piling up work.

`work` must be a module-level function of picklable arguments (ids, not loaded
rows) returning a picklable value. In the worker, `worker_app()` gives it an app
of its own with the server's database and settings, for loading and rendering
there too. A worker's first job pays for starting it (a few seconds: imports and
the app), so use it for exports, not pages (pages stay light by being paged).

`run` commits the request's transaction before it waits. Otherwise a request
that wrote anything (even an API token's last-used time) keeps SQLite's write
lock for the whole wait, and the next live edit blocks the gevent hub in
SQLite's busy wait: everything stalls (measured: every edit and the time bound
itself waited 30 s).
"""

from __future__ import annotations

import logging
import pickle
import struct
import subprocess
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from server.errors import DomainError

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_SECONDS = 20
WORKERS = 2  # heavy jobs at once per server process (the machine has few cores)
STARTUP_SECONDS = 120  # a busy machine can take long to start a worker

_in_flight = 0
_worker_config: dict | None = None  # in a worker: the settings its parent ran with
_worker_app = None
# What a worker needs to build the same app as its parent (the rest comes from
# the environment it inherits).
SHARED_SETTINGS = ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "TIME_ZONE")


class TooSlow(DomainError):
    """The heavy work did not finish in time (or every worker is busy)."""

    status = 503
    code = "too_slow"


class Failed(Exception):
    """The work raised in the worker process (its traceback is in the log)."""


def _limit(seconds: float | None) -> float:
    if seconds:
        return seconds
    try:
        from flask import current_app

        return current_app.config.get("HEAVY_WORK_SECONDS", DEFAULT_SECONDS)
    except RuntimeError:  # no app: a command or a script
        return DEFAULT_SECONDS


def _parent_settings() -> dict:
    try:
        from flask import current_app

        return {key: current_app.config[key] for key in SHARED_SETTINGS}
    except RuntimeError:  # no app: a command or a script
        return {}


def worker_app():
    """In a worker process: an app like the parent's (same database and settings),
    made once. Use it as `with worker_app().test_request_context(): ...`."""
    global _worker_app
    if _worker_app is None:
        from server.app import create_app

        _worker_app = create_app(dict(_worker_config or {}))
    return _worker_app


def _end_transaction() -> None:
    """Commit what the request did so far, releasing its database locks."""
    try:
        from flask import current_app

        database = current_app.extensions["codraft_db"]
    except (RuntimeError, KeyError):  # no app: a command or a script
        return
    database.commit()


class _Worker:
    """One worker process, kept for the next job: it builds its app once."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.offload"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # its log goes where the server's goes
        )
        try:
            _send(self.proc.stdin, settings)
            # Starting (imports, the app) is not the work: it has its own, wider bound.
            _wait(lambda: _receive(self.proc.stdout), STARTUP_SECONDS)
        except BaseException:
            self.kill()
            raise

    def call(self, work, args, limit: float):
        _send(self.proc.stdin, (work, args))
        return _wait(lambda: _receive(self.proc.stdout), limit)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def _send(pipe, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(struct.pack(">Q", len(data)) + data)
    pipe.flush()


def _read_exactly(pipe, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = pipe.read(left)
        if not chunk:
            raise EOFError("the worker process ended")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _receive(pipe):
    (size,) = struct.unpack(">Q", _read_exactly(pipe, 8))
    return pickle.loads(_read_exactly(pipe, size))  # noqa: S301 - our own worker


def _wait(read, limit: float):
    """`read()` within `limit` seconds, else TimeoutError. Under `codraft serve` the
    pipes are gevent's, so the read yields to the hub while it waits; elsewhere it
    runs on a helper thread."""
    if _under_gevent():
        from gevent import Timeout as GeventTimeout

        try:
            with GeventTimeout(limit):
                return read()
        except GeventTimeout:
            raise TimeoutError from None
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(read)
        try:
            return future.result(timeout=limit)
        except FutureTimeout:
            raise TimeoutError from None


def _under_gevent() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("threading")


_idle: list[_Worker] = []


def _take_worker(settings: dict) -> _Worker:
    """An idle worker made with these settings (another app's would use another
    database), else a new one."""
    for worker in list(_idle):
        _idle.remove(worker)
        if worker.settings == settings and worker.proc.poll() is None:
            return worker
        worker.kill()
    return _Worker(settings)


def _give_back(worker: _Worker) -> None:
    _idle.append(worker)
    while len(_idle) > WORKERS:
        _idle.pop(0).kill()


def run(work: Callable[..., T], *args, what: str = "This", seconds: float | None = None) -> T:
    """Call `work(*args)` in a worker process and return what it returns; TooSlow
    (503) if it takes longer than `seconds` (default: the HEAVY_WORK_SECONDS
    setting; the worker is then stopped) or too many are running. `what` names
    the thing for the message people read ("The session pack PDF")."""
    global _in_flight
    limit = _limit(seconds)
    if _in_flight >= WORKERS:
        raise TooSlow(
            f"{what} cannot be made right now: the server is busy making others. "
            "Try again in a minute.",
            code="busy",
        )
    _end_transaction()
    _in_flight += 1
    try:
        try:
            worker = _take_worker(_parent_settings())
        except (EOFError, OSError, TimeoutError) as exc:
            log.error("no worker process started for %s: %r", what, exc)
            raise TooSlow(
                f"{what} cannot be made right now. Try again in a minute.", code="busy"
            ) from exc
        ok, value = worker.call(work, args, limit)
    except TimeoutError:
        worker.kill()
        log.warning("%s took longer than %s s; stopped it and answered 503", what, limit)
        raise TooSlow(
            f"{what} is taking too long to make (over {int(limit)} seconds), so it was "
            "stopped. Try again later, or ask a facilitator to make it smaller.",
        ) from None
    except (EOFError, OSError) as exc:
        worker.kill()
        raise Failed(f"{what} could not be made: the worker process stopped.") from exc
    finally:
        _in_flight -= 1
    _give_back(worker)
    if not ok:
        log.error("%s failed in its worker process:\n%s", what, value)
        raise Failed(f"{what} could not be made.")
    return value


def _main() -> None:
    """The worker: read the parent's settings, then (work, args) after (work, args),
    answering each with (True, result) or (False, the traceback)."""
    global _worker_config
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed must not corrupt the answers
    _worker_config = _receive(stdin)
    if _worker_config:
        worker_app()  # built once, before the first job
    _send(stdout, "ready")
    while True:
        try:
            work, args = _receive(stdin)
        except EOFError:
            return  # the parent is gone
        try:
            answer = (True, work(*args))
        except Exception:
            answer = (False, traceback.format_exc())
        _send(stdout, answer)


if __name__ == "__main__":
    # Run the imported module's _main, not this __main__ copy's: the work imports
    # server.offload and must find the settings there.
    from server.offload import _main as main

    main()
