"""Acting on the judgements of ties.py: the page boundaries of a slice judged once both reads are
in, and the seconds read again as their own window (a repair) when a boundary inside an instant
cannot be shown safe."""

from __future__ import annotations

import logging

from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.crowds import Start
from offres_crawler.harvest.ledger import Ledger, Unreachable
from offres_crawler.harvest.slices import Role, SliceReader
from offres_crawler.harvest.ties import Judgement, TieState, judge

logger = logging.getLogger(__name__)


class TieRepairs:
    def __init__(self, slices: dict[int, SliceReader], start: Start, ledger: Ledger, ties: TieState) -> None:
        self.slices = slices
        self._start = start
        self._ledger = ledger
        self.ties = ties

    def judge_boundaries(self, s: SliceReader, depth: int) -> None:
        was_unstable = self.ties.unstable
        _, pairs = s.chain(depth, self.ties.unstable)
        for upper, lower in pairs:
            if upper in s.judged:
                continue
            s.judged.add(upper)
            u, lo = s.reads[upper], s.reads[lower]
            if lo.head is not None and lo.head.n < lo.rows:
                self.ties.group_rows += lo.head.n
                self.ties.groups += 1
            if upper + PAGE_SIZE > lower and u.rows == PAGE_SIZE:
                self.ties.overlap_rows += upper + PAGE_SIZE - lower
            verdict = judge(u, upper, lo, lower, self.ties)
            assert lo.head is not None or verdict is Judgement.SAFE
            if verdict is Judgement.REPAIR and lo.head is not None:
                self.repair(s, lo.head.instant // 1000)
            elif verdict is Judgement.TRUSTED and lo.head is not None:
                self.ties.trusted.append([s.sid, lo.head.instant // 1000])
        if self.ties.unstable and not was_unstable:
            self.on_unstable()

    def on_unstable(self) -> None:
        """Ties were seen in another order: repair what was trusted to a stable one."""
        logger.warning("the API returned offers of one creation instant in another order: they are "
                       "read so that their order does not matter from now on")
        for sid, second in self.ties.trusted:
            self.repair(self.slices[sid], second)
        self.ties.trusted.clear()

    def repair(self, s: SliceReader, second: int) -> None:
        """Read `second` of `s`'s window again as its own window, in one answer (per part)."""
        if s.role is Role.TIE and s.window.lo == second:  # already that second: nothing finer
            if not any(u.slice == s.sid for u in self._ledger.unreachable):
                self._ledger.lost(Unreachable(max(0, (s.total or 0) - PAGE_SIZE),
                                              "offers of one instant that no facet divides into "
                                              "pages, in an unstable order", slice=s.sid))
            return
        key = [s.sid, second]
        if key in self.ties.repaired:
            return
        self.ties.repaired.append(key)
        w = s.window.cut_bottom(second).cut_top(second)
        feeds = s.feeds if s.feeds is not None else (s.sid if s.active else None)
        tie = self._start(w, Role.TIE, parent=s.sid, est=None, feeds=feeds)
        if feeds is not None:
            self.slices[feeds].repairs.append(tie.sid)
