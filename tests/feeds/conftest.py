from __future__ import annotations

import pytest

from offres_crawler.sandbox.market import Market, MarketConfig

ANCHOR_MS = 1_760_000_000_000  # 2025-10-09: fixed, so the offers are the same on every run


@pytest.fixture(scope="session")
def market_offers():
    """3,000 sandbox offers (about 2 % deliberately broken), as the API would return them."""
    market = Market(MarketConfig(offers=3000, seed=5, anchor_ms=ANCHOR_MS, malformed_share=0.02))
    return market.offers(list(range(market.n)))
