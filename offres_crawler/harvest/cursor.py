"""The date cursor: a pass's frozen window read slice by slice, and crowded seconds.

A frozen window is read from its deepest reachable page (the cap) back to page 0 (slices.py says
why backwards). The deepest page shows the oldest second reached, s; the next slice is the window
below, up to s (overlapping that second), and starts as soon as that page is in, so slices run
side by side.

When a slice cannot move below its own top second (thousands of offers in one second: bulk
imports), that second and the one before go to a two-second window split on a facet whose counts
(in the window's own filtresPossibles) add up to its total (facets.py); a value still over the cap
is split again on another facet (ANDed). The cursor goes on below. A crowd is usually met one
slice late: the slice above ends in it and the one below cannot get past it; both are replaced
by the seconds above the crowd, a window around it and the seconds below it.

Why a date cursor rather than count-guided bisection
----------------------------------------------------
Every page brings 150 offers and the total, so the cursor needs no count probe: each slice is read
to the cap in full pages and the next one starts where it stopped. Only the last page of each pass
is partial and a slice re-reads the one or two seconds it shares with the previous one. Bisection
has to learn each half's total before it can page it (a probe per split, or a first page read out
of order), its slices are filled to 50-100 % of the cap so their last pages are partial, and
over-full halves are wasted reads. Measured with bench/planner_strategies.py on in-memory
markets of 2,500 to 20,000 offers (one pass, no crowded second), in requests per ceil(N/150):
cursor 1.000 at both caps; bisection 1.07-1.09 with the 3000 cap and 1.29-1.34 with the legacy
1000 cap. (With the verdict's count at the end, which is also the closing read for replica lag,
the cursor's figure is 1.057 on 2,500 offers, 1.015-1.020 on 10,000, 1.005 on 30,000.)
The cursor's one cost is sequencing (a slice's start is known only once the previous
slice's deepest page is in); slices still overlap in time, so the rate limit, not latency,
bounds the speed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from offres_crawler.harvest.content_range import DEFAULT_MAX_START, PAGE_SIZE
from offres_crawler.harvest.crowds import Crowds
from offres_crawler.harvest.dates import epoch_to_param
from offres_crawler.harvest.ledger import Ledger, Unreachable
from offres_crawler.harvest.reads import end_groups
from offres_crawler.harvest.romes import RomeCodes
from offres_crawler.harvest.search_page import SearchPage
from offres_crawler.harvest.slices import Role, SliceReader, Status
from offres_crawler.harvest.tie_repairs import TieRepairs
from offres_crawler.harvest.ties import TieState
from offres_crawler.harvest.windows import Window

logger = logging.getLogger(__name__)


class Cursor:
    """Every slice of the harvest: which pages to read now, and what each answer leads to."""

    def __init__(self, slices: dict[int, SliceReader], new_id: Callable[[], int], ledger: Ledger,
                 ties: TieState, codes: RomeCodes, lag: int = 0) -> None:
        self.slices = slices
        self.lag = lag  # lag.py
        self.max_start = DEFAULT_MAX_START  # the range cap in force (the planner keeps it up to date)
        self._new_id = new_id
        self._ledger = ledger
        self.ties = ties
        self.crowds = Crowds(slices, self.start, ledger, ties, codes)
        self.tie_repairs = TieRepairs(slices, self.start, ledger, ties)

    def start(self, window: Window, role: Role, *, parent: int | None, est: int | None,
              in_burst: bool = False, feeds: int | None = None, not_before: int | None = None,
              count_only: bool = False) -> SliceReader:
        s = SliceReader(self._new_id(), window, role, parent=parent, est_total=est, in_burst=in_burst,
                        feeds=feeds, not_before=not_before, count_only=count_only)
        self.slices[s.sid] = s
        return s

    @property
    def active(self) -> bool:
        return any(s.active for s in self.slices.values())

    def reads(self, depth: int, clock: int | None = None) -> Iterator[tuple[SliceReader, int, float]]:
        """Every read that can be asked for now, as (slice, first row, delay in seconds): each
        slice reads one page at a time; a slice with nothing left to read is settled on the way
        (once the repairs feeding it are done)."""
        changed = True
        while changed:  # settling a slice can wake another one up
            changed = False
            for s in list(self.slices.values()):
                if s.paused_for is not None and not self.slices[s.paused_for].active:
                    s.paused_for = None  # the slice it waited for ended without finding a crowd
                    changed = True
                while s.active and s.in_flight is None and s.paused_for is None and not s.awaiting_list:
                    row = s.next_page(depth, self.ties.unstable, self._room(s, depth))
                    if row is None:
                        if any(self.slices[r].active for r in s.repairs):
                            break  # judged once the seconds read again are in
                        keys = s.keys
                        if s.settle(depth):
                            self._settled(s, keys, depth)
                            changed = True
                            break
                        continue
                    s.in_flight = row
                    delay = 0.0
                    if row in s.reads:  # it described an earlier moment than the read below it:
                        s.rereads[row] = s.rereads.get(row, 0) + 1
                        # once every replica is past that read's answer, it cannot do so again
                        delay = float(self.lag)
                    if s.not_before is not None:
                        delay = 0.0 if clock is None else max(0.0, s.not_before - clock + 0.5)
                        s.not_before = None
                    yield s, row, delay

    def _room(self, s: SliceReader, depth: int) -> int:
        """Rows by which a new cursor slice's deepest read moves below its last page boundary.

        Once ties come in an unstable order each read overlaps the one below by the group of ties
        at its top (about 8 rows on the sandbox), so k reads cover 150 k - (k - 1) g rows, and the
        top read, which cannot go above row 0, is mostly a repeat unless the deepest read sits at
        150 (k - 1) - (k - 1) g. Under the legacy cap (start at most 1000, pages 0 to 6, the
        deepest at 900) 8 reads then cover 1,144 rows instead of 1,050: 200,000 offers in shuffled
        order took 1.193 x ceil(N/150) requests without the shift, 1.104 with it
        (bench/search_efficiency.py). Under the current cap (3000, itself a page boundary) there
        is no room, and under a stable order reads stay on page boundaries.

        But for a crowded window under a stable order: no date cut divides it, and one of up to
        `max_start` + 150 offers (legacy: 1,150, not 1,050) is read in pages down to the cap
        rather than split on a facet (an answer per value, partial last pages, often a level
        more): 3 bursts of 4,000 on the sandbox cost 20 requests beyond their pages, not 36."""
        room = self.max_start - (depth - 1) * PAGE_SIZE
        if room <= 0 or s.reads:
            return 0
        if not self.ties.unstable:
            crowded = s.role is Role.CROWDED and (s.est_total or 0) > depth * PAGE_SIZE
            return room if crowded else 0
        if s.role not in (Role.FROZEN, Role.CURSOR):
            return 0
        g = self.ties.mean_group()
        k = depth + 1
        best = PAGE_SIZE * (k - 1) - (k - 1) * g  # deepest row for k reads to end at row 0
        return max(0, min(room, int(best) - (depth - 1) * PAGE_SIZE))

    def _capacity(self, depth: int) -> int:
        """Rows a part of a crowded window may hold: what its reads reach (`_room`)."""
        if self.ties.unstable:
            return depth * PAGE_SIZE
        return max(depth * PAGE_SIZE, self.max_start + PAGE_SIZE)

    def _settled(self, s: SliceReader, keys: set[str], depth: int) -> None:
        self._ledger.settled(s, depth)
        fed = self.slices.get(s.feeds) if s.feeds is not None else None
        if fed is not None and fed.active:
            fed.keys.update(keys)  # a second read again counts for the slice it repairs

    # ---- answers ------------------------------------------------------------------------------
    def on_answer(self, s: SliceReader, row: int, seq: int, page: SearchPage, depth: int,
                  exact: bool = False) -> None:
        keys = [k for k, _ in page.rows]
        head, tail = end_groups(page)
        first = s.first_total is None
        s.record(row, seq, page.total, keys, exact=exact, head=head, tail=tail)
        if first and s.first_total is not None and s.parent is not None:
            self.crowds.counted(s)
        if not s.active:
            return
        if s.role in (Role.CROWDED, Role.TIE):  # a sample of its codes, should it split on them
            for code in page.romes:
                if code:
                    s.rome_sample[code] = s.rome_sample.get(code, 0) + 1
        if s.total is not None and s.total > PAGE_SIZE and self.crowds.one_page_only(s):
            self.crowds.split(s, page.filtres, depth, capacity=PAGE_SIZE)
        elif (row == s.bottom_row(s.reach(depth), depth) and keys and not s.overflowed and s.total is not None
                and s.total > s.reach(depth)):
            s.overflowed = True
            self._continue_below(s, page, depth)
        if s.active:
            self.tie_repairs.judge_boundaries(s, depth)
        parent = self.slices.get(s.parent) if s.parent is not None else None
        if parent is not None and parent.paused_for == s.sid and keys:
            parent.paused_for = None  # no crowd after all: the slice above goes on

    def on_failure(self, s: SliceReader, row: int, seq: int, reason: str) -> None:
        """The transport gave up on a read of `s`."""
        if s.fail(row, seq):
            logger.warning("slice %d: rows from %d given up after %d attempts", s.sid, row,
                           s.failures[row])
            if s.total is None:  # not one answer: nothing is known of this window
                s.close(Status.FAILED, f"no answer: {reason}")
                self._ledger.lost(Unreachable(s.est_total, f"no page could be read ({reason})", slice=s.sid))

    def on_error(self, s: SliceReader, message: str) -> None:
        """A 4xx other than the cap: the API refuses this window; retrying cannot help."""
        s.requests += 1
        s.close(Status.FAILED, message)
        self._ledger.lost(Unreachable(s.est_total or 0, f"API error: {message}", slice=s.sid))

    # ---- below a slice over the cap -----------------------------------------------------------
    def _continue_below(self, s: SliceReader, page: SearchPage, depth: int) -> None:
        """The slice holds more than the cap: continue below the oldest second reached."""
        assert s.total is not None
        w = s.window
        seconds = [x for _, x in page.rows if x is not None]
        if s.unsplittable:
            return
        if s.role is Role.CROWDED:  # a crowded second's window: no date cut can divide it
            self.crowds.split(s, page.filtres, depth, capacity=self._capacity(depth))
            return
        oldest = min(seconds) if seconds else None
        if oldest is not None and w.hi is not None and oldest < w.hi:
            below = w.cut_top(oldest)
            top = below.max_sent
            assert top is not None
            # offers certainly above `below`: every row before the deepest page, if that page
            # already starts above it, plus the page's own rows above it
            above = sum(1 for x in seconds if x > top)
            if seconds[0] > top:
                above += s.bottom_row(s.reach(depth), depth)
            c = self.start(below, Role.CURSOR, parent=s.sid, est=s.total - above, in_burst=s.in_burst)
            if seconds[0] == oldest:
                # the whole deepest page is one second: if it is a crowd, this slice's pages above
                # are mostly that crowd, which its facet split will read anyway. Wait for the
                # slice below to say so before reading them.
                s.paused_for = c.sid
            return
        # stuck: the deepest row is in the slice's top second
        parent = self.slices.get(s.parent) if s.parent is not None else None
        if parent is not None and parent.paused_for == s.sid and oldest is not None:
            self._split_around(parent, s, oldest, depth)
            return
        if not s.in_burst:  # a crowded window's own reads are counted with the burst already
            self._ledger.stuck(s.requests)
        if w.minimal:
            self.crowds.split(s, page.filtres, depth, capacity=self._capacity(depth))
            return
        assert w.hi is not None
        crowded = w.cut_bottom(w.hi - 1)
        rest = w.cut_top(w.hi - 2)
        s.close(Status.REPLACED, f"second {epoch_to_param(w.hi)} holds more than the cap")
        logger.info("slice %d: more than %d offers around %s: splitting that second on a facet",
                    s.sid, depth * PAGE_SIZE, epoch_to_param(w.hi))
        self.start(crowded, Role.CROWDED, parent=s.sid, est=s.total, in_burst=True)
        # how many of the window's offers are in the crowd is not known yet: no estimate, so the
        # rest starts with its page 0, which tells its total
        self.start(rest, Role.CURSOR, parent=s.sid, est=None, in_burst=s.in_burst)

    def _split_around(self, upper: SliceReader, lower: SliceReader, crowd: int, depth: int) -> None:
        """Second `crowd` holds more than the cap: `upper` ended in it and `lower` (below `upper`)
        cannot get past it. Replace both by the seconds above it, a window around it (split on a
        facet) and the seconds below it."""
        note = f"second {epoch_to_param(crowd)} holds more than the cap"
        logger.info("more than %d offers in %s: splitting that second on a facet",
                    depth * PAGE_SIZE, epoch_to_param(crowd))
        if not upper.in_burst:
            self._ledger.stuck(upper.requests + lower.requests)
        upper.close(Status.REPLACED, note)
        lower.close(Status.REPLACED, note)
        w = upper.window
        assert w.hi is not None and w.lo is not None
        assert upper.total is not None and lower.total is not None
        if w.hi >= crowd + 2:
            # exists only because of the crowd: its partial last page is the crowd's cost
            self.start(w.cut_bottom(crowd + 2), Role.CURSOR, parent=upper.sid,
                       est=max(1, upper.total - lower.total), in_burst=True)
        around = w.cut_bottom(crowd - 1).cut_top(min(crowd + 1, w.hi))
        self.start(around, Role.CROWDED, parent=upper.sid, est=lower.total, in_burst=True)
        if crowd - 2 >= w.lo:  # the crowd's size is not known yet: see _continue_below
            self.start(w.cut_top(crowd - 2), Role.CURSOR, parent=upper.sid, est=None,
                       in_burst=upper.in_burst)

    def on_unstable(self) -> None:
        self.tie_repairs.on_unstable()

    def to_dict(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.slices.values()]

    def restore(self, slices: list[dict[str, Any]]) -> None:
        for d in slices:
            s = SliceReader.from_dict(d)
            self.slices[s.sid] = s
