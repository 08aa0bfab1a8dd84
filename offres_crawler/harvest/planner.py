"""The harvest planner: which search requests reach every offer of a query, and proof that they did.

A pure state machine: `next_requests()` hands out request descriptions, `observe()` /
`observe_failure()` take back what came of them. No I/O, no Scrapy; the spider drives it and the
tests drive it against an in-memory API.

How a query is harvested (each step's module says more)
-------------------------------------------------------
1. **Root.** Page 0 of the query itself (sort=1: newest first). It gives the total, the root
   filtresPossibles, and the server's clock (the `Date` header). (passes.py)
2. **Passes.** A query that does not fix `origineOffre` is harvested as two passes, origine 1 and
   origine 2, whose totals must add up to the root total (REFERENCE Part 1 §3: an unfiltered
   search may serve only origine 1 while counting everything). A shortfall adds an unfiltered pass.
   No pass or split ever uses a location filter. (passes.py, origines.py)
3. **Head, then freeze.** Each pass starts with its page 0, newest first, unbounded in time. It
   covers every second newer than its oldest row. The rest of the pass is a *frozen* window that
   ends at that second, and never after a second the server has closed (Date - 2 s): offers created
   later cannot enter it and push rows across pages. The head is not an extra request: its 150 rows
   are the pass's newest. (heads.py)
4. **Date cursor.** A frozen window is read from its deepest reachable page (the cap) back to page 0.
   The deepest page shows the oldest second reached, s; the next slice is the window below, up to s
   (overlapping that second), and starts as soon as that page is in, so slices run side by side.
   (cursor.py, slices.py)
5. **Crowded seconds.** When a slice cannot move below its own top second (thousands of offers in
   one second: bulk imports), that second and the one before go to a two-second window split on a
   facet whose counts (in the window's own filtresPossibles) add up to its total; a value still over
   the cap is split again on another facet (ANDed). The cursor goes on below. (cursor.py, facets.py)
6. **Ledger.** Every slice compares the offers it got with its count (slices.py); the ledger
   (ledger.py) lists them all, with what could not be reached and why.
7. **An API that does not keep its promises.** Offers of one instant may come in any order at
   every request (ties.py); answers may come from replicas seconds behind (lag.py); totals may be
   off or wrong: the planner counts with filtresPossibles, checks every total against the rows,
   the facets and the other counts, and counts the query again at the end (counts.py), with the
   read of a one-pass query's newest seconds that replica lag calls for (lag.py). A request
   budget (`budget` x ceil(N/150) + BUDGET_BASE) ends a harvest that would not converge.

Its state is saved and restored whole through `to_dict()` / `from_dict()` (JSON, versioned): a
restored planner goes on exactly as the original would have. Why a date cursor rather than
count-guided bisection: cursor.py.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from typing import Any

from offres_crawler.harvest.content_range import PAGE_SIZE, pages_within_cap
from offres_crawler.harvest.count_flow import COUNT_ATTEMPTS, CountFlow
from offres_crawler.harvest.counts import Audit, Count, answer_count
from offres_crawler.harvest.dates import epoch_to_param
from offres_crawler.harvest.heads import Pass
from offres_crawler.harvest.ledger import Ledger, Purpose
from offres_crawler.harvest.list_flow import ListFlow
from offres_crawler.harvest.planned import PlannedRequest
from offres_crawler.harvest.planner_base import PlannerBase
from offres_crawler.harvest.reality import reality_report
from offres_crawler.harvest.romes import RomeCodes
from offres_crawler.harvest.search_page import SearchPage
from offres_crawler.harvest.slices import Role, SliceReader
from offres_crawler.harvest.ties import TieState

logger = logging.getLogger(__name__)

STATE_FORMAT = "offres_crawler.harvest.planner"
STATE_VERSION = 5  # of to_dict(); bump when its content changes meaning
__all__ = ["HarvestPlanner", "PlannedRequest", "StateError"]


class StateError(ValueError):
    """A saved planner state this code cannot take up (another format or version)."""


class HarvestPlanner(CountFlow, ListFlow, PlannerBase):
    """The driver's interface (module docstring); its parts: planner_base.py (state, results),
    count_flow.py (counts and budget), list_flow.py (the ROME codes)."""

    # ---- the driver's interface ---------------------------------------------------------------
    def knows(self, key: int) -> bool:
        """Whether an answer is expected for this request key."""
        return key in self._in_flight

    def in_flight_keys(self) -> list[int]:
        return list(self._in_flight)

    def in_flight(self) -> list[PlannedRequest]:
        """The requests planned and not answered yet (a restored plan asks them again)."""
        return list(self._in_flight.values())

    def next_requests(self) -> list[PlannedRequest]:
        """Every request that can be sent now (each slice reads one page at a time)."""
        if self.fatal or self.stopped:
            return []
        out: list[PlannedRequest] = []
        room = math.inf if self.budget is None else self.budget - self.ledger.requests
        if self.count_state == "start" and room > 0:
            out.append(self._plan_count("waiting-start"))
        self._closing_without_count()
        if self.romes.status == "wanted" and len(out) < room:
            out.append(self._plan_list())
        for h, page in self.passes.reads(self.depth, self.clock):
            if len(out) >= room:
                h.in_flight = None
                continue
            out.append(self._plan(h.window, h.sid, page * PAGE_SIZE, self.passes.purpose(h), priority=2,
                                  delay=h.wait))
            h.wait = 0.0
        if len(out) < room:
            self.cursor.max_start = self.max_start
            for s, row, delay in self.cursor.reads(self.depth, self.clock):
                out.append(self._plan(s.window, s.sid, row, _purpose(s),
                                      priority=1 if s.requests == 0 else 0, delay=delay))
                if len(out) >= room:
                    break
        if self.count_state in ("waiting", "late") and not self.passes.active and not self.cursor.active \
                and not self._in_flight and len(out) < room:
            # after every other answer; "late": again once no replica can describe a moment
            # before them (the first count found offers missing: lag.py)
            late = self.count_state == "late"
            if not late and self.passes.deferred is not None:
                out.append(self._plan_closing_count())  # the main pass's closing read as well
            else:
                out.append(self._plan_count("waiting-late" if late else "waiting-end",
                                            delay=self.lag + 0.5 if late else 0.0))
        if not out and not self._in_flight and room <= 0 and not self.done:
            self._stop(f"the request budget ({self.budget} requests) is spent")
        return out

    def observe(self, key: int, page: SearchPage) -> None:
        req = self._in_flight.pop(key)
        self._seq += 1
        if page.server_time is not None and (self.clock is None or page.server_time > self.clock):
            self.clock = page.server_time
        if page.learned_cap is not None:
            self._learn_cap(page.learned_cap)
            self._release(req)
            return
        if page.error is not None:
            self._on_error(req, page.error)
            return
        count, exact = answer_count(page)
        self.audit.answer(page, count, exact)
        planned = replace(page, total=count)  # the planner counts with the best count it has
        root = req.unit == self.passes.root.sid and self.passes.root.pages == 0
        if root:
            self._on_root(page, count, exact)
        elif req.unit in self.passes.heads and self.passes.heads[req.unit].pages == 0:
            label = self.passes.label_of(self.passes.heads[req.unit])
            if label is not None:
                self.audit.passes[label] = Count(page.total, count, exact)
        self.audit.received(page.rows, self.ledger.ids)
        if page.romes:  # the shares of ROME codes among distinct offers (romes.py)
            self.romes.count(r for (k, _), r in zip(page.rows, page.romes) if k not in self.ledger.ids)
        if self.ties.observe_order([k for k, _ in page.rows], page.instants) and not self.stopped:
            self.cursor.on_unstable()
        if page.empty:
            self.ledger.empty_answer()
        self.ledger.received(k for k, _ in page.rows)
        if self.stopped:
            return
        if req.purpose is Purpose.COUNT:
            self._on_count_answer(page, count, exact)
        elif req.unit in self.passes.heads:
            self.passes.on_answer(self.passes.heads[req.unit], bool(req.delay), planned, self.depth, self.clock)
        else:
            self.cursor.on_answer(self.cursor.slices[req.unit], req.start, self._seq, planned, self.depth,
                                  exact)

    def observe_failure(self, key: int, reason: str) -> None:
        """The transport gave up on a request (retries exhausted)."""
        req = self._in_flight.pop(key)
        self._seq += 1
        logger.warning("request %s (rows from %d) failed: %s", req.params, req.start, reason)
        if self.stopped:
            return
        if req.purpose is Purpose.COUNT:
            self._count_failed(reason)
        elif req.purpose is Purpose.LIST:
            self._list_failed(reason)
        elif req.unit in self.passes.heads:
            self.fatal = self.passes.on_failure(self.passes.heads[req.unit], reason, self.clock) or self.fatal
        else:
            self.cursor.on_failure(self.cursor.slices[req.unit], req.start, self._seq, reason)

    def report(self) -> dict[str, Any]:
        """The planner's part of the run report (docs/offres_search.md, Run report)."""
        p = self.passes
        return {
            "query": dict(self.query),
            "cap": {"configured_max_start": self.configured_max_start, "max_start": self.max_start,
                    "learned_from_api": self.cap_learned, "pages_per_slice": self.depth},
            "root": {"total": p.root_total, "filtresPossibles": p.root_filtres,
                     "server_time": None if p.server_time is None else epoch_to_param(p.server_time)},
            "passes": [x.as_report() for x in p.passes],
            "origine_check": None if p.origine_check is None else p.origine_check.as_report(),
            **self.ledger.report(self.expected(), self.fatal),
            "reality": reality_report(self),
        }

    # ---- requests -----------------------------------------------------------------------------
    def _release(self, req: PlannedRequest) -> None:
        """A request that brought nothing but the cap: its unit asks again, re-planned."""
        if req.purpose is Purpose.COUNT:
            self.count_state = {"waiting-start": "start", "waiting-late": "late"}.get(self.count_state, "waiting")
        elif req.unit in self.passes.heads:
            self.passes.heads[req.unit].in_flight = None
        else:
            self.cursor.slices[req.unit].in_flight = None

    def _learn_cap(self, max_start: int) -> None:
        if max_start >= self.max_start:
            return
        logger.warning("the API caps the range start at %d (not %d): re-planning with %d pages "
                       "per slice", max_start, self.max_start, pages_within_cap(max_start))
        self.max_start = max_start
        self.cap_learned = True

    def _on_error(self, req: PlannedRequest, message: str) -> None:
        """A 4xx other than the cap: the API refuses this query; retrying cannot help."""
        if req.purpose is Purpose.COUNT:
            self._count_failed(message, attempts=COUNT_ATTEMPTS)
        elif req.unit in self.passes.heads:
            fatal = self.passes.on_error(self.passes.heads[req.unit], message, self.clock)
            if fatal:
                self.fatal = fatal
                logger.error("%s", fatal)
        else:
            self.cursor.on_error(self.cursor.slices[req.unit], message)

    # ---- state ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything the planner needs to go on, JSON-ready (lists, dicts, str, int, float)."""
        return {"format": STATE_FORMAT, "version": STATE_VERSION, "query": dict(self.query),
                "plan_id": self.plan_id, "configured_max_start": self.configured_max_start,
                "max_start": self.max_start, "cap_learned": self.cap_learned, "floor": self.floor,
                "sum_tolerance": self.sum_tolerance, "lag": self.lag, "budget_factor": self.budget_factor,
                "budget": self.budget, "stopped": self.stopped, "fatal": self.fatal, "clock": self.clock,
                "count_state": self.count_state, "count_failures": self.count_failures,
                "next_id": self._next_id, "next_key": self._next_key, "seq": self._seq,
                "in_flight": [r.to_dict() for r in self._in_flight.values()],
                "passes": self.passes.to_dict(), "slices": self.cursor.to_dict(),
                "ledger": self.ledger.to_dict(), "ties": self.ties.to_dict(), "audit": self.audit.to_dict(),
                "romes": self.romes.to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HarvestPlanner:
        """The planner `to_dict()` described; StateError when `d` is not such a state."""
        if not isinstance(d, dict) or d.get("format") != STATE_FORMAT:
            raise StateError("not a saved harvest planner")
        if d.get("version") != STATE_VERSION:
            raise StateError(f"planner state version {d.get('version')!r}, this code reads {STATE_VERSION}")
        p = cls(d["query"], max_start=d["configured_max_start"], creation_floor=epoch_to_param(d["floor"]),
                sum_tolerance=d["sum_tolerance"], lag=d["lag"], budget=d["budget_factor"])
        passes: list[Pass] = []
        slices: dict[int, SliceReader] = {}
        p._wire(passes, slices, Ledger.from_dict(d["ledger"], slices, passes), TieState.from_dict(d["ties"]),
                Audit.from_dict(d["audit"]), RomeCodes.from_dict(d["romes"]))
        p.cursor.restore(d["slices"])
        p.passes.restore(d["passes"])
        p.plan_id, p.max_start, p.cap_learned = d["plan_id"], d["max_start"], d["cap_learned"]
        p.budget, p.stopped, p.fatal, p.clock = d["budget"], d["stopped"], d["fatal"], d["clock"]
        p.count_state, p.count_failures = d["count_state"], d["count_failures"]
        p._next_id, p._next_key, p._seq = d["next_id"], d["next_key"], d["seq"]  # after Passes()
        p._in_flight = {r.key: r for r in map(PlannedRequest.from_dict, d["in_flight"])}
        return p


def _purpose(s: SliceReader) -> Purpose:
    return {Role.TIE: Purpose.TIE, Role.CLOSING: Purpose.CLOSING}.get(s.role, Purpose.SLICE)
