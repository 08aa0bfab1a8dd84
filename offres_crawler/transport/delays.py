"""Requests that must not be sent before a given time, and the heap that holds them until then.

A retry waits out its backoff (or a 429's `Retry-After`) *outside* the downloader: the
middleware returns it at once with a not-before time in `request.meta[NOT_BEFORE_META]`, and the
scheduler (transport/scheduler.py) holds it until then. The meta value is `(epoch, delay)`:
wall-clock seconds, so that a request saved in JOBDIR by a stopped crawl still waits out the rest
of its delay when the crawl resumes, and the delay it was given, which bounds that rest should the
clock have been set back in between.

Pure: the caller passes the clock (wall-clock for `not_before`/`remaining_delay`, any monotonic
clock for `DueHeap`).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Mapping, MutableMapping
from typing import Any, Generic, TypeVar

NOT_BEFORE_META = "offres_not_before"

T = TypeVar("T")


def not_before(meta: MutableMapping[str, Any], delay: float, now: float) -> None:
    """Mark a request (its `meta`) as not to be sent before `delay` seconds after `now`."""
    if delay > 0 and math.isfinite(delay):
        meta[NOT_BEFORE_META] = (now + delay, delay)
    else:
        meta.pop(NOT_BEFORE_META, None)


def remaining_delay(meta: Mapping[str, Any], now: float) -> float:
    """Seconds a request must still wait at wall-clock time `now` (0 when it may go)."""
    value = meta.get(NOT_BEFORE_META)
    if value is None:
        return 0.0
    try:
        epoch, delay = (float(v) for v in value)
    except (TypeError, ValueError):  # not what `not_before` wrote: do not hold
        return 0.0
    wait = min(epoch - now, delay)  # a clock set back never makes a request wait longer than asked
    return wait if wait > 0 and math.isfinite(wait) else 0.0


class DueHeap(Generic[T]):
    """Items with a due time; `pop_due` hands them out in due order (ties: first in, first out)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, T]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, item: T, due: float) -> None:
        heapq.heappush(self._heap, (due, next(self._order), item))

    def next_due(self) -> float | None:
        """The earliest due time, None when empty."""
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> list[T]:
        """Remove and return every item due at `now`, earliest first."""
        due: list[T] = []
        while self._heap and self._heap[0][0] <= now:
            due.append(heapq.heappop(self._heap)[2])
        return due

    def drain(self) -> list[T]:
        """Remove and return every item, earliest first."""
        items = [entry[2] for entry in sorted(self._heap)]
        self._heap.clear()
        return items
