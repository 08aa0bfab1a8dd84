"""What changed between two snapshots of the market: created, updated and withdrawn offers.

The API keeps no history: an offer withdrawn today is gone for good unless yesterday's snapshot
recorded it. Comparing two snapshots by offer id gives
- created: ids in the current snapshot only;
- updated: ids in both whose `dateActualisation` or content differs (content = every column of
  the row, compared through `row_digest`; a snapshot written with another Arrow schema can only
  be compared on `dateActualisation`, which is then said in `Changes.content_compared`);
- withdrawn: ids in the previous snapshot only.

Memory-bounded: a snapshot is read once, in record batches, into a `SnapshotIndex` of 32 bytes
an offer (id key, dateActualisation, content digest, where the row is), so 1,000,000 offers take
32 MB however large the offers are; `select_rows` then reads back only the rows a delta needs.
A snapshot that holds an id twice (it should not: published snapshots are deduplicated) counts
as holding its latest copy (greatest `dateActualisation`, then the last one read).

Framework-free (numpy and pyarrow only).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.offers.id_store import NO_DATE, id_key
from offres_crawler.offers.row_digest import row_digests

logger = logging.getLogger(__name__)

ID = "id"
DATE = "dateActualisation"
BATCH_ROWS = 2048  # rows hashed at once: bounds the temporary arrays of row_digest
_ROW_BITS = 40  # a location is file_number << 40 | row_number


def schema_fingerprint(schema: pa.Schema) -> str:
    """What makes content digests comparable: the same fields, types and order."""
    return schema.remove_metadata().to_string(show_field_metadata=False)


@dataclass(frozen=True)
class SnapshotIndex:
    keys: np.ndarray  # uint64 id keys (api.id_store.id_key), sorted, unique
    dates: np.ndarray  # int64 dateActualisation in µs since the epoch, NO_DATE when absent
    digests: np.ndarray  # uint64 content digest of the row
    locations: np.ndarray  # int64 file_number << 40 | row_number, to read the row back
    schema: str  # schema_fingerprint of the files (digests compare only within one schema)
    rows_read: int = 0  # rows seen, duplicates and rows without an id included
    rows_without_id: int = 0

    def __len__(self) -> int:
        return len(self.keys)


def _batch_keys(batch: pa.RecordBatch) -> np.ndarray:
    ids = batch.column(batch.schema.get_field_index(ID)).to_pylist()
    return np.fromiter((id_key(i) if i else 0 for i in ids), dtype=np.uint64, count=len(ids))


def _batch_dates(batch: pa.RecordBatch) -> np.ndarray:
    column = batch.column(batch.schema.get_field_index(DATE))
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
    return column.fill_null(NO_DATE).to_numpy(zero_copy_only=False).astype(np.int64)


def index_batches(batches: Iterable[tuple[int, int, pa.RecordBatch]]) -> SnapshotIndex:
    """Index batches given as (file_number, first_row_number, batch), all of one schema."""
    keys, dates, digests, locations = [], [], [], []
    schema = None
    rows = 0
    for file_number, first_row, batch in batches:
        fingerprint = schema_fingerprint(batch.schema)
        if schema is None:
            schema = fingerprint
        elif fingerprint != schema:
            raise ValueError("the files of one snapshot have different schemas")
        rows += batch.num_rows
        keys.append(_batch_keys(batch))
        dates.append(_batch_dates(batch))
        digests.append(row_digests(batch))
        locations.append((np.int64(file_number) << _ROW_BITS)
                         + np.arange(first_row, first_row + batch.num_rows, dtype=np.int64))
    return _build_index(keys, dates, digests, locations, schema or "", rows)


def _build_index(keys: list, dates: list, digests: list, locations: list, schema: str,
                 rows: int) -> SnapshotIndex:
    def joined(parts: list, dtype: type) -> np.ndarray:
        out = np.concatenate(parts) if parts else np.zeros(0, dtype)
        parts.clear()  # the pieces go as soon as they are joined
        return out

    k, d = joined(keys, np.uint64), joined(dates, np.int64)
    g, loc = joined(digests, np.uint64), joined(locations, np.int64)
    with_id = k != 0
    without_id = int((~with_id).sum())
    k, d, g, loc = k[with_id], d[with_id], g[with_id], loc[with_id]
    # Sorted by key, then date, then reading order: the last row of each key is its latest copy.
    order = np.lexsort((loc, d, k))
    k, d, g, loc = k[order], d[order], g[order], loc[order]
    last = np.ones(len(k), dtype=bool)
    last[:-1] = k[1:] != k[:-1]
    if not last.all():
        logger.warning("%d rows repeat an id already in the snapshot: its latest copy counts",
                       int((~last).sum()))
    return SnapshotIndex(keys=k[last], dates=d[last], digests=g[last], locations=loc[last],
                         schema=schema, rows_read=rows, rows_without_id=without_id)


def _file_batches(paths: Sequence[Path], batch_rows: int) -> Iterator[tuple[int, int, pa.RecordBatch]]:
    for number, path in enumerate(paths):
        first = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, use_threads=False):
            yield number, first, batch
            first += batch.num_rows
        # the allocator keeps freed pages for the next file: give them back
        pa.default_memory_pool().release_unused()


def index_files(paths: Sequence[Path], batch_rows: int = BATCH_ROWS) -> SnapshotIndex:
    """Index the Parquet files of one snapshot (read once, batch by batch)."""
    return index_batches(_file_batches(paths, batch_rows))


@dataclass(frozen=True)
class Changes:
    created: np.ndarray  # keys, sorted
    updated: np.ndarray  # keys, sorted: dateActualisation or content changed
    withdrawn: np.ndarray  # keys, sorted
    unchanged: int
    date_changed: int  # how many of the updated have another dateActualisation
    content_compared: bool  # False: the schemas differ, only dateActualisation was compared

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated),
                "withdrawn": len(self.withdrawn), "unchanged": self.unchanged,
                "updated_dateActualisation": self.date_changed,
                "updated_content_only": len(self.updated) - self.date_changed}


def compare(previous: SnapshotIndex, current: SnapshotIndex) -> Changes:
    """Created, updated and withdrawn ids from the previous snapshot to the current one."""
    if len(previous):
        pos = np.searchsorted(previous.keys, current.keys)
        found = previous.keys[np.minimum(pos, len(previous) - 1)] == current.keys
    else:
        pos = np.zeros(len(current), dtype=np.int64)
        found = np.zeros(len(current), dtype=bool)
    cur_rows = np.flatnonzero(found)
    prev_rows = pos[found]
    date_changed = current.dates[cur_rows] != previous.dates[prev_rows]
    content_compared = previous.schema == current.schema
    if content_compared:
        changed = date_changed | (current.digests[cur_rows] != previous.digests[prev_rows])
    else:
        logger.warning("The snapshots were written with different schemas: offers are compared "
                       "on dateActualisation only")
        changed = date_changed
    kept = np.zeros(len(previous), dtype=bool)
    kept[prev_rows] = True
    return Changes(created=current.keys[~found], updated=current.keys[cur_rows[changed]],
                   withdrawn=previous.keys[~kept], unchanged=int((~changed).sum()),
                   date_changed=int(date_changed.sum()), content_compared=content_compared)


def select_rows(paths: Sequence[Path], index: SnapshotIndex, keys: np.ndarray) -> Iterator[pa.Table]:
    """The rows of `keys` (all present in `index`, the index of `paths`), read back file by file
    and row group by row group: only the row groups holding a wanted row are read."""
    if not len(keys):
        return
    locations = np.sort(index.locations[np.searchsorted(index.keys, keys)])
    files = locations >> _ROW_BITS
    rows = locations & ((np.int64(1) << _ROW_BITS) - 1)
    for number in np.unique(files):
        wanted = rows[files == number]
        parquet = pq.ParquetFile(paths[int(number)])
        bounds = np.cumsum([0] + [parquet.metadata.row_group(g).num_rows
                                  for g in range(parquet.num_row_groups)])
        groups = np.searchsorted(bounds, wanted, side="right") - 1
        for group in np.unique(groups):
            local = wanted[groups == group] - bounds[group]
            yield parquet.read_row_group(int(group)).take(pa.array(local))
