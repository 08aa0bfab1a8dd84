"""Build published snapshots on disk for the deltas tests, in the layout the Snapshot extension
writes (parts of Parquet, `_manifest.json` saying complete)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.offers.arrow_rows import offers_to_batch
from offres_crawler.sandbox.market import Market, MarketConfig

ANCHOR_MS = 1_760_000_000_000  # fixed, so the offers are the same on every run


def market_offers(n: int, seed: int = 7) -> list[dict]:
    market = Market(MarketConfig(offers=n, seed=seed, anchor_ms=ANCHOR_MS))
    return market.offers(list(range(market.n)))


def write_snapshot(root: Path, day: str, offers: list[dict], *, part_rows: int = 400,
                   row_group_rows: int = 150, complete: bool = True) -> Path:
    directory = root / f"snapshot_date={day}"
    directory.mkdir(parents=True)
    parts = []
    for number, start in enumerate(range(0, max(len(offers), 1), part_rows), 1):
        batch, _ = offers_to_batch(offers[start:start + part_rows])
        name = f"part-r01-{number:05d}.parquet"
        pq.write_table(pa.Table.from_batches([batch]), directory / name, row_group_size=row_group_rows)
        parts.append({"file": name, "format": "parquet", "rows": batch.num_rows})
    (directory / "_manifest.json").write_text(json.dumps(
        {"snapshot_date": day, "complete": complete, "parts": parts}))
    return directory


def touched(offer: dict, **changes) -> dict:
    """A copy of `offer` with some keys changed."""
    out = copy.deepcopy(offer)
    out.update(changes)
    return out
