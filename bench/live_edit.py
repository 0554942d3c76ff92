"""Live-edit load test: `codraft serve` against a bare Flask-SocketIO relay.

For each client count N it starts the production server on a fresh copy of a
seeded instance (SQLite, or PostgreSQL with --db postgres), connects N Socket.IO
clients spread over --policies policies (and over --processes server processes,
sharing broadcasts through Redis), has each send small diff-match-patch edits to
the sentences of its policy's section, and measures

  to-all p50/p99   time from the edit's SCHEDULED send time until the last OTHER
                   client in its policy has received its `op` (matched by origin
                   client_id and ref); an edit that never reaches everyone counts
                   as infinitely slow;
  ack p50/p99      scheduled send time to the sender's ack;
  edits/s          edits committed (ok acks) per second in the measured window;
  CPU ms/edit      the server processes' CPU (from /proc) over the window, per edit;
  RSS              the server processes' resident memory at the end (summed);
  join s           from the first connect to the last client joined;
  join CPU ms      the server processes' CPU from just before the first connect to
                   the last join, per client joined ("srv"), and the clients' own
                   ("cli"): robust to a busy machine, unlike join s.

The same clients and load then drive bench/bare_relay.py (the same server and
TCP_NODELAY as `serve`, no auth, no merge, no database; `barefan` is that relay
writing broadcasts as `serve` does, server/realtime/fanout.py), and, with
--arms ours,nohints,bare, `serve` with CODRAFT_LIVE_HINTS=0 too. Arms run
interleaved, --repeat rounds (the order rotated each round), and the table shows
each arm's median. Only 127.0.0.1 is contacted; every phase has a time limit.

    .venv/bin/python bench/live_edit.py --clients 50,200                # closed loop
    .venv/bin/python bench/live_edit.py --clients 100 --arrivals poisson --rate 1
    .venv/bin/python bench/live_edit.py --db postgres --processes 2 --policies 10 \
        --clients 200 --arrivals poisson --rate 1
    .venv/bin/python bench/live_edit.py --clients 50 --arms ours,nohints  # issue 15
    .venv/bin/python bench/live_edit.py --clients 50 --arms before,ours,bare \
        --before-tree /tmp/codraft-before    # a worktree of the code to compare with
    .venv/bin/python bench/live_edit.py --clients 500 --arms ours,before,bare \
        --before-tree /tmp/codraft-before --seconds 3 --warmup 1   # joins, before/after

Load models. Closed loop (--arrivals closed): each client has at most one edit in
flight and starts one every 1/--rate seconds (later if the previous ack is late).
Open loop (--arrivals poisson): each client sends at Poisson times of mean rate
--rate whatever happened to its earlier edits, and latency counts from the
scheduled time, so a server that falls behind cannot hide its queue. A
`conflict` ack refreshes the sentence and retries at once (counted); a `busy` ack
is counted and not retried. Clients (bench/sockets.py) run in --client-procs
asyncio processes on the same machine: their CPU use is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import multiprocessing as mp
import os
import platform
import random
import shutil
import signal
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

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def seed(folder: Path, users: int, policies: int = 1, database_url: str | None = None) -> dict:
    """Migrate a fresh instance and load, through the server's own services, a group
    whose `users` members share one sub-group, and `policies` policies each with one
    section of 20 sentences owned by that sub-group."""
    url = database_url or f"sqlite:///{folder / 'codraft.db'}"
    env = server_env(folder, url)
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
            "DATABASE_URL": url,
            "ASYNC_MODE": "threading",
        }
    )
    database = app.extensions["codraft_db"]
    db = database.session
    made = []
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
        for k in range(policies):
            policy = create_policy(db, group, facilitator, f"Bench policy {k}", "", ["Part one"])
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
            if len(sentences) != len(SENTENCES):
                raise RuntimeError(f"expected {len(SENTENCES)} sentences, got {len(sentences)}")
            made.append({"policy_id": policy.id, "sentences": sentences})
        database.commit()
    database.remove()
    database.engine.dispose()
    return {
        "policy_id": made[0]["policy_id"],
        "sentences": made[0]["sentences"],
        "policies": made,
        "tokens": tokens,
    }


def server_env(folder: Path, database_url: str | None = None, **extra: str) -> dict:
    """Our environment less CODRAFT_* (a stray DATABASE_URL or MESSAGE_QUEUE would
    point the bench elsewhere), plus the bench instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODRAFT_")}
    env.update(CODRAFT_INSTANCE_PATH=str(folder), CODRAFT_SECRET_KEY=SECRET)
    if database_url:
        env["CODRAFT_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def pg_admin(sql: str, url: str = PG_ADMIN) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


# --- servers -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ARMS = {
    "ours": ("ours", {}),
    "nohints": ("ours", {"CODRAFT_LIVE_HINTS": "0"}),
    "bare": ("bare", {}),
    # the relay writing broadcasts as `serve` does (server/realtime/fanout.py): what
    # the relay's floor would be with our fan-out, to read the ratio against both
    "barefan": ("bare", {"CODRAFT_BENCH_FANOUT": "1"}),
    # `serve` from another checkout (--before-tree), for a before/after comparison
    # interleaved in one run on a shared machine.
    "before": ("ours", {}),
    # ours without the expected-wait bound (the count only, as `before`): CPU per
    # edit compared without refusals
    "nowait": ("ours", {"CODRAFT_LIVE_MAX_WAIT": "1000"}),
}


