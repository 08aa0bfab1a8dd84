"""The history on disk: generations behind one symlink, switched atomically.

    output/offres_history/                     OFFRES_HISTORY_DIR
        current -> _generations/g000042-2026-11-28     what readers read (a relative symlink)
        _generations/
            g000041-2026-11-27/                a checkpoint: the history as of an earlier date
            g000042-2026-11-28/
                offers/online.parquet          records of the offers online in the latest snapshot
                offers/withdrawn-2026-11-28.parquet    records of the offers withdrawn that day
                offers/withdrawn-...parquet    (one file per day with withdrawals)
                _index/                        id keys of online.parquet's rows; the withdrawal
                                               index (history/closed_index.py)
                _history.json                  the dates applied, with their counts and notes
        .lock                                  one update at a time

Readers glob `current/offers/*.parquet`: one record per offer ever seen, whatever the date.

An update builds a new generation in `_generations/.building-…`: files that do not change
(the withdrawals of past days, index runs) are hard links to the previous generation's, so a
day costs what changed plus the online file (the live market, not the history). The directory is
fsynced and renamed into place, then `current` is replaced by a new symlink in one rename. A kill
at any instant leaves `current` on the old generation or the new one, never a mix; leftovers
(a half-built directory, a generation built but never made current) are removed by the next
update. The newest generations of the current chain are kept as checkpoints, from which a day
can be applied again (a snapshot published again, or out of order) without rebuilding it all.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.files import fsync_dir, read_json, replace_durably, write_json_atomic
from offres_crawler.snapshot.history.closed_index import Run
from offres_crawler.snapshot.history.records import HISTORY_SCHEMA

logger = logging.getLogger(__name__)

CURRENT = "current"
GENERATIONS = "_generations"
OFFERS = "offers"
INDEX = "_index"
ONLINE = "online.parquet"
ONLINE_KEYS = "online.keys.npy"
STATE = "_history.json"
LOCK = ".lock"
BUILDING = ".building-"
FORMAT = 1
ROW_GROUP_ROWS = 250_000
_GENERATION = re.compile(r"^g(\d{6,})-(\d{4}-\d{2}-\d{2})$")


def withdrawn_file(day: str) -> str:
    return f"withdrawn-{day}.parquet"


def write_records(path: Path, table: pa.Table, compression: str = "zstd") -> None:
    pq.write_table(table.cast(HISTORY_SCHEMA), path, compression=compression,
                   row_group_size=ROW_GROUP_ROWS)


class _Directories:
    """The two directories of a generation, built or being built."""

    path: Path

    @property
    def offers(self) -> Path:
        return self.path / OFFERS

    @property
    def index(self) -> Path:
        return self.path / INDEX


@dataclass
class Generation(_Directories):
    """One generation directory, read lazily."""

    path: Path
    seq: int
    day: str

    def state(self) -> dict[str, Any]:
        return read_json(self.path / STATE)

    def online(self) -> tuple[pa.Table, np.ndarray]:
        """The online records (sorted by id key) and their keys."""
        table = pq.read_table(self.offers / ONLINE)
        keys = np.load(self.index / ONLINE_KEYS)
        if len(keys) != table.num_rows:
            raise ValueError(f"{self.path}: the online keys do not match online.parquet")
        return table, keys

    def runs(self) -> list[Run]:
        return [Run(r["name"], r["rows"]) for r in self.state()["index_runs"]]

    def withdrawn_days(self) -> list[str]:
        return sorted(p.name[len("withdrawn-"):-len(".parquet")] for p in self.offers.glob("withdrawn-*.parquet"))


class Builder(_Directories):
    """A generation being built from the previous one (or from nothing)."""

    def __init__(self, store: HistoryStore, seq: int, day: str, base: Generation | None) -> None:
        self.store, self.seq, self.day = store, seq, day
        self.path = store.generations / f"{BUILDING}{seq:06d}"
        shutil.rmtree(self.path, ignore_errors=True)
        (self.path / OFFERS).mkdir(parents=True)
        (self.path / INDEX).mkdir()
        self.replaced: set[str] = set()
        if base is not None:  # everything but what a generation always rewrites
            for sub in (OFFERS, INDEX):
                for source in (base.path / sub).iterdir():
                    if source.name not in (ONLINE, ONLINE_KEYS):
                        os.link(source, self.path / sub / source.name)

    def replace_withdrawn(self, day: str, table: pa.Table) -> None:
        """Write (or rewrite) the withdrawn records of `day`; an empty table removes the file."""
        path = self.offers / withdrawn_file(day)
        path.unlink(missing_ok=True)  # a link to the previous generation's file: never written through
        if table.num_rows:
            write_records(path, table, self.store.compression)

    def finish(self, online: pa.Table, keys: np.ndarray, state: dict[str, Any]) -> Generation:
        write_records(self.offers / ONLINE, online, self.store.compression)
        np.save(self.index / ONLINE_KEYS, keys, allow_pickle=False)
        write_json_atomic(self.path / STATE, {"format": FORMAT, **state})
        self._fsync()
        target = self.store.generations / f"g{self.seq:06d}-{self.day}"
        replace_durably(self.path, target)
        return Generation(target, self.seq, self.day)


    def _fsync(self) -> None:
        """Make the generation durable: the files written by this update (a hard link to an
        earlier generation's file is, like the file, durable already: its directory entry is
        made so with the directory's)."""
        for sub in (OFFERS, INDEX):
            for path in (self.path / sub).iterdir():
                if path.stat().st_nlink == 1:
                    with open(path, "rb") as f:
                        os.fsync(f.fileno())
            fsync_dir(self.path / sub)
        fsync_dir(self.path)


class HistoryStore:
    def __init__(self, root: Path, *, keep: int = 7, compression: str = "zstd") -> None:
        self.root = Path(root)
        self.generations = self.root / GENERATIONS
        self.keep = max(2, keep)  # the previous generation is what a re-run day starts from
        self.compression = compression

    # -- reading ------------------------------------------------------------------------------

    def all_generations(self) -> list[Generation]:
        if not self.generations.is_dir():
            return []
        found = []
        for path in self.generations.iterdir():
            m = _GENERATION.match(path.name)
            if m and path.is_dir():
                found.append(Generation(path, int(m.group(1)), m.group(2)))
        return sorted(found, key=lambda g: g.seq)

    def current(self) -> Generation | None:
        link = self.root / CURRENT
        if not link.is_symlink():
            return None
        m = _GENERATION.match(Path(os.readlink(link)).name)
        if m is None:
            raise ValueError(f"{link} does not point at a generation of the history")
        return Generation(self.generations / Path(os.readlink(link)).name, int(m.group(1)), m.group(2))

    def checkpoints(self) -> list[Generation]:
        """Generations of the current chain, newest first: each holds an earlier date than the
        one after it (older generations of a date applied again are not on the chain)."""
        current = self.current()
        if current is None:
            return []
        chain: list[Generation] = []
        for g in reversed(self.all_generations()):
            if g.seq <= current.seq and (not chain or g.day < chain[-1].day):
                chain.append(g)
        return chain

    # -- writing ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, timeout: float = 3600.0) -> Iterator[None]:
        """One update at a time (the crawl's end and a command run by hand may meet)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+") as lock:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the history in {self.root} is being updated by "
                                           f"another process (lock {self.root / LOCK})") from None
                    time.sleep(0.5)
            try:
                self.recover()
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def recover(self) -> None:
        """Remove what a killed update left: half-built generations, and generations built but
        never made current."""
        current = self.current()
        if not self.generations.is_dir():
            return
        for path in self.generations.iterdir():
            m = _GENERATION.match(path.name)
            unused = m is not None and (current is None or int(m.group(1)) > current.seq)
            if path.name.startswith(BUILDING) or unused:
                logger.info("History: removing %s, left by an interrupted update", path)
                shutil.rmtree(path)
        for path in self.root.glob(f".{CURRENT}.*"):
            path.unlink()

    def next_seq(self) -> int:
        return max((g.seq for g in self.all_generations()), default=0) + 1

    def builder(self, day: str, base: Generation | None) -> Builder:
        self.generations.mkdir(parents=True, exist_ok=True)
        return Builder(self, self.next_seq(), day, base)

    def make_current(self, generation: Generation) -> None:
        """Point `current` at `generation`, in one rename, then drop what is no longer kept."""
        temporary = self.root / f".{CURRENT}.{generation.seq}"
        temporary.unlink(missing_ok=True)
        os.symlink(Path(GENERATIONS) / generation.path.name, temporary)
        os.replace(temporary, self.root / CURRENT)
        fsync_dir(self.root)
        self.prune()

    def prune(self) -> None:
        kept = {g.path for g in self.checkpoints()[: self.keep]}
        for g in self.all_generations():
            if g.path not in kept:
                shutil.rmtree(g.path, ignore_errors=True)
