"""The head of a pass (its newest offers, read unbounded in time) and the frozen window below it.

The head covers every second newer than its oldest row. The rest of the pass is read in a window
that ends at that second, and never after a second the server has closed: offers created later
cannot enter it, so they cannot push rows across its pages (TRAPS.md, Completeness). "Closed" is
judged on the server's own clock, its `Date` header (which may lag or lead ours): a second S is
over once the server says S + 1; one more second of margin covers a `Date` written a little before
the offers of that second were indexed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from offres_crawler.api.dates import epoch_to_param, param_to_epoch
from offres_crawler.api.search_page import SearchPage
from offres_crawler.api.windows import Window

logger = logging.getLogger(__name__)

FREEZE_MARGIN_S = 2  # a frozen window's max is at least this far behind the server's Date


@dataclass
class Head:
    """Page 0 (and, rarely, the next ones) of a pass, unbounded in time."""

    sid: int
    window: Window
    label: str
    rows: list[tuple[str, int | None]] = field(default_factory=list)
    total: int | None = None
    pages: int = 0
    failures: int = 0
    in_flight: int | None = None
    requests: int = 0
    done: bool = False
    failed: str | None = None
    wait: float = 0.0  # > 0: read page 0 again after this many seconds (the clock must move on)
    waits: int = 0

    @property
    def seconds(self) -> list[int]:
        return [x for _, x in self.rows if x is not None]

    @property
    def holds_all(self) -> bool:
        return not self.total or len({k for k, _ in self.rows}) >= self.total


@dataclass
class Pass:
    label: str
    filters: dict[str, str]
    head: Head
    frozen: Window | None = None
    frozen_estimate: int | None = None
    first_slice: int | None = None
    status: str = "head"  # head | slices | done | failed


@dataclass
class Freeze:
    """What to read below a head: a window, or nothing (and why)."""

    window: Window | None = None
    status: str = "slices"  # slices | done | failed
    warning: str | None = None
    unreachable: int | None = None


def last_closed_second(clock: int | None) -> int | None:
    """The latest second certainly over on the server, from its latest Date."""
    return None if clock is None else clock - FREEZE_MARGIN_S - 1


def unclosed_seconds(head: Head, clock: int | None) -> int:
    """How far the head's oldest second is from being closed on the server (0: closed)."""
    seconds = head.seconds
    if not seconds or clock is None or head.holds_all:
        return 0
    return max(0, min(seconds) - last_closed_second(clock))


def needs_more(head: Head, page: SearchPage, clock: int | None, depth: int) -> bool:
    """The head must reach a closed second (rare: more than 150 offers in the last 3 s)."""
    if not page.rows or head.total is None or len(head.rows) >= head.total or head.pages >= depth:
        return False
    oldest = min((x for _, x in page.rows if x is not None), default=None)
    closed = last_closed_second(clock)
    return oldest is not None and closed is not None and oldest > closed


def freeze(p: Pass, query: dict[str, str], floor: int, clock: int | None) -> Freeze:
    """The frozen window of a pass whose head is read."""
    h = p.head
    if h.holds_all:
        return Freeze(status="done")  # the head holds the whole pass
    seconds = h.seconds
    cut = last_closed_second(clock)
    top = min(seconds) if seconds else cut
    warning = None
    if cut is not None and top is not None and top > cut:
        warning = (f"pass {p.label}: more offers than the cap in the last seconds; those created "
                   f"after {epoch_to_param(cut)} may be incomplete")
        top = cut
    if "minCreationDate" in query:
        umin, umax = param_to_epoch(query["minCreationDate"]), param_to_epoch(query["maxCreationDate"])
        if top is None or top < umin:
            return Freeze(status="done",
                          warning=f"pass {p.label}: the query's dates end after the server's clock")
        w = Window.of(p.filters, min_sent=umin, lo=umin, max_sent=umax, hi=umax)
        if top + 1 < umax:
            w = w.cut_top(top)
    else:
        if top is None:
            return Freeze(status="failed", unreachable=h.total - len({k for k, _ in h.rows}),
                          warning="no clock to freeze the window on")
        w = Window.of(p.filters, min_sent=floor, lo=floor, max_sent=top + 1, hi=top)
    return Freeze(window=w, warning=warning)


def estimate_below(head: Head, window: Window) -> int:
    """An upper estimate of the frozen window's total: the head's, less its rows newer than the
    window's extent."""
    return (head.total or 0) - sum(1 for x in head.seconds if x > window.max_sent)
