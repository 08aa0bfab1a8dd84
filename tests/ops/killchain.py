"""A crawl killed again and again: the kill tests' loop (issue 13, item 5).

One run is started and killed (SIGKILL) at the first instant, the next one (same JOBDIR) at the
second, and so on, then one more runs to its end. Instants are seeded: a number of requests the
sandbox has answered since the chain began (`cumulative`, for crawls that go on from their
checkpoint: the instants spread over the whole harvest) or since the run began (for crawls that
start afresh); an instant already passed when a run starts kills it once it has begun to log
(during its start: feeds, checkpoint take-up). Runs are forked from a fork server
(tests/ops/forkserver.py): a kill costs a few tenths of a CPU second, not a Python start."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.ops.crawlproc import Crawl

KILLS = 20

Run = Callable[[str, Callable[[Path], bool] | None], Crawl]


@dataclass
class Chain:
    instants: list[int]
    killed: list[Crawl] = field(default_factory=list)
    ended: Crawl | None = None  # a run that ended before its instant (the chain stops there)


def instants(seed: int, upto: int, kills: int = KILLS, *, cumulative: bool = True) -> list[int]:
    rng = random.Random(seed)
    found = [rng.randint(0, upto) for _ in range(kills)]
    return sorted(found) if cumulative else found


def kill_chain(run: Run, answered: Callable[[], int], points: list[int], *, cumulative: bool = True,
               after_each: Callable[[Crawl], None] | None = None) -> Chain:
    """Runs killed at `points` (requests answered, see the module's docstring) in turn."""
    chain = Chain(points)
    start = answered()
    for number, point in enumerate(points):
        if not cumulative:
            start = answered()
        crawl = run(f"killed{number:02d}",
                    lambda log, p=point, s=start: log.exists() and answered() - s >= p)
        if after_each is not None:
            after_each(crawl)
        if not crawl.killed:
            chain.ended = crawl
            break
        chain.killed.append(crawl)
    return chain
