"""The crawl's scheduler: Scrapy's, plus requests held back until their not-before time.

A retry must wait (backoff, a 429's `Retry-After`) but must not wait *inside* the downloader:
there it would keep its entry in the downloader's `active` set (which counts against
`CONCURRENT_REQUESTS`) and in the engine's in-progress set (which a closing spider waits for) for
up to `OFFRES_RETRY_BACKOFF_MAX` seconds. So the middlewares return the retry at once with a
not-before time (transport/delays.py) and it waits here, where requests are meant to wait:

- `enqueue_request`: a request whose time has not come passes the dupefilter as usual and is
  held in memory (stat `offres/scheduler/delayed`); anything else is queued as by Scrapy.
- When it is due (one timer for the earliest), it enters the queues like a new request, with
  its own priority, without the not-before key (callbacks and errbacks see the meta they always
  saw), and the engine is told to look at the scheduler again.
- Held requests count as pending: `has_pending_requests()` stays true, so the spider does not
  close while a retry waits.
- `close`: held requests go to the queues with their not-before time. With JOBDIR they are saved
  on disk and, once resumed, wait out what is left of their delay; without JOBDIR they are
  dropped like every other queued request. A graceful stop no longer waits for backoffs.

Two more things make a JOBDIR's queue safe at any instant (docs/operations.md, 5):
- a request whose meta has `MEMORY_ONLY_META` stays out of the disk queue: the spider keeps
  its own checkpointed record of it (offres_search's plan re-sends what it was waiting for),
  and a copy given back by the queue after a kill would be one the plan no longer expects;
- the list of non-empty disk queues (`active.json`) is replaced atomically, and one a crash
  left unreadable is set aside with a warning rather than stopping every later run.

Anything sent once due still goes through the downloader middlewares, the pace and the token
rewrite of the download handler: holding changes when a request is scheduled, not how it is sent.
Enabled by SCHEDULER (settings.py, Transport section).
"""

from __future__ import annotations

import logging
from pathlib import Path
from time import monotonic, time
from typing import TYPE_CHECKING

from scrapy.core.scheduler import Scheduler
from scrapy.utils.asyncio import CallLaterResult, call_later

from offres_crawler.files import write_json_atomic
from offres_crawler.transport.delays import NOT_BEFORE_META, DueHeap, remaining_delay

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

DELAYED_STAT = "offres/scheduler/delayed"
MEMORY_ONLY_META = "offres_memory_only"  # never in the JOBDIR's disk queue


class DelayingScheduler(Scheduler):
    """Scrapy's `Scheduler` that holds requests carrying a not-before time until it has come."""

    _timer: CallLaterResult | None = None
    _timer_at: float = float("inf")

    # -- the scheduler interface ----------------------------------------------------------------
    def open(self, spider: Spider) -> Deferred[None] | None:
        self._held: DueHeap[Request] = DueHeap()
        return super().open(spider)

    def enqueue_request(self, request: Request) -> bool:
        wait = remaining_delay(request.meta, time())
        if wait <= 0:
            request.meta.pop(NOT_BEFORE_META, None)
            return super().enqueue_request(request)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self._hold(request, wait)
        return True

    def next_request(self) -> Request | None:
        self._release_due()
        while (request := super().next_request()) is not None:
            wait = remaining_delay(request.meta, time())
            if wait <= 0:
                request.meta.pop(NOT_BEFORE_META, None)
                return request
            self._hold(request, wait)  # saved by a stopped crawl before its time had come
        return None

    def __len__(self) -> int:
        return super().__len__() + len(self._held)

    def close(self, reason: str) -> Deferred[None] | None:
        self._cancel_timer()
        held = self._held.drain()
        for request in held:  # not-before kept: a resumed crawl waits out the rest
            self._queue(request)
        if held:
            if self.dqs is not None:
                logger.info("%(count)d delayed request(s) saved in JOBDIR; they will wait out "
                            "the rest of their delay when the crawl resumes", {"count": len(held)})
            else:
                logger.info("%(count)d delayed request(s) dropped with the other scheduled "
                            "requests (no JOBDIR)", {"count": len(held)})
        return super().close(reason)

    # -- the JOBDIR -----------------------------------------------------------------------------
    def _dqpush(self, request: Request) -> bool:
        if request.meta.get(MEMORY_ONLY_META):
            return False  # the memory queue takes it
        return super()._dqpush(request)

    def _read_dqs_state(self, dqdir: str) -> object:
        try:
            return super()._read_dqs_state(dqdir)
        except ValueError:
            logger.warning("%s/active.json cannot be read (a crash while it was written?): "
                           "requests queued by the stopped run are not taken up", dqdir)
            return ()

    def _write_dqs_state(self, dqdir: str, state: object) -> None:
        write_json_atomic(Path(dqdir, "active.json"), state, indent=None)

    # -- holding --------------------------------------------------------------------------------
    def _hold(self, request: Request, wait: float) -> None:
        due = monotonic() + wait
        self._held.push(request, due)
        assert self.stats is not None  # typing: from_crawler always passes it
        self.stats.inc_value(DELAYED_STAT)
        logger.debug("Holding %(request)s for %(wait).2f s", {"request": request, "wait": wait})
        self._arm(due)

    def _queue(self, request: Request) -> None:
        """Into the queues, past the dupefilter (it saw the request when it was held)."""
        assert self.stats is not None
        if self._dqpush(request):
            self.stats.inc_value("scheduler/enqueued/disk")
        else:
            self._mqpush(request)
            self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")

    def _release_due(self) -> None:
        for request in self._held.pop_due(monotonic()):
            request.meta.pop(NOT_BEFORE_META, None)
            self._queue(request)

    def _arm(self, due: float) -> None:
        if self._timer is not None and self._timer_at <= due:
            return  # an earlier wake-up is set; it re-arms for the rest
        self._cancel_timer()
        self._timer_at = due
        self._timer = call_later(max(0.0, due - monotonic()), self._on_due)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = None, float("inf")

    def _on_due(self) -> None:
        self._timer, self._timer_at = None, float("inf")
        self._release_due()
        next_due = self._held.next_due()
        if next_due is not None:
            self._arm(next_due)
        if self.crawler is not None:
            wake_engine(self.crawler)


def wake_engine(crawler: Crawler) -> None:
    """Ask the engine to take requests from the scheduler now.

    Scrapy has no public call for that: the engine looks at the scheduler when a download ends,
    when a request is scheduled and every 5 s (its heartbeat, for "schedulers that report pending
    requests but return none", such as this one). `_slot.nextcall` is what those use. Typed in
    Scrapy, so mypy (`make lint`) fails if a later Scrapy renames it; the crawl tests
    (tests/crawler/test_transport_backoff.py) check that a due request leaves without waiting
    for the heartbeat.
    """
    engine = crawler.engine
    if engine is not None and engine._slot is not None:
        engine._slot.nextcall.schedule()


def scheduler_holds_requests(crawler: Crawler) -> bool:
    """True when the crawl's scheduler holds requests until their not-before time."""
    engine = crawler.engine
    # not isinstance(): Scrapy's scheduler metaclass makes it true of any class with the
    # scheduler's three methods
    return engine is not None and DelayingScheduler in type(engine.scheduler).__mro__
