"""Rewrite a finished feed file without some of its rows (the superseded copies of offers).

Why: a streaming feed cannot take back a row it has written. When a later copy of an offer
(a newer `dateActualisation`) arrives after an older copy was exported, the dedup pipeline lets
the newer one through and the older row is dropped here, once the file is complete. Row i of a
Parquet file is line i of a JSONL file: the caller passes one boolean per row (True = drop).

Framework-free. Reads and writes stream (one row group, one line at a time), so memory stays
bounded whatever the file size.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.files import atomic_write

GZIP_MAGIC = b"\x1f\x8b"


class CompactionError(Exception):
    """The file does not hold the rows the caller expected: left untouched."""


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def compact_parquet(src: str | Path, dst: IO[bytes], drop: np.ndarray, **writer_options) -> int:
    """Copy the Parquet file `src` to `dst` without the rows where `drop` is True; return the
    number of rows kept. Row groups keep their size (the last one may shrink)."""
    source = pq.ParquetFile(src)
    if source.metadata.num_rows != len(drop):
        raise CompactionError(f"{src}: {source.metadata.num_rows} rows, expected {len(drop)}")
    group_rows = max((source.metadata.row_group(i).num_rows
                      for i in range(source.metadata.num_row_groups)), default=1)
    kept = 0
    offset = 0
    with pq.ParquetWriter(dst, source.schema_arrow, **writer_options) as writer:
        for batch in source.iter_batches(batch_size=group_rows):
            keep = ~drop[offset:offset + batch.num_rows]
            offset += batch.num_rows
            if keep.any():
                table = pa.Table.from_batches([batch.filter(pa.array(keep))])
                writer.write_table(table)
                kept += table.num_rows
        if kept == 0:  # a valid, empty file: the schema alone
            writer.write_table(source.schema_arrow.empty_table())
    return kept


def compact_jsonl(src: str | Path, dst: IO[bytes], drop: np.ndarray) -> int:
    """Copy the JSONL file `src` (gzip-compressed or not, kept as it was) to `dst` without the
    lines where `drop` is True; return the number of lines kept."""
    compressed = is_gzip(src)
    opener = gzip.open if compressed else open
    kept = 0
    with opener(src, "rb") as lines:
        out = gzip.GzipFile(fileobj=dst, mode="wb", compresslevel=6, mtime=0) if compressed else dst
        try:
            count = 0
            for line in lines:
                if count >= len(drop):
                    raise CompactionError(f"{src}: more lines than the {len(drop)} expected")
                if not drop[count]:
                    out.write(line)
                    kept += 1
                count += 1
            if count != len(drop):
                raise CompactionError(f"{src}: {count} lines, expected {len(drop)}")
        finally:
            if compressed:
                out.close()
    return kept


def compact(fmt: str, src: str | Path, dst: IO[bytes], drop: np.ndarray, **parquet_options) -> int:
    if fmt == "parquet":
        return compact_parquet(src, dst, drop, **parquet_options)
    return compact_jsonl(src, dst, drop)


def rewrite_file(fmt: str, path: str | Path, drop: np.ndarray, **parquet_options) -> int:
    """Compact a closed file in place: a crash leaves either the old file or the new one."""
    with atomic_write(path, like=path) as tmp:
        kept = compact(fmt, path, tmp, drop, **parquet_options)
    return kept


def rewrite_open_file(fmt: str, path: str | Path, drop: np.ndarray, **parquet_options) -> int:
    """Compact a file that a feed storage still holds open (its handle will be read or closed
    later), by rewriting the same inode rather than replacing the path."""
    path = Path(path)
    with tempfile.TemporaryFile(dir=path.parent, prefix=f".{path.name}.") as tmp:
        kept = compact(fmt, path, tmp, drop, **parquet_options)
        tmp.flush()
        tmp.seek(0)
        with open(path, "r+b") as out:
            shutil.copyfileobj(tmp, out, 1 << 20)
            out.truncate()
    return kept
