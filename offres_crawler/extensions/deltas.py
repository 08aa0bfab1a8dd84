"""After a snapshot is published, write what changed since the previous one (deltas/).

Runs when the engine has stopped, that is once the Snapshot extension has published (or not)
the day's snapshot and the run has been judged (extensions/run_end.py): only a published
snapshot is compared, always with the latest published one before it. The counts go to the
stats (`offres/deltas/created|updated|withdrawn|unchanged`, `offres/deltas/previous`), to the
snapshot's `_manifest.json` and to the run report (a `deltas` section in each), and to the log.
The work (about 35 s for two snapshots of a million offers) runs in a thread.

A failure here never touches the snapshot: it is logged with the command that computes the
deltas again by hand (`offres-crawler deltas --date YYYY-MM-DD`).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread

from offres_crawler.deltas.writer import write_deltas
from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.extensions.run_end import RunEnd
from offres_crawler.extensions.snapshot_state import MANIFEST
from offres_crawler.middlewares.per_crawler import shared

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def deltas_dir(configured: str | None, snapshot_dir: str) -> Path:
    """OFFRES_DELTAS_DIR, by default beside the snapshots: output/offres -> output/offres_deltas."""
    if configured:
        return Path(configured).resolve()
    snapshots = Path(snapshot_dir).resolve()
    return snapshots.with_name(snapshots.name + "_deltas")


def _add_section(path: Path, name: str, value: Any) -> None:
    """Add a top-level section to a JSON file, atomically."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data[name] = value
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class Deltas:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not (settings.getbool("OFFRES_SNAPSHOT") and settings.getbool("OFFRES_DELTAS_ENABLED", True)):
            raise NotConfigured
        self.crawler = crawler
        self.root = deltas_dir(settings.get("OFFRES_DELTAS_DIR"),
                               settings.get("OFFRES_SNAPSHOT_DIR", "output/offres"))
        self.gzip = settings.getbool("OFFRES_DELTAS_JSONL_GZIP", True)
        self.compression = settings.get("OFFRES_PARQUET_COMPRESSION", "zstd")
        self.end = shared(crawler, RunEnd)
        self.end.deltas_done.expected = True
        crawler.signals.connect(self.engine_stopped, signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Deltas:
        return cls(crawler)

    async def engine_stopped(self) -> None:
        try:
            await self.end.judged.wait()  # a snapshot may be taken back by the verdict
            await self._run()
        finally:
            self.end.deltas_done.set()

    async def _run(self) -> None:
        snapshot = FeedRegistry.of(self.crawler).snapshot
        if snapshot is None or snapshot.status != "published":
            self.end.deltas_note = "not computed: the snapshot was not published"
            return
        day = snapshot.snapshot_date
        stats = self.crawler.stats
        try:
            report = await run_in_thread(write_deltas, snapshot.root, day, self.root,
                                         gzip_jsonl=self.gzip, compression=self.compression)
        except Exception:
            logger.exception("Deltas of snapshot %s failed; the snapshot itself is published. "
                             "Compute them again with: offres-crawler deltas --date %s "
                             "--snapshots %s --deltas %s", day, day, snapshot.root, self.root)
            stats.set_value("offres/deltas/error", True)
            self.end.deltas_note = "FAILED (see the error above)"
            return
        if report is None:
            self.end.deltas_note = f"none: {day} is the first published snapshot"
            return
        self.end.deltas = report
        for kind, count in report["counts"].items():
            stats.set_value(f"offres/deltas/{kind}", count)
        stats.set_value("offres/deltas/previous", report["previous_snapshot_date"])
        section = {k: report[k] for k in ("previous_snapshot_date", "counts", "content_compared",
                                          "directory")}
        await run_in_thread(self._annotate, snapshot.published_dir / MANIFEST, section)
        c = report["counts"]
        logger.info("Deltas %s -> %s: %d created, %d updated, %d withdrawn (%d unchanged) in %s",
                    report["previous_snapshot_date"], day, c["created"], c["updated"],
                    c["withdrawn"], c["unchanged"], report["directory"])

    def _annotate(self, manifest: Path, section: dict[str, Any]) -> None:
        report_file = getattr(self.crawler.spider, "report_file", None)
        for path in (manifest, Path(report_file) if report_file else None):
            if path is not None and path.is_file():
                try:
                    _add_section(path, "deltas", section)
                except (OSError, ValueError):
                    logger.warning("Could not add the deltas counts to %s", path, exc_info=True)
