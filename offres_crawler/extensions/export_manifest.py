"""The manifest beside each redistributable feed file (OFFRES_EXPORT_PROFILE=redistribution).

The reuse licence asks whoever publishes the offers to name the source and the date of their
last update. Once every offer feed file is final, `<file>.manifest.json` is written beside each
local one (`offres.jsonl` -> `offres.jsonl.manifest.json`): source, attribution line, last update
(the latest `dateActualisation` in the file), licence, export profile and what it removed, rows.

Snapshot parts are covered by the snapshot's own `_manifest.json` (source, last update, licence;
its stats carry `offres/export_profile`). Remote feeds (S3, FTP, ...) get no manifest: it is
logged and counted in offres/export_profile/manifests_skipped.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread

from offres_crawler.analysis import licence
from offres_crawler.exporters.registry import FeedRegistry, WrittenPart, feeds_finalized
from offres_crawler.files import write_json_atomic
from offres_crawler.offers.id_store import NO_DATE
from offres_crawler.pipelines.export_profile import export_profile

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SUFFIX = ".manifest.json"


def manifest_path(feed_file: Path) -> Path:
    return feed_file.with_name(feed_file.name + SUFFIX)


def _iso_us(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, tz=UTC).isoformat(timespec="milliseconds")


class ExportManifest:
    def __init__(self, crawler: Crawler) -> None:
        self.profile = export_profile(crawler.settings)
        if self.profile != "redistribution":
            raise NotConfigured
        self.crawler = crawler
        self.registry = FeedRegistry.of(crawler)
        self.api_url = crawler.settings.get("OFFRES_API_URL")
        crawler.signals.connect(self.feeds_finalized, feeds_finalized)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportManifest:
        return cls(crawler)

    def _in_snapshot(self, path: Path) -> bool:
        snapshot = self.registry.snapshot
        return snapshot is not None and Path(snapshot.root).resolve() in path.resolve().parents

    async def feeds_finalized(self) -> None:
        local = [p for p in self.registry.parts if p.path is not None and not self._in_snapshot(p.path)]
        remote = [p for p in self.registry.parts if p.path is None]
        if remote:
            self.crawler.stats.inc_value("offres/export_profile/manifests_skipped", len(remote))
            logger.warning("No licence manifest written beside %d remote feed files (%s): publish "
                           "the source, last-update date and licence with them yourself",
                           len(remote), ", ".join(sorted({p.uri for p in remote})))
        if local:
            written = await run_in_thread(self._write_all, local)
            self.crawler.stats.inc_value("offres/export_profile/manifests", written)

    def _write_all(self, parts: list[WrittenPart]) -> int:
        now = datetime.now(tz=UTC).isoformat(timespec="seconds")
        for part in parts:
            assert part.path is not None
            dates = part.dates[part.dates != NO_DATE] if part.rows else part.dates
            last_update = _iso_us(int(dates.max())) if len(dates) else None
            data = licence.manifest(last_update=last_update, profile=self.profile, rows=part.rows,
                                    generated_at=now, api_url=self.api_url)
            data["file"] = part.path.name
            data["format"] = part.format
            target = manifest_path(part.path)
            write_json_atomic(target, data)
            logger.info("Licence manifest written: %s", target)
        return len(parts)
