"""Churn while serving, seen through /_sandbox/alive and the API; the server clock (anchor, skew)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.sandbox.httpclient import api_get, content_range, get_token, search


def test_churn_is_visible_through_alive_and_the_api(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--churn-new", "40", "--churn-withdrawn", "20",
                         "--rate-limit", "100")
    token = get_token(sb)
    start = sb.stats()
    at_start = sb.control(f"alive?at={start['now_ms']}")
    assert at_start["count"] == len(at_start["ids"]) == start["offers_alive"]

    time.sleep(0.5)  # real time passes...
    assert sb.stats()["now_ms"] - start["now_ms"] >= 500
    sb.control("faults", {"clock_skew": 30})  # ...and then 30 simulated seconds at once
    later = sb.stats()
    now = sb.control(f"alive?at={later['now_ms']}")
    assert now["count"] == later["offers_alive"]
    created = set(now["ids"]) - set(at_start["ids"])
    withdrawn = set(at_start["ids"]) - set(now["ids"])
    elapsed_s = (later["now_ms"] - start["now_ms"]) / 1000
    assert 30 <= elapsed_s < 40
    # Net growth follows the rates (40 - 20 per second). Partner offers are born on whole
    # seconds (.000Z), so up to a second's worth of births may lie on either side of an instant.
    assert abs((now["count"] - at_start["count"]) - 20 * elapsed_s) <= 40 + 20 + 2
    # Some newcomers are withdrawn again within the interval: they are in neither set.
    assert 0 < len(created) <= 40 * elapsed_s + 41
    assert 0 < len(withdrawn) <= 20 * elapsed_s + 21
    # history does not change once it has happened
    assert sb.control(f"alive?at={start['now_ms']}") == at_start

    total_after = content_range(search(sb, token, {"range": "0-0"}))[2]
    assert abs(total_after - now["count"]) <= 40 + 1  # a search a moment after `later`
    newest = search(sb, token, {"sort": "1", "range": "0-4"}).json()["resultats"]
    assert newest[0]["id"] not in set(at_start["ids"])  # a newcomer (perhaps newer than `later`)
    assert api_get(sb, f"/v2/offres/{newest[0]['id']}", token).status == 200
    assert api_get(sb, f"/v2/offres/{sorted(withdrawn)[0]}", token).status == 204


def test_alive_defaults_to_now(sandbox_factory):
    sb = sandbox_factory("--offers", "1000")
    alive = sb.control("alive")
    assert alive["count"] == 1000 == len(set(alive["ids"]))


def test_clock_skew_moves_the_server_clock(sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--clock-skew", "3600")
    lead_ms = sb.stats()["now_ms"] - time.time() * 1000
    assert abs(lead_ms - 3_600_000) < 2_000
    sb.control("faults", {"clock_skew": -2})
    lag_ms = sb.stats()["now_ms"] - time.time() * 1000
    assert abs(lag_ms + 2_000) < 2_000


def test_anchor_sets_the_markets_now(sandbox_factory):
    anchor = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    sb = sandbox_factory("--offers", "1000", "--anchor", "2025-01-15T12:00:00Z")
    now_ms = sb.stats()["now_ms"]
    anchor_ms = int(anchor.timestamp() * 1000)
    assert anchor_ms <= now_ms < anchor_ms + 120_000
    newest = search(sb, get_token(sb), {"sort": "1", "range": "0-0"}).json()["resultats"][0]
    created = datetime.fromisoformat(newest["dateCreation"].replace("Z", "+00:00"))
    assert created <= anchor
