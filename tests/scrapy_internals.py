"""`python -m tests.scrapy_internals`: check, in a real crawl of the installed Scrapy, every private
or undocumented attribute of Scrapy (and Twisted) that offres_crawler relies on; print the
missing ones as JSON (run by tests/test_dependencies.py, in a process of its own: it installs
Scrapy's reactor).

Each entry: the attribute, where the project uses it, and a check run on live objects (the
download handler, its connection pool and TLS policy, the engine's slot, the feed exporter's
slots), in the spider's `start()`, once the crawl is open, with a feed configured.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import scrapy
import twisted
from scrapy import Spider
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.extensions.feedexport import FeedExporter

USES: list[tuple[str, str, Callable[[Any], object]]] = []


def uses(attribute: str, where: str):
    def register(check: Callable[[Any], object]) -> Callable[[Any], object]:
        USES.append((attribute, where, check))
        return check
    return register


def _handler(crawler: Any) -> Any:
    from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

    return HTTP11DownloadHandler(crawler)


@uses("HTTP11DownloadHandler._pool.retryAutomatically",
      "transport/handler.py: Twisted's own re-send of a request on a reset connection, switched off")
def _pool(crawler: Any) -> object:
    pool = _handler(crawler)._pool
    assert hasattr(pool, "retryAutomatically")
    return pool


@uses("HTTP11DownloadHandler._contextFactory",
      "transport/handler.py: the TLS policy replaced when OFFRES_CA_BUNDLE is set")
def _context_factory(crawler: Any) -> object:
    return _handler(crawler)._contextFactory.creatorForNetloc


@uses("_ScrapyClientContextFactory._get_cert_options_kwargs()",
      "transport/tls.py: Scrapy's TLS options (versions, ciphers) kept with OFFRES_CA_BUNDLE")
def _cert_options(crawler: Any) -> object:
    options = _handler(crawler)._contextFactory._get_cert_options_kwargs()
    assert isinstance(options, dict)
    return options


@uses("ExecutionEngine._slot.nextcall.schedule()",
      "transport/scheduler.py (wake_engine): a delayed retry leaves when due")
def _engine_slot(crawler: Any) -> object:
    return crawler.engine._slot.nextcall.schedule


@uses("FeedExporter.slots", "spiders/offres_detail.py: the feeds flushed before an answer is recorded")
def _feed_slots(crawler: Any) -> object:
    slots = crawler.get_extension(FeedExporter).slots
    assert len(slots) == 1
    return slots


@uses("FeedSlot.storage, .uri, .format, .feed_options, .file, .exporter",
      "spiders/offres_detail.py, extensions/feed_compaction.py, extensions/run_end.py")
def _feed_slot(crawler: Any) -> object:
    slot = crawler.get_extension(FeedExporter).slots[0]
    return [slot.storage.path, slot.uri, slot.format, dict(slot.feed_options), slot.file, slot.exporter]


@uses("twisted.web._newclient: RequestNotSent, RequestTransmissionFailed, ResponseFailed, "
      "ResponseNeverReceived", "transport/failure_reasons.py: which download errors are retried")
def _newclient(crawler: Any) -> object:
    from twisted.web._newclient import (  # noqa: F401
        RequestNotSent,
        RequestTransmissionFailed,
        ResponseFailed,
        ResponseNeverReceived,
    )
    return RequestNotSent


class InternalsProbe(Spider):
    name = "internals_probe"
    missing: list[dict[str, str]] = []
    checked = 0

    async def start(self):
        for attribute, where, check in USES:
            InternalsProbe.checked += 1
            try:
                check(self.crawler)
            except Exception as exc:
                self.missing.append({"attribute": attribute, "where": where,
                                     "error": f"{type(exc).__name__}: {exc}"})
        return
        yield


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        process = AsyncCrawlerProcess({"LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
                                       "DOWNLOAD_VERIFY_CERTIFICATES": True,
                                       "FEEDS": {str(Path(tmp) / "x.jsonl"): {"format": "jsonlines"}}})
        process.crawl(InternalsProbe)
        process.start()
    json.dump({"scrapy": scrapy.__version__, "twisted": twisted.__version__,
               "uses": len(USES), "checked": InternalsProbe.checked,
               "missing": InternalsProbe.missing}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
