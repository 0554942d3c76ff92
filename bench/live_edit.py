"""Live-edit load test: `codraft serve` against a bare Flask-SocketIO relay.

For each client count N it starts the production server on a fresh copy of a
seeded instance (SQLite), connects N Socket.IO clients to one policy, has each
send small diff-match-patch edits to the sentences of one section, and measures

  fan-out p50/p99  time from sending an edit until the last OTHER client has
                   received its `op` (matched by origin client_id and ref);
                   an edit that never reaches everyone counts as infinitely slow;
  edits/s          edits committed (ok acks) per second in the measured window;
  RSS              the server process's resident memory at the end;
  srv/cli CPU      the server's and the clients' CPU over the window (100% = a core).

Then it drives bench/bare_relay.py (same async mode, same server, no auth, no
merge, no database) with the same clients and load, and prints our/bare ratios.
Only 127.0.0.1 is contacted; every phase has a time limit. docs/performance.md
has the figures and what they mean.

    .venv/bin/python bench/live_edit.py                         # N = 10, 50, 200
    .venv/bin/python bench/live_edit.py --clients 10,50 --seconds 10
    .venv/bin/python bench/live_edit.py --clients 50 --servers ours --profile /tmp/prof
    .venv/bin/python bench/live_edit.py --nodelay               # both with TCP_NODELAY

Load model: closed loop. Each client has at most one edit in flight and starts
one every 1/--rate seconds (later if the previous ack is late), so the offered
load is N x rate and the server sets the pace once it cannot keep up. A
`conflict` ack (the sentence changed under the client's patch) refreshes the
sentence from the ack and retries at once; it is counted, and the latency of an
edit is that of the attempt that committed. Clients (bench/sockets.py; --client
sio for python-socketio's AsyncClient) run in --client-procs asyncio processes on
the same machine as the server: they compete for its cores, and their CPU use is
printed so a client-bound run shows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import multiprocessing as mp
import os
import platform
import random
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
SECRET = "bench-secret-key-not-for-production"  # noqa: S105  (a throwaway instance)
SENTENCES = [
    "Families can ask the council for a personal budget at any annual review meeting.",
    "The council will answer every request for a personal budget within four weeks.",
    "A personal budget can pay for support that is written in the education plan.",
    "Parents and carers can choose to receive the budget as a direct payment.",
    "Young people over sixteen can manage their own budget if they want to.",
    "The amount is worked out from the support the child or young person needs.",
    "We will explain how the amount was worked out in plain and simple words.",
    "If the council says no it will write down the reasons and how to appeal.",
    "Schools will be asked for their views before a budget for school support is agreed.",
    "Health and social care funding can be part of the same personal budget.",
    "A named officer will be the first contact for questions about the budget.",
    "Families can ask for a meeting with an interpreter or an advocate present.",
    "The budget will be checked at least once a year at the annual review.",
    "Money that is not spent can be carried over with the agreement of the council.",
    "Direct payments must be kept in a separate bank account for the child.",
    "The council will offer training on managing direct payments to every family.",
    "Support providers must be safe and suitable for the needs of the child.",
    "Complaints about personal budgets follow the council complaints procedure.",
    "This policy will be reviewed every two years with the co-production group.",
    "Everyone in the group agreed the wording of this policy before it was published.",
]


# --- the machine ---------------------------------------------------------------------


def machine() -> dict:
    model = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def fsync_ms(folder: Path, rounds: int = 50) -> float:
    """Time one 4 KiB write + fsync where the database lives (what a commit costs)."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        start = time.perf_counter()
        for _ in range(rounds):
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
        return (time.perf_counter() - start) / rounds * 1000
    finally:
        os.close(fd)
        path.unlink()


# --- data ----------------------------------------------------------------------------


