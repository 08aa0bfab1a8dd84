"""Downloader middleware: what happens to an API answer that is not a usable result.

Replaces Scrapy's RetryMiddleware (disabled in settings.py) so nothing is retried twice.

- Retried, with exponential backoff and jitter (offres_crawler/transport/backoff.py), up to
  `OFFRES_RETRY_TIMES` times: 5xx and 408 answers (transport/retry_rules.py, shared with the
  Python client), connection errors and resets, timeouts, data
  loss, and 200/206 answers whose body is not valid JSON (cut short). The retry is returned at
  once with its backoff as a not-before time, and waits in the scheduler (transport/scheduler.py),
  not in the downloader; then it goes through the pace like any request, so a retry never
  jumps the rate limit. (With a SCHEDULER that cannot hold requests, the backoff is awaited
  here, as Scrapy-only code would: a warning says so.)
  Counted in `offres/retry/count`, `offres/retry/reason_count/<reason>`,
  `offres/retry/max_reached` (Scrapy's `get_retry_request`).
- Never retried: 4xx. A 400's API `message` is logged. 401 and 429 are handled before this
  middleware sees them (TokenMiddleware, RateLimitMiddleware) and arrive here only when their
  own retries are spent.
- Failed for good (retries spent, or a 4xx the spider did not ask to receive through
  `handle_httpstatus_list` & co.): recorded in the run's error list (transport/failures.py),
  which marks the run incomplete. A body that is still not JSON is turned into a
  `MalformedApiResponse` error (the request's errback gets it) rather than handed to a callback.
"""

from __future__ import annotations

import json
import logging
from time import time
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import sleep

from offres_crawler.transport.api_error import api_error_message
from offres_crawler.transport.api_target import ApiTarget
from offres_crawler.transport.backoff import backoff_delay
from offres_crawler.transport.delays import not_before
from offres_crawler.transport.failure_reasons import exception_reason
from offres_crawler.transport.failures import run_failures
from offres_crawler.transport.retry_rules import MALFORMED_JSON, retried_status, status_reason
from offres_crawler.transport.scheduler import scheduler_holds_requests

if TYPE_CHECKING:
    # typing.Self requires Python 3.11
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

class MalformedApiResponse(IgnoreRequest):
    """An API answer whose body is still not valid JSON after every retry."""


def has_malformed_json(response: Response) -> bool:
    """True when a 200/206 answer has a body that does not parse (an empty one is 'nothing')."""
    if response.status not in (200, 206) or not response.body.strip():
        return False
    try:
        if hasattr(response, "json"):
            response.json()  # cached on the response: the spider's own .json() costs nothing
        else:
            json.loads(response.body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        return True
    return False


class ApiRetryMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self._crawler = crawler
        self._stats = crawler.stats
        self._target = ApiTarget(settings)
        self._failures = run_failures(crawler)
        self._max_retries = settings.getint("OFFRES_RETRY_TIMES")
        self._backoff_base = settings.getfloat("OFFRES_RETRY_BACKOFF_BASE")
        self._backoff_max = settings.getfloat("OFFRES_RETRY_BACKOFF_MAX")
        self._allowed_codes = {int(c) for c in settings.getlist("HTTPERROR_ALLOWED_CODES")}
        self._allow_all = settings.getbool("HTTPERROR_ALLOW_ALL")
        self._scheduler_holds: bool | None = None  # known once the spider is open

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if not self._target.is_api_request(request):
            return response
        status = response.status
        if retried_status(status):
            return await self._retry(request, status_reason(status)) or response
        if has_malformed_json(response):
            retry = await self._retry(request, MALFORMED_JSON)
            if retry is None:
                raise MalformedApiResponse(f"{request} answered a body that is not valid JSON")
            return retry
        if status >= 400:
            self._refused(request, response)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if not self._target.is_api_request(request):
            return None
        reason = exception_reason(exception)
        if reason is None:
            return None
        return await self._retry(request, reason, detail=str(exception)[:200])

    async def _retry(self, request: Request, reason: str, detail: str = "") -> Request | None:
        """A copy of `request` to send again after a backoff, or None (failure recorded)."""
        if not request.meta.get("dont_retry"):
            max_retries = request.meta.get("max_retry_times", self._max_retries)
            retry = get_retry_request(request, spider=self._spider(), reason=reason,
                                      max_retry_times=max_retries, logger=logger,
                                      stats_base_key="offres/retry")
            if retry is not None:
                delay = backoff_delay(retry.meta["retry_times"], self._backoff_base,
                                      self._backoff_max)
                if self._scheduler_can_hold():
                    not_before(retry.meta, delay, time())
                else:
                    await sleep(delay)
                return retry
        self._failures.record(request, reason, detail)
        return None

    def _spider(self) -> Spider:
        spider = self._crawler.spider
        assert spider is not None  # typing: responses only come while a spider is open
        return spider

    def _scheduler_can_hold(self) -> bool:
        if self._scheduler_holds is None:
            self._scheduler_holds = scheduler_holds_requests(self._crawler)
            if not self._scheduler_holds:
                logger.warning("SCHEDULER cannot hold delayed requests: API retries wait out "
                               "their backoff inside the downloader (see docs/transport.md)")
        return self._scheduler_holds

    def _refused(self, request: Request, response: Response) -> None:
        """A 4xx is never retried. Show what the API said; record it unless the spider wants it."""
        message = api_error_message(response.body)
        if self._spider_handles(request, response.status):
            logger.info("API answered %(status)d to %(request)s: %(message)s",
                        {"status": response.status, "request": request, "message": message})
            return
        logger.error("API refused %(request)s (%(status)d): %(message)s",
                     {"status": response.status, "request": request, "message": message})
        self._failures.record(request, status_reason(response.status), message)

    def _spider_handles(self, request: Request, status: int) -> bool:
        meta = request.meta
        if meta.get("handle_httpstatus_all") or self._allow_all:
            return True
        spider_codes = getattr(self._crawler.spider, "handle_httpstatus_list", ())
        return (status in meta.get("handle_httpstatus_list", ()) or status in spider_codes
                or status in self._allowed_codes)
