"""Dividing a window that no date cut can divide (a crowded second, a second read again for its
ties) into parts that each fit what one query reaches.

Under a stable order of ties a part may be paged (capacity: the cap), and the counted facets do it
in a level or two (facets.py). Once ties are known to come in an unstable order, a part of an
instant must come whole in one answer (capacity: one page): the window is split on packs of ROME
codes (romes.py says why), asking for the list of codes first if it is not known yet (the window
waits for it); without the list, or within a single code, on the facets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from offres_crawler.harvest import romes
from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.facets import FacetSplit, SplitRecord, choose_split
from offres_crawler.harvest.ledger import Ledger, Unreachable
from offres_crawler.harvest.romes import RomeCodes
from offres_crawler.harvest.slices import Role, SliceReader, Status
from offres_crawler.harvest.ties import TieState
from offres_crawler.harvest.windows import Window

logger = logging.getLogger(__name__)

MAX_RECOUNTS = 2  # a window split on a facet the API does not count is read again at most so often

Start = Callable[..., SliceReader]  # Cursor.start


class Crowds:
    def __init__(self, slices: dict[int, SliceReader], start: Start, ledger: Ledger, ties: TieState,
                 codes: RomeCodes) -> None:
        self.slices = slices
        self._start = start
        self._ledger = ledger
        self.ties = ties
        self.codes = codes

    def one_page_only(self, s: SliceReader) -> bool:
        """A window of a second or two that must come in one answer per part: a second read again
        for its ties, or, once ties are known to come in an unstable order, a crowded second."""
        if s.unsplittable or s.requests > 1 or s.count_only:
            return False
        return s.role is Role.TIE or (s.role is Role.CROWDED and self.ties.unstable)

    def split(self, s: SliceReader, filtres: list[dict[str, Any]] | None, depth: int,
              capacity: int | None = None) -> None:
        """Split `s` (over `capacity` rows, the cap by default) into parts that fit."""
        assert s.total is not None
        capacity = capacity or depth * PAGE_SIZE
        w = s.window
        split = choose_split(w.filter_dict, w.split_on, filtres, s.total, capacity=capacity)
        if capacity == PAGE_SIZE and self._by_rome(s, filtres, split):
            return
        if split is None:
            if capacity < depth * PAGE_SIZE:  # read by pages after all: ties.py judges them
                return
            s.unsplittable = True
            lost = s.total - s.reach(depth)
            self._ledger.lost(Unreachable(lost, "no facet left to split a window over the cap", slice=s.sid))
            logger.warning("slice %d: %d offers cannot be reached (no facet left to split on)",
                           s.sid, lost)
            return
        if split.counted and split.shortfall:
            self._ledger.lost(Unreachable(split.shortfall, f"{split.facet} values do not add up to "
                                          "the total", slice=s.sid))
        self._children(s, split)

    def _by_rome(self, s: SliceReader, filtres: list[dict[str, Any]] | None, facet: FacetSplit | None) -> bool:
        """Split `s` on packs of ROME codes, or make it wait for the list; False when the facets
        do it for fewer requests, or packs cannot be made (no list, a single code).

        Requests, estimated: packs of ROME codes take max(codes / 200, offers / 125) answers (the
        whole list, 1,584 codes, takes 8 whatever the offers); a counted facet takes one answer per
        value that fits one page and, for a value over a page, its own answer and then its packs.
        A crowd of 200 offers: typeContrat in 2 answers, not 8 packs; of 4,000: 32 packs, not
        typeContrat's 5 values and 34 packs under them."""
        assert s.total is not None
        w = s.window
        if romes.PARAM in w.filter_dict and "," not in w.filter_dict[romes.PARAM]:
            return False  # one code: the facets divide it
        fits = facet is not None and facet.counted and facet.covered >= s.total
        if fits and facet is not None and all((n or 0) <= PAGE_SIZE for n in facet.counts.values()):
            return False  # the facet alone puts every part in one answer
        if self.codes.status != "loaded":
            if self.codes.want():
                s.awaiting_list, s.filtres = True, filtres
                return True
            return False
        universe = self.codes.universe(w.filter_dict)
        if len(universe) < 2:
            return False
        if self._count_again(s):
            return True
        if fits and facet is not None:
            by_facet = sum(1 if (n or 0) <= PAGE_SIZE else 1 + romes.pack_cost(n or 0, len(universe))
                           for n in facet.counts.values())
            if by_facet < romes.pack_cost(s.total, len(universe)):
                return False
        packs = romes.make_packs(universe, s.total, s.rome_sample, self.codes.seen)
        if len(packs) < 2:  # everything expected in one answer, yet more came: halve it
            packs = [universe[: len(universe) // 2], universe[len(universe) // 2:]]
        logger.info("slice %d: %d offers split on %d packs of ROME codes (estimated from %d of its rows "
                    "and %d offers of the run)", s.sid, s.total, len(packs), sum(s.rome_sample.values()),
                    sum(self.codes.seen.values()))
        self._children(s, FacetSplit(romes.PARAM, {",".join(p): None for p in packs}, s.total))
        return True

    def _count_again(self, s: SliceReader) -> bool:
        """`s` reads again a window whose packs fell short: their offers were read whole and stand;
        what is left to show is that no offer of the window lies outside the codes they cover.
        Counting those codes in groups of MAX_CODES, after this answer, shows it (the sum check,
        docs/offres_search.md): 8 requests for the whole list instead of 32 packs read again.
        A window that fixes codeROME itself would be its own group: it is packed anew."""
        before = next((r for r in self._ledger.splits if r.recount == s.sid), None)
        if before is None or before.split.facet != romes.PARAM or romes.PARAM in s.window.filter_dict:
            return False
        codes = sorted({c for value in before.children for c in value.split(",")})
        groups: dict[str, int | None] = {",".join(codes[i:i + romes.MAX_CODES]): None
                                         for i in range(0, len(codes), romes.MAX_CODES)}
        logger.info("slice %d: %d offers; counting the %d codes of its packs in %d groups", s.sid,
                    s.total, len(codes), len(groups))
        self._children(s, FacetSplit(romes.PARAM, groups, s.total or 0), count_only=True)
        return True

    def on_list(self, depth: int) -> None:
        """The list of codes came, or will not: the windows waiting for it split now."""
        for s in list(self.slices.values()):
            if s.active and s.awaiting_list:
                s.awaiting_list = False
                filtres, s.filtres = s.filtres, None
                self.split(s, filtres, depth, capacity=PAGE_SIZE)

    def _children(self, s: SliceReader, split: FacetSplit, count_only: bool = False) -> None:
        s.close(Status.SPLIT, f"split on {split.facet}")
        # the children of a crowded window are crowded too: over the cap, they split again
        role = s.role if s.role in (Role.CROWDED, Role.TIE) else Role.FACET
        w: Window = s.window
        children = {value: self._start(w.with_filter(split.facet, value), role, parent=s.sid,
                                       est=count, in_burst=s.role is not Role.TIE, feeds=s.feeds,
                                       count_only=count_only).sid
                    for value, count in split.counts.items()}
        fed = self.slices.get(s.feeds) if s.feeds is not None else None
        if fed is not None:
            fed.repairs.extend(children.values())
        self._ledger.split(SplitRecord(s.sid, split, children, attempt=s.attempt))

    def counted(self, child: SliceReader) -> None:
        """`child` has its first total. When it is the last of a split on a facet the API does not
        count and the children's totals fall short of the window's, the window is read again (its
        packs' codes then counted, `_count_again`, or it is split anew): offers withdrawn between
        the window's answer and its children's fall short too, and only a window read before its
        children bounds what they leave out (docs/offres_search.md)."""
        record = next((r for r in reversed(self._ledger.splits) if child.sid in r.children.values()), None)
        if record is None or record.split.counted or record.attempt >= MAX_RECOUNTS:
            return
        first = {sid: self.slices[sid].first_total for sid in record.children.values()}
        if not record.shortfall(first):
            return
        parent = self.slices[record.slice]
        again = self._start(parent.window, parent.role, parent=parent.parent, est=None,
                            in_burst=parent.in_burst, feeds=parent.feeds)
        again.attempt = record.attempt + 1
        record.recount = again.sid
        fed = self.slices.get(parent.feeds) if parent.feeds is not None else None
        if fed is not None:
            fed.repairs.append(again.sid)
        logger.info("slice %d: the %s parts add up to %d of %d offers: reading the window again",
                    parent.sid, record.split.facet, sum(t or 0 for t in first.values()), record.split.total)
