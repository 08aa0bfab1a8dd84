"""What the parts of one crawl tell the end of the run, in one typed place: `run_context(crawler)`.

No component reads another's attributes by name. A spider puts here what only it knows, as
facts, never decisions: its harvest ledger (read when the run is judged), the data it knows it
did not get, its run report (where, and its content); the transport keeps its own list of
failed requests (transport/failures.py). The RunEnd extension (extensions/run_end.py) reads
them once the spider is closed and the feeds are final, decides the verdict
(harvest/verdict.py) and leaves it here, where the `crawl` command takes its exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offres_crawler.harvest.verdict import HarvestFacts, Shortfall, Verdict
from offres_crawler.per_crawler import shared

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


@dataclass(frozen=True)
class RunReport:
    """A spider's run report: where it goes, and its content given the finish reason and the
    feed files written (RunEnd adds `complete` and `verdict`, and `deltas` when a snapshot is
    compared)."""

    path: Path
    content: Callable[[str | None, list[str]], dict[str, Any]]


class RunContext:
    def __init__(self, crawler: Crawler | None = None) -> None:
        self.harvest: Callable[[], HarvestFacts] | None = None  # the search spider's ledger
        self.shortfalls: list[Shortfall] = []
        self.report: RunReport | None = None
        self.verdict: Verdict | None = None  # set once, by RunEnd

    def shortfall(self, kind: str, text: str, count: int = 1) -> None:
        """Record data the spider knows it did not get (makes the run incomplete)."""
        self.shortfalls.append(Shortfall(kind=kind, text=text, count=count))


def run_context(crawler: Crawler) -> RunContext:
    return shared(crawler, RunContext)
