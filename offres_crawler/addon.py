"""The project's one Scrapy add-on: it wires every component, in one place (`ADDONS` in settings.py).

As scrapy-zyte-api's add-on does, components are set with setdefault-style helpers, so that the
user's own values win: a middleware, pipeline, extension, exporter or download handler the user
named (even to switch it off with None) is left as the user set it. Three things cannot be
undone by another setting, because the project's promises depend on them:
- the RunEnd extension, which decides the verdict (exit code, publication, report, OUTCOME);
- the feed extensions: ours in place of Scrapy's FeedExporter (batches closed by time too, the
  instant a batch closes: extensions/feed_exporter.py), FeedCompaction, which finishes the
  offer feeds and commits snapshot parts, Checkpoints (a JOBDIR's checkpoints) and, in the
  snapshot layout, the Snapshot extension, without which its feeds cannot be written; Scrapy's
  SpiderState is replaced by one that writes the JOBDIR atomically;
- with OFFRES_EXPORT_PROFILE=redistribution, the export profile pipeline, first (a compliance
  switch); an unknown profile stops the crawl before it starts;
- the EndpointCheck spider middleware, which refuses before any request the API or token URLs
  that would carry the credentials in clear (and an unusable OFFRES_CA_BUNDLE); a crawl so
  refused gets no feed and no run report, like a spider refusing its arguments.

First of all, the client secret is registered with offres_crawler/redaction.py and every log
record of the process masked from then on (the secret in every form; the access tokens too, as
the token source gets them), before any component of the crawl exists that could log it.

Next, `OFFRES_API_URL` and `OFFRES_TOKEN_URL` come from the environment when it has them
and no setting other than settings.py's default names them (transport/environment.py): the lines
the sandbox prints can be exported as they are, and `-s` still wins. Components and spiders read
them once the add-on has run (the spiders in `start()`, not in `from_crawler`).

Then every FEEDS decision (addon_feeds.py), with what the spider said from its `from_crawler`
(the add-on runs after it, before the crawl starts), and scrapyd's overrides (addon_scrapyd.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.extensions.feedexport import FeedExporter
from scrapy.extensions.spiderstate import SpiderState
from scrapy.settings import SETTINGS_PRIORITIES

from offres_crawler import settings as project_defaults
from offres_crawler.addon_feeds import decide_feeds, requested_feeds
from offres_crawler.addon_scrapyd import restore_jobdir, scrapyd_project
from offres_crawler.exporters.jsonl import JsonLinesItemExporter
from offres_crawler.exporters.parquet import ParquetItemExporter
from offres_crawler.exporters.storage import DurableFileFeedStorage
from offres_crawler.extensions.answer_replay import AnswerReplay
from offres_crawler.extensions.checkpoint import Checkpoints
from offres_crawler.extensions.export_manifest import ExportManifest
from offres_crawler.extensions.feed_compaction import FeedCompaction
from offres_crawler.extensions.feed_exporter import OffresFeedExporter
from offres_crawler.extensions.progress import Progress
from offres_crawler.extensions.run_end import RunEnd
from offres_crawler.extensions.snapshot import Snapshot
from offres_crawler.extensions.spider_state import AtomicSpiderState
from offres_crawler.files import make_private_dir
from offres_crawler.pipelines.dedup import DedupPipeline
from offres_crawler.pipelines.export_profile import ExportProfilePipeline, export_profile
from offres_crawler.pipelines.salary import SalaryPipeline
from offres_crawler.pipelines.validate import ValidatePipeline
from offres_crawler.redaction import SECRETS, protect_logs
from offres_crawler.run_context import run_context
from offres_crawler.transport.endpoint_check import EndpointCheck, setting_problems
from offres_crawler.transport.environment import URL_SETTINGS, from_environment
from offres_crawler.transport.handler import OffresDownloadHandler
from offres_crawler.transport.ratelimit import RateLimitMiddleware
from offres_crawler.transport.retry import ApiRetryMiddleware
from offres_crawler.transport.scheduler import DelayingScheduler
from offres_crawler.transport.token_middleware import TokenMiddleware
from offres_crawler.transport.token_source import client_credentials

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

DOWNLOADER_MIDDLEWARES = {
    RetryMiddleware: None,  # replaced by ApiRetryMiddleware: never retry twice
    ApiRetryMiddleware: 550,
    RateLimitMiddleware: 560,
    TokenMiddleware: 570,
    AnswerReplay: 100,  # before the transport: replayed answers never reach the network
}
ITEM_PIPELINES = {ValidatePipeline: 300, DedupPipeline: 400}  # invalid offers to rejects, then dedup
SALARY_PRIORITY = 500  # after dedup
EXPORT_PROFILE_PRIORITY = 50  # first: no feed, not even the rejects, sees the removed fields
# forced: see the module docstring; Scrapy's FeedExporter and SpiderState are replaced
EXTENSIONS = {FeedExporter: None, OffresFeedExporter: 0, FeedCompaction: 500, Checkpoints: 515,
              RunEnd: 610, SpiderState: None, AtomicSpiderState: 0}
ENDPOINT_CHECK_PRIORITY = 0  # forced too; it only ever acts before the first request
SNAPSHOT_PRIORITY, EXPORT_MANIFEST_PRIORITY, PROGRESS_PRIORITY = 510, 520, 600
FEED_STORAGES = {"": DurableFileFeedStorage, "file": DurableFileFeedStorage}  # crash-safe files
FEED_EXPORTERS = {"parquet": ParquetItemExporter, "jsonl": JsonLinesItemExporter,
                  "jsonlines": JsonLinesItemExporter}
# The pace lives in the download handler; Scrapy's slots only bound concurrency. "offres-api" lets
# enough requests wait their turn to cover latencies up to a few seconds.
DOWNLOAD_SLOTS = {"offres-api": {"concurrency": 16, "delay": 0, "jitter": 0},
                  "offres-token": {"concurrency": 1, "delay": 0, "jitter": 0}}


def setdefault_in_dict(settings: BaseSettings, name: str, key: str, value: Any) -> None:
    """Set `name[key]` unless the user's `name` (a plain dict setting) already has that key."""
    current = settings.getdict(name)
    if key not in current:
        current[key] = value
        settings.set(name, current, settings.getpriority(name) or 0)


