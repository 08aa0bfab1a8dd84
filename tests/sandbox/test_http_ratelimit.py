"""The rate limit per client id: sliding one-second window, 429 + Retry-After + X-Ratelimit-*,
and the "most requests in any one-second window" measurement (REFERENCE Part 1 §2)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.sandbox.httpclient import api_get, get_token, search

RATE_HEADERS = ("X-Ratelimit-Burst-Capacity-Clientidlimiter",
                "X-Ratelimit-Remaining-Clientidlimiter",
                "X-Ratelimit-Replenish-Rate-Clientidlimiter")


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory("--offers", "1000", "--rate-limit", "3")


def test_burst_beyond_the_limit_gets_429_with_the_gateway_headers(sb):
    token = get_token(sb)
    replies = [search(sb, token, {"range": "0-0"}) for _ in range(6)]
    assert [r.status for r in replies] == [206, 206, 206, 429, 429, 429]
    for reply, remaining in zip(replies[:3], (2, 1, 0)):
        assert reply.headers["X-Ratelimit-Burst-Capacity-Clientidlimiter"] == "3"
        assert reply.headers["X-Ratelimit-Replenish-Rate-Clientidlimiter"] == "3"
        assert reply.headers["X-Ratelimit-Remaining-Clientidlimiter"] == str(remaining)
    for reply in replies[3:]:
        assert reply.text == "Dépassement de quota"
        assert reply.headers["Content-Type"].split(";")[0] == "text/plain"
        assert reply.headers["Retry-After"] == "1"
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Pragma"] == "no-cache"
        assert reply.headers["X-Ratelimit-Remaining-Clientidlimiter"] == "0"
        assert all(h in reply.headers for h in RATE_HEADERS)
    stats = sb.stats()
    assert stats["rate_limited"] == 3
    assert stats["requests"]["search"] == {"206": 3, "429": 3}
    assert stats["max_requests_per_second"] == {sb.client_id: 6}  # 429s count too


def test_every_endpoint_shares_the_budget(sb):
    token = get_token(sb)
    paths = ["/v2/referentiel/typesContrats", "/v2/offres/search", "/v2/offres/ZZZZZZZ", "/v2/offres/search"]
    statuses = [api_get(sb, p, token, {"range": "0-0"} if p.endswith("search") else None).status
                for p in paths]
    assert statuses == [200, 206, 204, 429]


def test_window_slides_instead_of_resetting_on_the_second(sb):
    token = get_token(sb)
    start = time.monotonic()
    assert [search(sb, token, {"range": "0-0"}).status for _ in range(3)] == [206] * 3
    time.sleep(max(0.0, start + 0.6 - time.monotonic()))
    assert search(sb, token, {"range": "0-0"}).status == 429  # 3 accepted in the last 1000 ms
    time.sleep(max(0.0, start + 1.15 - time.monotonic()))
    assert search(sb, token, {"range": "0-0"}).status == 206  # the first three have left the window


def test_honouring_retry_after_is_enough(sb):
    token = get_token(sb)
    replies = [search(sb, token, {"range": "0-0"}) for _ in range(4)]
    assert replies[-1].status == 429
    time.sleep(int(replies[-1].headers["Retry-After"]))
    assert search(sb, token, {"range": "0-0"}).status == 206


def test_measurement_of_a_paced_client(sb):
    token = get_token(sb)
    sb.control("reset", {})
    for i in range(3):
        if i:
            time.sleep(0.6)
        assert search(sb, token, {"range": "0-0"}).status == 206
    # Arrivals 0.6 s apart: no one-second window holds more than two.
    assert sb.stats()["max_requests_per_second"] == {sb.client_id: 2}


def test_rate_limit_changes_at_run_time(sb):
    token = get_token(sb)
    sb.control("faults", {"rate_limit": 5})
    replies = [search(sb, token, {"range": "0-0"}) for _ in range(6)]
    assert [r.status for r in replies] == [206] * 5 + [429]
    assert replies[0].headers["X-Ratelimit-Burst-Capacity-Clientidlimiter"] == "5"


def test_limiter_judges_arrival_not_the_delayed_answer(sb):
    token = get_token(sb)
    sb.control("faults", {"latency": [400, 400]})
    with ThreadPoolExecutor(4) as pool:
        def timed(_):
            began = time.monotonic()
            reply = search(sb, token, {"range": "0-0"})
            return reply.status, time.monotonic() - began

        results = list(pool.map(timed, range(4)))
    assert sorted(status for status, _ in results) == [206, 206, 206, 429]
    for status, elapsed in results:
        if status == 429:
            assert elapsed < 0.4  # refused on arrival, before the simulated latency
        else:
            assert elapsed >= 0.4


# -- the window arithmetic itself, on exact instants (ms) ------------------------------------------
def test_sliding_window_on_exact_instants():
    from offres_crawler.sandbox.ratelimit import SlidingWindowLimiter

    limiter = SlidingWindowLimiter(3)
    assert [limiter.check("c", t).accepted for t in (0, 300, 600)] == [True, True, True]
    refused = limiter.check("c", 999)
    assert (refused.accepted, refused.remaining, refused.retry_after) == (False, 0, 1)
    # the request at 0 leaves the window (t - 1000, t] at t = 1000
    assert limiter.check("c", 1000).accepted
    assert not limiter.check("c", 1299).accepted
    assert limiter.check("other", 1299).accepted  # one window per client id
    late = limiter.check("c", 1300)
    assert (late.accepted, late.remaining) == (True, 0)


def test_retry_after_rounds_up_to_whole_seconds():
    from offres_crawler.sandbox.ratelimit import SlidingWindowLimiter

    limiter = SlidingWindowLimiter(1)
    assert limiter.check("c", 0).accepted
    assert limiter.check("c", 1).retry_after == 1  # 999 ms left -> 1 s
    limiter.limit = 0  # nothing is ever accepted: still a finite, positive Retry-After
    assert limiter.check("c", 5000).retry_after >= 1


def test_meter_finds_the_busiest_second():
    from offres_crawler.sandbox.ratelimit import WindowMeter

    meter = WindowMeter()
    for t in (0, 400, 800, 1100, 1150, 1199, 2500):
        meter.record("c", t)
    # (199, 1199] holds 400, 800, 1100, 1150, 1199
    assert meter.max_per_second == {"c": 5}
    meter.reset()
    for t in (0, 1000, 2000):
        meter.record("c", t)
    assert meter.max_per_second == {"c": 1}
