"""Every FEEDS decision of the project, taken once by the add-on (addon.py) before the crawl starts.

In this order, from the FEEDS the user gave (`-O`/`-o`, `-s FEEDS=...`, settings.py; under
scrapyd also its items_dir feed):
1. a spider that refused its arguments, or a crawl refused for its settings, gets no feed and
   no snapshot: `-O x.jsonl` must not empty the user's file, nor a typo consume a run of a
   resumable snapshot;
2. the snapshot layout (OFFRES_SNAPSHOT=1) is for full-market harvests only: switched off, with
   a warning, for the spiders that are not (referentiels, offres_detail);
3. scrapyd's items_dir feed (addon_scrapyd.py) is dropped in the snapshot layout (the snapshot
   holds the offers; OFFRES_SCRAPYD_ITEMS_FEED="keep" keeps it), kept with a warning otherwise;
4. in the snapshot layout the snapshot IS the feed: its part feeds are added, the rejects go
   into it, and no default feed is added beside it (the user's own feeds stay). Fresh offers
   (OFFRES_SINCE, the spider says so) are written in that layout too, under `_fresh/`
   (snapshot/fresh.py), without deltas nor history: they are not a snapshot;
5. otherwise the spider's default feeds, from what only the spider knows (its arguments, sent
   from its `from_crawler` with `request_feeds`): offres_search's OFFRES_SEARCH_OFFERS_URI and
   referentiels' one feed per list when the user gave none, offres_detail's offers feed when
   the user gave none and its withdrawals routed to their own feed in every case;
6. Parquet feeds always overwrite (a Parquet file cannot be appended to), with a warning (`-o
   x.parquet` on the command line is refused before the crawl: commands/crawl.py).
In the snapshot layout with a JOBDIR, parts close every OFFRES_SNAPSHOT_PART_ITEMS rows and at
least every OFFRES_CHECKPOINT_INTERVAL seconds (a part is the unit a resumed run keeps).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from itemadapter import ItemAdapter
from scrapy.extensions.feedexport import ItemFilter
from scrapy.settings import SETTINGS_PRIORITIES

from offres_crawler.addon_scrapyd import is_scrapyd_items_feed
from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.offers.withdrawal import OfferWithdrawal
from offres_crawler.per_crawler import shared

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from offres_crawler.snapshot.fresh import Since

logger = logging.getLogger(__name__)

URI_PARAMS = "offres_crawler.addon_feeds.snapshot_uri_params"
PART = "%(offres_snapshot_dir)s/_inprogress/part-r%(offres_run)s-%(batch_id)05d"
REJECTS = "%(offres_snapshot_dir)s/_rejects/rejects-r%(offres_run)s.jsonl"
REFERENTIEL_OPTION = "offres_referentiel"  # feed option: the one list a per-list feed takes
BATCH_SECONDS = "offres_batch_seconds"  # feed option: a batch ends after that long (extensions/feed_exporter.py)
REFERENTIEL_KEY = "referentiel"  # item key: the list an entry of the referentiels spider comes from


# -- what a spider tells the add-on ----------------------------------------------------------------

@dataclass(frozen=True)
class SearchFeeds:
    """offres_search: a full-market harvest; its offers go to OFFRES_SEARCH_OFFERS_URI when no
    feed is given and there is no snapshot. `fresh`: only the offers created since an instant
    (OFFRES_SINCE), written in the snapshot layout under `_fresh/` (snapshot/fresh.py)."""

    refused: bool = False
    fresh: Since | None = None
    spider = "offres_search"
    full_market = True

    def defaults(self, settings: BaseSettings, feeds: dict[str, dict]) -> dict[str, dict]:
        uri = settings.get("OFFRES_SEARCH_OFFERS_URI")
        return feeds if feeds or not uri else {uri: {"format": "jsonl"}}


@dataclass(frozen=True)
class ReferentielFeeds:
    """referentiels: one feed per list (OFFRES_REFERENTIELS_URI) when no feed is given."""

    date: str  # the run's UTC day, %(date)s
    names: tuple[str, ...] = ()
    refused: bool = False
    spider = "referentiels"
    full_market = False

    def defaults(self, settings: BaseSettings, feeds: dict[str, dict]) -> dict[str, dict]:
        template = settings.get("OFFRES_REFERENTIELS_URI")
        if feeds or not template:
            return feeds
        return {fill_template(template, date=self.date, referentiel=name): {
            "item_filter": OneReferentiel, REFERENTIEL_OPTION: name,
            "overwrite": True,  # a run later the same day replaces that day's lists
            "store_empty": False,  # a list a resumed run does not fetch again keeps its file
        } for name in self.names}


@dataclass(frozen=True)
class DetailFeeds:
    """offres_detail: offers to the user's feeds or OFFRES_DETAIL_OFFERS_URI; withdrawal
    records to OFFRES_DETAIL_WITHDRAWALS_URI, whatever the user's feeds."""

    refused: bool = False
    spider = "offres_detail"
    full_market = False

    def defaults(self, settings: BaseSettings, feeds: dict[str, dict]) -> dict[str, dict]:
        feeds = dict(feeds)
        if not feeds and settings.get("OFFRES_DETAIL_OFFERS_URI"):
            feeds[settings["OFFRES_DETAIL_OFFERS_URI"]] = {}
        withdrawals = settings.get("OFFRES_DETAIL_WITHDRAWALS_URI")
        if withdrawals:
            for options in feeds.values():
                if not options.get("item_classes") and not options.get("item_filter"):
                    options["item_filter"] = NoWithdrawals
            feeds[withdrawals] = {"format": "jsonl", "item_classes": [OfferWithdrawal]}
        return feeds


