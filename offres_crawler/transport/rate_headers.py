"""The gateway's `X-Ratelimit-*-Clientidlimiter` headers (REFERENCE Part 1 §2, Part 2 §5).

`Burst-Capacity` is the number of calls per second the application may make, `Remaining` what is
left of it in the current second, `Replenish-Rate` the refill per second. Any may be absent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CAPACITY = "X-Ratelimit-Burst-Capacity-Clientidlimiter"
REMAINING = "X-Ratelimit-Remaining-Clientidlimiter"
REPLENISH_RATE = "X-Ratelimit-Replenish-Rate-Clientidlimiter"


@dataclass(frozen=True)
class RateHeaders:
    capacity: int | None
    remaining: int | None
    replenish_rate: int | None


def _number(value: str | bytes | None) -> int | None:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def read_rate_headers(get: Callable[[str], str | bytes | None]) -> RateHeaders:
    """Read the headers through `get(name)` (a case-insensitive lookup, e.g. `headers.get`)."""
    return RateHeaders(capacity=_number(get(CAPACITY)), remaining=_number(get(REMAINING)),
                       replenish_rate=_number(get(REPLENISH_RATE)))
