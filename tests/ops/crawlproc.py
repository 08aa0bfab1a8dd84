"""Full-market snapshot crawls (`scrapy crawl offres_search`) in a subprocess, as cron would run
them: credentials in the environment, everything written under the test's directory (the
working directory is the test's, so not even a default output lands in the repository).
A crawl can be killed with SIGKILL at a moment chosen by a callback."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq

from tests import spawn
from tests.ops.forkserver import ForkServer
from tests.ops.scrapydproc import ROOT, clean_env
from tests.sandboxproc import SandboxProcess


@dataclass
class Crawl:
    returncode: int
    log: str
    killed: bool = False

    def verdict(self) -> str:
        """The last OUTCOME line, from "OUTCOME:" on."""
        lines = [line[line.index("OUTCOME: "):] for line in self.log.splitlines() if "OUTCOME: " in line]
        return lines[-1] if lines else ""


def crawl_env(sb: SandboxProcess) -> dict[str, str]:
    return clean_env(PYTHONPATH=str(ROOT), SCRAPY_SETTINGS_MODULE="offres_crawler.settings",
                     OFFRES_CLIENT_ID=sb.client_id, OFFRES_CLIENT_SECRET=sb.client_secret)


def snapshot_settings(work: Path, day: str, **more: str) -> dict[str, str]:
    return {"OFFRES_SNAPSHOT": "1", "OFFRES_SNAPSHOT_DATE": day,
            "OFFRES_SNAPSHOT_DIR": str(work / "offres"), "OFFRES_DELTAS_DIR": str(work / "deltas"),
            "OFFRES_SEARCH_REPORT": str(work / "reports" / f"{day}_%(time)s.json"),
            "OFFRES_RATE_LIMIT": "40",
            "OFFRES_RETRY_BACKOFF_BASE": "0.05", "OFFRES_RETRY_BACKOFF_MAX": "0.5",
            "OFFRES_PROGRESS_INTERVAL": "0.5", **more}


def run_crawl(sb: SandboxProcess, work: Path, settings: dict[str, str], *, name: str,
              kill_when: Callable[[Path], bool] | None = None, timeout: float = 120.0,
              token_url: str | None = None, options: tuple[str, ...] = (),
              spider: str = "offres_search", server: ForkServer | None = None) -> Crawl:
    """`scrapy crawl offres_search` (or `spider`) with `settings` and command-line `options`
    (`-O FILE`, `-a NAME=VALUE`); SIGKILL as soon as `kill_when(log)` is true. With a fork
    server (tests/ops/forkserver.py) the run is forked from it rather than started afresh."""
    log = work / f"{name}.log"
    # the sandbox answers from its present unless started with --replica-lag: no lag to wait out
    every = {"OFFRES_API_URL": sb.api_url, "OFFRES_TOKEN_URL": token_url or sb.token_url,
             "LOG_FILE": str(log), "LOG_LEVEL": "DEBUG", "OFFRES_SEARCH_REPLICA_LAG": 0, **settings}
    argv = ["scrapy", "crawl", spider, *options]
    for key, value in every.items():
        argv += ["-s", f"{key}={value}"]
    if server is not None:
        pid = server.start(argv, cwd=work, env=crawl_env(sb))
        alive = lambda: None  # noqa: E731 - the server tells the end
    else:
        proc = spawn.Popen([sys.executable, "-m", *argv], cwd=work, env=crawl_env(sb),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pid, alive = proc.pid, proc.poll
    killed = False
    deadline = time.monotonic() + timeout
    try:
        while alive() is None and time.monotonic() < deadline and not _ended(pid, server):
            if kill_when is not None and kill_when(log):
                os.kill(pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.01)
        if time.monotonic() >= deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        returncode = server.wait() if server is not None else proc.wait()
    finally:
        if server is None and proc.poll() is None:
            proc.kill()
            proc.wait()
    return Crawl(returncode=returncode, log=log.read_text(errors="replace") if log.exists() else "",
                 killed=killed)


def _ended(pid: int, server: ForkServer | None) -> bool:
    """A forked run has ended."""
    return server is not None and not server.running()


def snapshot_ids(directory: Path) -> list[str]:
    return [i for path in sorted(directory.glob("part-*.parquet"))
            for i in pq.read_table(path, columns=["id"]).column("id").to_pylist()]


class TokenRecorder:
    """A pass-through for the token endpoint that remembers every access token it hands out:
    the test then knows exactly which strings must never appear anywhere."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.tokens: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = urllib.request.Request(recorder.target, data=body, method="POST",
                                                 headers={"Content-Type": self.headers["Content-Type"]})
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, payload = response.status, response.read()
                except urllib.error.HTTPError as exc:
                    status, payload = exc.code, exc.read()
                if status == 200:
                    recorder.tokens.append(json.loads(payload)["access_token"])
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        query = self.target.partition("?")[2]
        return f"http://127.0.0.1:{self.server.server_port}/token?{query}"

    def __enter__(self) -> TokenRecorder:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class Sighting:
    """Watches, from a thread, whether a path ever exists while a crawl runs (every millisecond,
    no inotify): `with Sighting(path) as seen: ...`, then `seen.times` (0: never seen)."""

    def __init__(self, path: Path, interval: float = 0.001) -> None:
        self.path, self.interval = path, interval
        self.times = 0
        self.checks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.checks += 1
            if self.path.exists():
                self.times += 1
            time.sleep(self.interval)

    def __enter__(self) -> Sighting:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
