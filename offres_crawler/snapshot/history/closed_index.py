"""Which offers were withdrawn, and when: the history's index for offers that come back.

An offer that re-appears after being withdrawn must get its record back from the file of the
day it was withdrawn. Looking that up must not cost a read of every withdrawal ever recorded
(15 million after a year), so the index is a few sorted runs of (id key, withdrawal day), each
two .npy files searched memory-mapped: a lookup touches O(log n) pages per id, not the files.

Each day's withdrawals add a run; the newest two runs are merged while the older is at most
twice the newer (size-tiered, as in an LSM tree), so there are O(log n) runs and each key is
rewritten O(log n) times over its life: the daily cost follows the day's withdrawals. Runs are
immutable files: a new generation of the history links the runs it keeps and writes the merged
ones (history/store.py).

Entries are never removed: a key found points at the latest day it was withdrawn, and the caller
checks that day's file (an offer that came back and was withdrawn again has a later entry).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NONE = -1  # the day returned for a key never withdrawn


@dataclass(frozen=True)
class Run:
    name: str  # files <name>.keys.npy and <name>.days.npy
    rows: int

    def files(self) -> tuple[str, str]:
        return f"{self.name}.keys.npy", f"{self.name}.days.npy"


def _load(directory: Path, run: Run) -> tuple[np.ndarray, np.ndarray]:
    keys, days = run.files()
    return (np.load(directory / keys, mmap_mode="r"), np.load(directory / days, mmap_mode="r"))


def _save(directory: Path, run: Run, keys: np.ndarray, days: np.ndarray) -> None:
    keys_name, days_name = run.files()
    np.save(directory / keys_name, keys, allow_pickle=False)
    np.save(directory / days_name, days, allow_pickle=False)


def lookup(directory: Path, runs: Iterable[Run], keys: np.ndarray) -> np.ndarray:
    """For each key, the latest day (days since the epoch) it was recorded withdrawn, else NONE."""
    found = np.full(len(keys), NONE, dtype=np.int32)
    if not len(keys):
        return found
    order = np.argsort(keys, kind="stable")
    wanted = keys[order]
    for run in runs:
        run_keys, run_days = _load(directory, run)
        if not len(run_keys):
            continue
        # entries are sorted by (key, day): the last entry of a key is its latest day
        at = np.searchsorted(run_keys, wanted, side="right") - 1
        safe = np.maximum(at, 0)
        hit = (at >= 0) & (np.asarray(run_keys[safe]) == wanted)
        days = np.where(hit, np.asarray(run_days[safe]), NONE).astype(np.int32)
        found[order] = np.maximum(found[order], days)
    return found


def add(directory: Path, runs: list[Run], keys: np.ndarray, day: int, name: str) -> list[Run]:
    """Add a run of `keys` withdrawn on `day` to the runs in `directory` (a generation being
    built, where the runs are linked), merging as the policy says; merged runs' files are
    removed from `directory`. Returns the runs now, oldest first."""
    runs = list(runs)
    if not len(keys):
        return runs
    keys = np.sort(keys)
    days = np.full(len(keys), day, dtype=np.int32)
    merged = 0
    while runs and runs[-1].rows <= 2 * len(keys):
        older = runs.pop()
        keys, days = _merge(directory, older, keys, days)
        for file_name in older.files():
            (directory / file_name).unlink()
        merged += 1
    new = Run(f"{name}-{merged}", len(keys))
    _save(directory, new, keys, days)
    return [*runs, new]


def _merge(directory: Path, older: Run, keys: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    old_keys, old_days = _load(directory, older)
    all_keys = np.concatenate([np.asarray(old_keys), keys])
    all_days = np.concatenate([np.asarray(old_days), days])
    order = np.lexsort((all_days, all_keys))
    return all_keys[order], all_days[order]
