"""The completeness ledger of a harvest, and the planner's part of the run report.

Read-only views of a HarvestPlanner's state:
- expected: the query's total at its first answer, what the API reported reachable;
- missing: what the ledger cannot account for: slices short after their second reading (judged
  against their latest totals, so offers withdrawn meanwhile are not missing), windows that no
  split could reach, facet values that do not add up, a pass that could not start;
- the facet-split overhead: requests that crowded seconds cost beyond full pages of their offers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from offres_crawler.api.dates import epoch_to_param
from offres_crawler.api.facets import FacetSplit
from offres_crawler.api.slices import SliceReader, pages_for

if TYPE_CHECKING:
    from offres_crawler.api.heads import Pass
    from offres_crawler.api.planner import HarvestPlanner

logger = logging.getLogger(__name__)

FINISHED = ("complete", "short")


def uncounted_shortfalls(p: HarvestPlanner) -> list[dict]:
    """Splits on a facet the API does not count: their children's first totals must add up."""
    out = []
    for sid, split, children in p.splits:
        totals = [p.slices[c].first_total for c in children.values()]
        if split.counted or any(t is None for t in totals):
            continue
        if sum(totals) < split.total:
            out.append({"slice": sid, "offers": split.total - sum(totals),
                        "reason": f"{split.facet} values do not add up to the total"})
    return out


def unreachable(p: HarvestPlanner) -> list[dict]:
    return p.unreachable + uncounted_shortfalls(p)


def missing(p: HarvestPlanner) -> int:
    short = sum(max(0, s.final_expected - s.final_collected) for s in p.slices.values()
                if s.status in FINISHED)
    known = sum(x.head.total or 0 for x in p.passes if x.head.total is not None)
    unknown = max(1, (p.root_total or 0) - known)  # a pass that never started
    return short + sum(unknown if u["offers"] is None else u["offers"] for u in unreachable(p))


def completeness(p: HarvestPlanner) -> float:
    expected = p.root_total or 0
    if p.fatal:
        return 0.0
    return 1.0 if expected == 0 else max(0.0, (expected - min(expected, missing(p))) / expected)


def incomplete_reasons(p: HarvestPlanner) -> list[str]:
    out = [f"{u.get('slice', u.get('pass'))}: {u['reason']}" for u in unreachable(p)]
    out += [f"slice {s.sid} short by {s.final_expected - s.final_collected}"
            for s in p.slices.values() if s.status == "short"]
    if p.fatal:
        out.append(p.fatal)
    return out


def facet_overhead(p: HarvestPlanner) -> int:
    """Requests spent because of crowded seconds, beyond what their offers cost in full pages:
    the reads that found the crowd, the reads of the crowded windows that were split, the partial
    last pages of the slices a split made."""
    burst = [s for s in p.slices.values() if s.in_burst]
    requests = sum(s.requests for s in burst)
    rows = sum(s.final_collected for s in burst if s.status in FINISHED)
    return p.stuck_requests + max(0, requests - pages_for(rows))


def facet_split_reports(p: HarvestPlanner) -> list[dict]:
    out = []
    for sid, split, children in p.splits:
        counted = split.counted
        if not counted:  # the children's first totals stand for the API's counts
            split = FacetSplit(split.facet, {v: p.slices[c].first_total for v, c in children.items()},
                               split.total)
        report = split.as_report()
        report["counted_by_api"] = counted
        report["slice"] = sid
        out.append(report)
    return out


def planner_report(p: HarvestPlanner) -> dict:
    return {
        "query": dict(p.query),
        "cap": {"configured_max_start": p.configured_max_start, "max_start": p.max_start,
                "learned_from_api": p.cap_learned, "pages_per_slice": p.depth},
        "root": {"total": p.root_total, "filtresPossibles": p.root_filtres,
                 "server_time": None if p.server_time is None else epoch_to_param(p.server_time)},
        "passes": [_pass_report(x) for x in p.passes],
        "origine_check": p.origine_check,
        "slices": [_slice_report(s) for s in p.slices.values()],
        "facet_splits": facet_split_reports(p),
        "unreachable": unreachable(p),
        "warnings": p.warnings,
        "requests": {"total": p.requests, "by_purpose": dict(p.by_purpose),
                     "empty_answers": p.empty_answers, "facet_split_overhead": facet_overhead(p),
                     "lower_bound": pages_for(p.root_total or 0)},
        "completeness": {"expected": p.root_total or 0, "missing": missing(p),
                         "collected_unique": len(p.keys), "ratio": completeness(p),
                         "fatal": p.fatal},
    }


def _pass_report(x: Pass) -> dict:
    return {"label": x.label, "head_total": x.head.total, "head_pages": x.head.pages,
            "status": x.status, "frozen": None if x.frozen is None else x.frozen.describe(),
            "frozen_estimate": x.frozen_estimate, "first_slice": x.first_slice}


def _slice_report(s: SliceReader) -> dict:
    d = {"id": s.sid, "parent": s.parent, "role": s.role, "status": s.status,
         "window": s.window.describe(), "first_total": s.first_total, "latest_total": s.total,
         "expected": s.final_expected, "collected": s.final_collected, "requests": s.requests,
         "refetched": s.refetched}
    if s.note:
        d["note"] = s.note
    if s.given_up:
        d["pages_given_up"] = sorted(s.given_up)
    return d
