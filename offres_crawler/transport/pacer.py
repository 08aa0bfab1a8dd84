"""The request pace that keeps every API request inside the server's rate limit.

The API gateway (REFERENCE Part 1 §2, the sandbox's `SlidingWindowLimiter`) accepts a request
when fewer than `limit` requests arrived in the previous second, counting per client id over a
*sliding* window. The pacer applies the same rule to its own send times, with a small margin for
the jitter between our send times and the server's arrival times:

- window rule: a send waits until the send `count` places earlier is more than
  `window + margin` old (`count` sends per `window` seconds, `window` = count / limit, so an
  integral limit is exactly "limit per second");
- spread rule: consecutive sends are at least `window / count` apart, so the server sees an even
  stream rather than bursts of `count`;
- pause: after a 429 nothing is sent before the time `Retry-After` names, and the margin widens
  (a 429 despite the pace means the server's timing jitters more than the margin allows).

Saturated, the pacer sends `count` requests per `window + margin` seconds: with limit 3 and the
default margin, 2.91 requests/s (97.1 % of the limit). Send times are recorded when a request
is released and moved to when it actually leaves (`resent`), so a late timer or a busy event loop
costs throughput, never safety.

Pure arithmetic on monotonic seconds: the caller owns the clock and the waiting.
"""

from __future__ import annotations

import math
from collections import deque

DEFAULT_MARGIN = 0.03  # seconds; see docs/rate.md for the measurements
MARGIN_STEP = 0.02  # added to the margin after each 429 that got through the pace ...
MARGIN_MAX = 0.2  # ... up to this


class SlidingWindowPacer:
    def __init__(self, limit: float, margin: float = DEFAULT_MARGIN) -> None:
        self.margin = margin
        self.paused_until = float("-inf")
        self._sent: deque[list[float]] = deque()  # [send time, sequence number]
        self._sequence = 0
        self.set_limit(limit)

    def set_limit(self, limit: float) -> None:
        if not limit > 0:
            raise ValueError(f"the rate limit must be a positive number, got {limit!r}")
        self.limit = float(limit)
        self.count = max(1, math.floor(self.limit))
        self.window = self.count / self.limit
        self.spacing = self.window / self.count
        self._sent = deque(self._sent, maxlen=self.count)

    def wait_time(self, now: float) -> float:
        """Seconds before the next send is allowed (0 when it may go now)."""
        ready = self.paused_until
        if self._sent:
            times = [entry[0] for entry in self._sent]
            ready = max(ready, max(times) + self.spacing)
            if len(times) == self.count:  # the last `count` sends: the oldest must leave the window
                ready = max(ready, min(times) + self.window + self.margin)
        wait = ready - now
        return wait if wait > 1e-6 else 0.0  # below a microsecond: float noise, go now

    def record(self, now: float) -> int:
        """A request is released now; returns its number for `resent`."""
        self._sequence += 1
        self._sent.append([now, self._sequence])
        return self._sequence

    def resent(self, number: int, now: float) -> None:
        """Request `number` actually left only at `now`: later sends are timed from then."""
        for entry in self._sent:
            if entry[1] == number:
                entry[0] = max(entry[0], now)
                return

    def widen_margin(self, step: float = MARGIN_STEP, maximum: float = MARGIN_MAX) -> bool:
        """A 429 came through anyway: the server's jitter exceeds the margin. Widen it."""
        if self.margin >= maximum:
            return False
        self.margin = min(maximum, self.margin + step)
        return True

    def pause_until(self, until: float) -> None:
        """Send nothing before `until` (a 429's Retry-After). Pauses only ever get longer."""
        self.paused_until = max(self.paused_until, until)

    def rate_limited(self, now: float, retry_after: float) -> bool:
        """A 429 came back: send nothing for `retry_after` seconds, and widen the margin (True
        when it was widened)."""
        self.pause_until(now + retry_after)
        return self.widen_margin()
