"""The planner's state and what every part of it reads: the query, the cap, the budget, the clock,
the slices (cursor.py), the passes (passes.py), the ledger, the ties seen, the audit of totals
(counts.py), the ROME codes (romes.py); planning one search request; the results (harvest/planner.py
puts the parts together)."""

from __future__ import annotations

import uuid

from offres_crawler.harvest.content_range import DEFAULT_MAX_START, PAGE_SIZE, format_range, pages_within_cap
from offres_crawler.harvest.counts import Audit
from offres_crawler.harvest.cursor import Cursor
from offres_crawler.harvest.dates import param_to_epoch
from offres_crawler.harvest.heads import Pass
from offres_crawler.harvest.lag import DEFAULT_LAG_S, Closing
from offres_crawler.harvest.ledger import Ledger, Purpose
from offres_crawler.harvest.offer_ids import OfferIds
from offres_crawler.harvest.origines import OrigineCheck
from offres_crawler.harvest.passes import Passes
from offres_crawler.harvest.planned import PlannedRequest
from offres_crawler.harvest.romes import RomeCodes
from offres_crawler.harvest.slices import SliceReader
from offres_crawler.harvest.ties import TieState
from offres_crawler.harvest.windows import Window

DEFAULT_CREATION_FLOOR = "2000-01-01T00:00:00Z"  # lower bound sent when the user gives none
DEFAULT_BUDGET = 3.0  # requests allowed per ceil(N/150) (OFFRES_SEARCH_BUDGET)...
BUDGET_BASE = 30  # ...plus these: heads, counts, closing reads, a few re-reads on small queries


class PlannerBase:
    def __init__(self, query: dict[str, str], *, max_start: int = DEFAULT_MAX_START,
                 creation_floor: str = DEFAULT_CREATION_FLOOR, sum_tolerance: float = 0.001,
                 lag: int = DEFAULT_LAG_S, budget: float = DEFAULT_BUDGET):
        self.query = {k: v for k, v in query.items() if k not in ("range", "sort")}
        self.configured_max_start = max_start
        self.max_start = max_start
        self.cap_learned = False
        self.floor = param_to_epoch(creation_floor)
        self.sum_tolerance = sum_tolerance
        self.lag = lag  # seconds an answer may be behind the server's clock (lag.py)
        self.budget_factor = budget  # 0: no budget
        self.budget: int | None = None  # requests allowed, once the query's count is known
        self.stopped: str | None = None  # why the harvest was ended before its end (the budget)
        self.plan_id = uuid.uuid4().hex[:16]  # tells this plan's requests from another's
        self.fatal: str | None = None
        self.clock: int | None = None  # the latest Date seen
        # root -> start | skipped; start -> waiting-start -> waiting -> waiting-end -> done, or
        # -> late -> waiting-late -> done when the first count at the end finds offers missing;
        # waiting -> waiting-closing (the count at the end that reads the closing window too) ->
        # waiting-end (its rows gave the count) or back to waiting (a count with a request)
        self.count_state = "root"
        self.count_failures = 0
        self._next_id = 0  # of heads and slices
        self._next_key = 0  # of requests
        self._seq = 0  # answers (and failures) received, in order
        self._in_flight: dict[int, PlannedRequest] = {}
        self._wire([], {})

    def _wire(self, passes: list[Pass], slices: dict[int, SliceReader], ledger: Ledger | None = None,
              ties: TieState | None = None, audit: Audit | None = None, codes: RomeCodes | None = None) -> None:
        self.ledger = ledger or Ledger(slices, passes)
        self.ties = ties or TieState()
        self.audit = audit or Audit()
        self.romes = codes or RomeCodes()
        self.cursor = Cursor(slices, self._new_id, self.ledger, self.ties, self.romes, self.lag)
        self.passes = Passes(self.query, self.floor, self.sum_tolerance, passes, self._new_id,
                             self.cursor, self.ledger, self.lag)
        self.passes.may_defer = self._may_defer_closing

    def _may_defer_closing(self, closing: Closing) -> bool:
        """Whether the main pass's closing read may be left to the count at the end (count_flow.py)."""
        return False

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    @property
    def done(self) -> bool:
        if self._in_flight:
            return False
        if self.fatal or self.stopped:
            return True
        return not self.passes.active and not self.cursor.active and self.count_state in ("skipped", "done")

    # ---- results (ledger.py, counts.py) -------------------------------------------------------
    def expected(self) -> int:
        """What the API reported reachable for the query: its count at the first answer."""
        return self.passes.root_total or 0

    def missing(self) -> int:
        return self.ledger.missing(self.expected())

    def completeness(self) -> float:
        return self.ledger.completeness(self.expected(), self.fatal)

    def incomplete_reasons(self) -> list[str]:
        return self.ledger.incomplete_reasons(self.fatal)

    def withdrawals_in_slices(self) -> int:
        return sum((s.max_count or 0) - (s.min_count or 0) for s in self.cursor.slices.values())

    def contradictions(self) -> list[str]:
        """What the API's totals claim that the run contradicts beyond the churn it saw. The offers
        collected are set against the first total only once the harvest has finished: a run cut
        short (a client that stops iterating) has simply not collected the rest."""
        return self.audit.contradictions(len(self.ledger.ids), self.withdrawals_in_slices(),
                                         self.done and self.missing() == 0 and not self.fatal and not self.stopped)

    @property
    def depth(self) -> int:
        """Pages a slice may read under the range cap in force."""
        return pages_within_cap(self.max_start)

    @property
    def requests(self) -> int:
        return self.ledger.requests

    @property
    def keys(self) -> OfferIds:
        """Every offer received, once (len() and `in`)."""
        return self.ledger.ids

    @property
    def slices(self) -> dict[int, SliceReader]:
        return self.cursor.slices

    @property
    def origine_check(self) -> OrigineCheck | None:
        return self.passes.origine_check

    @property
    def facet_split_count(self) -> int:
        return len(self.ledger.splits)

    def _plan(self, window: Window, unit: int, start: int, purpose: Purpose, priority: int,
              delay: float = 0.0) -> PlannedRequest:
        params = window.params()
        params["sort"] = "1"
        params["range"] = format_range(start, start + PAGE_SIZE - 1)
        self._next_key += 1
        req = PlannedRequest(self._next_key, params, unit, start, purpose, priority, delay)
        self._in_flight[req.key] = req
        self.ledger.requested(purpose)
        return req

