"""The run report's `reality` section: what the API did that its documentation does not promise
(ties in an unstable order, answers from an earlier moment, totals that disagree), what it cost in
requests, and how crowded instants were divided (facets, packs of ROME codes, windows read again
when their parts fell short)."""

from __future__ import annotations

from typing import Any, Protocol

from offres_crawler.harvest.content_range import PAGE_SIZE
from offres_crawler.harvest.counts import Audit
from offres_crawler.harvest.cursor import Cursor
from offres_crawler.harvest.ledger import Ledger
from offres_crawler.harvest.romes import PARAM, RomeCodes
from offres_crawler.harvest.ties import TieState


class Observed(Protocol):
    """What the report reads of the planner (harvest/planner.py), without importing it."""

    ledger: Ledger
    cursor: Cursor
    ties: TieState
    audit: Audit
    romes: RomeCodes
    lag: int
    budget_factor: float
    budget: int | None
    stopped: str | None

    def withdrawals_in_slices(self) -> int: ...

    def contradictions(self) -> list[str]: ...


def reality_report(p: Observed) -> dict[str, Any]:
    by_purpose = p.ledger.by_purpose
    slices = p.cursor.slices.values()
    rereads = sum(sum(s.rereads.values()) for s in slices)
    overlap = -(-p.ties.overlap_rows // PAGE_SIZE)
    ties = by_purpose.get("tie", 0)
    lag = by_purpose.get("closing", 0) + by_purpose.get("count", 0)
    splits = p.ledger.splits
    crowd = p.ledger.facet_overhead() + by_purpose.get("list", 0)
    return {
        "ties": {**p.ties.as_report(), "requests": ties},
        "totals": p.audit.as_report(len(p.ledger.ids), p.withdrawals_in_slices()),
        "lag": {"allowance_s": p.lag, "closing_requests": by_purpose.get("closing", 0),
                "count_requests": by_purpose.get("count", 0),
                # a count at the end (among count_requests) that was the closing read as well
                "closing_read_by_the_count": p.audit.closing_by_count},
        "crowds": {"rome_codes": {"list": p.romes.status, "codes": len(p.romes.codes),
                                  "requests": by_purpose.get("list", 0)},
                   "splits_on_rome_codes": sum(1 for r in splits if r.split.facet == PARAM),
                   "splits_on_facets": sum(1 for r in splits if r.split.facet != PARAM),
                   "windows_read_again_after_a_shortfall": sum(1 for r in splits if r.recount is not None),
                   "requests": sum(s.requests for s in slices if s.in_burst),
                   "requests_beyond_their_pages": p.ledger.facet_overhead()},
        "reads_again": {"pages_for_an_earlier_moment": rereads,
                        "slices_read_again": sum(1 for s in slices if s.readings > 1)},
        "cost_in_requests": {"ties": ties + overlap, "crowds": crowd, "lag_and_counts": lag,
                             "pages_read_again": rereads},
        "budget": {"factor": p.budget_factor, "requests": p.budget, "spent": p.ledger.requests,
                   "stopped": p.stopped},
        "contradictions": p.contradictions(),
    }
