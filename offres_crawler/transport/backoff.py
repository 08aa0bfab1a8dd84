"""How long to wait before retrying: exponential backoff with jitter, and `Retry-After`.

Backoff uses "equal jitter": attempt n waits between half and all of min(cap, base * 2**(n-1)),
so waits still grow with every failure (unlike "full jitter", which may retry at once) while
clients that failed together do not retry together.

`Retry-After` (REFERENCE Part 2 §4, 429 answers) is a number of seconds or an HTTP date; when it
is missing or unreadable the caller's default applies (clients of this API use 60 s).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def backoff_delay(attempt: int, base: float, cap: float,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt` (1 for the first retry)."""
    if attempt < 1 or base <= 0 or cap <= 0:
        return 0.0
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 62))
    return ceiling / 2.0 + rand() * ceiling / 2.0


def parse_retry_after(value: str | bytes | None, *, default: float, maximum: float,
                      now: datetime | None = None) -> float:
    """Seconds to wait according to a `Retry-After` header value, within [0, maximum]."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = (value or "").strip()
    seconds: float | None = None
    if text:
        try:
            seconds = float(text)
        except ValueError:
            try:
                when = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds is None or seconds != seconds:  # missing, unreadable or NaN
        seconds = default
    return min(max(seconds, 0.0), maximum)
