"""The rejects feed: every invalid offer, raw, with the reasons, one JSON object a line.

A dedicated writer rather than a FEEDS entry, so that rejects can never end up in an offers feed
whatever FEEDS a user configures (`-O offres.jsonl` included). It goes through Scrapy's feed
storages, so OFFRES_REJECTS_URI may be a path, a file:// URI or s3://..., with the placeholders
of FEEDS URIs (`%(name)s`, `%(time)s`, any spider attribute) and, in the snapshot layout,
`%(offres_snapshot_dir)s`. The file is created on the first reject only.

Crash-safe: a local file is appended to (its name is the run's own: `%(time)s`, or `rNN` in the
snapshot layout), so that the rejects flushed survive a kill; checkpoints (extensions/checkpoint.py)
and offres_detail's record of answered ids flush it with the offer feeds, and a resumed run cuts
it back to what they recorded.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlparse

from scrapy.extensions.feedexport import apply_uri_params
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.misc import build_from_crawler, load_object

from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.exporters.storage import DurableFileFeedStorage
from offres_crawler.jobdir import FileMark
from offres_crawler.per_crawler import shared

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class _Writers:
    def __init__(self, crawler: Crawler) -> None:
        self.writers: list[RejectsWriter] = []


def rejects_writers(crawler: Crawler) -> list[RejectsWriter]:
    """The crawl's rejects writers (one per validation pipeline)."""
    return shared(crawler, _Writers).writers


class RejectsWriter:
    def __init__(self, crawler: Crawler, uri_template: str) -> None:
        self.crawler = crawler
        self.uri_template = uri_template
        self.uri: str | None = None
        self.count = 0
        self._storage: Any = None
        self._file: IO[bytes] | None = None
        rejects_writers(crawler).append(self)

    def _open(self) -> None:
        spider = self.crawler.spider
        now = datetime.now(tz=UTC)
        params = {k: getattr(spider, k, None) for k in dir(spider) if not k.startswith("_")}
        params["time"] = now.replace(microsecond=0).isoformat().replace(":", "-")
        snapshot = FeedRegistry.of(self.crawler).snapshot
        if snapshot is not None:
            params.update(snapshot.uri_params())
        self.uri = apply_uri_params(self.uri_template, params)
        storages = self.crawler.settings.getwithbase("FEED_STORAGES")
        scheme = urlparse(self.uri).scheme
        storage_cls = load_object(storages.get(scheme) or storages["file"])
        # appended to: what is flushed survives a kill (the file name is this run's own)
        self._storage = build_from_crawler(storage_cls, self.crawler, self.uri,
                                           feed_options={"overwrite": False, "format": "jsonl"})
        self._file = self._storage.open(spider)

    def write(self, offer: Any, problems: list, reason: str) -> None:
        if self._file is None:
            self._open()
        record = {
            "reason": reason,
            "problems": [{"code": p.code, "path": p.path, "message": p.message} for p in problems],
            "rejected_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            "offer": offer,
        }
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=repr)
        assert self._file is not None
        self._file.write((line + "\n").encode("utf-8"))
        self.count += 1

    @property
    def path(self) -> str | None:
        """The local file written, None for a remote storage (or before the first reject)."""
        storage = self._storage
        return str(storage.path) if isinstance(storage, DurableFileFeedStorage) else None

    def flush_durably(self, fsync: bool = True) -> FileMark | None:
        """Flush (and fsync) a local rejects file: its length now (None: no local file open)."""
        if self._file is None or self.path is None:
            return None
        self._file.flush()
        if fsync:
            os.fsync(self._file.fileno())
        return FileMark(os.path.abspath(self.path), self._file.tell())

    def stored_mark(self) -> FileMark | None:
        """The length of a local rejects file once stored."""
        path = self.path
        return FileMark(os.path.abspath(path), os.path.getsize(path)) if path and os.path.exists(path) else None

    async def close(self) -> None:
        if self._file is None:
            return
        file, self._file = self._file, None
        await ensure_awaitable(self._storage.store(file))
        logger.warning("%d invalid offers were rejected: written with their reasons to %s",
                       self.count, self.uri)
