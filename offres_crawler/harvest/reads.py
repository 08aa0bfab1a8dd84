"""What the planner keeps of one answer of a slice: its count, and the creation instants at its two
ends (where a page boundary can fall inside one instant: ties.py).

A read's count is the best count of its window at the moment the answer was computed: the sum
of a facet of filtresPossibles when the answer carries one (counts.py says why), else the
Content-Range total. `exact` says which: only exact counts of two reads are compared to order
their moments (slices.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offres_crawler.harvest.search_page import SearchPage


@dataclass
class Group:
    """The rows of an answer that share the creation instant of its first (head) or last (tail)
    row: `n` rows, with their ids while the boundary they touch is not judged yet."""

    instant: int  # epoch ms
    n: int
    ids: list[str]

    def to_list(self) -> list[Any]:
        return [self.instant, self.n, list(self.ids)]

    @classmethod
    def from_list(cls, d: list[Any] | None) -> Group | None:
        return None if d is None else cls(int(d[0]), int(d[1]), [str(i) for i in d[2]])


def _group(keys: list[str], instants: list[int | None]) -> Group | None:
    if not keys or not instants or instants[0] is None:
        return None
    first = instants[0]
    n = 1
    while n < len(instants) and instants[n] == first:
        n += 1
    return Group(first, n, keys[:n])


def end_groups(page: SearchPage) -> tuple[Group | None, Group | None]:
    """(head, tail) of an answer; None where instants are unknown."""
    keys = [k for k, _ in page.rows]
    if len(page.instants) != len(keys):
        return None, None
    head = _group(keys, page.instants)
    tail = _group(keys[::-1], page.instants[::-1])
    return head, tail


@dataclass
class Read:
    seq: int  # order in which the planner received answers
    total: int  # the window's count with this answer (exact or not, see the module docstring)
    exact: bool = False
    rows: int = 0
    head: Group | None = None
    tail: Group | None = None

    def to_list(self) -> list[Any]:
        return [self.seq, self.total, self.exact, self.rows,
                None if self.head is None else self.head.to_list(),
                None if self.tail is None else self.tail.to_list()]

    @classmethod
    def from_list(cls, d: list[Any]) -> Read:
        return cls(d[0], d[1], d[2], d[3], Group.from_list(d[4]), Group.from_list(d[5]))


def in_view_order(upper: Read, lower: Read) -> bool:
    """Whether the upper read saw the window at the same moment as the lower one, or a later one.

    In a frozen window offers are only withdrawn, so its count only falls with time and an equal
    count means an equal set. With exact counts that is the test, whatever the order in which the
    answers came (a replica behind the others answers with an earlier moment than its arrival).
    Without them, the order of arrival stands in for the moment (the count may be noisy).
    """
    if upper.exact and lower.exact:
        return upper.total <= lower.total
    return upper.seq > lower.seq or upper.total == lower.total
