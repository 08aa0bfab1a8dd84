"""The query counted up to a closed second at the start and at the end of a harvest (counts.py
says what they prove), and the request budget that ends a harvest that would not converge.

Neither count needs a request of its own when an answer made anyway can give it: the count at
the start is the first answer's (`_start_from_root`), and the count at the end of a one-pass
query is the answer of its closing read (lag.py), made when the count is due, once the closing
read is due too: page 0 of the query bounded above like the closing window (`_on_closing_count`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace

from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.counts import Count, count_window
from offres_crawler.harvest.dates import epoch_to_param, param_to_epoch
from offres_crawler.harvest.heads import FREEZE_MARGIN_S
from offres_crawler.harvest.lag import Closing
from offres_crawler.harvest.ledger import Purpose, Unreachable
from offres_crawler.harvest.planned import COUNT_UNIT, PlannedRequest
from offres_crawler.harvest.planner_base import BUDGET_BASE, PlannerBase
from offres_crawler.harvest.search_page import SearchPage
from offres_crawler.harvest.slices import Status

logger = logging.getLogger(__name__)

COUNT_ATTEMPTS = 2
# count states in which a count at the end is still to come (the closing read may wait for it)
COUNT_TO_COME = ("start", "waiting-start", "waiting", "waiting-closing")


def count_up_to(mark: int, rows: list[tuple[str, int]], total: int | None, count: int | None,
                exact: bool) -> Count:
    """An answer's count up to `mark`, when its rows (the query's newest, sort=1) reach below it:
    its total and count less its distinct rows created after `mark`, all of one moment."""
    above = len({k for k, x in rows if x > mark})
    return Count(None if total is None else total - above, None if count is None else count - above, exact)


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
        return count_up_to(empty, rows, page.total, count, exact)

    def _may_defer_closing(self, closing: Closing) -> bool:
        """Whether the main pass's closing read may be left to the count at the end: a count is
        to come, and the head's rows reach below C (the first answer's did, or were a bulk import
        after C: then the closing read's would not either, and it is made as its own slice)."""
        mark, oldest = self.audit.mark, closing.window.lo
        return self.count_state in COUNT_TO_COME and mark is not None and oldest is not None and oldest < mark

    def _plan_closing_count(self) -> PlannedRequest:
        """The count at the end that is also the main pass's closing read: page 0 of the query
        bounded above like the closing window, not before every replica has its seconds."""
        c = self.passes.deferred
        assert c is not None
        self.count_state = "waiting-closing"
        delay = 0.0 if self.clock is None else max(0.0, c.not_before - self.clock + 0.5)
        return self._plan(c.whole, COUNT_UNIT, 0, Purpose.COUNT, priority=2, delay=delay)

    def _on_count_answer(self, page: SearchPage, count: int | None, exact: bool) -> None:
        if self.count_state == "waiting-closing":
            self._on_closing_count(page, count, exact)
        else:
            self._on_count(Count(page.total, count, exact))

    def _on_closing_count(self, page: SearchPage, count: int | None, exact: bool) -> None:
        """The answer of `_plan_closing_count` (its rows are in the ledger already).

        Newest first, it holds every offer of the query up to the head's top that is newer than
        its oldest row's second. When that second is the head's oldest or below, it holds the
        closing window's offers but those of that second, which the frozen window certainly
        covers (passes.py): it is the closing read. Otherwise (offers the head could not show, or
        created in its seconds since, more than a page holds) the rest of the closing window, its
        seconds up to that oldest row's, is read as its own slice, as the whole window would have
        been without it (the whole of it when the answer is unreadable).

        When its rows reach below C, an empty second, it counts up to C as `_start_from_root`
        does: its count less its rows created after C, both of one moment. It stays the count at
        the end even if the closing window is read after it: the head's oldest second is below C
        (`_may_defer_closing`), and every offer up to C there throughout was in the head (the
        first answer, whose replica had every second up to C) or in the frozen window, all read
        before it; the closing read only ever finds offers created after C. Otherwise the query
        is counted with a request, once the closing read is in: nothing is lost."""
        closing = self.passes.deferred
        assert closing is not None and closing.window.lo is not None and closing.window.hi is not None
        rows = [(k, x) for k, x in page.rows if x is not None]
        readable = bool(rows) and len(rows) == len(page.rows)
        oldest = min((x for _, x in rows), default=None)
        if readable and oldest is not None and oldest <= closing.window.lo:
            self.passes.deferred = None
            self.audit.closing_by_count = True
        elif readable and oldest is not None and oldest < closing.window.hi:
            # it holds the closing window's offers above its oldest second: read the rest
            logger.info("offres_search: the count at the end does not reach the head's oldest second: "
                        "reading the rest of the closing window on its own")
            self._read_closing(replace(closing, window=closing.window.cut_top(oldest),
                                       estimate=max(1, sum(1 for _, x in rows if x == oldest))))
        else:
            self._read_closing(closing)
        self.count_state = "waiting"  # a count with a request, unless this answer is it
        mark = self.audit.mark
        held = {x for _, x in rows}
        if not readable or oldest is None or mark is None or oldest >= mark or mark in held:
            return  # its rows do not reach below C, an empty second: count with a request
        self.audit.end_from_rows = True
        self.count_state = "waiting-end"
        self._on_count(count_up_to(mark, rows, page.total, count, exact))

    def _closing_without_count(self) -> None:
        """No count at the end to read the closing window with any more: read it on its own."""
        if self.passes.deferred is not None and self.count_state not in COUNT_TO_COME:
            self._read_closing(self.passes.deferred)

    def _read_closing(self, closing: Closing) -> None:
        """The closing window (or what the count at the end left of it) read as its own slice."""
        self.passes.deferred = None
        self.passes.start_closing(closing)

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
        if self.count_state == "waiting-closing":  # as without it: the closing read, then the count
            assert self.passes.deferred is not None
            self._read_closing(self.passes.deferred)
            self.count_state = "waiting"
            return
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
        deferred = self.passes.deferred
        if deferred is not None:  # the closing read the count at the end was to make
            self.passes.deferred = None
            self.ledger.lost(Unreachable(deferred.estimate, f"closing read not made: {why}",
                                         pass_label=self.passes.label_of(self.passes.root)))
        if self.count_state != "skipped":
            self.count_state = "done"

