"""One verdict: the exit code, the run report, the snapshot manifest, the `offres/outcome` stat,
the verdict file and the log's OUTCOME line always agree; a snapshot is published only when the
run is complete, and an incomplete one is never published, not even for a moment; in the
snapshot layout the snapshot is the feed (no JSONL beside it unless the user asks with -O)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from tests.ops.crawlproc import Crawl, Sighting, run_crawl, snapshot_ids, snapshot_settings

DAY = "2025-10-09"
WORDS = {0: "COMPLETE", 1: "FAILED", 3: "INCOMPLETE"}
STATUS = {0: "complete", 1: "failed", 3: "incomplete"}


def _paths(tmp_path: Path) -> tuple[Path, Path]:
    return (tmp_path / "offres" / f"snapshot_date={DAY}",
            tmp_path / "offres" / "_staging" / f"snapshot_date={DAY}")


def _settings(tmp_path: Path, name: str, **more: str) -> dict[str, str]:
    return snapshot_settings(tmp_path, DAY, JOBDIR=str(tmp_path / "job"),
                             OFFRES_SEARCH_REPORT=str(tmp_path / "reports" / f"{name}.json"), **more)


def _assert_one_verdict(run: Crawl, tmp_path: Path, name: str, code: int) -> dict:
    """Every account of the run says the same; returns the verdict."""
    published, staged = _paths(tmp_path)
    report = json.loads((tmp_path / "reports" / f"{name}.json").read_text("utf-8"))
    manifest = json.loads(((published if code == 0 else staged) / "_manifest.json").read_text("utf-8"))
    verdict_file = json.loads((tmp_path / "job" / "offres_verdict.json").read_text("utf-8"))
    verdict = report["verdict"]
    assert run.returncode == code, run.log[-3000:]
    assert verdict["exit_code"] == code and verdict["status"] == STATUS[code]
    assert report["complete"] is manifest["complete"] is verdict["complete"] is (code == 0)
    assert manifest["verdict"] == verdict_file["verdict"] == verdict
    assert manifest["stats"]["offres/outcome"] == STATUS[code]
    assert manifest["stats"]["offres/exit_code"] == code
    assert verdict_file["snapshot"] == {"date": DAY, "published": str(published) if code == 0 else None,
                                        "staging": None if code == 0 else str(staged)}
    assert run.verdict().startswith(f"OUTCOME: {WORDS[code]} - ")
    assert run.verdict().endswith(f"(exit code {code})")
    assert run.log.rstrip().splitlines()[-1].endswith(run.verdict())  # the log's last line
    return verdict


def _jsonl_outside_the_snapshots(tmp_path: Path) -> list[Path]:
    snapshots = tmp_path / "offres"
    return sorted(p for p in tmp_path.rglob("*.jsonl*") if snapshots not in p.parents) + \
        sorted(tmp_path.rglob("*.jl"))


def test_the_watch_sees_a_directory_that_exists_for_a_moment(tmp_path):
    """What "never published, not even for a moment" is checked with: a publication taken back
    20 ms later is seen."""
    published = tmp_path / "snapshot"
    with Sighting(published) as seen:
        time.sleep(0.02)
        published.mkdir()
        time.sleep(0.02)
        published.rename(tmp_path / "staged")
        time.sleep(0.02)
    assert seen.times >= 1


def test_a_complete_snapshot_with_the_users_own_feed_beside_it(sandbox_factory, tmp_path):
    sb = sandbox_factory("--offers", "3000", "--seed", "6", "--rate-limit", "50")
    mine = tmp_path / "mine.jsonl"
    run = run_crawl(sb, tmp_path, _settings(tmp_path, "complete"), name="complete",
                    options=("-O", str(mine)))
    verdict = _assert_one_verdict(run, tmp_path, "complete", 0)
    assert verdict["reasons"] == [] and verdict["counts"]["missing"] == 0
    published, staged = _paths(tmp_path)
    assert not staged.exists()
    ids = snapshot_ids(published)
    assert len(ids) == len(set(ids)) and set(ids) == set(sb.control("alive")["ids"])
    assert run.verdict() == f"OUTCOME: COMPLETE - snapshot {DAY} published in {published} (exit code 0)"
    # the user's -O is written beside the snapshot, with the same offers; nothing else
    assert sorted(json.loads(line)["id"] for line in mine.read_text("utf-8").splitlines()) == sorted(ids)
    assert _jsonl_outside_the_snapshots(tmp_path) == [mine]


def test_an_incomplete_snapshot_is_never_published_then_resumes(sandbox_factory, tmp_path):
    """The root query fails for good once (its retries run out); the planner asks it again and
    collects every offer, but a request failed for good: the run is incomplete (exit code 3) and
    its snapshot never appears as the day's, not even for a moment. The next run with the same
    JOBDIR completes and publishes it."""
    sb = sandbox_factory("--offers", "3000", "--seed", "6", "--rate-limit", "50")
    published, staged = _paths(tmp_path)
    sb.control("faults", {"fail_next": [{"kind": "5xx", "count": 2}]})
    with Sighting(published) as seen:
        first = run_crawl(sb, tmp_path, _settings(tmp_path, "first", OFFRES_RETRY_TIMES="1",
                                                  LOG_LEVEL="INFO"), name="first")
    assert seen.times == 0 and seen.checks > 1000
    verdict = _assert_one_verdict(first, tmp_path, "first", 3)
    [reason] = verdict["reasons"]
    assert (reason["code"], reason["count"]) == ("requests_failed", 1)
    assert re.fullmatch(r"http_5\d\d: 1", "".join(reason["details"]))
    assert staged.is_dir() and not published.exists()
    assert first.verdict() == (f"OUTCOME: INCOMPLETE - 1 requests failed for good; snapshot {DAY} "
                               f"left unpublished in {staged}; run it again with the same JOBDIR "
                               f"to resume (exit code 3)")
    assert "deltas: not computed: the snapshot was not published" in first.log
    assert "taken back" not in first.log
    assert _jsonl_outside_the_snapshots(tmp_path) == []  # the snapshot is the feed
    assert not (tmp_path / "output").exists()

    second = run_crawl(sb, tmp_path, _settings(tmp_path, "second"), name="second")
    _assert_one_verdict(second, tmp_path, "second", 0)
    assert second.verdict() == f"OUTCOME: COMPLETE - snapshot {DAY} published in {published} (exit code 0)"
    ids = snapshot_ids(published)
    assert len(ids) == len(set(ids)) and set(ids) == set(sb.control("alive")["ids"])
    assert json.loads((published / "_manifest.json").read_text())["crawl"]["runs"] == 2


def test_a_failed_snapshot_run_is_never_published(sandbox_factory, tmp_path):
    """Every answer a 503: the first search cannot be read, the crawl stops (exit code 1)."""
    sb = sandbox_factory("--offers", "3000", "--seed", "6", "--rate-limit", "50")
    sb.control("faults", {"fault_5xx": 1.0})
    published, staged = _paths(tmp_path)
    with Sighting(published) as seen:
        run = run_crawl(sb, tmp_path, _settings(tmp_path, "failed", OFFRES_RETRY_TIMES="1"),
                        name="failed")
    assert seen.times == 0
    verdict = _assert_one_verdict(run, tmp_path, "failed", 1)
    assert verdict["finish_reason"] == "offres_search_failed"
    assert [r["code"] for r in verdict["reasons"]] == ["not_finished", "harvest_failed", "requests_failed"]
    assert staged.is_dir() and not published.exists()
    assert f"snapshot {DAY} left unpublished in {staged}" in run.verdict()


def test_a_finished_crawl_with_offers_missing_exits_incomplete(tmp_path):
    """Whatever spider reports missing offers, a crawl that ended "finished" does not exit 0 and
    its snapshot is not published (test spider of the feeds tests: `missing` tells a ledger with
    offers missing)."""
    from tests.feeds.feeds_crawl import run_crawl as feeds_crawl
    from tests.feeds.feeds_crawl import write_offers
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
