"""The completeness ledger of a harvest, and the figures of the planner's part of the run report.

The planner feeds it events: requests planned (by purpose), the offers each answer brought
(counted once each, compactly), empty answers, slices settled, windows that cannot be reached,
warnings, facet splits, the reads spent finding crowded seconds. It audits the slices and passes
it is given (read-only), and from all that tells:
- expected: the query's total at its first answer, what the API reported reachable (the planner's);
- missing: what the ledger cannot account for: slices short after their second reading (judged
  against their latest totals, so offers withdrawn meanwhile are not missing), windows that no
  split could reach, facet values that do not add up, a pass that could not start;
- the facet-split overhead: requests that crowded seconds cost beyond full pages of their offers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.facets import SplitRecord
from offres_crawler.harvest.heads import Pass
from offres_crawler.harvest.offer_ids import OfferIds
from offres_crawler.harvest.slices import SETTLED, SliceReader, Status, pages_for

logger = logging.getLogger(__name__)


class Purpose(StrEnum):
    """What a request is for (the report's `requests.by_purpose`); all are searches but LIST."""

    ROOT = "root"  # page 0 of a query split into origine passes
    HEAD = "head"  # a pass's newest offers
    RECHECK = "recheck"  # the query counted again up to a closed second (origines.py)
    SLICE = "slice"  # a page of a slice (cursor.py)
    TIE = "tie"  # a page of a second read again for its ties (ties.py)
    CLOSING = "closing"  # a page of a pass's newest seconds read again (lag.py)
    COUNT = "count"  # the query counted up to a closed second, at the start and the end (counts.py)
    LIST = "list"  # /v2/referentiel/metiers, to split crowded instants on ROME codes (romes.py)


@dataclass
class Unreachable:
    """Offers the harvest cannot reach, where and why."""

    offers: int | None  # None: unknown (a pass that never started: what the others leave out)
    reason: str
    slice: int | None = None
    pass_label: str | None = None  # when a whole pass is concerned

    def as_report(self) -> dict[str, Any]:
        where: dict[str, Any] = {"pass": self.pass_label} if self.slice is None else {"slice": self.slice}
        return {**where, "offers": self.offers, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.pass_label if self.slice is None else self.slice}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"offers": self.offers, "reason": self.reason, "slice": self.slice, "pass": self.pass_label}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Unreachable:
        return cls(d["offers"], d["reason"], d["slice"], d["pass"])