class Server:
    """A server subprocess on 127.0.0.1, stopped for sure on exit."""

    def __init__(
        self,
        kind: str,
        mode: str,
        folder: Path,
        nodelay: bool = False,
        env=None,
        root: Path = ROOT,
    ):
        self.kind, self.mode, self.folder, self.root = kind, mode, folder, root
        self.env = env or server_env(folder)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if kind == "ours":
            # gevent: `serve` sets TCP_NODELAY itself; other modes only with --nodelay.
            plain = mode == "gevent" or not nodelay
            launcher = ["-m", "server.cli"] if plain else [str(BENCH / "tcp_nodelay.py")]
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
            queue = self.env.get("CODRAFT_MESSAGE_QUEUE")
            self.argv = [
                PYTHON,
                str(BENCH / "bare_relay.py"),
                "--port",
                str(self.port),
                "--async-mode",
                mode,
                *(["--nodelay"] if nodelay else []),
                *(["--fanout"] if self.env.get("CODRAFT_BENCH_FANOUT") else []),
                *(["--message-queue", queue] if queue else []),
                *(
                    ["--channel", self.env["CODRAFT_MESSAGE_QUEUE_CHANNEL"]]
                    if "CODRAFT_MESSAGE_QUEUE_CHANNEL" in self.env
                    else []
                ),
            ]
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log = open(self.folder / f"{self.kind}-{self.mode}-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.argv, env=self.env, cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited: see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.kind} server did not listen within 60 s")

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
        return process_cpu(self.proc.pid)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends_cpu(database: str | None) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving `database` (its process
    title is `postgres: [CLUSTER:] USER DATABASE HOST ...`): the database's own share of the
    machine, which a SQLite server spends inside its own process."""
    found: dict[int, float] = {}
    if not database:
        return found
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                title = fh.read().replace(b"\0", b" ").decode(errors="replace").split()
            if title[:1] == ["postgres:"] and database in title[1:5]:
                found[int(entry)] = process_cpu(int(entry))
        except OSError:  # gone meanwhile
            continue
    return found


class Servers(contextlib.ExitStack):
    """N processes of one arm on one database (and one Redis channel when N > 1)."""

    def __init__(
        self,
        kind: str,
        mode: str,
        folder: Path,
        n: int,
        nodelay: bool,
        env: dict,
        root: Path = ROOT,
    ):
        super().__init__()
        # `python -m server.cli` run in `root` imports that checkout's server package.
        self.list = [Server(kind, mode, folder, nodelay, env, root) for _ in range(n)]
        self.kind = kind
        url = env.get("CODRAFT_DATABASE_URL") if kind != "bare" else None
        self.database = url.rsplit("/", 1)[1] if url and url.startswith("postgresql") else None

    def __enter__(self) -> Servers:
        super().__enter__()
        for server in self.list:
            self.enter_context(server)
        return self

    def cpu_seconds(self) -> float:
        return sum(s.cpu_seconds() for s in self.list)

    def rss_mb(self) -> float:
        return sum(s.rss_mb() for s in self.list)

    def database_cpu(self) -> dict[int, float]:
        return database_backends_cpu(self.database)


# --- clients (run in worker processes) -----------------------------------------------


@dataclass
class Spec:
    clients: list[dict]  # {token, client_id, url, policy_id, sentences}
    rate: float
    arrivals: str  # closed or poisson
    seed: int
    logins: bool  # send the token (ours) or nothing (bare)
    client: str  # sockets.KINDS


@dataclass
class Tally:
    sends: list[tuple] = field(default_factory=list)  # (client_id, ref, t_sched, t_ack, code)
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
    """One editor: its own socket, its own view of its policy's sentences, kept
    current from the `op` stream like a browser's."""

    def __init__(self, spec: Spec, me: dict, tally: Tally, rng, session):
        from diff_match_patch import diff_match_patch
        from sockets import KINDS

        self.spec, self.me, self.tally, self.rng = spec, me, tally, rng
        self.client_id = me["client_id"]
        self.dmp = diff_match_patch()
        self.sock = KINDS[spec.client](self.on_op, session)
        self.state = {s["id"]: (s["text"], s["version"]) for s in me["sentences"]}
        self.base_len = {s["id"]: len(s["text"]) for s in me["sentences"]}
        self.ref = 0
        self.connected = False
        self.joined_at = 0.0

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
            if known is not None and op["version"] > known[1]:
                self.state[op["id"]] = (op["text"], op["version"])

    async def connect(self, gate: asyncio.Semaphore) -> None:
        async with gate:
            try:
                await self.sock.connect(
                    self.me["url"], {"token": self.me["token"]} if self.spec.logins else None, 20
                )
                reply = await self.sock.call(
                    "join_policy",
                    {"policy_id": self.me["policy_id"], "client_id": self.client_id},
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
                    if s["id"] in self.state:
                        self.state[s["id"]] = (s["text"], s["version"])
            self.connected = True
            self.joined_at = time.monotonic()

    async def edit(self, sentence_id: int, scheduled: float | None = None) -> str:
        """Send one edit (retrying conflicts at once); return the last ack's code.
        Latency counts from `scheduled` (open loop) or from the first send."""
        start = scheduled
        for _attempt in range(5):
            text, version = self.state[sentence_id]
            new = mutate(text, self.rng, self.base_len[sentence_id])
            self.ref += 1
            ref = self.ref  # not self.ref below: other edits of this client go on meanwhile
            payload = {
                "id": sentence_id,
                "base_version": version,
                "ref": ref,
                "patch": self.dmp.patch_toText(self.dmp.patch_make(text, new)),
            }
            sent = time.monotonic() if start is None else start
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
            self.tally.sends.append((self.client_id, ref, sent, time.monotonic(), code))
            if code != "conflict":
                return code
            fresh = ack["error"]
            if fresh.get("version", 0) >= self.state[sentence_id][1]:
                self.state[sentence_id] = (fresh["text"], fresh["version"])
        return code

    async def run(self, start: float, stop: float) -> None:
        if not self.connected:
            return
        if self.spec.arrivals == "poisson":
            await self.run_open(start, stop)
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

    async def run_open(self, start: float, stop: float) -> None:
        """Open loop: send at Poisson times whatever the earlier edits are doing."""
        ids = list(self.state)
        loop = asyncio.get_running_loop()
        in_flight: set[asyncio.Task] = set()
        due = start + self.rng.expovariate(self.spec.rate)
        while due < stop:
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            if not self.sock.connected:
                break
            task = loop.create_task(self.edit(self.rng.choice(ids), scheduled=due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            due += self.rng.expovariate(self.spec.rate)
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)


async def _drive(conn, spec: Spec) -> dict:
    loop = asyncio.get_running_loop()
    tally = Tally()
    rng = random.Random(spec.seed)
    session = None
    if spec.client == "lean":
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    bots = [Bot(spec, me, tally, random.Random(rng.random()), session) for me in spec.clients]
    gate = asyncio.Semaphore(16)
    began, cpu_began = time.monotonic(), time.process_time()
    await asyncio.gather(*(b.connect(gate) for b in bots))
    joined = max((b.joined_at for b in bots), default=began)
    join_cpu = time.process_time() - cpu_began
    conn.send(("ready", (sum(b.connected for b in bots), began, joined, join_cpu)))
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
        "members": {b.client_id: b.me["policy_id"] for b in bots if b.connected},
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


def place_clients(n: int, urls: list[str], policies: list[dict], tokens, kind, split) -> list:
    """Client i edits policy i mod M. Its process: sticky by policy (policy k's
    clients all on process k mod N, as a proxy routing by policy would) or, with
    --split client, client i on process i mod N (one policy's editors spread)."""
    placed = []
    for i in range(n):
        k = i % len(policies)
        where = k if split == "policy" else i
        placed.append(
            {
                "token": tokens[i] if kind == "ours" else "",
                "client_id": f"bench-{i:04d}-{uuid.uuid4().hex[:8]}",
                "url": urls[where % len(urls)],
                "policy_id": policies[k]["policy_id"],
                "sentences": policies[k]["sentences"],
            }
        )
    return placed


def run_load(servers: Servers, *, n: int, data: dict, args, on_joined=lambda: None) -> dict:
    """Connect n clients to `servers`, load them, and return the figures."""
    ctx = mp.get_context("spawn")
    clients = place_clients(
        n,
        [s.url for s in servers.list],
        data["policies"],
        data["tokens"],
        servers.kind,
        args.split,
    )
    procs = max(1, min(args.client_procs, n))
    pipes, workers = [], []
    cpu_idle = servers.cpu_seconds()  # the servers are idle until the first connect
    for k in range(procs):
        spec = Spec(
            clients[k::procs],
            args.rate,
            args.arrivals,
            args.seed + k,
            logins=servers.kind == "ours",
            client=args.client,
        )
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker, args=(child, spec), daemon=True)
        proc.start()
        pipes.append(parent)
        workers.append(proc)
    try:
        connected, began, joined, client_join_cpu = 0, [], [], 0.0
        for pipe in pipes:
            if not pipe.poll(180):
                raise RuntimeError("clients did not connect within 180 s")
            kind, value = pipe.recv()
            if kind == "error":
                raise RuntimeError(f"client worker failed: {value}")
            connected += value[0]
            began.append(value[1])
            joined.append(value[2])
            client_join_cpu += value[3]
        join_cpu = servers.cpu_seconds() - cpu_idle
        on_joined()
        start = time.monotonic() + 0.5
        measure_from, stop = start + args.warmup, start + args.warmup + args.seconds
        for pipe in pipes:
            pipe.send((start, measure_from, stop))
        time.sleep(max(0.0, measure_from - time.monotonic()))
        cpu_from, db_from = servers.cpu_seconds(), servers.database_cpu()
        time.sleep(max(0.0, stop - time.monotonic()))
        cpu_to, db_to = servers.cpu_seconds(), servers.database_cpu()
        results = []
        for pipe in pipes:
            if not pipe.poll(60):
                raise RuntimeError("clients did not finish within 60 s of the end")
            kind, value = pipe.recv()
            if kind == "error":
                raise RuntimeError(f"client worker failed: {value}")
            results.append(value)
        rss = servers.rss_mb()
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
        seconds=args.seconds,
        rss=rss,
        server_cpu_seconds=cpu_to - cpu_from,
        database_cpu_seconds=(
            sum(cpu - db_from.get(pid, 0.0) for pid, cpu in db_to.items())
            if servers.database
            else float("nan")
        ),
        join_seconds=max(joined) - min(began),
        join_cpu_seconds=(join_cpu, client_join_cpu),
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
    server_cpu_seconds: float,
    join_seconds: float = float("nan"),
    join_cpu_seconds: tuple[float, float] = (float("nan"), float("nan")),
    database_cpu_seconds: float = float("nan"),
) -> dict:
    receipts: dict[tuple, list] = {}
    members: dict[str, int] = {}
    for r in results:
        members.update(r.get("members", {}))
        for origin, ref, count, last in r["receipts"]:
            seen = receipts.setdefault((origin, ref), [0, 0.0])
            seen[0] += count
            seen[1] = max(seen[1], last)
    room_size: dict[int, int] = {}
    for policy_id in members.values():
        room_size[policy_id] = room_size.get(policy_id, 0) + 1
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
        others = room_size.get(members.get(cid), connected) - 1
        if others <= 0:
            continue
        if seen and seen[0] >= others:
            latencies.append(seen[1] - sent)
        else:
            missing += 1
            latencies.append(float("inf"))  # never reached everyone: counts as slowest
    acks = [s[3] - s[2] for s in sends if s[4] == "ok" and measure_from <= s[2] < stop]
    refused = [s[3] - s[2] for s in sends if s[4] == "busy" and measure_from <= s[2] < stop]
    committed = sum(1 for s in sends if s[4] == "ok" and measure_from <= s[3] < stop)
    return {
        "n": n,
        "connected": connected,
        "edits_per_s": committed / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "ack_p50_ms": percentile(acks, 50) * 1000,
        "ack_p99_ms": percentile(acks, 99) * 1000,
        "busy_p99_ms": percentile(refused, 99) * 1000,
        "measured_edits": len(latencies),
        "missing": missing,
        "codes": codes,
        "rss_mb": rss,
        "server_cpu": server_cpu_seconds / seconds,
        "cpu_ms_per_edit": server_cpu_seconds / committed * 1000 if committed else float("nan"),
        "db_cpu_ms_per_edit": (
            database_cpu_seconds / committed * 1000 if committed else float("nan")
        ),
        "client_cpu": sum(r["cpu_seconds"] for r in results) / seconds,
        "join_s": join_seconds,
        "join_srv_ms": join_cpu_seconds[0] / connected * 1000 if connected else float("nan"),
        "join_cli_ms": join_cpu_seconds[1] / connected * 1000 if connected else float("nan"),
    }


