"""The answer journal's Scrapy glue (the journal itself: offres_crawler/answer_journal.py).

`AnswerReplay`, a downloader middleware placed before the transport's (retries, 429s, tokens):
- a final answer (200, 204, 206, 400: what the spider parses) to a request that carries
  JOURNAL_META (offres_search's search requests: `[plan id, key]`) is appended to the JOBDIR's
  journal while checkpoints are kept (extensions/checkpoint.py);
- a request whose URL has an answer waiting to be replayed (a resumed run) is answered from it,
  without going to the network (and the answer is journaled again under its new key).
`answers(crawler)` is what the checkpoints (rotate, clear) and the spider (take up, with which
answers its restored plan still waits for) share.

Appending is synchronous: a few tens of kilobytes into the OS's cache per page, as the feeds
write their rows.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from offres_crawler.answer_journal import ANSWERS_DIR, Answer, AnswerJournal, Replay
from offres_crawler.per_crawler import shared

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

JOURNAL_META = "offres_journal"  # [tag, key]: this request's answer may be journaled, replayed
ANSWER_STATUSES = frozenset({200, 204, 206, 400})
KEPT_HEADERS = ("Content-Type", "Content-Range", "Date", "Accept-Range")  # no rate headers: stale
STATS = "offres/checkpoint/answers"


class Answers:
    """One per crawler: the journal being written (None: no checkpoints) and the replay."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.journal: AnswerJournal | None = None
        self.replay = Replay()

    def open(self, jobdir: Path) -> None:
        """Checkpoints are kept in `jobdir`: answers are journaled there from now on."""
        self.journal = AnswerJournal(jobdir / ANSWERS_DIR)

    def take_up(self, keep: Callable[[Answer], bool]) -> None:
        """Replay the journaled answers that `keep` accepts (those the restored plan waits for)."""
        if self.journal is None:
            return
        found = self.journal.take_up(keep)
        self.replay = Replay(found)
        self.crawler.stats.set_value(f"{STATS}/taken_up", len(found))
        if found:
            logger.info("Resuming: %d answers received before the kill are replayed, not asked again",
                        len(found))

    def rotate(self) -> None:
        if self.journal is not None:
            self.journal.rotate()

    def clear(self) -> None:
        self.replay = Replay()
        if self.journal is not None:
            self.journal.clear()

    def record(self, request: Request, response: Response) -> None:
        if self.journal is None:
            return
        tag, key = request.meta[JOURNAL_META]
        headers = {name: response.headers.get(name).decode("latin-1")  # type: ignore[union-attr]
                   for name in KEPT_HEADERS if response.headers.get(name) is not None}
        self.journal.record(Answer(str(tag), int(key), request.url, response.status, headers,
                                   response.body))

    def answer(self, request: Request) -> Response | None:
        found = self.replay.take(request.url)
        if found is None:
            return None
        self.crawler.stats.inc_value(f"{STATS}/replayed")
        headers = Headers(found.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=found.body)
        return cls(url=request.url, status=found.status, headers=headers, body=found.body,
                   request=request, flags=["replayed"])


def answers(crawler: Crawler) -> Answers:
    return shared(crawler, Answers)


class AnswerReplay:
    def __init__(self, crawler: Crawler) -> None:
        self.answers = answers(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AnswerReplay:
        return cls(crawler)

    def process_request(self, request: Request) -> Response | None:
        if JOURNAL_META not in request.meta:
            return None
        return self.answers.answer(request)

    def process_response(self, request: Request, response: Response) -> Response:
        if JOURNAL_META in request.meta and response.status in ANSWER_STATUSES:
            try:
                self.answers.record(request, response)
            except OSError as exc:  # a cache: the crawl goes on without it
                logger.warning("The answer journal cannot be written (%s): a kill would cost more "
                               "requests", exc)
                self.answers.journal = None
        return response
