"""Deduplication pipeline: one row per offer id across slices, passes, retries and resumed runs.

The first copy of an id goes through. A later copy goes through only if its `dateActualisation`
is newer than every copy seen (`offres/dedup/superseded`): the offer changed between two
fetches, and the newer copy must win. Any other copy is dropped (`offres/dedup/duplicates`).
Ties keep the first copy.

Latest wins, in streaming feeds: a row already written cannot be taken back, so when a newer
copy goes through, the older row is still in some feed file. The offer exporters record the
(id, dateActualisation) of every row they write, and superseded rows are dropped from the files
once complete (`offres/dedup/compacted_rows`): by the exporter itself before the storage
takes the file (so single-file S3 feeds are clean too), and by the FeedCompaction extension at
the end of the crawl for local files (batches and snapshot parts written earlier, post-processed
feeds). Rows that no step could reach (a remote batch written before its newer copy arrived)
are counted in `offres/dedup/superseded_left` and logged.

State: `api.id_store.IdStore` (about 34 bytes an id at 1,000,000 ids). With JOBDIR it survives
in JOBDIR/offres_dedup/: record files restored at start (`offres/dedup/restored`), which never
claim a row a crash has lost. In the snapshot layout the snapshot extension saves the records of
each part as it commits it (commits/*.npz, see extensions/snapshot.py). Otherwise, for a spider
whose crawl is checkpointed (extensions/checkpoint.py), the records of the checkpoint taken up;
for the others the whole state, saved when the crawl closes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.job import job_dir

from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.jobdir import resume
from offres_crawler.offers.id_store import NO_DATE, IdStore, Outcome, id_key, load_records, save_records
from offres_crawler.offers.validation import parse_datetime_us
from offres_crawler.pipelines.scope import yields_offers

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STATE_DIR = "offres_dedup"  # under JOBDIR
STATE_FILE = "state.npy"  # the whole state, saved at close (outside the snapshot layout)
COMMITS_DIR = "commits"  # one record file per committed snapshot part


def load_commit(path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (keys, dates) arrays of each file of one committed snapshot part."""
    with np.load(path) as data:
        return [(data[name].view(np.uint64), data[name.replace("__keys", "__dates")])
                for name in data.files if name.endswith("__keys")]


def state_dir(crawler: Crawler) -> Path | None:
    jobdir = job_dir(crawler.settings)
    return Path(jobdir) / STATE_DIR if jobdir else None


class DedupPipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("OFFRES_DEDUP_ENABLED") or not yields_offers(crawler):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.registry = FeedRegistry.of(crawler)
        self.store = IdStore(settings.getint("OFFRES_DEDUP_INITIAL_CAPACITY"))
        self.registry.store = self.store
        self.state_dir = state_dir(crawler)
        self.resume = resume(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        if self.resume.dedup is not None:  # a checkpoint was taken up
            self.store.merge(*self.resume.dedup)
        if self.state_dir is not None and self.state_dir.is_dir():
            await run_in_thread(self._restore)  # up to a few hundred ms at 1,000,000 ids
        if len(self.store):
            self.stats.set_value("offres/dedup/restored", len(self.store))
            logger.info("Deduplication resumes with %d offer ids from %s", len(self.store), self.state_dir)

    def _restore(self) -> None:
        assert self.state_dir is not None
        if not self.resume.active and (self.state_dir / STATE_FILE).is_file():
            self.store.merge(*load_records(self.state_dir / STATE_FILE))
        for path in sorted((self.state_dir / COMMITS_DIR).glob("*.npz")):
            for keys, dates in load_commit(path):
                self.store.merge(keys, dates)

    def process_item(self, item: Any) -> Any:
        if type(item) is not dict:  # offers are plain dicts; other records pass (see scope.py)
            return item
        offer_id = item.get("id")
        if type(offer_id) is not str or not offer_id:
            self.stats.inc_value("offres/dedup/no_id")  # nothing to key on; validation reports it
            return item
        date = parse_datetime_us(item.get("dateActualisation"))
        outcome = self.store.offer(id_key(offer_id), NO_DATE if date is None else date)
        if outcome is Outcome.NEW:
            self.stats.inc_value("offres/dedup/unique")
            return item
        if outcome is Outcome.NEWER:
            self.stats.inc_value("offres/dedup/superseded")
            return item
        self.stats.inc_value("offres/dedup/duplicates")
        raise DropItem(f"duplicate of offer {offer_id}", log_level="DEBUG")

    async def close_spider(self) -> None:
        self.stats.set_value("offres/dedup/ids", len(self.store))
        # nothing to save from a run that wrote no offer (a refused one: its JOBDIR left alone)
        if self.state_dir is not None and self.registry.snapshot is None and not self.resume.active \
                and len(self.store):
            await run_in_thread(save_records, self.state_dir / STATE_FILE, *self.store.records_arrays())
            logger.info("Deduplication state (%d ids) saved in %s", len(self.store), self.state_dir)
