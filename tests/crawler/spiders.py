"""Test-only spiders for the transport tests: `-s SPIDER_MODULES=tests.crawler.spiders`.

`transport_probe` sends plain API requests (search windows, or one given path) so the transport
can be watched on its own: `-a requests=N` sends N of them, `-a duration=S` keeps sending for S
seconds. Each answer becomes one item, so a lost request shows as a missing item.

With `-a record=FILE` it writes, when the engine stops, what a test needs to judge the transport
and that Scrapy does not expose: the time each API request was sent (the moment its headers
left, from `download_latency`), its status and headers, the `Authorization` and `User-Agent`
values seen on the wire (the secret-leak test greps every artifact for those tokens; this file
is the one place they are kept), and the final stats.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.utils.asyncio import sleep

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.crawler import Crawler
    from scrapy.http import Headers, Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


class TransportProbeSpider(Spider):
    name = "transport_probe"

    def __init__(self, requests: str = "10", duration: str = "0", window: str = "150",
                 path: str = "", record: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.requests, self.duration = int(requests), float(duration)
        self.window, self.path, self.record = int(window), path, record
        self.sends: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TransportProbeSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_headers, signal=signals.headers_received)
        crawler.signals.connect(spider._on_engine_stopped, signal=signals.engine_stopped)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        api = self.settings["OFFRES_API_URL"].rstrip("/")
        # With a JOBDIR, a resumed crawl finds its pending requests there: yield only new ones.
        state: dict = getattr(self, "state", {})
        started, n = monotonic(), state.get("probe_yielded", 0)
        while (n < self.requests) if not self.duration else (monotonic() - started < self.duration):
            while self.duration and self.crawler.engine.needs_backout():
                await sleep(0.05)  # lazy: keep the scheduler short, send for `duration` seconds
            if self.path:
                url = api + self.path
            else:  # consecutive windows of the first 3,150 results, then again
                first = (n * self.window) % 3000
                url = f"{api}/v2/offres/search?sort=1&range={first}-{first + self.window - 1}"
            yield Request(url, callback=self.parse, errback=self.failed, dont_filter=True,
                          meta={"probe_n": n})
            n += 1
            state["probe_yielded"] = n
            self.crawler.stats.set_value("probe/yielded", n)

    def parse(self, response: Response):
        results = response.json().get("resultats", []) if response.body else []
        yield {"n": response.meta["probe_n"], "status": response.status, "count": len(results),
               "first_id": results[0]["id"] if results else None}

    def failed(self, failure: Failure) -> None:
        logger.info("Probe request failed: %s", failure.getErrorMessage())

    # -- recording --------------------------------------------------------------------------------
    def _on_headers(self, headers: Headers, body_length: int, request: Request, **kw) -> None:
        now = monotonic()
        self.sends.append({
            "url": request.url,
            "sent": now - request.meta.get("download_latency", 0.0),
            "received": now,
            "authorization": (request.headers.get("Authorization") or b"").decode(),
            "user_agent": (request.headers.get("User-Agent") or b"").decode(),
            "retry_after": (headers.get("Retry-After") or b"").decode(),
            "ratelimit_capacity": (headers.get("X-Ratelimit-Burst-Capacity-Clientidlimiter")
                                   or b"").decode(),
        })

    def _on_engine_stopped(self) -> None:
        if not self.record:
            return
        stats = self.crawler.stats.get_stats()
        Path(self.record).write_text(json.dumps(
            {"sends": self.sends, "stats": stats}, default=str, indent=1), encoding="utf-8")
