"""Run `scrapy crawl transport_probe` against a sandbox as a user would, in a subprocess.

Credentials go through the environment (as the README tells users); everything the run leaves
behind (log at DEBUG, feed, record, JOBDIR, stdout and stderr) is under the test's tmp_path.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests import spawn
from tests.sandboxproc import SandboxProcess

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CrawlRun:
    returncode: int
    log: str
    stdout: str
    stderr: str
    items: list[dict]
    record: dict = field(default_factory=dict)
    verdict: dict = field(default_factory=dict)  # the verdict file the run wrote

    @property
    def stats(self) -> dict:
        return self.record.get("stats", {})

    @property
    def sends(self) -> list[dict]:
        return self.record.get("sends", [])

    def log_lines(self, level: str) -> list[str]:
        return [line for line in self.log.splitlines() if f"] {level}: " in line]


def crawl_env(sandbox: SandboxProcess, *, client_secret: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFRES_", "SCRAPY_"))}
    secret = sandbox.client_secret if client_secret is None else client_secret
    env.update(PYTHONPATH=str(ROOT), OFFRES_CLIENT_ID=sandbox.client_id,
               OFFRES_CLIENT_SECRET=secret)
    return env


@dataclass
class ProbeFiles:
    feed: Path
    log: Path
    record: Path
    verdict: Path


def probe_command(sandbox: SandboxProcess, tmp_path: Path, *args: str,
                  settings: dict | None = None, name: str = "run") -> tuple[list[str], ProbeFiles]:
    """The command line of `scrapy crawl transport_probe` with `args` and `settings`."""
    files = ProbeFiles(tmp_path / f"{name}.jsonl", tmp_path / f"{name}.log",
                       tmp_path / f"{name}.record.json", tmp_path / f"{name}.verdict.json")
    options = {"SPIDER_MODULES": "tests.crawler.spiders", "OFFRES_API_URL": sandbox.api_url,
               "OFFRES_TOKEN_URL": sandbox.token_url, "LOG_LEVEL": "DEBUG",
               "LOG_FILE": str(files.log), "OFFRES_VERDICT_FILE": str(files.verdict),
               # fast tests: short backoffs unless a test says otherwise
               "OFFRES_RETRY_BACKOFF_BASE": "0.05", "OFFRES_RETRY_BACKOFF_MAX": "0.5",
               **(settings or {})}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "transport_probe", "-O", str(files.feed),
           "-a", f"record={files.record}", *args]
    for key, value in options.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd, files


def collect(returncode: int, stdout: str, stderr: str, files: ProbeFiles) -> CrawlRun:
    feed = files.feed
    items = ([json.loads(line) for line in feed.read_text().splitlines() if line.strip()]
             if feed.exists() else [])
    return CrawlRun(returncode=returncode,
                    log=files.log.read_text(encoding="utf-8") if files.log.exists() else "",
                    stdout=stdout, stderr=stderr, items=items,
                    record=json.loads(files.record.read_text()) if files.record.exists() else {},
                    verdict=json.loads(files.verdict.read_text())["verdict"] if files.verdict.exists() else {})


def run_probe(sandbox: SandboxProcess, tmp_path: Path, *args: str, settings: dict | None = None,
              env: dict[str, str] | None = None, timeout: float = 120.0,
              name: str = "run") -> CrawlRun:
    """Run `scrapy crawl transport_probe` to its end (see `probe_command`)."""
    cmd, files = probe_command(sandbox, tmp_path, *args, settings=settings, name=name)
    proc = spawn.run(cmd, cwd=ROOT, env=env or crawl_env(sandbox), capture_output=True,
                          text=True, timeout=timeout, check=False)
    return collect(proc.returncode, proc.stdout, proc.stderr, files)


def search_statuses(sandbox: SandboxProcess) -> dict[str, int]:
    return sandbox.stats()["requests"].get("search", {})
