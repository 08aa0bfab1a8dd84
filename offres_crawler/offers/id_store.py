"""A compact set of offer ids, each with the latest `dateActualisation` seen for it.

Memory: two numpy arrays (uint64 keys, int64 dates) in one open-addressing table with linear
probing, kept between 35 % and 70 % full: 16 bytes a slot, 23 to 46 bytes an id (about 34 at
1,000,000 ids), against well over 100 for a Python dict or set of strings.

Keys: an id of 1 to 7 ASCII characters (every id the API has shown: "179LKRN", "8521039") is
packed into the key losslessly, with its length in the top byte, so such ids never collide.
Any other id is hashed (BLAKE2b, 8 bytes, top bit set so the two kinds cannot meet): two
distinct ids collide with a probability of about n^2 / 2^64 (3e-8 at 1,000,000 ids).
Key 0 marks an empty slot and is never produced.

Dates are microseconds since the epoch (UTC); NO_DATE (the smallest int64) stands for a missing
or unparseable date and loses against any real one.

Framework-free; persisted as plain (n, 2) int64 .npy record files (see save_records/load_records).
"""

from __future__ import annotations

import hashlib
from enum import Enum
from pathlib import Path

import numpy as np

from offres_crawler.files import atomic_write

NO_DATE = int(np.iinfo(np.int64).min)
_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing spreads packed ids over the table
_M64 = (1 << 64) - 1
_HASHED = 1 << 63
_MAX_LOAD = 0.7


def id_key(offer_id: str) -> int:
    """The 64-bit key of an offer id (see the module docstring)."""
    raw = offer_id.encode("utf-8", "surrogatepass")
    if 0 < len(raw) <= 7 and raw.isascii():
        return (len(raw) << 56) | int.from_bytes(raw, "big")
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big") | _HASHED


class Outcome(Enum):
    NEW = "new"  # first copy of this id: keep it
    NEWER = "newer"  # a later dateActualisation than every copy seen: keep it, it supersedes them
    DUPLICATE = "duplicate"  # not newer than a copy already kept: drop it


class IdStore:
    def __init__(self, capacity: int = 1 << 16) -> None:
        size = 1 << max(4, (max(capacity, 16) - 1).bit_length())
        self._alloc(size)
        self._count = 0

    def _alloc(self, size: int) -> None:
        self._keys = np.zeros(size, dtype=np.uint64)
        self._dates = np.full(size, NO_DATE, dtype=np.int64)
        # memoryviews index to plain Python ints, several times faster than numpy scalars
        self._kv = self._keys.data
        self._dv = self._dates.data
        self._mask = size - 1
        self._shift = 64 - (size.bit_length() - 1)
        self._limit = int(size * _MAX_LOAD)

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        return self._keys.nbytes + self._dates.nbytes

    def _slot(self, key: int) -> int:
        """The slot holding `key`, or the empty slot where it would go."""
        i = ((key * _GOLDEN) & _M64) >> self._shift
        kv, mask = self._kv, self._mask
        while True:
            k = kv[i]
            if k == key or k == 0:
                return i
            i = (i + 1) & mask

    def get(self, key: int) -> int | None:
        """The latest date recorded for `key`, or None when the id was never seen."""
        i = self._slot(key)
        return self._dv[i] if self._kv[i] else None

    def __contains__(self, key: int) -> bool:
        return bool(self._kv[self._slot(key)])

    def offer(self, key: int, date: int) -> Outcome:
        """Record one copy of an offer; say whether to keep it. Ties keep the first copy."""
        i = self._slot(key)
        if self._kv[i] == 0:
            self._kv[i] = key
            self._dv[i] = date
            self._count += 1
            if self._count > self._limit:
                self._grow()
            return Outcome.NEW
        if date > self._dv[i]:
            self._dv[i] = date
            return Outcome.NEWER
        return Outcome.DUPLICATE

    def _grow(self) -> None:
        keys, dates = self.records_arrays()
        self._alloc((self._mask + 1) * 2)
        self._count = 0
        self.merge(keys, dates)

    # -- vectorised paths: loading a saved state, checking whole feed parts -------------------

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        """Vectorised `_slot` for distinct keys not being inserted concurrently."""
        idx = ((keys * np.uint64(_GOLDEN)) >> np.uint64(self._shift)).astype(np.int64)
        out = np.empty(len(keys), dtype=np.int64)
        todo = np.arange(len(keys))
        while len(todo):
            slot_keys = self._keys[idx[todo]]
            done = (slot_keys == keys[todo]) | (slot_keys == 0)
            out[todo[done]] = idx[todo[done]]
            todo = todo[~done]
            idx[todo] = (idx[todo] + 1) & self._mask
        return out

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The recorded date of each key (NO_DATE where unknown)."""
        keys = np.asarray(keys, dtype=np.uint64)
        slots = self._slots(keys)
        return np.where(self._keys[slots] == keys, self._dates[slots], NO_DATE)

    def merge(self, keys: np.ndarray, dates: np.ndarray) -> None:
        """Add records, keeping the latest date per key (used to restore a saved state)."""
        keys = np.asarray(keys, dtype=np.uint64)
        dates = np.asarray(dates, dtype=np.int64)
        if not len(keys):
            return
        # one record per key, its latest date: sort by (key, date) and keep each key's last row
        order = np.lexsort((dates, keys))
        keys, dates = keys[order], dates[order]
        last = np.ones(len(keys), dtype=bool)
        last[:-1] = keys[1:] != keys[:-1]
        keys, dates = keys[last], dates[last]
        while self._count + len(keys) > self._limit:
            old_keys, old_dates = self.records_arrays()
            self._alloc((self._mask + 1) * 2)
            self._count = 0
            self.merge(old_keys, old_dates)
        # Insert in rounds: keys wanting the same empty slot cannot all take it in one round.
        pending = np.arange(len(keys))
        while len(pending):
            slots = self._slots(keys[pending])
            present = self._keys[slots] == keys[pending]
            hit = pending[present]
            self._dates[slots[present]] = np.maximum(self._dates[slots[present]], dates[hit])
            free_slots, free = slots[~present], pending[~present]
            winners_slots, first = np.unique(free_slots, return_index=True)
            self._keys[winners_slots] = keys[free[first]]
            self._dates[winners_slots] = dates[free[first]]
            self._count += len(first)
            taken = np.zeros(len(free), dtype=bool)
            taken[first] = True
            pending = free[~taken]

    def records_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        used = self._keys != 0
        return self._keys[used].copy(), self._dates[used].copy()


# -- record files: (n, 2) int64 arrays of (key, date), written atomically ----------------------

def records(keys: np.ndarray, dates: np.ndarray) -> np.ndarray:
    return np.stack([np.asarray(keys, dtype=np.uint64).view(np.int64),
                     np.asarray(dates, dtype=np.int64)], axis=1)


def save_records(path: Path, keys: np.ndarray, dates: np.ndarray) -> None:
    """Write (key, date) records to `path` so that a crash leaves the old file or the new one."""
    with atomic_write(path) as f:
        np.save(f, records(keys, dates))


def load_records(path: Path) -> tuple[np.ndarray, np.ndarray]:
    data = np.load(path, allow_pickle=False)
    return data[:, 0].view(np.uint64), data[:, 1].copy()
