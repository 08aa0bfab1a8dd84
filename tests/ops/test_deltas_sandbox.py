"""Deltas between two snapshots of a live sandbox market (offers appear and are withdrawn all the
time) against the sandbox's own record of which offers were alive when."""

from __future__ import annotations

import gzip
import json
import time

import pyarrow.parquet as pq

from tests.ops.crawlproc import run_crawl, snapshot_ids, snapshot_settings


def _alive(sb, at_ms: int) -> set[str]:
    return set(sb.control(f"alive?at={at_ms}")["ids"])


def _snapshot(sb, work, day):
    before = sb.stats()["now_ms"]
    crawl = run_crawl(sb, work, snapshot_settings(work, day, JOBDIR=str(work / f"job-{day}")), name=day)
    after = sb.stats()["now_ms"]
    assert crawl.returncode == 0, crawl.log[-3000:]
    ids = snapshot_ids(work / "offres" / f"snapshot_date={day}")
    assert len(ids) == len(set(ids))
    # alive during the whole crawl: certainly in the snapshot (nothing else is certain)
    throughout = _alive(sb, before) & _alive(sb, after)
    assert throughout <= set(ids)
    return set(ids), before, after, throughout, crawl


def _jsonl_ids(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {json.loads(line)["id"] for line in f}


def test_deltas_match_the_sandbox_record(sandbox_factory, tmp_path):
    sb = sandbox_factory("--offers", "3000", "--seed", "12", "--rate-limit", "50",
                         "--churn-new", "8", "--churn-withdrawn", "8")
    first, _, first_end, first_throughout, _ = _snapshot(sb, tmp_path, "2025-10-09")
    time.sleep(2.5)  # churn between the two snapshots
    second, second_start, _, second_throughout, crawl = _snapshot(sb, tmp_path, "2025-10-10")

    day = tmp_path / "deltas" / "snapshot_date=2025-10-10"
    saved = json.loads((day / "_deltas.json").read_text(encoding="utf-8"))
    created = set(pq.read_table(day / "created.parquet", columns=["id"]).column("id").to_pylist())
    withdrawn = set(pq.read_table(day / "withdrawn.parquet", columns=["id"]).column("id").to_pylist())
    assert _jsonl_ids(day / "created.jsonl.gz") == created
    assert _jsonl_ids(day / "withdrawn.jsonl.gz") == withdrawn

    # the deltas are the difference of the two snapshots ...
    assert created == second - first and withdrawn == first - second
    # ... and the offers the sandbox never changed are not "updated" (digests are stable)
    assert saved["counts"] == {"created": len(created), "updated": 0, "withdrawn": len(withdrawn),
                               "unchanged": len(first & second), "updated_dateActualisation": 0,
                               "updated_content_only": 0}
    # against the sandbox's record: what appeared after the first snapshot and stayed through
    # the second was created; what was there throughout the first and gone before the second
    # started was withdrawn; nothing alive throughout both snapshots is in either
    appeared = second_throughout - _alive(sb, first_end)
    gone = first_throughout - _alive(sb, second_start)
    assert appeared and gone
    assert appeared <= created and gone <= withdrawn
    assert not created & first_throughout and not withdrawn & second_throughout

    # the counts are in the manifest, the run report and the log
    manifest = json.loads((tmp_path / "offres" / "snapshot_date=2025-10-10" / "_manifest.json").read_text())
    assert manifest["deltas"]["counts"] == saved["counts"]
    (report,) = (tmp_path / "reports").glob("2025-10-10_*.json")
    assert json.loads(report.read_text())["deltas"]["counts"] == saved["counts"]
    assert (f"deltas since 2025-10-09: {len(created):,} created, 0 updated, {len(withdrawn):,} "
            f"withdrawn") in crawl.log

    # the history was brought up to date after the deltas, from them, by the crawl itself
    assert manifest["history"]["applied"] == ["2025-10-10"]
    assert manifest["history"]["totals"] == {"records": len(first | second), "online": len(second),
                                             "withdrawn": len(withdrawn)}
    state = json.loads((tmp_path / "offres_history" / "current" / "_history.json").read_text())
    (entry,) = [a for a in state["applied"] if a["date"] == "2025-10-10"]
    assert entry["source"] == "deltas" and entry["previous"] == "2025-10-09"
    assert (entry["counts"]["created"], entry["counts"]["withdrawn"]) == (len(created), len(withdrawn))
    records = {r["id"]: r for r in pq.read_table(tmp_path / "offres_history" / "current" / "offers").to_pylist()}
    assert set(records) == first | second
    assert {i for i, r in records.items() if r["withdrawn_on"] is not None} == withdrawn
    assert {i for i, r in records.items() if r["first_seen"].isoformat() == "2025-10-10"} == created
    assert "history: 2025-10-10 applied;" in crawl.log
