"""The run's error list: API requests that failed for good.

Nothing is dropped silently. A request whose retries ran out (or that may not be retried) is
recorded here and counted in `offres/failures` and `offres/failures/<reason>`. The list is a
fact for the verdict (harvest/verdict.py), read at the end of the run with
`run_failures(crawler).entries`: any entry makes the run incomplete (exit code 3).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from offres_crawler.per_crawler import shared

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


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
        return entry


def run_failures(crawler: Crawler) -> RunFailures:
    return shared(crawler, RunFailures)
