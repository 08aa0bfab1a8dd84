"""`scrapy crawl offres_search [-a NAME=VALUE ...] -O offres.jsonl`: every offer matching a query.

Arguments are the API's own search parameters (REFERENCE §3, multi-values comma-separated);
none at all means the whole market. They are all checked before anything is sent
(offres_crawler/harvest/params.py): a bad one is one error line naming the parameter and the rule,
the spider closes as `offres_bad_argument` (exit code 1) and no request leaves.

The harvest itself is planned by offres_crawler/harvest/planner.py: this spider only turns its
request descriptions into Scrapy requests, hands each answer back, and yields every offer exactly
as the API sent it (duplicates across overlapping slices are the dedup pipeline's job).
The completeness stats follow the planner (`offres/expected`, `offres/collected`,
`offres/missing`). What only the spider knows goes to the run context (run_context.py): where
its offers go by default (the add-on decides FEEDS), its ledger's result and its run report
(spiders/search_report.py), which the end of the run turns into the verdict (exit code 3 when
something is missing) and writes.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.utils.defer import deferred_from_coro

from offres_crawler.addon_feeds import SearchFeeds, given_feeds, request_feeds
from offres_crawler.extensions.answer_replay import JOURNAL_META, answers
from offres_crawler.harvest.answers import observe_answer, observe_failure, page_offers
from offres_crawler.harvest.params import ParamError, validate_search_params
from offres_crawler.harvest.planner import HarvestPlanner, PlannedRequest
from offres_crawler.harvest.run_report import harvest_facts
from offres_crawler.jobdir import resume
from offres_crawler.run_context import RunReport, run_context
from offres_crawler.snapshot.fresh import Since, SinceError, resolve
from offres_crawler.spiders import BAD_ARGUMENT
from offres_crawler.spiders.search_report import build_report, publish_stats, report_path
from offres_crawler.spiders.settled import Settling
from offres_crawler.transport.api_error import api_error_message
from offres_crawler.transport.delays import not_before
from offres_crawler.transport.scheduler import MEMORY_ONLY_META

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from offres_crawler.harvest.verdict import HarvestFacts

logger = logging.getLogger(__name__)

KEY_META = "offres_key"  # the planner's key of a request
PLAN_META = "offres_plan"  # which plan a request belongs to
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
        self._unsent = False  # the planner had work left that could not be sent
        self._resent: list[PlannedRequest] = []  # a resumed plan's requests, asked again
        self.since: Since | None = None  # OFFRES_SINCE: only offers created after an instant

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OffresSearchSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if settings.get("OFFRES_SINCE") and spider.argument_error is None:
            spider._only_since(settings)
        spider.planner = HarvestPlanner(spider.query,
                                        max_start=settings.getint("OFFRES_RANGE_MAX_START"),
                                        creation_floor=settings.get("OFFRES_CREATION_FLOOR"),
                                        sum_tolerance=settings.getfloat("OFFRES_SUM_TOLERANCE"),
                                        lag=settings.getint("OFFRES_SEARCH_REPLICA_LAG"),
                                        budget=settings.getfloat("OFFRES_SEARCH_BUDGET"))
        # a refused argument opens no feed: `-O` must not empty the user's file
        request_feeds(crawler, SearchFeeds(refused=spider.argument_error is not None, fresh=spider.since))
        if spider.argument_error is None:  # nor is a report written, nor a checkpoint
            run = run_context(crawler)
            run.harvest = spider._harvest_facts
            run.report = RunReport(report_path(settings, given_feeds(settings), spider.started),
                                   spider._report)
            resume(crawler).provide(spider._checkpoint, done_state=spider._done_state)
        spider.settling = Settling(crawler)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider

    # -- checkpoints (extensions/checkpoint.py) -------------------------------------------------
    def _checkpoint(self) -> dict[str, Any] | None:
        """The plan to go on from, None when there is nothing to go on with. It claims a page
        only once its offers are through the feeds (parse_page)."""
        if self.planner.fatal or self.planner.done:
            return None
        return self.planner.to_dict()

    def _done_state(self) -> dict[str, Any] | None:
        """A finished plan (not a fatal one), kept until the snapshot is published."""
        return None if self.planner.fatal or not self.planner.done else self.planner.to_dict()

    def _only_since(self, settings: Any) -> None:
        """OFFRES_SINCE: the offers created after the latest snapshot's frozen instant (or a
        given one), into `_fresh/` beside the snapshots (snapshot/fresh.py)."""
        try:
            if settings.getbool("OFFRES_SNAPSHOT"):
                raise SinceError("OFFRES_SINCE harvests the offers created since a snapshot, not a "
                                 "snapshot: it excludes OFFRES_SNAPSHOT=1")
            if "minCreationDate" in self.query:
                raise SinceError("OFFRES_SINCE sets minCreationDate and maxCreationDate itself: "
                                 "leave them out of the arguments")
            self.since = resolve(settings.get("OFFRES_SINCE"), Path(settings.get("OFFRES_SNAPSHOT_DIR")))
        except SinceError as exc:
            self.argument_error = str(exc)
            logger.error("offres_search: %s", exc)
            return
        self.query.update(self.since.query())
        logger.info("offres_search: the offers created after %s (%s)", self.since.query()["minCreationDate"],
                    f"the frozen instant of snapshot {self.since.snapshot_date}" if self.since.snapshot_date
                    else "OFFRES_SINCE")

    def _resume_planner(self) -> None:
        """With JOBDIR, go on from the plan of the checkpoint taken up: the requests it was
        waiting for are asked again (they never wait in JOBDIR's queue: see _request)."""
        state = resume(self.crawler).restored
        if self.argument_error or state is None:
            return
        try:
            saved = HarvestPlanner.from_dict(state)
        except (ValueError, KeyError, TypeError) as exc:  # StateError is a ValueError
            logger.warning("The saved plan cannot be taken up (%s): starting afresh", exc)
            answers(self.crawler).clear()
            return
        if saved.query != self.query:
            logger.warning("The saved plan is that of another query: starting afresh")
            answers(self.crawler).clear()
            return
        self.planner = saved
        self._resent = saved.in_flight()
        # replayed: answers to what the plan waits for or planned after it, never to a page it
        # holds (a later request for the same URL asks for a fresh one)
        waiting, later = {r.key for r in self._resent}, int(state["next_key"])
        answers(self.crawler).take_up(lambda a: a.tag == saved.plan_id and (a.key in waiting or a.key > later))
        logger.info("offres_search: resuming the harvest saved in the JOBDIR (%d requests done, "
                    "%d asked again)", saved.requests, len(self._resent))

    # -- requests -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        if self.argument_error:
            raise CloseSpider(BAD_ARGUMENT)
        self._resume_planner()  # here: the checkpoint has been taken up
        self.settling.connect()
        logger.info("offres_search: %s", self.query or "the whole market")
        for planned in self._resent:
            yield self._request(planned)
        for request in self._next():
            yield request

    def _next(self) -> Iterator[Request]:
        """The planner's next requests."""
        for planned in self.planner.next_requests():
            yield self._request(planned)
        publish_stats(self.crawler.stats, self.planner)

    def _request(self, planned: PlannedRequest) -> Request:
        """The request of a planned one. The plan keeps it until its answer comes: it stays out
        of JOBDIR's disk queue (the plan's checkpoint asks it again when a run is resumed), and a
        delayed one (a second to close on the server) waits in the scheduler."""
        meta = {KEY_META: planned.key, PLAN_META: self.planner.plan_id, MEMORY_ONLY_META: True,
                JOURNAL_META: [self.planner.plan_id, planned.key]}
        not_before(meta, planned.delay, time.time())
        # OFFRES_API_URL read here, not in from_crawler: the add-on may set it from the environment
        return Request(planned.url(self.settings["OFFRES_API_URL"]),
                       callback=self.parse_page, errback=self.page_failed, dont_filter=True,
                       priority=planned.priority, meta=meta)

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
        offers, not_objects = page_offers(response.status, body)
        if not_objects:
            self.crawler.stats.inc_value("offres/search/not_an_object", not_objects)
        key = self._key(response.meta)
        if key is None:
            yield from offers  # an answer the plan no longer waits for: its offers are kept
            return
        if not offers:
            yield from self._observe(key, response, body)
            return
        # The plan hears of the page once its offers are through the feeds: a checkpoint taken
        # meanwhile must not claim offers that a kill can still lose.
        self.settling.expect(response, len(offers), lambda: self._observed_later(key, response, body))
        yield from offers  # exactly as returned: validation and dedup come after

    def _observe(self, key: int, response: Response, body: Any) -> Iterator[Request]:
        seen = observe_answer(self.planner, key, response.url, response.status,
                              response.headers.get("Content-Range"), response.headers.get("Date"), body)
        if seen.malformed:  # not a page: asked again within the planner's bounds
            self.crawler.stats.inc_value("offres/search/malformed")
            logger.warning("Unusable answer to %s: %s", response.url, seen.malformed)
        if seen.refused:
            logger.error("The API refused %s: %s", response.url, api_error_message(response.body))
        if seen.finish:
            raise CloseSpider(seen.finish)
        yield from self._next()

    def _observed_later(self, key: int, response: Response, body: Any) -> None:
        """`_observe` from an item signal: requests go to the engine, a refusal closes the spider."""
        if self._key({KEY_META: key, PLAN_META: self.planner.plan_id}) is None:
            return  # the spider is closing, or another plan took over
        try:
            for request in self._observe(key, response, body):
                self.crawler.engine.crawl(request)
        except CloseSpider as exc:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=exc.reason))

    def page_failed(self, failure: Failure) -> Iterator[Request]:
        # the transport has logged it, counted it, and put it in the run's error list
        key = self._key(failure.request.meta)
        if key is not None:
            finish = observe_failure(self.planner, key, failure.getErrorMessage())
            if finish:
                raise CloseSpider(finish)
            yield from self._next()

    def _on_idle(self) -> None:
        """Nothing left in Scrapy (delayed requests wait in the scheduler, pages being written
        keep the scraper busy): either the planner is done, or requests were lost, which are
        asked again."""
        if self.argument_error or self.planner.fatal or self.planner.done:
            return
        for key in self.planner.in_flight_keys():
            self.planner.observe_failure(key, "lost")
        sent = 0
        for request in self._next():
            self.crawler.engine.crawl(request)
            sent += 1
        if sent:
            raise DontCloseSpider
        logger.error("offres_search: the planner has work left but nothing to send")
        self._unsent = True

    # -- the end --------------------------------------------------------------------------------
    def _harvest_facts(self) -> HarvestFacts:
        return harvest_facts(self.planner, work_unsent=self._unsent)

    def _report(self, reason: str | None, feeds: list[str]) -> dict[str, Any]:
        report = build_report(self.planner, self.crawler.stats.get_stats(), spider=self.name,
                              started=self.started, finished=self.finished, reason=reason, feeds=feeds)
        if self.since is not None:
            report["since"] = self.since.describe()
        return report

    def closed(self, reason: str) -> None:
        if self.argument_error:
            return
        self.finished = time.time()
        publish_stats(self.crawler.stats, self.planner)
        logger.info("offres_search: %d offers collected of %d reported, %d missing, %d requests "
                    "(lower bound %d)", len(self.planner.keys), self.planner.expected(),
                    self.planner.missing(), self.planner.requests, -(-self.planner.expected() // 150))


def _json_body(response: Response) -> Any:
    """The decoded body; None when empty or not JSON (a 204, an HTML error page). A 200/206 that
    is not JSON never gets here: the transport retries it or fails the request."""
    if not response.body.strip():
        return None
    try:
        # TextResponse.json() is cached: the transport has already decoded it to check it
        return response.json() if hasattr(response, "json") else json.loads(response.body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        return None
