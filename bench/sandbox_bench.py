"""Benchmark of the sandbox at full scale (issue 2, item 4). A script, not a test: prints figures.

Starts `python -m offres_crawler.sandbox --offers 1000000` and measures:
  - time from launch to the URL lines, and to the first successful search;
  - peak resident memory of the process (VmHWM from /proc/PID/status);
  - server CPU per search (deltas of /_sandbox/stats cpu_seconds over N searches, rate limit
    lifted) for a one-day creation-date window, the same with a département, and an unfiltered
    first page.
Targets: start < 60 s, peak RSS < 3 GB, a creation-date window search < 10 ms of server CPU.

    .venv/bin/python bench/sandbox_bench.py [--offers 1000000] [--searches 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID, CLIENT_SECRET = "PAR_bench", "bench-secret"
DAY_S = 86_400


class Client:
    """One keep-alive connection, as a crawler would hold."""

    def __init__(self, root_url: str) -> None:
        parsed = urllib.parse.urlsplit(root_url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        self.conn.request(method, path, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def control(self, name: str, payload: dict | None = None):
        data = None if payload is None else json.dumps(payload).encode()
        status, body = self.call("GET" if data is None else "POST", f"/_sandbox/{name}", data,
                                 {"Content-Type": "application/json"})
        assert status == 200, (name, status, body[:200])
        return json.loads(body)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def iso(epoch_s: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_s))


def cpu_per_search(client: Client, token: str, queries: list[dict]) -> tuple[float, dict]:
    headers = {"Authorization": f"Bearer {token}"}
    statuses: dict[int, int] = {}
    before = client.control("stats")["cpu_seconds"]
    for params in queries:
        status, _ = client.call("GET", "/partenaire/offresdemploi/v2/offres/search?"
                                + urllib.parse.urlencode(params), headers=headers)
        statuses[status] = statuses.get(status, 0) + 1
    after = client.control("stats")["cpu_seconds"]
    return (after - before) / len(queries) * 1000, statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=200, help="searches per scenario")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    cmd = [sys.executable, "-m", "offres_crawler.sandbox", "--host", "127.0.0.1", "--port", "0",
           "--offers", str(args.offers), "--seed", str(args.seed), "--client-id", CLIENT_ID,
           "--client-secret", CLIENT_SECRET, "--rate-limit", "100000", "--token-rate-limit", "1000"]
    began = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        urls = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(2))
        to_urls = time.monotonic() - began
        root = urls["OFFRES_API_URL"].split("/partenaire/")[0]
        client = Client(root)
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                       "client_secret": CLIENT_SECRET,
                                       "scope": "api_offresdemploiv2 o2dsoffre"}).encode()
        status, body = client.call("POST", "/connexion/oauth2/access_token?realm=%2Fpartenaire", form,
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, (status, body)
        token = json.loads(body)["access_token"]
        status, _ = client.call("GET", "/partenaire/offresdemploi/v2/offres/search?range=0-149&sort=1",
                                headers={"Authorization": f"Bearer {token}"})
        assert status in (200, 206), status
        to_first_search = time.monotonic() - began

        status, body = client.call("GET", "/partenaire/offresdemploi/v2/referentiel/departements",
                                   headers={"Authorization": f"Bearer {token}"})
        departements = [d["code"] for d in json.loads(body)]
        now_s = client.control("stats")["now_ms"] // 1000
        rng = random.Random(args.seed)

        def day_window() -> dict:
            start = now_s - rng.randint(1, 89) * DAY_S - rng.randint(0, DAY_S)
            return {"minCreationDate": iso(start), "maxCreationDate": iso(start + DAY_S - 1),
                    "sort": "1", "range": "0-149"}

        scenarios = {
            "one-day creation window": [day_window() for _ in range(args.searches)],
            "one-day creation window + departement": [
                {**day_window(), "departement": rng.choice(departements)} for _ in range(args.searches)],
            "unfiltered first page": [{"sort": "1", "range": "0-149"}] * args.searches,
        }
        figures = {name: cpu_per_search(client, token, queries) for name, queries in scenarios.items()}
        rss = peak_rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def verdict(ok: bool) -> str:
        return "ok" if ok else "OVER TARGET"

    print(f"sandbox benchmark: {args.offers:,} offers, {args.searches} searches per scenario")
    print(f"  launch -> URL lines          {to_urls:8.1f} s     (target < 60 s)  {verdict(to_urls < 60)}")
    print(f"  launch -> first search       {to_first_search:8.1f} s     (target < 60 s)  "
          f"{verdict(to_first_search < 60)}")
    print(f"  peak RSS (VmHWM)             {rss:8.0f} MB    (target < 3072 MB) {verdict(rss < 3072)}")
    for name, (ms, statuses) in figures.items():
        target = "(target < 10 ms)" if "creation" in name else "(no target)     "
        ok = ms < 10 if "creation" in name else True
        print(f"  CPU/search {name:38s} {ms:6.2f} ms {target} {verdict(ok)}  statuses {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