# --- report --------------------------------------------------------------------------

FIGURES = (
    "p50_ms",
    "p99_ms",
    "ack_p50_ms",
    "ack_p99_ms",
    "edits_per_s",
    "cpu_ms_per_edit",
    "rss_mb",
    "server_cpu",
    "client_cpu",
    "join_s",
    "join_srv_ms",
    "join_cli_ms",
    "busy_p99_ms",
    "db_cpu_ms_per_edit",
)


def fmt(value: float, digits: int = 1) -> str:
    if value != value:  # nan
        return "-"
    if value == float("inf"):
        return "inf"
    return f"{value:.{digits}f}"


def ratio(a: float, b: float) -> str:
    if not b or a != a or b != b or b == float("inf"):
        return "-"
    return f"{a / b:.2f}x"


def median_of(runs: list[dict]) -> dict:
    """Each figure's median over the rounds (codes and counts summed)."""
    out = dict(runs[0])
    for key in FIGURES:
        values = sorted(r[key] for r in runs)
        out[key] = values[len(values) // 2]
    out["p99_all"] = [r["p99_ms"] for r in runs]
    out["codes"] = {}
    for r in runs:
        for code, count in r["codes"].items():
            out["codes"][code] = out["codes"].get(code, 0) + count
    out["missing"] = sum(r["missing"] for r in runs)
    out["connected"] = min(r["connected"] for r in runs)
    out["rounds"] = len(runs)
    return out


HEADER = (
    f"  {'':<8}{'to-all p50':>11}{'p99':>8}{'ack p50':>9}{'p99':>8}{'edits/s':>9}"
    f"{'CPU ms/ed':>10}{'RSS MB':>8}{'srv CPU':>8}{'cli CPU':>8}{'join s':>7}"
    f"{'busy':>6}{'errors':>7}   join CPU ms/client: srv, cli"
)


def row(label: str, r: dict, width: int = 8) -> str:
    busy = r["codes"].get("busy", 0)
    other = sum(v for k, v in r["codes"].items() if k not in ("ok", "noop", "conflict", "busy"))
    return (
        f"  {label:<{width}}{fmt(r['p50_ms']):>11}{fmt(r['p99_ms']):>8}"
        f"{fmt(r['ack_p50_ms']):>9}{fmt(r['ack_p99_ms']):>8}{fmt(r['edits_per_s']):>9}"
        f"{fmt(r['cpu_ms_per_edit'], 2):>10}{fmt(r['rss_mb'], 0):>8}"
        f"{fmt(r['server_cpu'] * 100, 0):>7}%{fmt(r['client_cpu'] * 100, 0):>7}%"
        f"{fmt(r['join_s'], 2):>7}{busy:>6}{other:>7}"
        f"{fmt(r['join_srv_ms'], 2):>10}{fmt(r['join_cli_ms'], 2):>6}"
    )


def print_table(n: int, medians: dict[str, dict]) -> None:
    rounds = next(iter(medians.values()))["rounds"]
    print(f"\nN = {n} clients (median of {rounds} interleaved rounds)")
    print(HEADER)
    for arm, r in medians.items():
        print(row(arm, r))
    for relay in ("bare", "barefan"):  # each relay against the other arms
        base = medians.get(relay)
        for arm, r in medians.items():
            if base is None or arm in ("bare", "barefan") and arm <= relay:
                continue
            print(
                f"  {arm + '/' + relay:<8}{ratio(r['p50_ms'], base['p50_ms']):>11}"
                f"{ratio(r['p99_ms'], base['p99_ms']):>8}"
                f"{ratio(r['ack_p50_ms'], base['ack_p50_ms']):>9}"
                f"{ratio(r['ack_p99_ms'], base['ack_p99_ms']):>8}"
                f"{ratio(r['edits_per_s'], base['edits_per_s']):>9}"
                f"{ratio(r['cpu_ms_per_edit'], base['cpu_ms_per_edit']):>10}"
                f"{ratio(r['rss_mb'], base['rss_mb']):>8}"
            )
    if "ours" in medians and "nohints" in medians:
        on, off = medians["ours"], medians["nohints"]
        print(
            f"  hints on/off: p99 {ratio(on['p99_ms'], off['p99_ms'])}, "
            f"edits/s {ratio(on['edits_per_s'], off['edits_per_s'])}"
        )
    for arm, r in medians.items():
        print(f"  {arm}: to-all p99 per round " + ", ".join(fmt(v) for v in r["p99_all"]))
        if not math.isnan(r.get("db_cpu_ms_per_edit", float("nan"))):
            print(
                f"  {arm}: PostgreSQL's backends used {fmt(r['db_cpu_ms_per_edit'], 2)} ms "
                "of CPU per edit on this machine too (server + database: "
                f"{fmt(r['cpu_ms_per_edit'] + r['db_cpu_ms_per_edit'], 2)} ms)"
            )
        if r["connected"] < n:
            print(f"  ! {arm}: only {r['connected']} of {n} clients connected")
        if r["missing"]:
            print(f"  ! {arm}: {r['missing']} edits never reached every client (inf)")
        if r["client_cpu"] > 0.85 * r["client_procs"]:
            print(
                f"  ! {arm}: the clients used {r['client_cpu'] * 100:.0f}% CPU: this run "
                "may measure the clients, not the server"
            )


def goal(n: int, ours: dict, bare: dict, name: str = "bare") -> str:
    p99 = ours["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else float("inf")
    tput = ours["edits_per_s"] / bare["edits_per_s"] if bare["edits_per_s"] else 0
    cpu = ours["cpu_ms_per_edit"] / bare["cpu_ms_per_edit"] if bare["cpu_ms_per_edit"] else 0
    met = p99 <= 1.5 and tput >= 0.8 and cpu <= 1.5
    return (
        f"goal at N={n} (p99 <= 1.5x {name}, edits/s >= 0.8x, CPU/edit <= 1.5x): p99 {p99:.2f}x, "
        f"edits/s {tput:.2f}x, CPU/edit {cpu:.2f}x -> {'MET' if met else 'MISSED'}"
    )


# --- command line --------------------------------------------------------------------


def parse_args(argv=None, *, description: str = __doc__) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--clients", default="50,200", help="client counts, e.g. 10,50")
    parser.add_argument("--seconds", type=float, default=15, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=3, help="excluded from the figures")
    parser.add_argument(
        "--rate",
        type=float,
        default=5,
        help="edits a second per client (closed: at most; poisson: the mean); the "
        "server's flood limit is 40",
    )
    parser.add_argument("--arrivals", default="closed", choices=("closed", "poisson"))
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--pg-url", default=PG_ADMIN, help="PostgreSQL to create databases in")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--processes", type=int, default=1, help="server processes per arm")
    parser.add_argument(
        "--queue",
        action="store_true",
        help="share broadcasts through Redis even with one process (the queue's own cost)",
    )
    parser.add_argument("--policies", type=int, default=1, help="policies the clients spread on")
    parser.add_argument(
        "--split",
        default="policy",
        choices=("policy", "client"),
        help="which process a client uses: by its policy (sticky) or by client",
    )
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds (median)")
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
    parser.add_argument(
        "--arms",
        "--servers",
        dest="arms",
        default="ours,bare",
        help="what to drive, interleaved: ours, nohints (ours, CODRAFT_LIVE_HINTS=0), bare, "
        "barefan (the relay with our fan-out)",
    )
    parser.add_argument(
        "--nodelay",
        action="store_true",
        help="eventlet/threading only: TCP_NODELAY on both (gevent: always, as serve)",
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
        default=0,
        help="seconds after the warm-up before sampling starts",
    )
    parser.add_argument(
        "--profile-joins",
        action="store_true",
        help="with --profile: sample from the first connect to the last join instead",
    )
    parser.add_argument(
        "--profile-cpu",
        action="store_true",
        help="with --profile: on-CPU samples only (py-spy without --idle), so waits for "
        "the disk, the network or a lock do not count",
    )
    parser.add_argument(
        "--before-tree",
        type=Path,
        help="the `before` arm runs `serve` from this checkout (same venv), e.g. a "
        "`git worktree add /tmp/before main`",
    )
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in str(args.clients).split(",") if c.strip()]
    if args.client == "lean" and importlib.util.find_spec("aiohttp") is None:
        parser.error("the clients need aiohttp: .venv/bin/pip install aiohttp (or --client sio)")
    args.arms = [s.strip() for s in args.arms.split(",") if s.strip()]
    if not args.arms or not set(args.arms) <= set(ARMS):
        parser.error("--arms takes ours, nohints, nowait, bare, barefan, before")
    if "before" in args.arms and not (args.before_tree and (args.before_tree / "server").is_dir()):
        parser.error("--arms before needs --before-tree, a checkout (git worktree) to compare")
    if "before" in args.arms and _migrations(args.before_tree) != _migrations(ROOT):
        print(
            "! before: its migrations differ from this tree's, but it runs on this tree's"
            " schema (the template database is seeded once, by this tree)",
            file=sys.stderr,
        )
    args.servers = set(args.arms)  # bench/async_modes.py reads this
    if not 0 < args.rate <= 30:
        parser.error("--rate must be in (0, 30]: the server throttles above 40/s per socket")
    if args.seconds > 120 or args.warmup > 30 or max(args.clients) > 500:
        parser.error("bounded: --seconds <= 120, --warmup <= 30, --clients <= 500")
    if not 1 <= args.processes <= 8 or not 1 <= args.policies <= 100 or not 1 <= args.repeat <= 9:
        parser.error("bounded: --processes 1..8, --policies 1..100, --repeat 1..9")
    return args