def seed(folder: Path, users: int) -> dict:
    """Migrate a fresh instance and load, through the server's own services, a group
    whose `users` members share one sub-group that owns a section of 20 sentences."""
    env = server_env(folder)
    subprocess.run(
        [PYTHON, "-m", "server.cli", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(ROOT))
    from server import create_app
    from server.accounts.services import create_api_token, create_user
    from server.groups.models import Membership, Role
    from server.groups.services import add_to_subgroup, create_group, create_subgroup
    from server.policies.services import create_policy, create_section

    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": SECRET,
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'codraft.db'}",
            "ASYNC_MODE": "threading",
        }
    )
    database = app.extensions["codraft_db"]
    db = database.session
    with app.app_context():
        facilitator = create_user(db, "facilitator@bench.example.org", "Facilitator", None)
        group = create_group(db, facilitator, "Bench group")
        sub = create_subgroup(db, group, "Writers")
        tokens = []
        for i in range(users):
            user = create_user(db, f"bench{i}@bench.example.org", f"Bench {i}", None)
            member = Membership(group_id=group.id, user_id=user.id, role=Role.PARENT_CARER)
            db.add(member)
            db.flush()
            add_to_subgroup(db, sub, member)
            tokens.append(create_api_token(db, user, "bench")[0])
        policy = create_policy(db, group, facilitator, "Bench policy", "", ["Part one"])
        section = create_section(
            db,
            policy.parts[0],
            facilitator,
            title="Personal budgets",
            subgroup_id=sub.id,
            text=" ".join(SENTENCES),
        )
        sentences = [
            {"id": s.id, "text": s.text, "version": s.version}
            for s in sorted(section.sentences, key=lambda s: s.position)
        ]
        policy_id = policy.id
        database.commit()
    database.remove()
    database.engine.dispose()
    if len(sentences) != len(SENTENCES):
        raise RuntimeError(f"expected {len(SENTENCES)} sentences, the server made {len(sentences)}")
    return {"policy_id": policy_id, "tokens": tokens, "sentences": sentences}


