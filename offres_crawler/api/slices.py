"""Reading one slice (a window that is paged) so that a live index cannot hide an offer from it.

Why pages are read from the last to the first: withdrawals move later rows up. Reading forward,
a withdrawal above an already-read page pushes an unread row onto that page, and it is lost.
Reading backward, the row moves onto a page still to be read: at worst a duplicate.
Formally, with sort=1 inside a frozen window the set of matching offers only shrinks, so an
offer's row index never grows; a chain of reads of pages L, L-1, ..., 0 made at successive
instants, where L was the last page when it was read, meets every offer present throughout.

Reads may still come out of that order (the first page read was chosen from an estimate of the
total, a page failed and was fetched later, a ledger refetch). A pair of adjacent pages read in
the wrong order is still sound when the slice's total did not change between the two reads
(the set only shrinks, so an equal count means an equal set). `next_page()` checks exactly these
conditions and asks again for the first page that breaks them.

The ledger: a slice is expected to yield min(latest total, its depth) distinct offers. One that
falls short is read once more in full and then judged against its latest total (an offer
withdrawn meanwhile is not missing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from offres_crawler.api.content_range import PAGE_SIZE
from offres_crawler.api.windows import Window

logger = logging.getLogger(__name__)

MAX_ATTEMPTS_PER_PAGE = 2  # the transport already retried; one more attempt, then give up


def pages_for(total: int) -> int:
    return -(-total // PAGE_SIZE)


@dataclass
class Read:
    seq: int  # order in which the planner received answers
    total: int  # the slice's total reported with it


@dataclass
class SliceReader:
    sid: int
    window: Window
    role: str  # "cursor" (may continue below), "leaf" (must fit), "head"
    parent: int | None = None
    est_total: int | None = None  # expected total before the first answer (None: unknown)
    in_burst: bool = False  # part of a facet split of a crowded second (accounting)
    unsplittable: bool = False  # no facet left: read to the cap, the rest is unreachable

    total: int | None = None
    first_total: int | None = None
    upper_pages: int | None = None  # an empty answer with no total: fewer pages than this
    reads: dict[int, Read] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    failures: dict[int, int] = field(default_factory=dict)
    given_up: set[int] = field(default_factory=set)
    in_flight: int | None = None
    requests: int = 0
    empty_answers: int = 0
    refetched: bool = False
    overflowed: bool = False  # the deepest page was read while the total exceeded the depth
    paused_for: int | None = None  # waits for this slice's first answer (a crowded second?)
    status: str = "reading"  # reading | complete | short | replaced | split | failed
    note: str | None = None
    final_expected: int = 0
    final_collected: int = 0

    @property
    def active(self) -> bool:
        return self.status == "reading"

    def expected(self, depth: int) -> int:
        """Distinct offers this slice must have yielded: its latest total, or, over the cap, the
        cap less the withdrawals seen meanwhile (each moves one row of the slice below its last
        page, into the next slice's territory)."""
        if self.total is None:
            return 0
        shrink = max(0, (self.first_total if self.first_total is not None else self.total) - self.total)
        return max(0, min(self.total, depth * PAGE_SIZE - shrink))

    # -- what to read next ----------------------------------------------------------------------
    def next_page(self, depth: int) -> int | None:
        if not self.active or self.in_flight is not None or self.paused_for is not None:
            return None
        if self.total is None:
            if self.est_total is None:
                page = 0
            else:
                page = min(depth, max(1, pages_for(self.est_total))) - 1
            if self.upper_pages is not None:
                # past the end with no total: one page lower, and if that is empty too the
                # estimate was far off, so page 0, which always tells the total
                page = min(page, self.upper_pages - 1) if self.empty_answers < 2 else 0
            return max(page, 0)
        return self._chain_gap(depth)

    def _chain_gap(self, depth: int) -> int | None:
        """The first page whose read is missing or out of order, None when the chain holds."""
        if self.total == 0:
            return None
        top = min(depth, pages_for(self.total)) - 1
        if self.upper_pages is not None:
            top = min(top, self.upper_pages - 1)
        start = None
        for last in range(top, depth):
            r = self.reads.get(last)
            if r is not None and min(depth, pages_for(r.total)) - 1 <= last:
                start = last
                break
        if start is None:
            return top
        prev = self.reads[start]
        for page in range(start - 1, -1, -1):
            r = self.reads.get(page)
            if r is None or not (r.seq > prev.seq or r.total == prev.total):
                return page
            prev = r
        return None

    # -- answers --------------------------------------------------------------------------------
    def record(self, page: int, seq: int, total: int | None, keys: list[str]) -> None:
        """A successful answer for `page` (possibly empty)."""
        self.in_flight = None
        self.requests += 1
        self.keys.update(keys)
        if total is not None and not (total == 0 and page > 0 and not keys):
            # a bare "*/0" on a page past the end says nothing about the total (REFERENCE §4)
            self.total = total
            if self.first_total is None:
                self.first_total = total
            self.upper_pages = None
        if keys:
            self.reads[page] = Read(seq, self.total if self.total is not None else len(keys))
        else:
            self.empty_answers += 1
            if page == 0:
                self.total = 0 if total is None else total
                if self.first_total is None:
                    self.first_total = self.total
            elif total is None or total == 0:
                self.upper_pages = page  # the rows, if any, end before this page

    def fail(self, page: int, seq: int) -> bool:
        """A page could not be read; True when it is given up (the ledger will show the gap)."""
        self.in_flight = None
        self.requests += 1
        self.failures[page] = self.failures.get(page, 0) + 1
        if self.failures[page] >= MAX_ATTEMPTS_PER_PAGE:
            self.given_up.add(page)
            # counted as read so the chain can go on; the ledger reports what is missing
            self.reads[page] = Read(seq, self.total if self.total is not None else 0)
            return True
        return False

    def settle(self, depth: int) -> bool:
        """Call when next_page() is None and nothing is in flight: apply the ledger. Returns
        True when the slice is finished, False when it starts its one refetch."""
        expected, collected = self.expected(depth), len(self.keys)
        if collected < expected and not self.refetched:
            self.refetched = True
            self.reads.clear()
            self.failures.clear()
            self.given_up.clear()
            logger.info("slice %d short (%d of %d offers): reading it once more", self.sid,
                        collected, expected)
            return False
        self.final_expected, self.final_collected = expected, collected
        self.status = "complete" if collected >= expected else "short"
        return True

    def close(self, status: str, note: str | None = None) -> None:
        """Stop reading (replaced by finer slices, split by facet, or failed)."""
        self.status, self.note, self.in_flight = status, note, None
