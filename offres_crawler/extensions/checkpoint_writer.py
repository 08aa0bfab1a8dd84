"""Checkpoints written one at a time, off the reactor (extensions/checkpoint.py takes them).

A checkpoint is taken at an instant (the state as JSON text, the feed files' lengths, the dedup
records) and written later, in a thread: while one is written, only the latest one taken waits
(an older one waiting is superseded). Once one is on disk, the answer journal starts a new
segment (extensions/answer_replay.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from offres_crawler import jobdir as checkpoints

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from offres_crawler.extensions.answer_replay import Answers

logger = logging.getLogger(__name__)


@dataclass
class Taken:
    state: str | None  # JSON text, taken at the instant (the state goes on changing)
    files: list[checkpoints.FileMark]
    dedup: tuple[np.ndarray, np.ndarray] | None = None
    part: str | None = None  # snapshot layout: the part closed at that instant
    rows: int = 0  # its rows
    final: bool = False
    done: bool = False
    replaced: list[str] = field(default_factory=list)


class CheckpointWriter:
    def __init__(self, crawler: Crawler, jobdir: Path, spider: str, answers: Answers) -> None:
        self.crawler = crawler
        self.jobdir = jobdir
        self.spider = spider
        self.answers = answers
        self.generation = 0  # of the last checkpoint (carried on from the one taken up)
        self._next: Taken | None = None  # the latest checkpoint waiting to be written
        self._writer: Any = None  # the task writing them, one at a time

    def submit(self, taken: Taken) -> None:
        if taken.state is None:
            return
        self._next = taken
        if self._writer is None:
            self._writer = deferred_from_coro(self._write_all())

    async def drain(self) -> None:
        while self._writer is not None:
            await maybe_deferred_to_future(self._writer)

    async def _write_all(self) -> None:
        try:
            while self._next is not None:
                taken, self._next = self._next, None
                self.generation += 1
                checkpoint = checkpoints.Checkpoint(spider=self.spider, state=None,
                                                    files=taken.files, part=taken.part,
                                                    final=taken.final, done=taken.done,
                                                    generation=self.generation,
                                                    replaced=taken.replaced)
                try:
                    await run_in_thread(checkpoints.save, self.jobdir, checkpoint, taken.dedup,
                                        taken.state)
                except OSError:
                    logger.exception("The checkpoint could not be written in %s", self.jobdir)
                    continue
                self.answers.rotate()  # the answers before it are claimed or still in flight
                self.crawler.stats.inc_value("offres/checkpoint/written")
        finally:
            self._writer = None

