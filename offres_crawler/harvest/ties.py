"""Page boundaries inside one creation instant, whatever order the API gives such ties.

sort=1 orders by creation instant; nothing says in which order offers of one instant come (partner
offers carry `.000Z`: a bulk import puts dozens on one instant), and a search engine on replicas
may give them in a new order at every request. When a page boundary falls inside such a group, the
group's rows of the two pages come from two answers: with an unstable order some members can be
served twice and others never. Everything else in a slice's proof (slices.py) holds as it is:
only these boundaries need care.

The boundary between an upper read U and the read L below it is judged once both are in:

- **no straddle**: U's last row and L's first row have different instants;
- **covered**: U overlaps L over the whole group at L's top (and that group does not fill U): the
  group is inside one answer, complete whatever its order;
- **proven**: same count in both answers (so the same set of offers) and the group's ids seen in
  the two reads are all distinct: the group occupies exactly those positions, so every member was
  seen. When a member shows twice instead, the order is *proven unstable* (same set, another
  order): that is the cheap probe, it costs no request;
- otherwise the second is **repaired**: read again as its own window (one page; split on facets
  until each part fits one page), or, while no reordering has ever been seen, **trusted** to a
  stable order and listed, to be repaired if one is seen later.

A second probe costs nothing either: under a stable order two offers of one instant always come
in the same order relative to each other, whatever else the answer holds. Many answers see the
same instant again (the second shared by two consecutive slices, a page read again, an overlap):
`observe_order` keeps the order in which the last ORDER_MEMORY groups of ties were first seen and
compares every later sighting with it.

Once the order is known to be unstable, each slice's next upper read overlaps the read below by the
group at its top (`overlap_rows`): the group comes whole in the upper answer, at the price of a few
rows per read, and windows of crowded seconds are split until each part fits one page.

Why these choices, in requests per ceil(N/150), measured with bench/tie_strategies.py (in-memory
markets shaped like the sandbox's: partner imports of about 6 offers per second, bursts, both
caps; its docstring has the figures) and bench/search_efficiency.py (the sandbox, 200,000 offers):
a repair for every straddled boundary ("no overlap") costs 1.50-1.53 under an unstable order, as
most boundaries fall inside a partner import; overlapping costs the size of the group at each
page top, about 8 rows a read (4.5 % on the sandbox: 9,000 rows over 1,300 pages), and gives
1.12-1.15; paying it from the start would cost those 4.5 % on a stable API too, where the probe
costs nothing. Hence: probe for free, repair what was read before the first reordering, overlap
after. Crowded seconds are then read in parts of one answer each (crowds.py, romes.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.reads import Read

ORDER_MEMORY = 2048  # groups of ties whose order of first sighting is kept
ORDER_IDS = 32  # ids kept per group


class Judgement(StrEnum):
    SAFE = "safe"  # no straddle
    COVERED = "covered"
    PROVEN = "proven"
    REPAIR = "repair"
    TRUSTED = "trusted"


@dataclass
class TieState:
    unstable: bool = False  # a reordering has been seen: overlap from now on
    straddles: int = 0  # boundaries found inside one instant
    covered: int = 0
    proven: int = 0
    reorderings: int = 0  # boundaries where the same offers came back in another order
    trusted: list[list[int]] = field(default_factory=list)  # [slice, second] to repair if unstable
    repaired: list[list[int]] = field(default_factory=list)  # [slice, second] read again
    overlap_rows: int = 0  # rows read twice by overlapping reads
    orders: dict[int, list[str]] = field(default_factory=dict)  # instant -> ids as first seen
    assumed: bool = False  # unstable taken for granted: the count at the end found offers missing
    group_rows: int = 0  # rows of the groups of ties met at the top of reads...
    groups: int = 0  # ...and how many (their mean: how far reads overlap, cursor.py)

    def to_dict(self) -> dict[str, Any]:
        return {"unstable": self.unstable, "straddles": self.straddles, "covered": self.covered,
                "proven": self.proven, "reorderings": self.reorderings,
                "trusted": [list(t) for t in self.trusted],
                "repaired": [list(r) for r in self.repaired], "overlap_rows": self.overlap_rows,
                "orders": [[t, list(ids)] for t, ids in self.orders.items()], "assumed": self.assumed,
                "group_rows": self.group_rows, "groups": self.groups}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TieState:
        return cls(d["unstable"], d["straddles"], d["covered"], d["proven"], d["reorderings"],
                   [list(t) for t in d["trusted"]], [list(r) for r in d["repaired"]],
                   d["overlap_rows"], {int(t): list(ids) for t, ids in d["orders"]}, d["assumed"],
                   d["group_rows"], d["groups"])

    def mean_group(self) -> float:
        """Rows of the group of ties at the top of a read, on average (8 until 20 are seen)."""
        return self.group_rows / self.groups if self.groups >= 20 else 8.0

    def observe_order(self, keys: Sequence[str], instants: Sequence[int | None]) -> bool:
        """Compare the order of every group of ties in an answer with the first sighting of that
        group; True when it shows the order unstable for the first time."""
        if len(instants) != len(keys):
            return False
        i = 0
        while i < len(keys):
            j = i + 1
            while j < len(keys) and instants[j] == instants[i]:
                j += 1
            t = instants[i]
            if j - i > 1 and t is not None and self._conflicts(t, list(keys[i:j])) and not self.unstable:
                self.reorderings += 1
                self.unstable = True
                return True
            i = j
        return False

    def _conflicts(self, instant: int, ids: list[str]) -> bool:
        seen = self.orders.get(instant)
        if seen is None:
            self.orders[instant] = ids[:ORDER_IDS]
            if len(self.orders) > ORDER_MEMORY:
                del self.orders[next(iter(self.orders))]
            return False
        common = set(seen) & set(ids)
        return len(common) > 1 and [x for x in seen if x in common] != [x for x in ids if x in common]

    def as_report(self) -> dict[str, Any]:
        return {"order": "unstable" if self.unstable else "stable as far as seen",
                "boundaries_inside_an_instant": self.straddles, "covered_by_overlap": self.covered,
                "proven_by_ids": self.proven, "reorderings_seen": self.reorderings,
                "trusted_to_a_stable_order": len(self.trusted), "seconds_read_again": len(self.repaired),
                "rows_read_twice_by_overlaps": self.overlap_rows,
                "unstable_assumed_from_the_count_at_the_end": self.assumed}


def overlap_rows(lower: Read, unstable: bool) -> int:
    """Rows by which the read above `lower` should reach into it: the group at its top, once the
    order is known to be unstable (none when that group fills the read: a crowd, split instead)."""
    if not unstable or lower.head is None or lower.head.n >= lower.rows:
        return 0
    return lower.head.n


def judge(upper: Read, u: int, lower: Read, lo: int, state: TieState) -> Judgement:
    """The boundary between `upper` (read at row `u`) and `lower` (at row `lo`, u < lo <= u + 150),
    already known to be in view order (reads.in_view_order). Updates the counters."""
    g, tail = lower.head, upper.tail
    if g is None or tail is None:
        return Judgement.SAFE  # instants unknown: nothing to go on
    overlap = u + PAGE_SIZE - lo
    group_fills_upper = upper.head is not None and upper.head.instant == g.instant and u > 0 \
        and tail.n >= upper.rows
    if overlap >= g.n and g.n < lower.rows and tail.instant == g.instant:
        state.straddles += 1
        if group_fills_upper:
            return _unprovable(state)
        state.covered += 1
        return Judgement.COVERED
    if tail.instant != g.instant:
        return Judgement.SAFE
    state.straddles += 1
    if group_fills_upper or (g.n >= lower.rows and lower.rows >= PAGE_SIZE):
        return _unprovable(state)  # the group goes on beyond what the two reads show
    positions = tail.n + g.n - max(0, overlap)
    distinct = len(set(tail.ids) | set(g.ids))
    if upper.exact and lower.exact and upper.total == lower.total:
        if distinct >= positions:
            state.proven += 1
            return Judgement.PROVEN
        state.reorderings += 1
        state.unstable = True
        return Judgement.REPAIR
    return _unprovable(state)


def _unprovable(state: TieState) -> Judgement:
    return Judgement.REPAIR if state.unstable else Judgement.TRUSTED
