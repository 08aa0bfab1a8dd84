"""Checkpoints of a crawl in its JOBDIR: a run killed at any instant (SIGKILL, a power cut) and
started again with the same JOBDIR asks only for what was not safely written, and writes no
row twice. The file itself: offres_crawler/jobdir.py.

Who takes part: a spider that hands its state with `resume(crawler).provide(state)` in its
`from_crawler` (offres_search: its planner; referentiels: the lists written). The state it
hands must claim only work whose items have all been through the feeds (spiders/settled.py):
then the state at any instant, the feeds' files at that same instant and the dedup records of
what they hold are consistent, and are what a checkpoint saves.

When:
- snapshot layout: at the instant a part stops taking rows (`batch_closing`), the state is
  taken; it is written once that part and every one before it are committed
  (extensions/snapshot.py). Parts close every OFFRES_SNAPSHOT_PART_ITEMS rows and, with a
  JOBDIR, at least every OFFRES_CHECKPOINT_INTERVAL seconds;
- other feeds: every OFFRES_CHECKPOINT_INTERVAL seconds (and when the spider asks), if every
  feed keeps its rows through a kill (a local, uncompressed JSONL file appended to: `-o
  x.jsonl`): the files are flushed and fsynced, their lengths recorded, with the records of
  the offers they hold. Any other feed (`-O`, Parquet, compressed, remote) has nothing on disk
  until the run closes: no checkpoint is taken meanwhile, and a killed run is started afresh;
- when the run closes, every feed stored: the final state, or none when the spider has
  nothing left to do (a finished harvest) or a remote or compressed feed was written, so that
  the next run starts afresh. Local files overwritten (`-O`) are named in it: they hold this
  run's rows only, and a run that would overwrite one again (replacing them by the rest) does
  not take the checkpoint up.
On start, the checkpoint is taken up before any feed opens: files appended to are cut back to
their recorded length, the dedup pipeline restores its records, the spider its state. One that
cannot be taken up is set aside with a warning and the run starts afresh.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.asyncio import call_later, create_looping_call, run_in_thread

from offres_crawler import jobdir as checkpoints
from offres_crawler.exporters.base import OfferExporter
from offres_crawler.exporters.registry import FeedRegistry, feeds_finalized
from offres_crawler.extensions.answer_replay import answers
from offres_crawler.extensions.checkpoint_feeds import (
    durable,
    flush,
    found_incomplete,
    overwritten,
    replaced_whole,
    slot_path,
    stored,
)
from offres_crawler.extensions.checkpoint_writer import CheckpointWriter, Taken
from offres_crawler.extensions.feed_exporter import batch_closing
from offres_crawler.extensions.snapshot import part_committed
from offres_crawler.jobdir import resume
from offres_crawler.pipelines.dedup import COMMITS_DIR, STATE_DIR
from offres_crawler.pipelines.rejects import rejects_writers
from offres_crawler.snapshot.state import part_name

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

COMMITS = f"{STATE_DIR}/{COMMITS_DIR}"  # the snapshot's commit records, under the JOBDIR
BUSY_RETRY = 0.05  # seconds before a plain checkpoint put off (`Resume.busy`) is tried again


class Checkpoints:
    def __init__(self, crawler: Crawler) -> None:
        directory = crawler.settings.get("JOBDIR")
        self.resume = resume(crawler)
        if not directory or self.resume.state is None:
            raise NotConfigured
        self.crawler = crawler
        self.jobdir = Path(directory)
        self.registry = FeedRegistry.of(crawler)
        self.interval = crawler.settings.getfloat("OFFRES_CHECKPOINT_INTERVAL", 60.0)
        self.spider = getattr(crawler.spidercls, "name", "")
        self.task: Any = None
        self.pending: dict[int, Taken] = {}  # snapshot parts closed, not yet all committed
        self.committed: set[str] = set()
        self._retrying = False  # a plain checkpoint put off while the spider was busy
        self.resume.active = True
        self.resume.checkpoint_now = self.request
        self.answers = answers(crawler)
        self.answers.open(self.jobdir)
        self.writer = CheckpointWriter(crawler, self.jobdir, self.spider, self.answers)
        self._take_up()
        for handler, signal in ((self.spider_opened, signals.spider_opened),
                                (self.spider_closed, signals.spider_closed),
                                (self.batch_closing, batch_closing),
                                (self.part_committed, part_committed),
                                (self.feeds_finalized, feeds_finalized)):
            crawler.signals.connect(handler, signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Checkpoints:
        return cls(crawler)

    # -- start ----------------------------------------------------------------------------------
    def _take_up(self) -> None:
        snapshot = self.registry.snapshot
        try:
            found = checkpoints.load(self.jobdir)
            if found is None:
                self.answers.clear()  # answers of no plan that can be taken up
                return
            self.writer.generation = found.generation
            if found.spider != self.spider:
                raise checkpoints.CheckpointError(f"it is {found.spider!r}'s")
            if snapshot is not None:
                if snapshot.run == 1:
                    raise checkpoints.CheckpointError("this snapshot starts afresh")
                if found.part and not (self.jobdir / COMMITS / f"{found.part}.npz").is_file():
                    raise checkpoints.CheckpointError(f"part {found.part} is not committed")
                if found.done and found_incomplete(snapshot):
                    raise checkpoints.CheckpointError("the run that ended its harvest found the "
                                                      "snapshot incomplete")
            again = overwritten(self.crawler.settings).intersection(found.replaced)
            if again:  # it holds what the checkpoint claims: resuming would replace it by the rest
                raise checkpoints.CheckpointError(f"this run overwrites {', '.join(sorted(again))}, "
                                                  f"which holds the rows of the run checkpointed")
            self.resume.dedup = checkpoints.take_up(self.jobdir, found)
        except checkpoints.CheckpointError as exc:
            logger.warning("The checkpoint in %s is not taken up (%s): starting afresh",
                           self.jobdir, exc)
            checkpoints.remove(self.jobdir)
            self.answers.clear()
            return
        self.resume.restored = found.state
        self.crawler.stats.set_value("offres/checkpoint/resumed", found.taken_at)
        logger.info("Resuming from the checkpoint of %s in %s", found.taken_at, self.jobdir)

    def spider_opened(self) -> None:
        if self.registry.snapshot is None and self.resume.restored is None:
            # the files' lengths before this run writes: a kill before the next checkpoint
            # cuts them back there rather than leaving rows whose work is done again
            self.request()
        if self.registry.snapshot is None and self.interval > 0:
            self.task = create_looping_call(self.request)
            self.task.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.task = None

    # -- snapshot layout: a state per part, written once committed --------------------------------
    def batch_closing(self, slot: Any) -> None:
        snapshot = self.registry.snapshot
        path = slot_path(slot)
        if snapshot is None or path is None or slot.format != "parquet" \
                or path.parent != snapshot.in_progress_dir.resolve():
            return
        files = [mark for s in self._slots() if (mark := flush(s)) is not None]
        self.pending[slot.batch_id] = Taken(self._state_text(), files, part=part_name(path.name),
                                             rows=slot.itemcount)
        self._advance()

    def part_committed(self, name: str) -> None:
        self.committed.add(name)
        self._advance()

    def _advance(self) -> None:
        """Write the latest state whose part and every earlier one are committed."""
        latest = None
        for batch_id in sorted(self.pending):
            taken = self.pending[batch_id]
            # an empty last part is not stored: nothing of it to wait for
            if taken.part not in self.committed and not (taken.rows == 0 and batch_id > 1):
                break
            latest = self.pending.pop(batch_id)
        if latest is not None:
            self.writer.submit(latest)

    # -- other feeds: every interval, when every feed keeps its rows ------------------------------
    def request(self) -> None:
        """Take a checkpoint soon (outside the snapshot layout; the spider may ask)."""
        if self.registry.snapshot is None:
            call_later(0, self._take_plain)

    def _take_plain(self) -> None:
        if self.resume.busy():  # an answer half written, that no dedup record covers: soon
            if not self._retrying:
                self._retrying = True
                call_later(BUSY_RETRY, self._retry_plain)
            return
        slots = self._slots()
        if not slots or not all(durable(s) for s in slots):
            return
        files = [mark for s in slots if (mark := flush(s)) is not None]
        files += [mark for w in rejects_writers(self.crawler) if (mark := w.flush_durably())]
        keys, dates = [], []
        if self.resume.dedup is not None:
            keys.append(self.resume.dedup[0])
            dates.append(self.resume.dedup[1])
        for slot in slots:
            if isinstance(slot.exporter, OfferExporter):
                k, d = slot.exporter.records()
                keys.append(k)
                dates.append(d)
        dedup = (np.concatenate(keys), np.concatenate(dates)) if keys else None
        self.writer.submit(Taken(self._state_text(), files, dedup=dedup))

    def _retry_plain(self) -> None:
        self._retrying = False
        if self.crawler.engine is not None and self.crawler.engine.running:
            self._take_plain()

    # -- the end --------------------------------------------------------------------------------
    async def feeds_finalized(self) -> None:
        """Every feed is stored: the final state, or none."""
        await self.writer.drain()
        state = self.resume.state() if self.resume.state else None
        done = False
        if state is None and self.registry.snapshot is not None and not self.pending:
            state = self.resume.done_state()  # kept until published: a kill must not re-plan
            done = state is not None
            if done:
                self.answers.clear()  # nothing left to ask: nothing to replay
        if state is None:
            await run_in_thread(checkpoints.remove, self.jobdir)
            self.answers.clear()
            return
        files = [mark for s in self._slots() if (mark := stored(s))]
        if self.registry.snapshot is not None:
            if self.pending:  # a part could not be stored: the last good checkpoint stays
                logger.warning("Not every snapshot part was committed: the checkpoint stays at "
                               "the last one that was")
                return
            part = max(self.committed, default=None)
            self.writer.submit(Taken(json.dumps(state), files, part=part, final=True, done=done))
        else:
            slots = self._slots()
            if any(not durable(s) and not replaced_whole(s) for s in slots):
                await run_in_thread(checkpoints.remove, self.jobdir)  # remote, or appended .gz
                self.answers.clear()
                return
            replaced = [str(slot_path(s)) for s in slots if replaced_whole(s)]
            files += [mark for w in rejects_writers(self.crawler) if (mark := w.stored_mark())]
            store = self.registry.store
            dedup = store.records_arrays() if store is not None else None
            self.writer.submit(Taken(json.dumps(state), files, dedup=dedup, final=True,
                                replaced=replaced))
        await self.writer.drain()

    def _state_text(self) -> str | None:
        state = self.resume.state() if self.resume.state else None
        return None if state is None else json.dumps(state, separators=(",", ":"))

    def _slots(self) -> list[Any]:
        exporter = self.crawler.get_extension(FeedExporter)
        return list(exporter.slots) if exporter is not None else []

