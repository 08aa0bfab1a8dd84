"""Rate benchmark: does the crawler hold the API's rate limit, and how close does it get?

Starts a sandbox (rate limit 3/s per client id, latency uniform 100-500 ms, i.e. 300 +- 200)
and a `scrapy crawl transport_probe` that keeps sending search requests (150 offers each) for
the whole run. While it runs, the sandbox's own counters are read twice, 60 s apart in steady
state: the achieved rate is the number of API requests the *server* counted between the two
readings divided by the server-clock time between them. Printed: achieved rate / limit, the
429 count and the most requests the server saw in any sliding one-second window.

    .venv/bin/python bench/rate_bench.py                  # the figure of docs/rate.md
    .venv/bin/python bench/rate_bench.py --latency 100-800 --seconds 30
    .venv/bin/python bench/rate_bench.py -s OFFRES_RATE_MARGIN=0.05   # any crawler setting

Uses about one core for the measured time plus ~15 s of start-up and drain.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sandboxproc import SandboxProcess  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured steady-state time")
    parser.add_argument("--limit", type=int, default=3, help="the sandbox's rate limit")
    parser.add_argument("--latency", default="100-500", help="sandbox latency MIN-MAX in ms")
    parser.add_argument("--offers", type=int, default=20000)
    parser.add_argument("--window", type=int, default=150, help="offers per search request")
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        help="extra crawler setting NAME=VALUE (repeatable)")
    opts = parser.parse_args()

    sandbox = SandboxProcess(args=["--offers", str(opts.offers), "--seed", "7",
                                   "--rate-limit", str(opts.limit),
                                   "--latency", opts.latency]).start()
    crawl = None
    try:
        workdir = Path(tempfile.mkdtemp(prefix="rate_bench_"))
        record = workdir / "record.json"
        settings = {"SPIDER_MODULES": "tests.crawler.spiders", "OFFRES_API_URL": sandbox.api_url,
                    "OFFRES_TOKEN_URL": sandbox.token_url, "OFFRES_RATE_LIMIT": str(opts.limit),
                    "LOG_LEVEL": "INFO", "LOG_FILE": str(workdir / "crawl.log")}
        cmd = [sys.executable, "-m", "scrapy", "crawl", "transport_probe",
               "-a", f"duration={opts.seconds + 30}", "-a", f"window={opts.window}",
               "-a", f"record={record}", "-O", str(workdir / "items.jsonl")]
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        for extra in opts.settings:
            cmd += ["-s", extra]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OFFRES_CLIENT_ID": sandbox.client_id,
               "OFFRES_CLIENT_SECRET": sandbox.client_secret}
        crawl = subprocess.Popen(cmd, cwd=ROOT, env=env)

        def api_requests(stats: dict) -> int:
            return sum(sum(by_status.values()) for kind, by_status in stats["requests"].items()
                       if kind in ("search", "detail", "referentiel"))

        # Steady state: the token is there and the pace is saturated.
        while True:
            time.sleep(0.2)
            first, first_at = sandbox.stats(), time.monotonic()
            if api_requests(first) >= 2 * opts.limit:
                break
            if crawl.poll() is not None:
                raise SystemExit(f"the crawl ended early (exit {crawl.returncode})")
        time.sleep(opts.seconds)
        last, last_at = sandbox.stats(), time.monotonic()
        crawl.send_signal(signal.SIGINT)  # graceful: finish what is in flight
        crawl.wait(120)
        final = sandbox.stats()

        counted = api_requests(last) - api_requests(first)
        elapsed = (last["now_ms"] - first["now_ms"]) / 1000.0
        rate = counted / elapsed
        sends = sorted(s["sent"] for s in json.loads(record.read_text())["sends"]
                       if "/v2/" in s["url"]) if record.exists() else []
        print(f"latency {opts.latency} ms, limit {opts.limit}/s, extra settings {opts.settings}")
        print(f"server counted {counted} API requests in {elapsed:.1f} s: {rate:.3f}/s")
        print(f"achieved rate / limit = {rate / opts.limit:.4f}")
        in_window = [t for t in sends if first_at <= t <= last_at]
        if len(in_window) > 1:
            print(f"client sends in the same window: {len(in_window)}, "
                  f"{(len(in_window) - 1) / (in_window[-1] - in_window[0]):.3f}/s between the "
                  f"first and the last")
        if len(sends) > 1:
            client_rate = (len(sends) - 1) / (sends[-1] - sends[0])
            print(f"client-side send rate over the whole run: {client_rate:.3f}/s "
                  f"({client_rate / opts.limit:.4f} of the limit, {len(sends)} sends)")
        print(f"429 answers: {final['rate_limited']}")
        print(f"max requests in any 1-s window (server): {final['max_requests_per_second']}")
        return 0 if final["rate_limited"] == 0 and rate >= 0.95 * opts.limit else 1
    finally:
        if crawl is not None and crawl.poll() is None:
            crawl.kill()
        sandbox.stop()


if __name__ == "__main__":
    sys.exit(main())
