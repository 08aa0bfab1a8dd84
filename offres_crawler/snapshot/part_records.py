"""The (id key, dateActualisation) record of every row of a snapshot part, read back from the
file itself (framework-free).

A part's commit (extensions/snapshot.py) saves these records as the exporter wrote them. When
the file is rewritten afterwards (superseded rows dropped at the end of a run) and the run dies
before its commit is brought up to date, the file is the truth: a resumed run reads the records
back from it rather than trusting a commit that no longer describes it.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from offres_crawler.offers.id_store import NO_DATE, id_key
from offres_crawler.offers.validation import parse_datetime_us
from offres_crawler.snapshot.deltas import _batch_dates, _batch_keys


def parquet_records(path: Path) -> tuple[np.ndarray, np.ndarray]:
    keys, dates = [], []
    for batch in pq.ParquetFile(path).iter_batches(columns=["id", "dateActualisation"]):
        keys.append(_batch_keys(batch))
        dates.append(_batch_dates(batch))
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(keys), np.concatenate(dates)


def jsonl_records(path: Path) -> tuple[np.ndarray, np.ndarray]:
    keys, dates = [], []
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if compressed else open
    with opener(path, "rb") as lines:
        for line in lines:
            offer = json.loads(line)
            offer_id = offer.get("id") if isinstance(offer, dict) else None
            keys.append(id_key(offer_id) if type(offer_id) is str and offer_id else 0)
            date = parse_datetime_us(offer.get("dateActualisation")) if isinstance(offer, dict) else None
            dates.append(NO_DATE if date is None else date)
    return np.array(keys, dtype=np.uint64), np.array(dates, dtype=np.int64)


def part_records(path: Path, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """The records of the rows of `path`, a part in format `fmt` ("parquet" or "jsonl")."""
    return parquet_records(path) if fmt == "parquet" else jsonl_records(path)
