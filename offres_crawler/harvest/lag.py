"""Answers computed from an index a few seconds behind the server's clock (replicas).

A search engine on replicas may answer from an index some seconds behind its `Date` header,
each answer from another replica (consistent within itself, not with the others). The planner
allows for `lag` seconds of that (OFFRES_SEARCH_REPLICA_LAG):

- A second counts as closed only once every replica has it: a frozen window ends `lag` seconds
  further back (heads.py), and so do the counts of counts.py.
- Offers are only withdrawn from a closed window, so its count still tells which of two answers
  describes the later moment, whatever their order of arrival (reads.py): the chain of reads
  of a slice is checked on that, not on arrival.
- A pass's head (its newest offers, read unbounded) may come from a replica that has not yet
  indexed the offers created in the seconds before it: offers alive during the whole run that the
  head cannot show, and that no frozen window covers (they are newer than the head's oldest
  second). So the head's seconds, up to its `Date`, are read again as a *closing* window once
  every replica has them: `lag` seconds (and the freeze margin) after the head's answer.
- The query's count at the end (counts.py) is asked after every other answer, and again `lag`
  seconds later when it finds offers missing (a replica that described a moment before them).
- The closing read of a one-pass query is made by the count at the end when it can
  (count_flow.py): page 0 of the whole query bounded above like the closing window (`whole`),
  asked when the closing read is due. Its rows are the closing window's offers when they reach
  down to the head's oldest second (the frozen window below certainly covers that second and
  below), and its count less its rows created after C is the count up to C when they reach below
  C, as the count at the start is taken from the first answer. Otherwise the closing window is
  read as its own slice, and the query counted with a request.

With `lag` = 0 answers are taken as current: no closing reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offres_crawler.harvest.dates import param_to_epoch
from offres_crawler.harvest.heads import FREEZE_MARGIN_S, Pass
from offres_crawler.harvest.windows import Window

DEFAULT_LAG_S = 5  # "replicas a few seconds behind"


@dataclass(frozen=True)
class Closing:
    window: Window
    not_before: int  # server time (epoch s) from which every replica has its seconds
    estimate: int
    whole: Window  # the query bounded above like `window` (the count at the end reads it: lag.py)

    def to_dict(self) -> dict[str, Any]:
        return {"window": self.window.to_dict(), "not_before": self.not_before, "estimate": self.estimate,
                "whole": self.whole.to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Closing:
        return cls(Window.from_dict(d["window"]), d["not_before"], d["estimate"], Window.from_dict(d["whole"]))


def closing(p: Pass, query: dict[str, str], floor: int, lag: int) -> Closing | None:
    """The window that reads `p`'s head again, once every replica has its seconds; None when
    nothing in it can have been created after the head's answer was computed."""
    h = p.head
    if lag <= 0 or h.seen_at is None:
        return None
    top = h.seen_at
    seconds = h.seconds
    if "minCreationDate" in query:
        umin, umax = (param_to_epoch(query[k]) for k in ("minCreationDate", "maxCreationDate"))
        if umax < top - lag - FREEZE_MARGIN_S - 1:
            return None  # the query's seconds were closed for every replica already
        base = Window.of(p.filters, min_sent=umin, lo=umin, max_sent=umax, hi=umax).cut_top(top)
    else:
        base = Window.of(p.filters, min_sent=floor, lo=floor, max_sent=top + 1, hi=top)
    whole = base
    oldest = min(seconds) if seconds and not h.holds_all else None
    if oldest is not None and base.lo is not None and oldest > base.lo:
        base = base.cut_bottom(oldest)
    return Closing(base, top + lag + FREEZE_MARGIN_S + 1, max(1, h.distinct), whole)
