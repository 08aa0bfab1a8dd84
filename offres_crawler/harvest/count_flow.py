"""The query counted up to a closed second at the start and at the end of a harvest (counts.py
says what they prove), and the request budget that ends a harvest that would not converge."""

from __future__ import annotations

import logging
import math

from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.counts import Count, count_window
from offres_crawler.harvest.dates import epoch_to_param, param_to_epoch
from offres_crawler.harvest.heads import FREEZE_MARGIN_S
from offres_crawler.harvest.ledger import Purpose, Unreachable
from offres_crawler.harvest.planned import COUNT_UNIT, PlannedRequest
from offres_crawler.harvest.planner_base import BUDGET_BASE, PlannerBase
from offres_crawler.harvest.search_page import SearchPage
from offres_crawler.harvest.slices import Status

logger = logging.getLogger(__name__)

COUNT_ATTEMPTS = 2


class CountFlow(PlannerBase):
    def _on_root(self, page: SearchPage, count: int | None, exact: bool) -> None:
        self.audit.root = Count(page.total, count, exact)
        if count is not None and self.budget_factor > 0:
            lower = -(-count // PAGE_SIZE)
            self.budget = math.ceil(self.budget_factor * lower) + BUDGET_BASE
        server = page.server_time
        if server is None:
            server = max((x for _, x in page.rows if x is not None), default=None)
        if server is not None:  # offers created after it are churn, whether counted or not
            mark = server - FREEZE_MARGIN_S - 1 - self.lag
            if "maxCreationDate" in self.query:
                mark = min(mark, param_to_epoch(self.query["maxCreationDate"]))
            self.audit.mark = mark
        if server is None or count is None or count <= len(page.rows):
            self.count_state = "skipped"  # the first answer holds the query: nothing to count
            return
        start = self._start_from_root(page, count, exact)
        if start is not None:  # no request: the first answer already counts up to C
            self.audit.start = start
            self.count_state = "waiting"
            return
        self.count_state = "start"

    def _start_from_root(self, page: SearchPage, count: int, exact: bool) -> Count | None:
        """The query up to C at the start, from the first answer itself when its rows (the query's
        newest, sort=1) reach below C: its count less its rows created after C. One answer is
        consistent with itself, so this is the count a request up to C would have given then.

        C is moved down to the latest second above the rows' oldest that none of them holds: a
        second with no offer, closed, so it stays empty. Whether the API's maxCreationDate is
        inclusive is unknown (windows.py); at an empty second both readings count the same offers,
        so the counts up to C and the offers collected up to C mean one thing."""
        mark = self.audit.mark
        rows = [(k, x) for k, x in page.rows if x is not None]
        if mark is None or not rows or len(rows) < len(page.rows):
            return None
        held = {x for _, x in rows}
        empty = next((s for s in range(mark, min(held), -1) if s not in held), None)
        if empty is None:
            return None  # a page of offers after C, or no empty second: count with a request
        self.audit.mark = empty
        above = len({k for k, x in rows if x > empty})
        total = None if page.total is None else page.total - above
        return Count(total, count - above, exact)

    def _plan_count(self, state: str, delay: float = 0.0) -> PlannedRequest:
        assert self.audit.mark is not None
        self.count_state = state
        return self._plan(count_window(self.query, self.floor, self.audit.mark), COUNT_UNIT, 0,
                          Purpose.COUNT, priority=2, delay=delay)

    def _on_count(self, count: Count) -> None:
        if self.count_state == "waiting-start":
            self.audit.start = count
            self.count_state = "waiting"
            return
        self.audit.end = count
        was_late, self.count_state = self.count_state == "waiting-late", "done"
        # beyond what the ledger already accounts for
        short = self.audit.shortfall(len(self.ledger.ids)) - self.missing()
        if short > 0 and self.lag and not was_late:  # perhaps a replica behind: ask it again
            self.count_state = "late"
            return
        if short > 0 and self.ties.trusted and not self.ties.unstable:
            # offers missing where page boundaries fell in an instant trusted to a stable order:
            # read those seconds on their own, then count again
            logger.warning("the count at the end finds %d offers not collected: reading again the "
                           "seconds trusted to a stable order of ties", short)
            self.ties.unstable = self.ties.assumed = True
            self.cursor.on_unstable()
            self.count_state = "waiting"
            return
        if short > 0:
            self.ledger.lost(Unreachable(short, f"the query still counts {self.audit.end.count} offers "
                                         f"created up to {epoch_to_param(self.audit.mark or 0)}, "
                                         "more than were collected", pass_label="count at the end"))

    def _count_failed(self, reason: str, attempts: int = 1) -> None:
        self.count_failures += attempts
        phase = "start" if self.count_state == "waiting-start" else "end"
        if self.count_failures < COUNT_ATTEMPTS:
            self.count_state = {"waiting-start": "start", "waiting-late": "late"}.get(self.count_state, "waiting")
            return
        self.ledger.warn(f"the query could not be counted at the {phase} ({reason}): its totals "
                         "are checked without that count")
        self.count_state = "skipped" if phase == "start" else "done"

    def _stop(self, why: str) -> None:
        """The budget is spent: what is left unread is missing, with the reason."""
        self.stopped = why
        logger.error("offres_search: %s; ending the harvest", why)
        for s in self.cursor.slices.values():
            if s.active:
                left = max(1, (s.total if s.total is not None else s.est_total or 1) - len(s.keys))
                s.close(Status.FAILED, why)
                self.ledger.lost(Unreachable(left, f"not read: {why}", slice=s.sid))
        for h in self.passes.heads.values():
            if not (h.done or h.failed):
                h.done = True
                label = self.passes.label_of(h)
                if label is not None:
                    self.ledger.lost(Unreachable(None, f"not read: {why}", pass_label=label))
        if self.count_state != "skipped":
            self.count_state = "done"

