"""Date cursor or count-guided bisection? The measurement behind the choice in harvest/cursor.py.

Both strategies harvest the same in-memory markets (tests/harvest/fakeapi.py: no network, no churn,
no crowded second, which bisection could not divide anyway) and the request counts are compared
with the lower bound ceil(N/150). The query fixes origineOffre so both read one pass.

- cursor: the project's HarvestPlanner.
- bisection: read page 0 of a creation-date window; if the total fits under the cap, read its
  other pages; otherwise split the window in two at the instant that, by the density seen so far,
  halves the count, and recurse. Page 0 of a window over the cap is the probe that says so.

    .venv/bin/python bench/planner_strategies.py [--sizes 5000,20000,60000] [--seeds 3]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from offres_crawler.harvest.content_range import format_range, page_window, pages_within_cap  # noqa: E402
from offres_crawler.harvest.dates import epoch_to_param  # noqa: E402
from offres_crawler.harvest.ledger import Purpose  # noqa: E402
from offres_crawler.harvest.planner import HarvestPlanner  # noqa: E402
from tests.harvest.fakeapi import BASE, FakeApi, drive, make_market  # noqa: E402

QUERY = {"origineOffre": "1"}
# Requests of the cursor that read no new page: the query's count at the end (the verdict's
# independent count, harvest/counts.py) and the head's closing read (replica lag, harvest/lag.py).
# On a one-pass query one request is both when its page reaches the head's oldest second and C
# (count_flow.py; 1.113 / 1.030 / 1.010 on 2,500 / 10,000 / 30,000 offers with the current cap
# before, two requests); it is counted once, under Purpose.COUNT.
VERDICT_REQUESTS: list[int] = []


def cursor(api: FakeApi, max_start: int) -> int:
    planner = HarvestPlanner(QUERY, max_start=max_start)
    drive(planner, api)
    assert planner.completeness() == 1.0
    by_purpose = planner.ledger.by_purpose
    VERDICT_REQUESTS.append(sum(by_purpose.get(p.value, 0) for p in (Purpose.COUNT, Purpose.CLOSING)))
    return len(api.requests)


def bisection(api: FakeApi, max_start: int) -> int:
    reach = pages_within_cap(max_start) * 150
    seen: set[str] = set()

    def page(lo: int, hi: int, n: int):
        start, end = page_window(n)
        params = dict(QUERY, sort="1", range=format_range(start, end),
                      minCreationDate=epoch_to_param(lo), maxCreationDate=epoch_to_param(hi))
        return api.search(params)

    def harvest(lo: int, hi: int) -> None:
        first = page(lo, hi, 0)
        seen.update(k for k, _ in first.rows)
        total = first.total or 0
        if total <= reach or hi <= lo:
            for n in range(1, math.ceil(total / 150)):
                seen.update(k for k, _ in page(lo, hi, n).rows)
            return
        # count-guided cut: the instant below which about half of the window's offers lie,
        # extrapolated from the density of its newest 150 (uniform below them otherwise)
        seconds = [s for _, s in first.rows if s is not None]
        newest_span = max(1, hi - min(seconds))
        density = len(seconds) / newest_span
        half = total / 2
        cut = hi - int(half / density) if half / density < hi - lo else (lo + hi) // 2
        cut = min(max(cut, lo), hi - 1)
        harvest(cut + 1, hi)
        harvest(lo, cut)

    harvest(BASE - 200 * 86400, BASE)
    expected = {o.id for o in api.offers if o.origine == "1"}
    assert expected <= seen, "bisection missed offers"
    return len(api.requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000,20000,60000")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--caps", default="3000,1000")
    args = parser.parse_args()
    print("market size (origine 1 share ~ 1/2), cap: requests / ceil(N/150), mean over seeds")
    for cap in (int(c) for c in args.caps.split(",")):
        for size in (int(s) for s in args.sizes.split(",")):
            ratios = {"cursor": [], "bisection": []}
            for seed in range(args.seeds):
                offers = make_market(random.Random(seed), size)
                n = sum(o.origine == "1" for o in offers)
                lower = math.ceil(n / 150)
                for name, strategy in (("cursor", cursor), ("bisection", bisection)):
                    api = FakeApi([o for o in offers], max_start=cap)
                    ratios[name].append(strategy(api, cap) / lower)
            print(f"  N~{size // 2:>6}  cap {cap}:  cursor {statistics.mean(ratios['cursor']):.3f} "
                  f"(count at the end and closing read: {statistics.mean(VERDICT_REQUESTS):.1f} requests)   "
                  f"bisection {statistics.mean(ratios['bisection']):.3f}")
            VERDICT_REQUESTS.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
