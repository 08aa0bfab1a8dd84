"""What the market's parts (churn, search engine, renderer) see of it, and its configuration.

They are built by the Market and read its columns; typing them against this Protocol instead of
the Market class keeps the imports one way (market -> parts -> this module), with no cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from offres_crawler.sandbox.catalog import Catalog
from offres_crawler.sandbox.keywords import KeywordIndex


@dataclass
class MarketConfig:
    offers: int = 20_000          # initial live offers, 1,000 .. 1,000,000
    seed: int = 0
    anchor_ms: int | None = None  # the market's "now" at build time (epoch ms UTC); None = wall clock
    days: float = 90.0            # creation instants spread over about this many days before anchor
    # (count, size): `count` distinct instants, each shared by `size` partner offers (.000Z)
    bursts: tuple[tuple[int, int], ...] = ()
    # offers whose lieuTravail has no commune/departement ("France", a region, a foreign country);
    # None: the shares measured on real offers, by origine and year (facts/presence.py)
    no_location_share: float | None = None
    churn_new_per_s: float = 0.0      # offers created per second after start (creation instant = that moment)
    churn_withdrawn_per_s: float = 0.0
    # share of offers rendered broken (a wrong type, or a missing id) for validation tests
    malformed_share: float = 0.0
    # ROME métiers: "auto" = ROME 4.0 when its list is found, else the built-in v3 subset; "4"; "3"
    rome: str = "auto"
    # share of offers in the newer shape (top-level contexteTravail, entrepriseAdaptee,
    # employeurHandiEngage...: 2026 offers have it, the 2024-25 samples do not); both by default
    new_fields_share: float = 0.5


class MarketView(Protocol):
    config: MarketConfig
    catalog: Catalog
    keywords: KeywordIndex
    cols: dict[str, np.ndarray]
    n: int
    anchor_ms: int

    def append_rows(self, cols: dict[str, np.ndarray], created: np.ndarray, gaps: np.ndarray) -> range: ...
