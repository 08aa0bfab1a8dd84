"""The add-on: components wired with the user's values winning, and every FEEDS decision."""

from __future__ import annotations

import os
import stat

import pytest
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.extensions.feedexport import FeedExporter
from scrapy.extensions.spiderstate import SpiderState
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from offres_crawler.addon import OffresAddon
from offres_crawler.addon_feeds import (
    DetailFeeds,
    NoWithdrawals,
    OneReferentiel,
    ReferentielFeeds,
    SearchFeeds,
    request_feeds,
)
from offres_crawler.exporters.storage import DurableFileFeedStorage
from offres_crawler.extensions.checkpoint import Checkpoints
from offres_crawler.extensions.feed_compaction import FeedCompaction
from offres_crawler.extensions.feed_exporter import OffresFeedExporter
from offres_crawler.extensions.progress import Progress
from offres_crawler.extensions.run_end import RunEnd
from offres_crawler.extensions.snapshot import Snapshot
from offres_crawler.extensions.spider_state import AtomicSpiderState
from offres_crawler.offers.withdrawal import OfferWithdrawal
from offres_crawler.pipelines.dedup import DedupPipeline
from offres_crawler.pipelines.validate import ValidatePipeline
from offres_crawler.spiders.offres_search import OffresSearchSpider
from offres_crawler.transport.handler import OffresDownloadHandler
from offres_crawler.transport.retry import ApiRetryMiddleware

PARTS = "%(offres_snapshot_dir)s/_inprogress/part-r%(offres_run)s-%(batch_id)05d"


def project(**cmdline) -> Settings:
    settings = Settings()
    settings.setmodule("offres_crawler.settings", priority="project")
    for name, value in cmdline.items():
        settings.set(name, value, priority="cmdline")
    return settings


class Spider:
    """What the add-on sees of a spider: the feed request it sent from `from_crawler`."""

    def __init__(self, request) -> None:
        self.crawler = get_crawler()
        if request is not None:
            request_feeds(self.crawler, request)

    def addon(self) -> OffresAddon:
        return OffresAddon.from_crawler(self.crawler)


def apply(request, **cmdline) -> Settings:
    settings = project(**cmdline)
    Spider(request).addon().update_settings(settings)
    return settings


def test_the_wiring():
    settings = apply(None)
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"http": OffresDownloadHandler, "https": OffresDownloadHandler}
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares[RetryMiddleware] is None and middlewares[ApiRetryMiddleware] == 550
    assert settings.getdict("ITEM_PIPELINES") == {ValidatePipeline: 300, DedupPipeline: 400}
    assert settings.getdict("EXTENSIONS") == {
        FeedExporter: None, OffresFeedExporter: 0, FeedCompaction: 500, Checkpoints: 515,
        RunEnd: 610, Progress: 600, SpiderState: None, AtomicSpiderState: 0}
    assert settings.getdict("FEED_STORAGES") == {"": DurableFileFeedStorage, "file": DurableFileFeedStorage}
    assert set(settings.getdict("DOWNLOAD_SLOTS")) == {"offres-api", "offres-token"}
    assert settings.getdict("FEEDS") == {}  # no spider asked for a default feed


def test_the_users_own_components_win_but_the_verdict_cannot_be_switched_off():
    settings = apply(None, DOWNLOAD_HANDLERS={"https": "my.Handler"},
                     DOWNLOADER_MIDDLEWARES={"offres_crawler.transport.retry.ApiRetryMiddleware": None},
                     ITEM_PIPELINES={"offres_crawler.pipelines.dedup.DedupPipeline": 410},
                     EXTENSIONS={"offres_crawler.extensions.run_end.RunEnd": None, Progress: None},
                     DOWNLOAD_SLOTS={"offres-api": {"concurrency": 4}})
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"https": "my.Handler", "http": OffresDownloadHandler}
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["offres_crawler.transport.retry.ApiRetryMiddleware"] is None
    assert ApiRetryMiddleware not in middlewares
    assert settings.getdict("ITEM_PIPELINES")["offres_crawler.pipelines.dedup.DedupPipeline"] == 410
    assert settings.getdict("DOWNLOAD_SLOTS")["offres-api"] == {"concurrency": 4}
    extensions = settings.getdict("EXTENSIONS")
    assert extensions[RunEnd] == 610 and "offres_crawler.extensions.run_end.RunEnd" not in extensions
    assert extensions[Progress] is None


def test_the_jobdir_is_created_private(tmp_path):
    apply(None, JOBDIR=str(tmp_path / "jobs" / "today"))
    assert stat.S_IMODE((tmp_path / "jobs" / "today").stat().st_mode) == 0o700
    existing = tmp_path / "mine"
    existing.mkdir(mode=0o755)
    apply(None, JOBDIR=str(existing))  # one the user made is left as it is
    assert stat.S_IMODE(existing.stat().st_mode) == 0o755 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_with_a_jobdir_snapshot_parts_also_close_by_time(tmp_path):
    parts = apply(SearchFeeds(), OFFRES_SNAPSHOT=True, JOBDIR=str(tmp_path / "job"),
                  OFFRES_CHECKPOINT_INTERVAL=30).getdict("FEEDS")
    assert parts[f"{PARTS}.parquet"]["offres_batch_seconds"] == 30.0
    assert "offres_batch_seconds" not in apply(SearchFeeds(), OFFRES_SNAPSHOT=True).getdict("FEEDS")[
        f"{PARTS}.parquet"]


