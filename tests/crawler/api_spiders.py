"""Run the project's own spiders (`scrapy crawl referentiels`, `offres_detail`, `offres_search`)
against a sandbox, as a user would: the feeds tests' `run_crawl` (a subprocess; log, stats and
every default output under tmp_path) with the project's spiders and offer pipelines, the
transport tests' credentials in the environment, and the rate raised on both sides where the
rate is not what a test is about (the sandbox then runs with `--rate-limit 50`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from offres_crawler import settings as project_settings
from tests.crawler.transport_crawl import crawl_env
from tests.feeds.feeds_crawl import Run, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

    from tests.sandboxproc import SandboxProcess

FAST_RATE = 40  # requests per second, under the sandbox's 50


def crawl(tmp_path: Path, sandbox: SandboxProcess, spider: str, *, args: dict | None = None,
          settings: dict | None = None, feeds: dict | None = None, name: str = "run") -> Run:
    ref = tmp_path / name / "ref" / "%(date)s"
    options = {"SPIDER_MODULES": "offres_crawler.spiders",
               "OFFRES_OFFER_SPIDERS": ",".join(project_settings.OFFRES_OFFER_SPIDERS),
               "OFFRES_API_URL": sandbox.api_url,
               "OFFRES_TOKEN_URL": sandbox.token_url, "OFFRES_RATE_LIMIT": FAST_RATE,
               # every default output of these spiders under tmp_path, never in the repository
               "OFFRES_REFERENTIELS_URI": str(ref / "%(referentiel)s.jsonl"),
               "OFFRES_REFERENTIELS_REPORT": str(ref / "_report.json"),
               "OFFRES_DETAIL_OFFERS_URI": str(tmp_path / name / "offres.jsonl"),
               "OFFRES_DETAIL_WITHDRAWALS_URI": str(tmp_path / name / "withdrawals.jsonl"),
               "OFFRES_SEARCH_OFFERS_URI": str(tmp_path / name / "search.jsonl"),
               "OFFRES_SEARCH_REPORT": str(tmp_path / name / "search.report.json"),
               **(settings or {})}
    return run_crawl(tmp_path, spider, args=args, settings=options, feeds=feeds,
                     env=crawl_env(sandbox), name=name)


def requests_by_status(sandbox: SandboxProcess, endpoint: str) -> dict[str, int]:
    return dict(sandbox.stats()["requests"].get(endpoint, {}))


def new_requests(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Requests per status the sandbox received between two readings of its stats."""
    return {status: after[status] - before.get(status, 0) for status in after
            if after[status] != before.get(status, 0)}
