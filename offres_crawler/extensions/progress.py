"""Progress of a crawl in the log, and a clear account of how it ended.

Every OFFRES_PROGRESS_INTERVAL seconds (0: off):

    Progress: 123,450 / 512,004 offers (24.1 %), 845 requests, 446.3 offers/s, 2.98 req/s, ETA 14m31s

offers collected (`offres/collected`, else items written) of those the API reported for the
query (`offres/expected`, from the root `Content-Range`), API requests done (token requests left
out), the current rates over the last OFFRES_PROGRESS_WINDOW seconds, and the time left at
that rate.

When the engine stops (the snapshot published or not), the run is judged so that the exit code
and the snapshot agree: a crawl that ended "finished" without its snapshot is marked incomplete
(`offres/incomplete`: exit code 3), and a snapshot published by a run whose exit code says
incomplete is taken back to staging (ops/unpublish.py): an incomplete snapshot is never the
day's snapshot. Then, once the deltas are written (extensions/run_end.py), a summary
(completeness, requests, retries, 429s, rejects, duration, where the data is) and, as the log's
last line, the verdict with the exit code `scrapy crawl` returns (ops/outcome.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.asyncio import create_looping_call, run_in_thread
from scrapy.utils.job import job_dir

import offres_crawler
from offres_crawler.commands.crawl import exit_code
from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.extensions.run_end import RunEnd
from offres_crawler.middlewares.failures import mark_incomplete
from offres_crawler.middlewares.per_crawler import shared
from offres_crawler.ops.outcome import RunFacts, judge, summary_lines, verdict_line
from offres_crawler.ops.progress_meter import ProgressMeter, Reading, format_progress
from offres_crawler.ops.unpublish import take_back

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
        self.snapshot_mode = settings.getbool("OFFRES_SNAPSHOT")
        self.task: Any = None
        self.feeds: list[str] = []
        shared(crawler, RunEnd).judged.expected = True
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)
        crawler.signals.connect(self.feed_slot_closed, signals.feed_slot_closed)
        crawler.signals.connect(self.engine_stopped, signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        return cls(crawler)

    # -- along the way --------------------------------------------------------------------------

    def spider_opened(self) -> None:
        # which code runs: under scrapyd, the deployed egg (unless something shadows it)
        logger.info("offres_crawler %s loaded from %s", offres_crawler.__version__,
                    Path(offres_crawler.__file__).parent)
        self.observe()  # the first line then has a rate already
        if self.interval > 0:
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

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def feed_slot_closed(self, slot: Any) -> None:
        storage = getattr(slot, "storage", None)
        where = str(storage.path) if isinstance(storage, FileFeedStorage) else slot.uri
        if "_inprogress" not in where:  # snapshot parts: the snapshot directory says it all
            self.feeds.append(where)

    # -- the end --------------------------------------------------------------------------------

    def _facts(self) -> RunFacts:
        facts = RunFacts(feeds=self.feeds)
        snapshot = FeedRegistry.of(self.crawler).snapshot
        if self.snapshot_mode and snapshot is not None:
            facts.snapshot_date = snapshot.snapshot_date
            if snapshot.status == "published":
                facts.snapshot_published = str(snapshot.published_dir)
            else:
                facts.snapshot_staging = str(snapshot.staging_dir)
        spider = self.crawler.spider
        report = getattr(spider, "report_file", None)
        if report is not None:
            facts.report = str(report)
        if facts.snapshot_date:
            facts.rejects = f"{facts.snapshot_published or facts.snapshot_staging}/_rejects/"
        else:
            facts.rejects = self.crawler.settings.get("OFFRES_REJECTS_URI")
        return facts

    async def engine_stopped(self) -> None:
        end = shared(self.crawler, RunEnd)
        try:
            await self._judge_snapshot()
        finally:
            end.judged.set()
        await end.deltas_done.wait()
        facts = self._facts()
        facts.deltas, facts.deltas_note = end.deltas, end.deltas_note
        stats = self.stats.get_stats()
        outcome = judge(stats, exit_code(stats), facts)
        self.stats.set_value("offres/outcome", "complete" if outcome.complete else "incomplete")
        logger.info("Run summary:\n  %s", "\n  ".join(summary_lines(stats, facts)))
        # a warning, not an error: whatever went wrong has been logged as an error already
        log = logger.info if outcome.complete else logger.warning
        log(verdict_line(outcome, facts))

    async def _judge_snapshot(self) -> None:
        """Make the snapshot and the exit code agree: a finished crawl without its snapshot is
        incomplete; a snapshot published by a run the exit code calls incomplete is taken back."""
        snapshot = FeedRegistry.of(self.crawler).snapshot
        if not self.snapshot_mode or snapshot is None:
            return
        stats = self.stats.get_stats()
        if snapshot.status != "published":
            if stats.get("finish_reason") == "finished":
                mark_incomplete(self.stats)
            return
        code = exit_code(stats)
        if code != 0:
            why = f"the run ended with exit code {code} (finish reason {stats.get('finish_reason')})"
            jobdir = job_dir(self.crawler.settings)
            staged = await run_in_thread(take_back, snapshot, Path(jobdir) if jobdir else None, why)
            self.stats.set_value("offres/snapshot/taken_back", True)
            logger.warning("Snapshot %s was published but %s: taken back to %s, to be resumed",
                           snapshot.snapshot_date, why, staged)
