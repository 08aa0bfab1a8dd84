"""The one queue every API request passes on its way to the network, at `OFFRES_RATE_LIMIT`.

One `ApiPace` per crawler (`shared(crawler, ApiPace)`). The download handler awaits `turn()`
right before it writes a request to the socket, so nothing between the pace and the wire (a full
download slot, a retry, a token refresh) can bunch requests up; the rule itself is the pure
`SlidingWindowPacer` (offres_crawler/transport/pacer.py). Waiters are released first come, first served
by a single timer: no busy loop, no blocking of the reactor.

`pause_until` stops every release until a 429's `Retry-After` has passed. `OFFRES_RATE_LIMIT = 0`
switches the pace off (then only Scrapy's own slot settings limit the rate).
"""

from __future__ import annotations

import logging
from collections import deque
from time import monotonic
from typing import TYPE_CHECKING

from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from offres_crawler.transport.pacer import SlidingWindowPacer

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ApiPace:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        limit = settings.getfloat("OFFRES_RATE_LIMIT")
        margin = settings.getfloat("OFFRES_RATE_MARGIN")
        self.pacer = SlidingWindowPacer(limit, margin) if limit > 0 else None
        self._stats = crawler.stats
        self._queue: deque[Deferred[int]] = deque()
        self._timer: CallLaterResult | None = None
        self._timer_at = 0.0

    @property
    def limit(self) -> float | None:
        return self.pacer.limit if self.pacer else None

    async def turn(self) -> None:
        """Return when this request may be sent; it is counted as sent at that moment."""
        if self.pacer is None:
            return
        if not self._queue and self.pacer.wait_time(monotonic()) == 0:
            self.pacer.record(monotonic())
            return
        waiter: Deferred[int] = Deferred()
        self._queue.append(waiter)
        self._release()
        number = await maybe_deferred_to_future(waiter)
        # Released a moment ago, resumed only now (the event loop had other work): time the
        # following sends from now, or the server could see them closer than the pace allows.
        self.pacer.resent(number, monotonic())

    def rate_limited(self, retry_after: float) -> None:
        """A 429: send no API request for `retry_after` seconds, and keep a wider margin."""
        if self.pacer is None:
            return
        if self.pacer.rate_limited(monotonic(), retry_after):
            logger.info("Pace margin widened to %.0f ms after a 429", self.pacer.margin * 1000)
            self._stats.set_value("offres/pace/margin_ms", round(self.pacer.margin * 1000))

    def set_limit(self, limit: float) -> None:
        if self.pacer is not None:
            self.pacer.set_limit(limit)
            self._release()

    def _release(self) -> None:
        """Release every waiter whose time has come; arm the timer for the next one."""
        assert self.pacer is not None
        while self._queue:
            if self._queue[0].called:  # cancelled while waiting (shutdown)
                self._queue.popleft()
                continue
            now = monotonic()
            wait = self.pacer.wait_time(now)
            if wait > 0:
                self._arm(now + wait)
                return
            self._queue.popleft().callback(self.pacer.record(now))

    def _arm(self, at: float) -> None:
        if self._timer is not None and self._timer_at <= at:
            return  # an earlier (or the same) wake-up is already set; it re-arms if needed
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = at
        self._timer = call_later(max(0.0, at - monotonic()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._release()
