from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offres_crawler.transport.pacer import DEFAULT_MARGIN, SlidingWindowPacer


def release(pacer: SlidingWindowPacer, arrivals: list[float], lateness: list[float] | None = None):
    """Send times of requests arriving at `arrivals`, released first come first served.

    `lateness[i]` delays the i-th release past its allowed time, as a busy event loop would.
    """
    sends, clock = [], 0.0
    for i, arrival in enumerate(sorted(arrivals)):
        clock = max(clock, arrival)
        clock += pacer.wait_time(clock)
        assert pacer.wait_time(clock) == 0.0
        clock += lateness[i] if lateness else 0.0
        pacer.record(clock)
        sends.append(clock)
    return sends


def most_in_any_window(sends: list[float], window: float) -> int:
    """The sandbox's rule: a send counts against those less than `window` before it."""
    return max(sum(1 for s in sends[: i + 1] if s > t - window) for i, t in enumerate(sends))


@settings(max_examples=200, deadline=None)
@given(limit=st.integers(1, 12),
       arrivals=st.lists(st.floats(0, 20, allow_nan=False), min_size=1, max_size=80),
       lateness=st.lists(st.floats(0, 0.2), min_size=80, max_size=80))
def test_never_more_than_the_limit_in_any_second_even_with_late_timers(limit, arrivals, lateness):
    pacer = SlidingWindowPacer(limit)
    sends = release(pacer, arrivals, lateness)
    assert most_in_any_window(sends, 1.0 + DEFAULT_MARGIN * 0.99) <= limit
    # ... and the sends are spread, never closer than a share of the second (less the pacer's
    # documented one-microsecond tolerance for float noise, see wait_time)
    assert all(b - a >= 1.0 / limit - 1e-6 for a, b in zip(sends, sends[1:]))


@pytest.mark.parametrize("limit", [1, 3, 4, 10])
def test_saturated_rate_is_the_limit_less_the_margin(limit):
    sends = release(SlidingWindowPacer(limit), [0.0] * 600)
    achieved = (len(sends) - 1) / (sends[-1] - sends[0])
    assert achieved == pytest.approx(limit / (1.0 + DEFAULT_MARGIN), rel=0.01)
    assert achieved >= 0.95 * limit


def test_a_request_after_a_quiet_spell_goes_at_once():
    pacer = SlidingWindowPacer(3)
    assert release(pacer, [0.0, 0.0, 0.0]) == pytest.approx([0.0, 1 / 3, 2 / 3])
    assert pacer.wait_time(10.0) == 0.0


@pytest.mark.parametrize(("limit", "count", "window"), [(0.5, 1, 2.0), (2.5, 2, 0.8), (3, 3, 1.0)])
def test_fractional_limits_keep_the_average(limit, count, window):
    pacer = SlidingWindowPacer(limit, margin=0.0)
    assert (pacer.count, pacer.window) == (count, pytest.approx(window))
    sends = release(pacer, [0.0] * 101)
    assert (len(sends) - 1) / (sends[-1] - sends[0]) == pytest.approx(limit, rel=0.02)


def test_pause_holds_every_send_until_it_ends():
    pacer = SlidingWindowPacer(3)
    release(pacer, [0.0])
    pacer.pause_until(5.0)
    pacer.pause_until(2.0)  # a shorter pause never shortens the current one
    assert pacer.wait_time(1.0) == pytest.approx(4.0)
    assert release(pacer, [1.0, 1.0])[0] == pytest.approx(5.0)


def test_following_a_new_limit_keeps_the_history():
    pacer = SlidingWindowPacer(3)
    sends = release(pacer, [0.0] * 3)
    pacer.set_limit(10)
    assert pacer.wait_time(sends[-1]) == pytest.approx(0.1)
    pacer.set_limit(1)
    assert pacer.wait_time(sends[-1]) == pytest.approx(1.0 + DEFAULT_MARGIN)


@pytest.mark.parametrize("limit", [0, -1, float("nan")])
def test_a_limit_must_be_positive(limit):
    with pytest.raises(ValueError, match="positive"):
        SlidingWindowPacer(limit)


def test_a_late_departure_times_the_next_sends_from_when_it_left():
    pacer = SlidingWindowPacer(3)
    first = pacer.record(0.0)
    pacer.resent(first, 0.05)  # the event loop was busy: it left 50 ms after its release
    assert pacer.wait_time(0.0) == pytest.approx(0.05 + 1 / 3)
    pacer.record(0.39)
    pacer.record(0.74)
    assert pacer.wait_time(0.74) == pytest.approx(0.05 + 1.0 + DEFAULT_MARGIN - 0.74)


def test_each_429_that_gets_through_widens_the_margin_up_to_a_bound():
    pacer = SlidingWindowPacer(3, margin=0.04)
    widened = [pacer.widen_margin(step=0.02, maximum=0.1) for _ in range(6)]
    assert widened == [True, True, True, False, False, False]
    assert pacer.margin == pytest.approx(0.1)
    sends = release(pacer, [0.0] * 301)
    assert (len(sends) - 1) / (sends[-1] - sends[0]) == pytest.approx(3 / 1.1, rel=0.01)


def test_a_429_pauses_for_its_retry_after_and_widens_the_margin():
    pacer = SlidingWindowPacer(3, margin=0.03)
    release(pacer, [0.0])
    assert pacer.rate_limited(10.0, 1.5) is True
    assert pacer.wait_time(10.0) == pytest.approx(1.5) and pacer.margin == pytest.approx(0.05)
