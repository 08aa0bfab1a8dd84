"""The head of a pass (its newest offers, read unbounded in time) and the frozen window below it.

The head covers every second newer than its oldest row. The rest of the pass is read in a window
that ends at that second, and never after a second the server has closed: offers created later
cannot enter it, so they cannot push rows across its pages (TRAPS.md, Completeness). "Closed" is
judged on the server's own clock, its `Date` header (which may lag or lead ours): a second S is
over once the server says S + 1; one more second of margin covers a `Date` written a little before
the offers of that second were indexed, and `lag` more seconds an answer computed by a replica
behind the others (lag.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from offres_crawler.harvest.dates import epoch_to_param, param_to_epoch
from offres_crawler.harvest.search_page import SearchPage
from offres_crawler.harvest.windows import Window

FREEZE_MARGIN_S = 2  # a frozen window's max is at least this far behind the server's Date


class PassStatus(StrEnum):
    HEAD = "head"  # its head is being read
    SLICES = "slices"  # its frozen window is being read
    DONE = "done"  # nothing below the head
    FAILED = "failed"


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
    seen_at: int | None = None  # the Date of its first answer (epoch s)

    @property
    def seconds(self) -> list[int]:
        return [x for _, x in self.rows if x is not None]

    @property
    def holds_all(self) -> bool:
        return not self.total or self.distinct >= self.total

    @property
    def distinct(self) -> int:
        return len({k for k, _ in self.rows})

    def to_dict(self) -> dict[str, Any]:
        return {"sid": self.sid, "window": self.window.to_dict(), "label": self.label,
                "rows": [list(r) for r in self.rows], "total": self.total, "pages": self.pages,
                "failures": self.failures, "in_flight": self.in_flight, "requests": self.requests,
                "done": self.done, "failed": self.failed, "wait": self.wait, "waits": self.waits,
                "seen_at": self.seen_at}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Head:
        return cls(d["sid"], Window.from_dict(d["window"]), d["label"],
                   [(str(k), x) for k, x in d["rows"]], d["total"], d["pages"], d["failures"],
                   d["in_flight"], d["requests"], d["done"], d["failed"], d["wait"], d["waits"],
                   d["seen_at"])


@dataclass
class Pass:
    label: str
    filters: dict[str, str]
    head: Head
    frozen: Window | None = None
    frozen_estimate: int | None = None
    first_slice: int | None = None
    status: PassStatus = PassStatus.HEAD

    def as_report(self) -> dict[str, Any]:
        return {"label": self.label, "head_total": self.head.total, "head_pages": self.head.pages,
                "status": self.status.value,
                "frozen": None if self.frozen is None else self.frozen.describe(),
                "frozen_estimate": self.frozen_estimate, "first_slice": self.first_slice}

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "filters": self.filters, "head": self.head.sid,
                "frozen": None if self.frozen is None else self.frozen.to_dict(),
                "frozen_estimate": self.frozen_estimate, "first_slice": self.first_slice,
                "status": self.status.value}

    @classmethod
    def from_dict(cls, d: dict[str, Any], heads: dict[int, Head]) -> Pass:
        return cls(d["label"], dict(d["filters"]), heads[d["head"]],
                   None if d["frozen"] is None else Window.from_dict(d["frozen"]),
                   d["frozen_estimate"], d["first_slice"], PassStatus(d["status"]))


@dataclass
class Freeze:
    """What to read below a head: a window, or nothing (and why)."""

    window: Window | None = None
    status: PassStatus = PassStatus.SLICES  # or DONE (nothing below), FAILED
    warning: str | None = None
    unreachable: int | None = None


def last_closed_second(clock: int, lag: int = 0) -> int:
    """The latest second certainly over on the server, and indexed by every replica, from its
    latest Date."""
    return clock - FREEZE_MARGIN_S - 1 - lag


def unclosed_seconds(head: Head, clock: int | None, lag: int = 0) -> int:
    """How far the head's oldest second is from being closed on the server (0: closed)."""
    seconds = head.seconds
    if not seconds or clock is None or head.holds_all:
        return 0
    return max(0, min(seconds) - last_closed_second(clock, lag))


def needs_more(head: Head, page: SearchPage, clock: int | None, depth: int, lag: int = 0) -> bool:
    """The head must reach a closed second (rare: more than 150 offers in the last seconds)."""
    if not page.rows or head.total is None or len(head.rows) >= head.total or head.pages >= depth:
        return False
    oldest = min((x for _, x in page.rows if x is not None), default=None)
    return oldest is not None and clock is not None and oldest > last_closed_second(clock, lag)


def freeze(p: Pass, query: dict[str, str], floor: int, clock: int | None, lag: int = 0) -> Freeze:
    """The frozen window of a pass whose head is read."""
    h = p.head
    if h.holds_all:
        return Freeze(status=PassStatus.DONE)  # the head holds the whole pass
    seconds = h.seconds
    cut = None if clock is None else last_closed_second(clock, lag)
    top = min(seconds) if seconds else cut
    warning = None
    if cut is not None and top is not None and top > cut:
        warning = (f"pass {p.label}: more offers than the cap in the last seconds; those created "
                   f"after {epoch_to_param(cut)} may be incomplete")
        top = cut
    if "minCreationDate" in query:
        umin, umax = param_to_epoch(query["minCreationDate"]), param_to_epoch(query["maxCreationDate"])
        if top is None or top < umin:
            return Freeze(status=PassStatus.DONE,
                          warning=f"pass {p.label}: the query's dates end after the server's clock")
        w = Window.of(p.filters, min_sent=umin, lo=umin, max_sent=umax, hi=umax)
        if top + 1 < umax:
            w = w.cut_top(top)
    else:
        if top is None:
            return Freeze(status=PassStatus.FAILED, unreachable=(h.total or 0) - h.distinct,
                          warning="no clock to freeze the window on")
        w = Window.of(p.filters, min_sent=floor, lo=floor, max_sent=top + 1, hi=top)
    return Freeze(window=w, warning=warning)


def estimate_below(head: Head, window: Window) -> int:
    """An upper estimate of the frozen window's total: the head's, less its rows newer than the
    window's extent."""
    top = window.max_sent
    return (head.total or 0) - (0 if top is None else sum(1 for x in head.seconds if x > top))
