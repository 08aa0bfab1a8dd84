"""Fresh offers between snapshots (OFFRES_SINCE=latest) against a live sandbox market where
offers keep appearing and going: nothing alive is missed between the snapshot and the fresh
harvest, nothing older than the snapshot's frozen instant comes, the verdict is the same, and
the cost is close to one request per 150 new offers. Also the daily history of that snapshot."""

from __future__ import annotations

import json
import math
import time

import pyarrow.parquet as pq

from offres_crawler.harvest.dates import epoch_to_param, timestamp_second
from offres_crawler.snapshot.fresh import frozen_instant, label
from tests.ops.crawlproc import run_crawl, snapshot_ids, snapshot_settings

DAY = "2025-10-09"


def _alive(sb, at_ms: int) -> set[str]:
    return set(sb.control(f"alive?at={at_ms}")["ids"])


def _fresh_settings(work, **more) -> dict[str, str]:
    return {"OFFRES_SINCE": "latest", "OFFRES_SNAPSHOT_DIR": str(work / "offres"),
            "OFFRES_SEARCH_REPORT": str(work / "reports" / "fresh_%(time)s.json"),
            "OFFRES_RATE_LIMIT": "40", "OFFRES_PROGRESS_INTERVAL": "0.5", **more}


def test_fresh_offers_since_the_latest_snapshot(sandbox_factory, tmp_path):
    sb = sandbox_factory("--offers", "3000", "--seed", "21", "--rate-limit", "50",
                         "--churn-new", "60", "--churn-withdrawn", "4")
    # nothing published yet: refused before any request, nothing written
    refused = run_crawl(sb, tmp_path, _fresh_settings(tmp_path), name="refused")
    assert refused.returncode == 1
    assert "OFFRES_SINCE=latest: no published snapshot in" in refused.log
    assert "offres/search/requests" not in refused.log and not (tmp_path / "offres").exists()

    snapshot = run_crawl(sb, tmp_path, snapshot_settings(tmp_path, DAY), name="snapshot")
    assert snapshot.returncode == 0, snapshot.log[-3000:]
    published = tmp_path / "offres" / f"snapshot_date={DAY}"
    manifest = json.loads((published / "_manifest.json").read_text())
    instant = frozen_instant(manifest)
    in_snapshot = set(snapshot_ids(published))
    # the history of the day was written after the deltas (the first snapshot: every offer new)
    assert manifest["history"]["applied"] == [DAY]
    assert manifest["history"]["totals"]["online"] == len(in_snapshot)
    assert "history: 2025-10-09 applied;" in snapshot.log

    time.sleep(6)  # about 360 new offers
    before = sb.stats()["now_ms"]
    fresh = run_crawl(sb, tmp_path, _fresh_settings(tmp_path), name="fresh")
    after = sb.stats()["now_ms"]
    assert fresh.returncode == 0, fresh.log[-3000:]
    directory = tmp_path / "offres" / "_fresh" / f"since={label(instant)}"
    assert f"published in {directory}" in fresh.verdict()
    rows = [r for p in sorted(directory.glob("part-*.parquet"))
            for r in pq.read_table(p, columns=["id", "dateCreation"]).to_pylist()]
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows)
    # only offers created after the snapshot's frozen instant (that second itself may come again)
    assert min(timestamp_second(r["dateCreation"].isoformat()) for r in rows) >= instant
    # no gap: what was alive throughout the fresh harvest is in the snapshot or in it
    throughout = _alive(sb, before) & _alive(sb, after)
    assert throughout - in_snapshot <= ids
    assert len(ids - in_snapshot) > 150  # the test means something: more than a page of new offers
    # the fresh harvest's own manifest: since, the snapshot it follows, until
    fresh_manifest = json.loads((directory / "_manifest.json").read_text())
    assert fresh_manifest["complete"] is True
    assert fresh_manifest["fresh"]["since"] == epoch_to_param(instant)
    assert fresh_manifest["fresh"]["snapshot_date"] == DAY
    assert fresh_manifest["fresh"]["until"] > fresh_manifest["fresh"]["since"]
    assert "deltas" not in fresh_manifest and "history" not in fresh_manifest
    # the cost: close to one request per 150 new offers (+ the root and the two origine heads, and
    # one page more when each of the two origine passes ends on a partial page), beside the two
    # independent counts the verdict checks the totals with (harvest/counts.py)
    requests = fresh_manifest["stats"]["offres/search/requests"]
    counts = fresh_manifest["run_report"]["requests"]["by_purpose"].get("count", 0)
    assert counts <= 2
    assert requests - counts <= math.ceil(len(ids) / 150) + 4, (requests, counts, len(ids))
    print(f"\nfresh harvest: {len(ids)} offers in {requests} requests "
          f"(lower bound {math.ceil(len(ids) / 150)})")
    # the snapshots' readers do not see it
    assert [p.name for p in (tmp_path / "offres").iterdir() if not p.name.startswith("_")] == [f"snapshot_date={DAY}"]
