"""Finish the offer feeds: keep track of every file the offer exporters wrote and, once the
crawl has closed them all, drop from the local ones the rows a newer copy has superseded.

This is the second half of "latest wins" (see pipelines/dedup.py): the exporters clean each
file as they finish it, but a newer copy can arrive after a batch or snapshot part is already
stored, and post-processed files (Scrapy's GzipPlugin) cannot be rewritten before they are
stored. Local files are rewritten atomically, in a thread; rows left in remote files
(S3, GCS, FTP batches) are counted in `offres/dedup/superseded_left` and logged.

Signals sent: `part_written` for each finished file, `feeds_finalized` when all are final.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.asyncio import run_in_thread

from offres_crawler.exporters import compaction
from offres_crawler.exporters.base import OfferExporter
from offres_crawler.exporters.registry import FeedRegistry, WrittenPart, feeds_finalized, part_written

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class FeedCompaction:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.registry = FeedRegistry.of(crawler)
        crawler.signals.connect(self.feed_slot_closed, signals.feed_slot_closed)
        crawler.signals.connect(self.feed_exporter_closed, signals.feed_exporter_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FeedCompaction:
        return cls(crawler)

    async def feed_slot_closed(self, slot: Any) -> None:
        exporter = slot.exporter
        if not isinstance(exporter, OfferExporter):
            return
        keys, dates = exporter.records()
        storage = slot.storage
        path = Path(storage.path).resolve() if isinstance(storage, FileFeedStorage) else None
        part = WrittenPart(uri=slot.uri, format=exporter.format, path=path, keys=keys, dates=dates,
                           parquet_options=exporter.parquet_options())
        self.registry.parts.append(part)
        await self.crawler.signals.send_catch_log_async(part_written, part=part)

    async def feed_exporter_closed(self) -> None:
        if self.registry.store is not None and self.registry.parts:
            compacted, left = await run_in_thread(self._compact_all)
            stats = self.crawler.stats
            if compacted:
                stats.inc_value("offres/dedup/compacted_rows", compacted)
            if left:
                stats.inc_value("offres/dedup/superseded_left", left)
                logger.warning("%d superseded rows stay in remote feed files written before "
                               "their newer copy arrived (keep the row with the latest "
                               "dateActualisation per id when reading them)", left)
        await self.crawler.signals.send_catch_log_async(feeds_finalized)

    def _compact_all(self) -> tuple[int, int]:
        """Rewrite every local part that holds superseded rows; runs in a thread."""
        compacted = left = 0
        for part in self.registry.parts:
            drop = self.registry.superseded(part.keys, part.dates)
            if drop is None or not drop.any():
                continue
            if part.path is None or not part.path.is_file():
                left += int(drop.sum())
                continue
            try:
                kept = compaction.rewrite_file(part.format, part.path, drop, **part.parquet_options)
            except compaction.CompactionError as exc:
                logger.error("Superseded rows left in %s: %s", part.path, exc)
                left += int(drop.sum())
                continue
            compacted += part.rows - kept
            part.keys, part.dates = part.keys[~drop], part.dates[~drop]
            logger.info("Dropped %d superseded rows from %s", int(drop.sum()), part.path.name)
        return compacted, left
