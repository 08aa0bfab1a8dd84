"""The snapshot layout for full-market crawls (OFFRES_SNAPSHOT=1): partitioned, resumable,
published only when complete. The layout itself is described in snapshot/state.py; the FEEDS
that write it are decided by the add-on (addon_feeds.py).

Commit protocol, so that a crawl killed at any moment and resumed from its JOBDIR ends with
every offer once:
1. Feeds write each part (OFFRES_SNAPSHOT_PART_ITEMS rows; Parquet, and JSONL when asked) into
   `_inprogress/`. Both formats receive the same items, so part N of each holds the same rows.
2. When every format of part N is stored, its rows' (id, dateActualisation) records are saved
   atomically in JOBDIR/offres_dedup/commits/part-rRR-NNNNN.npz: that file IS the commit.
3. Then the part's files are moved out of `_inprogress/`.
On resume, the dedup pipeline restores exactly the committed records; files of committed parts
still in `_inprogress/` are moved (step 3 had not happened), the others are deleted: their rows
are unknown to the restored state, so the spider's re-fetch writes them again, once.
A commit also records each file's size. When the end of a run drops superseded rows from a
committed part, its commit is written again; a run killed in between leaves a part whose size
is not the one recorded, whose records the next run reads back from the file itself.

At the end of the run (every feed final, superseded rows dropped), the RunEnd extension
(extensions/run_end.py) decides the verdict, writes `_manifest.json` (`snapshot_manifest` below)
into the staging directory and, only if the verdict is complete, publishes it as
`snapshot_date=YYYY-MM-DD/` (SnapshotState.finish). An incomplete snapshot stays in `_staging/`:
never presented as the day's snapshot, not even for a moment.
"""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.job import job_dir

from offres_crawler.addon_feeds import requested_feeds
from offres_crawler.analysis import attribution
from offres_crawler.exporters.registry import FeedRegistry, WrittenPart, feeds_finalized, part_written
from offres_crawler.files import atomic_write, replace_durably
from offres_crawler.offers.arrow_schema import EXTRA_COLUMN, SCHEMA_VERSION
from offres_crawler.offers.id_store import NO_DATE
from offres_crawler.pipelines.dedup import COMMITS_DIR, state_dir
from offres_crawler.snapshot.fresh import FRESH_DIR, PARTITION_KEY, fresh_section
from offres_crawler.snapshot.part_records import part_records
from offres_crawler.snapshot.state import SnapshotState, part_name

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

part_committed = object()  # signal: part_committed(name), its commit record is on disk

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _iso_us(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, tz=UTC).isoformat(timespec="milliseconds")


