"""OFFRES_SINCE without a crawl: the frozen instant read from a manifest, the labels, what is
refused and why, and what the spider asks the add-on for."""

from __future__ import annotations

import json

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from offres_crawler import settings as project_module
from offres_crawler.addon import OffresAddon
from offres_crawler.addon_feeds import PART, requested_feeds
from offres_crawler.harvest.dates import param_to_epoch
from offres_crawler.snapshot.fresh import FAR_AHEAD, SinceError, frozen_instant, label, parse_label, resolve
from offres_crawler.spiders.offres_search import OffresSearchSpider

DEFAULTS = {k: getattr(project_module, k) for k in dir(project_module) if k.startswith("OFFRES_")}


def _crawler(tmp_path, **settings):
    return get_crawler(OffresSearchSpider, {**DEFAULTS, "OFFRES_SINCE": "2026-11-28T14:00:00Z",
                                            "OFFRES_SNAPSHOT_DIR": str(tmp_path), **settings})


def _manifest(server_time: str | None, query: dict | None = None) -> dict:
    return {"complete": True, "run_report": {"query": query or {}, "root": {"server_time": server_time}}}


def _publish(root, day: str, manifest: dict) -> None:
    directory = root / f"snapshot_date={day}"
    directory.mkdir(parents=True)
    (directory / "_manifest.json").write_text(json.dumps(manifest))


def test_the_frozen_instant_is_the_last_second_the_server_had_closed_at_the_root():
    # Date 10:00:10: seconds up to 10:00:07 are closed with the margin (harvest/heads.py)
    assert frozen_instant(_manifest("2026-11-28T10:00:10Z")) == param_to_epoch("2026-11-28T10:00:07Z")
    # a snapshot of a query that ends earlier covers up to its end
    bounded = _manifest("2026-11-28T10:00:10Z", {"minCreationDate": "2026-01-01T00:00:00Z",
                                                  "maxCreationDate": "2026-11-01T00:00:00Z"})
    assert frozen_instant(bounded) == param_to_epoch("2026-11-01T00:00:00Z")
    assert frozen_instant({"complete": True}) is None and frozen_instant(_manifest(None)) is None


def test_labels_are_instants_without_colons():
    epoch = param_to_epoch("2026-11-28T02:00:03Z")
    assert label(epoch) == "20261128T020003Z" and parse_label("20261128T020003Z") == epoch


def test_latest_is_the_latest_published_snapshot(tmp_path):
    with pytest.raises(SinceError, match="no published snapshot in"):
        resolve("latest", tmp_path)
    _publish(tmp_path, "2026-11-27", _manifest("2026-11-27T02:00:10Z"))
    _publish(tmp_path, "2026-11-28", _manifest("2026-11-28T02:00:10Z"))
    _publish(tmp_path, "2026-11-29", {**_manifest("2026-11-29T02:00:10Z"), "complete": False})
    since = resolve("latest", tmp_path)
    assert (since.snapshot_date, since.label) == ("2026-11-28", "20261128T020007Z")
    assert since.query() == {"minCreationDate": "2026-11-28T02:00:07Z", "maxCreationDate": FAR_AHEAD}
    _publish(tmp_path, "2026-11-30", {"complete": True})
    with pytest.raises(SinceError, match="snapshot 2026-11-30 does not say when its harvest was frozen"):
        resolve("latest", tmp_path)
    assert resolve("2026-11-28T14:00:00Z", tmp_path).label == "20261128T140000Z"
    with pytest.raises(SinceError, match="expected 'latest' or an instant"):
        resolve("yesterday", tmp_path)


@pytest.mark.parametrize("settings, args, error", [
    ({"OFFRES_SNAPSHOT": True}, {}, "it excludes OFFRES_SNAPSHOT=1"),
    ({}, {"minCreationDate": "2026-01-01T00:00:00Z", "maxCreationDate": "2026-02-01T00:00:00Z"},
     "OFFRES_SINCE sets minCreationDate and maxCreationDate itself"),
    ({"OFFRES_SINCE": "soon"}, {}, "OFFRES_SINCE='soon': expected 'latest' or an instant"),
])
def test_the_spider_refuses_what_cannot_be_a_fresh_harvest(tmp_path, settings, args, error):
    crawler = _crawler(tmp_path, **settings)
    spider = OffresSearchSpider.from_crawler(crawler, **args)
    assert error in spider.argument_error
    assert requested_feeds(crawler).refused


def test_the_spider_asks_for_the_fresh_layout(tmp_path):
    crawler = _crawler(tmp_path)
    crawler.spider = spider = OffresSearchSpider.from_crawler(crawler, motsCles="data")
    assert spider.argument_error is None
    assert spider.planner.query == {"motsCles": "data", "minCreationDate": "2026-11-28T14:00:00Z",
                                    "maxCreationDate": FAR_AHEAD}
    assert requested_feeds(crawler).fresh.label == "20261128T140000Z"
    # the add-on: the snapshot layout (the verdict publishes it), no deltas, no history
    settings = Settings()
    settings.setmodule("offres_crawler.settings", priority="project")
    settings.set("OFFRES_DELTAS_ENABLED", True, priority="cmdline")
    OffresAddon.from_crawler(crawler).update_settings(settings)
    assert settings.getbool("OFFRES_SNAPSHOT")
    assert not settings.getbool("OFFRES_DELTAS_ENABLED") and not settings.getbool("OFFRES_HISTORY_ENABLED")
    assert list(settings.getdict("FEEDS")) == [PART + ".parquet"]
