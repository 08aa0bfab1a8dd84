"""How far a harvest is, how fast it goes, and when it should end (framework-free).

The progress extension feeds `ProgressMeter.observe` with the crawl's counters at each tick;
the rate is measured over a sliding window (the last OFFRES_PROGRESS_WINDOW seconds) so that
the estimate follows the current pace, not the average since the start (the first minute of a
crawl, with its token fetch and root queries, is slower than the rest).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    collected: int
    expected: int | None  # None until the API has reported the query's total
    requests: int
    rate: float | None  # offers per second over the window; None until two samples
    request_rate: float | None  # requests per second over the window
    eta_s: float | None  # seconds left at the current rate; None when unknown

    @property
    def percent(self) -> float | None:
        if not self.expected:
            return None
        return 100.0 * self.collected / self.expected


class ProgressMeter:
    def __init__(self, window_s: float = 120.0) -> None:
        self.window_s = window_s
        self._samples: deque[tuple[float, int, int]] = deque()

    def observe(self, now: float, collected: int, expected: int | None, requests: int) -> Reading:
        """`now`: a monotonic clock in seconds; the counters as they stand."""
        self._samples.append((now, collected, requests))
        # keep one sample at or beyond the window's start, so the window is always covered
        while len(self._samples) > 1 and now - self._samples[1][0] >= self.window_s:
            self._samples.popleft()
        first_t, first_collected, first_requests = self._samples[0]
        elapsed = now - first_t
        rate = (collected - first_collected) / elapsed if elapsed > 0 else None
        request_rate = (requests - first_requests) / elapsed if elapsed > 0 else None
        eta = None
        if expected and rate and rate > 0:
            eta = max(expected - collected, 0) / rate
        elif expected and collected >= expected:
            eta = 0.0
        return Reading(collected=collected, expected=expected or None, requests=requests,
                        rate=rate, request_rate=request_rate, eta_s=eta)


def format_duration(seconds: float | None) -> str:
    """1h02m03s, 4m05s, 6.2s; "?" when unknown."""
    if seconds is None:
        return "?"
    if seconds < 60:
        return f"{seconds:.1f}s"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def format_progress(p: Reading) -> str:
    expected = f"{p.expected:,}" if p.expected is not None else "?"
    percent = f"{p.percent:.1f} %" if p.percent is not None else "? %"
    rate = f"{p.rate:.1f} offers/s" if p.rate is not None else "? offers/s"
    request_rate = f"{p.request_rate:.2f} req/s" if p.request_rate is not None else "? req/s"
    return (f"Progress: {p.collected:,} / {expected} offers ({percent}), {p.requests:,} requests, "
            f"{rate}, {request_rate}, ETA {format_duration(p.eta_s)}")
