"""The API gateway's rate limit per client id, and the measurement tests rely on.

REFERENCE Part 1 §2: a sliding one-second window per client id. A request is accepted when fewer
than `limit` requests were accepted in the previous 1000 ms; otherwise it gets a 429 with
`Retry-After` and the `X-Ratelimit-*-Clientidlimiter` headers (also sent on accepted requests).

`WindowMeter` is the referee: it records every authenticated arrival (429s included) and keeps,
per client id, the most arrivals seen in any sliding one-second window. A crawler that never
exceeds the limit shows a maximum <= limit there.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

WINDOW_MS = 1000.0


@dataclass(frozen=True)
class Decision:
    accepted: bool
    limit: int
    remaining: int  # requests still accepted in the current window, after this one
    retry_after: int  # whole seconds before a retry can be accepted (0 when accepted)

    def headers(self) -> dict[str, str]:
        # Header names as the live gateway sends them (REFERENCE Part 2 §5).
        return {
            "X-Ratelimit-Burst-Capacity-Clientidlimiter": str(self.limit),
            "X-Ratelimit-Remaining-Clientidlimiter": str(self.remaining),
            "X-Ratelimit-Replenish-Rate-Clientidlimiter": str(self.limit),
        }


class SlidingWindowLimiter:
    """Accepts at most `limit` requests per key in any window of 1000 ms (times in ms)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._accepted: dict[str, deque[float]] = {}

    def check(self, key: str, now_ms: float) -> Decision:
        window = self._accepted.setdefault(key, deque())
        while window and window[0] <= now_ms - WINDOW_MS:
            window.popleft()
        limit = max(0, int(self.limit))
        if len(window) < limit:
            window.append(now_ms)
            return Decision(True, limit, limit - len(window), 0)
        # The oldest accepted request leaves the window at window[0] + 1000 ms. Retry-After is in
        # whole seconds, rounded up and at least 1, so a client honouring it is always accepted.
        wait_ms = (window[0] + WINDOW_MS - now_ms) if window else WINDOW_MS
        return Decision(False, limit, 0, max(1, math.ceil(wait_ms / 1000.0)))


class WindowMeter:
    """Most arrivals per key in any sliding one-second window.

    The count of a window is largest when the window ends on an arrival, so checking the window
    ending at each arrival finds the maximum over all windows.
    """

    def __init__(self) -> None:
        self._recent: dict[str, deque[float]] = {}
        self.max_per_second: dict[str, int] = {}

    def record(self, key: str, now_ms: float) -> None:
        recent = self._recent.setdefault(key, deque())
        recent.append(now_ms)
        while recent[0] <= now_ms - WINDOW_MS:
            recent.popleft()
        if len(recent) > self.max_per_second.get(key, 0):
            self.max_per_second[key] = len(recent)

    def reset(self) -> None:
        self._recent.clear()
        self.max_per_second.clear()
