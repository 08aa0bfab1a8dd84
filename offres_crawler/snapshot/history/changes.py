"""What changed from one published snapshot to the next, as the history consumes it.

The daily deltas (snapshot/deltas_writer.py) are the source when they compare exactly these two
snapshots and were computed after the current one was published. Otherwise (deltas switched
off or failed, a snapshot published out of order, so that the deltas on disk compare another
pair) the two snapshots are compared here, in memory, the way the deltas are (snapshot/deltas.py).
Either way only the columns the history keeps are read (history/records.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.files import read_json
from offres_crawler.snapshot.deltas import compare, index_files, select_rows
from offres_crawler.snapshot.deltas_layout import partition, publication, snapshot_files
from offres_crawler.snapshot.deltas_writer import DELTAS_MANIFEST
from offres_crawler.snapshot.history.records import OFFER_COLUMNS, OfferReader

logger = logging.getLogger(__name__)


@dataclass
class DayChanges:
    day: str
    previous: str
    created: pa.Table  # offer rows (OFFER_COLUMNS), their copy in `day`'s snapshot
    updated: pa.Table
    withdrawn: np.ndarray  # id keys, sorted
    source: str  # "deltas" | "compared"


def _columns(path: Path) -> list[str]:
    names = pq.read_schema(path).names
    return [c for c in OFFER_COLUMNS if c in names]


def _read(path: Path) -> pa.Table:
    return pq.read_table(path, columns=_columns(path))


def fingerprint(directory: Path) -> dict[str, Any]:
    """What tells one publication of a snapshot from another of the same date."""
    return publication(directory)


def _usable_deltas(deltas_root: Path, day: str, previous: str, snapshots: dict[str, Path]) -> Path | None:
    """The deltas of `day` if they compare the two snapshots as published now: the same dates,
    computed after both were published (a snapshot published again after them, the day's or the
    previous one, makes them stale), of snapshots holding the offers they hold now."""
    directory = deltas_root / partition(day)
    try:
        saved = read_json(directory / DELTAS_MANIFEST)
    except (OSError, ValueError):
        return None
    if saved.get("previous_snapshot_date") != previous or saved.get("snapshot_date") != day:
        logger.warning("History: the deltas of %s compare it with %s, not %s: comparing the "
                       "snapshots instead (`offres-crawler deltas --date %s` writes them again)",
                       day, saved.get("previous_snapshot_date"), previous, day)
        return None
    computed = saved.get("computed_at")
    compared = saved.get("snapshots") if isinstance(saved.get("snapshots"), dict) else None
    for which, name in ((day, "current"), (previous, "previous")):
        published = fingerprint(snapshots[which])
        if compared is not None:  # the publications the deltas compared, as their writer recorded them
            stale = compared.get(name) != published
        else:  # deltas written before they recorded them: by the clock
            stale = bool(published.get("finished_at") and computed and computed < published["finished_at"])
        if stale:
            logger.warning("History: the deltas of %s compare another publication of the snapshot of "
                           "%s than the one published now: comparing the snapshots instead", day, which)
            return None
    return directory


def day_changes(reader: OfferReader, snapshots: dict[str, Path], deltas_root: Path | None,
                day: str, previous: str) -> DayChanges:
    """The changes from the published snapshot `previous` to `day`'s."""
    directory = None if deltas_root is None else _usable_deltas(deltas_root, day, previous, snapshots)
    if directory is not None:
        withdrawn = pq.read_table(directory / "withdrawn.parquet", columns=["id"])
        return DayChanges(day, previous, _read(directory / "created.parquet"),
                          _read(directory / "updated.parquet"), np.sort(reader.keys(withdrawn)), "deltas")
    previous_files, current_files = snapshot_files(snapshots[previous]), snapshot_files(snapshots[day])
    previous_index, current_index = index_files(previous_files), index_files(current_files)
    found = compare(previous_index, current_index)
    del previous_index

    def rows(keys: np.ndarray) -> pa.Table:
        tables = [t.select(_columns(current_files[0])) for t in select_rows(current_files, current_index, keys)]
        return pa.concat_tables(tables) if tables else _read(current_files[0]).slice(0, 0)

    return DayChanges(day, previous, rows(found.created), rows(found.updated), found.withdrawn, "compared")


def first_snapshot(directory: Path) -> pa.Table:
    """Every offer of the snapshot the history starts from."""
    files = snapshot_files(directory)
    if not files:
        raise FileNotFoundError(f"no Parquet parts in {directory}")
    return pa.concat_tables(_read(path) for path in files)
