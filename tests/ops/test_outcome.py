"""An incomplete run never leaves its snapshot as the day's snapshot; the exit code and the log's
last line say how the run ended."""

from __future__ import annotations

import json
from pathlib import Path

from offres_crawler.extensions.snapshot_state import SnapshotState
from offres_crawler.ops.unpublish import take_back
from tests.ops.crawlproc import run_crawl, snapshot_ids, snapshot_settings

DAY = "2025-10-09"


def test_take_back_returns_a_published_snapshot_to_staging(tmp_path):
    jobdir = tmp_path / "job"
    state, resumed = SnapshotState.begin(tmp_path / "offres", jobdir, DAY)
    assert not resumed
    (state.staging_dir / "part-r01-00001.parquet").write_bytes(b"rows")
    (state.staging_dir / "_manifest.json").write_text(json.dumps({"complete": True}))
    published = state.publish()
    state.save(jobdir)

    staged = take_back(state, jobdir, "the run ended with exit code 3")
    assert not published.exists() and staged == state.staging_dir
    assert (staged / "part-r01-00001.parquet").read_bytes() == b"rows"
    manifest = json.loads((staged / "_manifest.json").read_text())
    assert manifest == {"complete": False, "taken_back": "the run ended with exit code 3"}
    again, resumed = SnapshotState.begin(tmp_path / "offres", jobdir, DAY)
    assert resumed and again.run == 2  # the next run with this JOBDIR resumes it


def test_a_run_with_a_failed_request_is_not_the_days_snapshot(sandbox_factory, tmp_path):
    """The root query fails for good once (its retries run out); the planner asks it again and
    collects every offer, but the run is flagged incomplete (exit code 3): its snapshot must not
    stand as the day's. The next run with the same JOBDIR completes and publishes it."""
    sb = sandbox_factory("--offers", "3000", "--seed", "6", "--rate-limit", "50")
    settings = snapshot_settings(tmp_path, DAY, JOBDIR=str(tmp_path / "job"),
                                 OFFRES_RETRY_TIMES="1", LOG_LEVEL="INFO")
    sb.control("faults", {"fail_next": [{"kind": "5xx", "count": 2}]})
    first = run_crawl(sb, tmp_path, settings, name="first")
    assert first.returncode == 3, first.log[-3000:]
    day = tmp_path / "offres" / f"snapshot_date={DAY}"
    staged = tmp_path / "offres" / "_staging" / f"snapshot_date={DAY}"
    assert not day.exists() and staged.is_dir()
    assert json.loads((staged / "_manifest.json").read_text())["complete"] is False
    assert first.verdict().startswith("OUTCOME: INCOMPLETE - 1 requests failed for good; "
                                      f"snapshot {DAY} left unpublished in {staged}")
    assert first.verdict().endswith("run it again with the same JOBDIR to resume (exit code 3)")
    assert "deltas: not computed: the snapshot was not published" in first.log

    second = run_crawl(sb, tmp_path, settings, name="second")
    assert second.returncode == 0, second.log[-3000:]
    assert second.verdict() == f"OUTCOME: COMPLETE - snapshot {DAY} published in {day} (exit code 0)"
    ids = snapshot_ids(day)
    assert len(ids) == len(set(ids)) and set(ids) == set(sb.control("alive")["ids"])
    assert json.loads((day / "_manifest.json").read_text())["crawl"]["runs"] == 2


def test_a_finished_crawl_without_a_published_snapshot_exits_incomplete(tmp_path):
    """Whatever the reason the snapshot stayed unpublished, a crawl that ended "finished"
    does not exit 0 (test spider of the feeds tests: `missing` sets offres/missing)."""
    from tests.feeds.feeds_crawl import run_crawl as feeds_crawl, write_offers
    from tests.ops.snapshots import market_offers

    source = write_offers(tmp_path / "offers.json", market_offers(50))
    run = feeds_crawl(tmp_path, "offers_file", args={"files": source, "missing": "3"},
                      settings={"OFFRES_SNAPSHOT": 1, "OFFRES_SNAPSHOT_DIR": str(tmp_path / "offres"),
                                "OFFRES_SNAPSHOT_DATE": DAY, "OFFRES_DELTAS_DIR": str(tmp_path / "deltas")})
    assert run.returncode == 3
    assert not Path(tmp_path / "offres" / f"snapshot_date={DAY}").exists()
    last = run.log.rstrip().splitlines()
    verdict = next(line for line in reversed(last) if "OUTCOME:" in line)
    assert "OUTCOME: INCOMPLETE - 3 offers missing; snapshot 2025-10-09 left unpublished" in verdict
