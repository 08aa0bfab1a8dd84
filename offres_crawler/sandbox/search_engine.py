"""A search over the market's columns: the window, the filters, keywords, facets and sorts.

The candidate rows are a contiguous range of the creation-ordered rows (narrowed by binary search
when the query bounds the creation date); every filter (search_filters.py) then narrows a boolean
mask over that range only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from offres_crawler.sandbox import generation as gen
from offres_crawler.sandbox.facts import contracts
from offres_crawler.sandbox.query import Query, SearchResult
from offres_crawler.sandbox.reality import shuffle_ties
from offres_crawler.sandbox.search_filters import Filters, Window

if TYPE_CHECKING:
    from offres_crawler.sandbox.market_view import MarketView

_ROW_BITS = 24  # rows are below 16.7 M
_SCORE_BITS = 16
_KW_MAX = 31  # keyword score cap (5 bits)
_N_CODES = int(np.prod(gen.FACET_SIZES))


class SearchEngine:
    def __init__(self, market: MarketView) -> None:
        self.market = market
        cat = market.catalog
        self.cat = cat
        self.type_order = np.argsort([c for c, _, _ in contracts.TYPES_CONTRATS])
        self.type_codes = [c for c, _, _ in contracts.TYPES_CONTRATS]
        self.nature_order = np.argsort([c for c, _, _ in contracts.NATURES_CONTRATS])
        self.nature_codes = [c for c, _, _ in contracts.NATURES_CONTRATS]
        self.filters = Filters(cat)

    # -- entry point -------------------------------------------------------------------------
    def search(self, query: Query, now_ms: int, shuffle: np.random.Generator | None = None) -> SearchResult:
        """The result of `query` on the market as it is at `now_ms`; `shuffle`: put ties of sort=1
        in a random order (reality.py)."""
        m = self.market
        f = query.filters
        created = m.cols["created"][: m.n]
        lo, hi = 0, int(np.searchsorted(created, now_ms, side="right"))
        if f.get("minCreationDate") is not None:
            lo = max(lo, int(np.searchsorted(created, int(f["minCreationDate"]) * 1000, side="left")))
        if f.get("maxCreationDate") is not None:
            hi = min(hi, int(np.searchsorted(created, (int(f["maxCreationDate"]) + 1) * 1000, side="left")))
        if f.get("publieeDepuis") is not None:
            since = now_ms - int(f["publieeDepuis"]) * gen.DAY_MS
            lo = max(lo, int(np.searchsorted(created, since, side="left")))
        if lo >= hi:
            return SearchResult(total=0, rows=[], facets={})
        window = Window(m.cols, lo, hi)
        mask, distance = self.filters.mask(window, f, now_ms)
        if not f.get("motsCles") and query.sort == 1 and shuffle is None:
            # The crawler's usual query needs neither the matching rows listed nor sorted: a count,
            # the facets and the newest rows of the mask (at 1 M rows, listing them cost 6 ms).
            total = int(np.count_nonzero(mask))
            if total == 0:
                return SearchResult(total=0, rows=[], facets={})
            codes = window["facet"] if total == window.size else window["facet"][mask]
            newest = _newest(mask, query.start, min(query.end, total - 1)) + lo
            return SearchResult(total=total, rows=newest.tolist(), facets=self._facets(codes))
        rows = np.flatnonzero(mask)
        kw_score = None
        if f.get("motsCles"):
            rows, kw_score = self._keywords(window, rows, f["motsCles"])
        rows_abs = rows + lo
        total = len(rows_abs)
        if total == 0:
            return SearchResult(total=0, rows=[], facets={})
        facets = self._facets(window["facet"][rows])
        page = self._sort(query, window, rows, rows_abs, kw_score, distance, shuffle)
        return SearchResult(total=total, rows=page, facets=facets)

    def _keywords(self, w: Window, rows: np.ndarray, keywords: list[str]) -> tuple[np.ndarray, np.ndarray]:
        app = w["appellation"][rows]
        met = w["metier"][rows]
        comp = w["comp_mask"][rows]
        keep = np.ones(len(rows), dtype=bool)
        score = np.zeros(len(rows), dtype=np.int64)
        for kw in keywords:
            matched, s = self.market.keywords.match(kw, app, met, comp)
            keep &= matched
            score += s
        return rows[keep], np.minimum(score[keep], _KW_MAX)

    # -- facets and sorts --------------------------------------------------------------------
    def _facets(self, codes: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        """Counts of the matching rows' facet codes (generation.facet_code): one bincount over the
        rows, then each facet's counts summed out of the small table."""
        table = np.bincount(codes, minlength=_N_CODES).reshape(gen.FACET_SIZES)
        types, natures = table.sum(axis=(1, 2, 3)), table.sum(axis=(0, 2, 3))
        exp, qual = table.sum(axis=(0, 1, 3)), table.sum(axis=(0, 1, 2))
        qual_counts = (("0", int(qual[1:9].sum())), ("9", int(qual[9])), ("X", int(qual[0])))
        return {
            "typeContrat": [(self.type_codes[i], int(types[i])) for i in self.type_order if types[i]],
            "experience": [(b, int(exp[int(b)])) for b in contracts.EXPERIENCE_FACET_ORDER if exp[int(b)]],
            "qualification": [(v, n) for v, n in qual_counts if n],
            "natureContrat": [(self.nature_codes[i], int(natures[i])) for i in self.nature_order if natures[i]],
        }

    def _sort(self, query: Query, w: Window, rows: np.ndarray, rows_abs: np.ndarray,
              kw_score: np.ndarray | None, distance: np.ndarray | None,
              shuffle: np.random.Generator | None = None) -> list[int]:
        start, end = query.start, min(query.end, len(rows_abs) - 1)
        if start > end:
            return []
        if query.sort == 1 and shuffle is not None:
            ordered = rows_abs[::-1]
            return shuffle_ties(ordered, self.market.cols["created"][ordered], start, end, shuffle).tolist()
        if query.sort == 1:
            # Rows are in creation order, ties by ascending pertinence: descending rows = sort 1.
            return rows_abs[::-1][start:end + 1].tolist()
        pertinence = w["score"][rows].astype(np.int64)
        if kw_score is not None:
            pertinence = pertinence | (kw_score << _SCORE_BITS)
        if query.sort == 2 and distance is not None:
            d = distance[w["commune"][rows] + 1]
            pert_bits = _SCORE_BITS + 5
            key = (d << (pert_bits + _ROW_BITS)) | (((1 << pert_bits) - 1 - pertinence) << _ROW_BITS) \
                | ((1 << _ROW_BITS) - 1 - rows_abs)
        else:
            # Pertinence descending, then creation descending (= row descending): negate for asc.
            key = -((pertinence << _ROW_BITS) | rows_abs)
        k = end + 1
        if k < len(key):
            top = np.argpartition(key, k - 1)[:k]
            top = top[np.argsort(key[top])]
        else:
            top = np.argsort(key)
        return rows_abs[top[start:]].tolist()


def _newest(mask: np.ndarray, start: int, end: int) -> np.ndarray:
    """Indexes of the start-th to end-th True of `mask` counted from its end (newest first), read
    from a tail of the mask that grows until it holds them."""
    n, take = len(mask), 4 * (end + 1)
    while True:
        lo = max(0, n - take)
        hits = np.flatnonzero(mask[lo:])
        if len(hits) > end or lo == 0:
            return (hits + lo)[::-1][start:end + 1]
        take *= 4
