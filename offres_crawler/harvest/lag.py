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
- The query's count at the end (counts.py) is asked `lag` seconds after the last other answer,
  so that it cannot describe a moment before them.

With `lag` = 0 answers are taken as current: no closing reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from offres_crawler.harvest.dates import param_to_epoch
from offres_crawler.harvest.heads import FREEZE_MARGIN_S, Pass
from offres_crawler.harvest.windows import Window

DEFAULT_LAG_S = 5  # "replicas a few seconds behind"


@dataclass(frozen=True)
class Closing:
    window: Window
    not_before: int  # server time (epoch s) from which every replica has its seconds
    estimate: int


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
    oldest = min(seconds) if seconds and not h.holds_all else None
    if oldest is not None and base.lo is not None and oldest > base.lo:
        base = base.cut_bottom(oldest)
    return Closing(base, top + lag + FREEZE_MARGIN_S + 1, max(1, h.distinct))
