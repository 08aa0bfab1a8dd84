"""Start the sandbox as a separate process, as a user would, and talk to its test-only control API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

from offres_crawler.sandbox.server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from tests import spawn


@dataclass
class SandboxProcess:
    """A running `python -m offres_crawler.sandbox`; its first stdout lines give its URLs."""

    args: list[str] = field(default_factory=list)
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    api_url: str = ""
    token_url: str = ""
    root_url: str = ""
    printed: list[str] = field(default_factory=list)  # those two lines, as printed
    proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> SandboxProcess:
        cmd = [sys.executable, "-m", "offres_crawler.sandbox", "--host", "127.0.0.1", "--port", "0",
               "--client-id", self.client_id, "--client-secret", self.client_secret, *self.args]
        # stderr goes to a file: a pipe nobody reads would block a chatty sandbox.
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = spawn.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        urls = {}
        while len(urls) < 2:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"sandbox exited early: {self.stderr_text()}")
            key, sep, value = line.strip().partition("=")
            if sep and key in ("OFFRES_API_URL", "OFFRES_TOKEN_URL"):
                urls[key] = value
                self.printed.append(line.rstrip("\n"))
        self.api_url, self.token_url = urls["OFFRES_API_URL"], urls["OFFRES_TOKEN_URL"]
        self.root_url = self.api_url.split("/partenaire/")[0]
        return self

    def stderr_text(self) -> str:
        """Everything the sandbox logged so far."""
        self._stderr.seek(0)
        return self._stderr.read()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- test-only control API (/_sandbox/...) --------------------------------------------------
    def control(self, path: str, payload: dict | None = None):
        url = f"{self.root_url}/_sandbox/{path}"
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def stats(self) -> dict:
        return self.control("stats")

    def settings(self) -> dict:
        """Scrapy settings pointing a crawl at this sandbox."""
        return {"OFFRES_API_URL": self.api_url, "OFFRES_TOKEN_URL": self.token_url,
                "OFFRES_CLIENT_ID": self.client_id, "OFFRES_CLIENT_SECRET": self.client_secret}


SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLES = SHARED / "api" / "samples"


def missing_samples(reason: str) -> NoReturn:
    """A test that needs ../shared when it is absent: skipped on a developer's machine, failed
    in CI (`CI` set), where .ci/run lays ../shared beside the checkout: a CI run that skipped
    them would pass without having checked anything against real data."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI is set: ../shared must be beside the checkout", pytrace=False)
    pytest.skip(reason)
