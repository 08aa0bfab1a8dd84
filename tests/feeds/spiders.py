"""Test-only spiders for the feeds tests (`-s SPIDER_MODULES=tests.feeds.spiders`).

`offers_file` yields the offers of JSON files exactly as they are (a list of offers per file, in
order), which lets a test script overlaps, newer copies and broken offers; `-a missing=N` tells
the run context a harvest ledger with N offers missing (and sets the `offres/missing` stat), as
offres_search does when a harvest is incomplete. `sandbox_pages`
fetches search windows from a sandbox over HTTP (`-a windows=0-149,100-249`, `sort=1`) through
the project's transport, one item per offer: overlapping windows repeat offers, like the
overlapping slices of a harvest.

TODO(offres_search): once the offres_search spider exists, the sandbox crawl test
(test_crawl_sandbox.py) should run `scrapy crawl offres_search` instead of `sandbox_pages`.

`KillSwitch` (an extension, enabled by the tests that need it) ends the process with SIGKILL at
a chosen moment, to test resuming: OFFRES_TEST_KILL_AT_ITEM=N kills once N items were scraped;
OFFRES_TEST_KILL_AT_PART=K kills when snapshot part K is written, before it is committed;
OFFRES_TEST_KILL_AT_STOP=1 kills when the engine has stopped (every feed final), before the end
of the run (extensions/run_end.py: verdict, publication) begins.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured

from offres_crawler.exporters.registry import part_written
from offres_crawler.harvest.verdict import HarvestFacts
from offres_crawler.run_context import run_context

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class OffersFileSpider(Spider):
    name = "offers_file"

    def __init__(self, files: str = "", missing: str = "0", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.files = [f for f in files.split(",") if f]
        self.missing = int(missing)
        self.count = 0

    async def start(self) -> AsyncIterator[Any]:
        if self.missing:  # what offres_search reports when offers it expected never came
            self.crawler.stats.set_value("offres/missing", self.missing)
            run_context(self.crawler).harvest = self._ledger
        for path in self.files:
            with open(path, encoding="utf-8") as f:
                for offer in json.load(f):
                    self.count += 1
                    yield offer

    def _ledger(self) -> HarvestFacts:
        return HarvestFacts(done=True, fatal=None, expected=self.count + self.missing,
                            collected=self.count, missing=self.missing, requests=0)


class SandboxPagesSpider(Spider):
    name = "sandbox_pages"

    def __init__(self, windows: str = "0-149", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.windows = [w for w in windows.split(",") if w]

    async def start(self) -> AsyncIterator[Request]:
        api = self.settings["OFFRES_API_URL"].rstrip("/")
        for window in self.windows:
            yield Request(f"{api}/v2/offres/search?sort=1&range={window}", callback=self.parse,
                          dont_filter=True)

    def parse(self, response: Response):
        if response.status == 204 or not response.body:
            return
        yield from response.json().get("resultats", [])


class KillSwitch:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.at_item = settings.getint("OFFRES_TEST_KILL_AT_ITEM")
        self.at_part = settings.getint("OFFRES_TEST_KILL_AT_PART")
        self.at_stop = settings.getbool("OFFRES_TEST_KILL_AT_STOP")
        if not (self.at_item or self.at_part or self.at_stop):
            raise NotConfigured
        self.items = self.parts = 0
        crawler.signals.connect(self.item_scraped, signals.item_scraped)
        crawler.signals.connect(self.part_written, part_written)
        if self.at_stop:  # connected before RunEnd's (a later extension): called first
            crawler.signals.connect(lambda: self._kill("the engine stopped"), signals.engine_stopped,
                                    weak=False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KillSwitch:
        return cls(crawler)

    @staticmethod
    def _kill(why: str) -> None:
        logger.info("KillSwitch: SIGKILL %s", why)
        logging.shutdown()
        os.kill(os.getpid(), signal.SIGKILL)

    def item_scraped(self) -> None:
        self.items += 1
        if self.items == self.at_item:
            self._kill(f"after {self.items} items")

    def part_written(self, part: Any) -> None:
        if part.format == "parquet" and "_inprogress" in str(part.path):
            self.parts += 1
            if self.parts == self.at_part:
                self._kill(f"before committing part {self.parts}")
