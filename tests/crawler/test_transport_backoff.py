"""Retries wait out their backoff in the scheduler, not in the downloader (transport/scheduler.py).

Send and answer times come from the probe's record (monotonic clock, which Linux shares between
processes, so two runs of a resumed crawl can be compared); what the sandbox answered from its
own counters.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.crawler.transport_crawl import run_probe, search_statuses

PLAIN_SCHEDULER = "scrapy.core.scheduler.Scheduler"


def _api_sends(run) -> list[dict]:
    return sorted((s for s in run.sends if "/v2/" in s["url"]), key=lambda s: s["sent"])


def _sends_by_url(run) -> dict[str, list[dict]]:
    by_url: dict[str, list[dict]] = defaultdict(list)
    for send in _api_sends(run):
        by_url[send["url"]].append(send)
    return by_url


def _server_errors(sandbox) -> int:
    return sum(n for status, n in search_statuses(sandbox).items() if status.startswith("5"))


def test_other_requests_flow_at_the_pace_while_retries_wait_out_their_backoff(sandbox_factory,
                                                                             tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5")
    sandbox.control("faults", {"fail_next": [{"kind": "5xx", "count": 2}]})
    # Two downloads at a time: were the two retries waiting in the downloader (as they did
    # before), nothing else could be sent during their backoff of 2 to 4 s.
    run = run_probe(sandbox, tmp_path, "-a", "requests=24", "-a", "window=20",
                    settings={"CONCURRENT_REQUESTS": "2", "OFFRES_RETRY_BACKOFF_BASE": "4",
                              "OFFRES_RETRY_BACKOFF_MAX": "4"})
    assert run.returncode == 0, run.stderr[-2000:]
    sends, by_url = _api_sends(run), _sends_by_url(run)
    retried = {url for url, attempts in by_url.items() if len(attempts) > 1}
    assert retried == {sends[0]["url"], sends[1]["url"]}  # the first two answers were the 5xx
    assert all(len(attempts) <= 2 for attempts in by_url.values())
    for url in retried:
        failed, retry = by_url[url]
        assert retry["sent"] - failed["received"] >= 2.0 - 0.05  # the backoff was honoured
        # while it was surely waiting (the shortest backoff), the pace went on: 3/s less its 3 %
        # margin, one send's worth at each end
        flowed = [s for s in sends if failed["received"] < s["sent"] < failed["received"] + 2.0]
        assert len(flowed) >= int(2.0 * 3 / 1.03) - 2, len(flowed)
    # and never stalled: the stream of sends has no gap, its rate is the pace's
    times = [s["sent"] for s in sends]
    assert max(b - a for a, b in zip(times, times[1:])) < 1.0
    assert (len(times) - 1) / (times[-1] - times[0]) >= 0.9 * 3
    # once due, a retry takes its turn in the queue with its priority, lowered by
    # RETRY_PRIORITY_ADJUST: here after every first attempt
    assert {s["url"] for s in sends[-2:]} == retried
    assert search_statuses(sandbox).get("206") == 24 and _server_errors(sandbox) == 2
    assert sorted(item["n"] for item in run.items) == list(range(24))
    assert all(item["count"] == 20 for item in run.items)
    stats = run.stats
    assert stats["offres/retry/count"] == 2
    assert sum(v for k, v in stats.items() if k.startswith("offres/retry/reason_count/http_5")) == 2
    assert "offres/retry/max_reached" not in stats and "offres/failures" not in stats
    assert stats["offres/scheduler/delayed"] == 2
    assert sandbox.stats()["rate_limited"] == 0


@pytest.mark.parametrize("scheduler", ["", PLAIN_SCHEDULER])
def test_a_due_retry_leaves_at_once_and_a_plain_scheduler_still_backs_off(sandbox_factory,
                                                                          tmp_path, scheduler):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5")
    sandbox.control("faults", {"fail_next": [{"kind": "5xx", "count": 1}]})
    settings = {"OFFRES_RETRY_BACKOFF_BASE": "2", "OFFRES_RETRY_BACKOFF_MAX": "2"}
    if scheduler:
        settings["SCHEDULER"] = scheduler
    run = run_probe(sandbox, tmp_path, "-a", "requests=1", "-a", "window=20", settings=settings)
    assert run.returncode == 0, run.stderr[-2000:]
    failed, retry = _api_sends(run)
    assert failed["url"] == retry["url"]
    # waits 1 to 2 s; nothing else runs, so only the scheduler's wake-up (not the engine's
    # 5-s heartbeat) sends it that soon once due
    assert 1.0 - 0.05 <= retry["sent"] - failed["received"] <= 2.0 + 1.0
    assert [item["n"] for item in run.items] == [0]
    assert run.stats["offres/retry/count"] == 1
    warned = [line for line in run.log_lines("WARNING") if "cannot hold delayed requests" in line]
    assert len(warned) == (1 if scheduler else 0)
    assert run.stats.get("offres/scheduler/delayed") == (None if scheduler else 1)


def test_a_crawl_stopped_during_a_backoff_keeps_the_retry_and_sends_it_on_resume(sandbox_factory,
                                                                                  tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5")
    sandbox.control("faults", {"fail_next": [{"kind": "5xx", "count": 1}]})
    settings = {"JOBDIR": str(tmp_path / "job"), "OFFRES_RETRY_BACKOFF_BASE": "12",
                "OFFRES_RETRY_BACKOFF_MAX": "12"}  # the retry waits 6 to 12 s
    first = run_probe(sandbox, tmp_path, "-a", "requests=6", "-a", "window=20", name="first",
                      settings={**settings, "CLOSESPIDER_ITEMCOUNT": "5"})
    assert first.stats["finish_reason"] == "closespider_itemcount", first.stderr[-2000:]
    failed = _api_sends(first)[0]  # which one depends on the order of the (LIFO) queue
    failed_n = int(failed["url"].split("range=")[1].split("-")[0]) // 20
    assert len(_api_sends(first)) == 6
    assert sorted(item["n"] for item in first.items) == sorted(set(range(6)) - {failed_n})
    # the stop did not wait for the backoff: the whole run was shorter than the shortest wait
    assert first.stats["elapsed_time_seconds"] < 6.0
    assert "1 delayed request(s) saved in JOBDIR" in first.log
    # saved as a copy made after its download: no trace of the token it was sent with
    tokens = {s["authorization"].split()[-1].encode() for s in _api_sends(first)}
    saved = b"".join(p.read_bytes() for p in (tmp_path / "job").rglob("*") if p.is_file())
    assert b"search?sort=1" in saved and not any(token in saved for token in tokens)

    second = run_probe(sandbox, tmp_path, "-a", "requests=6", "-a", "window=20", name="second",
                       settings=settings)
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.stats["finish_reason"] == "finished"
    [retry] = _api_sends(second)
    assert retry["url"] == failed["url"]
    assert retry["sent"] >= failed["received"] + 6.0 - 0.1  # it waited out the rest of its delay
    assert [(item["n"], item["status"], item["count"]) for item in second.items] == [(failed_n, 206, 20)]
    assert search_statuses(sandbox).get("206") == 6 and _server_errors(sandbox) == 1
