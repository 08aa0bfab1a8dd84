"""One pass per origine, and the check that the passes add up (REFERENCE Part 1 §3).

A search without `origineOffre` may serve only France Travail's offers while counting everyone's,
so a query that does not fix it is harvested as origine 1 plus origine 2. That only holds if the
two totals add up to the query's. The three totals are read at three instants of a live index:
offers created in between show at the top of the heads (newest first) and are taken off;
withdrawals do not show, hence a small tolerance. When the sum still misses, the query is counted
once more up to a closed second C: creations cannot touch that count, and the heads tell how
many of their offers are newer than C. With withdrawals only, the heads' count up to C, made
earlier, cannot be below it; if it is, some offers are in neither origine and the unfiltered
query is harvested as well.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from offres_crawler.harvest.dates import epoch_to_param, param_to_epoch
from offres_crawler.harvest.heads import FREEZE_MARGIN_S, Head
from offres_crawler.harvest.windows import Window

ORIGINES = ("1", "2")


@dataclass
class Recount:
    """The query counted again up to a closed second, against the passes' offers up to it."""

    up_to: str
    query_total: int
    passes_total: int


@dataclass
class OrigineCheck:
    """Whether the origine passes add up to the query (the run report's `origine_check`)."""

    root_total: int
    pass_totals: dict[str, int | None]
    created_meanwhile: int  # offers newer than the root's answer, taken off the heads' totals
    sum: int
    tolerance: int
    ok: bool | None  # None: undecided until the recount
    recount: Recount | None = None

    def as_report(self) -> dict[str, Any]:
        d = asdict(self)
        if self.recount is None:
            del d["recount"]
        return d

    to_dict = as_report

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> OrigineCheck:
        recount = d.get("recount")
        return cls(d["root_total"], dict(d["pass_totals"]), d["created_meanwhile"], d["sum"],
                   d["tolerance"], d["ok"], None if recount is None else Recount(**recount))


def _newer(head: Head, instant: int | None) -> int:
    return 0 if instant is None else sum(1 for x in head.seconds if x > instant)


def first_check(root_total: int, heads: dict[str, Head], server_time: int | None,
                share: float) -> OrigineCheck:
    """Compare the heads' totals with the query's. `ok` is True, False, or None when the answer
    needs the recount (see `recount_window`)."""
    failed = any(h.failed for h in heads.values())
    newer = sum(_newer(h, server_time) for h in heads.values())
    summed = sum(h.total or 0 for h in heads.values()) - newer
    allowed = max(1, math.ceil(share * root_total))
    ok: bool | None = abs(summed - root_total) <= allowed and not failed
    if not ok and not failed and server_time is not None:
        ok = None
    return OrigineCheck(root_total, {k: h.total for k, h in heads.items()}, newer, summed, allowed, ok)


def recount_window(query: dict[str, str], floor: int, server_time: int) -> Window:
    """The query up to a second closed at the root's answer."""
    cut = server_time - FREEZE_MARGIN_S
    if "minCreationDate" in query:
        umin, umax = (param_to_epoch(query[k]) for k in ("minCreationDate", "maxCreationDate"))
        return Window.of(query, min_sent=umin, lo=umin, max_sent=min(umax, cut), hi=min(umax, cut))
    return Window.of(query, min_sent=floor, lo=floor, max_sent=cut, hi=cut)


def apply_recount(check: OrigineCheck, heads: dict[str, Head], cut: int, total: int) -> None:
    up_to_cut = sum((h.total or 0) - _newer(h, cut) for h in heads.values())
    check.recount = Recount(epoch_to_param(cut), total, up_to_cut)
    check.sum, check.root_total = up_to_cut, total
    check.ok = up_to_cut >= total - check.tolerance


def needs_unfiltered_pass(check: OrigineCheck, failed: bool) -> bool:
    """After a failed check: True when offers may be in neither origine (else the passes overlap,
    which loses nothing)."""
    return failed or check.sum < check.root_total - check.tolerance
