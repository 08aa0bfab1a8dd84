"""The harvest planner: which search requests reach every offer of a query, and proof that they did.

A pure state machine: `next_requests()` hands out request descriptions, `observe()` /
`observe_failure()` take back what came of them. No I/O, no Scrapy; the spider drives it and the
tests drive it against an in-memory API.

How a query is harvested
------------------------
1. **Root.** Page 0 of the query itself (sort=1: newest first). It gives the total, the root
   filtresPossibles, and the server's clock (the `Date` header).
2. **Passes.** A query that does not fix `origineOffre` is harvested as two passes, origine 1 and
   origine 2, whose totals must add up to the root total (REFERENCE Part 1 §3: an unfiltered
   search may serve only origine 1 while counting everything). A shortfall adds an unfiltered pass.
   No pass or split ever uses a location filter.
3. **Head, then freeze.** Each pass starts with its page 0, newest first, unbounded in time. It
   covers every second newer than its oldest row. The rest of the pass is a *frozen* window that
   ends at that second, and never after a second the server has closed (Date - 2 s): offers created
   later cannot enter it and push rows across pages. The head is not an extra request: its 150 rows
   are the pass's newest.
4. **Date cursor.** A frozen window is read from its deepest reachable page (the cap) back to page 0.
   The deepest page shows the oldest second reached, s; the next slice is the window below, up to s
   (overlapping that second), and starts as soon as that page is in, so slices run side by side.
5. **Crowded seconds.** When a slice cannot move below its own top second (thousands of offers in
   one second: bulk imports), that second and the one before go to a two-second window split on a
   facet whose counts (in the window's own filtresPossibles) add up to its total; a value still over
   the cap is split again on another facet (ANDed). The cursor goes on below.
6. **Ledger.** Every slice compares the offers it got with what the API reported (slices.py); the
   report lists them all, with what could not be reached and why.

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
1000 cap. The cursor's one cost is sequencing (a slice's start is known only once the previous
slice's deepest page is in); slices still overlap in time, so the rate limit, not latency,
bounds the speed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from offres_crawler.api import heads as head_rules
from offres_crawler.api import ledger, origines
from offres_crawler.api.content_range import (DEFAULT_MAX_START, PAGE_SIZE, format_range,
                                              page_window, pages_within_cap)
from offres_crawler.api.dates import epoch_to_param, param_to_epoch
from offres_crawler.api.facets import FacetSplit, choose_split
from offres_crawler.api.heads import Head, Pass
from offres_crawler.api.search_page import SearchPage
from offres_crawler.api.slices import SliceReader
from offres_crawler.api.windows import Window

logger = logging.getLogger(__name__)

DEFAULT_CREATION_FLOOR = "2000-01-01T00:00:00Z"  # lower bound sent when the user gives none
HEAD_ATTEMPTS = 2  # the transport already retried; one more attempt, then the pass fails
HEAD_WAITS = 3  # times a head waits for its last seconds to close


@dataclass(frozen=True)
class PlannedRequest:
    key: int
    params: dict[str, str]
    unit: int
    page: int
    purpose: str  # "root" | "head" | "recheck" | "slice"
    priority: int = 0  # first reads of new slices unlock more work: ask for them first
    delay: float = 0.0  # seconds to wait before sending (for a second to close on the server)


class HarvestPlanner:
    def __init__(self, query: dict[str, str], *, max_start: int = DEFAULT_MAX_START,
                 creation_floor: str = DEFAULT_CREATION_FLOOR, sum_tolerance: float = 0.001):
        self.query = {k: v for k, v in query.items() if k not in ("range", "sort")}
        self.configured_max_start = max_start
        self.max_start = max_start
        self.depth = pages_within_cap(max_start)
        self.floor = param_to_epoch(creation_floor)
        self.sum_tolerance = sum_tolerance
        self.split_origine = "origineOffre" not in self.query
        self.plan_id = uuid.uuid4().hex[:16]  # tells this plan's requests from another's

        self._next_id = 0
        self._next_key = 0
        self._seq = 0
        self.heads: dict[int, Head] = {}
        self.slices: dict[int, SliceReader] = {}
        self.passes: list[Pass] = []
        self._pass_of_head: dict[int, Pass] = {}
        self._in_flight: dict[int, PlannedRequest] = {}
        self.keys: set[str] = set()  # every offer received

        self.root_total: int | None = None
        self.root_filtres: list | None = None
        self.server_time: int | None = None  # the root answer's Date (epoch s)
        self.clock: int | None = None  # the latest Date seen
        self.origine_check: dict | None = None
        self._recheck: Head | None = None
        self.splits: list[tuple[int, FacetSplit, dict[str, int]]] = []  # slice, split, children
        self.unreachable: list[dict] = []
        self.warnings: list[str] = []
        self.fatal: str | None = None
        self.cap_learned = False
        self.requests = 0
        self.by_purpose: dict[str, int] = {}
        self.stuck_requests = 0
        self.empty_answers = 0

        self.root = self._new_head(Window.of(self.query), "root")
        if not self.split_origine:
            self._add_pass(f"origineOffre={self.query['origineOffre']}", self.query, self.root)

    # ---- construction -------------------------------------------------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _new_head(self, window: Window, label: str) -> Head:
        h = Head(self._new_id(), window, label)
        self.heads[h.sid] = h
        return h

    def _add_pass(self, label: str, filters: dict[str, str], head: Head) -> Pass:
        p = Pass(label, dict(filters), head)
        self.passes.append(p)
        self._pass_of_head[head.sid] = p
        return p

    def _new_slice(self, window: Window, role: str, *, parent: int | None, est: int | None,
                   in_burst: bool = False) -> SliceReader:
        s = SliceReader(self._new_id(), window, role, parent=parent, est_total=est,
                        in_burst=in_burst)
        self.slices[s.sid] = s
        return s

    # ---- the driver's interface ---------------------------------------------------------------
    @property
    def done(self) -> bool:
        if self._in_flight:
            return False
        if self.fatal:
            return True
        return not any(not (h.done or h.failed) for h in self.heads.values()) and \
            not any(s.active for s in self.slices.values())

    def knows(self, key: int) -> bool:
        """Whether an answer is expected for this request key."""
        return key in self._in_flight

    def in_flight_keys(self) -> list[int]:
        return list(self._in_flight)

    def next_requests(self) -> list[PlannedRequest]:
        """Every request that can be sent now (each slice reads one page at a time)."""
        if self.fatal:
            return []
        out: list[PlannedRequest] = []
        for h in list(self.heads.values()):
            page = self._head_next(h)
            if page is not None:
                h.in_flight = page
                purpose = ("root" if h is self.root and self.split_origine
                           else "recheck" if h is self._recheck else "head")
                out.append(self._plan(h.window, h.sid, page, purpose, priority=2, delay=h.wait))
                h.wait = 0.0
        changed = True
        while changed:  # settling a slice can wake another one up
            changed = False
            for s in list(self.slices.values()):
                if s.paused_for is not None and not self.slices[s.paused_for].active:
                    s.paused_for = None  # the slice it waited for ended without finding a crowd
                    changed = True
                while s.active and s.in_flight is None and s.paused_for is None:
                    page = s.next_page(self.depth)
                    if page is None:
                        if s.settle(self.depth):
                            self._on_slice_settled(s)
                            changed = True
                            break
                        continue
                    s.in_flight = page
                    out.append(self._plan(s.window, s.sid, page, "slice",
                                          priority=1 if s.requests == 0 else 0))
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
        if page.empty:
            self.empty_answers += 1
        self.keys.update(k for k, _ in page.rows)
        if req.unit in self.heads:
            self._on_head(self.heads[req.unit], req, page)
        else:
            self._on_slice(self.slices[req.unit], req, page)

    def observe_failure(self, key: int, reason: str) -> None:
        """The transport gave up on a request (retries exhausted)."""
        req = self._in_flight.pop(key)
        self._seq += 1
        logger.warning("request %s (page %d) failed: %s", req.params, req.page, reason)
        if req.unit in self.heads:
            h = self.heads[req.unit]
            h.in_flight = None
            h.requests += 1
            h.failures += 1
            if h.failures >= HEAD_ATTEMPTS:
                self._head_failed(h, reason)
            return
        s = self.slices[req.unit]
        if s.fail(req.page, self._seq):
            logger.warning("slice %d: page %d given up after %d attempts", s.sid, req.page,
                           s.failures[req.page])
            if s.total is None:  # not one answer: nothing is known of this window
                s.close("failed", f"no answer: {reason}")
                self.unreachable.append({"slice": s.sid, "offers": s.est_total,
                                         "reason": f"no page could be read ({reason})"})

    # ---- results (api/ledger.py) --------------------------------------------------------------
    def expected(self) -> int:
        """What the API reported reachable for the query: its total at the first answer."""
        return self.root_total or 0

    def missing(self) -> int:
        return ledger.missing(self)

    def completeness(self) -> float:
        return ledger.completeness(self)

    def incomplete_reasons(self) -> list[str]:
        return ledger.incomplete_reasons(self)

    def report(self) -> dict:
        return ledger.planner_report(self)

    @property
    def facet_split_count(self) -> int:
        return len(self.splits)

    # ---- requests -----------------------------------------------------------------------------
    def _plan(self, window: Window, unit: int, page: int, purpose: str, priority: int,
              delay: float = 0.0) -> PlannedRequest:
        start, end = page_window(page)
        params = window.params()
        params["sort"] = "1"
        params["range"] = format_range(start, end)
        self._next_key += 1
        req = PlannedRequest(self._next_key, params, unit, page, purpose, priority, delay)
        self._in_flight[req.key] = req
        self.requests += 1
        self.by_purpose[purpose] = self.by_purpose.get(purpose, 0) + 1
        return req

    def _release(self, req: PlannedRequest) -> None:
        """A request that brought nothing but the cap: its unit asks again, re-planned."""
        if req.unit in self.heads:
            self.heads[req.unit].in_flight = None
        else:
            self.slices[req.unit].in_flight = None

    def _learn_cap(self, max_start: int) -> None:
        if max_start >= self.max_start:
            return
        logger.warning("the API caps the range start at %d (not %d): re-planning with %d pages "
                       "per slice", max_start, self.max_start, pages_within_cap(max_start))
        self.max_start = max_start
        self.depth = pages_within_cap(max_start)
        self.cap_learned = True

    def _on_error(self, req: PlannedRequest, message: str) -> None:
        """A 4xx other than the cap: the API refuses this query; retrying cannot help."""
        if req.unit == self.root.sid:
            self.fatal = f"the API refused the query: {message}"
            logger.error("%s", self.fatal)
            self.root.in_flight = None
            return
        if req.unit in self.heads:
            h = self.heads[req.unit]
            h.in_flight = None
            h.requests += 1
            self._head_failed(h, message)
            return
        s = self.slices[req.unit]
        s.requests += 1
        s.close("failed", message)
        self.unreachable.append({"slice": s.sid, "reason": f"API error: {message}",
                                 "offers": s.est_total or 0})

    # ---- heads (api/heads.py) -----------------------------------------------------------------
    def _head_next(self, h: Head) -> int | None:
        if h.done or h.in_flight is not None or h.failed:
            return None
        if h.wait:
            return 0
        if h.pages >= self.depth:  # the cap, learned meanwhile, stops it here
            self._finish_head(h)
            return 0 if h.wait else None
        return h.pages

    def _head_failed(self, h: Head, reason: str) -> None:
        h.failed = reason
        h.done = True
        if h is self.root:
            self.fatal = f"the first search failed: {reason}"
            return
        if h is self._recheck:
            self.origine_check["ok"] = False
            self._conclude_origines()
            return
        p = self._pass_of_head.get(h.sid)
        if p:
            p.status = "failed"
            self.unreachable.append({"pass": p.label, "reason": f"head failed: {reason}",
                                     "offers": None})
            self._check_origines()

    def _on_head(self, h: Head, req: PlannedRequest, page: SearchPage) -> None:
        h.in_flight = None
        h.requests += 1
        if h.waits and req.delay:  # page 0 again, read for the clock: what it adds is newer
            h.rows.extend(page.rows)
            self._finish_head(h)
            return
        h.pages += 1
        if page.total is not None:
            h.total = page.total
        elif page.empty:
            h.total = 0
        if h is self._recheck:
            h.done = True
            origines.apply_recount(self.origine_check, self._origine_heads(), h.window.max_sent,
                                   page.total or 0)
            self._conclude_origines()
            return
        h.rows.extend(page.rows)
        if h is self.root:
            self._on_root(h, page)
            if self.split_origine:
                return
        if not head_rules.needs_more(h, page, self.clock, self.depth):
            self._finish_head(h)

    def _on_root(self, h: Head, page: SearchPage) -> None:
        self.root_total = h.total
        self.root_filtres = page.filtres
        self.server_time = page.server_time
        if page.server_time is None:  # an offer's creation is a lower bound of the server's clock
            self.server_time = max(h.seconds, default=None)
            self.warnings.append("no Date header: the newest offer's second stands in for the "
                                 "server's clock")
        if self.split_origine:
            h.done = True
            if h.total:
                for o in origines.ORIGINES:
                    f = dict(self.query, origineOffre=o)
                    self._add_pass(f"origineOffre={o}", f, self._new_head(Window.of(f), f"origine {o}"))

    def _finish_head(self, h: Head) -> None:
        clock = self.clock if self.clock is not None else self.server_time
        unclosed = head_rules.unclosed_seconds(h, clock)
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
        self._start_frozen(self._pass_of_head[h.sid])
        if self.split_origine:
            self._check_origines()

    def _start_frozen(self, p: Pass) -> None:
        clock = self.clock if self.clock is not None else self.server_time
        f = head_rules.freeze(p, self.query, self.floor, clock)
        if f.warning:
            self.warnings.append(f.warning)
        if f.status == "failed":
            self.unreachable.append({"pass": p.label, "offers": f.unreachable, "reason": f.warning})
        if f.window is None:
            p.status = f.status
            return
        p.frozen = f.window
        p.frozen_estimate = head_rules.estimate_below(p.head, f.window)
        p.first_slice = self._new_slice(f.window, "frozen", parent=None, est=p.frozen_estimate).sid
        p.status = "slices"
        logger.info("pass %s: %s offers, frozen at %s", p.label, p.head.total,
                    epoch_to_param(f.window.max_sent))

    # ---- origines (api/origines.py) -----------------------------------------------------------
    def _origine_heads(self) -> dict[str, Head]:
        return {p.label: p.head for p in self.passes if p.label.startswith("origineOffre=")}

    def _check_origines(self) -> None:
        heads = self._origine_heads()
        if self.origine_check is not None or len(heads) < len(origines.ORIGINES):
            return
        if any(h.total is None and not h.failed for h in heads.values()):
            return
        self.origine_check = origines.first_check(self.root_total or 0, heads, self.server_time,
                                                  self.sum_tolerance)
        if self.origine_check["ok"] is None:  # count again, up to a closed second
            self._recheck = self._new_head(
                origines.recount_window(self.query, self.floor, self.server_time), "root recheck")
            return
        self._conclude_origines()

    def _conclude_origines(self) -> None:
        c = self.origine_check
        if c["ok"]:
            return
        if origines.needs_unfiltered_pass(c, any(p.head.failed for p in self.passes)):
            msg = (f"origine passes add up to {c['sum']}, the query reports {c['root_total']}: "
                   "harvesting the unfiltered query as well")
            logger.warning("%s", msg)
            self.warnings.append(msg)
            self._start_frozen(self._add_pass("all origines", self.query, self.root))
        else:
            msg = f"origine passes add up to {c['sum']}, more than the query's {c['root_total']} (overlap)"
            logger.warning("%s", msg)
            self.warnings.append(msg)

    # ---- slices -------------------------------------------------------------------------------
    def _on_slice(self, s: SliceReader, req: PlannedRequest, page: SearchPage) -> None:
        keys = [k for k, _ in page.rows]
        s.record(req.page, self._seq, page.total, keys)
        if not s.active:
            return
        deepest = req.page == self.depth - 1
        if (deepest and keys and not s.overflowed and s.total is not None
                and s.total > self.depth * PAGE_SIZE):
            s.overflowed = True
            self._continue_below(s, page)
        parent = self.slices.get(s.parent) if s.parent is not None else None
        if parent is not None and parent.paused_for == s.sid and keys:
            parent.paused_for = None  # no crowd after all: the slice above goes on

    def _continue_below(self, s: SliceReader, page: SearchPage) -> None:
        """The slice holds more than the cap: continue below the oldest second reached."""
        w = s.window
        seconds = [x for _, x in page.rows if x is not None]
        if s.unsplittable:
            return
        if s.role == "crowded":  # a crowded second's window: no date cut can divide it
            self._facet_split(s, page)
            return
        oldest = min(seconds) if seconds else None
        if oldest is not None and oldest < w.hi:
            below = w.cut_top(oldest)
            # offers certainly above `below`: every row before the deepest page, if that page
            # already starts above it, plus the page's own rows above it
            above = sum(1 for x in seconds if x > below.max_sent)
            if seconds[0] > below.max_sent:
                above += (self.depth - 1) * PAGE_SIZE
            c = self._new_slice(below, "cursor", parent=s.sid, est=s.total - above, in_burst=s.in_burst)
            if seconds[0] == oldest:
                # the whole deepest page is one second: if it is a crowd, this slice's pages above
                # are mostly that crowd, which its facet split will read anyway. Wait for the
                # slice below to say so before reading them.
                s.paused_for = c.sid
            return
        # stuck: the deepest row is in the slice's top second
        parent = self.slices.get(s.parent) if s.parent is not None else None
        if parent is not None and parent.paused_for == s.sid and oldest is not None:
            self._split_around(parent, s, oldest)
            return
        if not s.in_burst:  # a crowded window's own reads are counted with the burst already
            self.stuck_requests += s.requests
        if w.minimal:
            self._facet_split(s, page)
            return
        crowded = w.cut_bottom(w.hi - 1)
        rest = w.cut_top(w.hi - 2)
        s.close("replaced", f"second {epoch_to_param(w.hi)} holds more than the cap")
        logger.info("slice %d: more than %d offers around %s: splitting that second on a facet",
                    s.sid, self.depth * PAGE_SIZE, epoch_to_param(w.hi))
        self._new_slice(crowded, "crowded", parent=s.sid, est=s.total, in_burst=True)
        # how many of the window's offers are in the crowd is not known yet: no estimate, so the
        # rest starts with its page 0, which tells its total
        self._new_slice(rest, "cursor", parent=s.sid, est=None, in_burst=s.in_burst)

    def _split_around(self, upper: SliceReader, lower: SliceReader, crowd: int) -> None:
        """Second `crowd` holds more than the cap: `upper` ended in it and `lower` (below `upper`)
        cannot get past it. Replace both by the seconds above it, a window around it (split on a
        facet) and the seconds below it."""
        note = f"second {epoch_to_param(crowd)} holds more than the cap"
        logger.info("more than %d offers in %s: splitting that second on a facet",
                    self.depth * PAGE_SIZE, epoch_to_param(crowd))
        if not upper.in_burst:
            self.stuck_requests += upper.requests + lower.requests
        upper.close("replaced", note)
        lower.close("replaced", note)
        w = upper.window
        if w.hi >= crowd + 2:
            # exists only because of the crowd: its partial last page is the crowd's cost
            self._new_slice(w.cut_bottom(crowd + 2), "cursor", parent=upper.sid,
                            est=max(1, upper.total - lower.total), in_burst=True)
        around = w.cut_bottom(crowd - 1).cut_top(min(crowd + 1, w.hi))
        self._new_slice(around, "crowded", parent=upper.sid, est=lower.total, in_burst=True)
        if crowd - 2 >= w.lo:  # the crowd's size is not known yet: see _continue_below
            self._new_slice(w.cut_top(crowd - 2), "cursor", parent=upper.sid, est=None,
                            in_burst=upper.in_burst)

    def _facet_split(self, s: SliceReader, page: SearchPage) -> None:
        w = s.window
        split: FacetSplit | None = choose_split(w.filter_dict, w.split_on, page.filtres, s.total,
                                                capacity=self.depth * PAGE_SIZE)
        if split is None:
            s.unsplittable = True
            lost = s.total - self.depth * PAGE_SIZE
            self.unreachable.append({"slice": s.sid, "offers": lost,
                                     "reason": "no facet left to split a window over the cap"})
            logger.warning("slice %d: %d offers cannot be reached (no facet left to split on)",
                           s.sid, lost)
            return
        s.close("split", f"split on {split.facet}")
        if split.counted and split.shortfall:
            self.unreachable.append({"slice": s.sid, "offers": split.shortfall,
                                     "reason": f"{split.facet} values do not add up to the total"})
        # the children of a crowded window are crowded too: over the cap, they split again
        role = "crowded" if s.role == "crowded" else "facet"
        children = {value: self._new_slice(w.with_filter(split.facet, value), role, parent=s.sid,
                                           est=count, in_burst=True).sid
                    for value, count in split.counts.items()}
        self.splits.append((s.sid, split, children))

    def _on_slice_settled(self, s: SliceReader) -> None:
        if s.total is not None and s.total > self.depth * PAGE_SIZE and not s.overflowed \
                and not s.unsplittable and s.status in ("complete", "short"):
            # its deepest page never came: the window below could not be located
            lost = s.total - self.depth * PAGE_SIZE
            self.unreachable.append({"slice": s.sid, "offers": lost,
                                     "reason": "deepest page failed: the slices below were not planned"})
        if s.status == "short":
            logger.warning("slice %d short: %d of %d offers after a second reading", s.sid,
                           s.final_collected, s.final_expected)
        s.keys = set()  # the ledger keeps the counts; free the ids
