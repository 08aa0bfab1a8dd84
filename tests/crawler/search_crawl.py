"""Run `scrapy crawl offres_search` against a sandbox as a user would (subprocess, feed, run
report and log under the test's tmp_path), and read what it left."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests import spawn
from tests.crawler.api_spiders import FAST_RATE
from tests.crawler.transport_crawl import ROOT, crawl_env
from tests.feeds.feeds_crawl import Run
from tests.sandboxproc import SandboxProcess

SANDBOX_RATE = "50"  # sandboxes of these tests; the crawler runs at FAST_RATE, under it


@dataclass
class SearchRun(Run):
    items: list[dict]
    report: dict | None

    @property
    def ids(self) -> set[str]:
        return {item.get("id") for item in self.items}

    def errors(self, logger: str = "offres_crawler.spiders.offres_search") -> list[str]:
        return [line for line in self.log.splitlines() if f"[{logger}] ERROR" in line]


def start_crawl(tmp_path: Path, sb: SandboxProcess, args: dict | None = None,
                settings: dict | None = None, name: str = "run") -> tuple[subprocess.Popen, Path]:
    feed = tmp_path / f"{name}.jsonl"
    options = {"OFFRES_API_URL": sb.api_url, "OFFRES_TOKEN_URL": sb.token_url,
               "OFFRES_RATE_LIMIT": FAST_RATE, "LOG_FILE": str(tmp_path / f"{name}.log"),
               "LOG_LEVEL": "INFO", "OFFRES_REJECTS_URI": str(tmp_path / f"{name}.rejects.jsonl"),
               "OFFRES_RETRY_BACKOFF_BASE": "0.05", "OFFRES_RETRY_BACKOFF_MAX": "0.5",
               # a sandbox started without --replica-lag answers from its present: no reads
               # again for replicas behind it (tests/crawler/test_search_reality.py has them)
               "OFFRES_SEARCH_REPLICA_LAG": "0",
               **(settings or {})}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "offres_search", "-O", str(feed)]
    for key, value in (args or {}).items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in options.items():
        cmd += ["-s", f"{key}={value}"]
    proc = spawn.Popen(cmd, cwd=ROOT, env=crawl_env(sb), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, feed


def finish_crawl(proc: subprocess.Popen, feed: Path, timeout: float = 180) -> SearchRun:
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    log = feed.with_suffix(".log")
    report = feed.with_name(feed.stem + ".report.json")
    items = ([json.loads(line) for line in feed.read_text("utf-8").splitlines() if line.strip()]
             if feed.exists() else [])
    return SearchRun(returncode=proc.returncode,
                     log=log.read_text("utf-8") if log.exists() else "", stderr=stderr,
                     items=items, report=json.loads(report.read_text()) if report.exists() else None)


def search_crawl(tmp_path: Path, sb: SandboxProcess, args: dict | None = None,
                 settings: dict | None = None, name: str = "run", timeout: float = 180) -> SearchRun:
    return finish_crawl(*start_crawl(tmp_path, sb, args, settings, name), timeout=timeout)


def alive_ids(sb: SandboxProcess) -> set[str]:
    with urllib.request.urlopen(f"{sb.root_url}/_sandbox/alive", timeout=60) as resp:
        return set(json.loads(resp.read())["ids"])


def search_requests(sb: SandboxProcess) -> dict[str, int]:
    return dict(sb.stats()["requests"].get("search", {}))


def sandbox_args(*extra: str, offers: int = 5000, seed: int = 1) -> list[str]:
    return ["--offers", str(offers), "--seed", str(seed), "--rate-limit", SANDBOX_RATE, *extra]
