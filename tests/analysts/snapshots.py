"""Sandbox offers written to the snapshot layout (snapshot/state.py) without a
crawl: the Parquet feeds' schema and converter, and a manifest like the snapshot extension's."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.analysis import attribution
from offres_crawler.offers.arrow_rows import offers_to_batch
from offres_crawler.offers.arrow_schema import OFFRE_SCHEMA
from offres_crawler.sandbox.market import Market, MarketConfig
from offres_crawler.sandbox.query import Query

ANCHOR_MS = 1_760_000_000_000  # 2025-10-09: fixed, so the offers are the same on every run


def market_filtres(market: Market) -> list[dict]:
    """The market's filtresPossibles for an unfiltered search, as the API shapes them."""
    facets = market.search(Query(), market.anchor_ms).facets
    return [{"filtre": name, "agregation": [{"valeurPossible": v, "nbResultats": n} for v, n in values]}
            for name, values in facets.items()]


def sandbox_market(offers: int = 3000, seed: int = 8) -> Market:
    return Market(MarketConfig(offers=offers, seed=seed, anchor_ms=ANCHOR_MS))


def write_snapshot(root: Path, day: str, offers: list[dict], *, filtres: list[dict] | None = None,
                   part_rows: int = 1000, run: dict | None = None) -> Path:
    """`run`: more of the run report (requests, completeness, transport, duration_s, verdict, as
    offres_search writes them); its verdict is the manifest's too."""
    directory = root / f"snapshot_date={day}"
    directory.mkdir(parents=True)
    parts = []
    for number, start in enumerate(range(0, len(offers), part_rows), 1):
        batch, _ = offers_to_batch(offers[start:start + part_rows])
        name = f"part-r01-{number:05d}.parquet"
        pq.write_table(pa.Table.from_batches([batch], schema=OFFRE_SCHEMA), directory / name)
        parts.append({"file": name, "format": "parquet", "rows": batch.num_rows})
    last_update = max(o["dateActualisation"] for o in offers)
    manifest = {
        "snapshot_date": day, "complete": True, "last_update": last_update, "parts": parts,
        "source": {"name": attribution.SOURCE_NAME, "api": attribution.SOURCE_API,
                   "attribution": attribution.attribution(last_update)},
        "licence": {"name": attribution.LICENCE_NAME, "notes": attribution.LICENCE_NOTES},
        # the run report of offres_search (harvest/planner.py) keeps the root query's facets
        "run_report": {"root": {"total": len(offers), "filtresPossibles": filtres}} if filtres is not None else None,
    }
    if run:
        manifest["run_report"] = {**(manifest["run_report"] or {}), **run}
        manifest["verdict"] = run.get("verdict")
    (directory / "_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return directory
