"""The end of a run in words: the verdict (harvest/verdict.py), what the run cost, where the
data is (framework-free: it reads the verdict, a stats mapping and a few locations).

The last line of every crawl's log is the verdict, so that whoever reads a scrapyd job's log
(or a cron mail) sees at once whether the day's snapshot can be trusted:

    OUTCOME: COMPLETE - snapshot 2026-11-28 published in output/offres/snapshot_date=2026-11-28 (exit code 0)
    OUTCOME: INCOMPLETE - 12 offers missing; snapshot 2026-11-28 left unpublished in ... (exit code 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from offres_crawler.harvest.progress_meter import format_duration
from offres_crawler.harvest.verdict import EXIT_FAILED, Verdict

VERDICT_PREFIX = "OUTCOME:"


@dataclass
class Outputs:
    """Where the run's results are (for the summary and the OUTCOME line)."""

    snapshot_date: str | None = None  # set in the snapshot layout
    snapshot_published: str | None = None  # the published directory
    snapshot_staging: str | None = None  # where an unpublished snapshot waits to be resumed
    report: str | None = None  # the run report (JSON)
    verdict_file: str | None = None  # the verdict alone (JSON), for tools
    feeds: list[str] = field(default_factory=list)  # other feed files written
    rejects: str | None = None
    deltas: dict[str, Any] | None = None  # what snapshot/deltas_writer.py returned
    deltas_note: str | None = None  # why there are no deltas
    history_note: str | None = None  # what the history update did (extensions/history.py)


def verdict_line(verdict: Verdict, outputs: Outputs) -> str:
    """The log's last line: the verdict, what it means for the data, and the exit code."""
    if verdict.complete:
        if outputs.snapshot_published:
            what = f"snapshot {outputs.snapshot_date} published in {outputs.snapshot_published}"
        elif verdict.counts.expected is not None:
            what = "every offer reported by the API was collected"
        else:
            what = "every request was answered, nothing is missing"
        return f"{VERDICT_PREFIX} COMPLETE - {what} (exit code 0)"
    word = "FAILED" if verdict.exit_code == EXIT_FAILED else "INCOMPLETE"
    problems = [reason.text for reason in verdict.reasons]
    if outputs.snapshot_date and not outputs.snapshot_published:
        problems.append(f"snapshot {outputs.snapshot_date} left unpublished in {outputs.snapshot_staging}")
    resume = "; run it again with the same JOBDIR to resume" if outputs.snapshot_staging else ""
    return f"{VERDICT_PREFIX} {word} - {'; '.join(problems)}{resume} (exit code {verdict.exit_code})"


def _count(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key) or 0)


def summary_lines(stats: Mapping[str, Any], out: Outputs) -> list[str]:
    """The end-of-run summary: completeness, requests, retries, 429s, rejects, duration, files."""
    collected, expected = _count(stats, "offres/collected"), stats.get("offres/expected")
    scraped = _count(stats, "item_scraped_count")
    if expected:
        share = 100.0 * collected / expected
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
    if out.snapshot_published:
        lines.append(f"snapshot: {out.snapshot_published}")
    elif out.snapshot_date:
        lines.append(f"snapshot: {out.snapshot_date} NOT published, staged in {out.snapshot_staging}")
    if out.deltas:
        c = out.deltas["counts"]
        lines.append(f"deltas since {out.deltas['previous_snapshot_date']}: {c['created']:,} "
                     f"created, {c['updated']:,} updated, {c['withdrawn']:,} withdrawn in "
                     f"{out.deltas['directory']}")
    elif out.deltas_note:
        lines.append(f"deltas: {out.deltas_note}")
    if out.history_note:
        lines.append(f"history: {out.history_note}")
    if out.report:
        lines.append(f"run report: {out.report}")
    if out.verdict_file:
        lines.append(f"verdict: {out.verdict_file}")
    if out.rejects and _count(stats, "offres/rejects/count"):
        lines.append(f"rejects: {out.rejects}")
    for feed in out.feeds:
        lines.append(f"feed: {feed}")
    return lines
