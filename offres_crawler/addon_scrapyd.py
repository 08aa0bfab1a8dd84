"""Keep scrapyd from standing in for the project's settings (TRAPS, "Files"); used by the add-on.

scrapyd adds command-line settings to every job, which beat the project's and schedule.json's:
- `items_dir` set: `-s FEEDS={"file:///<items_dir>/<project>/<spider>/<job>.jl": {"format": "jsonlines"}}`;
- `jobs_dir` set: `-s JOBDIR=<jobs_dir>/<project>/<spider>/<job>`, a new one per job, so the
  next job could never resume a crashed one.
Recommended deployment: leave both empty (scrapyd 1.6's defaults; see docs/operations.md). If
they are set anyway, in processes started by scrapyd (which sets SCRAPY_PROJECT):
- the items_dir feed is dropped in the snapshot layout (addon_feeds.py decides FEEDS);
- the JOBDIR that `offres-crawler schedule` chose (OFFRES_JOBDIR) is put back, with a warning.
"""

from __future__ import annotations

import logging
import os
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def scrapyd_project() -> str | None:
    """The scrapyd project this process is a job of, None outside scrapyd."""
    return os.environ.get("SCRAPY_PROJECT") or None


def is_scrapyd_items_feed(uri: str, options: dict[str, Any] | None, project: str) -> bool:
    """Whether a FEEDS entry is the one scrapyd's items_dir adds."""
    if dict(options or {}) != {"format": "jsonlines"}:
        return False
    path = PurePosixPath(unquote(urlparse(uri).path) if "://" in uri else uri)
    return path.suffix == ".jl" and len(path.parts) >= 3 and path.parts[-3] == project


def restore_jobdir(settings: BaseSettings) -> None:
    wanted = settings.get("OFFRES_JOBDIR")
    current = settings.get("JOBDIR")
    if wanted and current != wanted:
        logger.warning("scrapyd's jobs_dir replaced JOBDIR (%s): using %s (OFFRES_JOBDIR) so "
                       "that a crashed snapshot can be resumed. Leave jobs_dir empty in "
                       "scrapyd.conf.", current, wanted)
        settings.set("JOBDIR", wanted, priority="cmdline")
