"""SnapshotState: fresh and resumed runs, crash recovery of parts, publication."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from offres_crawler.snapshot.state import SnapshotState

NOW = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)


def test_a_fresh_snapshot_takes_the_utc_date_and_an_empty_staging_dir(tmp_path):
    leftover = tmp_path / "offres" / "_staging" / "snapshot_date=2026-03-01" / "part-r01-00001.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"unfinished")
    state, resumed = SnapshotState.begin(tmp_path / "offres", tmp_path / "job", None, now=NOW)
    assert (resumed, state.snapshot_date, state.run) == (False, "2026-03-01", 1)
    assert not leftover.exists() and state.in_progress_dir.is_dir()
    assert state.uri_params() == {"offres_snapshot_date": "2026-03-01", "offres_run": "01",
                                  "offres_snapshot_dir": str(state.staging_dir)}


def test_a_resumed_snapshot_keeps_its_date_and_counts_runs(tmp_path):
    SnapshotState.begin(tmp_path / "offres", tmp_path / "job", None, now=NOW)
    later = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # past midnight: same snapshot
    state, resumed = SnapshotState.begin(tmp_path / "offres", tmp_path / "job", None, now=later)
    assert (resumed, state.snapshot_date, state.run) == (True, "2026-03-01", 2)
    with pytest.raises(ValueError, match="unfinished snapshot of 2026-03-01"):
        SnapshotState.begin(tmp_path / "offres", tmp_path / "job", "2026-03-02")
    with pytest.raises(ValueError):
        SnapshotState.begin(tmp_path / "other", None, "2026-02-30")


def test_recovery_keeps_committed_parts_only(tmp_path):
    state, _ = SnapshotState.begin(tmp_path / "offres", None, "2026-03-01")
    for name in ("part-r01-00001.parquet", "part-r01-00001.jsonl.gz", "part-r01-00002.parquet"):
        (state.in_progress_dir / name).write_bytes(b"x")
    moved, deleted = state.recover_in_progress({"part-r01-00001"})
    assert sorted(p.name for p in moved) == ["part-r01-00001.jsonl.gz", "part-r01-00001.parquet"]
    assert [p.name for p in deleted] == ["part-r01-00002.parquet"]
    assert sorted(p.name for p in state.staging_dir.iterdir()) == [
        "_inprogress", "part-r01-00001.jsonl.gz", "part-r01-00001.parquet"]
    assert list(state.in_progress_dir.iterdir()) == []


def test_publishing_replaces_the_snapshot_of_the_same_date(tmp_path):
    root = tmp_path / "offres"
    old = root / "snapshot_date=2026-03-01"
    old.mkdir(parents=True)
    (old / "part-r01-00001.parquet").write_bytes(b"old")
    state, _ = SnapshotState.begin(root, tmp_path / "job", "2026-03-01")
    (state.staging_dir / "part-r01-00001.parquet").write_bytes(b"new")
    assert state.publish() == old
    assert (old / "part-r01-00001.parquet").read_bytes() == b"new"
    assert sorted(p.name for p in root.iterdir()) == ["snapshot_date=2026-03-01"]
    assert state.status == "published"


def test_a_crash_right_after_publishing_is_resumed_not_lost(tmp_path):
    state, _ = SnapshotState.begin(tmp_path / "offres", tmp_path / "job", "2026-03-01")
    (state.staging_dir / "part-r01-00001.parquet").write_bytes(b"rows")
    state.publish()  # ... and killed before the state says "published"
    resumed, was_resumed = SnapshotState.begin(tmp_path / "offres", tmp_path / "job", None)
    assert was_resumed and resumed.run == 2
    assert (resumed.staging_dir / "part-r01-00001.parquet").read_bytes() == b"rows"
    assert not resumed.published_dir.exists()
