"""A window of the market: the user's query, one pass's origine, the facet values a split fixed,
and a creation-date interval.

Whether the API's `minCreationDate` / `maxCreationDate` bounds are inclusive is unknown
(REFERENCE Part 1 §5), so a window keeps two intervals in whole epoch seconds:

- what it *certainly* covers, `lo..hi`: the seconds strictly inside the bounds it sends, or
  exactly the user's own bound (the user's query means whatever the API makes of it);
- what it *may* cover, `min_sent..max_sent`: the bounds themselves, if the API includes them.

Cuts are made so that certain intervals tile the query (nothing lost if the bounds are
exclusive) and extents overlap by at most a second on each side (only duplicates if inclusive).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from offres_crawler.harvest.dates import epoch_to_param


@dataclass(frozen=True)
class Window:
    filters: tuple[tuple[str, str], ...]  # API parameters besides dates, range and sort
    min_sent: int | None = None  # minCreationDate sent (epoch s); None only with max_sent None
    max_sent: int | None = None
    lo: int | None = None  # lowest second certainly covered
    hi: int | None = None  # highest second certainly covered
    split_on: tuple[str, ...] = ()  # facets a split fixed, so deeper splits pick another

    @classmethod
    def of(cls, filters: dict[str, str], *, min_sent: int | None = None, max_sent: int | None = None,
           lo: int | None = None, hi: int | None = None) -> Window:
        return cls(tuple(sorted(filters.items())), min_sent, max_sent, lo, hi)

    @property
    def filter_dict(self) -> dict[str, str]:
        return dict(self.filters)

    @property
    def dated(self) -> bool:
        return self.max_sent is not None

    @property
    def minimal(self) -> bool:
        """Too narrow for a date cut to make progress: only a facet split can divide it."""
        return self.lo is not None and self.hi is not None and self.hi - self.lo <= 1

    def params(self) -> dict[str, str]:
        out = dict(self.filters)
        if self.min_sent is not None and self.max_sent is not None:
            out["minCreationDate"] = epoch_to_param(self.min_sent)
            out["maxCreationDate"] = epoch_to_param(self.max_sent)
        return out

    def with_filter(self, name: str, value: str) -> Window:
        f = dict(self.filters)
        f[name] = value
        return replace(self, filters=tuple(sorted(f.items())), split_on=self.split_on + (name,))

    def cut_top(self, hi: int) -> Window:
        """The part certainly covering lo..hi; sends max = hi + 1 (never beyond our own max)."""
        max_sent = hi + 1 if self.max_sent is None else min(hi + 1, self.max_sent)
        if self.max_sent is not None and hi + 1 >= self.max_sent:
            hi = self.hi if self.hi is not None else hi
        return replace(self, max_sent=max_sent, hi=hi)

    def cut_bottom(self, lo: int) -> Window:
        """The part certainly covering lo..hi; sends min = lo - 1 (never below our own min)."""
        min_sent = lo - 1 if self.min_sent is None else max(lo - 1, self.min_sent)
        if self.min_sent is not None and lo - 1 <= self.min_sent:
            lo = self.lo if self.lo is not None else lo
        return replace(self, min_sent=min_sent, lo=lo)

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {"params": self.params()}
        if self.dated and self.lo is not None and self.hi is not None:
            d["certain"] = [epoch_to_param(self.lo), epoch_to_param(self.hi)]
        if self.split_on:
            d["split_on"] = list(self.split_on)
        return d

    # -- planner state (harvest/state.py) ---------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"filters": [list(f) for f in self.filters], "min_sent": self.min_sent,
                "max_sent": self.max_sent, "lo": self.lo, "hi": self.hi, "split_on": list(self.split_on)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Window:
        return cls(tuple((str(k), str(v)) for k, v in d["filters"]), d["min_sent"], d["max_sent"],
                   d["lo"], d["hi"], tuple(d["split_on"]))
