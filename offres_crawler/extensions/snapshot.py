"""The snapshot layout for full-market crawls (OFFRES_SNAPSHOT=1): partitioned, resumable,
published only when complete. The layout itself is described in snapshot_state.py; the FEEDS
that write it are built by feeds_addon.py.

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

At the end (every feed final, superseded rows dropped), `_manifest.json` is written and, if the
crawl finished with a reason in OFFRES_SNAPSHOT_PUBLISH_REASONS and did not report missing
offers (`offres/missing`), the staging directory becomes `snapshot_date=YYYY-MM-DD/`. An
incomplete snapshot stays in `_staging/`: never presented as the day's snapshot.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.job import job_dir

from offres_crawler.api import attribution
from offres_crawler.api.arrow_schema import EXTRA_COLUMN, SCHEMA_VERSION
from offres_crawler.api.id_store import NO_DATE
from offres_crawler.exporters.registry import FeedRegistry, WrittenPart, feeds_finalized, part_written
from offres_crawler.extensions.snapshot_state import MANIFEST, SnapshotState, part_name
from offres_crawler.pipelines.dedup import COMMITS_DIR, state_dir

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def snapshot_uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """FEEDS `uri_params` of the snapshot feeds: adds %(offres_snapshot_date)s, %(offres_run)s
    and %(offres_snapshot_dir)s."""
    snapshot = FeedRegistry.of(spider.crawler).snapshot
    return {**params, **snapshot.uri_params()} if snapshot is not None else params


def _iso_us(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, tz=timezone.utc).isoformat(timespec="milliseconds")


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
        self.publish_reasons = set(settings.getlist("OFFRES_SNAPSHOT_PUBLISH_REASONS", ["finished"]))
        self.state, resumed = SnapshotState.begin(
            Path(settings.get("OFFRES_SNAPSHOT_DIR", "output/offres")), self.jobdir,
            settings.get("OFFRES_SNAPSHOT_DATE") or None)
        self.registry.snapshot = self.state
        self._pending: dict[str, dict[str, WrittenPart]] = {}
        self._reason: str | None = None
        self._feeds_final = False
        if resumed:
            self._recover()
        elif self.jobdir is not None:
            # A fresh snapshot starts from an empty dedup state (a stale one would drop offers).
            shutil.rmtree(state_dir(crawler), ignore_errors=True)
        crawler.stats.set_value("offres/snapshot/run", self.state.run)
        crawler.signals.connect(self.part_written, part_written)
        crawler.signals.connect(self.feeds_finalized, feeds_finalized)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)
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
                for fmt, suffix in (("parquet", ".parquet"), ("jsonl", ".jsonl"), ("jsonl", ".jsonl.gz")):
                    path = self.state.staging_dir / (name + suffix)
                    if path.is_file() and f"{fmt}__keys" in data:
                        self.registry.parts.append(WrittenPart(
                            uri=str(path), format=fmt, path=path,
                            keys=data[f"{fmt}__keys"].view(np.uint64), dates=data[f"{fmt}__dates"],
                            parquet_options={"compression": self.crawler.settings.get(
                                "OFFRES_PARQUET_COMPRESSION", "zstd"), "version": "2.6"}))

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

    def _commit(self, name: str, files: dict[str, WrittenPart]) -> None:
        if self.commits_dir is not None:
            self.commits_dir.mkdir(parents=True, exist_ok=True)
            arrays = {}
            for fmt, part in files.items():
                arrays[f"{fmt}__keys"] = part.keys.view(np.int64)
                arrays[f"{fmt}__dates"] = part.dates
            tmp = self.commits_dir / f"{name}.npz.tmp"
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.commits_dir / f"{name}.npz")
        for part in files.values():
            assert part.path is not None
            target = self.state.staging_dir / part.path.name
            os.replace(part.path, target)
            part.path = target

    # -- the end --------------------------------------------------------------------------------

    async def spider_closed(self, reason: str) -> None:
        self._reason = reason
        if self._feeds_final:
            await self._finish()

    async def feeds_finalized(self) -> None:
        self._feeds_final = True
        if self._reason is not None:
            await self._finish()

    async def _finish(self) -> None:
        stats = self.crawler.stats
        missing = stats.get_value("offres/missing")
        # `offres/incomplete` also covers requests that failed for good (the exit code 3 rule).
        complete = (self._reason in self.publish_reasons and not missing
                    and not stats.get_value("offres/incomplete"))
        manifest = self._manifest(complete)
        published = await run_in_thread(self._write_and_publish, manifest, complete)
        if published is not None:
            stats.set_value("offres/snapshot/published", str(published))
            logger.info("Snapshot %s published: %s (%d offers in %d parts)",
                        self.state.snapshot_date, published, manifest["counts"]["offers"],
                        len(manifest["parts"]))
        else:
            logger.warning("Snapshot %s is incomplete (finish reason %s, %s missing offers, "
                           "incomplete flag %s): left "
                           "unpublished in %s; run again with the same JOBDIR to resume it",
                           self.state.snapshot_date, self._reason, missing or 0,
                           bool(stats.get_value("offres/incomplete")), self.state.staging_dir)

    def _write_and_publish(self, manifest: dict, complete: bool) -> Path | None:
        path = self.state.staging_dir / MANIFEST
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str))
        if not complete:
            return None
        target = self.state.publish()
        self.state.save(self.jobdir)
        return target

    def _manifest(self, complete: bool) -> dict:
        staged = self.state.staging_dir.resolve()
        parts = [p for p in self.registry.parts if p.path is not None and p.path.parent == staged]
        primary = [p for p in parts if p.format == "parquet"]
        latest = max((int(p.dates.max()) for p in primary if p.rows), default=NO_DATE)
        last_update = _iso_us(latest) if latest != NO_DATE else None
        stats = self.crawler.stats.get_stats()
        spider = self.crawler.spider
        report = getattr(spider, "offres_run_report", None)
        if callable(report):
            report = report()
        settings = self.crawler.settings
        return {
            "dataset": "France Travail job offers, full market snapshot",
            "snapshot_date": self.state.snapshot_date,
            "complete": complete,
            "source": {"name": attribution.SOURCE_NAME, "api": attribution.SOURCE_API,
                       "url": settings.get("OFFRES_API_URL"),
                       "attribution": attribution.attribution(last_update)},
            "licence": {"name": attribution.LICENCE_NAME, "notes": attribution.LICENCE_NOTES},
            "crawl": {"started_at": self.state.started_at,
                      "finished_at": datetime.now(tz=timezone.utc).isoformat(timespec="seconds"),
                      "runs": self.state.run, "finish_reason": self._reason,
                      "spider": getattr(spider, "name", None)},
            "last_update": last_update,
            "counts": {"offers": sum(p.rows for p in primary),
                       "rejects": stats.get("offres/rejects/count", 0),
                       "duplicates_dropped": stats.get("offres/dedup/duplicates", 0),
                       "superseded_rows_dropped": stats.get("offres/dedup/compacted_rows", 0)},
            "parts": [{"file": p.path.name, "format": p.format, "rows": p.rows}
                      for p in sorted(parts, key=lambda p: p.path.name)],
            "schema": {"version": SCHEMA_VERSION, "extra_column": EXTRA_COLUMN},
            "stats": {k: v for k, v in stats.items() if k.startswith("offres/")},
            "run_report": report,
        }
