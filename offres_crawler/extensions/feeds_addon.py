"""Scrapy add-on for the offer feeds: the settings that depend on other settings.

- Parquet feeds always overwrite (a Parquet file cannot be appended to: `-o x.parquet` would
  keep only the last run's rows), so their `overwrite` option is forced on, with a warning.
- The FeedCompaction extension (the end of "latest wins", see pipelines/dedup.py) is enabled.
- OFFRES_SNAPSHOT=1 adds the FEEDS of the snapshot layout (extensions/snapshot_state.py),
  points OFFRES_REJECTS_URI into it (unless set explicitly) and enables the Snapshot extension.
  Any other FEEDS (`-O offres.jsonl`) keep working beside it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES

from offres_crawler.extensions.feed_compaction import FeedCompaction
from offres_crawler.extensions.snapshot import Snapshot

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)

URI_PARAMS = "offres_crawler.extensions.snapshot.snapshot_uri_params"
PART = "%(offres_snapshot_dir)s/_inprogress/part-r%(offres_run)s-%(batch_id)05d"
REJECTS = "%(offres_snapshot_dir)s/_rejects/rejects-r%(offres_run)s.jsonl"


def _format(uri: str, options: dict) -> str:
    return options.get("format") or Path(str(uri)).suffix.removeprefix(".")


class FeedsAddon:
    def update_settings(self, settings: Settings) -> None:
        feeds = {uri: dict(options or {}) for uri, options in settings.getdict("FEEDS").items()}
        for uri, options in feeds.items():
            if _format(uri, options) == "parquet" and options.get("overwrite") is not True:
                # `-o x.parquet` asks to append: say plainly that it cannot be
                logger.warning("A Parquet feed cannot be appended to: %s will be overwritten", uri)
                options["overwrite"] = True
        settings.setdefault_in_component_priority_dict("EXTENSIONS", FeedCompaction, 500)
        if settings.getbool("OFFRES_SNAPSHOT"):
            feeds.update(self._snapshot_feeds(settings))
            current = settings.getpriority("OFFRES_REJECTS_URI") or 0
            if current <= SETTINGS_PRIORITIES["project"]:  # not set explicitly by the user
                settings.set("OFFRES_REJECTS_URI", REJECTS, priority=current)
            settings.setdefault_in_component_priority_dict("EXTENSIONS", Snapshot, 510)
        if feeds:
            priority = max(settings.getpriority("FEEDS") or 0, SETTINGS_PRIORITIES["addon"])
            settings.set("FEEDS", feeds, priority=priority)

    @staticmethod
    def _snapshot_feeds(settings: Settings) -> dict[str, dict]:
        common = {"batch_item_count": settings.getint("OFFRES_SNAPSHOT_PART_ITEMS", 100_000),
                  "overwrite": True, "store_empty": True, "uri_params": URI_PARAMS}
        feeds = {f"{PART}.parquet": {"format": "parquet", **common}}
        if settings.getbool("OFFRES_SNAPSHOT_JSONL"):
            gz = settings.getbool("OFFRES_SNAPSHOT_JSONL_GZIP", True)
            feeds[f"{PART}.jsonl{'.gz' if gz else ''}"] = {"format": "jsonl", **common}
        return feeds
