"""When a changed sentence is due for its hints, and how much hint work a second may hold.

Pure (no Flask, no sockets, no clock of its own: callers pass `now`), so the rules
that keep hints off the edit path can be tested directly. Used by
server/realtime/hints_feed.py.

- `HintsQueue` coalesces: a sentence typed into ten times in a second is checked
  once, for its latest version, when it has been quiet for QUIET_SECONDS. A
  sentence changed without a pause is checked at most once every MAX_WAIT_SECONDS,
  so someone typing steadily still sees hints, and a busy policy costs a bounded
  number of checks per second however fast it is typed. The feed leaves
  ROUND_GAP_SECONDS between rounds: what falls due meanwhile goes in the next
  round, so a policy gets at most a couple of `hints` events a second (each one is
  sent to everyone in it).
- `Budget` bounds the share of the process's time hints may take (SHARE of each
  WINDOW_SECONDS): past it, the feed sleeps until the window ends, so edits always
  win and the hints simply come a little later.
"""

from __future__ import annotations

from dataclasses import dataclass

QUIET_SECONDS = 0.6  # no change to the sentence for this long: check it
MAX_WAIT_SECONDS = 2.0  # changed steadily: check its latest version this often at most
ROUND_GAP_SECONDS = 0.5  # between rounds, so sentences falling due together share a send
SHARE = 0.1  # of the process's time, at most, for hints
WINDOW_SECONDS = 1.0


@dataclass
class _Entry:
    version: int
    text: str
    first: float  # when it first changed since its last check
    last: float  # when it last changed

    def due_at(self, quiet: float, max_wait: float) -> float:
        return min(self.last + quiet, self.first + max_wait)


class HintsQueue:
    """Changed sentences waiting for hints: policy -> sentence -> latest text."""

    def __init__(self, quiet: float = QUIET_SECONDS, max_wait: float = MAX_WAIT_SECONDS):
        self.quiet = quiet
        self.max_wait = max_wait
        self._by_policy: dict[int, dict[int, _Entry]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_policy)

    def note(self, policy_id: int, sentences: list[dict], now: float) -> None:
        """Sentences ({id, version, text}) an op left with new text. An older version
        arriving late never replaces a newer one."""
        queue = self._by_policy.setdefault(policy_id, {})
        for s in sentences:
            entry = queue.get(s["id"])
            if entry is None:
                queue[s["id"]] = _Entry(s["version"], s["text"], now, now)
            elif s["version"] >= entry.version:
                entry.version, entry.text, entry.last = s["version"], s["text"], now

    def next_due(self) -> float | None:
        """When the first sentence falls due (None: nothing waits)."""
        entries = (e for q in self._by_policy.values() for e in q.values())
        return min((e.due_at(self.quiet, self.max_wait) for e in entries), default=None)

    def take_due(self, now: float) -> dict[int, list[tuple[int, int, str]]]:
        """Remove and return the sentences due by `now`: policy -> [(id, version, text)]."""
        out: dict[int, list[tuple[int, int, str]]] = {}
        for policy_id, queue in list(self._by_policy.items()):
            for sid, e in list(queue.items()):
                if e.due_at(self.quiet, self.max_wait) <= now:
                    out.setdefault(policy_id, []).append((sid, e.version, e.text))
                    del queue[sid]
            if not queue:
                del self._by_policy[policy_id]
        return out


class Budget:
    """At most `share` of each `window` seconds spent on hints."""

    def __init__(self, share: float = SHARE, window: float = WINDOW_SECONDS):
        self.allowed = share * window
        self.window = window
        self._start = 0.0
        self._spent = 0.0

    def spend(self, seconds: float, now: float) -> float:
        """Count work just done; returns how long to rest before doing more (0: go on)."""
        if now - self._start >= self.window:
            self._start, self._spent = now, 0.0
        self._spent += seconds
        if self._spent < self.allowed:
            return 0.0
        return max(0.0, self._start + self.window - now)
