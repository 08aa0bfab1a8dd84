"""Dropping superseded rows from finished Parquet and JSONL files."""

from __future__ import annotations

import gzip
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from offres_crawler.exporters.compaction import CompactionError, rewrite_file, rewrite_open_file
from offres_crawler.offers.arrow_rows import offers_to_batch

OFFERS = [{"id": f"{n:07d}", "intitule": f"Offre n°{n}"} for n in range(25)]
DROP = np.array([n % 3 == 0 for n in range(25)])
KEPT = [o["id"] for o, d in zip(OFFERS, DROP) if not d]


def _parquet(path, row_group_rows=10):
    batch, _ = offers_to_batch(OFFERS)
    pq.write_table(pa.Table.from_batches([batch]), path, row_group_size=row_group_rows, compression="zstd")


def _jsonl(path, compressed=False):
    data = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in OFFERS).encode()
    path.write_bytes(gzip.compress(data) if compressed else data)


def test_parquet_rows_dropped_row_groups_kept_bounded(tmp_path):
    path = tmp_path / "f.parquet"
    _parquet(path)
    os.chmod(path, 0o644)
    assert rewrite_file("parquet", path, DROP, compression="zstd") == len(KEPT)
    file = pq.ParquetFile(path)
    assert file.read().column("id").to_pylist() == KEPT
    assert max(file.metadata.row_group(i).num_rows for i in range(file.metadata.num_row_groups)) <= 10
    assert file.schema_arrow.equals(pq.read_schema(path))
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in tmp_path.iterdir()] == ["f.parquet"]


@pytest.mark.parametrize("compressed", [False, True])
def test_jsonl_lines_dropped_compression_kept(tmp_path, compressed):
    path = tmp_path / "f.jsonl"
    _jsonl(path, compressed)
    assert rewrite_file("jsonl", path, DROP) == len(KEPT)
    data = path.read_bytes()
    assert (data[:2] == b"\x1f\x8b") == compressed
    lines = (gzip.decompress(data) if compressed else data).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == KEPT
    assert "n°" in lines[0]  # bytes copied as they were


def test_a_file_with_other_rows_is_left_untouched(tmp_path):
    path = tmp_path / "f.jsonl"
    _jsonl(path)
    before = path.read_bytes()
    with pytest.raises(CompactionError):
        rewrite_file("jsonl", path, DROP[:-1])
    with pytest.raises(CompactionError):
        rewrite_file("jsonl", path, np.append(DROP, False))
    pq_path = tmp_path / "f.parquet"
    _parquet(pq_path)
    with pytest.raises(CompactionError):
        rewrite_file("parquet", pq_path, DROP[:-1])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.jsonl", "f.parquet"]


def test_an_open_file_is_rewritten_in_place(tmp_path):
    path = tmp_path / "f.parquet"
    _parquet(path)
    with open(path, "r+b") as held:  # what a feed storage holds until it uploads or closes
        inode = os.fstat(held.fileno()).st_ino
        rewrite_open_file("parquet", path, DROP)
        held.seek(0)
        data = held.read()
    assert os.stat(path).st_ino == inode
    assert pq.read_table(pa.BufferReader(data)).column("id").to_pylist() == KEPT


def test_dropping_every_row_leaves_a_valid_empty_file(tmp_path):
    path = tmp_path / "f.parquet"
    _parquet(path)
    assert rewrite_file("parquet", path, np.ones(25, dtype=bool)) == 0
    assert pq.read_table(path).num_rows == 0
