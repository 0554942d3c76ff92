"""Per-connection flood control: a token bucket for each socket, in this process."""

from __future__ import annotations

import time

RATE = 40.0  # events a second, sustained: batched typing sends a few
BURST = 80.0


class Buckets:
    def __init__(self, rate: float = RATE, burst: float = BURST):
        self.rate, self.burst = rate, burst
        self._state: dict[str, tuple[float, float]] = {}

    def allow(self, sid: str) -> bool:
        now = time.monotonic()
        tokens, last = self._state.get(sid, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._state[sid] = (tokens, now)
            return False
        self._state[sid] = (tokens - 1, now)
        return True

    def forget(self, sid: str) -> None:
        self._state.pop(sid, None)


buckets = Buckets()
