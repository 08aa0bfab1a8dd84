"""The root query and its passes: what is read before the date cursor takes over.

1. **Root.** Page 0 of the query itself (sort=1: newest first). It gives the total, the root
   filtresPossibles, and the server's clock (the `Date` header).
2. **Passes.** A query that does not fix `origineOffre` is harvested as two passes, origine 1 and
   origine 2, whose totals must add up to the root total (origines.py). A shortfall adds an
   unfiltered pass. No pass or split ever uses a location filter.
3. **Head, then freeze.** Each pass starts with its page 0, newest first, unbounded in time: its
   head (heads.py). The rest of the pass is a frozen window below the head's oldest second, read
   by the date cursor (cursor.py). The head is not an extra request: its 150 rows are the pass's
   newest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from offres_crawler.harvest import heads as head_rules
from offres_crawler.harvest import lag as lag_rules
from offres_crawler.harvest import origines
from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.cursor import Cursor
from offres_crawler.harvest.dates import epoch_to_param
from offres_crawler.harvest.heads import Head, Pass, PassStatus
from offres_crawler.harvest.ledger import Ledger, Purpose, Unreachable
from offres_crawler.harvest.origines import OrigineCheck
from offres_crawler.harvest.search_page import SearchPage
from offres_crawler.harvest.slices import Role
from offres_crawler.harvest.windows import Window

logger = logging.getLogger(__name__)

HEAD_ATTEMPTS = 2  # the transport already retried; one more attempt, then the pass fails
HEAD_WAITS = 3  # times a head waits for its last seconds to close


class Passes:
    """The root, the passes and their heads, and the origine check."""

    def __init__(self, query: dict[str, str], floor: int, sum_tolerance: float, passes: list[Pass],
                 new_id: Callable[[], int], cursor: Cursor, ledger: Ledger, lag: int = 0) -> None:
        self.query, self.floor, self.sum_tolerance, self.lag = query, floor, sum_tolerance, lag
        self.split_origine = "origineOffre" not in query
        self.passes = passes
        self._new_id, self._cursor, self._ledger = new_id, cursor, ledger
        self.heads: dict[int, Head] = {}
        self._pass_of_head: dict[int, Pass] = {}
        self.root_total: int | None = None
        self.root_filtres: list[dict[str, Any]] | None = None
        self.server_time: int | None = None  # the root answer's Date (epoch s)
        self.origine_check: OrigineCheck | None = None
        self.recheck: Head | None = None
        # the main pass's closing read, left to the count at the end (lag.py, count_flow.py), and
        # what says whether it may be (the planner's count flow)
        self.deferred: lag_rules.Closing | None = None
        self.may_defer: Callable[[lag_rules.Closing], bool] = lambda c: False
        self.root = self._new_head(Window.of(query), "root")
        if not self.split_origine:
            self._add_pass(f"origineOffre={query['origineOffre']}", query, self.root)

    def _new_head(self, window: Window, label: str) -> Head:
        h = Head(self._new_id(), window, label)
        self.heads[h.sid] = h
        return h

    def _add_pass(self, label: str, filters: dict[str, str], head: Head) -> Pass:
        p = Pass(label, dict(filters), head)
        self.passes.append(p)
        self._pass_of_head[head.sid] = p
        return p

    @property
    def active(self) -> bool:
        return any(not (h.done or h.failed) for h in self.heads.values())

    def label_of(self, h: Head) -> str | None:
        """The label of the pass `h` heads (None for the root of origine passes, and rechecks)."""
        p = self._pass_of_head.get(h.sid)
        return None if p is None else p.label

    def purpose(self, h: Head) -> Purpose:
        return (Purpose.ROOT if h is self.root and self.split_origine
                else Purpose.RECHECK if h is self.recheck else Purpose.HEAD)

    # ---- reads --------------------------------------------------------------------------------
    def reads(self, depth: int, clock: int | None) -> list[tuple[Head, int]]:
        """Heads with a page to read now (page 0 again, after a wait, for the clock to move on)."""
        out = []
        for h in list(self.heads.values()):
            page = self._next_page(h, depth, clock)
            if page is not None:
                h.in_flight = page
                out.append((h, page))
        return out

    def _next_page(self, h: Head, depth: int, clock: int | None) -> int | None:
        if h.done or h.in_flight is not None or h.failed:
            return None
        if h.wait:
            return 0
        if h.pages >= depth:  # the cap, learned meanwhile, stops it here
            self._finish(h, clock)
            return 0 if h.wait else None
        return h.pages

    # ---- answers ------------------------------------------------------------------------------
    def on_answer(self, h: Head, delayed: bool, page: SearchPage, depth: int, clock: int | None) -> None:
        h.in_flight = None
        h.requests += 1
        if h.seen_at is None:
            h.seen_at = page.server_time
        if h.waits and delayed:  # page 0 again, read for the clock: what it adds is newer
            h.rows.extend(page.rows)
            self._finish(h, clock)
            return
        h.pages += 1
        if page.total is not None:
            h.total = page.total
        elif page.empty:
            h.total = 0
        if h is self.recheck:
            h.done = True
            assert self.origine_check is not None and h.window.max_sent is not None
            origines.apply_recount(self.origine_check, self._origine_heads(), h.window.max_sent,
                                   page.total or 0)
            self._conclude_origines(clock)
            return
        h.rows.extend(page.rows)
        if h is self.root:
            self._on_root(h, page)
            if self.split_origine:
                return
        if not head_rules.needs_more(h, page, clock, depth, self.lag):
            self._finish(h, clock)

    def on_failure(self, h: Head, reason: str, clock: int | None) -> str | None:
        """The transport gave up on a head's page; returns why the harvest must stop, if it must."""
        h.in_flight = None
        h.requests += 1
        h.failures += 1
        if h.failures >= HEAD_ATTEMPTS:
            return self._failed(h, reason, clock)
        return None

    def on_error(self, h: Head, message: str, clock: int | None) -> str | None:
        """The API refused a head's query; returns why the harvest must stop, if it must."""
        h.in_flight = None
        if h is self.root:
            return f"the API refused the query: {message}"
        h.requests += 1
        return self._failed(h, message, clock)

    def _failed(self, h: Head, reason: str, clock: int | None) -> str | None:
        h.failed = reason
        h.done = True
        if h is self.root:
            return f"the first search failed: {reason}"
        if h is self.recheck:
            assert self.origine_check is not None
            self.origine_check.ok = False
            self._conclude_origines(clock)
            return None
        p = self._pass_of_head.get(h.sid)
        if p:
            p.status = PassStatus.FAILED
            self._ledger.lost(Unreachable(None, f"head failed: {reason}", pass_label=p.label))
            self._check_origines(clock)
        return None

    def _on_root(self, h: Head, page: SearchPage) -> None:
        self.root_total = h.total
        self.root_filtres = page.filtres
        self.server_time = page.server_time
        if page.server_time is None:  # an offer's creation is a lower bound of the server's clock
            self.server_time = max(h.seconds, default=None)
            self._ledger.warn("no Date header: the newest offer's second stands in for the "
                              "server's clock")
        if self.split_origine:
            h.done = True
            if h.total:
                for o in origines.ORIGINES:
                    f = dict(self.query, origineOffre=o)
                    self._add_pass(f"origineOffre={o}", f, self._new_head(Window.of(f), f"origine {o}"))

    def _finish(self, h: Head, clock: int | None) -> None:
        clock = clock if clock is not None else self.server_time
        unclosed = head_rules.unclosed_seconds(h, clock, self.lag)
        if unclosed > 0 and h.waits < HEAD_WAITS:
            # more offers than the cap in seconds the server has not closed yet (a bulk import
            # just before the crawl): freezing below them would lose some, freezing above them
            # would let new offers move pages. Wait for those seconds to close.
            h.waits += 1
            h.wait = float(unclosed) + 0.5
            logger.info("pass %s: waiting %.1f s for the server to close its last seconds",
                        self._pass_of_head[h.sid].label, h.wait)
            return
        h.done = True
        self._start_frozen(self._pass_of_head[h.sid], clock)
        if self.split_origine:
            self._check_origines(clock)

    def _start_frozen(self, p: Pass, clock: int | None) -> None:
        clock = clock if clock is not None else self.server_time
        closing = lag_rules.closing(p, self.query, self.floor, self.lag)
        f = head_rules.freeze(p, self.query, self.floor, clock, self.lag)
        if closing is not None and self._deferrable(p, closing, f.window):
            self.deferred = closing  # read by the count at the end, if it can (count_flow.py)
        elif closing is not None:  # the head's seconds again, once every replica has them (lag.py)
            self.start_closing(closing)
        if f.warning:
            self._ledger.warn(f.warning)
        if f.status is PassStatus.FAILED:
            self._ledger.lost(Unreachable(f.unreachable, f.warning or "", pass_label=p.label))
        if f.window is None:
            p.status = f.status
            return
        p.frozen = f.window
        p.frozen_estimate = head_rules.estimate_below(p.head, f.window)
        p.first_slice = self._cursor.start(f.window, Role.FROZEN, parent=None, est=p.frozen_estimate).sid
        p.status = PassStatus.SLICES
        logger.info("pass %s: %s offers, frozen at %s", p.label, p.head.total,
                    epoch_to_param(f.window.max_sent or 0))

    def _deferrable(self, p: Pass, closing: lag_rules.Closing, frozen: Window | None) -> bool:
        """Whether the closing read may be left to the count at the end: the one pass of a query
        without dates of its own, whose frozen window certainly covers the closing window's
        lowest second (the head's oldest) and below, whose head was one page (the count's page
        can then hold the closing window's offers), and whose count flow agrees."""
        return (not self.split_origine and p.head is self.root and "minCreationDate" not in self.query
                and frozen is not None and frozen.hi is not None and closing.window.lo == frozen.hi
                and closing.estimate <= PAGE_SIZE and self.may_defer(closing))

    def start_closing(self, closing: lag_rules.Closing) -> None:
        """Read the closing window as its own slice (not before every replica has its seconds)."""
        self._cursor.start(closing.window, Role.CLOSING, parent=None, est=closing.estimate,
                           not_before=closing.not_before)

    # ---- origines (origines.py) ---------------------------------------------------------------
    def _origine_heads(self) -> dict[str, Head]:
        return {p.label: p.head for p in self.passes if p.label.startswith("origineOffre=")}

    def _check_origines(self, clock: int | None) -> None:
        heads = self._origine_heads()
        if self.origine_check is not None or len(heads) < len(origines.ORIGINES):
            return
        if any(h.total is None and not h.failed for h in heads.values()):
            return
        self.origine_check = origines.first_check(self.root_total or 0, heads, self.server_time,
                                                  self.sum_tolerance)
        if self.origine_check.ok is None:  # count again, up to a closed second
            assert self.server_time is not None
            self.recheck = self._new_head(
                origines.recount_window(self.query, self.floor, self.server_time - self.lag), "root recheck")
            return
        self._conclude_origines(clock)

    def _conclude_origines(self, clock: int | None) -> None:
        c = self.origine_check
        if c is None or c.ok:
            return
        if origines.needs_unfiltered_pass(c, any(p.head.failed for p in self.passes)):
            msg = (f"origine passes add up to {c.sum}, the query reports {c.root_total}: "
                   "harvesting the unfiltered query as well")
            logger.warning("%s", msg)
            self._ledger.warn(msg)
            self._start_frozen(self._add_pass("all origines", self.query, self.root), clock)
        else:
            msg = f"origine passes add up to {c.sum}, more than the query's {c.root_total} (overlap)"
            logger.warning("%s", msg)
            self._ledger.warn(msg)

    # ---- planner state (harvest/planner.py) ---------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"heads": [h.to_dict() for h in self.heads.values()],
                "passes": [p.to_dict() for p in self.passes], "root": self.root.sid,
                "recheck": None if self.recheck is None else self.recheck.sid,
                "root_total": self.root_total, "root_filtres": self.root_filtres,
                "server_time": self.server_time,
                "deferred": None if self.deferred is None else self.deferred.to_dict(),
                "origine_check": None if self.origine_check is None else self.origine_check.to_dict()}

    def restore(self, d: dict[str, Any]) -> None:
        self.heads = {h.sid: h for h in map(Head.from_dict, d["heads"])}
        self.passes.clear()
        self._pass_of_head = {}
        for p in d["passes"]:
            restored = Pass.from_dict(p, self.heads)
            self.passes.append(restored)
            self._pass_of_head[restored.head.sid] = restored
        self.root = self.heads[d["root"]]
        self.recheck = None if d["recheck"] is None else self.heads[d["recheck"]]
        self.root_total, self.root_filtres = d["root_total"], d["root_filtres"]
        self.server_time = d["server_time"]
        self.deferred = None if d["deferred"] is None else lag_rules.Closing.from_dict(d["deferred"])
        check = d["origine_check"]
        self.origine_check = None if check is None else OrigineCheck.from_dict(check)