FeedRequest = SearchFeeds | ReferentielFeeds | DetailFeeds


class _Requested:
    def __init__(self, crawler: Crawler) -> None:
        self.request: FeedRequest | None = None


def request_feeds(crawler: Crawler, request: FeedRequest) -> None:
    """Called from a spider's `from_crawler` (the add-on runs after it, before the crawl)."""
    shared(crawler, _Requested).request = request


def requested_feeds(crawler: Crawler) -> FeedRequest | None:
    return shared(crawler, _Requested).request


# -- item filters and URI parameters named in FEEDS ------------------------------------------------

class OneReferentiel(ItemFilter):
    """Accepts the entries of the list named by the feed option `offres_referentiel`."""

    def __init__(self, feed_options: dict[str, Any] | None) -> None:
        super().__init__(feed_options)
        self.name = (feed_options or {}).get(REFERENTIEL_OPTION)

    def accepts(self, item: Any) -> bool:
        adapter = item if type(item) is dict else ItemAdapter(item)  # entries are plain dicts
        return adapter.get(REFERENTIEL_KEY) == self.name and super().accepts(item)


class NoWithdrawals(ItemFilter):
    """Accepts everything but withdrawal records, which have a feed of their own."""

    def accepts(self, item: Any) -> bool:
        return not isinstance(item, OfferWithdrawal) and super().accepts(item)


def snapshot_uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """FEEDS `uri_params` of the snapshot feeds: adds %(offres_snapshot_date)s, %(offres_run)s
    and %(offres_snapshot_dir)s."""
    snapshot = FeedRegistry.of(spider.crawler).snapshot
    return {**params, **snapshot.uri_params()} if snapshot is not None else params


def fill_template(template: str, **values: str) -> str:
    """Put `values` into `%(name)s` placeholders of a URI, leaving Scrapy's own (`%(time)s`,
    `%(batch_id)05d`, ...) for the feed exporter."""
    for name, value in values.items():
        template = template.replace(f"%({name})s", value)
    return template


def redact_uri(uri: str) -> str:
    """A feed URI without the password it may carry (ftp://user:secret@host/...)."""
    parsed = urlparse(uri)
    if parsed.password is None:
        return uri
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)
    return parsed._replace(netloc=netloc).geturl()


# -- the decision ----------------------------------------------------------------------------------

