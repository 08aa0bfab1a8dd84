"""Downloader middleware: API requests wait for an access token; a 401 gets one retry.

The token itself is kept by `TokenSource` (transport/token_source.py) and written on each
request by the download handler at send time (offres_crawler/transport/handler.py). Here:

- `process_request`: an API request waits (usually not at all) until a token is usable, before
  it takes a place in the pace.
- `process_response`: on a 401 the token is dropped if the failing request carried the current
  one (the handler noted its generation), then the request is retried once with whichever token
  is current; a second 401 is final and goes to the run's error list (ApiRetryMiddleware).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from offres_crawler.per_crawler import shared
from offres_crawler.transport.api_target import TOKEN_GENERATION_META, ApiTarget
from offres_crawler.transport.token_source import TokenSource

if TYPE_CHECKING:
    # typing.Self requires Python 3.11
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

AUTH_RETRIED_META = "offres_auth_retried"


class TokenMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self._stats = crawler.stats
        self._target = ApiTarget(crawler.settings)
        self._tokens = shared(crawler, TokenSource)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if self._target.is_api_request(request):
            await self._tokens.ready()

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status != 401 or not self._target.is_api_request(request):
            return response
        self._stats.inc_value("offres/token/401")
        self._tokens.invalidate(request.meta.get(TOKEN_GENERATION_META))
        if request.meta.get(AUTH_RETRIED_META):
            logger.warning("Still 401 after a new token: giving up %(request)s",
                           {"request": request})
            return response
        self._stats.inc_value("offres/token/401_retried")
        retry = request.copy()
        retry.meta[AUTH_RETRIED_META] = True
        retry.dont_filter = True
        return retry
