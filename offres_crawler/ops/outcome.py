"""The end of a run in words: was the harvest complete, what did it cost, where is the data
(framework-free: it reads a stats mapping and a few locations).

The last line of every crawl's log is the verdict, so that whoever reads a scrapyd job's log
(or a cron mail) sees at once whether the day's snapshot can be trusted:

    OUTCOME: COMPLETE - snapshot 2026-11-28 published in output/offres/snapshot_date=2026-11-28 (exit code 0)
    OUTCOME: INCOMPLETE - 12 offers missing; snapshot 2026-11-28 left unpublished in ... (exit code 3)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from offres_crawler.ops.progress_meter import format_duration

logger = logging.getLogger(__name__)

VERDICT_PREFIX = "OUTCOME:"


@dataclass
class RunFacts:
    """What the summary needs besides the stats."""

    snapshot_date: str | None = None  # set in the snapshot layout
    snapshot_published: str | None = None  # the published directory
    snapshot_staging: str | None = None  # where an unpublished snapshot waits to be resumed
    report: str | None = None  # the run report (JSON)
    feeds: list[str] = field(default_factory=list)  # other feed files written
    rejects: str | None = None
    deltas: dict[str, Any] | None = None  # what deltas/writer.py returned
    deltas_note: str | None = None  # why there are no deltas


@dataclass(frozen=True)
class Outcome:
    complete: bool
    exit_code: int
    problems: tuple[str, ...]


def judge(stats: Mapping[str, Any], exit_code: int, facts: RunFacts) -> Outcome:
    problems = []
    reason = stats.get("finish_reason")
    if reason != "finished":
        problems.append(f"the crawl stopped early (finish reason {reason})")
    missing = stats.get("offres/missing") or 0
    if missing:
        problems.append(f"{missing:,} offers missing")
    failures = stats.get("offres/failures") or 0
    if failures:
        problems.append(f"{failures:,} requests failed for good")
    if exit_code and not problems:
        problems.append("the run was marked incomplete (offres/incomplete; see the warnings above)")
    if facts.snapshot_date and not facts.snapshot_published:
        problems.append(f"snapshot {facts.snapshot_date} left unpublished in {facts.snapshot_staging}")
    return Outcome(complete=exit_code == 0 and not problems, exit_code=exit_code,
                   problems=tuple(problems))


def verdict_line(outcome: Outcome, facts: RunFacts) -> str:
    if outcome.complete:
        what = (f"snapshot {facts.snapshot_date} published in {facts.snapshot_published}"
                if facts.snapshot_published else "every offer reported by the API was collected")
        return f"{VERDICT_PREFIX} COMPLETE - {what} (exit code 0)"
    word = "FAILED" if outcome.exit_code == 1 else "INCOMPLETE"
    resume = "; run it again with the same JOBDIR to resume" if facts.snapshot_staging else ""
    return (f"{VERDICT_PREFIX} {word} - {'; '.join(outcome.problems)}{resume} "
            f"(exit code {outcome.exit_code})")


def _count(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key) or 0)


def summary_lines(stats: Mapping[str, Any], facts: RunFacts) -> list[str]:
    """The end-of-run summary: completeness, requests, retries, 429s, rejects, duration, files."""
    collected, expected = _count(stats, "offres/collected"), stats.get("offres/expected")
    scraped = _count(stats, "item_scraped_count")
    if expected:
        share = 100.0 * collected / expected if expected else 0.0
        offers = (f"offers: {collected:,} collected of {expected:,} reported ({share:.1f} %), "
                  f"{_count(stats, 'offres/missing'):,} missing, {scraped:,} items written")
    else:
        offers = f"items: {scraped:,} written"
    offers += (f", {_count(stats, 'offres/rejects/count'):,} rejected, "
               f"{_count(stats, 'offres/dedup/duplicates'):,} duplicates dropped")
    api_requests = _count(stats, "downloader/request_count") - _count(stats, "offres/token/requests")
    requests = (f"requests: {api_requests:,} to the API, {_count(stats, 'offres/retry/count'):,} "
                f"retries, {_count(stats, 'offres/429'):,} answered 429, "
                f"{_count(stats, 'offres/failures'):,} failed for good, "
                f"tokens fetched: {_count(stats, 'offres/token/fetched'):,}")
    lower = stats.get("offres/search/lower_bound")
    if lower:
        requests += f" (lower bound {lower:,} search requests)"
    lines = [offers, requests,
             f"duration: {format_duration(stats.get('elapsed_time_seconds'))}, "
             f"finish reason {stats.get('finish_reason')}"]
    if facts.snapshot_published:
        lines.append(f"snapshot: {facts.snapshot_published}")
    elif facts.snapshot_date:
        lines.append(f"snapshot: {facts.snapshot_date} NOT published, staged in {facts.snapshot_staging}")
    if facts.deltas:
        c = facts.deltas["counts"]
        lines.append(f"deltas since {facts.deltas['previous_snapshot_date']}: {c['created']:,} "
                     f"created, {c['updated']:,} updated, {c['withdrawn']:,} withdrawn in "
                     f"{facts.deltas['directory']}")
    elif facts.deltas_note:
        lines.append(f"deltas: {facts.deltas_note}")
    if facts.report:
        lines.append(f"run report: {facts.report}")
    if facts.rejects and _count(stats, "offres/rejects/count"):
        lines.append(f"rejects: {facts.rejects}")
    for feed in facts.feeds:
        lines.append(f"feed: {feed}")
    return lines
