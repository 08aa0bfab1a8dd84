"""A real scrapyd 1.6 for the operations tests, everything it keeps in temporary directories, and
the project deployed to it with scrapyd-deploy, as a user would.

The project is deployed from a copy of its files (scrapy.cfg, setup.py, pyproject.toml, the
package), so that building the egg never writes `build/` or `*.egg-info` into the working tree.
The deploy target comes from the project's own `[deploy]` section (project name), pointed at
this scrapyd by a `[deploy:test]` section in the user's scrapy.cfg (HOME is a temporary
directory, so the real one is never read or written).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROJECT_FILES = ("scrapy.cfg", "setup.py", "pyproject.toml", "README.md", "LICENSE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any project setting, credential or path to the working tree."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OFFRES_", "SCRAPY_", "SCRAPYD_")) and k != "PYTHONPATH"}
    env.update(extra)
    return env


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "offres_crawler", target / "offres_crawler",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


@dataclass
class Scrapyd:
    home: Path  # everything lives here: conf, eggs, logs, dbs, HOME
    env: dict[str, str] = field(default_factory=dict)  # extra environment (credentials)
    items_dir: bool = True  # set items_dir and jobs_dir: the project must not be overridden
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def process_env(self) -> dict[str, str]:
        return clean_env(HOME=str(self.home / "home"), PYTHONUNBUFFERED="1", **self.env)

    def start(self, timeout: float = 60.0) -> Scrapyd:
        self.port = free_port()
        for sub in ("eggs", "logs", "dbs", "items", "jobs", "home"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        extra = (f"items_dir = {self.home / 'items'}\njobs_dir = {self.home / 'jobs'}\n"
                 if self.items_dir else "")
        (self.home / "scrapyd.conf").write_text(
            "[scrapyd]\nbind_address = 127.0.0.1\n"
            f"http_port = {self.port}\neggs_dir = {self.home / 'eggs'}\n"
            f"logs_dir = {self.home / 'logs'}\ndbs_dir = {self.home / 'dbs'}\n{extra}"
            "poll_interval = 0.3\nmax_proc = 2\n")
        self._log = open(self.home / "scrapyd.log", "w")
        self.proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=self.home, env=self.process_env,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"scrapyd exited: {self.log()}")
            try:
                self.get("daemonstatus.json")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"scrapyd did not answer in {timeout} s: {self.log()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        return (self.home / "scrapyd.log").read_text(errors="replace")

    def get(self, path: str, params: dict | None = None) -> dict:
        url = self.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def raw(self, path: str) -> str:
        with urllib.request.urlopen(urllib.parse.urljoin(self.url, path), timeout=30) as response:
            return response.read().decode("utf-8", "replace")

    def deploy(self, checkout: Path, version: str = "1") -> subprocess.CompletedProcess:
        """`scrapyd-deploy test -v VERSION` in a copy of the project."""
        user_cfg = self.home / "home" / ".scrapy.cfg"
        user_cfg.write_text(f"[deploy:test]\nurl = {self.url}\n")
        return subprocess.run([str(BIN / "scrapyd-deploy"), "test", "-v", version], cwd=checkout,
                              env=clean_env(HOME=str(self.home / "home")), capture_output=True,
                              text=True, timeout=180, check=False)
