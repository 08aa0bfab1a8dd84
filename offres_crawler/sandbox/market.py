"""The synthetic job market: columnar storage of offers, ids, churn.

Rows are kept in creation order (ties: ascending pertinence score), so a creation-date window is a
contiguous row range found by binary search, and "creation descending, then pertinence" is simply
descending row order. New offers are appended (their creation instant is the simulated moment, see
churn.py); withdrawn offers keep their row and get a withdrawal instant, so the past stays
answerable.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from offres_crawler.sandbox import generation as gen
from offres_crawler.sandbox.catalog import Catalog, get_catalog
from offres_crawler.sandbox.churn import Churn
from offres_crawler.sandbox.keywords import KeywordIndex
from offres_crawler.sandbox.market_ids import LETTERS, PARTNER_KEY, ft_letters, id_key, id_string
from offres_crawler.sandbox.market_view import MarketConfig
from offres_crawler.sandbox.offer_render import OfferRenderer
from offres_crawler.sandbox.query import Query, SearchResult
from offres_crawler.sandbox.referentiels import build_referentiels
from offres_crawler.sandbox.search_engine import SearchEngine

logger = logging.getLogger(__name__)

ALIVE = np.iinfo(np.int64).max  # "withdrawn" value of an offer still online
_WEEK_MS = 7 * gen.DAY_MS
_GROWTH = 1024


class Market:
    """The market itself; churn, search engine and renderer see it through MarketView."""

    def __init__(self, config: MarketConfig) -> None:
        started = time.process_time()
        self.config = config
        if not 0.0 <= config.new_fields_share <= 1.0:
            raise ValueError(f"new_fields_share must be between 0 and 1, not {config.new_fields_share}")
        self.catalog: Catalog = get_catalog(config.rome)
        self.referentiels: dict[str, list[dict]] = _referentiels(self.catalog)
        self.anchor_ms = int(config.anchor_ms if config.anchor_ms is not None else time.time() * 1000)
        self.keywords = _keyword_index(self.catalog)
        self._build_initial()
        self._late_rows: dict[int, int] = {}  # id key -> row, for offers created after start
        self.churn = Churn(self)
        self.engine = SearchEngine(self)
        self.renderer = OfferRenderer(self)
        logger.info("market of %d offers built in %.1f s CPU", self.n, time.process_time() - started)

    # -- construction ------------------------------------------------------------------------
    def _build_initial(self) -> None:
        cfg = self.config
        rng = np.random.default_rng([cfg.seed, 1])
        burst_total = sum(count * size for count, size in cfg.bursts)
        if burst_total > cfg.offers:
            raise ValueError(f"bursts need {burst_total} offers but the market has {cfg.offers}")
        n_regular = cfg.offers - burst_total
        origine = np.where(rng.random(n_regular) < gen.FT_SHARE, 1, 2).astype(np.uint8)
        n_ft = int((origine == 1).sum())
        n_partner = n_regular - n_ft
        created = np.empty(n_regular, dtype=np.int64)
        created[origine == 1] = gen.instants(rng, n_ft, self.anchor_ms, cfg.days)
        # Partner offers arrive in bulk imports: a few offers share each whole second.
        n_imports = max(1, int(n_partner / gen.PARTNERS_PER_IMPORT))
        imports = gen.instants(rng, n_imports, self.anchor_ms, cfg.days) // 1000 * 1000
        created[origine == 2] = imports[rng.integers(0, n_imports, n_partner)]
        burst_instants = []
        for count, size in cfg.bursts:
            for _ in range(count):
                while True:
                    t = int(gen.instants(rng, 1, self.anchor_ms, min(cfg.days, 30.0))[0]) // 1000 * 1000
                    if t not in burst_instants:
                        break
                burst_instants.append(t)
                created = np.concatenate([created, np.full(size, t, dtype=np.int64)])
                origine = np.concatenate([origine, np.full(size, 2, dtype=np.uint8)])
        self.burst_instants = sorted(burst_instants)
        cols = gen.attributes(rng, self.catalog, origine, gen.year_indexes(created), cfg.no_location_share,
                              cfg.malformed_share)
        order = np.lexsort((cols["score"], created))
        n = len(order)
        self.capacity = n + _GROWTH
        self.cols: dict[str, np.ndarray] = {}
        for name, dtype in gen.COLUMNS.items():
            self.cols[name] = np.zeros(self.capacity, dtype=dtype)
        for name, values in cols.items():
            self.cols[name][:n] = values[order]
        self.cols["created"][:n] = created[order]
        self.cols["withdrawn"][:] = ALIVE
        self.n = n
        self._ft_counters: dict[int, int] = {}
        self._next_partner = 7_000_000 + (cfg.seed * 7_919) % 300_000
        self._assign_ids(0, n, rng.integers(1, 3, n))
        keys = self.cols["id_key"][:n]
        self._key_order = np.argsort(keys, kind="stable")
        self._sorted_keys = keys[self._key_order]

    def _assign_ids(self, lo: int, hi: int, gaps: np.ndarray) -> None:
        """Ids of rows lo..hi-1 (in creation order): FT `NNNLLLL` with a weekly prefix, partner
        7-digit numbers increasing with time by the given gaps (one per row)."""
        created = self.cols["created"][lo:hi]
        ft = self.cols["origine"][lo:hi] == 1
        keys = np.empty(hi - lo, dtype=np.int64)
        prefix = 100 + (created[ft] // _WEEK_MS) % 900
        k = np.empty(len(prefix), dtype=np.int64)
        for p in np.unique(prefix):
            where = np.flatnonzero(prefix == p)
            start = self._ft_counters.get(int(p), 0)
            if start + len(where) > LETTERS:
                raise OverflowError(f"more than {LETTERS} France Travail offers in week prefix {p}")
            k[where] = start + np.arange(len(where))
            self._ft_counters[int(p)] = start + len(where)
        keys[ft] = prefix * LETTERS + ft_letters(k, prefix, self.config.seed)
        n_partner = int((~ft).sum())
        numbers = self._next_partner + np.cumsum(gaps[~ft])
        if n_partner and numbers[-1] >= 10_000_000:
            raise OverflowError("partner ids exhausted 7 digits")
        keys[~ft] = PARTNER_KEY + numbers
        if n_partner:
            self._next_partner = int(numbers[-1])
        self.cols["id_key"][lo:hi] = keys

    def _grow(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        capacity = max(needed, self.capacity + self.capacity // 4 + _GROWTH)
        if capacity >= 1 << 24:
            raise OverflowError("the market is limited to 16 M rows")
        for name, col in self.cols.items():
            grown = np.full(capacity, ALIVE if name == "withdrawn" else 0, dtype=col.dtype)
            grown[: self.n] = col[: self.n]
            self.cols[name] = grown
        self.capacity = capacity

    def append_rows(self, cols: dict[str, np.ndarray], created: np.ndarray, gaps: np.ndarray) -> range:
        """Append new offers (creation instants above every existing one, in row order); returns
        their rows."""
        lo, hi = self.n, self.n + len(created)
        self._grow(hi)
        for name, values in cols.items():
            if name in self.cols:
                self.cols[name][lo:hi] = values
        self.cols["created"][lo:hi] = created
        self.cols["withdrawn"][lo:hi] = ALIVE
        self.n = hi
        self._assign_ids(lo, hi, gaps)
        self._late_rows.update(zip(self.cols["id_key"][lo:hi].tolist(), range(lo, hi)))
        return range(lo, hi)

    # -- the interface -----------------------------------------------------------------------
    def advance(self, now_ms: int) -> None:
        """Apply churn up to now_ms (a no-op for instants already reached)."""
        self.churn.advance(now_ms)

    def search(self, query: Query, now_ms: int, at_ms: int | None = None,
               shuffle: np.random.Generator | None = None) -> SearchResult:
        """`query` answered at `now_ms`, from the market as it was at `at_ms` (default: now; a
        replica behind the others: reality.py), ties of sort=1 shuffled by `shuffle`."""
        self.advance(now_ms)
        result = self.engine.search(query, now_ms if at_ms is None else min(at_ms, now_ms), shuffle)
        self.renderer.prefetch(result.rows)
        return result

    def offer(self, row: int) -> dict:
        return self.renderer.render(row)

    def offers(self, rows: list[int]) -> list[dict]:
        """The offers of several rows, rendered in one pass (faster than offer() per row)."""
        return self.renderer.render_many(rows)

    def offer_id(self, row: int) -> str:
        return id_string(int(self.cols["id_key"][row]))

    def row_of_id(self, offer_id: str) -> int | None:
        key = id_key(offer_id)
        if key is None:
            return None
        i = int(np.searchsorted(self._sorted_keys, key))
        if i < len(self._sorted_keys) and self._sorted_keys[i] == key:
            return int(self._key_order[i])
        return self._late_rows.get(key)

    def is_alive(self, row: int, at_ms: int) -> bool:
        self.advance(at_ms)
        if not 0 <= row < self.n:
            return False
        return bool(self.cols["created"][row] <= at_ms < self.cols["withdrawn"][row])

    def _alive_rows(self, at_ms: int) -> np.ndarray:
        self.advance(at_ms)
        hi = int(np.searchsorted(self.cols["created"][: self.n], at_ms, side="right"))
        return np.flatnonzero(self.cols["withdrawn"][:hi] > at_ms)

    def alive_ids(self, at_ms: int) -> list[str]:
        return [id_string(int(k)) for k in self.cols["id_key"][self._alive_rows(at_ms)]]

    def alive_count(self, at_ms: int) -> int:
        return len(self._alive_rows(at_ms))


_REFERENTIELS: dict[int, dict[str, list[dict]]] = {}
_KEYWORDS: dict[int, KeywordIndex] = {}


def _referentiels(cat: Catalog) -> dict[str, list[dict]]:
    # The same catalog for every market of the process: build the lists once.
    if id(cat) not in _REFERENTIELS:
        _REFERENTIELS[id(cat)] = build_referentiels(cat)
    return _REFERENTIELS[id(cat)]


def _keyword_index(cat: Catalog) -> KeywordIndex:
    if id(cat) not in _KEYWORDS:
        _KEYWORDS[id(cat)] = KeywordIndex(cat)
    return _KEYWORDS[id(cat)]