def server_env(folder: Path) -> dict:
    """Our environment less CODRAFT_* (a stray DATABASE_URL or MESSAGE_QUEUE would
    point the bench elsewhere), plus the bench instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODRAFT_")}
    env.update(CODRAFT_INSTANCE_PATH=str(folder), CODRAFT_SECRET_KEY=SECRET)
    return env


# --- servers -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess on 127.0.0.1, stopped for sure on exit."""

    def __init__(self, kind: str, mode: str, folder: Path, nodelay: bool = False):
        self.kind, self.mode, self.folder = kind, mode, folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if kind == "ours":
            launcher = [str(BENCH / "tcp_nodelay.py")] if nodelay else ["-m", "server.cli"]
            self.argv = [
                PYTHON,
                *launcher,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--async-mode",
                mode,
            ]
        else:
            self.argv = [
                PYTHON,
                str(BENCH / "bare_relay.py"),
                "--port",
                str(self.port),
                "--async-mode",
                mode,
                *(["--nodelay"] if nodelay else []),
            ]
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log = open(self.folder / f"{self.kind}-{self.mode}-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.argv,
            env=server_env(self.folder),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited: see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.kind} server did not listen within 30 s")

    def __exit__(self, *_exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- clients (run in worker processes) -----------------------------------------------


@dataclass
class Spec:
    url: str
    policy_id: int
    clients: list[tuple[str, str]]  # (token or "", client_id)
    sentences: list[dict]
    rate: float
    seed: int
    logins: bool  # send the token (ours) or nothing (bare)
    client: str  # sockets.KINDS


@dataclass
class Tally:
    sends: list[tuple] = field(default_factory=list)  # (client_id, ref, t_send, t_ack, code)
    receipts: dict = field(default_factory=dict)  # (origin, ref) -> [count, last time]
    last_receipt: float = 0.0
    failed_connects: int = 0


def mutate(text: str, rng: random.Random, base_len: int) -> str:
    """Type or delete one letter somewhere, keeping the length near where it began."""
    if len(text) > base_len + 6:
        at = rng.randrange(0, len(text) - 1)
        return text[:at] + text[at + 1 :]
    at = rng.randrange(0, len(text) + 1)
    return text[:at] + rng.choice(string.ascii_lowercase) + text[at:]


class Bot:
    """One editor: its own socket, its own view of the sentences, kept current from
    the `op` stream like a browser's."""

    def __init__(self, spec: Spec, token: str, client_id: str, tally: Tally, rng, session):
        from diff_match_patch import diff_match_patch
        from sockets import KINDS

        self.spec, self.token, self.client_id, self.tally, self.rng = (
            spec,
            token,
            client_id,
            tally,
            rng,
        )
        self.dmp = diff_match_patch()
        self.sock = KINDS[spec.client](self.on_op, session)
        self.state = {s["id"]: (s["text"], s["version"]) for s in spec.sentences}
        self.base_len = {s["id"]: len(s["text"]) for s in spec.sentences}
        self.ref = 0
        self.connected = False

    def on_op(self, op: dict) -> None:
        now = time.monotonic()
        if op.get("origin") != self.client_id:
            key = (op.get("origin"), op.get("ref"))
            seen = self.tally.receipts.get(key)
            if seen is None:
                self.tally.receipts[key] = [1, now]
            else:
                seen[0] += 1
                seen[1] = now
            self.tally.last_receipt = now
        if op.get("op") == "edit":
            known = self.state.get(op["id"])
            if known is None or op["version"] > known[1]:
                self.state[op["id"]] = (op["text"], op["version"])

    async def connect(self, gate: asyncio.Semaphore) -> None:
        async with gate:
            try:
                await self.sock.connect(
                    self.spec.url, {"token": self.token} if self.spec.logins else None, timeout=20
                )
                reply = await self.sock.call(
                    "join_policy",
                    {"policy_id": self.spec.policy_id, "client_id": self.client_id},
                    timeout=30,
                )
            except Exception as exc:  # noqa: BLE001  (counted and printed)
                print(f"client {self.client_id[:8]} could not connect: {exc!r}", file=sys.stderr)
                self.tally.failed_connects += 1
                return
            if not reply.get("ok"):
                print(f"join refused: {reply}", file=sys.stderr)
                self.tally.failed_connects += 1
                return
            for section in reply.get("sections", []):
                for s in section["sentences"]:
                    self.state[s["id"]] = (s["text"], s["version"])
            self.connected = True

    async def edit(self, sentence_id: int) -> str:
        """Send one edit (retrying conflicts at once); return the last ack's code."""
        for _attempt in range(5):
            text, version = self.state[sentence_id]
            new = mutate(text, self.rng, self.base_len[sentence_id])
            self.ref += 1
            payload = {
                "id": sentence_id,
                "base_version": version,
                "ref": self.ref,
                "patch": self.dmp.patch_toText(self.dmp.patch_make(text, new)),
            }
            sent = time.monotonic()
            try:
                ack = await self.sock.call("edit_sentence", payload, timeout=15)
                # An edit that the merge made a no-op (two people deleted the same
                # letter) is acked with seq null and broadcast to nobody.
                code = (
                    ("ok" if ack.get("seq") is not None else "noop")
                    if ack.get("ok")
                    else ack["error"]["code"]
                )
            except TimeoutError:
                ack, code = None, "timeout"
            except ConnectionError:
                ack, code = None, "disconnected"
            self.tally.sends.append((self.client_id, self.ref, sent, time.monotonic(), code))
            if code != "conflict":
                return code
            fresh = ack["error"]
            if fresh.get("version", 0) >= version:
                self.state[sentence_id] = (fresh["text"], fresh["version"])
        return code

    async def run(self, start: float, stop: float) -> None:
        if not self.connected:
            return
        interval = 1.0 / self.spec.rate
        ids = list(self.state)
        due = start + self.rng.random() * interval
        while True:
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            if time.monotonic() >= stop or not self.sock.connected:
                return
            await self.edit(self.rng.choice(ids))
            due = max(due + interval, time.monotonic())


async def _drive(conn, spec: Spec) -> dict:
    loop = asyncio.get_running_loop()
    tally = Tally()
    rng = random.Random(spec.seed)
    session = None
    if spec.client == "lean":
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    bots = [
        Bot(spec, token, cid, tally, random.Random(rng.random()), session)
        for token, cid in spec.clients
    ]
    gate = asyncio.Semaphore(16)
    await asyncio.gather(*(b.connect(gate) for b in bots))
    conn.send(("ready", sum(b.connected for b in bots)))
    start, measure_from, stop = await loop.run_in_executor(None, conn.recv)
    cpu = {}

    async def sample_cpu():
        await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
        cpu["from"] = time.process_time()
        await asyncio.sleep(max(0.0, stop - time.monotonic()))
        cpu["to"] = time.process_time()

    await asyncio.gather(sample_cpu(), *(b.run(start, stop) for b in bots))
    # Drain: wait until the op stream has been quiet for a second (at most 15 s).
    tally.last_receipt = max(tally.last_receipt, time.monotonic())
    while time.monotonic() < stop + 15 and time.monotonic() - tally.last_receipt < 1.0:
        await asyncio.sleep(0.1)
    drained_at = time.monotonic()
    await asyncio.gather(
        *(b.sock.disconnect() for b in bots if b.sock.connected), return_exceptions=True
    )
    if session is not None:
        await session.close()
    return {
        "sends": tally.sends,
        "receipts": [(k[0], k[1], v[0], v[1]) for k, v in tally.receipts.items()],
        "cpu_seconds": cpu.get("to", 0) - cpu.get("from", 0),
        "failed_connects": tally.failed_connects,
        "drained_at": drained_at,
    }


def worker(conn, spec: Spec) -> None:
    try:
        conn.send(("done", asyncio.run(_drive(conn, spec))))
    except Exception as exc:  # noqa: BLE001  (reported by the parent)
        import traceback

        conn.send(("error", f"{exc!r}\n{traceback.format_exc()}"))


# --- one run -------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def run_load(
    server: Server,
    *,
    n: int,
    policy_id: int,
    tokens: list[str],
    sentences: list[dict],
    rate: float,
    warmup: float,
    seconds: float,
    procs: int,
    seed: int,
    client: str,
) -> dict:
    """Connect n clients to `server`, load it, and return the figures."""
    ctx = mp.get_context("spawn")
    clients = [
        (tokens[i] if server.kind == "ours" else "", f"bench-{i:04d}-{uuid.uuid4().hex[:8]}")
        for i in range(n)
    ]
    procs = max(1, min(procs, n))
    pipes, workers = [], []
    for k in range(procs):
        spec = Spec(
            server.url,
            policy_id,
            clients[k::procs],
            sentences,
            rate,
            seed + k,
            logins=server.kind == "ours",
            client=client,
        )
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker, args=(child, spec), daemon=True)
        proc.start()
        pipes.append(parent)
        workers.append(proc)
    try:
        connected = 0
        for pipe in pipes:
            if not pipe.poll(120):
                raise RuntimeError("clients did not connect within 120 s")
            kind, value = pipe.recv()
            if kind == "error":
                raise RuntimeError(f"client worker failed: {value}")
            connected += value
        start = time.monotonic() + 0.5
        measure_from, stop = start + warmup, start + warmup + seconds
        for pipe in pipes:
            pipe.send((start, measure_from, stop))
        time.sleep(max(0.0, measure_from - time.monotonic()))
        cpu_from = server.cpu_seconds()
        time.sleep(max(0.0, stop - time.monotonic()))
        cpu_to = server.cpu_seconds()
        results = []
        for pipe in pipes:
            if not pipe.poll(60):
                raise RuntimeError("clients did not finish within 60 s of the end")
            kind, value = pipe.recv()
            if kind == "error":
                raise RuntimeError(f"client worker failed: {value}")
            results.append(value)
        rss = server.rss_mb()
    finally:
        for proc in workers:
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
    return summarise(
        results,
        n=n,
        connected=connected,
        measure_from=measure_from,
        stop=stop,
        seconds=seconds,
        rss=rss,
        server_cpu=(cpu_to - cpu_from) / seconds,
    )