def settings_from_environment(settings: BaseSettings) -> None:
    """The API's URLs from the environment, in place of settings.py's defaults only: a value set
    any other way (`-s`, a spider's or a script's own) is the user's and stays."""
    for name in URL_SETTINGS:
        value = from_environment(name)
        if value is None or (settings.getpriority(name) or 0) > SETTINGS_PRIORITIES["project"]:
            continue
        if settings.get(name) in (None, "", getattr(project_defaults, name)):
            settings.set(name, value, "project")


class OffresAddon:
    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffresAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        protect_logs()
        client_id, secret = client_credentials(settings)
        SECRETS.add(self.crawler if self.crawler is not None else self, secret, client_id)
        settings_from_environment(settings)  # before the endpoint check reads them
        project = scrapyd_project()
        if project:
            restore_jobdir(settings)
        if settings.get("JOBDIR"):  # before any component writes there: private from the start
            make_private_dir(settings["JOBDIR"])
        if (settings.getpriority("SCHEDULER") or 0) <= SETTINGS_PRIORITIES["default"]:
            settings.set("SCHEDULER", DelayingScheduler, "addon")  # retries wait here, not in the downloader
        for scheme in ("http", "https"):
            setdefault_in_dict(settings, "DOWNLOAD_HANDLERS", scheme, OffresDownloadHandler)
        for slot, options in DOWNLOAD_SLOTS.items():
            setdefault_in_dict(settings, "DOWNLOAD_SLOTS", slot, options)
        for middleware, order in DOWNLOADER_MIDDLEWARES.items():
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", middleware, order)
        for exporter_format, exporter in FEED_EXPORTERS.items():
            setdefault_in_dict(settings, "FEED_EXPORTERS", exporter_format, exporter)
        for scheme, storage in FEED_STORAGES.items():
            setdefault_in_dict(settings, "FEED_STORAGES", scheme, storage)
        self._items(settings)
        request = requested_feeds(self.crawler) if self.crawler is not None else None
        refused = bool(setting_problems(settings))
        decide_feeds(settings, request, scrapyd_project=project, refused=refused)  # may switch OFFRES_SNAPSHOT off
        if refused and self.crawler is not None:  # nor a run report replaced (the verdict file says why)
            run_context(self.crawler).report = None
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", EndpointCheck, ENDPOINT_CHECK_PRIORITY)
        for extension, order in EXTENSIONS.items():
            settings.set_in_component_priority_dict("EXTENSIONS", extension, order)
        settings.setdefault_in_component_priority_dict("EXTENSIONS", Progress, PROGRESS_PRIORITY)
        if settings.getbool("OFFRES_SNAPSHOT"):  # the snapshot feeds cannot work without it
            settings.set_in_component_priority_dict("EXTENSIONS", Snapshot, SNAPSHOT_PRIORITY)

    @staticmethod
    def _items(settings: BaseSettings) -> None:
        for pipeline, order in ITEM_PIPELINES.items():
            settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", pipeline, order)
        if settings.getbool("OFFRES_SALARY_NORMALISATION"):
            settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", SalaryPipeline, SALARY_PRIORITY)
        if export_profile(settings) == "redistribution":
            settings.set_in_component_priority_dict("ITEM_PIPELINES", ExportProfilePipeline,
                                                    EXPORT_PROFILE_PRIORITY)
            settings.setdefault_in_component_priority_dict("EXTENSIONS", ExportManifest,
                                                           EXPORT_MANIFEST_PRIORITY)