class Ledger:
    def __init__(self, slices: Mapping[int, SliceReader], passes: Sequence[Pass]) -> None:
        self._slices, self._passes = slices, passes  # audited, never changed here
        self.ids = OfferIds()  # every offer received, once
        self.requests = 0
        self.by_purpose: dict[str, int] = {}
        self.empty_answers = 0
        self.stuck_requests = 0  # reads of slices that could not get below a crowded second
        self.unreachable: list[Unreachable] = []
        self.warnings: list[str] = []
        self.splits: list[SplitRecord] = []

    # ---- events -------------------------------------------------------------------------------
    def requested(self, purpose: Purpose) -> None:
        self.requests += 1
        self.by_purpose[purpose.value] = self.by_purpose.get(purpose.value, 0) + 1

    def received(self, keys: Iterable[str]) -> None:
        """The offers of an answer."""
        self.ids.update(keys)

    def empty_answer(self) -> None:
        self.empty_answers += 1

    def lost(self, entry: Unreachable) -> None:
        self.unreachable.append(entry)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def split(self, record: SplitRecord) -> None:
        self.splits.append(record)

    def stuck(self, requests: int) -> None:
        self.stuck_requests += requests

    def settled(self, s: SliceReader, depth: int) -> None:
        """A slice read to its end (or as far as it could be)."""
        if s.total is not None and s.total > s.reach(depth) and not s.overflowed \
                and not s.unsplittable and not s.count_only and s.status in SETTLED:
            # its deepest page never came: the window below could not be located
            self.lost(Unreachable(s.total - s.reach(depth), "deepest page failed: the slices below "
                                  "were not planned", slice=s.sid))
        if s.status is Status.SHORT:
            logger.warning("slice %d short: %d of %d offers after a second reading", s.sid,
                           s.final_collected, s.final_expected)

    # ---- figures ------------------------------------------------------------------------------
    def _first_totals(self) -> dict[int, int | None]:
        return {sid: s.first_total for sid, s in self._slices.items()}

    def all_unreachable(self) -> list[Unreachable]:
        """What was found unreachable, and the splits on an uncounted facet whose children's
        first totals do not add up."""
        first = self._first_totals()
        return self.unreachable + [
            Unreachable(short, f"{r.split.facet} values do not add up to the total", slice=r.slice)
            for r in self.splits if (short := r.shortfall(first))]

    def missing(self, expected: int) -> int:
        short = sum(max(0, s.final_expected - s.final_collected) for s in self._slices.values()
                    if s.status in SETTLED)
        known = sum(p.head.total for p in self._passes if p.head.total is not None)
        unknown = max(1, expected - known)  # a pass that never started
        return short + sum(unknown if u.offers is None else u.offers for u in self.all_unreachable())

    def completeness(self, expected: int, fatal: str | None) -> float:
        if fatal:
            return 0.0
        return 1.0 if expected == 0 else max(0.0, (expected - min(expected, self.missing(expected))) / expected)

    def incomplete_reasons(self, fatal: str | None) -> list[str]:
        out = [str(u) for u in self.all_unreachable()]
        out += [f"slice {s.sid} short by {s.final_expected - s.final_collected}"
                for s in self._slices.values() if s.status is Status.SHORT]
        if fatal:
            out.append(fatal)
        return out

    def facet_overhead(self) -> int:
        """Requests spent because of crowded seconds, beyond what their offers cost in full pages:
        the reads that found the crowd, the reads of the crowded windows that were split, the
        partial last pages of the slices a split made."""
        burst = [s for s in self._slices.values() if s.in_burst]
        requests = sum(s.requests for s in burst)
        rows = sum(s.final_collected for s in burst if s.status in SETTLED and not s.count_only)
        return self.stuck_requests + max(0, requests - pages_for(rows))

    def report(self, expected: int, fatal: str | None) -> dict[str, Any]:
        """The ledger's keys of the planner's report (docs/offres_search.md, Run report)."""
        first = self._first_totals()
        return {
            "slices": [_slice_report(s) for s in self._slices.values()],
            "facet_splits": [r.as_report(first) for r in self.splits],
            "unreachable": [u.as_report() for u in self.all_unreachable()],
            "warnings": list(self.warnings),
            "requests": {"total": self.requests, "by_purpose": dict(self.by_purpose),
                         "empty_answers": self.empty_answers, "facet_split_overhead": self.facet_overhead(),
                         "lower_bound": pages_for(expected)},
            "completeness": {"expected": expected, "missing": self.missing(expected),
                             "collected_unique": len(self.ids),
                             "ratio": self.completeness(expected, fatal), "fatal": fatal},
        }

    # ---- planner state (harvest/planner.py) --------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"ids": self.ids.to_text(), "requests": self.requests,
                "by_purpose": dict(self.by_purpose), "empty_answers": self.empty_answers,
                "stuck_requests": self.stuck_requests,
                "unreachable": [u.to_dict() for u in self.unreachable], "warnings": list(self.warnings),
                "splits": [r.to_dict() for r in self.splits]}

    @classmethod
    def from_dict(cls, d: dict[str, Any], slices: Mapping[int, SliceReader],
                  passes: Sequence[Pass]) -> Ledger:
        ledger = cls(slices, passes)
        ledger.ids = OfferIds.from_text(d["ids"])
        ledger.requests, ledger.by_purpose = d["requests"], dict(d["by_purpose"])
        ledger.empty_answers, ledger.stuck_requests = d["empty_answers"], d["stuck_requests"]
        ledger.unreachable = [Unreachable.from_dict(u) for u in d["unreachable"]]
        ledger.warnings = list(d["warnings"])
        ledger.splits = [SplitRecord.from_dict(r) for r in d["splits"]]
        return ledger


def _slice_report(s: SliceReader) -> dict[str, Any]:
    d: dict[str, Any] = {"id": s.sid, "parent": s.parent, "role": s.role.value, "status": s.status.value,
                         "window": s.window.describe(), "first_total": s.first_total,
                         "latest_total": s.total, "expected": s.final_expected,
                         "collected": s.final_collected, "requests": s.requests, "refetched": s.refetched,
                         "readings": s.readings}
    if s.note:
        d["note"] = s.note
    if s.given_up:
        d["pages_given_up"] = sorted(row // PAGE_SIZE for row in s.given_up)
    return d