class Snapshot:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("OFFRES_SNAPSHOT"):
            raise NotConfigured
        self.crawler = crawler
        self.registry = FeedRegistry.of(crawler)
        jobdir = job_dir(settings)
        self.jobdir = Path(jobdir) if jobdir else None
        self.commits_dir = state_dir(crawler) / COMMITS_DIR if self.jobdir else None
        self.formats = {"parquet"} | ({"jsonl"} if settings.getbool("OFFRES_SNAPSHOT_JSONL") else set())
        root = Path(settings.get("OFFRES_SNAPSHOT_DIR", "output/offres"))
        fresh = getattr(requested_feeds(crawler), "fresh", None)  # OFFRES_SINCE (snapshot/fresh.py)
        if fresh is None:
            self.state, resumed = SnapshotState.begin(root, self.jobdir, settings.get("OFFRES_SNAPSHOT_DATE") or None)
        else:
            self.state, resumed = SnapshotState.begin(root / FRESH_DIR, self.jobdir, fresh.label,
                                                      partition_key=PARTITION_KEY)
        self.registry.snapshot = self.state
        self._pending: dict[str, dict[str, WrittenPart]] = {}
        if resumed:
            self._recover()
        elif self.jobdir is not None:
            # A fresh snapshot starts from an empty dedup state (a stale one would drop offers).
            shutil.rmtree(state_dir(crawler), ignore_errors=True)
        crawler.stats.set_value("offres/snapshot/run", self.state.run)
        crawler.signals.connect(self.part_written, part_written)
        crawler.signals.connect(self.feeds_finalized, feeds_finalized)
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        logger.info("Snapshot %s, run %d, staged in %s", self.state.snapshot_date, self.state.run,
                    self.state.staging_dir)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Snapshot:
        return cls(crawler)

    def spider_opened(self) -> None:
        if self.registry.store is None:
            logger.warning("Snapshot without the dedup pipeline (is the spider in "
                           "OFFRES_OFFER_SPIDERS?): offers may repeat, and a resumed run would "
                           "write again what was committed")

    # -- resume ---------------------------------------------------------------------------------

    def _committed(self) -> dict[str, Path]:
        if self.commits_dir is None or not self.commits_dir.is_dir():
            return {}
        return {path.stem: path for path in sorted(self.commits_dir.glob("*.npz"))}

    def _recover(self) -> None:
        committed = self._committed()
        moved, deleted = self.state.recover_in_progress(set(committed))
        stats = self.crawler.stats
        stats.set_value("offres/snapshot/recovered_files", len(moved))
        stats.set_value("offres/snapshot/discarded_files", len(deleted))
        if deleted:
            logger.info("Resuming snapshot %s: discarded %d uncommitted part files",
                        self.state.snapshot_date, len(deleted))
        # Earlier runs' parts join this run's, for the final compaction and the manifest.
        for name, commit in committed.items():
            with np.load(commit) as data:
                arrays = {key: data[key] for key in data.files}
            stale = False
            for fmt, suffix in (("parquet", ".parquet"), ("jsonl", ".jsonl"), ("jsonl", ".jsonl.gz")):
                path = self.state.staging_dir / (name + suffix)
                if not path.is_file() or f"{fmt}__keys" not in arrays:
                    continue
                recorded = arrays.get(f"{fmt}__bytes")
                if recorded is not None and int(recorded[0]) != path.stat().st_size:
                    # rewritten after its commit (superseded rows dropped): the file is the truth
                    keys, dates = part_records(path, fmt)
                    arrays.update(_records(fmt, path, keys, dates))
                    stale = True
                self.registry.parts.append(WrittenPart(
                    uri=str(path), format=fmt, path=path,
                    keys=arrays[f"{fmt}__keys"].view(np.uint64), dates=arrays[f"{fmt}__dates"],
                    parquet_options={"compression": self.crawler.settings.get(
                        "OFFRES_PARQUET_COMPRESSION", "zstd"), "version": "2.6"}))
            if stale:
                logger.info("Resuming: the commit of %s is read again from its files", name)
                _save_commit(commit, arrays)

    # -- commits --------------------------------------------------------------------------------

    async def part_written(self, part: WrittenPart) -> None:
        if part.path is None or part.path.parent != self.state.in_progress_dir.resolve():
            return  # another feed, not the snapshot's
        name = part_name(part.path.name)
        files = self._pending.setdefault(name, {})
        files[part.format] = part
        if set(files) >= self.formats:
            del self._pending[name]
            await run_in_thread(self._commit, name, files)
            self.crawler.stats.inc_value("offres/snapshot/parts")
            await self.crawler.signals.send_catch_log_async(part_committed, name=name)

    def _commit(self, name: str, files: dict[str, WrittenPart]) -> None:
        if self.commits_dir is not None:
            self.commits_dir.mkdir(parents=True, exist_ok=True)
            arrays = {}
            for fmt, part in files.items():
                assert part.path is not None
                arrays.update(_records(fmt, part.path, part.keys, part.dates))
            _save_commit(self.commits_dir / f"{name}.npz", arrays)
        for part in files.values():
            assert part.path is not None
            target = self.state.staging_dir / part.path.name
            replace_durably(part.path, target)
            part.path = target


    async def feeds_finalized(self) -> None:
        """Superseded rows were dropped from some committed parts: their commits follow."""
        if self.commits_dir is not None:
            await run_in_thread(self._recommit)

    def _recommit(self) -> None:
        staged = self.state.staging_dir.resolve()
        for part in self.registry.parts:
            if part.path is None or part.path.parent.resolve() != staged or not part.path.is_file():
                continue
            assert self.commits_dir is not None
            commit = self.commits_dir / f"{part_name(part.path.name)}.npz"
            if not commit.is_file():
                continue
            with np.load(commit) as data:
                arrays = {key: data[key] for key in data.files}
            recorded = arrays.get(f"{part.format}__bytes")
            if recorded is not None and int(recorded[0]) == part.path.stat().st_size:
                continue
            arrays.update(_records(part.format, part.path, part.keys, part.dates))
            _save_commit(commit, arrays)


