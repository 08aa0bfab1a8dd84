"""`python -m tests.scrapy_internals`: check, in a real crawl of the installed Scrapy, every private
or undocumented attribute of Scrapy (and Twisted) that offres_crawler relies on; print the
missing ones as JSON (run by tests/test_dependencies.py, in a process of its own: it installs
Scrapy's reactor).

Each entry: the attribute, where the project uses it, and a check run on live objects (the
download handler, its connection pool and TLS policy, the engine's slot and scheduler, the feed
exporter's slots), in the spider's `start()`, once the crawl is open, with a feed and a JOBDIR;
and the private methods our subclasses override, with the parameters they rely on (OVERRIDES).
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


# Private methods of Scrapy's classes that our subclasses override (or call through super()),
# with the parameters we pass or accept: a renamed method would leave our override never called,
# silently (the atomic active.json, the memory-only requests, the time-closed batches...).
OVERRIDES = [
    ("scrapy.core.scheduler.Scheduler", "_dqpush", ("request",), "transport/scheduler.py: memory-only requests"),
    ("scrapy.core.scheduler.Scheduler", "_mqpush", ("request",), "transport/scheduler.py: held requests queued"),
    ("scrapy.core.scheduler.Scheduler", "_read_dqs_state", ("dqdir",),
     "transport/scheduler.py: a torn active.json is not a crash"),
    ("scrapy.core.scheduler.Scheduler", "_write_dqs_state", ("dqdir", "state"),
     "transport/scheduler.py: active.json replaced atomically"),
    ("scrapy.extensions.feedexport.FeedExporter", "_start_new_batch",
     ("batch_id", "uri", "feed_options", "spider", "uri_template"),
     "extensions/feed_exporter.py: batches closed by time"),
    ("scrapy.extensions.feedexport.FeedExporter", "_get_uri_params", ("spider", "uri_params_function", "slot"),
     "extensions/feed_exporter.py: the next batch's URI"),
    ("scrapy.extensions.feedexport.FeedExporter", "_schedule_slot_close", ("slot", "spider"),
     "extensions/feed_exporter.py: a full batch closed"),
    ("scrapy.extensions.spiderstate.SpiderState", "spider_closed", ("spider",),
     "extensions/spider_state.py: spider.state written atomically"),
]
# extensions/feed_exporter.py replaces FeedExporter.item_scraped by a copy with one change (when a
# batch is full): the copy follows Scrapy's as it was. When Scrapy's changes, compare and adapt
# the copy, then record the new digest here.
ITEM_SCRAPED_SHA256 = "38a470372f46a7d06d00b4bc671bffdda1d5b4207a68a5cefac37067f1d6b0a8"


def _method(path: str, name: str) -> Any:
    import importlib

    module, _, cls = path.rpartition(".")
    return getattr(getattr(importlib.import_module(module), cls), name)


def _override_check(path: str, name: str, params: tuple[str, ...]) -> Callable[[Any], object]:
    def check(crawler: Any) -> object:
        import inspect

        accepted = inspect.signature(_method(path, name)).parameters
        absent = [p for p in params if p not in accepted]
        assert not absent, f"no parameter {', '.join(absent)} (has {', '.join(accepted)})"
        return accepted
    return check


for _path, _name, _params, _where in OVERRIDES:
    uses(f"{_path.rpartition('.')[2]}.{_name}({', '.join(_params)})", _where)(_override_check(_path, _name, _params))


def source_digest(function: Any) -> str:
    import hashlib
    import inspect
    import textwrap

    return hashlib.sha256(textwrap.dedent(inspect.getsource(function)).encode()).hexdigest()


@uses("FeedExporter.item_scraped (its code)", "extensions/feed_exporter.py: OffresFeedExporter.item_scraped "
      "is Scrapy's with one change")
def _item_scraped(crawler: Any) -> object:
    digest = source_digest(FeedExporter.item_scraped)
    assert digest == ITEM_SCRAPED_SHA256, f"Scrapy's FeedExporter.item_scraped changed (sha256 {digest})"
    return digest


@uses("FeedSlot.uri_template, .batch_id, .itemcount, .filter.accepts(), .start_exporting(); "
      "FeedExporter.feeds; FileFeedStorage.path, .write_mode",
      "extensions/feed_exporter.py, exporters/storage.py, extensions/checkpoint_feeds.py")
def _slot_internals(crawler: Any) -> object:
    exporter = crawler.get_extension(FeedExporter)
    slot = exporter.slots[0]
    assert isinstance(slot.batch_id, int) and isinstance(slot.itemcount, int)
    assert slot.uri_template in exporter.feeds and "batch_item_count" in exporter.feeds[slot.uri_template]
    assert callable(slot.filter.accepts) and callable(slot.start_exporting)
    assert slot.storage.write_mode in ("wb", "ab") and slot.storage.path
    return slot


@uses("Scheduler.dqs (the disk queues)", "transport/scheduler.py: delayed requests saved in the JOBDIR")
def _scheduler_dqs(crawler: Any) -> object:
    dqs = crawler.engine._slot.scheduler.dqs
    assert dqs is not None, "no disk queue in a crawl with a JOBDIR"
    return dqs


@uses("SpiderState.statefn, .jobdir", "extensions/spider_state.py: spider.state written atomically")
def _spider_state(crawler: Any) -> object:
    from scrapy.extensions.spiderstate import SpiderState

    state = SpiderState("/tmp/offres-probe-jobdir")
    assert state.jobdir == "/tmp/offres-probe-jobdir"
    return state.statefn


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
                                       "DOWNLOAD_VERIFY_CERTIFICATES": True, "JOBDIR": str(Path(tmp) / "job"),
                                       "FEEDS": {str(Path(tmp) / "x.jsonl"): {"format": "jsonlines"}}})
        process.crawl(InternalsProbe)
        process.start()
    json.dump({"scrapy": scrapy.__version__, "twisted": twisted.__version__,
               "uses": len(USES), "checked": InternalsProbe.checked,
               "missing": InternalsProbe.missing}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
