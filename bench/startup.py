"""How long does `codraft serve` take to listen? On an instance already upgraded,
from the command to an open port: the wall time, the process's CPU time by then and
its peak memory. This is what a restart costs a group (and every test that starts a
server).

With --before-tree, another checkout is started the same way, alternately with this
one, round by round, on the same instance; the median of the rounds is printed for
each, and their ratio.

    .venv/bin/python bench/startup.py --repeat 5
    git worktree add --detach /tmp/codraft-before 5d2e335
    .venv/bin/python bench/startup.py --before-tree /tmp/codraft-before --repeat 5
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_and_peak(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS in MB of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    peak = next(
        int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    return cpu, peak


def start_once(tree: Path, instance: Path) -> tuple[float, float, float]:
    """Start `serve` from `tree` and stop it once it listens: (seconds, CPU s, MB)."""
    port = _free_port()
    env = {**os.environ, "CODRAFT_INSTANCE_PATH": str(instance), "PYTHONPATH": str(tree)}
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--host", "127.0.0.1"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve from {tree} exited with {proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.01)
        seconds = time.monotonic() - started
        cpu, peak = _cpu_and_peak(proc.pid)
        return seconds, cpu, peak
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (median printed)")
    parser.add_argument("--before-tree", type=Path, help="another checkout, started alternately")
    args = parser.parse_args()
    arms = {"ours": ROOT} | ({"before": args.before_tree.resolve()} if args.before_tree else {})
    instance = Path(tempfile.mkdtemp(prefix="codraft-startup-"))
    subprocess.run(
        [sys.executable, "-m", "server.cli", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "CODRAFT_INSTANCE_PATH": str(instance)},
        check=True,
        capture_output=True,
    )
    found: dict[str, list[tuple[float, float, float]]] = {arm: [] for arm in arms}
    for _ in range(args.repeat):
        for arm, tree in arms.items():
            found[arm].append(start_once(tree, instance))
    print(f"codraft serve to listening, median of {args.repeat} interleaved rounds")
    print(f"{'':8}{'seconds':>9}{'CPU s':>8}{'peak MB':>9}   seconds per round")
    medians = {}
    for arm, rows in found.items():
        medians[arm] = [statistics.median(col) for col in zip(*rows, strict=True)]
        each = ", ".join(f"{r[0]:.2f}" for r in rows)
        s, c, m = medians[arm]
        print(f"{arm:8}{s:9.2f}{c:8.2f}{m:9.0f}   {each}")
    if "before" in medians:
        ratio = [a / b for a, b in zip(medians["ours"], medians["before"], strict=True)]
        print(f"{'ours/before':12}{ratio[0]:5.2f}x{ratio[1]:7.2f}x{ratio[2]:8.2f}x")


if __name__ == "__main__":
    main()
