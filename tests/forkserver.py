"""Start `codraft serve` for a test in a fraction of a second instead of three.

A new `python -m server.cli serve` spends about 3 s of CPU before it listens:
imports (Flask, SQLAlchemy, Socket.IO, WeasyPrint...), the app's own modules and
the plain-language dictionary it loads before listening. About 80 tests each start
one or two, and on a busy two-core machine that cost grew to 20 s a start.

So each test process keeps one helper process (this module, run as
`python -m tests.forkserver`) that patches with gevent and imports and warms what
`serve` would, once. For each server it forks a child that sets the test's
environment, working folder, arguments and log, and runs `server.cli.main()`:
the same command, the same code path (gevent, the listening socket, the jobs),
only with its modules already loaded. The child reads its settings from the
environment when it builds the app, as a fresh process does.

`spawn()` returns a `ForkedProcess` that answers like `subprocess.Popen` (poll,
wait, terminate, kill, send_signal, pid, returncode), so tests that stop a server
with SIGKILL or watch it exit work unchanged. Only `serve` under gevent is forked;
anything else starts as a plain subprocess (tests/conftest.py decides).
CODRAFT_TEST_FORKSERVER=0 turns this off.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = "ready"


# --- the test process's side ------------------------------------------------------


class ForkedProcess:
    """A server forked by the helper: a `subprocess.Popen` look-alike. Its exit
    status comes from the helper, which is its parent and reaps it."""

    def __init__(self, pid: int, helper: ForkServer):
        self.pid = pid
        self.returncode: int | None = None
        self._helper = helper
        self._exited = threading.Event()

    def _set_exit(self, code: int) -> None:
        self.returncode = code
        self._exited.set()

    def poll(self) -> int | None:
        if self.returncode is None and not self._helper.alive():
            self._set_exit(-9)  # the helper died, and its children with it
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._exited.wait(0.2):
            if self.poll() is not None:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"server pid {self.pid}", timeout)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)


class ForkServer:
    """The helper process, started once per test process and ended at exit."""

    def __init__(self, log_path: Path, timeout: float = 300):
        self._log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115  (kept for the helper's life)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=ROOT,
        )
        self._replies: queue.Queue = queue.Queue()
        self._children: dict[int, ForkedProcess] = {}
        self._exits: dict[int, int] = {}  # exits of children not registered yet
        self._spawning = threading.Lock()  # one request at a time: replies come in order
        self._lock = threading.Lock()  # guards _children and _exits
        self._reader = threading.Thread(target=self._read, name="forkserver", daemon=True)
        self._reader.start()
        reply = self._replies.get(timeout=timeout)
        if reply != READY:
            raise RuntimeError(f"the fork server did not start: {reply}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read(self) -> None:
        for raw in self.proc.stdout:
            message = json.loads(raw)
            if "exit" in message:
                pid, code = message["exit"]
                with self._lock:
                    child = self._children.pop(pid, None)
                    if child is None:
                        self._exits[pid] = code
                if child is not None:
                    child._set_exit(code)
            else:
                self._replies.put(READY if message.get("ready") else message)
        self._replies.put({"error": "the fork server ended"})

    def spawn(self, args: list[str], env: dict, log: Path, cwd: Path) -> ForkedProcess:
        request = {"args": args, "env": dict(env), "log": str(log), "cwd": str(cwd)}
        with self._spawning:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            reply = self._replies.get(timeout=60)
        if "pid" not in reply:
            raise RuntimeError(f"the fork server could not start a server: {reply}")
        child = ForkedProcess(reply["pid"], self)
        with self._lock:
            code = self._exits.pop(child.pid, None)
            if code is None:
                self._children[child.pid] = child
        if code is not None:  # it ended before the reply was read
            child._set_exit(code)
        return child

    def close(self) -> None:
        if self.alive():
            self.proc.stdin.close()  # it ends its children and itself
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        if self._log_path.exists() and self._log_path.stat().st_size == 0:
            self._log_path.unlink()


# --- the helper process -------------------------------------------------------------


_PROTOCOL = 1  # the helper's replies; anything printed goes to its log instead


# Modules whose import registers socket events (server/realtime/__init__.py imports
# them once the app's Socket.IO server exists).
SOCKET_HANDLER_MODULES = {"server.realtime.handlers", "server.realtime.group_feed"}


def _send(message: dict) -> None:
    os.write(_PROTOCOL, json.dumps(message).encode() + b"\n")


def _load_everything() -> None:
    """Import and warm what `codraft serve` loads before it listens. The modules of
    socket handlers are the exception: they register on the app's Socket.IO server,
    so create_app imports them in the child, as it always does."""
    import importlib
    import pkgutil

    import server

    for module in pkgutil.walk_packages(server.__path__, "server."):
        if module.name not in SOCKET_HANDLER_MODULES:
            importlib.import_module(module.name)
    for name in ("sqlite3", "engineio.async_drivers.gevent", "gevent.pywsgi"):
        importlib.import_module(name)
    importlib.import_module("geventwebsocket.handler")
    from server.migrate import latest
    from server.plain import rules

    rules.warm()
    latest()  # `serve` checks the database is at it: read the scripts once, not per child


def _die_with_parent() -> None:
    """Ask Linux to end this process when its parent ends (PR_SET_PDEATHSIG)."""
    import ctypes
    import signal

    # Not on Linux: the helper still ends its children when its input closes.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)


def _gate_jobs(setting: str) -> None:
    """CODRAFT_TEST_JOB_GATE="<job>=<file>" (tests only): the server's scheduled
    job <job> runs at every tick of its runner (1 s) once <file> exists, and does
    nothing before. A test that needs the job to run while it acts then starts it
    when it wants, in the real server's own job loop, instead of waiting up to the
    job's interval (30 s for closing due votes)."""
    if not setting:
        return
    from pathlib import Path

    from server import jobs

    name, gate = setting.split("=", 1)

    def gated(job):
        def run(db, now):
            return job.run(db, now) if Path(gate).exists() else 0

        return jobs.Job(job.name, 1, run)

    jobs.JOBS[:] = [gated(job) if job.name == name else job for job in jobs.JOBS]


