"""Faults against the sandbox: 5xx, resets, cut-short bodies retried; 400 never; give-ups kept."""

from __future__ import annotations

import pytest

from tests.crawler.transport_crawl import run_probe, search_statuses


def _reason_counts(stats: dict) -> dict[str, int]:
    prefix = "offres/retry/reason_count/"
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}


def test_5xx_reset_and_truncated_body_are_each_retried_once(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5")
    sandbox.control("faults", {"fail_next": [{"kind": "5xx", "count": 1},
                                             {"kind": "reset", "count": 1},
                                             {"kind": "truncate", "count": 1}]})
    run = run_probe(sandbox, tmp_path, "-a", "requests=4", "-a", "window=50")
    assert run.returncode == 0, run.stderr[-2000:]
    assert sandbox.stats()["faults"] == {"5xx": 1, "reset": 1, "truncate": 1, "revoked": 0}
    reasons = _reason_counts(run.stats)
    server_errors = {k: v for k, v in reasons.items() if k.startswith("http_5")}
    assert sum(server_errors.values()) == 1
    assert reasons["connection_lost"] == 1
    assert reasons["malformed_json"] == 1
    assert run.stats["offres/retry/count"] == 3
    assert sorted(item["n"] for item in run.items) == [0, 1, 2, 3]
    assert all(item["count"] == 50 for item in run.items)
    assert "offres/failures" not in run.stats


@pytest.mark.parametrize(("kind", "reason"), [("5xx", "http_5"), ("reset", "connection_lost"),
                                              ("truncate", "malformed_json")])
def test_when_retries_run_out_the_failure_is_recorded_and_exit_code_is_3(
        sandbox_factory, tmp_path, kind, reason):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5")
    sandbox.control("faults", {"fail_next": [{"kind": kind, "count": 3}]})
    run = run_probe(sandbox, tmp_path, "-a", "requests=1", settings={"OFFRES_RETRY_TIMES": "2"})
    assert run.returncode == 3
    assert run.stats["finish_reason"] == "finished"
    assert run.verdict["status"] == "incomplete" and run.verdict["exit_code"] == 3
    assert [r["code"] for r in run.verdict["reasons"]] == ["requests_failed"]
    assert run.stats["offres/retry/count"] == 2
    assert run.stats["offres/retry/max_reached"] == 1
    assert run.stats["offres/failures"] == 1
    failures = [k for k in run.stats if k.startswith("offres/failures/")]
    assert len(failures) == 1 and failures[0].startswith(f"offres/failures/{reason}")
    assert sum(sandbox.stats()["faults"].values()) == 3
    assert run.items == []
    gave_up = [line for line in run.log_lines("ERROR") if "Gave up retrying" in line]
    assert len(gave_up) == 1


def test_random_faults_are_all_retried_and_none_is_resent_behind_our_back(sandbox_factory,
                                                                         tmp_path):
    # at 10 requests/s (both sides) to see many faults in a short test
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5", "--latency", "20-200",
                              "--rate-limit", "10", "--fault-5xx", "0.1", "--fault-reset", "0.15",
                              "--fault-truncate", "0.1")
    run = run_probe(sandbox, tmp_path, "-a", "duration=5", "-a", "window=50",
                    settings={"OFFRES_RATE_LIMIT": "10"})
    assert run.returncode == 0, run.stderr[-2000:]
    stats = sandbox.stats()
    faults = stats["faults"]
    assert faults["reset"] >= 2 and faults["5xx"] >= 1 and faults["truncate"] >= 1
    reasons = _reason_counts(run.stats)
    assert reasons["connection_lost"] == faults["reset"]
    assert reasons["malformed_json"] == faults["truncate"]
    assert sum(v for k, v in reasons.items() if k.startswith("http_5")) == faults["5xx"]
    # Twisted's pool would silently send a reset GET again: every request the sandbox got (it
    # counts answered ones by status, reset ones apart) was one Scrapy sent, and the rate held.
    received = sum(search_statuses(sandbox).values()) + faults["reset"]
    assert received == run.stats["downloader/request_method_count/GET"]
    assert stats["rate_limited"] == 0
    assert sorted(item["n"] for item in run.items) == list(range(run.stats["probe/yielded"]))


def test_a_400_is_never_retried_and_its_message_is_shown(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "5")
    run = run_probe(sandbox, tmp_path, "-a", "requests=1",
                    "-a", "path=/v2/offres/search?sort=1&range=0-200")
    assert search_statuses(sandbox) == {"400": 1}
    assert "offres/retry/count" not in run.stats
    errors = run.log_lines("ERROR")
    assert len(errors) == 1
    assert "La plage de résultats demandée est trop importante." in errors[0]
    assert run.stats["offres/failures/http_400"] == 1
    assert run.returncode == 3
