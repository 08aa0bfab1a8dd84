"""`scrapy crawl offres_search [-a NAME=VALUE ...] -O offres.jsonl`: every offer matching a query.

Arguments are the API's own search parameters (REFERENCE §3, multi-values comma-separated);
none at all means the whole market. They are all checked before anything is sent
(offres_crawler/api/params.py): a bad one is one error line naming the parameter and the rule,
the spider closes as `offres_bad_argument` (exit code 1) and no request leaves.

The harvest itself is planned by offres_crawler/api/planner.py: this spider only turns its
request descriptions into Scrapy requests, hands each answer back, and yields every offer exactly
as the API sent it (duplicates across overlapping slices are the dedup pipeline's job).
When the planner is done, the completeness stats are set (`offres/expected`, `offres/collected`,
`offres/missing`; `offres/incomplete` and exit code 3 when something is missing) and the JSON run
report is written (spiders/search_report.py).
"""

from __future__ import annotations

import json
import logging
import pickle
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from scrapy import Request, Spider, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider

from offres_crawler.api.api_error import api_error_message
from offres_crawler.api.params import ParamError, validate_search_params
from offres_crawler.api.planner import HarvestPlanner, PlannedRequest
from offres_crawler.api.search_page import read_search_page
from offres_crawler.middlewares.failures import mark_incomplete
from offres_crawler.spiders import BAD_ARGUMENT
from offres_crawler.spiders.search_report import (build_report, publish_stats, report_path,
                                                  write_report)
from offres_crawler.spiders.spider_feeds import given_feeds, set_feeds

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

KEY_META = "offres_key"  # the planner's key of a request
PLAN_META = "offres_plan"  # which plan a request belongs to (JOBDIR may hold older ones)
PLANNER_FILE = "offres_search.planner.pickle"  # in JOBDIR, while a harvest is unfinished
# Arguments that are not search parameters: scrapyd passes _job to every spider.
NOT_SEARCH_ARGS = frozenset({"_job"})


