"""Scrapy's FeedExporter with two additions the crash-safety of a crawl needs (wired by the
add-on in place of Scrapy's, whose every other behaviour it keeps):

- batches closed by time as well as by count: a feed with `batch_item_count` and the feed
  option `offres_batch_seconds` starts a new batch at the first row that comes once its
  current batch has been open that long (the snapshot's parts: OFFRES_SNAPSHOT_PART_SECONDS), so
  that parts are committed, and a crawl checkpointed, at least that often while rows come. The
  decision is taken once for all the feeds of one batch number: part N of every format holds
  the same rows;
- the `batch_closing(slot)` signal, sent synchronously when a batch stops taking rows (before
  Scrapy closes and stores it in a task of its own): what the crawl has done at that instant is
  exactly what that batch and the earlier ones hold (extensions/checkpoint.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from scrapy.extensions.feedexport import FeedExporter, FeedSlot, apply_uri_params

from offres_crawler.addon_feeds import BATCH_SECONDS

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

batch_closing = object()  # signal: batch_closing(slot), a batch takes no more rows


class OffresFeedExporter(FeedExporter):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # when each batch number of time-batched feeds started (shared by the feeds that
        # have the same period, so that they decide together)
        self._started: dict[tuple[float, int], float] = {}

    def _start_new_batch(self, batch_id: int, uri: str, feed_options: dict[str, Any],
                         spider: Spider, uri_template: str) -> FeedSlot:
        seconds = _seconds(feed_options)
        if seconds:
            self._started.setdefault((seconds, batch_id), time.monotonic())
        return super()._start_new_batch(batch_id=batch_id, uri=uri, feed_options=feed_options,
                                        spider=spider, uri_template=uri_template)

    def _batch_full(self, slot: FeedSlot, now: float) -> bool:
        options = self.feeds[slot.uri_template]
        count = options["batch_item_count"]
        if not count:
            return False
        if slot.itemcount >= count:
            return True
        seconds = _seconds(options)
        started = self._started.get((seconds, slot.batch_id)) if seconds else None
        return started is not None and now - started >= seconds

    def item_scraped(self, item: Any, spider: Spider) -> None:
        """Scrapy's, with `_batch_full` deciding when a batch ends."""
        now = time.monotonic()
        slots = []
        ended = set()
        for slot in self.slots:
            if not slot.filter.accepts(item):
                slots.append(slot)
                continue
            slot.start_exporting()
            assert slot.exporter is not None
            slot.exporter.export_item(item)
            slot.itemcount += 1
            if not self._batch_full(slot, now):
                slots.append(slot)
                continue
            self.crawler.signals.send_catch_log(batch_closing, slot=slot)
            options = self.feeds[slot.uri_template]
            uri_params = self._get_uri_params(spider, options["uri_params"], slot)
            self._schedule_slot_close(slot, spider)
            slots.append(self._start_new_batch(batch_id=slot.batch_id + 1,
                                               uri=apply_uri_params(slot.uri_template, uri_params),
                                               feed_options=options, spider=spider,
                                               uri_template=slot.uri_template))
            ended.add((_seconds(options), slot.batch_id))
        self.slots = slots
        for key in ended:  # after the loop: every feed of that batch decided on the same start
            self._started.pop(key, None)

    async def close_spider(self, spider: Spider) -> None:
        for slot in self.slots:
            self.crawler.signals.send_catch_log(batch_closing, slot=slot)
        await super().close_spider(spider)


def _seconds(options: dict[str, Any]) -> float:
    return float(options.get(BATCH_SECONDS) or 0)