def _records(fmt: str, path: Path, keys: np.ndarray, dates: np.ndarray) -> dict[str, np.ndarray]:
    """What a commit holds of one file: its rows' records and its size."""
    return {f"{fmt}__keys": np.asarray(keys, dtype=np.uint64).view(np.int64),
            f"{fmt}__dates": np.asarray(dates, dtype=np.int64),
            f"{fmt}__bytes": np.array([path.stat().st_size], dtype=np.int64)}


def _save_commit(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with atomic_write(path) as f:
        np.savez(f, **arrays)


def snapshot_manifest(crawler: Crawler, state: SnapshotState, *, verdict: dict[str, Any],
                      run_report: dict[str, Any] | None) -> dict[str, Any]:
    """The `_manifest.json` of the staged snapshot: source, licence, dates, counts, parts, the
    verdict, the `offres/*` stats and the run report."""
    staged = state.staging_dir.resolve()
    parts = [p for p in FeedRegistry.of(crawler).parts if p.path is not None and p.path.parent == staged]
    primary = [p for p in parts if p.format == "parquet"]
    latest = max((int(p.dates.max()) for p in primary if p.rows), default=NO_DATE)
    last_update = _iso_us(latest) if latest != NO_DATE else None
    stats = crawler.stats.get_stats()
    return {
        "dataset": "France Travail job offers, full market snapshot",
        "snapshot_date": state.snapshot_date,
        "complete": bool(verdict["complete"]),
        "source": {"name": attribution.SOURCE_NAME, "api": attribution.SOURCE_API,
                   "url": crawler.settings.get("OFFRES_API_URL"),
                   "attribution": attribution.attribution(last_update)},
        "licence": {"name": attribution.LICENCE_NAME, "notes": attribution.LICENCE_NOTES},
        "crawl": {"started_at": state.started_at,
                  "finished_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
                  "runs": state.run, "finish_reason": verdict["finish_reason"],
                  "spider": getattr(crawler.spidercls, "name", None)},
        "last_update": last_update,
        "counts": {"offers": sum(p.rows for p in primary),
                   "rejects": stats.get("offres/rejects/count", 0),
                   "duplicates_dropped": stats.get("offres/dedup/duplicates", 0),
                   "superseded_rows_dropped": stats.get("offres/dedup/compacted_rows", 0)},
        "parts": [{"file": p.path.name, "format": p.format, "rows": p.rows}
                  for p in sorted(parts, key=lambda p: p.path.name)],
        "schema": {"version": SCHEMA_VERSION, "extra_column": EXTRA_COLUMN},
        "verdict": verdict,
        "stats": {k: v for k, v in stats.items() if k.startswith("offres/")},
        "run_report": run_report,
        **({"dataset": "France Travail job offers created since a snapshot",
            "fresh": fresh_section(state.snapshot_date, run_report)} if state.partition_key == PARTITION_KEY else {}),
    }
