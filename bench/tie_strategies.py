"""How to read offers that share a creation instant when the API may return them in any order
(harvest/ties.py, harvest/crowds.py, harvest/romes.py). A script, not a test: prints figures.

In-memory markets (tests/harvest/fakeapi.py) shaped like the sandbox's: 70 % of offers are
partner offers arriving in imports of about 6 per second, plus same-second bursts; ROME codes
drawn with the sandbox's weights over its 1,584 codes (sandbox/rome_list.py). For each range cap,
the harvest is run with:

- `stable`: ties in a stable order (today's API as far as anyone has seen): the reference;
- `shuffle`: ties in a new order at every request, the planner as it is: reads overlap the group
  of ties at the top of the read below once a reordering is seen, crowded instants split on packs
  of ROME codes;
- `shuffle, facets only`: the list of ROME codes unavailable, crowds split on the counted facets
  (and experienceExigence, dureeHebdo) until each part fits one page;
- `shuffle, no overlap`: reads stay on page boundaries and every boundary inside an instant that
  ids cannot prove is read again as its own window (a repair).

Printed: requests / ceil(N/150), the share of offers alive throughout that were collected, and
whether the planner called the run complete.

    .venv/bin/python bench/tie_strategies.py [--offers 30000] [--bursts 2000,2000] [--seeds 2]

Measured (one seed each; requests / ceil(N/150), all 100 % collected and complete):

    30,000 offers, one burst of 4,000 (a crowd: more than a query reaches)
      cap 3000  stable 1.053 | shuffle 1.145 | shuffle, facets only 1.163 | shuffle, no overlap 1.533
      cap 1000  stable 1.062 | shuffle 1.123 | shuffle, facets only 1.154 | shuffle, no overlap 1.498
    20,000 offers, two bursts of 1,500 (two seeds)
      cap 3000  stable 1.065 | shuffle 1.351 | shuffle, facets only 1.740 | shuffle, no overlap 1.711
      cap 1000  stable 1.110 | shuffle 1.192 | shuffle, facets only 1.500 | shuffle, no overlap 1.519

The fake's facets are drawn independently of each other, so a facet tree divides its crowds
better than the sandbox's correlated ones (where it left 1.3 % unreachable: harvest/romes.py).
A burst smaller than what a query reaches (1,500 under the 3000 cap) is first paged inside its
slice, then, its boundaries unprovable, read again as its own second: under a shuffle it is paid
about twice (left for later: skip the pages inside one instant once the order is unstable).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from offres_crawler.harvest import slices  # noqa: E402
from offres_crawler.harvest.planner import HarvestPlanner  # noqa: E402
from offres_crawler.sandbox.rome_list import metiers  # noqa: E402
from tests.harvest.fakeapi import FakeApi, drive, make_market  # noqa: E402

STRATEGIES = ("stable", "shuffle", "shuffle, facets only", "shuffle, no overlap")


class NoList(FakeApi):
    """The list of ROME codes cannot be read."""

    def referentiel(self, name: str) -> list[dict]:
        super().referentiel(name)
        return {"message": "indisponible"}  # type: ignore[return-value]


@contextmanager
def no_overlap() -> Iterator[None]:
    saved = slices.overlap_rows
    slices.overlap_rows = lambda lower, unstable: 0  # type: ignore[assignment]
    try:
        yield
    finally:
        slices.overlap_rows = saved


def run(strategy: str, cap: int, offers: int, bursts: list[int], seed: int) -> tuple[float, float, bool]:
    rng = random.Random(seed)
    market = make_market(rng, offers, bursts=bursts, imports=6.0, days=30)
    rome = metiers("auto")
    for o in market:
        o.romeCode = rng.choices(rome.codes, rome.weights)[0]
    api_cls = NoList if strategy == "shuffle, facets only" else FakeApi
    api = api_cls(market, max_start=cap, tie_order="stable" if strategy == "stable" else "shuffle",
                  rng=random.Random(seed + 1), reality_rng=random.Random(seed + 2), romes=tuple(rome.codes),
                  past_end="204")
    alive = api.alive()
    if strategy == "shuffle, no overlap":
        with no_overlap():
            planner = drive(HarvestPlanner({}, max_start=cap, budget=0), api)
    else:
        planner = drive(HarvestPlanner({}, max_start=cap, budget=0), api)
    got = len(alive & api.served) / len(alive)
    requests = len(api.requests) + len(api.list_requests)
    return requests / math.ceil(planner.expected() / 150), got, planner.completeness() == 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=30_000)
    parser.add_argument("--bursts", default="2000,2000")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--caps", default="3000,1000")
    args = parser.parse_args()
    bursts = [int(b) for b in args.bursts.split(",") if b]
    for cap in (int(c) for c in args.caps.split(",")):
        for strategy in STRATEGIES:
            figures = [run(strategy, cap, args.offers, bursts, seed) for seed in range(args.seeds)]
            ratio = sum(f[0] for f in figures) / len(figures)
            got = min(f[1] for f in figures)
            complete = all(f[2] for f in figures)
            print(f"cap {cap:>4}  {strategy:<22} requests/ceil(N/150) {ratio:.3f}  collected {got:.2%}  "
                  f"{'complete' if complete else 'INCOMPLETE'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