def summarise(
    results: list[dict],
    *,
    n: int,
    connected: int,
    measure_from: float,
    stop: float,
    seconds: float,
    rss: float,
    server_cpu: float,
) -> dict:
    receipts: dict[tuple, list] = {}
    for r in results:
        for origin, ref, count, last in r["receipts"]:
            seen = receipts.setdefault((origin, ref), [0, 0.0])
            seen[0] += count
            seen[1] = max(seen[1], last)
    sends = [s for r in results for s in r["sends"]]
    codes: dict[str, int] = {}
    for s in sends:
        if measure_from <= s[2] < stop:
            codes[s[4]] = codes.get(s[4], 0) + 1
    latencies, missing = [], 0
    for cid, ref, sent, _acked, code in sends:
        if code != "ok" or not (measure_from <= sent < stop):
            continue
        seen = receipts.get((cid, ref))
        if seen and seen[0] >= connected - 1:
            latencies.append(seen[1] - sent)
        else:
            missing += 1
            latencies.append(float("inf"))  # never reached everyone: counts as slowest
    acks = [s[3] - s[2] for s in sends if s[4] == "ok" and measure_from <= s[2] < stop]
    committed = sum(1 for s in sends if s[4] == "ok" and measure_from <= s[3] < stop)
    return {
        "n": n,
        "connected": connected,
        "edits_per_s": committed / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "ack_p50_ms": percentile(acks, 50) * 1000,
        "ack_p99_ms": percentile(acks, 99) * 1000,
        "measured_edits": len(latencies),
        "missing": missing,
        "codes": codes,
        "rss_mb": rss,
        "server_cpu": server_cpu,
        "client_cpu": sum(r["cpu_seconds"] for r in results) / seconds,
    }


# --- report --------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    if value != value:  # nan
        return "-"
    if value == float("inf"):
        return "inf"
    return f"{value:.{digits}f}"


