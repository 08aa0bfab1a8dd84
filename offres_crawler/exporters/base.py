"""What the Parquet and JSONL offer exporters share: one row per item, a record of every row's
(id key, dateActualisation), and dropping superseded rows once their file is complete."""

from __future__ import annotations

import logging
import os
from array import array
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from offres_crawler.exporters import compaction
from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.offers.id_store import id_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def as_offer(item: Any) -> dict:
    """The item as a plain dict (offers are plain dicts already: no copy then)."""
    return item if type(item) is dict else ItemAdapter(item).asdict()


def local_path(file: Any) -> str | None:
    """The path of a plain local file (a file feed, or the temporary file of S3/GCS/FTP feeds),
    None for anything else (stdout, a post-processing wrapper)."""
    name = getattr(file, "name", None)
    if isinstance(name, str) and os.path.isfile(name) and hasattr(file, "flush"):
        return name
    return None


class OfferExporter(BaseItemExporter):
    format = ""

    def __init__(self, file: IO[bytes], *, crawler: Crawler | None = None, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.crawler = crawler
        self.registry = FeedRegistry.of(crawler) if crawler is not None else None
        if self.fields_to_export:
            logger.warning("%s feeds write every key of every offer: FEED_EXPORT_FIELDS / "
                           "'fields' is ignored", self.format)
        self._keys = array("Q")
        self._dates = array("q")

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: IO[bytes], **kwargs: Any):
        return cls(file, crawler=crawler, **kwargs)

    def _record(self, offer: dict, date: int) -> None:
        offer_id = offer.get("id")
        self._keys.append(id_key(offer_id) if type(offer_id) is str and offer_id else 0)
        self._dates.append(date)

    def records(self) -> tuple[np.ndarray, np.ndarray]:
        """(id key, dateActualisation) of each row written, in row order."""
        return (np.frombuffer(self._keys, dtype=np.uint64).copy() if self._keys else
                np.zeros(0, np.uint64),
                np.frombuffer(self._dates, dtype=np.int64).copy() if self._dates else
                np.zeros(0, np.int64))

    def parquet_options(self) -> dict:
        return {}

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    def compact_finished_file(self) -> None:
        """Drop the rows superseded so far, while the storage still holds the file: this is
        what makes "latest wins" hold for single-file remote feeds (S3 uploads the file right
        after). Rows superseded later, or files we cannot reach here (post-processed ones), are
        handled by the FeedCompaction extension once the crawl ends, for local files."""
        if self.registry is None:
            return
        keys, dates = self.records()
        drop = self.registry.superseded(keys, dates)
        if drop is None or not drop.any():
            return
        path = local_path(self.file)
        if path is None:
            return
        self.file.flush()
        try:
            kept = compaction.rewrite_open_file(self.format, path, drop, **self.parquet_options())
        except compaction.CompactionError as exc:
            logger.error("Could not drop superseded rows from %s: %s", path, exc)
            return
        self._keys = array("Q", keys[~drop].tobytes())
        self._dates = array("q", dates[~drop].tobytes())
        self._inc("offres/dedup/compacted_rows", len(keys) - kept)
        logger.debug("Dropped %d superseded rows from %s", len(keys) - kept, Path(path).name)

