"""A harvest's facts for the verdict and its run report, read from its planner (framework-free).

The offres_search spider (spiders/search_report.py) and the Python client
(offres_crawler.client) both drive a `HarvestPlanner`; both judge and report it here, so that a
harvest is complete, or missing offers, for the same reasons and in the same words whichever
ran it. The report's keys are described in docs/offres_search.md (Run report).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from offres_crawler.harvest.verdict import HarvestFacts, Verdict

if TYPE_CHECKING:
    from offres_crawler.harvest.planner import HarvestPlanner

# Why a harvest stopped before the planner was done (besides verdict.FINISHED).
API_REFUSED = "offres_api_refused"  # the API refused the query itself (a 4xx the planner cannot get round)
SEARCH_FAILED = "offres_search_failed"  # a request the harvest cannot do without failed for good
# What the transport did, under the report's "transport" key: report key -> crawl stat.
TRANSPORT_STATS = {"retries": "offres/retry/count", "429": "offres/429",
                   "failures": "offres/failures", "tokens": "offres/token/fetched"}


def utc(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).isoformat(timespec="seconds")


def harvest_facts(planner: HarvestPlanner, *, work_unsent: bool = False) -> HarvestFacts:
    """The ledger's result, for the verdict (`work_unsent`: the driver found the planner with
    work left that it could not send)."""
    return HarvestFacts(done=planner.done, fatal=planner.fatal, expected=planner.expected(),
                        collected=len(planner.keys), missing=planner.missing(),
                        requests=planner.requests, reasons=tuple(planner.incomplete_reasons()),
                        work_unsent=work_unsent, contradictions=tuple(planner.contradictions()))


def harvest_report(planner: HarvestPlanner, *, started: float, finished: float | None,
                   reason: str | None, transport: Mapping[str, int]) -> dict[str, Any]:
    """The planner's report with the run's times, finish reason and transport counts
    (`transport`: the keys of TRANSPORT_STATS)."""
    report = planner.report()
    report.update({
        "started_at": utc(started),
        "finished_at": utc(finished) if finished else None,
        "duration_s": round((finished or time.time()) - started, 3),
        "finish_reason": reason,
        "transport": {key: int(transport.get(key, 0)) for key in TRANSPORT_STATS},
    })
    return report


def with_verdict(report: Mapping[str, Any], verdict: Verdict) -> dict[str, Any]:
    """The report as it is written: with the run's verdict and whether it was complete."""
    return {**report, "complete": verdict.complete, "verdict": verdict.to_json()}
