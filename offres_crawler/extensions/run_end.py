"""The order of things when the engine stops, shared by the progress and deltas extensions.

Both act on `engine_stopped`, whose handlers Scrapy runs concurrently, after the Snapshot
extension has published the day's snapshot or not:
1. the progress extension judges the run (and takes back a snapshot published by a run that is
   not complete), then says `judged`;
2. the deltas extension waits for that, compares the snapshot if it is (still) published, then
   says `deltas_done`;
3. the progress extension waits for that and writes the summary and the verdict.
Either extension may be switched off: nobody then waits for it. One `RunEnd` per crawler
(`shared(crawler, RunEnd)`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class _Event:
    def __init__(self) -> None:
        self.expected = False  # True when the extension that sets it runs in this crawl
        self._deferred: Deferred[None] = Deferred()

    def set(self) -> None:
        if not self._deferred.called:
            self._deferred.callback(None)

    async def wait(self) -> None:
        if self.expected:
            await maybe_deferred_to_future(self._deferred)


class RunEnd:
    def __init__(self, crawler: Crawler) -> None:
        self.judged = _Event()
        self.deltas_done = _Event()
        self.deltas: dict[str, Any] | None = None  # what deltas/writer.py returned
        self.deltas_note: str | None = None  # why there are none
