"""What one crawl's offer feeds hold, shared by the components that write and finish them.

The dedup pipeline puts its id store here; the offer exporters (Parquet, JSONL) report the
(id key, dateActualisation) of every row they wrote; the feed extensions use both to drop
superseded rows from finished files and to commit snapshot parts. One registry per crawler,
forgotten with it.
"""

from __future__ import annotations

import logging
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from offres_crawler.api.id_store import IdStore

logger = logging.getLogger(__name__)

_REGISTRIES: weakref.WeakKeyDictionary[Any, FeedRegistry] = weakref.WeakKeyDictionary()

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


INSPECTIONS_KEPT = 1024  # more than the items in flight between validation and export


class FeedRegistry:
    def __init__(self) -> None:
        self.store: IdStore | None = None  # set by the dedup pipeline when it runs
        self.parts: list[WrittenPart] = []
        self.snapshot: Any = None  # the SnapshotState when the snapshot layout is on
        self._inspections: OrderedDict[int, tuple[Any, Any]] = OrderedDict()

    # The validation pipeline's inspection of an offer, reused by the Parquet exporter rather
    # than walking the same offer twice. Keyed by the item object itself, and only reused while
    # its keys are those validated: a later pipeline that adds or removes a key in place gets
    # a fresh inspection instead of silently losing that key.
    def remember_inspection(self, offer: Any, report: Any) -> None:
        if len(self._inspections) >= INSPECTIONS_KEPT:
            self._inspections.popitem(last=False)  # the oldest
        self._inspections[id(offer)] = (offer, tuple(offer), report)

    def recall_inspection(self, offer: Any) -> Any:
        entry = self._inspections.get(id(offer))
        if entry is None or entry[0] is not offer or entry[1] != tuple(offer):
            return None
        return entry[2]

    @classmethod
    def of(cls, crawler: Crawler) -> FeedRegistry:
        registry = _REGISTRIES.get(crawler)
        if registry is None:
            registry = _REGISTRIES[crawler] = cls()
        return registry

    def superseded(self, keys: np.ndarray, dates: np.ndarray) -> np.ndarray | None:
        """Which rows have a newer copy recorded in the dedup store (None without a store)."""
        if self.store is None or not len(keys):
            return None
        return (keys != 0) & (self.store.lookup(keys) > dates)
