"""Compute the deltas of one published snapshot and write them (framework-free).

`write_deltas` indexes the previous and the current snapshot (snapshot/deltas.py), writes the three
kinds as Parquet and JSONL into a staging directory, then renames it into place: a reader sees
all of a day's deltas or none, and running it again for the same day replaces them.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import shutil
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.files import publish_directory, write_json_atomic
from offres_crawler.offers.arrow_rows import offers_from_table
from offres_crawler.offers.arrow_schema import OFFRE_SCHEMA
from offres_crawler.snapshot.deltas import Changes, SnapshotIndex, compare, index_files, select_rows
from offres_crawler.snapshot.deltas_layout import (
    partition,
    previous_snapshot,
    publication,
    published_snapshots,
    snapshot_files,
    staging_dir,
)

logger = logging.getLogger(__name__)

KINDS = ("created", "updated", "withdrawn")
DELTAS_MANIFEST = "_deltas.json"


class SnapshotNotPublished(LookupError):
    pass


def _api_datetime(value: Any) -> str:
    """Date-times back in the API's own form, 2025-10-09T08:15:02.123Z."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_api_datetime).encode


def _open_jsonl(path: Path, gzipped: bool) -> IO[str]:
    if gzipped:
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=6)
    return open(path, "w", encoding="utf-8")


def _write_kind(directory: Path, kind: str, tables: Iterable[pa.Table], schema: pa.Schema,
                gzipped: bool, compression: str) -> dict[str, Any]:
    parquet_path = directory / f"{kind}.parquet"
    jsonl_path = directory / f"{kind}.jsonl{'.gz' if gzipped else ''}"
    rows = 0
    with pq.ParquetWriter(parquet_path, schema, compression=compression) as parquet, \
            _open_jsonl(jsonl_path, gzipped) as jsonl:
        for table in tables:
            parquet.write_table(table)
            for offer in offers_from_table(table):
                jsonl.write(_encode(offer) + "\n")
            rows += table.num_rows
    return {"rows": rows, "parquet": parquet_path.name, "jsonl": jsonl_path.name}


def _publish(staged: Path, target: Path) -> None:
    """Replace `target` by `staged` (each a directory) with renames only."""
    publish_directory(staged, target, replaced=staged.parent / f"replaced-{target.name}")
    with contextlib.suppress(OSError):  # the staging area, if nothing else is staged
        staged.parent.rmdir()


def _schema(files: list[Path]) -> pa.Schema:
    return pq.read_schema(files[0]) if files else OFFRE_SCHEMA


def write_deltas(snapshot_root: Path, day: str, deltas_root: Path, *, gzip_jsonl: bool = True,
                 compression: str = "zstd") -> dict[str, Any] | None:
    """Write the deltas of the published snapshot of `day` against the previous published one.
    Returns what `_deltas.json` holds, or None when there is no earlier snapshot to compare."""
    snapshots = published_snapshots(snapshot_root)
    if day not in snapshots:
        raise SnapshotNotPublished(f"no published snapshot of {day} in {snapshot_root}")
    previous = previous_snapshot(snapshot_root, day)
    if previous is None:
        logger.info("Snapshot %s is the first in %s: no deltas", day, snapshot_root)
        return None
    previous_day, previous_dir = previous
    started = time.monotonic()
    previous_files, current_files = snapshot_files(previous_dir), snapshot_files(snapshots[day])
    previous_index, current_index = index_files(previous_files), index_files(current_files)
    changes = compare(previous_index, current_index)

    staged = staging_dir(deltas_root, day)
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    sources: dict[str, tuple[list[Path], SnapshotIndex]] = {
        "created": (current_files, current_index), "updated": (current_files, current_index),
        "withdrawn": (previous_files, previous_index)}
    files = {}
    for kind in KINDS:
        paths, index = sources[kind]
        files[kind] = _write_kind(staged, kind, select_rows(paths, index, getattr(changes, kind)),
                                  _schema(paths), gzip_jsonl, compression)
    report = _report(day, previous_day, changes, previous_index, current_index, files,
                     time.monotonic() - started)
    report["snapshots"] = {"previous": publication(previous_dir), "current": publication(snapshots[day])}
    write_json_atomic(staged / DELTAS_MANIFEST, report)
    target = deltas_root / partition(day)
    _publish(staged, target)
    report["directory"] = str(target)
    return report


def _report(day: str, previous_day: str, changes: Changes, previous: SnapshotIndex,
            current: SnapshotIndex, files: dict, seconds: float) -> dict[str, Any]:
    return {
        "snapshot_date": day,
        "previous_snapshot_date": previous_day,
        "counts": changes.counts(),
        "offers": {"previous": len(previous), "current": len(current)},
        "content_compared": changes.content_compared,
        "files": files,
        "computed_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
    }
