"""Progress lines (collected / expected, %, requests, rate, ETA) and the end-of-run account."""

from __future__ import annotations

import re

import pytest

from offres_crawler.harvest.outcome import Outputs, summary_lines, verdict_line
from offres_crawler.harvest.progress_meter import ProgressMeter, format_duration, format_progress
from offres_crawler.harvest.verdict import HarvestFacts, RunFacts, decide
from tests.ops.crawlproc import run_crawl


def test_rate_and_eta_follow_the_recent_pace():
    meter = ProgressMeter(window_s=10)
    assert meter.observe(0.0, 0, None, 0).rate is None
    p = meter.observe(5.0, 500, 10_000, 10)
    assert p.rate == 100.0 and p.request_rate == 2.0 and p.eta_s == pytest.approx(95.0)
    assert p.percent == 5.0
    # the pace halves: after a full window the rate is the new pace, not the average
    meter.observe(10.0, 1000, 10_000, 20)
    meter.observe(20.0, 1500, 10_000, 30)
    p = meter.observe(30.0, 2000, 10_000, 40)
    assert p.rate == pytest.approx(50.0) and p.eta_s == pytest.approx(160.0)
    done = meter.observe(31.0, 10_000, 10_000, 99)
    assert done.eta_s == 0.0 and done.percent == 100.0


def test_unknown_total_and_no_progress():
    meter = ProgressMeter()
    meter.observe(0.0, 0, 0, 0)
    p = meter.observe(1.0, 0, 0, 1)
    assert p.expected is None and p.percent is None and p.eta_s is None and p.rate == 0.0
    assert format_progress(p) == "Progress: 0 / ? offers (? %), 1 requests, 0.0 offers/s, 1.00 req/s, ETA ?"


def test_formats():
    assert [format_duration(s) for s in (None, 6.25, 65, 3723)] == ["?", "6.2s", "1m05s", "1h02m03s"]
    p = ProgressMeter().observe(0.0, 123_450, 512_004, 845)
    assert format_progress(p) == ("Progress: 123,450 / 512,004 offers (24.1 %), 845 requests, "
                                  "? offers/s, ? req/s, ETA ?")


STATS = {"finish_reason": "finished", "offres/collected": 3000, "offres/expected": 3000,
         "offres/missing": 0, "item_scraped_count": 3000, "downloader/request_count": 24,
         "offres/token/requests": 2, "offres/token/fetched": 2, "offres/retry/count": 3,
         "offres/429": 1, "offres/rejects/count": 4, "offres/dedup/duplicates": 155,
         "offres/search/lower_bound": 20, "elapsed_time_seconds": 75.0}


def _harvest(missing: int = 0) -> HarvestFacts:
    return HarvestFacts(done=True, fatal=None, expected=3000, collected=3000 - missing,
                        missing=missing, requests=22)


def test_summary_and_verdict_of_a_complete_snapshot():
    facts = Outputs(snapshot_date="2025-10-09", snapshot_published="/d/offres/snapshot_date=2025-10-09",
                    report="/d/reports/r.json", rejects="/d/offres/snapshot_date=2025-10-09/_rejects/",
                    verdict_file="/d/jobs/j/offres_verdict.json",
                    deltas={"previous_snapshot_date": "2025-10-08", "directory": "/d/deltas/x",
                            "counts": {"created": 5, "updated": 2, "withdrawn": 7}})
    assert summary_lines(STATS, facts) == [
        "offers: 3,000 collected of 3,000 reported (100.0 %), 0 missing, 3,000 items written, "
        "4 rejected, 155 duplicates dropped",
        "requests: 22 to the API, 3 retries, 1 answered 429, 0 failed for good, tokens fetched: 2 "
        "(lower bound 20 search requests)",
        "duration: 1m15s, finish reason finished",
        "snapshot: /d/offres/snapshot_date=2025-10-09",
        "deltas since 2025-10-08: 5 created, 2 updated, 7 withdrawn in /d/deltas/x",
        "run report: /d/reports/r.json",
        "verdict: /d/jobs/j/offres_verdict.json",
        "rejects: /d/offres/snapshot_date=2025-10-09/_rejects/"]
    verdict = decide(RunFacts("finished", harvest=_harvest()))
    assert verdict.complete
    assert verdict_line(verdict, facts) == (
        "OUTCOME: COMPLETE - snapshot 2025-10-09 published in /d/offres/snapshot_date=2025-10-09 "
        "(exit code 0)")


def test_verdicts_of_runs_that_are_not_complete():
    staged = Outputs(snapshot_date="2025-10-09", snapshot_staging="/d/offres/_staging/snapshot_date=2025-10-09")
    assert verdict_line(decide(RunFacts("finished", harvest=_harvest(12))), staged) == (
        "OUTCOME: INCOMPLETE - 12 offers missing; snapshot 2025-10-09 left unpublished in "
        "/d/offres/_staging/snapshot_date=2025-10-09; run it again with the same JOBDIR to resume "
        "(exit code 3)")
    plain = Outputs()
    assert verdict_line(decide(RunFacts("offres_auth_failed")), plain) == (
        "OUTCOME: FAILED - the crawl stopped early (finish reason offres_auth_failed) (exit code 1)")
    failed = decide(RunFacts("finished", failures={"http_503": 2}))
    assert verdict_line(failed, plain) == (
        "OUTCOME: INCOMPLETE - 2 requests failed for good (exit code 3)")
    assert verdict_line(decide(RunFacts("finished", harvest=_harvest())), plain) == (
        "OUTCOME: COMPLETE - every offer reported by the API was collected (exit code 0)")
    assert verdict_line(decide(RunFacts("finished")), plain) == (
        "OUTCOME: COMPLETE - every request was answered, nothing is missing (exit code 0)")


def test_a_crawl_logs_its_progress_and_its_outcome(sandbox_factory, tmp_path):
    sb = sandbox_factory("--offers", "3000", "--seed", "2", "--rate-limit", "50")
    feed = tmp_path / "offres.jsonl"
    crawl = run_crawl(sb, tmp_path, {"OFFRES_RATE_LIMIT": "12", "OFFRES_PROGRESS_INTERVAL": "0.3",
                                     "FEEDS": f'{{"{feed}": {{"format": "jsonl"}}}}',
                                     "OFFRES_SEARCH_REPORT": str(tmp_path / "report.json"),
                                     "LOG_LEVEL": "INFO"}, name="plain")
    assert crawl.returncode == 0, crawl.log[-2000:]
    lines = re.findall(r"Progress: ([\d,]+) / ([\d,?]+) offers \(([\d.?]+) %\), ([\d,]+) requests, "
                       r"([\d.?]+) offers/s, ([\d.?]+) req/s, ETA (\S+)", crawl.log)
    assert len(lines) >= 3
    collected = [int(c.replace(",", "")) for c, *_ in lines]
    assert collected == sorted(collected) and collected[-1] > 0
    known = [line for line in lines if line[1] != "?"]
    assert known and all(int(line[1].replace(",", "")) == 3000 for line in known)
    requests = [int(line[3].replace(",", "")) for line in lines]
    assert requests == sorted(requests) and 0 < requests[-1] <= 24
    summary = crawl.log[crawl.log.index("Run summary:"):]
    assert "offers: 3,000 collected of 3,000 reported (100.0 %), 0 missing" in summary
    assert f"run report: {tmp_path / 'report.json'}" in summary and f"feed: {feed}" in summary
    assert crawl.log.rstrip().splitlines()[-1].endswith(  # the log's last line
        "OUTCOME: COMPLETE - every offer reported by the API was collected (exit code 0)")
