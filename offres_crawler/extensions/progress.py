"""Progress of a crawl: a live bar on a terminal (extensions/terminal.py), else lines in the log
(how the crawl ended is said by extensions/run_end.py).

Without the bar, every OFFRES_PROGRESS_INTERVAL seconds (0: off):

    Progress: 123,450 / 512,004 offers (24.1 %), 845 requests, 446.3 offers/s, 2.98 req/s, ETA 14m31s

offers collected (`offres/collected`, else items written) of those the API reported for the
query (`offres/expected`, from the root `Content-Range`), API requests done (token requests left
out), the current rates over the last OFFRES_PROGRESS_WINDOW seconds, and the time left at
that rate.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

import offres_crawler
from offres_crawler.extensions.terminal import REFRESH_S, TerminalBar, bar_enabled
from offres_crawler.harvest.progress_meter import ProgressMeter, Reading, format_progress

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("OFFRES_PROGRESS_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = settings.getfloat("OFFRES_PROGRESS_INTERVAL", 60.0)
        self.meter = ProgressMeter(settings.getfloat("OFFRES_PROGRESS_WINDOW", 120.0))
        self.bar = (TerminalBar(sys.stderr, settings, getattr(crawler.spidercls, "name", "crawl"))
                    if bar_enabled(settings, stream=sys.stderr) else None)
        self.task: Any = None
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        return cls(crawler)

    # -- along the way --------------------------------------------------------------------------

    def spider_opened(self) -> None:
        # which code runs: under scrapyd, the deployed egg (unless something shadows it)
        logger.info("offres_crawler %s loaded from %s", offres_crawler.__version__,
                    Path(offres_crawler.__file__).parent)
        self.observe()  # the first line then has a rate already
        if self.bar is not None:
            self.bar.start()
            self.task = create_looping_call(self.draw_bar)
            self.task.start(REFRESH_S, now=False)
        elif self.interval > 0:
            self.task = create_looping_call(self.log_progress)
            self.task.start(self.interval, now=False)

    def observe(self) -> Reading:
        stats = self.stats
        collected = stats.get_value("offres/collected")
        if collected is None:
            collected = stats.get_value("item_scraped_count", 0)
        # requests answered (or failed), token requests left out: the downloader's request
        # count also holds those still waiting for their turn in the download handler
        requests = (stats.get_value("downloader/response_count", 0)
                    + stats.get_value("downloader/exception_count", 0)
                    - stats.get_value("offres/token/requests", 0))
        return self.meter.observe(monotonic(), collected, stats.get_value("offres/expected"), requests)

    def log_progress(self) -> None:
        logger.info(format_progress(self.observe()))

    def draw_bar(self) -> None:
        assert self.bar is not None
        self.bar.update(self.observe())

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.bar is not None:  # the bar's last state stays on screen; the summary follows it
            self.draw_bar()
            self.bar.close()
