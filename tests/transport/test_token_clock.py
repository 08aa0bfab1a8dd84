from __future__ import annotations

import pytest

from offres_crawler.transport.token_clock import AccessToken, refresh_margin


@pytest.mark.parametrize(("expires_in", "margin"), [
    (1499, 60.0),  # the live lifetime: capped at 60 s
    (600, 60.0),
    (300, 30.0),  # a tenth of the lifetime below 600 s
    (5, 0.5),  # a 5-second test token is renewed half a second before it dies, not every time
    (0, 0.0),
])
def test_refresh_margin_is_a_tenth_of_the_lifetime_capped_at_60_s(expires_in, margin):
    assert refresh_margin(expires_in) == pytest.approx(margin)


def test_token_is_refreshed_ahead_then_retired_before_expiry():
    token = AccessToken(value="x" * 27, obtained_at=100.0, expires_in=5.0, generation=1)
    assert token.expires_at == 105.0
    assert token.refresh_at == pytest.approx(104.5)
    assert token.retire_at == pytest.approx(104.75)
    assert not token.needs_refresh(104.4) and token.usable(104.4)
    assert token.needs_refresh(104.5) and token.usable(104.5)  # refresh in the background
    assert not token.usable(104.75)  # too close to expiry: wait for the new one


def test_token_value_stays_out_of_repr_but_makes_the_header():
    token = AccessToken(value="rJEr40urkiEHRl4wjuvlcWqdzGE", obtained_at=0.0, expires_in=1499,
                        generation=3)
    assert "rJEr40urkiEHRl4wjuvlcWqdzGE" not in repr(token)
    assert "rJEr40urkiEHRl4wjuvlcWqdzGE" not in str(token)
    assert token.authorization() == b"Bearer rJEr40urkiEHRl4wjuvlcWqdzGE"
