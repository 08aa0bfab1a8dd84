"""The test-only control API under /_sandbox/ (THE SANDBOX CONTRACT)."""

from __future__ import annotations

import time

from tests.sandbox.httpclient import api_get, get_token, request, search


def test_stats_count_requests_by_endpoint_and_status(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--rate-limit", "100")
    token = get_token(sb)
    search(sb, token, {"range": "0-0"})
    search(sb, token, {"range": "0-999"})
    api_get(sb, "/v2/offres/ZZZZZZZ", token)
    api_get(sb, "/v2/referentiel/typesContrats", token)
    api_get(sb, "/v2/referentiel/nothing", token)
    request("GET", f"{sb.root_url}/partenaire/offresdemploi/v3/whatever")
    sb.control("faults")  # control requests are not counted
    stats = sb.stats()
    assert stats["requests"] == {
        "search": {"206": 1, "400": 1}, "detail": {"204": 1},
        "referentiel": {"200": 1, "404": 1}, "token": {"200": 1}, "other": {"404": 1}}
    assert stats["rate_limited"] == 0
    assert stats["tokens_issued"] == 1
    assert stats["max_requests_per_second"] == {sb.client_id: 5}
    assert stats["faults"] == {"5xx": 0, "reset": 0, "truncate": 0, "revoked": 0}
    assert stats["offers_alive"] == 1000
    assert abs(stats["now_ms"] - time.time() * 1000) < 5_000
    assert stats["cpu_seconds"] > 0


def test_cpu_seconds_grow_with_work(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--rate-limit", "1000")
    token = get_token(sb)
    before = sb.stats()["cpu_seconds"]
    for _ in range(20):
        search(sb, token, {"range": "0-149"})
    assert sb.stats()["cpu_seconds"] > before


def test_reset_zeroes_the_stats(sandbox_factory):
    sb = sandbox_factory("--offers", "1000")
    token = get_token(sb)
    for _ in range(5):
        search(sb, token, {"range": "0-0"})
    assert sb.stats()["rate_limited"] == 2
    sb.control("reset", {})
    stats = sb.stats()
    assert stats["requests"] == {k: {} for k in ("search", "detail", "referentiel", "token", "other")}
    assert stats["rate_limited"] == 0
    assert stats["tokens_issued"] == 0
    assert stats["max_requests_per_second"] == {}
    assert stats["faults"] == {"5xx": 0, "reset": 0, "truncate": 0, "revoked": 0}
    assert stats["offers_alive"] == 1000


def test_faults_endpoint_returns_the_whole_configuration(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--rate-limit", "4", "--token-lifetime", "60",
                         "--revoke-after", "30", "--range-mode", "legacy", "--origine-quirk")
    config = sb.control("faults")
    assert config == {
        "fault_5xx": 0.0, "fault_reset": 0.0, "fault_truncate": 0.0, "latency": [0.0, 0.0],
        "rate_limit": 4, "token_rate_limit": 5, "token_lifetime": 60.0, "revoke_after": 30.0,
        "range_mode": "legacy", "origine_quirk": True, "clock_skew": 0.0, "tie_order": "stable",
        "replica_lag": 0.0, "total_noise": 0, "lying_totals": None, "fail_next": []}
    changed = sb.control("faults", {"fault_5xx": 0.2, "latency": [100, 800], "rate_limit": 3,
                                    "origine_quirk": False, "range_mode": "current",
                                    "token_lifetime": 5, "revoke_after": None})
    assert changed == {**config, "fault_5xx": 0.2, "latency": [100.0, 800.0], "rate_limit": 3,
                       "origine_quirk": False, "range_mode": "current", "token_lifetime": 5.0,
                       "revoke_after": None}


def test_control_api_lives_only_under_its_prefix(sandbox):
    assert request("GET", f"{sandbox.api_url}/_sandbox/stats").status in (401, 404)
    assert request("GET", f"{sandbox.root_url}/_sandbox/nothing").status == 404
