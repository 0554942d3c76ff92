"""Summarise a py-spy raw profile (live_edit.py --profile): self and inclusive shares.

.venv/bin/python bench/spy_summary.py /tmp/prof/ours-gevent-50.txt
.venv/bin/python bench/spy_summary.py FILE --match 'server/|do_commit|Hub.run'
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

_LINE = re.compile(r":\d+\)$")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--top", type=int, default=20, help="rows of self time")
    parser.add_argument(
        "--match",
        default=r"server/|Hub\.run|do_commit|engineio/socket\.py",
        help="regex picking the inclusive rows to show",
    )
    args = parser.parse_args(argv)
    inclusive, own, total = Counter(), Counter(), 0
    with open(args.path) as fh:
        for line in fh:
            stack, _, count = line.rstrip().rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = [_LINE.sub(")", f) for f in stack.split(";")]
            for frame in set(frames):
                inclusive[frame] += n
            own[frames[-1]] += n
    print(f"{total} samples")
    print("self:")
    for frame, n in own.most_common(args.top):
        print(f"  {n / total * 100:5.1f}%  {frame}")
    print("inclusive:")
    pick = re.compile(args.match)
    for frame, n in inclusive.most_common():
        if pick.search(frame) and n / total >= 0.005:
            print(f"  {n / total * 100:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
