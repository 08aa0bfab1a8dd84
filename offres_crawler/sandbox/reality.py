"""Reality modes: what the real API may do that its documentation does not rule out (GUIDE: where
the documentation is silent, the sandbox has a mode for the inconvenient answer). All off by
default; a CLI flag each, and settable at run time through POST /_sandbox/faults.

- `tie_order` ("stable" | "shuffle"): with sort=1, offers created at the same instant come back
  in a new random order at every request (REFERENCE Part 2: sort=1 orders by creation time, then
  "pertinence"; nothing says that order is stable). Shuffled over the whole result, so a group
  of ties cut by a page boundary is cut differently at every request.
- `replica_lag` (seconds): each search answer is computed from the market as it was a random
  0..lag seconds before the server's clock (its `Date`): consistent within one answer (rows,
  total and facets of the same moment), not between answers.
- `total_noise` (K): the Content-Range total is off by a random -K..K, never below the rows
  served up to that window's end; rows and filtresPossibles stay right.
- `lying_totals` (FACTOR): every Content-Range total after the first search answer is
  multiplied by FACTOR (never below the rows served either), for detection tests: a lie that
  each answer's own header cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TIE_ORDERS = ("stable", "shuffle")


@dataclass
class Reality:
    tie_order: str = "stable"
    replica_lag: float = 0.0
    total_noise: int = 0
    lying_totals: float | None = None
    seed: int = 0
    answers: int = 0  # search answers that reported a total (the first is never a lie)
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng([self.seed, 0x7EA1])

    def moment(self, now_ms: int) -> int:
        """The instant (epoch ms) the market is read at for one answer."""
        if self.replica_lag <= 0:
            return now_ms
        return now_ms - int(self.rng.uniform(0.0, self.replica_lag) * 1000.0)

    def shuffler(self) -> np.random.Generator | None:
        """The generator that reorders ties, None when their order is stable."""
        return self.rng if self.tie_order == "shuffle" else None

    def reported_total(self, total: int, served_to: int) -> int:
        """The Content-Range total for a true `total`, whose answer serves rows up to index
        `served_to` - 1 (its window's end)."""
        self.answers += 1
        reported = total
        if self.lying_totals is not None and self.answers > 1:
            reported = round(total * self.lying_totals)
        if self.total_noise > 0:
            reported += int(self.rng.integers(-self.total_noise, self.total_noise + 1))
        return max(reported, served_to)

    def config(self) -> dict[str, object]:
        return {"tie_order": self.tie_order, "replica_lag": self.replica_lag,
                "total_noise": self.total_noise, "lying_totals": self.lying_totals}


def shuffle_ties(ordered: np.ndarray, created: np.ndarray, start: int, end: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Rows start..end (inclusive) of `ordered` (rows sorted by creation instant, newest first,
    `created` their instants), each group of equal instants that the window touches put in a
    fresh random order as a whole: the window shows a random part of a group it cuts."""
    n = len(ordered)
    if start > end or start >= n:
        return ordered[:0]
    end = min(end, n - 1)
    neg = -created  # ascending, for searchsorted
    lo = int(np.searchsorted(neg, neg[start], side="left"))
    hi = int(np.searchsorted(neg, neg[end], side="right"))
    part = ordered[lo:hi]
    key = np.lexsort((rng.random(hi - lo), neg[lo:hi]))
    return part[key][start - lo:end - lo + 1]