class Profile:
    """With --profile DIR: py-spy on our (first) server over the measured window
    (started once every client has joined, after the warm-up) or, with
    --profile-joins, from the first connect until the last client joined."""

    def __init__(self, servers: Servers, n: int, args):
        self.spy: subprocess.Popen | None = None
        self.args, self.n = args, n
        if not args.profile or servers.kind != "ours":
            return
        spy_bin = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(PYTHON).parent))
        if spy_bin is None:
            raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
        args.profile.mkdir(parents=True, exist_ok=True)
        server = servers.list[0]
        phase = "joins" if args.profile_joins else "window"
        self.out = args.profile / f"ours-{server.mode}-{n}-{phase}-{server.port}.txt"
        self.record = (
            f"{spy_bin} record --pid {server.proc.pid} --rate 200 --format raw "
            f"{'' if args.profile_cpu else '--idle '}--nonblocking -o {self.out}"
        )
        if args.profile_joins:  # stopped by joined(): py-spy writes its file on SIGINT
            self._start(f"exec {self.record} --duration 300")
            time.sleep(1)  # py-spy attaches before the first client connects

    def _start(self, command: str) -> None:
        self.spy = subprocess.Popen(
            ["sh", "-c", command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def joined(self) -> None:
        """Every client has joined: the edits start 0.5 s from now (run_load)."""
        if not self.args.profile or not hasattr(self, "record"):
            return
        if self.args.profile_joins:
            self.spy.send_signal(signal.SIGINT)
        else:
            delay = 0.5 + self.args.warmup + self.args.profile_delay
            self._start(f"sleep {delay} && exec {self.record} --duration {int(self.args.seconds)}")

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *_exc) -> None:
        if self.spy is None:
            return
        try:
            self.spy.wait(self.args.seconds + 30)
        except subprocess.TimeoutExpired:
            self.spy.kill()
        print(f"  profile of ours at N={self.n}: {self.out}", file=sys.stderr)


def _migrations(tree: Path) -> list[str]:
    """The migration files of a checkout: the schema its code expects."""
    return sorted(p.name for p in (tree / "migrations" / "versions").glob("*.py"))


class Bench:
    """A seeded template instance; each run gets a fresh copy of it (a file copy for
    SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL)."""

    def __init__(self, users: int, keep: bool = False, *, policies: int = 1, args=None):
        self.root = Path(tempfile.mkdtemp(prefix="codraft-bench-"))
        self.keep = keep
        self.db = getattr(args, "db", "sqlite")
        self.pg_url = getattr(args, "pg_url", PG_ADMIN)
        self.tag = f"codraft_bench_{uuid.uuid4().hex[:8]}"
        self.template = self.root / "template"
        self.template.mkdir()
        self.made: list[str] = []
        started = time.monotonic()
        url = None
        if self.db == "postgres":
            pg_admin(f'CREATE DATABASE "{self.tag}_tpl"', self.pg_url)
            self.made.append(f"{self.tag}_tpl")
            url = self._url(f"{self.tag}_tpl")
        self.data = seed(self.template, users, policies, url)
        self.seed_seconds = time.monotonic() - started
        self.fsync_ms = fsync_ms(self.template)
        self._n = 0

    def _url(self, name: str) -> str:
        base = self.pg_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        return f"{base}/{name}"

    def fresh(self) -> tuple[Path, str | None]:
        self._n += 1
        folder = self.root / f"run-{self._n}"
        shutil.copytree(self.template, folder)
        if self.db != "postgres":
            return folder, None
        name = f"{self.tag}_{self._n}"
        pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.tag}_tpl"', self.pg_url)
        self.made.append(name)
        return folder, self._url(name)

    def run(self, arm: str, mode: str, n: int, args) -> dict:
        kind, extra = ARMS[arm]
        folder, url = self.fresh()
        processes = getattr(args, "processes", 1)
        if processes > 1 or getattr(args, "queue", False):
            extra = {
                **extra,
                "CODRAFT_MESSAGE_QUEUE": args.redis_url,
                "CODRAFT_MESSAGE_QUEUE_CHANNEL": f"{self.tag}-{self._n}",
            }
        env = server_env(folder, url, **extra)
        root = args.before_tree.resolve() if arm == "before" else ROOT
        with (
            Servers(kind, mode, folder, processes, args.nodelay, env, root) as servers,
            Profile(servers, n, args) as profile,
        ):
            result = run_load(servers, n=n, data=self.data, args=args, on_joined=profile.joined)
        if url:
            with contextlib.suppress(Exception):
                pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        result.update(
            arm=arm, kind=kind, mode=mode, client_procs=args.client_procs, nodelay=args.nodelay
        )
        return result

    def close(self) -> None:
        for name in self.made:
            with contextlib.suppress(Exception):
                pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', self.pg_url)
        if self.keep:
            print(f"instance folders kept in {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def load_average() -> str:
    with contextlib.suppress(OSError), open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])
    return "?"