def ratio(a: float, b: float) -> str:
    if not b or a != a or b != b:
        return "-"
    return f"{a / b:.2f}x"


def row(label: str, r: dict, width: int = 6) -> str:
    conflicts = r["codes"].get("conflict", 0)
    other = sum(v for k, v in r["codes"].items() if k not in ("ok", "noop", "conflict"))
    return (
        f"  {label:<{width}}{fmt(r['p50_ms']):>9}{fmt(r['p99_ms']):>10}"
        f"{fmt(r['edits_per_s']):>10}{fmt(r['rss_mb']):>9}{fmt(r['server_cpu'] * 100, 0):>8}%"
        f"{fmt(r['client_cpu'] * 100, 0):>8}%{conflicts:>10}{other:>7}"
    )


HEADER = (
    f"  {'':<6}{'p50 ms':>9}{'p99 ms':>10}{'edits/s':>10}{'RSS MB':>9}{'srv CPU':>9}"
    f"{'cli CPU':>9}{'conflicts':>10}{'errors':>7}"
)


def print_pair(n: int, ours: dict | None, bare: dict | None) -> None:
    print(f"\nN = {n} clients")
    print(HEADER)
    for label, r in (("ours", ours), ("bare", bare)):
        if r:
            print(row(label, r))
    if ours and bare:
        print(
            f"  {'ratio':<6}{ratio(ours['p50_ms'], bare['p50_ms']):>9}"
            f"{ratio(ours['p99_ms'], bare['p99_ms']):>10}"
            f"{ratio(ours['edits_per_s'], bare['edits_per_s']):>10}"
            f"{ratio(ours['rss_mb'], bare['rss_mb']):>9}"
        )
    for label, r in (("ours", ours), ("bare", bare)):
        if not r:
            continue
        if r["connected"] < n:
            print(f"  ! {label}: only {r['connected']} of {n} clients connected")
        if r["missing"]:
            print(
                f"  ! {label}: {r['missing']} edits never reached every client (counted "
                "as infinitely slow)"
            )
        if r["client_cpu"] > 0.85 * r["client_procs"]:
            print(
                f"  ! {label}: the clients used {r['client_cpu'] * 100:.0f}% CPU: this run "
                "may measure the clients, not the server"
            )


def goal(n: int, ours: dict, bare: dict) -> str:
    p99 = ours["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else float("inf")
    tput = ours["edits_per_s"] / bare["edits_per_s"] if bare["edits_per_s"] else 0
    met = p99 <= 2 and tput >= 0.6
    return (
        f"goal at N={n} (p99 <= 2x bare, edits/s >= 0.6x bare): p99 {p99:.2f}x, "
        f"edits/s {tput:.2f}x -> {'MET' if met else 'MISSED'}"
    )


# --- command line --------------------------------------------------------------------


def parse_args(argv=None, *, description: str = __doc__) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--clients", default="10,50,200", help="client counts, e.g. 10,50")
    parser.add_argument("--seconds", type=float, default=15, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=3, help="excluded from the figures")
    parser.add_argument(
        "--rate",
        type=float,
        default=5,
        help="edits a second per client at most (closed loop; the server's flood limit is 40)",
    )
    parser.add_argument(
        "--async-mode", default="gevent", choices=("gevent", "eventlet", "threading")
    )
    parser.add_argument(
        "--client",
        default="lean",
        choices=("lean", "sio"),
        help="lean: bench/sockets.py LeanSocket; sio: python-socketio AsyncClient",
    )
    parser.add_argument(
        "--client-procs", type=int, default=1, help="processes the clients are spread over"
    )
    parser.add_argument("--servers", default="ours,bare", help="which to drive: ours,bare")
    parser.add_argument(
        "--nodelay",
        action="store_true",
        help="both servers with TCP_NODELAY (bench/tcp_nodelay.py)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    parser.add_argument(
        "--profile", type=Path, help="sample our server with py-spy (raw stacks) into this folder"
    )
    parser.add_argument(
        "--profile-delay",
        type=float,
        default=3,
        help="seconds the clients take to connect, before the warm-up",
    )
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in str(args.clients).split(",") if c.strip()]
    if args.client == "lean" and importlib.util.find_spec("aiohttp") is None:
        parser.error("the clients need aiohttp: .venv/bin/pip install aiohttp (or --client sio)")
    args.servers = {s.strip() for s in args.servers.split(",")}
    if not args.servers or not args.servers <= {"ours", "bare"}:
        parser.error("--servers takes ours, bare or both")
    if not 0 < args.rate <= 30:
        parser.error("--rate must be in (0, 30]: the server throttles above 40/s per socket")
    if args.seconds > 120 or args.warmup > 30 or max(args.clients) > 500:
        parser.error("bounded: --seconds <= 120, --warmup <= 30, --clients <= 500")
    return args


