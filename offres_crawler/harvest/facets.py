"""Splitting a crowded window on a facet whose values cover every offer (REFERENCE Part 1 §6).

A bulk import can put thousands of offers in one creation second: no date cut divides them, so
the window is split on one of the facets that filtresPossibles counts. The counts come with the
window's own answer, so the split needs no probe, and they tell at once whether the values cover
the window: they must add up to its total. `typeContrat` and `natureContrat` are ORed by the API,
so a slice never carries both (unless the user asked for both; then neither is split).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from offres_crawler.harvest.romes import pack_label
from offres_crawler.harvest.search_page import facet_counts

logger = logging.getLogger(__name__)

# In order of preference: contract type has few values of even size; experience and
# qualification are ANDed with everything and serve for a second level.
FACET_ORDER = ("typeContrat", "natureContrat", "experience", "qualification")
# Parameters filtresPossibles does not count but whose values cover every offer (each offer
# carries experienceExige; dureeHebdo has a value for "not specified"). Their children's totals,
# read from their first answers, must add up (the planner checks).
UNCOUNTED = {"experienceExigence": ("D", "S", "E"), "dureeHebdo": ("0", "1", "2")}
_OR_PARTNER = {"typeContrat": "natureContrat", "natureContrat": "typeContrat"}
# Facets whose parameter takes several values (ORed): values can share a slice.
MULTI_VALUED = frozenset({"typeContrat", "natureContrat"})
# Values a facet reports that cannot be asked for (qualification X = not specified).
_NOT_REQUESTABLE = {"qualification": {"X"}}


@dataclass
class FacetSplit:
    facet: str
    counts: dict[str, int | None]  # value -> offers (None: not counted by the API, learned later)
    total: int  # the window's total reported with the counts

    @property
    def counted(self) -> bool:
        return all(n is not None for n in self.counts.values())

    @property
    def covered(self) -> int:
        return sum(n or 0 for n in self.counts.values())

    @property
    def shortfall(self) -> int:
        """Offers of the window that no value reaches (0 when the sum check holds)."""
        return max(0, self.total - self.covered)

    def as_report(self) -> dict[str, Any]:
        return {"facet": self.facet, "total": self.total, "counted_by_api": self.counted,
                "sum": self.covered, "sum_check": self.covered >= self.total,
                "values": dict(self.counts)}

    def to_dict(self) -> dict[str, Any]:
        return {"facet": self.facet, "counts": [[v, n] for v, n in self.counts.items()],
                "total": self.total}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FacetSplit:
        return cls(d["facet"], {str(v): n for v, n in d["counts"]}, d["total"])


@dataclass
class SplitRecord:
    """A window (slice `slice`) split on a facet into child slices, one per value or group."""

    slice: int
    split: FacetSplit
    children: dict[str, int]  # value -> child slice
    recount: int | None = None  # the slice that reads the window again after a shortfall
    attempt: int = 0  # splits of this window before this one that fell short

    def shortfall(self, first_totals: Mapping[int, int | None]) -> int:
        """For a facet the API does not count: offers of the window that the children's first
        totals leave out (0 while one is unknown, or once the window is read again)."""
        totals = [first_totals[c] for c in self.children.values()]
        if self.split.counted or self.recount is not None or any(t is None for t in totals):
            return 0
        return max(0, self.split.total - sum(t or 0 for t in totals))

    def as_report(self, first_totals: Mapping[int, int | None]) -> dict[str, Any]:
        split = self.split
        if not split.counted:  # the children's first totals stand for the API's counts
            split = FacetSplit(split.facet, {v: first_totals[c] for v, c in self.children.items()},
                               split.total)
        report = split.as_report()
        report["counted_by_api"] = self.split.counted
        report["slice"] = self.slice
        if self.recount is not None:
            report["read_again_as"] = self.recount
        if self.split.facet == "codeROME":  # packs of up to 200 codes: shown short
            report["values"] = {pack_label(v): n for v, n in report["values"].items()}
        return report

    def to_dict(self) -> dict[str, Any]:
        return {"slice": self.slice, "split": self.split.to_dict(),
                "children": [[v, c] for v, c in self.children.items()], "recount": self.recount,
                "attempt": self.attempt}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SplitRecord:
        return cls(d["slice"], FacetSplit.from_dict(d["split"]), {str(v): c for v, c in d["children"]},
                   d["recount"], d["attempt"])


def splittable_facets(filters: dict[str, str], split_on: tuple[str, ...]) -> list[str]:
    """Facets that partition this window when fixed to one value."""
    out = []
    for f in FACET_ORDER + tuple(UNCOUNTED):
        if f in split_on:
            continue
        if f in filters and "," not in filters[f]:
            continue  # already a single value
        partner = _OR_PARTNER.get(f)
        if partner and (partner in filters or partner in split_on):
            continue  # ORed with the partner: fixing one would not narrow the window
        out.append(f)
    return out


def choose_split(filters: dict[str, str], split_on: tuple[str, ...],
                 filtres: list[dict[str, Any]] | None, total: int,
                 capacity: int | None = None) -> FacetSplit | None:
    """The first facet whose values add up to the total; failing that, one the API does not count
    but that covers every offer; failing that, the counted one that covers most (its shortfall
    is then reported as unreachable). None when no facet can split the window.

    With `capacity` (rows one query reaches), the values of a multi-valued facet are packed into
    groups that each fit (`typeContrat=CCE,DIN,LIB`): one slice per group rather than per value
    spares a partial last page for each rare value.
    """
    best: FacetSplit | None = None
    available = splittable_facets(filters, split_on)
    for f in available:
        if f in UNCOUNTED:
            continue
        counts = facet_counts(filtres, f)
        if not counts:
            continue
        allowed = set(filters[f].split(",")) if f in filters else None
        counts = {v: n for v, n in counts.items()
                  if n > 0 and v not in _NOT_REQUESTABLE.get(f, set())
                  and (allowed is None or v in allowed)}
        if not counts or (len(counts) < 2 and sum(counts.values()) >= total):
            continue  # nothing to ask for, or one value holds everything: no division
        if capacity and f in MULTI_VALUED:
            counts = pack(counts, capacity)
        split = FacetSplit(f, dict[str, int | None](counts), total)
        if split.covered >= total:  # above: values overlap, still nothing lost
            return split
        if best is None or split.covered > best.covered:
            best = split
    for f in available:
        if f in UNCOUNTED:  # covers every offer by its definition; the children will tell
            return FacetSplit(f, {v: None for v in UNCOUNTED[f]}, total)
    if best is not None:
        logger.warning("no facet adds up to the window's %d offers; %s covers %d", total,
                       best.facet, best.covered)
    return best


def pack(counts: dict[str, int], capacity: int, page: int = 150) -> dict[str, int]:
    """Group values so that each group fits in `capacity` rows, with few pages in all: first fit
    by decreasing count, a group joined only if that does not add a page to it. A value over the
    capacity stays alone (it will be split again). Keys are the values joined by commas."""
    groups: list[tuple[list[str], int]] = []
    for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        for i, (values, size) in enumerate(groups):
            fits = size + n <= capacity
            costs_no_page = -(-(size + n) // page) <= -(-size // page) + -(-n // page) - 1
            if fits and costs_no_page:
                groups[i] = (values + [value], size + n)
                break
        else:
            groups.append(([value], n))
    return {",".join(sorted(values)): size for values, size in groups}