def print_setup(args, bench: Bench, mode_note: str) -> dict:
    info = machine()
    info["load_at_start"] = load_average()
    print(
        f"machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}, "
        f"Linux {info['kernel']}; fsync {bench.fsync_ms:.2f} ms; load average "
        f"{info['load_at_start']} at start"
    )
    loop = (
        f"open loop, Poisson arrivals, mean {args.rate:g} edits/s per client"
        if getattr(args, "arrivals", "closed") == "poisson"
        else f"closed loop, <= {args.rate:g} edits/s per client, one edit in flight"
    )
    print(
        f"load: {loop}, {args.warmup:g} s warm-up + {args.seconds:g} s measured; "
        f"{getattr(args, 'policies', 1)} policy(ies) of one {len(SENTENCES)}-sentence section; "
        f"{getattr(args, 'db', 'sqlite')}, {getattr(args, 'processes', 1)} process(es) per arm "
        f"(split by {getattr(args, 'split', 'policy')}); {mode_note}"
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
    bench = Bench(max(args.clients), keep=args.keep, policies=args.policies, args=args)
    report = {
        "machine": None,
        "argv": sys.argv[1:] if argv is None else argv,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "runs": [],
        "medians": [],
    }
    try:
        report["machine"] = print_setup(args, bench, f"async mode {args.async_mode}")
        for n in args.clients:
            runs: dict[str, list[dict]] = {arm: [] for arm in args.arms}
            for k in range(args.repeat):
                order = args.arms[k % len(args.arms) :] + args.arms[: k % len(args.arms)]
                for arm in order:
                    result = bench.run(arm, args.async_mode, n, args)
                    result["round"] = k
                    runs[arm].append(result)
                    report["runs"].append(result)
            medians = {arm: median_of(rs) for arm, rs in runs.items()}
            report["medians"].append({"n": n, **medians})
            print_table(n, medians)
            for relay in ("bare", "barefan"):
                if "ours" in medians and relay in medians and args.arrivals == "closed":
                    print("  " + goal(n, medians["ours"], medians[relay], relay))
            sys.stdout.flush()
    finally:
        bench.close()
    report["fsync_ms"], report["seconds"] = bench.fsync_ms, time.monotonic() - started
    report["load_at_end"] = load_average()
    print(
        f"\ntotal {report['seconds']:.0f} s (seeding {bench.seed_seconds:.0f} s); "
        f"load average {report['load_at_end']} at the end"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