class OffresSearchSpider(Spider):
    name = "offres_search"
    handle_httpstatus_list = [400]  # the planner reads the API's message (the range cap)

    def __init__(self, **kwargs: Any) -> None:
        own = {k: v for k, v in kwargs.items() if k in NOT_SEARCH_ARGS}
        super().__init__(**own)
        self.argument_error: str | None = None
        self.query: dict[str, str] = {}
        try:
            self.query = validate_search_params({k: v for k, v in kwargs.items() if k not in own})
        except ParamError as exc:
            self.argument_error = str(exc)
            logger.error("offres_search: invalid argument %s", exc)
        self.started = time.time()
        self.finished: float | None = None
        self.finish_reason: str | None = None
        self._report: dict | None = None
        self._delayed = 0  # requests waiting for a second to close on the server

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OffresSearchSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.planner = HarvestPlanner(spider.query,
                                        max_start=settings.getint("OFFRES_RANGE_MAX_START"),
                                        creation_floor=settings.get("OFFRES_CREATION_FLOOR"),
                                        sum_tolerance=settings.getfloat("OFFRES_SUM_TOLERANCE"))
        spider.search_url = settings["OFFRES_API_URL"].rstrip("/") + "/v2/offres/search"
        spider._default_feed()
        spider.feeds = list(given_feeds(settings))
        spider.report_file = report_path(settings, given_feeds(settings), spider.started)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider

    def _planner_file(self) -> Path | None:
        jobdir = self.settings.get("JOBDIR")  # not scrapy's job_dir(): that creates the folder
        return Path(jobdir) / PLANNER_FILE if jobdir else None

    def _resume_planner(self) -> None:
        """With JOBDIR, a run stopped before its end left its planner there: go on from it (the
        requests it was waiting for are in JOBDIR's queue and come back)."""
        path = self._planner_file()
        if self.argument_error or path is None or not path.exists():
            return
        with path.open("rb") as f:
            saved = pickle.load(f)  # noqa: S301 (the user's own JOBDIR, written by this spider)
        if not isinstance(saved, HarvestPlanner) or saved.query != self.query:
            logger.warning("%s holds the plan of another query: starting afresh", path)
            return
        self.planner = saved
        logger.info("offres_search: resuming the harvest saved in %s (%d requests done)", path,
                    saved.requests)

    def _save_planner(self, reason: str) -> None:
        path = self._planner_file()
        if path is None:
            return
        if reason == "finished" or self.planner.fatal:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump(self.planner, f, protocol=pickle.HIGHEST_PROTOCOL)

    def _default_feed(self) -> None:
        """Offers go to OFFRES_SEARCH_OFFERS_URI when the user gave no feed (-O/-o, FEEDS).
        A run refused for a bad argument opens no feed: `-O` must not empty the user's file."""
        if self.argument_error:
            set_feeds(self.settings, {})
            return
        uri = self.settings.get("OFFRES_SEARCH_OFFERS_URI")
        if uri and not given_feeds(self.settings):
            set_feeds(self.settings, {uri: {"format": "jsonl"}})

    # -- requests -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        if self.argument_error:
            raise CloseSpider(BAD_ARGUMENT)
        self._resume_planner()  # here: JOBDIR is final once the crawl has started
        logger.info("offres_search: %s", self.query or "the whole market")
        for request in self._next():
            yield request

    def _next(self) -> Iterator[Request]:
        """The planner's next requests; delayed ones are handed to the engine when due."""
        for planned in self.planner.next_requests():
            request = self._request(planned)
            if planned.delay > 0:
                self._delayed += 1
                # imported here, not at module level: importing the reactor early would install
                # Twisted's default one before Scrapy installs the configured reactor
                from twisted.internet import reactor
                reactor.callLater(planned.delay, self._send_delayed, request)
            else:
                yield request
        publish_stats(self.crawler.stats, self.planner)

    def _send_delayed(self, request: Request) -> None:
        self._delayed -= 1
        self.crawler.engine.crawl(request)

    def _request(self, planned: PlannedRequest) -> Request:
        return Request(f"{self.search_url}?{urlencode(planned.params, safe=',:')}",
                       callback=self.parse_page, errback=self.page_failed, dont_filter=True,
                       priority=planned.priority,
                       meta={KEY_META: planned.key, PLAN_META: self.planner.plan_id})

    # -- answers --------------------------------------------------------------------------------
    def _key(self, meta: dict) -> int | None:
        """The planner's key of an answer, None when it belongs to another plan: a run killed
        before it could save its plan leaves requests in JOBDIR that a new plan must not take
        for its own (keys restart at 1)."""
        key = meta.get(KEY_META)
        if meta.get(PLAN_META) != self.planner.plan_id or not self.planner.knows(key):
            return None
        return key

    def parse_page(self, response: Response) -> Iterator[Any]:
        body = _json_body(response)
        if isinstance(body, dict) and response.status in (200, 206):
            for offer in body.get("resultats") or ():
                if isinstance(offer, dict):
                    yield offer  # exactly as returned: validation and dedup come after
                else:
                    self.crawler.stats.inc_value("offres/search/not_an_object")
        key = self._key(response.meta)
        if key is None:
            return  # an answer to a request of an earlier plan (JOBDIR): its offers are kept
        page = read_search_page(response.status, response.headers.get("Content-Range"),
                                response.headers.get("Date"), body)
        if page.error and page.learned_cap is None:
            logger.error("The API refused %s: %s", response.url, api_error_message(response.body))
        self.planner.observe(key, page)
        if self.planner.fatal:
            raise CloseSpider("offres_api_refused")
        yield from self._next()

    def page_failed(self, failure: Failure) -> Iterator[Request]:
        # the transport has logged it, counted it, and put it in the run's error list
        key = self._key(failure.request.meta)
        if key is not None:
            self.planner.observe_failure(key, failure.getErrorMessage())
            if self.planner.fatal:
                raise CloseSpider("offres_search_failed")
            yield from self._next()

    def _on_idle(self) -> None:
        """Nothing left in Scrapy: either the planner is done, or requests are waiting (a second
        to close) or were lost (a resumed run): those are asked again."""
        if self.argument_error or self.planner.fatal or self.planner.done:
            return
        if self._delayed:
            raise DontCloseSpider
        for key in self.planner.in_flight_keys():
            self.planner.observe_failure(key, "lost")
        sent = 0
        for request in self._next():
            self.crawler.engine.crawl(request)
            sent += 1
        if sent or self._delayed:
            raise DontCloseSpider
        logger.error("offres_search: the planner has work left but nothing to send")
        mark_incomplete(self.crawler.stats)

    # -- the end --------------------------------------------------------------------------------
    def offres_run_report(self) -> dict:
        """The run report (also read by the snapshot extension for its manifest)."""
        if self._report is None or self.finished is None:
            return build_report(self.planner, self.crawler.stats.get_stats(), spider=self.name,
                                started=self.started, finished=self.finished,
                                reason=self.finish_reason, feeds=self.feeds)
        return self._report

    def closed(self, reason: str) -> None:
        if self.argument_error:
            return
        self._save_planner(reason)
        self.finished, self.finish_reason = time.time(), reason
        stats = self.crawler.stats
        publish_stats(stats, self.planner)
        if not self.planner.done:
            mark_incomplete(stats)
        self._report = build_report(self.planner, stats.get_stats(), spider=self.name,
                                    started=self.started, finished=self.finished, reason=reason,
                                    feeds=self.feeds)
        write_report(self.report_file, self._report)
        c = self._report["completeness"]
        logger.info("offres_search: %d offers collected of %d reported, %d missing, %d requests "
                    "(lower bound %d); report: %s", c["collected_unique"], c["expected"],
                    c["missing"], self.planner.requests, self._report["requests"]["lower_bound"],
                    self.report_file)
        for reason_text in self.planner.incomplete_reasons()[:20]:
            logger.warning("offres_search incomplete: %s", reason_text)


def _json_body(response: Response) -> Any:
    """The decoded body; None when empty or not JSON (a 204, an HTML error page). A 200/206 that
    is not JSON never gets here: the transport retries it or fails the request."""
    if not response.body.strip():
        return None
    try:
        # TextResponse.json() is cached: the transport has already decoded it to check it
        return response.json() if hasattr(response, "json") else json.loads(response.body)
    except ValueError:
        return None