@contextlib.contextmanager
def profiler(server: Server, n: int, args):
    """With --profile DIR: sample our server with py-spy over the measured window."""
    if not args.profile or server.kind != "ours":
        yield
        return
    spy_bin = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(PYTHON).parent))
    if spy_bin is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    args.profile.mkdir(parents=True, exist_ok=True)
    out = args.profile / f"ours-{server.mode}-{n}.txt"
    # Clients connect first; start sampling at about the end of the warm-up.
    spy = subprocess.Popen(
        [
            "sh",
            "-c",
            f"sleep {args.profile_delay + args.warmup} && exec {spy_bin} record "
            f"--pid {server.proc.pid} --duration {int(args.seconds)} --rate 200 "
            f"--format raw --idle --nonblocking -o {out}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        try:
            spy.wait(args.seconds + 30)
        except subprocess.TimeoutExpired:
            spy.kill()
        print(f"  profile of ours at N={n}: {out}", file=sys.stderr)


class Bench:
    """A seeded template instance; each run gets a fresh copy of it."""

    def __init__(self, users: int, keep: bool = False):
        self.root = Path(tempfile.mkdtemp(prefix="codraft-bench-"))
        self.keep = keep
        self.template = self.root / "template"
        self.template.mkdir()
        started = time.monotonic()
        self.data = seed(self.template, users)
        self.seed_seconds = time.monotonic() - started
        self.fsync_ms = fsync_ms(self.template)
        self._n = 0

    def fresh(self) -> Path:
        self._n += 1
        folder = self.root / f"run-{self._n}"
        shutil.copytree(self.template, folder)
        return folder

    def run(self, kind: str, mode: str, n: int, args) -> dict:
        folder = self.fresh()
        with Server(kind, mode, folder, args.nodelay) as server, profiler(server, n, args):
            result = run_load(
                server,
                n=n,
                policy_id=self.data["policy_id"],
                tokens=self.data["tokens"],
                sentences=self.data["sentences"],
                rate=args.rate,
                warmup=args.warmup,
                seconds=args.seconds,
                procs=args.client_procs,
                seed=args.seed,
                client=args.client,
            )
        result.update(kind=kind, mode=mode, client_procs=args.client_procs, nodelay=args.nodelay)
        return result

    def close(self) -> None:
        if self.keep:
            print(f"instance folders kept in {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def print_setup(args, bench: Bench, mode_note: str) -> dict:
    info = machine()
    print(
        f"machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}, "
        f"Linux {info['kernel']}; fsync {bench.fsync_ms:.2f} ms"
    )
    print(
        f"load: closed loop, <= {args.rate:g} edits/s per client, {args.warmup:g} s warm-up "
        f"+ {args.seconds:g} s measured; one section of {len(SENTENCES)} sentences; "
        f"{mode_note}"
    )
    kind = {"lean": "LeanSocket (bench/sockets.py)", "sio": "python-socketio AsyncClient"}[
        args.client
    ]
    print(
        f"clients: {kind} in {args.client_procs} asyncio process(es) on the "
        f"same {info['nproc']} cores as the server (they compete for CPU)"
    )
    return info


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.monotonic()
    bench = Bench(max(args.clients), keep=args.keep)
    report = {
        "machine": None,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "runs": [],
    }
    try:
        report["machine"] = print_setup(
            args, bench, f"async mode {args.async_mode}" + (", TCP_NODELAY" if args.nodelay else "")
        )
        for n in args.clients:
            ours = bench.run("ours", args.async_mode, n, args) if "ours" in args.servers else None
            bare = bench.run("bare", args.async_mode, n, args) if "bare" in args.servers else None
            print_pair(n, ours, bare)
            report["runs"].extend(r for r in (ours, bare) if r)
            if ours and bare and n == 50:
                print("  " + goal(n, ours, bare))
        sys.stdout.flush()
    finally:
        bench.close()
    report["fsync_ms"], report["seconds"] = bench.fsync_ms, time.monotonic() - started
    print(f"\ntotal {report['seconds']:.0f} s (seeding {bench.seed_seconds:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
