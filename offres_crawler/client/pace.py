"""The client's pace: one per application in the process, shared by its clients and threads.

The API counts requests per application (client id) in a sliding one-second window (REFERENCE
Part 1 §2). Clients of one application in one process share that budget: a notebook cell run
again, a loop that opens a client per query, a client per thread. So they share one pace: the
crawl's `SlidingWindowPacer` (transport/pacer.py), kept for the life of the process per
(API URL, client id), behind a lock. A pace that lived and died with each client would let the
next one start with an empty window while the server still counts the last one's requests: a
429.

The rate is the last client's `rate_limit` (a client that asks another one changes it for the
application, as the server's limit is the application's); `rate_limit=0` gives a client no pace.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from time import monotonic
from typing import TypeVar

from offres_crawler.transport.pacer import SlidingWindowPacer

logger = logging.getLogger(__name__)

T = TypeVar("T")


class SharedPace:
    """A `SlidingWindowPacer` that threads and clients can use at once."""

    def __init__(self, limit: float, margin: float) -> None:
        self.pacer = SlidingWindowPacer(limit, margin)
        self._lock = threading.Lock()

    def turn(self, before_send: Callable[[], T]) -> T:
        """Wait for the next turn, then `before_send()` (the token, which can take a while to
        fetch); the send is timed from when it returns, just before the request leaves."""
        with self._lock:  # one waiter at a time: the others queue on the lock, in turn
            wait = self.pacer.wait_time(monotonic())
            while wait > 0:
                time.sleep(wait)
                wait = self.pacer.wait_time(monotonic())
            number = self.pacer.record(monotonic())
        value = before_send()
        with self._lock:
            self.pacer.resent(number, monotonic())
        return value

    def rate_limited(self, retry_after: float) -> None:
        """A 429: nothing is sent for `retry_after` seconds, and the margin widens."""
        with self._lock:
            if self.pacer.rate_limited(monotonic(), retry_after):
                logger.info("Pace margin widened to %.0f ms after a 429", self.pacer.margin * 1000)

    def set_limit(self, limit: float) -> None:
        with self._lock:
            self.pacer.set_limit(limit)


_paces: dict[tuple[str, str], SharedPace] = {}
_paces_lock = threading.Lock()


def application_pace(api_url: str, client_id: str, limit: float, margin: float) -> SharedPace:
    """The pace of application `client_id` on `api_url` in this process, at `limit` requests/s."""
    with _paces_lock:
        pace = _paces.get((api_url, client_id))
        if pace is None:
            pace = _paces[api_url, client_id] = SharedPace(limit, margin)
        elif pace.pacer.limit != limit:
            logger.info("Pace of %s set to %s requests/s (was %s) for every client of it", client_id,
                        limit, pace.pacer.limit)
            pace.set_limit(limit)
        return pace
