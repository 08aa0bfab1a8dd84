"""Churn: offers created and withdrawn while the sandbox runs, deterministically.

Birth k (k = 0, 1, ...) happens at anchor + (k + u_k) / rate seconds, withdrawal j likewise at its
own rate; u_k, the new offer's attributes and the victim of each withdrawal are drawn from blocks of
1,024 events seeded by (market seed, kind, block). So the same offers appear and go, at the same
instants, whatever instants `advance` is called with in between.

Events are applied in time order: a withdrawal picks its victim among the offers alive at its
instant (an array of alive rows with swap-removal keeps that O(1)).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from offres_crawler.sandbox import generation as gen

if TYPE_CHECKING:
    from offres_crawler.sandbox.market_view import MarketView

BLOCK = 1024
_NEW, _GONE = "new", "gone"


class Churn:
    def __init__(self, market: MarketView) -> None:
        self.m = market
        cfg = market.config
        self.new_rate = cfg.churn_new_per_s
        self.gone_rate = cfg.churn_withdrawn_per_s
        self.now = market.anchor_ms
        # Births k < _born_upto are done; _born_late holds the later k already born (a partner
        # offer is born at the next whole second, so births are not quite in k order).
        self._born_upto = 0
        self._born_late: set[int] = set()
        self._withdrawals_done = 0
        self._alive: np.ndarray | None = None  # rows alive now, built at the first withdrawal
        self._initial = np.empty(0, dtype=np.int64)  # rows alive at the first withdrawal
        self._alive_pos: dict[int, int] = {}  # rows whose position in _alive changed since
        self._n_alive = 0
        self._blocks: dict[tuple[str, int], dict[str, np.ndarray]] = {}

    # -- deterministic draws -----------------------------------------------------------------
    def _block(self, kind: str, block: int) -> dict[str, np.ndarray]:
        key = (kind, block)
        cached = self._blocks.get(key)
        if cached is None:
            cfg = self.m.config
            rng = np.random.default_rng([cfg.seed, 2 if kind == _NEW else 3, block])
            if kind == _NEW:
                origine = np.where(rng.random(BLOCK) < gen.FT_SHARE, 1, 2).astype(np.uint8)
                # Born after the anchor: they take the shares of the anchor's year.
                year = gen.year_indexes(np.array([self.m.anchor_ms]))[0]
                cached = gen.attributes(rng, self.m.catalog, origine, year, cfg.no_location_share,
                                        cfg.malformed_share)
                cached["u"] = rng.random(BLOCK)
                cached["gaps"] = rng.integers(1, 3, BLOCK)  # partner id increments
            else:
                cached = {"u": rng.random(BLOCK), "pick": rng.integers(0, 2**62, BLOCK)}
            if len(self._blocks) > 64:
                self._blocks.clear()
            self._blocks[key] = cached
        return cached

    def _draw(self, kind: str, i: int, name: str):
        return self._block(kind, i // BLOCK)[name][i % BLOCK]

    def _event_time(self, kind: str, i: int, rate: float) -> int:
        return self.m.anchor_ms + int((i + self._draw(kind, i, "u")) * 1000.0 / rate)

    def _birth_instant(self, k: int) -> int:
        t = self._event_time(_NEW, k, self.new_rate)
        if self._draw(_NEW, k, "origine") == 2:
            return -(-t // 1000) * 1000  # partner offers carry whole seconds (.000Z)
        return t

    # -- applying events ---------------------------------------------------------------------
    def advance(self, now_ms: int) -> None:
        if now_ms <= self.now:
            return
        births = self._births_until(now_ms) if self.new_rate > 0 else []
        withdrawals = self._withdrawals_until(now_ms) if self.gone_rate > 0 else []
        self.now = now_ms
        if not withdrawals:
            self._append(births)
            return
        if self._alive is None:
            self._init_alive()
        b = 0
        for w_time, pick in withdrawals:
            # Offers born at or before the withdrawal instant can be its victim.
            end = b
            while end < len(births) and births[end][0] <= w_time:
                end += 1
            self._append(births[b:end])
            b = end
            if self._n_alive:
                self._withdraw(int(self._alive[pick % self._n_alive]), w_time)
        self._append(births[b:])

    def _births_until(self, now_ms: int) -> list[tuple[int, int, int]]:
        """(instant, score, k) of the offers born in (previous now, now_ms], in row order."""
        out = []
        k = self._born_upto
        while self._event_time(_NEW, k, self.new_rate) <= now_ms:
            if k not in self._born_late:
                c = self._birth_instant(k)
                if c <= now_ms:
                    out.append((c, int(self._draw(_NEW, k, "score")), k))
                    self._born_late.add(k)
            k += 1
        while self._born_upto in self._born_late:
            self._born_late.discard(self._born_upto)
            self._born_upto += 1
        out.sort()
        return out

    def _withdrawals_until(self, now_ms: int) -> list[tuple[int, int]]:
        out = []
        j = self._withdrawals_done
        while (t := self._event_time(_GONE, j, self.gone_rate)) <= now_ms:
            out.append((t, int(self._draw(_GONE, j, "pick"))))
            j += 1
        self._withdrawals_done = j
        return out

    def _append(self, births: list[tuple[int, int, int]]) -> None:
        if not births:
            return
        ks = np.array([k for _, _, k in births], dtype=np.int64)
        blocks, within = ks // BLOCK, ks % BLOCK
        cols = {name: np.zeros(len(births), dtype=dtype) for name, dtype in gen.COLUMNS.items()}
        gaps = np.empty(len(births), dtype=np.int64)
        for b in np.unique(blocks):
            sel = np.flatnonzero(blocks == b)
            block = self._block(_NEW, int(b))
            for name in cols:
                if name in block:
                    cols[name][sel] = block[name][within[sel]]
            gaps[sel] = block["gaps"][within[sel]]
        created = np.array([c for c, _, _ in births], dtype=np.int64)
        rows = self.m.append_rows({n: c for n, c in cols.items() if n not in ("created", "withdrawn", "id_key")},
                                  created, gaps)
        if self._alive is not None:
            self._ensure_alive_capacity(self._n_alive + len(rows))
            self._alive[self._n_alive:self._n_alive + len(rows)] = rows
            for i, row in enumerate(rows):
                self._alive_pos[row] = self._n_alive + i
            self._n_alive += len(rows)

    def _init_alive(self) -> None:
        alive = np.flatnonzero(self.m.cols["withdrawn"][: self.m.n] == np.iinfo(np.int64).max)
        self._alive = np.empty(len(alive) + BLOCK, dtype=np.int64)
        self._alive[: len(alive)] = alive
        self._alive_pos = {}
        self._initial = alive
        self._n_alive = len(alive)

    def _ensure_alive_capacity(self, needed: int) -> None:
        if needed > len(self._alive):
            grown = np.empty(needed + needed // 4 + BLOCK, dtype=np.int64)
            grown[: self._n_alive] = self._alive[: self._n_alive]
            self._alive = grown

    def _position(self, row: int) -> int:
        pos = self._alive_pos.get(row)
        if pos is None:  # an initial row never moved: its position is its rank among them
            pos = int(np.searchsorted(self._initial, row))
        return pos

    def _withdraw(self, row: int, at_ms: int) -> None:
        pos = self._position(row)
        last = int(self._alive[self._n_alive - 1])
        self._alive[pos] = last
        self._alive_pos[last] = pos
        self._alive_pos[row] = -1
        self._n_alive -= 1
        self.m.cols["withdrawn"][row] = at_ms
