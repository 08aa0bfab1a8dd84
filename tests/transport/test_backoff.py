from __future__ import annotations

from datetime import UTC, datetime

import pytest

from offres_crawler.transport.backoff import backoff_delay, parse_retry_after


@pytest.mark.parametrize(("attempt", "low", "high"), [
    (1, 0.5, 1.0), (2, 1.0, 2.0), (3, 2.0, 4.0), (5, 8.0, 16.0),
    (6, 15.0, 30.0), (40, 15.0, 30.0),  # capped
])
def test_backoff_grows_exponentially_within_half_to_full_ceiling(attempt, low, high):
    assert backoff_delay(attempt, 1.0, 30.0, rand=lambda: 0.0) == pytest.approx(low)
    assert backoff_delay(attempt, 1.0, 30.0, rand=lambda: 1.0) == pytest.approx(high)
    assert backoff_delay(attempt, 1.0, 30.0, rand=lambda: 0.5) == pytest.approx((low + high) / 2)


def test_backoff_jitter_spreads_clients_apart():
    delays = {round(backoff_delay(4, 1.0, 30.0), 6) for _ in range(50)}
    assert len(delays) > 40
    assert all(4.0 <= d <= 8.0 for d in delays)


def test_backoff_is_zero_when_switched_off():
    assert backoff_delay(3, 0.0, 30.0) == 0.0
    assert backoff_delay(0, 1.0, 30.0) == 0.0


NOW = datetime(2026, 5, 4, 11, 26, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    ("1", 1.0), (b"2", 2.0), (" 30 ", 30.0), ("0.5", 0.5),
    ("Mon, 04 May 2026 11:26:07 GMT", 7.0),  # an HTTP date
    ("Mon, 04 May 2026 11:25:00 GMT", 0.0),  # in the past: go now
    ("-4", 0.0),
    ("5000", 600.0),  # capped
    (None, 60.0), ("", 60.0), ("soon", 60.0), ("nan", 60.0),  # the default
])
def test_retry_after(value, expected):
    assert parse_retry_after(value, default=60.0, maximum=600.0, now=NOW) == pytest.approx(expected)
