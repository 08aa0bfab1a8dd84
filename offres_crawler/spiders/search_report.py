"""The offres_search run report and completeness stats, from the planner and the crawl's stats.

Stats (all set again whenever the planner moves, so extensions reading them at close see final
values): `offres/expected` (what the API reported for the query at its first answer),
`offres/collected` (distinct offers received), `offres/missing` (offers the ledger could not
account for: slices short after their second reading, windows no split could reach, a failed
pass), `offres/search/*` for the planner's work. `offres/incomplete` is set when anything is
missing, which makes `scrapy crawl` exit with code 3.

The JSON report goes to OFFRES_SEARCH_REPORT, or beside the first file feed
(`offres.jsonl` -> `offres.report.json`), or under output/offres_search/.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from offres_crawler.middlewares.failures import mark_incomplete

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from offres_crawler.api.planner import HarvestPlanner

logger = logging.getLogger(__name__)

DEFAULT_REPORT_DIR = "output/offres_search"


def utc(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).isoformat(timespec="seconds")


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
    if planner.done and (missing or planner.fatal):
        mark_incomplete(stats)


def report_path(settings: BaseSettings, feeds: dict[str, dict], started: float) -> Path:
    explicit = settings.get("OFFRES_SEARCH_REPORT")
    stamp = datetime.fromtimestamp(started, tz=timezone.utc).strftime("%Y-%m-%dT%H-%M-%S")
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


def redact_uri(uri: str) -> str:
    """A feed URI without the password it may carry (ftp://user:secret@host/...)."""
    parsed = urlparse(uri)
    if parsed.password is None:
        return uri
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)
    return parsed._replace(netloc=netloc).geturl()


def build_report(planner: HarvestPlanner, stats: dict[str, Any], *, spider: str, started: float,
                 finished: float | None, reason: str | None, feeds: list[str]) -> dict[str, Any]:
    report = planner.report()
    report.update({
        "spider": spider,
        "started_at": utc(started),
        "finished_at": utc(finished) if finished else None,
        "duration_s": round((finished or time.time()) - started, 3),
        "finish_reason": reason,
        "feeds": [redact_uri(uri) for uri in feeds],
        "transport": {"retries": stats.get("offres/retry/count", 0),
                      "429": stats.get("offres/429", 0),
                      "failures": stats.get("offres/failures", 0),
                      "tokens": stats.get("offres/token/fetched", 0)},
    })
    report["complete"] = bool(reason == "finished" and not planner.fatal and planner.done
                              and planner.missing() == 0 and not stats.get("offres/failures"))
    return report


def write_report(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
