"""Counting the offers of a window, and whether the API's totals can be believed.

Every answer counts its window twice: the `Content-Range` total, and `filtresPossibles`, whose
values of one facet add up to the window's offers (each offer has one typeContrat, one
natureContrat, one experience bucket, one qualification class: `PARTITIONS`). The planner plans
with the facet count when an answer has one (an *exact* count, reads.py): a total may be an
approximation or plain wrong, the facet counts come from the same aggregation as the rows. The
totals are not thrown away: `Audit` checks them

- against their own answer's rows: a total below the last row served is a contradiction, with no
  tolerance at all;
- against their own answer's facet count;
- against each other: the query's total against the origine passes' totals, and the query counted
  up to a closed second C at the start and again at the end (`count_window`);
- and the offers collected against the query's first total,

each with a tolerance equal to the churn observed during the run, plus, for a total compared
with a count, the error of an approximate count (its square root: a search engine may estimate
totals; noise of a few units passes, a total off by a factor does not). A total is judged against
its own facet count only where the window goes on beyond the answer (not its last page: there a
total is never below the rows served, so its error is one-sided), and the totals contradict the
facets when one such answer is off by more than that tolerance. The churn:
- `newer`: distinct offers collected that were created after C (C is a second already closed at
  the first answer: they were born during the run, or in its last seconds before);
- withdrawals: the two counts up to C made at the start and at the end (offers created up to C can
  only leave meanwhile; the first is the first answer less its rows created after C, when they
  reach C, and the second likewise the answer of the closing read a one-pass query makes at the
  end: count_flow.py), or, without them, the withdrawals seen inside slices between their reads.

Whatever the totals say, completeness itself is checked with exact counts: every offer the end
count finds (created up to C, still there at the end) was there during the whole run, so the
offers collected up to C must be at least as many.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from offres_crawler.harvest.dates import epoch_to_param, param_to_epoch
from offres_crawler.harvest.offer_ids import OfferIds
from offres_crawler.harvest.search_page import SearchPage, facet_counts
from offres_crawler.harvest.windows import Window

PARTITIONS = ("typeContrat", "natureContrat", "experience", "qualification")


def facet_total(filtres: list[dict[str, Any]] | None) -> int | None:
    """The window's offers as filtresPossibles count them: the largest sum over one facet (a facet
    the API reports only in part can only count fewer)."""
    best = None
    for name in PARTITIONS:
        counts = facet_counts(filtres, name)
        if counts:
            total = sum(counts.values())
            best = total if best is None else max(best, total)
    return best


def answer_count(page: SearchPage) -> tuple[int | None, bool]:
    """(the window's count with this answer, whether it is exact: from filtresPossibles)."""
    facets = facet_total(page.filtres)
    if facets is not None:
        return facets, True
    return page.total, False


def count_window(query: dict[str, str], floor: int, mark: int) -> Window:
    """The query up to second `mark` (both counts of the run: at its start and at its end)."""
    if "minCreationDate" in query:
        umin, umax = (param_to_epoch(query[k]) for k in ("minCreationDate", "maxCreationDate"))
        return Window.of(query, min_sent=umin, lo=umin, max_sent=min(umax, mark), hi=min(umax, mark))
    return Window.of(query, min_sent=floor, lo=floor, max_sent=mark, hi=mark)


@dataclass
class Count:
    total: int | None
    count: int | None
    exact: bool


@dataclass
class Audit:
    answers: int = 0  # answers with a count
    exact_answers: int = 0  # ... that carried filtresPossibles
    disagreeing: int = 0  # totals that differ from their own answer's facet count
    max_deviation: int = 0  # the largest such difference
    rows_beyond_total: int = 0  # answers that served rows past their own total
    # |total - facet count| - isqrt(facet count) of every answer judged (not a last page)
    excess: list[int] = field(default_factory=list)
    mark: int | None = None  # C: epoch second closed at the first answer
    newer: int = 0  # distinct offers collected created after C
    root: Count | None = None
    passes: dict[str, Count] = field(default_factory=dict)  # origine passes' first answers
    start: Count | None = None  # the query up to C, counted at the start
    end: Count | None = None  # and at the end
    closing_by_count: bool = False  # the count at the end's answer was the closing read (lag.py)
    end_from_rows: bool = False  # ... and `end` is its count less its rows created after C

    def answer(self, page: SearchPage, count: int | None, exact: bool) -> None:
        if count is None:
            return
        self.answers += 1
        if page.total is not None and page.rows and page.first is not None \
                and page.total < page.first + len(page.rows):
            self.rows_beyond_total += 1
        if exact:
            self.exact_answers += 1
            if page.total is not None and page.total != count:
                self.disagreeing += 1
                self.max_deviation = max(self.max_deviation, abs(page.total - count))
            if page.total is not None and page.first is not None and page.first + len(page.rows) < count:
                self.excess.append(abs(page.total - count) - math.isqrt(count))

    def received(self, rows: Iterable[tuple[str, int | None]], ids: OfferIds) -> None:
        """Rows about to enter the ledger's `ids`: count those created after C, once each."""
        if self.mark is None:
            return
        fresh: set[str] = set()
        for key, second in rows:
            if second is not None and second > self.mark and key not in ids and key not in fresh:
                fresh.add(key)
        self.newer += len(fresh)

    # ---- the checks -----------------------------------------------------------------------------
    def withdrawals(self, seen_in_slices: int) -> int:
        if self.start is not None and self.end is not None and self.start.count is not None \
                and self.end.count is not None:
            return max(seen_in_slices, self.start.count - self.end.count)
        return seen_in_slices

    def tolerance(self, seen_in_slices: int) -> int:
        return self.newer + self.withdrawals(seen_in_slices)

    def shortfall(self, collected: int) -> int:
        """Offers the end count finds (up to C, there during the whole run) beyond those collected."""
        if self.end is None or self.end.count is None or not self.end.exact:
            return 0
        return max(0, self.end.count - (collected - self.newer))

    def contradictions(self, collected: int, seen_in_slices: int, nothing_missing: bool) -> list[str]:
        """What the API's totals say that the rest of the run contradicts beyond observed churn."""
        allowed = self.tolerance(seen_in_slices)
        why = f"churn seen during the run allows {allowed}"
        out = []
        if self.rows_beyond_total:
            out.append(f"{self.rows_beyond_total} answers served rows beyond their own Content-Range total")
        # one is enough: within one answer total and facets share an instant (no churn between
        # them), and where the window goes on past 150 rows the estimate's error (its square
        # root, >= 12) is far above any honest noise; a majority rule let a liar whose lies are
        # half hidden (a total never below the rows served) pass
        off = sum(1 for e in self.excess if e > allowed)
        if off:
            out.append(f"Content-Range totals differ from their own answers' facet counts beyond the "
                       f"error of an estimate in {off} of {len(self.excess)} answers, by up to "
                       f"{self.max_deviation} ({why})")
        root = self.root.total if self.root is not None else None
        origines = [c.total for label, c in self.passes.items() if label.startswith("origineOffre=")]
        if root is not None and len(origines) > 1 and all(t is not None for t in origines):
            summed = sum(t or 0 for t in origines)
            if abs(summed - root) > allowed + math.isqrt(root) + sum(math.isqrt(t or 0) for t in origines):
                out.append(f"the origine passes' totals add up to {summed}, the query's total is {root} ({why})")
        if self.start is not None and self.end is not None and self.start.total is not None \
                and self.end.total is not None and abs(self.start.total - self.end.total) \
                > allowed + math.isqrt(self.start.total) + math.isqrt(self.end.total):
            out.append(f"the query's total up to {epoch_to_param(self.mark or 0)} was {self.start.total} "
                       f"at the start and {self.end.total} at the end ({why})")
        if nothing_missing and root is not None and abs(collected - self.newer - root) > allowed + math.isqrt(root):
            out.append(f"{collected - self.newer} offers collected that the first answer could count, "
                       f"which reported {root} ({why})")
        return out

    def as_report(self, collected: int, seen_in_slices: int) -> dict[str, Any]:
        return {"answers": self.answers, "with_facet_counts": self.exact_answers,
                "totals_disagreeing_with_facets": self.disagreeing, "max_deviation": self.max_deviation,
                "answers_with_rows_beyond_total": self.rows_beyond_total,
                "answers_judged_against_facets": len(self.excess),
                "mark": None if self.mark is None else epoch_to_param(self.mark),
                "collected_created_after_mark": self.newer,
                "withdrawals_seen": self.withdrawals(seen_in_slices),
                "tolerance": self.tolerance(seen_in_slices),
                "root": None if self.root is None else asdict(self.root),
                "passes": {k: asdict(v) for k, v in self.passes.items()},
                "count_at_start": None if self.start is None else asdict(self.start),
                "count_at_end": None if self.end is None else asdict(self.end),
                "count_at_end_read_the_closing_window": self.closing_by_count,
                "count_at_end_from_its_rows": self.end_from_rows,
                "collected_up_to_mark": collected - self.newer}

    # ---- planner state --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Audit:
        def count(c: dict[str, Any] | None) -> Count | None:
            return None if c is None else Count(**c)

        return cls(d["answers"], d["exact_answers"], d["disagreeing"], d["max_deviation"],
                   d["rows_beyond_total"], list(d["excess"]), d["mark"], d["newer"], count(d["root"]),
                   {k: Count(**v) for k, v in d["passes"].items()}, count(d["start"]), count(d["end"]),
                   d["closing_by_count"], d["end_from_rows"])
