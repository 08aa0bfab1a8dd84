"""Reading one slice (a window that is paged) so that a live index cannot hide an offer from it.

Why pages are read from the last to the first: withdrawals move later rows up. Reading forward,
a withdrawal above an already-read page pushes an unread row onto that page, and it is lost.
Reading backward, the row moves onto a page still to be read: at worst a duplicate.
Formally, with sort=1 inside a frozen window the set of matching offers only shrinks, so an
offer's row index never grows; a chain of reads of pages L, L-1, ..., 0 made at successive
instants, where L was the last page when it was read, meets every offer present throughout.

What matters is not the order in which the answers arrive but the moments they describe: an API
behind replicas may answer a later request from an earlier state of its index (reads.py). The set
only shrinks, so the window's count tells the moments apart: a pair of adjacent reads is sound
when the upper one's count is not above the lower one's (same count: same set). Reads that came
out of that order (the first page read was chosen from an estimate of the total, a page failed
and was fetched later, a ledger refetch, a lagging replica) are read again; `next_page()` checks
the chain and asks for the first read that breaks it. A read that stays out of order after
MAX_VIEW_REREADS attempts is accepted (the ledger's count check stands behind it).

Reads are placed by their first row: pages of 150 rows, except that once ties are known to come in
an unstable order, each upper read reaches into the read below by the group at its top (ties.py),
and the deepest read of a cursor slice may then sit below the last page boundary the cap allows
(`shift`: cursor.py says why).

The ledger: a slice is expected to yield min(smallest count seen, its depth) distinct offers (over
the cap, less the withdrawals seen meanwhile). One that falls short is read again in full, at most
MAX_READINGS times in all, then judged (an offer withdrawn meanwhile is not missing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.reads import Group, Read, in_view_order
from offres_crawler.harvest.ties import overlap_rows
from offres_crawler.harvest.windows import Window

logger = logging.getLogger(__name__)

MAX_ATTEMPTS_PER_PAGE = 2  # the transport already retried; one more attempt, then give up
MAX_READINGS = 3  # full readings of a slice that comes up short (the first one included)
MAX_VIEW_REREADS = 3  # reads of one page again because an answer described an earlier moment


def pages_for(total: int) -> int:
    return -(-total // PAGE_SIZE)


class Role(StrEnum):
    FROZEN = "frozen"  # a pass's frozen window: the first slice of its cursor
    CURSOR = "cursor"  # the window below another slice (may continue below in turn)
    CROWDED = "crowded"  # a window around a second holding more than the cap (split on a facet)
    FACET = "facet"  # one value (or group of values) of a facet split
    TIE = "tie"  # one second read again as its own window: a page boundary fell in an instant
    CLOSING = "closing"  # a pass's newest seconds read again once every replica has them (lag.py)


class Status(StrEnum):
    READING = "reading"
    COMPLETE = "complete"  # settled: every offer expected was collected
    SHORT = "short"  # settled: fewer offers than expected after the last reading
    REPLACED = "replaced"  # closed: finer slices read its window (a crowded second)
    SPLIT = "split"  # closed: split on a facet
    FAILED = "failed"  # closed: the API refused it, never answered, or the budget ran out


SETTLED = (Status.COMPLETE, Status.SHORT)


@dataclass
class SliceReader:
    sid: int
    window: Window
    role: Role
    parent: int | None = None
    est_total: int | None = None  # expected total before the first answer (None: unknown)
    in_burst: bool = False  # part of a facet split of a crowded second (accounting)
    unsplittable: bool = False  # no facet left: read to the cap, the rest is unreachable
    feeds: int | None = None  # a repair (TIE) slice: the slice whose ledger its offers count for
    not_before: int | None = None  # server time (epoch s) before which it must not be read
    count_only: bool = False  # read for its total alone: its offers are others' (crowds.py)

    total: int | None = None  # the latest count
    first_total: int | None = None
    min_count: int | None = None
    max_count: int | None = None
    upper_pages: int | None = None  # an empty answer with no total: fewer pages than this
    reads: dict[int, Read] = field(default_factory=dict)  # by first row
    keys: set[str] = field(default_factory=set)  # distinct ids while reading; emptied once closed
    failures: dict[int, int] = field(default_factory=dict)  # by first row
    given_up: set[int] = field(default_factory=set)
    rereads: dict[int, int] = field(default_factory=dict)  # by first row: reads again for the moment
    judged: set[int] = field(default_factory=set)  # upper reads whose boundary below is judged
    repairs: list[int] = field(default_factory=list)  # TIE slices feeding this one
    in_flight: int | None = None  # first row asked for
    requests: int = 0
    empty_answers: int = 0
    readings: int = 1
    overflowed: bool = False  # the deepest page was read while the total exceeded the depth
    paused_for: int | None = None  # waits for this slice's first answer (a crowded second?)
    awaiting_list: bool = False  # a crowd waiting for the ROME codes to split on (crowds.py)
    filtres: list[dict[str, Any]] | None = None  # its filtresPossibles meanwhile
    rome_sample: dict[str, int] = field(default_factory=dict)  # codes of a crowd's rows (romes.py)
    attempt: int = 0  # a window read again after its split fell short (crowds.py)
    shift: int | None = None  # rows the deepest read is moved below `depth` pages (cursor.py)
    status: Status = Status.READING
    note: str | None = None
    final_expected: int = 0
    final_collected: int = 0

    @property
    def active(self) -> bool:
        return self.status is Status.READING

    @property
    def refetched(self) -> bool:
        return self.readings > 1

    def expected(self, depth: int) -> int:
        """Distinct offers this slice must have yielded: its smallest count (the latest moment
        seen), or, over the cap, the cap less the withdrawals seen meanwhile (each moves one row
        of the slice below its last page, into the next slice's territory)."""
        if self.total is None or self.min_count is None or self.max_count is None or self.count_only:
            return 0
        shrink = self.max_count - self.min_count
        return max(0, min(self.min_count, self.reach(depth) - shrink))

    def reach(self, depth: int) -> int:
        """Rows this slice's reads can reach: `depth` pages, its deepest read moved down by
        `shift` rows."""
        return depth * PAGE_SIZE + (self.shift or 0)

    def bottom_row(self, total: int, depth: int) -> int:
        """The first row of the deepest read a window of `total` offers needs."""
        last = min(depth, pages_for(total)) - 1
        row = max(last, 0) * PAGE_SIZE
        if last == depth - 1 and self.shift and total > row + self.shift:
            row += self.shift
        return row

    # -- what to read next ----------------------------------------------------------------------
    def next_page(self, depth: int, unstable: bool = False, room: int = 0) -> int | None:
        """The first row of the next read, None when the chain holds. `room`: rows by which the
        deepest read may move below `depth` pages (decided once, before the first read)."""
        if not self.active or self.in_flight is not None or self.paused_for is not None or self.awaiting_list:
            return None
        if self.shift is None:
            self.shift = room
        if self.total is None:
            row = 0 if self.est_total is None else self.bottom_row(max(1, self.est_total), depth)
            if self.upper_pages is not None:
                # past the end with no total: one page lower, and if that is empty too the
                # estimate was far off, so page 0, which always tells the total
                row = min(row, (self.upper_pages - 1) * PAGE_SIZE) if self.empty_answers < 2 else 0
            return max(row, 0)
        if self.count_only:
            return None
        start, _ = self.chain(depth, unstable)
        return start

    def chain(self, depth: int, unstable: bool) -> tuple[int | None, list[tuple[int, int]]]:
        """(the first read missing or out of view order, None when the chain holds; the pairs
        (upper row, lower row) of adjacent reads in view order, from the bottom up)."""
        pairs: list[tuple[int, int]] = []
        if not self.total:
            return None, pairs
        top = self.bottom_row(self.total, depth)
        if self.upper_pages is not None:
            top = min(top, (self.upper_pages - 1) * PAGE_SIZE)
        deepest = {last * PAGE_SIZE for last in range(depth)} | {self.bottom_row(self.reach(depth), depth)}
        bottom = None
        for row in sorted(r for r in deepest if r >= top):
            r = self.reads.get(row)
            if r is not None and self.bottom_row(r.total, depth) <= row:
                bottom = row
                break
        if bottom is None:
            return top, pairs
        lower_row, lower = bottom, self.reads[bottom]
        while lower_row > 0:
            aligned = max(0, lower_row - PAGE_SIZE)
            shifted = max(0, lower_row - PAGE_SIZE + overlap_rows(lower, unstable))
            found = None
            for row in dict.fromkeys((shifted, aligned)):  # an aligned read made earlier stands too
                r = self.reads.get(row)
                if r is not None and (in_view_order(r, lower) or self.rereads.get(row, 0) >= MAX_VIEW_REREADS):
                    found = row, r
                    break
            if found is None:
                return shifted, pairs
            pairs.append((found[0], lower_row))
            lower_row, lower = found
        return None, pairs

    # -- answers --------------------------------------------------------------------------------
    def record(self, row: int, seq: int, total: int | None, keys: list[str], *, exact: bool = False,
               head: Group | None = None, tail: Group | None = None) -> None:
        """A successful answer for the read at `row` (possibly empty); `total` is its count."""
        self.in_flight = None
        self.requests += 1
        self.keys.update(keys)
        if total is not None and not (total == 0 and row > 0 and not keys):
            # a bare "*/0" on a page past the end says nothing about the total (REFERENCE §4)
            self._count(total)
            self.upper_pages = None
        if keys:
            self.reads[row] = Read(seq, self.total if self.total is not None else len(keys),
                                   exact and total is not None, len(keys), head, tail)
        else:
            self.empty_answers += 1
            if row == 0:
                self._count(0 if total is None else total)
            elif total is None or total == 0:
                self.upper_pages = -(-row // PAGE_SIZE)  # the rows, if any, end before this page

    def _count(self, total: int) -> None:
        self.total = total
        if self.first_total is None:
            self.first_total = total
        self.min_count = total if self.min_count is None else min(self.min_count, total)
        self.max_count = total if self.max_count is None else max(self.max_count, total)

    def fail(self, row: int, seq: int) -> bool:
        """A read could not be made; True when it is given up (the ledger will show the gap)."""
        self.in_flight = None
        self.requests += 1
        self.failures[row] = self.failures.get(row, 0) + 1
        if self.failures[row] >= MAX_ATTEMPTS_PER_PAGE:
            self.given_up.add(row)
            # counted as read so the chain can go on; the ledger reports what is missing
            self.reads[row] = Read(seq, self.total if self.total is not None else 0)
            return True
        return False

    def settle(self, depth: int) -> bool:
        """Call when next_page() is None and nothing is in flight: apply the ledger. Returns
        True when the slice is finished, False when it starts reading again."""
        expected, collected = self.expected(depth), len(self.keys)
        if collected < expected and self.readings < MAX_READINGS:
            self.readings += 1
            for kept in (self.reads, self.failures, self.rereads):
                kept.clear()
            self.given_up.clear()
            self.judged.clear()
            logger.info("slice %d short (%d of %d offers): reading it again (reading %d)", self.sid,
                        collected, expected, self.readings)
            return False
        self.final_expected, self.final_collected = expected, collected
        self.status = Status.COMPLETE if collected >= expected else Status.SHORT
        self._forget()
        return True

    def close(self, status: Status, note: str | None = None) -> None:
        """Stop reading (replaced by finer slices, split by facet, failed, out of budget)."""
        self.status, self.note, self.in_flight = status, note, None
        self._forget()

    def _forget(self) -> None:
        """The counts are kept; the ids are not needed any more."""
        self.keys, self.rome_sample, self.filtres = set(), {}, None
        for r in self.reads.values():
            r.head = r.tail = None

    # -- planner state (harvest/planner.py) -------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"sid": self.sid, "window": self.window.to_dict(), "role": self.role.value,
                "parent": self.parent, "est_total": self.est_total, "in_burst": self.in_burst,
                "unsplittable": self.unsplittable, "feeds": self.feeds, "not_before": self.not_before,
                "count_only": self.count_only,
                "total": self.total, "first_total": self.first_total, "min_count": self.min_count,
                "max_count": self.max_count, "upper_pages": self.upper_pages,
                "reads": [[row, *r.to_list()] for row, r in self.reads.items()],
                "keys": sorted(self.keys), "failures": [[p, n] for p, n in self.failures.items()],
                "given_up": sorted(self.given_up), "rereads": [[p, n] for p, n in self.rereads.items()],
                "judged": sorted(self.judged), "repairs": list(self.repairs), "in_flight": self.in_flight,
                "requests": self.requests, "empty_answers": self.empty_answers,
                "readings": self.readings, "overflowed": self.overflowed,
                "paused_for": self.paused_for, "awaiting_list": self.awaiting_list, "filtres": self.filtres,
                "rome_sample": dict(self.rome_sample), "attempt": self.attempt, "shift": self.shift,
                "status": self.status.value, "note": self.note,
                "final_expected": self.final_expected, "final_collected": self.final_collected}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SliceReader:
        s = cls(d["sid"], Window.from_dict(d["window"]), Role(d["role"]), parent=d["parent"],
                est_total=d["est_total"], in_burst=d["in_burst"], unsplittable=d["unsplittable"],
                feeds=d["feeds"], not_before=d["not_before"], count_only=d["count_only"])
        for name in ("total", "first_total", "upper_pages", "min_count", "max_count", "in_flight", "requests",
                     "empty_answers", "readings", "overflowed", "paused_for", "awaiting_list", "filtres",
                     "attempt", "shift", "note", "final_expected", "final_collected"):
            setattr(s, name, d[name])  # plain values, stored as they are
        s.reads = {r[0]: Read.from_list(r[1:]) for r in d["reads"]}
        s.keys, s.given_up, s.judged = set(d["keys"]), set(d["given_up"]), set(d["judged"])
        s.failures, s.rereads = dict(map(tuple, d["failures"])), dict(map(tuple, d["rereads"]))
        s.repairs, s.rome_sample, s.status = list(d["repairs"]), dict(d["rome_sample"]), Status(d["status"])
        return s
