"""Parquet feed exporter, registered in FEED_EXPORTERS as `parquet` (`-O offres.parquet` works).

Every file has the same explicit schema (`api.arrow_schema.OFFRE_SCHEMA`) whatever keys a run
met: typed and nested columns, plus one JSON text column for keys the schema does not know.
Rows are converted in small batches and written in row groups of OFFRES_PARQUET_ROW_GROUP_ROWS,
so memory holds at most one row group, however long the feed. Each row is converted from the item
as it reaches the exporter, whatever a pipeline added or removed after the validation.

A Parquet file cannot be appended to (its index is at the end): a file opened for appending is
truncated first, with a warning (`-O`, or the `overwrite` feed option, says it plainly). Works
with any feed storage, batches (`%(batch_id)d`) included; stdout too.
"""

from __future__ import annotations

import logging
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.exporters.base import OfferExporter, as_offer
from offres_crawler.offers.arrow_rows import offers_to_batch
from offres_crawler.offers.arrow_schema import OFFRE_SCHEMA
from offres_crawler.offers.id_store import NO_DATE

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CONVERT_ROWS = 1000  # offers converted to Arrow at a time: bounds the Python objects held


class _CountingWriter:
    """A write-only stream that knows its position (Parquet needs `tell()`; pipes cannot)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.position = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        self.raw.flush()

    def close(self) -> None:  # the feed storage owns the underlying stream
        self.closed = True


def _seekable(file: Any) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, ValueError, OSError):
        return False


class ParquetItemExporter(OfferExporter):
    format = "parquet"

    # The defaults of OFFRES_PARQUET_ROW_GROUP_ROWS and OFFRES_PARQUET_COMPRESSION, for an
    # exporter built outside a crawl; from_crawler passes the settings' values.
    def __init__(self, file: IO[bytes], *, crawler: Crawler | None = None,
                 row_group_rows: int = 10_000, compression: str = "zstd", **kwargs: Any) -> None:
        super().__init__(file, crawler=crawler, **kwargs)
        self.row_group_rows = max(1, int(row_group_rows))
        self.compression = compression
        self._pending: list[dict] = []
        self._batches: list[pa.RecordBatch] = []
        self._batched_rows = 0
        self._writer: pq.ParquetWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: IO[bytes], **kwargs: Any):
        settings = crawler.settings
        kwargs.setdefault("row_group_rows", settings.getint("OFFRES_PARQUET_ROW_GROUP_ROWS"))
        kwargs.setdefault("compression", settings.get("OFFRES_PARQUET_COMPRESSION"))
        return cls(file, crawler=crawler, **kwargs)

    def parquet_options(self) -> dict:
        return {"compression": self.compression, "version": "2.6"}

    def start_exporting(self) -> None:
        sink: Any = self.file
        if _seekable(self.file):
            if self.file.tell() > 0:
                logger.warning("A Parquet file cannot be appended to: overwriting %s (export it "
                               "with -O, or the feed option overwrite: True)",
                               getattr(self.file, "name", "the feed"))
                self._inc("offres/parquet/overwritten_files")
                self.file.seek(0)
                self.file.truncate()
        else:
            sink = _CountingWriter(self.file)
        self._writer = pq.ParquetWriter(sink, OFFRE_SCHEMA, **self.parquet_options())

    def export_item(self, item: Any) -> None:
        offer = as_offer(item)
        self._pending.append(offer)
        if len(self._pending) >= min(CONVERT_ROWS, self.row_group_rows):
            self._convert()

    def _convert(self) -> None:
        offers, self._pending = self._pending, []
        batch, info = offers_to_batch(offers)
        dates = batch.column("dateActualisation").cast(pa.int64()).fill_null(NO_DATE)
        for offer, date in zip(offers, dates.to_numpy(zero_copy_only=False).tolist()):
            self._record(offer, date)
        if info.moved_values:
            self._inc("offres/parquet/moved_values", info.moved_values)
        self._batches.append(batch)
        self._batched_rows += batch.num_rows
        if self._batched_rows >= self.row_group_rows:
            self._write_row_group()

    def _write_row_group(self) -> None:
        if not self._batches:
            return
        table = pa.Table.from_batches(self._batches, schema=OFFRE_SCHEMA)
        self._batches, self._batched_rows = [], 0
        assert self._writer is not None
        self._writer.write_table(table, row_group_size=self.row_group_rows)
        self._inc("offres/parquet/rows", table.num_rows)

    def finish_exporting(self) -> None:
        if self._pending:
            self._convert()
        self._write_row_group()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.file.flush()
        self.compact_finished_file()
