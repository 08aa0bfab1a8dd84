"""`scrapy crawl referentiels [-a names=metiers,communes]`: the API's reference lists.

Every list (all 16 unless `names` chooses some) is fetched once through the project's
transport, one after the other (the next once every entry of the last is written). Each entry
becomes one item: the list's name under `referentiel`, then the entry's own fields as the API
sent them. An unknown name is refused before any request: one error line
with a suggestion and the valid names, finish reason `offres_bad_argument`, exit code 1.

Where items go: without any FEEDS of the user, each list lands in its own file,
OFFRES_REFERENTIELS_URI (`output/referentiels/%(date)s/%(referentiel)s.jsonl`, `date` being the
UTC day the run started); with `-O FILE` (or any FEEDS), they all go there instead. Counts per
list are in the stats (`offres/referentiels/<name>`) and in a small JSON run report
(OFFRES_REFERENTIELS_REPORT), written by the end of the run with the verdict. A list that could
not be fetched, or arrived short of its announced size or with entries that are not objects,
is a shortfall told to the run context (run_context.py): the verdict is then incomplete and
`scrapy crawl` exits with code 3.

With a JOBDIR, the lists written are checkpointed (extensions/checkpoint.py), each once all its
entries are through the feeds: a run stopped or killed and started again fetches only the
others (with `-o FILE.jsonl` the file is cut back to the last checkpoint first).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider

from offres_crawler.addon_feeds import REFERENTIEL_KEY, ReferentielFeeds, fill_template, request_feeds
from offres_crawler.analysis.attribution import SOURCE_API, SOURCE_NAME
from offres_crawler.harvest.api_urls import referentiel_url
from offres_crawler.harvest.referentiels import (
    UnknownReferentielError,
    announced_size,
    entry_problems,
    parse_names,
)
from offres_crawler.jobdir import resume
from offres_crawler.run_context import RunReport, run_context
from offres_crawler.spiders import BAD_ARGUMENT
from offres_crawler.spiders.settled import Settling
from offres_crawler.transport.failures import run_failures
from offres_crawler.transport.scheduler import MEMORY_ONLY_META

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

STATS = "offres/referentiels"
SHAPE_WARNINGS = 5  # entries of unexpected shape logged per list; all are counted


def _utc(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).isoformat(timespec="seconds")


class ReferentielsSpider(Spider):
    name = "referentiels"

    def __init__(self, names: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.argument_error: str | None = None
        self.names: list[str] = []
        try:
            self.names = parse_names(names)
        except UnknownReferentielError as exc:
            self.argument_error = str(exc)
            logger.error("%s", exc)
        self.counts: dict[str, int] = {}
        self.missing: dict[str, str] = {}
        self.written: dict[str, dict[str, Any]] = {}  # lists whose entries are all written
        self._todo: list[str] = []  # lists not asked yet, asked one at a time
        self.started = time.time()
        self.date = datetime.fromtimestamp(self.started, tz=UTC).date().isoformat()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReferentielsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        refused = spider.argument_error is not None
        request_feeds(crawler, ReferentielFeeds(date=spider.date, names=tuple(spider.names),
                                                refused=refused))
        path = crawler.settings.get("OFFRES_REFERENTIELS_REPORT")
        if path and not refused:
            run_context(crawler).report = RunReport(Path(fill_template(path, date=spider.date)),
                                                    spider._report)
        spider.settling = Settling(crawler)
        if not refused:
            resume(crawler).provide(spider._checkpoint)
            # a list half written is not in the state, its rows are in the file: no checkpoint
            # then (entries have no dedup record to drop them when the list is fetched again)
            resume(crawler).busy = lambda: len(spider.settling) > 0
        return spider

    # -- checkpoints ------------------------------------------------------------------------------
    def _checkpoint(self) -> dict[str, Any] | None:
        """The lists written (with their counts and shortfalls); None once all are."""
        if all(name in self.written for name in self.names):
            return None
        return {"names": self.names, "written": self.written}

    def _resume(self) -> None:
        state = resume(self.crawler).restored
        if not isinstance(state, dict) or state.get("names") != self.names:
            return
        for name, done in state.get("written", {}).items():
            self.written[name] = done
            self.counts[name] = done["count"]
            self.crawler.stats.set_value(f"{STATS}/{name}", done["count"])
            for kind, text, count in done["shortfalls"]:  # they still hold for this snapshot
                run_context(self.crawler).shortfall(kind, text, count)
        if self.written:
            self.crawler.stats.set_value(f"{STATS}/resumed", len(self.written))
            logger.info("Resuming: %d lists already written are not fetched again: %s",
                        len(self.written), ", ".join(self.written))

    def _written(self, name: str, shortfalls: list[tuple[str, str, int]]) -> None:
        self.written[name] = {"count": self.counts[name], "shortfalls": shortfalls}
        resume(self.crawler).checkpoint_now()
        self._ask_next()

    async def start(self) -> AsyncIterator[Request]:
        if self.argument_error:  # refused before any request; exit code 1
            raise CloseSpider(BAD_ARGUMENT)
        self._resume()
        self.settling.connect()
        self._todo = [name for name in self.names if name not in self.written]
        request = self._next_list()
        if request is not None:
            yield request

    def _next_list(self) -> Request | None:
        """One list at a time, the next once every entry of the last is written (or it
        failed): a checkpoint, taken when a list is written, never finds another half written,
        whose rows would be in the file and the list asked again. Asked by this run's own
        state, never from the JOBDIR's queue or its seen fingerprints (a kill leaves lists
        there that were asked and never written)."""
        if not self._todo:
            return None
        name = self._todo.pop(0)
        return Request(referentiel_url(self.settings["OFFRES_API_URL"], name),
                       callback=self.parse_list, errback=self.list_failed, cb_kwargs={"name": name},
                       dont_filter=True, meta={MEMORY_ONLY_META: True})

    def _ask_next(self) -> None:
        request = self._next_list()
        if request is not None:
            self.crawler.engine.crawl(request)

    def parse_list(self, response: Response, name: str):
        entries = response.json() if response.body.strip() else None
        if not isinstance(entries, list):
            why = f"the body is not a JSON list ({len(response.body)} bytes)"
            self._unusable(response, name, why)
            return
        stats = self.crawler.stats
        shortfalls: list[tuple[str, str, int]] = []
        shape_problems = 0
        items = []
        for entry in entries:
            problems = entry_problems(name, entry)
            if problems:
                shape_problems += 1
                if shape_problems <= SHAPE_WARNINGS:
                    logger.warning("Referentiel %s: unexpected entry (%s): %.200r",
                                   name, "; ".join(problems), entry)
            if isinstance(entry, dict):
                items.append({REFERENTIEL_KEY: name, **entry})
        if shape_problems:
            stats.set_value(f"{STATS}/shape_problems/{name}", shape_problems)
        kept = len(items)
        if kept < len(entries):  # entries that are not objects cannot be items
            shortfalls.append(("referentiel_not_objects", f"referentiel {name}: "
                               f"{len(entries) - kept} entries are not objects", len(entries) - kept))
        self.counts[name] = kept
        stats.set_value(f"{STATS}/{name}", kept)
        stats.inc_value(f"{STATS}/lists")
        announced = announced_size(response.headers.get("Content-Range"))
        if announced is not None and announced != len(entries):
            logger.warning("Referentiel %s: the API announced %d entries and sent %d",
                           name, announced, len(entries))
            stats.inc_value(f"{STATS}/size_mismatch")
            if announced > len(entries):
                shortfalls.append(("referentiel_short", f"referentiel {name}: {announced - len(entries)} "
                                   f"entries fewer than the {announced} announced", announced - len(entries)))
        for kind, text, count in shortfalls:
            run_context(self.crawler).shortfall(kind, text, count)
        logger.info("Referentiel %s: %d entries", name, kept)
        self.settling.expect(response, kept, lambda: self._written(name, shortfalls))
        yield from items

    def _unusable(self, response: Response, name: str, why: str) -> None:
        logger.error("Referentiel %s: %s", name, why)
        run_failures(self.crawler).record(response.request, "unexpected_body", why)
        self._missing(name, why)
        self._ask_next()

    def list_failed(self, failure: Failure) -> None:
        # The transport already logged the failure and put it in the run's error list.
        self._missing(failure.request.cb_kwargs["name"], failure.getErrorMessage())
        self._ask_next()

    def _missing(self, name: str, why: str) -> None:
        self.missing[name] = why
        self.crawler.stats.inc_value(f"{STATS}/missing")
        run_context(self.crawler).shortfall("referentiel_missing", f"referentiel {name} not fetched ({why})")

    def _never_answered(self) -> list[str]:
        return [n for n in self.names if n not in self.counts and n not in self.missing]

    def closed(self, reason: str) -> None:
        for name in self._never_answered():  # the crawl stopped before their answer came
            run_context(self.crawler).shortfall("referentiel_missing", f"referentiel {name} not fetched")

    def _report(self, reason: str | None, feeds: list[str]) -> dict[str, Any]:
        """The run report's content (the end of the run adds `complete` and the verdict)."""
        return {
            "spider": self.name,
            "source": f"{SOURCE_NAME}, {SOURCE_API}",
            "started_at": _utc(self.started),
            "finished_at": _utc(time.time()),
            "finish_reason": reason,
            "requested": self.names,
            "counts": {n: self.counts[n] for n in self.names if n in self.counts},
            "missing": {**self.missing, **{n: "not fetched" for n in self._never_answered()}},
            "entries": sum(self.counts.values()),
        }
