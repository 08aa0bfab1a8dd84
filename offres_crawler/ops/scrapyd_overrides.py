"""Keep scrapyd from standing in for the project's settings (TRAPS, "Files").

scrapyd adds command-line settings to every job, which beat the project's and schedule.json's:
- `items_dir` set: `-s FEEDS={"file:///<items_dir>/<project>/<spider>/<job>.jl": {"format": "jsonlines"}}`;
- `jobs_dir` set: `-s JOBDIR=<jobs_dir>/<project>/<spider>/<job>`, a new one per job, so the
  next job could never resume a crashed one.
Recommended deployment: leave both empty (scrapyd 1.6's defaults; see docs/operations.md). If they
are set anyway, this add-on (active only in processes started by scrapyd, which sets the
SCRAPY_PROJECT environment variable):
- drops the items_dir feed in the snapshot layout (OFFRES_SNAPSHOT=1): the offers are in the
  snapshot, whose feeds come from OFFRES_SNAPSHOT_* settings scrapyd does not touch, and a
  second copy of the whole market in items_dir would only fill the disk. Outside the snapshot
  layout that feed is the only one left, so it is kept, with a warning.
  OFFRES_SCRAPYD_ITEMS_FEED = "keep" keeps it in every case;
- puts back the JOBDIR that `offres-crawler schedule` chose (OFFRES_JOBDIR), with a warning.
"""

from __future__ import annotations

import logging
import os
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


def is_scrapyd_items_feed(uri: str, options: dict[str, Any] | None, project: str) -> bool:
    """Whether a FEEDS entry is the one scrapyd's items_dir adds."""
    if dict(options or {}) != {"format": "jsonlines"}:
        return False
    path = PurePosixPath(unquote(urlparse(uri).path) if "://" in uri else uri)
    return path.suffix == ".jl" and len(path.parts) >= 3 and path.parts[-3] == project


class ScrapydOverridesAddon:
    def update_settings(self, settings: Settings) -> None:
        project = os.environ.get("SCRAPY_PROJECT")
        if not project:
            return  # not a scrapyd job
        self._restore_jobdir(settings)
        self._items_feed(settings, project)

    @staticmethod
    def _restore_jobdir(settings: Settings) -> None:
        wanted = settings.get("OFFRES_JOBDIR")
        current = settings.get("JOBDIR")
        if wanted and current != wanted:
            logger.warning("scrapyd's jobs_dir replaced JOBDIR (%s): using %s (OFFRES_JOBDIR) so "
                           "that a crashed snapshot can be resumed. Leave jobs_dir empty in "
                           "scrapyd.conf.", current, wanted)
            settings.set("JOBDIR", wanted, priority="cmdline")

    @staticmethod
    def _items_feed(settings: Settings, project: str) -> None:
        if settings.get("OFFRES_SCRAPYD_ITEMS_FEED", "drop") == "keep":
            return
        feeds = settings.getdict("FEEDS")
        found = [uri for uri, options in feeds.items() if is_scrapyd_items_feed(str(uri), options, project)]
        if not found:
            return
        if not settings.getbool("OFFRES_SNAPSHOT"):
            logger.warning("scrapyd's items_dir replaced this project's FEEDS: offers go to %s. "
                           "Leave items_dir empty in scrapyd.conf to use the project's feeds.",
                           ", ".join(found))
            return
        remaining = {uri: options for uri, options in feeds.items() if uri not in found}
        settings.set("FEEDS", remaining, priority=settings.getpriority("FEEDS") or 0)
        logger.info("scrapyd's items_dir feed (%s) dropped: the offers are in the snapshot",
                    ", ".join(found))
