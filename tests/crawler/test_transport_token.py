"""The access token against the sandbox: one fetch for many, refresh ahead, 401, bad credentials."""

from __future__ import annotations

import socket

from tests.crawler.transport_crawl import crawl_env, run_probe, search_statuses


def test_ten_concurrent_requests_cause_exactly_one_token_fetch(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3", "--latency", "50-100")
    run = run_probe(sandbox, tmp_path, "-a", "requests=10")
    assert run.returncode == 0, run.stderr[-2000:]
    stats = sandbox.stats()
    assert stats["tokens_issued"] == 1
    assert stats["requests"]["token"] == {"200": 1}
    assert sum(search_statuses(sandbox).values()) == 10
    assert sorted(item["n"] for item in run.items) == list(range(10))
    assert run.stats["offres/token/requests"] == 1


def test_a_five_second_token_is_refreshed_ahead_without_a_single_401(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3", "--token-lifetime", "5",
                              "--latency", "50-300")
    run = run_probe(sandbox, tmp_path, "-a", "duration=9", "-a", "window=20")
    assert run.returncode == 0, run.stderr[-2000:]
    stats = sandbox.stats()
    assert "401" not in search_statuses(sandbox)
    sends = sorted(s["sent"] for s in run.sends if "/v2/" in s["url"])
    assert sends[-1] - sends[0] > 10  # the crawl outlived two tokens
    # renewed 0.5 s ahead of each expiry (4.5 s of use per token), never per request
    assert 3 <= stats["tokens_issued"] <= (sends[-1] - sends[0]) / 4.5 + 2
    assert run.stats["offres/token/refresh_ahead"] == stats["tokens_issued"] - 1
    assert len(run.items) == sum(search_statuses(sandbox).values())
    # every token on the wire was current: each one is used in one stretch, never again later
    tokens = [send["authorization"] for send in sorted(run.sends, key=lambda s: s["sent"])
              if "/v2/" in send["url"]]
    stretches = [t for i, t in enumerate(tokens) if i == 0 or t != tokens[i - 1]]
    assert len(stretches) == len(set(stretches)) == stats["tokens_issued"]


def test_early_revocation_costs_one_retry_per_request_and_nothing_is_lost(sandbox_factory,
                                                                        tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3", "--revoke-after", "2",
                              "--rate-limit", "10")
    run = run_probe(sandbox, tmp_path, "-a", "duration=5", "-a", "window=20",
                    settings={"OFFRES_RATE_LIMIT": "10"})
    assert run.returncode == 0, run.stderr[-2000:]
    stats = sandbox.stats()
    revoked_401s = search_statuses(sandbox).get("401", 0)
    assert revoked_401s >= 2 and stats["faults"]["revoked"] == revoked_401s
    # each revocation is noticed once (the 401 that carried the current token) and refetched
    assert run.stats["offres/token/invalidated"] == stats["tokens_issued"] - 1 >= 2
    assert run.stats["offres/token/401_retried"] == revoked_401s
    assert "offres/failures" not in run.stats
    answered = search_statuses(sandbox)
    assert len(run.items) == answered["206"] + answered.get("200", 0)


def test_one_401_is_retried_once_with_a_new_token(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3")
    sandbox.control("faults", {"fail_next": [{"kind": "401", "count": 1}]})
    run = run_probe(sandbox, tmp_path, "-a", "requests=1")
    assert run.returncode == 0, run.stderr[-2000:]
    assert search_statuses(sandbox) == {"401": 1, "206": 1}
    assert sandbox.stats()["tokens_issued"] == 2
    assert (run.stats["offres/token/401"], run.stats["offres/token/401_retried"]) == (1, 1)
    assert [item["n"] for item in run.items] == [0]


def test_a_second_401_for_the_same_request_is_a_recorded_failure(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3")
    sandbox.control("faults", {"fail_next": [{"kind": "401", "count": 2}]})
    run = run_probe(sandbox, tmp_path, "-a", "requests=1")
    assert run.returncode == 3  # finished, but incomplete
    assert search_statuses(sandbox) == {"401": 2}
    assert run.stats["offres/failures/http_401"] == 1
    assert run.verdict["status"] == "incomplete"
    assert [(r["code"], r["details"]) for r in run.verdict["reasons"]] == [
        ("requests_failed", ["http_401: 1"])]
    assert run.items == []


def _auth_failure(run, sandbox, problem: str, setting: str) -> None:
    assert run.returncode == 1
    assert run.stats["finish_reason"] == "offres_auth_failed"
    errors = run.log_lines("ERROR")
    assert len(errors) == 1, errors
    assert problem in errors[0] and setting in errors[0]
    assert search_statuses(sandbox) == {}  # no API request without a token


def test_wrong_secret_stops_at_once_with_one_clear_line_and_exit_1(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3")
    env_secret = "not-the-secret"
    run = run_probe(sandbox, tmp_path, "-a", "requests=40",
                    env=crawl_env(sandbox, client_secret=env_secret))
    _auth_failure(run, sandbox, "invalid_client", "OFFRES_CLIENT_SECRET")
    assert sandbox.stats()["requests"]["token"] == {"400": 1}  # no retry storm
    assert env_secret not in run.log


def test_wrong_scope_names_the_scope_setting(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3")
    run = run_probe(sandbox, tmp_path, "-a", "requests=5",
                    settings={"OFFRES_SCOPE": "api_offresdemploiv2 api_quinexistepasv0"})
    _auth_failure(run, sandbox, "invalid_scope", "OFFRES_SCOPE")
    assert sandbox.stats()["requests"]["token"] == {"400": 1}


def test_missing_credentials_are_named_before_any_request(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3")
    env = crawl_env(sandbox)
    del env["OFFRES_CLIENT_SECRET"]
    run = run_probe(sandbox, tmp_path, "-a", "requests=5", env=env)
    _auth_failure(run, sandbox, "no client credentials", "OFFRES_CLIENT_SECRET")
    assert sandbox.stats()["requests"]["token"] == {}


def test_the_token_request_is_retried_after_a_429_of_the_token_endpoint(sandbox_factory,
                                                                       tmp_path):
    # The token endpoint allows one request per second: the new token wanted right after a 401
    # is refused with 429 and fetched again once Retry-After has passed.
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3", "--token-rate-limit", "1")
    sandbox.control("faults", {"fail_next": [{"kind": "401", "count": 1}]})
    run = run_probe(sandbox, tmp_path, "-a", "requests=3")
    assert run.returncode == 0, run.stderr[-2000:]
    assert sandbox.stats()["requests"]["token"] == {"200": 2, "429": 1}
    assert run.stats["offres/token/retry/reason_count/http_429"] == 1
    assert sorted(item["n"] for item in run.items) == [0, 1, 2]


def test_an_unreachable_token_endpoint_is_retried_then_stops_the_crawl(sandbox_factory,
                                                                       tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "3")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = run_probe(sandbox, tmp_path, "-a", "requests=5", settings={
        "OFFRES_TOKEN_URL": f"http://127.0.0.1:{port}/connexion/oauth2/access_token",
        "OFFRES_TOKEN_RETRY_TIMES": "2"})
    assert run.returncode == 1
    assert run.stats["finish_reason"] == "offres_token_unavailable"
    assert run.stats["offres/token/requests"] == 3
    assert run.stats["offres/token/retry/reason_count/connection_refused"] == 2
    errors = run.log_lines("ERROR")
    assert len(errors) == 1 and "after 3 attempts (last: connection_refused)" in errors[0]
    assert search_statuses(sandbox) == {}