def given_feeds(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """The FEEDS set so far (`-O`/`-o`, `-s FEEDS=...`, settings.py), options copied."""
    return {str(uri): dict(options or {}) for uri, options in settings.getdict("FEEDS").items()}


def _set(settings: BaseSettings, name: str, value: Any) -> None:
    """Replace a setting at no lower priority than it had (`-O` is a command-line setting)."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"]))


def _format(uri: str, options: dict) -> str:
    return options.get("format") or Path(str(uri)).suffix.removeprefix(".")


def _snapshot_feeds(settings: BaseSettings) -> dict[str, dict]:
    common = {"batch_item_count": settings.getint("OFFRES_SNAPSHOT_PART_ITEMS"),
              "overwrite": True, "store_empty": True, "uri_params": URI_PARAMS}
    if settings.get("JOBDIR"):  # a part is the unit of resume: commit one at least this often
        common[BATCH_SECONDS] = settings.getfloat("OFFRES_CHECKPOINT_INTERVAL")
    feeds = {f"{PART}.parquet": {"format": "parquet", **common}}
    if settings.getbool("OFFRES_SNAPSHOT_JSONL"):
        gz = settings.getbool("OFFRES_SNAPSHOT_JSONL_GZIP")
        feeds[f"{PART}.jsonl{'.gz' if gz else ''}"] = {"format": "jsonl", **common}
    return feeds


def _without_scrapyd_items(settings: BaseSettings, feeds: dict[str, dict], project: str,
                           snapshot: bool) -> dict[str, dict]:
    if settings.get("OFFRES_SCRAPYD_ITEMS_FEED") == "keep":
        return feeds
    found = [uri for uri, options in feeds.items() if is_scrapyd_items_feed(uri, options, project)]
    if not found:
        return feeds
    if not snapshot:
        logger.warning("scrapyd's items_dir replaced this project's FEEDS: offers go to %s. "
                       "Leave items_dir empty in scrapyd.conf to use the project's feeds.",
                       ", ".join(found))
        return feeds
    logger.info("scrapyd's items_dir feed (%s) dropped: the offers are in the snapshot", ", ".join(found))
    return {uri: options for uri, options in feeds.items() if uri not in found}


def decide_feeds(settings: BaseSettings, request: FeedRequest | None, *,
                 scrapyd_project: str | None = None, refused: bool = False) -> None:
    """Set FEEDS (and OFFRES_SNAPSHOT, OFFRES_REJECTS_URI where they follow) once for the crawl;
    `refused`: the crawl is refused for its settings (transport/endpoint_check.py)."""
    if refused or (request is not None and request.refused):
        _set(settings, "FEEDS", {})
        if settings.getbool("OFFRES_SNAPSHOT"):
            _set(settings, "OFFRES_SNAPSHOT", False)
        return
    if isinstance(request, SearchFeeds) and request.fresh is not None:
        for name, value in (("OFFRES_SNAPSHOT", True), ("OFFRES_DELTAS_ENABLED", False),
                            ("OFFRES_HISTORY_ENABLED", False)):
            _set(settings, name, value)
    snapshot = settings.getbool("OFFRES_SNAPSHOT")
    if snapshot and request is not None and not request.full_market:
        logger.warning("OFFRES_SNAPSHOT is for full-market harvests: ignored by %s", request.spider)
        _set(settings, "OFFRES_SNAPSHOT", False)
        snapshot = False
    feeds = given_feeds(settings)
    if scrapyd_project:
        feeds = _without_scrapyd_items(settings, feeds, scrapyd_project, snapshot)
    if snapshot:
        feeds.update(_snapshot_feeds(settings))
        current = settings.getpriority("OFFRES_REJECTS_URI") or 0
        if current <= SETTINGS_PRIORITIES["project"]:  # not set explicitly by the user
            settings.set("OFFRES_REJECTS_URI", REJECTS, priority=current)
    elif request is not None:
        feeds = request.defaults(settings, feeds)
    for uri, options in feeds.items():
        if _format(uri, options) == "parquet" and options.get("overwrite") is not True:
            # `-o x.parquet` asks to append: say plainly that it cannot be
            logger.warning("A Parquet feed cannot be appended to: %s will be overwritten", uri)
            options["overwrite"] = True
    if feeds or settings.getdict("FEEDS"):
        _set(settings, "FEEDS", feeds)
