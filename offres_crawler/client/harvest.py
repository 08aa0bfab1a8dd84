"""`OffresClient.harvest(**params)`: every offer of a query, beyond the API's cap, in a notebook.

The same code path as `scrapy crawl offres_search`: the same `HarvestPlanner` decides every
request (origine passes, frozen date windows, crowded seconds split on facets, the cap learned
from the API's 400), the same URLs (harvest/api_urls.py), the same reading of each answer
(`read_search_page`), the same ledger, and the same verdict and run report
(harvest/run_report.py, harvest/verdict.py). Only the driver differs: one request at a time,
through the client's session (paced, authorized, retried as a crawl's).

A `Harvest` runs once, when it is iterated (or by `to_arrow()` / `to_pandas()`): it yields each
offer once, as the API returned it, the first copy received (a crawl's dedup keeps the latest
`dateActualisation` instead; an offer rarely changes during a harvest). Then `.verdict` says
whether it was complete and `.report` is the run report a crawl writes.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections import Counter
from collections.abc import Iterator
from time import monotonic
from typing import TYPE_CHECKING, Any

from offres_crawler.client.errors import ApiError, AuthenticationError
from offres_crawler.extras import require
from offres_crawler.harvest.answers import observe_answer, observe_failure, page_offers
from offres_crawler.harvest.planner import HarvestPlanner, PlannedRequest
from offres_crawler.harvest.run_report import harvest_facts, harvest_report, with_verdict
from offres_crawler.harvest.search_page import offer_key
from offres_crawler.harvest.verdict import FINISHED, RunFacts, Verdict, decide
from offres_crawler.transport.api_error import api_error_message

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from offres_crawler.client.session import ApiSession

logger = logging.getLogger(__name__)

AUTH_FAILED = "offres_auth_failed"  # as a crawl closes when the token endpoint refuses it
INTERRUPTED = "interrupted"  # the iteration was stopped (break, KeyboardInterrupt, an error)
ARROW_CHUNK = 5000  # offers converted to Arrow at a time


class Harvest:
    def __init__(self, session: ApiSession, api_url: str, query: dict[str, str],
                 planner_options: dict[str, Any]) -> None:
        self.query = query
        self._session = session
        self._api_url = api_url
        self._planner_options = planner_options
        self.planner: HarvestPlanner | None = None
        self._state = "new"  # new -> running -> over
        self._verdict: Verdict | None = None
        self._report: dict[str, Any] | None = None
        self._finish: str | None = None
        self._unsent = False
        self._failures: Counter[str] = Counter()
        self._early: set[str] = set()  # keys of offers yielded from answers the planner did not read
        self.offers = 0  # offers yielded so far

    def __repr__(self) -> str:
        status = self._verdict.status if self._verdict else self._state
        return f"<Harvest {self.query or 'the whole market'} {status}, {self.offers} offers>"

    # -- results --------------------------------------------------------------------------------
    @property
    def verdict(self) -> Verdict:
        """The run's verdict (`complete`, `status`, `reasons`, `counts`), once the harvest ran."""
        if self._verdict is None:
            raise RuntimeError(self._not_yet())
        return self._verdict

    @property
    def report(self) -> dict[str, Any]:
        """The run report, as a crawl writes it beside its feed (docs/offres_search.md)."""
        if self._report is None:
            raise RuntimeError(self._not_yet())
        return self._report

    def _not_yet(self) -> str:
        if self._state == "running":
            return "the harvest is still running: iterate to its end first"
        return "the harvest has not run yet: iterate over it, or call to_pandas() or to_arrow()"

    def to_arrow(self) -> pa.Table:
        """Run the harvest into a pyarrow Table of the Parquet feeds' schema (offers/arrow_schema.py)."""
        import pyarrow as pa

        from offres_crawler.offers.arrow_rows import offers_to_batch
        from offres_crawler.offers.arrow_schema import OFFRE_SCHEMA

        batches, chunk = [], []
        for offer in self:
            chunk.append(offer)
            if len(chunk) >= ARROW_CHUNK:
                batches.append(offers_to_batch(chunk)[0])
                chunk = []
        if chunk:
            batches.append(offers_to_batch(chunk)[0])
        return pa.Table.from_batches(batches, schema=OFFRE_SCHEMA)

    def to_pandas(self) -> pd.DataFrame:
        """Run the harvest into a pandas DataFrame (from `to_arrow()`: dates as UTC timestamps,
        nested objects as dicts, keys the schema does not know in `extra_keys_json`)."""
        require("pandas", "to_pandas()", "analysis")  # before any request is sent
        return self.to_arrow().to_pandas()

    # -- the run --------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._state != "new":
            raise RuntimeError("a harvest runs once and this one has already run: call "
                               "client.harvest(...) again, or keep its offers (list(), to_pandas())")
        self._state = "running"
        return self._run()

    def _run(self) -> Iterator[dict[str, Any]]:
        planner = self.planner = HarvestPlanner(self.query, **self._planner_options)
        started, before = time.time(), self._session.counts.copy()
        tokens_before = self._session.auth.fetched
        logger.info("harvest: %s", self.query or "the whole market")
        try:
            yield from self._drive(planner)
        except AuthenticationError:
            self._finish = AUTH_FAILED
            raise
        finally:
            self._state = "over"
            counts = self._session.counts - before
            transport = {"retries": counts["retries"], "429": counts["429"],
                         "failures": sum(self._failures.values()),
                         "tokens": self._session.auth.fetched - tokens_before}
            self._conclude(planner, started, transport)

    def _drive(self, planner: HarvestPlanner) -> Iterator[dict[str, Any]]:
        """Send the planner's requests one at a time (the delayed ones when due), hand each
        answer back, and yield the offers not seen before."""
        queue: list[tuple[float, int, int, PlannedRequest]] = []
        while True:
            for planned in planner.next_requests():
                due = monotonic() + planned.delay if planned.delay > 0 else 0.0
                heapq.heappush(queue, (due, -planned.priority, planned.key, planned))
            if not queue:
                if not planner.done:
                    logger.error("harvest: the planner has work left but nothing to send")
                    self._unsent = True
                self._finish = FINISHED
                return
            due, _, _, planned = heapq.heappop(queue)
            if due > monotonic():
                time.sleep(due - monotonic())
            yield from self._ask(planner, planned)
            if self._finish is not None:  # the API refused the harvest, or it failed
                return

    def _ask(self, planner: HarvestPlanner, planned: PlannedRequest) -> Iterator[dict[str, Any]]:
        url = planned.url(self._api_url)
        try:
            answer = self._session.get(url)
        except AuthenticationError:
            raise
        except ApiError as exc:  # no answer at all, after the retries
            self._failed(planner, planned, exc.reason)
            return
        if answer.failure is not None and answer.status != 400:  # a 400 is the planner's to read
            logger.error("API request failed for good (%s): %s", answer.failure, url)
            self._failed(planner, planned, answer.failure)
            return
        offers, not_objects = page_offers(answer.status, answer.data)
        if not_objects:
            logger.warning("harvest: %d results that are not objects skipped in %s", not_objects, url)
        fresh = self._fresh(planner, offers)  # read before the planner records the page's keys
        seen = observe_answer(planner, planned.key, url, answer.status, answer.headers.get("Content-Range"),
                              answer.headers.get("Date"), answer.data)
        if seen.malformed:  # asked again within the planner's bounds; its offers are kept
            logger.warning("Unusable answer to %s: %s", url, seen.malformed)
            self._early.update(offer_key(offer) for offer in fresh)
        if seen.refused:
            logger.error("The API refused %s: %s", url, api_error_message(answer.body))
        self._finish = seen.finish
        for offer in fresh:
            self.offers += 1
            yield offer

    def _failed(self, planner: HarvestPlanner, planned: PlannedRequest, reason: str) -> None:
        self._failures[reason] += 1
        self._finish = observe_failure(planner, planned.key, reason)

    def _fresh(self, planner: HarvestPlanner, offers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The offers of a page not yielded before: not received in a page the planner read,
        nor in an unusable answer (rare: those few keys are kept here)."""
        fresh, keys = [], set()
        for offer in offers:
            key = offer_key(offer)
            if key not in planner.keys and key not in self._early and key not in keys:
                keys.add(key)
                fresh.append(offer)
        return fresh

    def _conclude(self, planner: HarvestPlanner, started: float, transport: dict[str, int]) -> None:
        finish = self._finish or INTERRUPTED
        facts = RunFacts(finish_reason=finish, harvest=harvest_facts(planner, work_unsent=self._unsent),
                         failures=dict(self._failures), items=self.offers)
        self._verdict = verdict = decide(facts)
        report = harvest_report(planner, started=started, finished=time.time(), reason=finish,
                                transport=transport)
        self._report = with_verdict(report, verdict)
        log = logger.info if verdict.complete else logger.warning
        log("harvest %s: %d offers collected of %d reported, %d missing, %d requests%s", verdict.status,
            len(planner.keys), planner.expected(), planner.missing(), planner.requests,
            "".join(f"; {r.text}" for r in verdict.reasons))
