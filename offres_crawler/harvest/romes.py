"""Splitting a crowded instant on packs of ROME codes, when its ties come in an unstable order.

Under an unstable order of ties (ties.py) every part of a crowded second must come whole in one
answer (150 rows). The counted facets (facets.py) do not get there: they are few, correlated
(experience 4 goes with experienceExigence D, dureeHebdo 0 holds most offers), every internal node
of their tree costs a request, and at the bottom only `qualification` is left, whose value X (not
specified) cannot be asked for: those offers were unreachable. Every offer carries a `romeCode`
(REFERENCE Part 2: 100 %) and `codeROME` takes up to 200 codes ORed (Part 1 §3), so the codes of
`/v2/referentiel/metiers` (fetched once, when first needed) partition any window into packs that
can be made as small as needed, in one level.

How packs are made (`make_packs`): each code's count in the window is estimated: the rows already
read from the window count as they are (under a shuffle, page 0 is a random sample of the
instant), the rest is shared out by the sample's shares blended with those of every distinct
offer received in the run (at most PRIOR_ROWS rows' worth: a crowd may not look like the market).
The fewest packs are then sought by balancing (each code, by decreasing estimate, to the least
loaded pack) such that every pack's estimate plus Z standard deviations (its own sampling, and the
error of the shares) stays within a page; at most MAX_CODES codes a pack, and every code of the
list in exactly one pack, so the packs cover every offer whose code is listed. The children's
first totals must add up to the window's total (the sum check of facets.UNCOUNTED, crowds.py): an
offer whose code is not in the list is reported unreachable, never hidden. A pack that still
holds more than a page is packed again from its own rows, and a single code over a page is split
on the counted facets.

Measured (a 4,000-offer instant drawn like the sandbox's market, 1,584 codes, 150 rows sampled,
the run's shares from 30,000 to 150,000 offers): 33 to 35 requests for the instant (27 pages at
least, plus its own first answer), about one pack in 100 overflowing; first fit by decreasing
estimate to a fixed 125 rows took 36 to 37 (the small codes left over filled packs of their own);
Z = 1.5 overflows three times as often for no fewer requests. On the sandbox (200,000 offers, 3
such bursts, shuffled ties) the facets' tree took 219 requests for the bursts and left 1.3 % of
the offers unreachable; the packs take about 35 a burst, and reach every offer. Packs cost at
least codes / 200 answers (8 for the whole list): crowds.py splits a small crowd on a counted
facet when that is cheaper.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from offres_crawler.harvest.content_range import PAGE_SIZE

PARAM = "codeROME"
LIST_NAME = "metiers"
MAX_CODES = 200  # codeROME values one request may carry (REFERENCE Part 1 §3)
Z = 2.0  # standard deviations of a pack's count kept below a page (about 1 pack in 40 overflows)
TYPICAL_FILL = 0.83  # a pack's share of a page, as measured (bench/tie_strategies.py)
PRIOR_ROWS = 20000.0  # at most this weight (in rows) of the run's shares against the window's own
UNSEEN = 0.5  # rows of the prior given to a code never seen in the run
LIST_ATTEMPTS = 2


@dataclass
class RomeCodes:
    """The codes of /v2/referentiel/metiers (once asked for), and how often each code was seen
    among the distinct offers received (the prior of the estimates)."""

    status: str = "unknown"  # unknown -> wanted -> asked -> loaded | failed
    codes: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    failures: int = 0

    def want(self) -> bool:
        """Ask for the list if nobody has yet; True while it is not known whether it will come."""
        if self.status == "unknown":
            self.status = "wanted"
        return self.status in ("wanted", "asked")

    def count(self, codes: Iterable[str | None]) -> None:
        for code in codes:
            if code:
                self.seen[code] = self.seen.get(code, 0) + 1

    def load(self, body: Any) -> str | None:
        """Take the list's answer; the reason it cannot be used, None when loaded."""
        if not isinstance(body, list):
            return f"the list is a JSON {type(body).__name__}, not an array"
        codes = [e.get("code") for e in body if isinstance(e, Mapping)]
        good = sorted({c for c in codes if isinstance(c, str) and c})
        if len(good) < 2 or len(good) != len(body):
            return f"{len(body) - len(good)} of {len(body)} entries have no code"
        self.codes, self.status = good, "loaded"
        return None

    def universe(self, filters: Mapping[str, str]) -> list[str]:
        """The codes a window may be split into: its own codeROME values (the user's, or a pack's),
        else the whole list."""
        if PARAM in filters:
            return sorted(set(filters[PARAM].split(",")))
        return list(self.codes)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "codes": list(self.codes), "seen": dict(self.seen),
                "failures": self.failures}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RomeCodes:
        return cls(d["status"], list(d["codes"]), {str(k): int(v) for k, v in d["seen"].items()},
                   d["failures"])