def _child(request: dict) -> None:
    """In the forked child: become `codraft serve` with the test's settings. Signal
    handling stays as gevent set it up (its SIGCHLD handling is how the server's
    own worker processes are waited for)."""
    code = 1
    try:
        import gevent
        from gevent._hub_local import get_hub_if_exists

        gevent.reinit()
        # A fresh hub and event loop, as a new process has: the loop made while
        # importing (before the fork) does not see this process's children exit.
        hub = get_hub_if_exists()
        if hub is not None:
            hub.destroy(destroy_loop=True)
        _die_with_parent()
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(_PROTOCOL)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [str(ROOT / "server" / "cli.py"), *request["args"]]
        _gate_jobs(os.environ.get("CODRAFT_TEST_JOB_GATE", ""))
        from server.cli import main

        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # report anything, then exit
        import traceback

        traceback.print_exc()
    finally:
        import logging

        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # exiting anyway
                stream.flush()
        os._exit(code)


def _serve() -> None:
    global _PROTOCOL
    _PROTOCOL = os.dup(1)
    os.dup2(2, 1)
    from gevent import monkey

    monkey.patch_all()
    fork = monkey.get_original("os", "fork")
    waitpid = monkey.get_original("os", "waitpid")
    select = monkey.get_original("select", "select")
    _die_with_parent()
    _load_everything()
    _send({"ready": True})

    children: set[int] = set()
    buffer = b""

    def reap() -> None:
        for pid in list(children):
            done, status = waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                _send({"exit": [pid, os.waitstatus_to_exitcode(status)]})

    while True:
        ready, _, _ = select([0], [], [], 0.02)
        reap()
        if not ready:
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            break  # the test process has gone: end every server it started
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = fork()
            if pid == 0:
                _child(request)
            children.add(pid)
            _send({"pid": pid})

    import signal

    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in children:
        waitpid(pid, 0)


if __name__ == "__main__":
    _serve()
