"""Run a feeds-test crawl as a user would (`scrapy crawl` in a subprocess), everything it writes
under the test's tmp_path."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from tests import spawn

ROOT = Path(__file__).resolve().parents[2]
TEST_SPIDERS = "offers_file,sandbox_pages"


@dataclass
class Run:
    returncode: int
    log: str
    stderr: str

    def stats(self) -> dict:
        """The final stats, from the dump Scrapy writes at the end of its log."""
        start = self.log.rfind("Dumping Scrapy stats:")
        if start < 0:
            return {}
        text = self.log[start:].split("\n", 1)[1]
        return _parse_stats(text[: text.find("}\n") + 1])


def _parse_stats(text: str) -> dict:
    stats = {}
    for line in text.strip().strip("{}").splitlines():
        line = line.strip().rstrip(",")
        if not line.startswith("'") or "': " not in line:
            continue
        key, _, value = line[1:].partition("': ")
        try:
            stats[key] = json.loads(value.replace("'", '"'))
        except ValueError:
            stats[key] = value
    return stats


def write_offers(path: Path, offers: list) -> str:
    path.write_text(json.dumps(offers, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run_crawl(tmp_path: Path, spider: str, *, args: dict | None = None, settings: dict | None = None,
              feeds: dict | None = None, env: dict | None = None, name: str = "run",
              timeout: float = 120.0) -> Run:
    log = tmp_path / f"{name}.log"
    options = {"SPIDER_MODULES": "tests.feeds.spiders", "OFFRES_OFFER_SPIDERS": TEST_SPIDERS,
               "LOG_FILE": str(log), "LOG_LEVEL": "INFO",
               **(settings or {})}
    if not options.get("OFFRES_SNAPSHOT"):  # the snapshot layout has its own place for them
        options.setdefault("OFFRES_REJECTS_URI", str(tmp_path / "rejects" / f"{name}.jsonl"))
    if feeds is not None:
        options["FEEDS"] = json.dumps(feeds)
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in (args or {}).items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in options.items():
        cmd += ["-s", f"{key}={value}"]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFRES_", "SCRAPY_"))}
    base_env["PYTHONPATH"] = str(ROOT)
    proc = spawn.run(cmd, cwd=ROOT, env={**base_env, **(env or {})}, capture_output=True,
                          text=True, timeout=timeout, check=False)
    return Run(returncode=proc.returncode,
               log=log.read_text(encoding="utf-8") if log.exists() else "", stderr=proc.stderr)
