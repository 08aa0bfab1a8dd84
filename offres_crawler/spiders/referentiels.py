"""`scrapy crawl referentiels [-a names=metiers,communes]`: the API's reference lists.

Every list (all 16 unless `names` chooses some) is fetched once through the project's
transport. Each entry becomes one item: the list's name under `referentiel`, then the entry's
own fields as the API sent them. An unknown name is refused before any request: one error line
with a suggestion and the valid names, finish reason `offres_bad_argument`, exit code 1.

Where items go: without any FEEDS of the user, each list lands in its own file,
OFFRES_REFERENTIELS_URI (`output/referentiels/%(date)s/%(referentiel)s.jsonl`, `date` being the
UTC day the run started); with `-O FILE` (or any FEEDS), they all go there instead. Counts per
list are in the stats (`offres/referentiels/<name>`) and in a small JSON run report
(OFFRES_REFERENTIELS_REPORT). A list that could not be fetched is named in the report and the
run's error list, and `scrapy crawl` exits with code 3 (incomplete).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider

from offres_crawler.api.attribution import SOURCE_API, SOURCE_NAME
from offres_crawler.api.referentiels import (
    UnknownReferentielError,
    announced_size,
    entry_problems,
    parse_names,
)
from offres_crawler.middlewares.failures import INCOMPLETE_STAT, mark_incomplete, run_failures
from offres_crawler.spiders.feed_filters import REFERENTIEL_KEY, REFERENTIEL_OPTION, OneReferentiel
from offres_crawler.spiders import BAD_ARGUMENT
from offres_crawler.spiders.spider_feeds import (
    fill_template,
    given_feeds,
    set_feeds,
    without_snapshot,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

STATS = "offres/referentiels"
SHAPE_WARNINGS = 5  # entries of unexpected shape logged per list; all are counted


def _utc(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).isoformat(timespec="seconds")


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
        self.started = time.time()
        self.date = datetime.fromtimestamp(self.started, tz=timezone.utc).date().isoformat()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReferentielsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        without_snapshot(spider.settings, cls.name)
        spider._add_list_feeds()
        return spider

    def _add_list_feeds(self) -> None:
        """One feed per list, unless the user chose where items go (`-O FILE`)."""
        template = self.settings.get("OFFRES_REFERENTIELS_URI")
        if given_feeds(self.settings) or not template or self.argument_error:
            return
        set_feeds(self.settings, {
            fill_template(template, date=self.date, referentiel=name): {
                "item_filter": OneReferentiel, REFERENTIEL_OPTION: name,
                "overwrite": True,  # a run later the same day replaces that day's lists
            } for name in self.names})

    async def start(self) -> AsyncIterator[Request]:
        if self.argument_error:  # refused before any request; exit code 1
            raise CloseSpider(BAD_ARGUMENT)
        api = self.settings["OFFRES_API_URL"].rstrip("/")
        for name in self.names:
            yield Request(f"{api}/v2/referentiel/{name}", callback=self.parse_list,
                          errback=self.list_failed, cb_kwargs={"name": name})

    def parse_list(self, response: Response, name: str):
        entries = response.json() if response.body.strip() else None
        if not isinstance(entries, list):
            why = f"the body is not a JSON list ({len(response.body)} bytes)"
            self._unusable(response, name, why)
            return
        stats = self.crawler.stats
        shape_problems = 0
        for entry in entries:
            problems = entry_problems(name, entry)
            if problems:
                shape_problems += 1
                if shape_problems <= SHAPE_WARNINGS:
                    logger.warning("Referentiel %s: unexpected entry (%s): %.200r",
                                   name, "; ".join(problems), entry)
            if isinstance(entry, dict):
                yield {REFERENTIEL_KEY: name, **entry}
        if shape_problems:
            stats.set_value(f"{STATS}/shape_problems/{name}", shape_problems)
        kept = sum(isinstance(entry, dict) for entry in entries)
        if kept < len(entries):
            mark_incomplete(stats)  # entries that are not objects cannot be items
        self.counts[name] = kept
        stats.set_value(f"{STATS}/{name}", kept)
        stats.inc_value(f"{STATS}/lists")
        announced = announced_size(response.headers.get("Content-Range"))
        if announced is not None and announced != len(entries):
            logger.warning("Referentiel %s: the API announced %d entries and sent %d",
                           name, announced, len(entries))
            stats.inc_value(f"{STATS}/size_mismatch")
            if announced > len(entries):
                mark_incomplete(stats)
        logger.info("Referentiel %s: %d entries", name, kept)

    def _unusable(self, response: Response, name: str, why: str) -> None:
        logger.error("Referentiel %s: %s", name, why)
        run_failures(self.crawler).record(response.request, "unexpected_body", why)
        self._missing(name, why)

    def list_failed(self, failure: Failure) -> None:
        # The transport already logged the failure and put it in the run's error list.
        self._missing(failure.request.cb_kwargs["name"], failure.getErrorMessage())

    def _missing(self, name: str, why: str) -> None:
        self.missing[name] = why
        self.crawler.stats.inc_value(f"{STATS}/missing")

    def closed(self, reason: str) -> None:
        path = self.settings.get("OFFRES_REFERENTIELS_REPORT")
        if not path or self.argument_error:
            return
        path = Path(fill_template(path, date=self.date))
        never_answered = [n for n in self.names if n not in self.counts and n not in self.missing]
        report = {
            "spider": self.name,
            "source": f"{SOURCE_NAME}, {SOURCE_API}",
            "started_at": _utc(self.started),
            "finished_at": _utc(time.time()),
            "finish_reason": reason,
            "complete": (reason == "finished" and not self.missing and not never_answered
                         and not self.crawler.stats.get_value(INCOMPLETE_STAT)),
            "requested": self.names,
            "counts": {n: self.counts[n] for n in self.names if n in self.counts},
            "missing": {**self.missing, **{n: "not fetched" for n in never_answered}},
            "entries": sum(self.counts.values()),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        logger.info("Run report of %d referentiels written to %s", len(self.counts), path)
