"""Downloader middleware: the API's rate-limit answers and headers.

- Every API request goes to the download slot `offres-api` (its concurrency is set in
  DOWNLOAD_SLOTS; the pace itself is enforced by the download handler, see docs/rate.md).
- A 429 pauses *every* API request until its `Retry-After` has passed (whole pace, not just this
  request), is counted in `offres/429`, and the request is retried after the pause, up to
  `OFFRES_RATELIMIT_RETRY_TIMES` times; then it is left to ApiRetryMiddleware as a failure.
  The retry waits for the end of the pause in the scheduler (a not-before time, see
  transport/scheduler.py), not in the download handler's queue: a crawl stopped during the pause
  keeps it in JOBDIR. Requests already in the handler wait there for the pace as always: no API
  request may leave before the pause ends anyway.
- `X-Ratelimit-*` headers go to stats (`offres/ratelimit/capacity`, `.../remaining_min`). With
  `OFFRES_FOLLOW_RATELIMIT_HEADERS`, the pace follows the capacity the API announces instead of
  `OFFRES_RATE_LIMIT` (off by default: the announced figure is per second with no margin, and
  the documents disagree on it, REFERENCE Part 1 §2).
"""

from __future__ import annotations

import logging
from time import time
from typing import TYPE_CHECKING

from offres_crawler.per_crawler import shared
from offres_crawler.transport.api_target import API_SLOT, ApiTarget
from offres_crawler.transport.backoff import parse_retry_after
from offres_crawler.transport.delays import not_before
from offres_crawler.transport.pacing import ApiPace
from offres_crawler.transport.rate_headers import read_rate_headers
from offres_crawler.transport.scheduler import scheduler_holds_requests

if TYPE_CHECKING:
    # typing.Self requires Python 3.11
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

RATELIMIT_RETRIES_META = "offres_429_retries"


class RateLimitMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self._crawler = crawler
        self._stats = crawler.stats
        self._target = ApiTarget(settings)
        self._pace = shared(crawler, ApiPace)
        self._max_retries = settings.getint("OFFRES_RATELIMIT_RETRY_TIMES")
        self._retry_after_default = settings.getfloat("OFFRES_RETRY_AFTER_DEFAULT")
        self._retry_after_max = settings.getfloat("OFFRES_RETRY_AFTER_MAX")
        self._follow = settings.getbool("OFFRES_FOLLOW_RATELIMIT_HEADERS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self._target.is_api_request(request):
            request.meta.setdefault("download_slot", API_SLOT)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not self._target.is_api_request(request):
            return response
        self._read_headers(response)
        if response.status != 429:
            return response
        self._stats.inc_value("offres/429")
        delay = parse_retry_after(response.headers.get("Retry-After"),
                                  default=self._retry_after_default, maximum=self._retry_after_max)
        self._pace.rate_limited(delay)
        retries = request.meta.get(RATELIMIT_RETRIES_META, 0) + 1
        if retries > self._max_retries:
            self._stats.inc_value("offres/429/max_reached")
            return response
        logger.warning("Rate limited (429): every API request waits %(delay).1f s "
                       "(Retry-After), then %(request)s is retried",
                       {"delay": delay, "request": request})
        retry = request.copy()
        retry.meta[RATELIMIT_RETRIES_META] = retries
        retry.dont_filter = True
        if scheduler_holds_requests(self._crawler):
            not_before(retry.meta, delay, time())
        return retry

    def _read_headers(self, response: Response) -> None:
        announced = read_rate_headers(response.headers.get)
        if announced.capacity is not None:
            self._stats.set_value("offres/ratelimit/capacity", announced.capacity)
        if announced.remaining is not None:
            self._stats.min_value("offres/ratelimit/remaining_min", announced.remaining)
        if (self._follow and announced.capacity and self._pace.limit is not None
                and announced.capacity != self._pace.limit):
            logger.info("Following the rate limit the API announces: %d requests/s (was %g)",
                        announced.capacity, self._pace.limit)
            self._pace.set_limit(announced.capacity)
