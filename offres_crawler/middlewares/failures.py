"""The run's error list: API requests that failed for good, and the `offres/incomplete` flag.

Nothing is dropped silently. A request whose retries ran out (or that may not be retried) is
recorded here and counted in `offres/failures` and `offres/failures/<reason>`, and the stat
`offres/incomplete` is set, which makes `scrapy crawl` exit with code 3 (see
offres_crawler/commands/crawl.py). Other components read the list with
`shared(crawler, RunFailures).entries` (e.g. for the run report).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from offres_crawler.middlewares.per_crawler import shared

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

INCOMPLETE_STAT = "offres/incomplete"


@dataclass(frozen=True)
class Failure:
    url: str
    method: str
    reason: str  # e.g. http_503, connection_lost, timeout, malformed_json, http_400, http_401
    detail: str  # a short human-readable explanation (an API message, an exception summary)
    attempts: int
    at: float  # wall-clock epoch seconds


class RunFailures:
    def __init__(self, crawler: Crawler) -> None:
        self._stats = crawler.stats
        self.entries: list[Failure] = []

    def record(self, request: Request, reason: str, detail: str = "") -> Failure:
        entry = Failure(url=request.url, method=request.method, reason=reason, detail=detail,
                        attempts=request.meta.get("retry_times", 0) + 1, at=time.time())
        self.entries.append(entry)
        self._stats.inc_value("offres/failures")
        self._stats.inc_value(f"offres/failures/{reason}")
        mark_incomplete(self._stats)
        return entry


def mark_incomplete(stats) -> None:
    """Flag the run as incomplete: `scrapy crawl` then exits with code 3."""
    stats.set_value(INCOMPLETE_STAT, True)


def run_failures(crawler: Crawler) -> RunFailures:
    return shared(crawler, RunFailures)
