"""The offres_search run report and its completeness stats, from the planner and the crawl's
stats. The report's common part and the facts for the verdict are harvest/run_report.py's,
shared with the Python client.

Stats (all set again whenever the planner moves, so that the progress lines follow them):
`offres/expected` (what the API reported for the query at its first answer), `offres/collected`
(distinct offers received), `offres/missing` (offers the ledger could not account for: slices
short after their second reading, windows no split could reach, a failed pass),
`offres/search/*` for the planner's work. Whether the run is complete is not decided here: the
ledger's result goes to the verdict as `HarvestFacts`.

The JSON report goes to OFFRES_SEARCH_REPORT, or beside the first file feed
(`offres.jsonl` -> `offres.report.json`), or under output/offres_search/; the RunEnd extension
writes it, with the verdict.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from offres_crawler.harvest.run_report import TRANSPORT_STATS, harvest_report

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from offres_crawler.harvest.planner import HarvestPlanner

DEFAULT_REPORT_DIR = "output/offres_search"


def publish_stats(stats: StatsCollector, planner: HarvestPlanner) -> None:
    missing = planner.missing()
    stats.set_value("offres/expected", planner.expected())
    stats.set_value("offres/collected", len(planner.keys))
    stats.set_value("offres/missing", missing)
    stats.set_value("offres/search/requests", planner.requests)
    stats.set_value("offres/search/lower_bound", -(-planner.expected() // 150))
    stats.set_value("offres/search/slices", len(planner.slices))
    stats.set_value("offres/search/facet_splits", planner.facet_split_count)
    stats.set_value("offres/search/range_max_start", planner.max_start)


def report_path(settings: BaseSettings, feeds: dict[str, dict], started: float) -> Path:
    explicit = settings.get("OFFRES_SEARCH_REPORT")
    stamp = datetime.fromtimestamp(started, tz=UTC).strftime("%Y-%m-%dT%H-%M-%S")
    if explicit:
        return Path(explicit.replace("%(time)s", stamp))
    for uri in feeds:
        local = _local_path(uri)
        if local is not None and "%(" not in local:
            feed = Path(local)
            return feed.with_name(feed.name.split(".")[0] + ".report.json")
    return Path(DEFAULT_REPORT_DIR) / f"report_{stamp}.json"


def _local_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return parsed.path
    if parsed.scheme == "" or (len(parsed.scheme) == 1 and uri[1:3] in (":\\", ":/")):
        return uri  # a plain path (or a Windows drive letter)
    return None


def build_report(planner: HarvestPlanner, stats: dict[str, Any], *, spider: str, started: float,
                 finished: float | None, reason: str | None, feeds: list[str]) -> dict[str, Any]:
    """The harvest's report (harvest/run_report.py, shared with the Python client), with the
    spider's name and the files written (passwords in URIs redacted)."""
    transport = {key: stats.get(stat, 0) for key, stat in TRANSPORT_STATS.items()}
    report = harvest_report(planner, started=started, finished=finished, reason=reason,
                            transport=transport)
    report.update({"spider": spider, "feeds": list(feeds)})
    return report
