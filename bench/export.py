"""How fast are exports and the public page? A 300-sentence policy (3 parts, 30
sections of 10 sentences, an FAQ part among them, 20 glossary entries) is published
as v1 and made public, then:

- each format (html, md, docx, odt, pdf) is rendered 3 times in its own fresh
  process (the first run pays for imports and, for PDF, loading fonts): the median
  time, the process's peak memory (max RSS), and Python's peak allocations while
  rendering (tracemalloc, in a fourth, untimed run);
- building the document from history ("now") is timed the same way;
- `codraft serve` (gevent, as shipped) serves the public page to 50 concurrent
  readers (aiohttp, in another process on the same cores) for --seconds, twice:
  paced (each reader opens the page once every --pace seconds: 50 people reading)
  and closed loop (each asks again at once: the server's capacity, where latency
  is just 50 / throughput). Requests per second, median, p99 and worst latency.

    .venv/bin/python bench/export.py                    # about a minute
    .venv/bin/python bench/export.py --readers 50 --seconds 15 --runs 3 --pace 1
    .venv/bin/python bench/export.py --page-only            # only the public page

docs/performance.md ("Exports and the public page") records the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMATS = ["html", "md", "docx", "odt", "pdf"]
WORDS = str.split(
    "a personal budget is an amount of money identified by the local authority to deliver "
    "some of the provision set out in an education health and care plan you can ask for one "
    "when the plan is drafted or reviewed for example at the annual review meeting we will "
    "tell you in writing within four weeks whether we agree and how the money can be used"
)


def _app(folder: Path):
    from server import create_app

    return create_app(
        {
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'codraft.db'}",
            "SECRET_KEY": "bench-export-secret-key",
            "TESTING": True,
            "ASYNC_MODE": "threading",
        }
    )


def seed(folder: Path) -> tuple[int, str]:
    """The policy, published as v1 and public; returns (policy id, public slug)."""
    from server.accounts.services import create_user
    from server.groups.models import Membership, Role
    from server.groups.services import create_group, create_subgroup
    from server.migrate import upgrade
    from server.policies import services as policies
    from server.publishing import services as publishing

    upgrade(f"sqlite:///{folder / 'codraft.db'}")
    app = _app(folder)
    rng = random.Random(2026)
    with app.app_context():
        db = app.extensions["codraft_db"].session
        users = [create_user(db, f"w{i}@example.org", f"Writer {i}", None) for i in range(8)]
        for u in users[:4]:
            u.credit_by_name = True
        group = create_group(db, users[0], "Bench group")
        roles = list(Role)
        db.add_all(
            Membership(group_id=group.id, user_id=u.id, role=roles[i % len(roles)])
            for i, u in enumerate(users[1:])
        )
        sub = create_subgroup(db, group, "Writers")
        policy = policies.create_policy(
            db, group, users[0], "Bench policy", "A policy of 300 sentences.", ["FAQ", "B", "C"]
        )
        for n in range(30):
            text = " ".join(
                " ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(10)
            )
            policies.create_section(
                db,
                policy.parts[n % 3],
                users[0],
                title=f"Question {n + 1}?" if n % 3 == 0 else f"Section {n + 1}",
                kind="faq" if n % 3 == 0 else "text",
                subgroup_id=sub.id,
                text=text,
            )
        publishing.publish(db, policy, users[0], "Bench release")
        page = publishing.set_public(db, policy, users[0], True)
        db.commit()
        count = publishing.release_document(db, publishing.latest_release(db, policy.id))
        assert count.sentence_count() == 300, count.sentence_count()
        return policy.id, page.slug


def one(folder: Path, policy_id: int, what: str, runs: int) -> dict:
    """In a fresh process: time `what` (a format, or "build") `runs` times."""
    from server.exports.policy import render
    from server.policies.models import Policy
    from server.publishing import services as publishing
    from server.publishing.document import GlossaryEntry

    app = _app(folder)
    with app.app_context():
        db = app.extensions["codraft_db"].session
        policy = db.get(Policy, policy_id)
        doc = publishing.release_document(db, publishing.latest_release(db, policy_id))
        doc.glossary = [
            GlossaryEntry(f"Term {i}", "What it means in plain words.") for i in range(20)
        ]

        def once() -> int:
            if what == "build":
                publishing.document_for(db, policy, publishing.Source())
                return 0
            return len(render(doc, what))

        times, size = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            size = once()
            times.append(time.perf_counter() - started)
        # Python's peak allocations, in one more run: tracemalloc slows allocation-heavy
        # code (WeasyPrint's layout) several times over, so it stays out of the timings.
        tracemalloc.start()
        once()
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "what": what,
        "times": times,
        "bytes": size,
        "py_peak_mb": peak / 2**20,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def readers(
    url: str, n: int, warmup: float, seconds: float, pace: float = 0.0
) -> list[float]:
    """n readers in a closed loop on kept-alive connections; only requests started
    after the warm-up count (the warm-up opens the connections and fills the cache:
    50 connects at once can lose a SYN, which costs a 1-3 s retry and is not what a
    page costs)."""
    import aiohttp

    latencies: list[float] = []
    begin = time.monotonic() + warmup
    stop = begin + seconds
    connector = aiohttp.TCPConnector(limit=n)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def reader():
            if pace:
                await asyncio.sleep(random.random() * pace)  # readers do not arrive in step
            while time.monotonic() < stop:
                started = time.perf_counter()
                counted = time.monotonic() >= begin
                async with session.get(url) as reply:
                    await reply.read()
                    assert reply.status == 200, reply.status
                took = time.perf_counter() - started
                if counted:
                    latencies.append(took)
                if pace:
                    await asyncio.sleep(max(0.0, pace - took))

        await asyncio.gather(*(reader() for _ in range(n)))
    return latencies


def serve_and_read(folder: Path, slug: str, n: int, seconds: float, pace: float) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from tests.conftest import free_port, wait_for_port

    port = free_port()
    env = {
        **os.environ,
        "CODRAFT_INSTANCE_PATH": str(folder),
        "CODRAFT_SECRET_KEY": "bench-export-secret-key",
    }
    log = open(folder / "serve.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc, timeout=120)
        url = f"http://127.0.0.1:{port}/published/{slug}/latest"
        paced = sorted(asyncio.run(readers(url, n, 3.0, seconds, pace)))
        closed = sorted(asyncio.run(readers(url, n, 3.0, seconds)))
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    return {"closed": _summary(closed, seconds), "paced": _summary(paced, seconds)}


def _summary(lat: list[float], seconds: float) -> dict:
    p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
    return {
        "requests": len(lat),
        "per_second": len(lat) / seconds,
        "median_ms": statistics.median(lat) * 1000,
        "p99_ms": p99 * 1000,
        "max_ms": lat[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="renders per format (median)")
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--pace", type=float, default=1.0, help="seconds between one reader's page loads"
    )
    parser.add_argument("--page-only", action="store_true", help="only the public page")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child: folder,policy,what
    args = parser.parse_args()
    if args.one:
        folder, policy_id, what = args.one.split(",")
        print(json.dumps(one(Path(folder), int(policy_id), what, args.runs)))
        return

    folder = Path(tempfile.mkdtemp(prefix="codraft-bench-export-"))
    policy_id, slug = seed(folder)
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; shared with other work"
    )
    print("policy: 300 sentences in 30 sections (10 FAQ), 3 parts, 20 glossary entries")
    print(f"{'':8} {'median':>9} {'runs':>28} {'size':>10} {'max RSS':>9} {'py peak':>9}")
    for what in [] if args.page_only else ["build", *FORMATS]:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--runs",
                str(args.runs),
                "--one",
                f"{folder},{policy_id},{what}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        runs = " ".join(f"{t * 1000:7.0f}" for t in r["times"])
        print(
            f"{what:8} {statistics.median(r['times']) * 1000:7.0f} ms {runs:>28} "
            f"{r['bytes'] / 1024:8.0f} kB {r['max_rss_mb']:6.0f} MB {r['py_peak_mb']:6.1f} MB"
        )
    r = serve_and_read(folder, slug, args.readers, args.seconds, args.pace)
    for kind, label in (
        ("paced", f"each reader opens the page every {args.pace:g} s"),
        ("closed", "each reader asks again at once (capacity)"),
    ):
        x = r[kind]
        print(
            f"public page, {args.readers} readers, {label}; 3 s warm-up + {args.seconds:g} s: "
            f"{x['requests']} requests, {x['per_second']:.0f}/s, median {x['median_ms']:.1f} ms, "
            f"p99 {x['p99_ms']:.1f} ms, worst {x['max_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
