"""`scrapy crawl offres_detail -a ids=ID1,ID2` or `-a ids_file=PATH`: offers by id.

`GET /v2/offres/{id}` for each id (REFERENCE Part 1 §4), through the project's transport, so the
rate limit, tokens and retries are those of every spider:
- 200: the offer's current version, yielded as the API sent it;
- 204: the offer is gone (withdrawn, or never existed): an `OfferWithdrawal` record (`id`,
  `seen_withdrawn_at`) goes to its own feed, OFFRES_DETAIL_WITHDRAWALS_URI;
- 400: a malformed id: logged with the API's message and counted (`offres/detail/malformed`).
  That is an answer, not a lost request: it does not make the run incomplete.

`ids_file` is a text file (one id per line), a JSONL / JSON feed of offers, a Parquet feed, or a
directory of them such as a snapshot (offres_crawler/offers/ids_file.py). It is read once whole
before anything is asked (a file that cannot be read is refused), then again lazily, as the
downloader has room, so a file of a whole market never sits in the scheduler. Repeated ids are
asked once. Only ids of the API's format are sent (offres_crawler/offers/ids.py): in a file,
a line with another is skipped, counted (`offres/detail/skipped`) and named in a warning.
Without `ids` or `ids_file`, with an `ids` value that is not an offer id, or with an
`ids_file` that does not exist, is not a regular file or a directory, or cannot be read as
text (a line too long, not UTF-8, control characters), nothing is asked: one error line naming
the argument and the rule (and the line), finish reason `offres_bad_argument`, exit code 1, and
no feed opened.

Offers go to the user's FEEDS (`-O offres.parquet`), else to OFFRES_DETAIL_OFFERS_URI; withdrawal
records have a feed of their own. Settings and stats: docs/referentiels_detail.md.

Resuming (JOBDIR): Scrapy's duplicate filter would hide, on resume, the ids that were in flight
when the process was killed (their fingerprints are in requests.seen, their answers nowhere).
So the spider keeps its own record of the ids answered for good (offers/answer_log.py), appended
once an answer's row is written and its feed flushed, with the length of every output file
(offers, withdrawals, rejects) at that moment, and every request is `dont_filter`: a
(re)started run first cuts each file back to the length of the last record (a row written after
it, whose id is not recorded, would otherwise be there twice), then asks every id of its input
not in that record. Answered means a 200 or 204 whose row is written (or dropped by a
pipeline), or a 400; an id that failed is asked again by the next run. Requests still waiting
in Scrapy's disk queue come back on resume as well as from the input: the second answer to an
id is dropped in the callback (one spare request for each of the few requests the scheduler
held, rather than a middleware of our own). The record is only kept when every feed keeps its
rows through a kill (local JSONL appended to); otherwise (Parquet, overwritten, compressed or
remote feeds, whose files appear whole when the run closes) it is removed and each run asks
every id.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.exceptions import CloseSpider
from scrapy.extensions.feedexport import FeedExporter, FileFeedStorage
from scrapy.utils.job import job_dir

from offres_crawler.addon_feeds import DetailFeeds, request_feeds
from offres_crawler.files import truncate_durably
from offres_crawler.offers.answer_log import AnswerLog
from offres_crawler.offers.id_store import NO_DATE, IdStore, Outcome, id_key
from offres_crawler.offers.ids import IdsError, detail_path, id_format, parse_ids_argument
from offres_crawler.offers.ids_file import IdsFileError, Skipped, check_ids_file, read_ids
from offres_crawler.offers.withdrawal import OfferWithdrawal
from offres_crawler.pipelines.rejects import rejects_writers
from offres_crawler.redaction import safe_text
from offres_crawler.spiders import BAD_ARGUMENT
from offres_crawler.transport.api_error import api_error_message
from offres_crawler.transport.failures import run_failures

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

STATS = "offres/detail"
SKIPPED_WARNINGS = 10  # lines without an id logged; all are counted
ANSWER_LOG = "offres_detail/answered.jsonl"  # under JOBDIR
APPENDABLE_FORMATS = ("jsonl", "jsonlines")  # a row written and flushed survives a kill


class OffresDetailSpider(Spider):
    name = "offres_detail"
    handle_httpstatus_list = [400]  # a malformed id: the API's answer is reported here

    def __init__(self, ids: str = "", ids_file: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ids_file = ids_file
        self.ids: list[str] = []
        self.argument_error: str | None = None
        if not (ids or ids_file):
            self.argument_error = "offres_detail needs -a ids=ID1,ID2 or -a ids_file=PATH"
        else:
            self.argument_error = self._check_arguments(ids, ids_file)
        if self.argument_error:
            logger.error("%s", self.argument_error)
        self.answers = AnswerLog()

    def _check_arguments(self, ids: str, ids_file: str) -> str | None:
        """The one-line refusal of the arguments, None when they are usable."""
        try:
            self.ids = parse_ids_argument(ids)
        except IdsError as exc:
            return f"offres_detail: {exc}"
        if ids_file:
            try:
                found, skipped = check_ids_file(ids_file)
            except IdsFileError as exc:
                return f"offres_detail: ids_file {ids_file!r}: {exc}"
            logger.info("offres_detail: ids_file %r holds %d ids (%d lines or rows without one)",
                        ids_file, found, skipped)
        return None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OffresDetailSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # offers to the user's feeds or the default one, withdrawals to theirs (addon_feeds.py)
        request_feeds(crawler, DetailFeeds(refused=spider.argument_error is not None))
        return spider

    # -- ids --------------------------------------------------------------------------------------
    def _all_ids(self) -> Iterator[str | Skipped]:
        yield from self.ids
        if self.ids_file:
            try:
                yield from read_ids(self.ids_file)
            except IdsFileError as exc:  # changed since it was checked: stop reading it
                logger.error("offres_detail: ids_file %r: %s", self.ids_file, exc)
                raise CloseSpider(BAD_ARGUMENT) from None

    async def start(self) -> AsyncIterator[Request]:
        if self.argument_error:  # refused before any request; exit code 1
            raise CloseSpider(BAD_ARGUMENT)
        api = self.settings["OFFRES_API_URL"].rstrip("/")
        stats = self.crawler.stats
        self._open_answer_log()
        asked = IdStore()  # this run's ids: repeats in the input are asked once
        skipped = 0
        for offer_id in self._all_ids():
            if isinstance(offer_id, Skipped):
                skipped += 1
                stats.inc_value(f"{STATS}/skipped")
                if skipped <= SKIPPED_WARNINGS:
                    logger.warning("No offer id in %s: %s", offer_id.where, offer_id.why)
                continue
            stats.inc_value(f"{STATS}/ids")
            if asked.offer(id_key(offer_id), NO_DATE) is Outcome.DUPLICATE:
                stats.inc_value(f"{STATS}/repeated")
                continue
            if offer_id in self.answers:
                stats.inc_value(f"{STATS}/resumed_skipped")
                continue
            if id_format(offer_id) is None:
                stats.inc_value(f"{STATS}/unusual_format")
            if self.crawler.engine.needs_backout():
                # Lazy: read further only when the downloader has room (Scrapy's own recipe).
                await self.crawler.signals.wait_for(signals.scheduler_empty)
            # dont_filter: a previous run's requests.seen must not hide an id it never answered.
            yield Request(api + detail_path(offer_id), callback=self.parse_offer,
                          errback=self.offer_failed, cb_kwargs={"offer_id": offer_id},
                          dont_filter=True)
        if not stats.get_value(f"{STATS}/ids"):
            stats.set_value(f"{STATS}/ids", 0)
            logger.warning("offres_detail: no offer id to fetch")

    # -- the record of answered ids (resuming) --------------------------------------------------
    def _open_answer_log(self) -> None:
        jobdir = job_dir(self.settings)
        if not jobdir:
            return
        path = Path(jobdir) / ANSWER_LOG
        fragile = self._fragile_feeds()
        if fragile:
            AnswerLog(path).discard()  # it would vouch for rows this run's feeds may lose
            logger.warning("offres_detail: feed(s) %s do not keep their rows if the crawl is "
                           "killed (only local JSONL feeds appended to do): a resumed run asks "
                           "every id again", ", ".join(fragile))
            return
        self.answers = AnswerLog(path)
        if self.answers.restore():
            self.crawler.stats.set_value(f"{STATS}/resumed_answered", self.answers.restored)
            logger.info("Resuming: %d offer ids already answered (%s) are not asked again",
                        self.answers.restored, path)
            self._cut_back(self.answers.marks)
        # Connected now, after the feed exporter's own handler: the row is written when it runs.
        for signal in (signals.item_scraped, signals.item_dropped):
            self.crawler.signals.connect(self._row_done, signal)

    def _feed_slots(self) -> list:
        exporter = self.crawler.get_extension(FeedExporter)
        return list(exporter.slots) if exporter is not None else []

    def _fragile_feeds(self) -> list[str]:
        """The feeds whose rows a kill may lose: only a local JSONL file appended to (not
        overwritten, not compressed) keeps each row once it is flushed."""
        fragile = []
        for slot in self._feed_slots():
            storage, options = slot.storage, slot.feed_options
            if not (isinstance(storage, FileFeedStorage) and storage.write_mode == "ab"
                    and slot.format in APPENDABLE_FORMATS and not options.get("postprocessing")
                    and not str(storage.path).endswith(".gz")):
                fragile.append(slot.uri)
        return fragile

    def _cut_back(self, marks: dict[str, int]) -> None:
        """Rows written after the last record: their ids are asked again, so they go."""
        for path, length in marks.items():
            if length == 0 and not Path(path).exists():
                continue  # not written yet when the record was made, nor since
            try:
                cut = truncate_durably(path, length)
            except (OSError, ValueError) as exc:
                logger.error("offres_detail: %s is not as the record of answered ids left it "
                             "(%s): rows may repeat", path, exc)
                continue
            if cut:
                logger.info("Resuming: %s cut back to the last answer recorded (%d bytes)", path, cut)

    def _lengths(self) -> dict[str, int]:
        """Flush every output file: their lengths now (the rows written so far)."""
        lengths = {}
        for slot in self._feed_slots():
            path = Path(slot.storage.path).resolve()
            if slot.file is not None:
                slot.file.flush()
                lengths[str(path)] = slot.file.tell()
            else:  # not opened yet: what it holds is the earlier runs' (it is appended to)
                lengths[str(path)] = path.stat().st_size if path.is_file() else 0
        for writer in rejects_writers(self.crawler):
            mark = writer.flush_durably(fsync=False)
            if mark is not None:
                lengths[mark.path] = mark.offset
        return lengths

    def _row_done(self, item: Any, response: Response | None = None) -> None:
        request = getattr(response, "request", None)
        offer_id = request.cb_kwargs.get("offer_id") if request is not None else None
        if offer_id is None or request.callback != self.parse_offer:
            return
        # the row first, then the record with the files' lengths: a kill in between leaves a
        # row the next run cuts off (its id asked again), never a lost one
        self.answers.persist(offer_id, self._lengths())

    def closed(self, reason: str) -> None:
        self.answers.close()

    # -- answers ----------------------------------------------------------------------------------
    def parse_offer(self, response: Response, offer_id: str):
        stats = self.crawler.stats
        if response.status in (204, 400) and not self._first_answer(offer_id):
            return
        if response.status == 400:
            stats.inc_value(f"{STATS}/malformed")
            logger.warning("Offer id %r refused by the API: %s", offer_id,
                           api_error_message(response.body))
            self.answers.persist(offer_id, self._lengths())  # no row: the answer is this log line
            return
        if response.status == 204:
            stats.inc_value(f"{STATS}/withdrawn")
            yield OfferWithdrawal.seen_at(offer_id, time.time())
            return
        offer = response.json() if response.body.strip() else None
        if not isinstance(offer, dict):
            why = f"a {response.status} whose body is not an offer ({len(response.body)} bytes)"
            logger.error("Offer %s: %s", offer_id, why)
            run_failures(self.crawler).record(response.request, "unexpected_body", why)
            stats.inc_value(f"{STATS}/failed")
            return
        if not self._first_answer(offer_id):
            return
        sent_id = offer.get("id")
        if sent_id is not None and sent_id != offer_id:  # kept: it is what the API answered
            stats.inc_value(f"{STATS}/id_mismatch")
            logger.warning("Asked for offer %r, the API sent offer %s", offer_id,
                           safe_text(repr(sent_id), 80))
        stats.inc_value(f"{STATS}/offers")
        yield offer

    def _first_answer(self, offer_id: str) -> bool:
        if self.answers.claim(offer_id):
            return True
        # A second request for one id: from the input and from Scrapy's disk queue, on resume.
        self.crawler.stats.inc_value(f"{STATS}/repeat_answers")
        logger.debug("Offer %s answered already: this answer is dropped", offer_id)
        return False

    def offer_failed(self, failure: Failure) -> None:
        # The transport has logged it and put it in the run's error list (exit code 3).
        stats = self.crawler.stats
        stats.inc_value(f"{STATS}/failed")
        logger.debug("Offer %s not fetched: %s", failure.request.cb_kwargs.get("offer_id"),
                     failure.getErrorMessage())
