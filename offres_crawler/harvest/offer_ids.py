"""The distinct offers a harvest received, counted without a Python set of every id.

A full-market harvest receives about 1,000,000 ids: as a set of strings that is well over 100
bytes an id, and it would be written into every saved planner state. The offers' compact id
store (offres_crawler.offers.id_store: 64-bit keys in a numpy table, about 34 bytes an id) holds
them instead; saved, an id is its 8-byte key in base64 (under 11 characters of JSON).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

import numpy as np

from offres_crawler.offers.id_store import NO_DATE, IdStore, id_key


class OfferIds:
    def __init__(self, capacity: int = 1 << 12) -> None:
        self._store = IdStore(capacity)

    def update(self, ids: Iterable[str]) -> None:
        offer = self._store.offer
        for oid in ids:
            offer(id_key(oid), NO_DATE)

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, oid: object) -> bool:
        return isinstance(oid, str) and id_key(oid) in self._store

    @property
    def nbytes(self) -> int:
        return self._store.nbytes

    def to_text(self) -> str:
        """Every key, sorted, as base64 of little-endian uint64s."""
        keys, _ = self._store.records_arrays()
        return base64.b64encode(np.sort(keys).astype("<u8").tobytes()).decode("ascii")

    @classmethod
    def from_text(cls, text: str) -> OfferIds:
        keys = np.frombuffer(base64.b64decode(text.encode("ascii"), validate=True), dtype="<u8")
        ids = cls(capacity=2 * len(keys))
        ids._store.merge(keys.astype(np.uint64), np.full(len(keys), NO_DATE, dtype=np.int64))
        return ids
