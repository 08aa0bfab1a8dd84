"""The HTTP download handler of the crawler: Scrapy's HTTP/1.1 handler with five changes.

1. Twisted's connection pool re-sends a request once, by itself, when a reused keep-alive
   connection turns out to be reset (TRAPS, Rate). That second send bypasses the pace and our
   retry counting and bunches requests into 429s, so it is switched off: a reset surfaces as an
   error that ApiRetryMiddleware retries, paced and counted.
2. Every API request waits for its turn in the shared pace (transport/pacing.py) here, at the
   last moment before it is written to the socket.
3. Start-up objects are frozen out of the garbage collector (`gc.freeze()`), see below.
4. The `Authorization` header is written on the request only for the duration of its download,
   with the token current at that moment, and removed afterwards. No middleware, scheduler queue,
   JOBDIR, cache or retry copy ever sees it, so a retried or resumed request cannot carry a stale
   (or any) token. The generation number of the token used (not a secret) goes into
   `request.meta["offres_token_generation"]` so a 401 can tell whether the current token failed.
5. Certificates are verified against the CAs of OFFRES_CA_BUNDLE when it is set (tls.py).

Enabled by DOWNLOAD_HANDLERS for http and https (settings.py, Transport section).
"""

from __future__ import annotations

import gc
from time import monotonic
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from offres_crawler.per_crawler import shared
from offres_crawler.transport.api_target import TOKEN_GENERATION_META, ApiTarget
from offres_crawler.transport.pacing import ApiPace
from offres_crawler.transport.tls import tls_policy
from offres_crawler.transport.token_source import TokenSource

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class OffresDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # `_pool` is private to Scrapy's handler but typed there (HTTPConnectionPool), and
        # `retryAutomatically` is public Twisted API: mypy checks both, so a Scrapy that renames
        # the pool fails `make lint` (and tests/crawler/test_transport_retries.py at run time).
        self._pool.retryAutomatically = False
        self._contextFactory = tls_policy(crawler.settings, self._contextFactory)  # OFFRES_CA_BUNDLE
        # Built at the first download, once start-up is over: what exists now lives as long as
        # the process. Frozen out of the garbage collector's view, it no longer makes full
        # collections last 50-130 ms, a pause that, between a release of the pace and the
        # socket write, lets the server see requests closer together than the pace sent them.
        gc.collect()
        gc.freeze()
        self._target = ApiTarget(crawler.settings)
        self._pace = shared(crawler, ApiPace)
        self._tokens = shared(crawler, TokenSource)

    async def download_request(self, request: Request) -> Response:
        if not self._target.is_api_request(request):
            return await super().download_request(request)
        while True:
            await self._pace.turn()
            token = self._tokens.token_for_send(monotonic())
            if token is not None:
                break
            # The token died while this request waited (a 401 elsewhere): its turn is spent,
            # so it waits for the new token and then for a new turn, never bunching up.
            await self._tokens.ready()
        request.headers[b"Authorization"] = token.authorization()
        request.meta[TOKEN_GENERATION_META] = token.generation
        try:
            return await super().download_request(request)
        finally:
            request.headers.pop(b"Authorization", None)
