"""What one crawl's offer feeds hold, shared by the components that write and finish them.

The dedup pipeline puts its id store here; the offer exporters (Parquet, JSONL) report the
(id key, dateActualisation) of every row they wrote; the feed extensions use both to drop
superseded rows from finished files and to commit snapshot parts. One registry per crawler
(`FeedRegistry.of(crawler)`, through `per_crawler.shared`), forgotten with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from offres_crawler.per_crawler import shared

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from offres_crawler.offers.id_store import IdStore

# Signals (sent by the FeedCompaction extension):
# part_written(part: WrittenPart): an offer feed file is complete and stored.
part_written = object()
# feeds_finalized(): every offer feed file is final (superseded rows dropped where possible).
feeds_finalized = object()


@dataclass
class WrittenPart:
    """One finished feed file (a whole feed, or one batch of a batched feed)."""

    uri: str
    format: str  # "parquet" | "jsonl"
    path: Path | None  # a local file we may rewrite; None for remote storages (S3, FTP, ...)
    keys: np.ndarray  # uint64 id key of each row, in row order (0: row without a usable id)
    dates: np.ndarray  # int64 dateActualisation of each row (NO_DATE when absent)
    parquet_options: dict

    @property
    def rows(self) -> int:
        return len(self.keys)


class FeedRegistry:
    def __init__(self, crawler: Crawler | None = None) -> None:
        self.store: IdStore | None = None  # set by the dedup pipeline when it runs
        self.parts: list[WrittenPart] = []
        self.snapshot: Any = None  # the SnapshotState when the snapshot layout is on

    @classmethod
    def of(cls, crawler: Crawler) -> FeedRegistry:
        return shared(crawler, cls)

    def superseded(self, keys: np.ndarray, dates: np.ndarray) -> np.ndarray | None:
        """Which rows have a newer copy recorded in the dedup store (None without a store)."""
        if self.store is None or not len(keys):
            return None
        return (keys != 0) & (self.store.lookup(keys) > dates)