def test_search_default_feed_only_without_a_feed_and_without_a_snapshot():
    assert apply(SearchFeeds()).getdict("FEEDS") == {
        "output/offres_search/offres_%(time)s.jsonl": {"format": "jsonl"}}
    assert apply(SearchFeeds(), FEEDS={"mine.jsonl": {"format": "jsonl"}}).getdict("FEEDS") == {
        "mine.jsonl": {"format": "jsonl"}}


def test_in_the_snapshot_layout_the_snapshot_is_the_feed():
    settings = apply(SearchFeeds(), OFFRES_SNAPSHOT=True)
    assert list(settings.getdict("FEEDS")) == [f"{PARTS}.parquet"]  # no JSONL beside it
    assert settings.getdict("EXTENSIONS")[Snapshot] == 510
    assert settings["OFFRES_REJECTS_URI"] == "%(offres_snapshot_dir)s/_rejects/rejects-r%(offres_run)s.jsonl"
    jsonl_too = apply(SearchFeeds(), OFFRES_SNAPSHOT=True, OFFRES_SNAPSHOT_JSONL=True)
    assert list(jsonl_too.getdict("FEEDS")) == [f"{PARTS}.parquet", f"{PARTS}.jsonl.gz"]
    # the user's -O keeps working beside the snapshot, and explicit rejects stay where they are
    mine = apply(SearchFeeds(), OFFRES_SNAPSHOT=True, FEEDS={"mine.jsonl": {"format": "jsonl"}},
                 OFFRES_REJECTS_URI="rejects.jsonl")
    assert list(mine.getdict("FEEDS")) == ["mine.jsonl", f"{PARTS}.parquet"]
    assert mine["OFFRES_REJECTS_URI"] == "rejects.jsonl"


def test_parquet_feeds_always_overwrite(caplog):
    settings = apply(SearchFeeds(), FEEDS={"x.parquet": {"format": "parquet"}, "y.parquet": {}})
    assert settings.getdict("FEEDS") == {"x.parquet": {"format": "parquet", "overwrite": True},
                                         "y.parquet": {"overwrite": True}}
    assert caplog.text.count("cannot be appended") == 2


@pytest.mark.parametrize("request_", [SearchFeeds(refused=True), DetailFeeds(refused=True),
                                      ReferentielFeeds(date="2025-10-09", refused=True)])
def test_a_refused_spider_gets_no_feed_and_no_snapshot(request_):
    settings = apply(request_, FEEDS={"mine.jsonl": {"format": "jsonl"}}, OFFRES_SNAPSHOT=True)
    assert settings.getdict("FEEDS") == {} and settings.getbool("OFFRES_SNAPSHOT") is False
    assert Snapshot not in settings.getdict("EXTENSIONS")


def test_referentiels_one_feed_per_list_unless_the_user_gave_one(caplog):
    settings = apply(ReferentielFeeds(date="2025-10-09", names=("pays", "regions")), OFFRES_SNAPSHOT=True)
    assert "OFFRES_SNAPSHOT is for full-market harvests: ignored by referentiels" in caplog.text
    assert settings.getbool("OFFRES_SNAPSHOT") is False
    assert settings.getdict("FEEDS") == {
        f"output/referentiels/2025-10-09/{name}.jsonl": {
            "item_filter": OneReferentiel, "offres_referentiel": name, "overwrite": True,
            "store_empty": False}  # a list a resumed run does not fetch again keeps its file
        for name in ("pays", "regions")}
    mine = apply(ReferentielFeeds(date="2025-10-09", names=("pays",)), FEEDS={"all.jsonl": {}})
    assert mine.getdict("FEEDS") == {"all.jsonl": {}}


def test_detail_withdrawals_have_their_own_feed_whatever_the_users():
    withdrawals = {"output/offres_detail/withdrawals_%(time)s.jsonl":
                   {"format": "jsonl", "item_classes": [OfferWithdrawal]}}
    assert apply(DetailFeeds()).getdict("FEEDS") == {
        "output/offres_detail/offres_%(time)s.jsonl": {"item_filter": NoWithdrawals}, **withdrawals}
    mine = apply(DetailFeeds(), FEEDS={"now.jsonl": {}, "filtered.jsonl": {"item_filter": "my.Filter"}})
    assert mine.getdict("FEEDS") == {"now.jsonl": {"item_filter": NoWithdrawals},
                                     "filtered.jsonl": {"item_filter": "my.Filter"}, **withdrawals}


def test_the_search_spider_tells_the_addon_from_from_crawler():
    from offres_crawler import settings as module

    defaults = {k: getattr(module, k) for k in dir(module) if k.startswith("OFFRES_")}
    crawler = get_crawler(OffresSearchSpider, defaults)
    crawler.spider = OffresSearchSpider.from_crawler(crawler, motsCles="data")
    settings = project(OFFRES_SNAPSHOT=True)
    OffresAddon.from_crawler(crawler).update_settings(settings)
    assert list(settings.getdict("FEEDS")) == [f"{PARTS}.parquet"]
    refused = get_crawler(OffresSearchSpider, defaults)
    refused.spider = OffresSearchSpider.from_crawler(refused, motsClés="data")  # not a parameter
    settings = project(FEEDS={"mine.jsonl": {"format": "jsonl"}})
    OffresAddon.from_crawler(refused).update_settings(settings)
    assert settings.getdict("FEEDS") == {}