def estimates(universe: list[str], total: int, sample: Mapping[str, int],
              prior: Mapping[str, int]) -> tuple[dict[str, float], float]:
    """(offers of the window expected under each code of `universe`; the variance factor of the
    part not sampled). The rows sampled count as they are; the rest of the window is shared out
    by the sample's shares blended with the run's (PRIOR_ROWS at most)."""
    sample = {c: n for c, n in sample.items() if c in universe}
    n = min(sum(sample.values()), total)
    weights = {c: prior.get(c, 0) + UNSEEN for c in universe}
    scale = sum(weights.values())
    w = min(PRIOR_ROWS, sum(prior.get(c, 0) for c in universe))
    rest = max(0, total - n)
    est = {c: sample.get(c, 0) + rest * (sample.get(c, 0) + w * weights[c] / scale) / (n + w)
           for c in universe}
    # the rest's count in a pack varies by its own size (sampling) times 1 + rest / (n + w) (the
    # shares are estimated from n + w rows)
    return est, 1.0 + rest / max(1.0, n + w)


def make_packs(universe: list[str], total: int, sample: Mapping[str, int],
               prior: Mapping[str, int], page: int = PAGE_SIZE) -> list[list[str]]:
    """Packs of codes covering `universe` once each, each expected to fit one answer: its
    estimate plus Z standard deviations stays within a page. The fewest packs found by balancing:
    for k packs, codes by decreasing estimate each go to the least loaded pack (MAX_CODES codes
    at most); k grows until every pack fits. A code that alone does not fit is a pack of its own
    (it will be split on facets)."""
    est, spread = estimates(universe, total, sample, prior)
    var = {c: max(0.0, est[c] - sample.get(c, 0)) * spread for c in universe}

    def fits(size: float, v: float) -> bool:
        return size + Z * math.sqrt(v) <= page

    alone = [c for c in universe if not fits(est[c], var[c])]
    rest = sorted((c for c in universe if c not in alone), key=lambda c: (-est[c], c))
    k = max(1 if rest else 0, -(-len(rest) // MAX_CODES), math.ceil(sum(est[c] for c in rest) / page))
    while rest:
        heap = [(0.0, i) for i in range(k)]
        packs: list[tuple[list[str], float, float]] = [([], 0.0, 0.0) for _ in range(k)]
        for code in rest:
            load, i = heapq.heappop(heap)
            codes, size, v = packs[i]
            codes.append(code)
            packs[i] = (codes, size + est[code], v + var[code])
            if len(codes) < MAX_CODES:
                heapq.heappush(heap, (load + est[code], i))
        if all(fits(size, v) for _, size, v in packs) or k >= len(rest):
            return [[c] for c in alone] + [sorted(codes) for codes, _, _ in packs if codes]
        k += 1
    return [[c] for c in alone]


def pack_cost(offers: int, codes: int, page: int = PAGE_SIZE) -> int:
    """Answers that packs of `codes` codes holding `offers` offers are expected to take."""
    return max(-(-codes // MAX_CODES), math.ceil(offers / (page * TYPICAL_FILL)))


def pack_label(value: str) -> str:
    """A pack as the run report shows it (a pack can hold 200 codes)."""
    codes = value.split(",")
    return value if len(codes) <= 3 else f"{codes[0]}..{codes[-1]} ({len(codes)} codes)"
