"""The rate limit against the sandbox, judged by the sandbox's own sliding-window counters.

Small search windows keep the sandbox's own work per request tiny, so what is measured is the
crawler's pace (bench/rate_bench.py measures the full 150-offer pages over 60 s).
"""

from __future__ import annotations

from tests.crawler.transport_crawl import run_probe, search_statuses


def _api_sends(run) -> list[dict]:
    return sorted((s for s in run.sends if "/v2/" in s["url"]), key=lambda s: s["sent"])


def test_rate_is_held_with_latencies_from_100_to_800_ms(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5", "--latency", "100-800")
    run = run_probe(sandbox, tmp_path, "-a", "duration=9", "-a", "window=20")
    assert run.returncode == 0, run.stderr[-2000:]
    stats = sandbox.stats()
    assert stats["rate_limited"] == 0
    assert stats["max_requests_per_second"] == {sandbox.client_id: 3}  # reached, never exceeded
    sends = [s["sent"] for s in _api_sends(run)]
    assert len(sends) == sum(search_statuses(sandbox).values()) == len(run.items)
    # the pace is saturated all along: requests wait their turn, latency never idles it
    achieved = (len(sends) - 1) / (sends[-1] - sends[0])
    assert achieved >= 0.95 * 3, achieved
    assert max(s["received"] - s["sent"] for s in _api_sends(run)) >= 0.5  # latency was real


def test_retry_after_pauses_every_api_request_then_retries(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5")
    sandbox.control("faults", {"fail_next": [{"kind": "429", "count": 1}]})
    run = run_probe(sandbox, tmp_path, "-a", "requests=6", "-a", "window=20")
    assert run.returncode == 0, run.stderr[-2000:]
    assert sorted(item["n"] for item in run.items) == list(range(6))
    assert run.stats["offres/429"] == 1
    assert sandbox.stats()["rate_limited"] == 1
    limited = [s for s in _api_sends(run) if s["retry_after"]]
    assert len(limited) == 1
    retry_after = float(limited[0]["retry_after"])
    answered = limited[0]["received"]
    later = [s["sent"] for s in _api_sends(run) if s["sent"] > answered + 0.02]
    assert later, "nothing was sent after the 429"
    assert min(later) >= answered + retry_after  # the whole pace waited Retry-After
    # the retry waited for the end of the pause in the scheduler, not in the downloader
    assert run.stats["offres/scheduler/delayed"] == 1


def test_the_announced_capacity_is_not_followed_by_default(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5", "--rate-limit", "5")
    run = run_probe(sandbox, tmp_path, "-a", "requests=12", "-a", "window=20")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stats["offres/ratelimit/capacity"] == 5
    assert sandbox.stats()["max_requests_per_second"] == {sandbox.client_id: 3}


def test_following_the_announced_capacity_when_asked(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5", "--rate-limit", "5")
    run = run_probe(sandbox, tmp_path, "-a", "requests=16", "-a", "window=20",
                    settings={"OFFRES_FOLLOW_RATELIMIT_HEADERS": "True"})
    assert run.returncode == 0, run.stderr[-2000:]
    stats = sandbox.stats()
    assert stats["rate_limited"] == 0
    assert stats["max_requests_per_second"] == {sandbox.client_id: 5}
    assert "Following the rate limit the API announces: 5 requests/s (was 3)" in run.log
