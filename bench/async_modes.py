"""Which async mode should `codraft serve` run in? The same load under each.

Drives `codraft serve --async-mode M` (and the bare relay in the same mode, for
scale) with bench/live_edit.py's clients, for M in gevent, eventlet, threading,
and prints one table. docs/performance.md records the figures and the choice.

    .venv/bin/python bench/async_modes.py                  # 50 clients, 15 s each
    .venv/bin/python bench/async_modes.py --clients 50 --seconds 10 --modes gevent,eventlet

eventlet is not a dependency of Codraft: `pip install eventlet` into the venv
first, or leave it out of --modes.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time

import live_edit as le


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    modes = ["gevent", "eventlet", "threading"]
    if "--modes" in argv:
        at = argv.index("--modes")
        modes = [m.strip() for m in argv[at + 1].split(",") if m.strip()]
        del argv[at : at + 2]
    if not any(a == "--clients" or a.startswith("--clients=") for a in argv):
        argv += ["--clients", "50"]
    args = le.parse_args(argv, description=__doc__)
    for mode in modes:
        if mode not in ("gevent", "eventlet", "threading"):
            sys.exit(f"unknown mode {mode!r}")
        if mode != "threading" and importlib.util.find_spec(mode) is None:
            sys.exit(
                f"{mode} is not installed in this Python: pip install {mode}, or drop it "
                "from --modes"
            )
    started = time.monotonic()
    bench = le.Bench(max(args.clients), keep=args.keep)
    report = {"args": {k: str(v) for k, v in vars(args).items()}, "runs": []}
    try:
        report["machine"] = le.print_setup(
            args,
            bench,
            "async modes " + ", ".join(modes) + (", TCP_NODELAY" if args.nodelay else ""),
        )
        for n in args.clients:
            rows = []
            for mode in modes:
                ours = bench.run("ours", mode, n, args) if "ours" in args.servers else None
                bare = bench.run("bare", mode, n, args) if "bare" in args.servers else None
                rows.append((mode, ours, bare))
                report["runs"].extend(r for r in (ours, bare) if r)
            print(f"\nN = {n} clients, each mode")
            print(le.HEADER.replace("  " + " " * 6, "  " + f"{'':<16}", 1))
            for mode, ours, bare in rows:
                for label, r in (("ours", ours), ("bare", bare)):
                    if r:
                        print(le.row(f"{label} {mode}", r, width=16))
            if "ours" in args.servers and "bare" in args.servers:
                for mode, ours, bare in rows:
                    print(f"  {mode}: " + le.goal(n, ours, bare))
    finally:
        bench.close()
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
