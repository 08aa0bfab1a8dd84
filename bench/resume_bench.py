"""What a kill costs a snapshot crawl (issue 13, item 1). A script, not a test: prints figures.

On one sandbox market (default 50,000 offers, no churn, so that "complete" is exact), it runs
`scrapy crawl offres_search` in the snapshot layout with a JOBDIR:
- once without interruption: R0 search requests (as the sandbox counted them), T0 seconds;
- once per kill point (25 %, 50 %, 75 % of R0): SIGKILL when the sandbox has answered that many
  search requests, then the same command again until it exits;
- once killed at all three points in turn, then resumed;
and prints, for each, the total search requests over all its runs / R0 (target <= 1.05), whether
the published snapshot holds every offer of the market, and whether it holds one twice.

Without the answer journal a kill cost the work done since the last checkpoint (a committed
snapshot part, at least every OFFRES_CHECKPOINT_INTERVAL seconds) plus the requests in flight at
that checkpoint; the journal (offres_crawler/answer_journal.py) replays to the resumed run what
the killed one had received, so that a kill costs only the requests it catches on the wire
(`--keep DIR --log-level DEBUG` keeps the logs: "Resuming: N answers ... are replayed"). In
production the interval is 60 s at 3 requests/s (180 requests) on a market of 500,000 to
1,000,000 offers (3,300 to 6,700 requests). Running that at full scale takes hours, so the bench
keeps the proportion on a smaller market at a lifted rate: by default the interval is T0 x 180 /
4,700 (a 700,000-offer market), printed with the results. `--interval` sets it.

    .venv/bin/python bench/resume_bench.py [--offers 50000] [--rate 60] [--interval S]
        [--keep DIR] [--log-level DEBUG]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow.parquet as pq  # noqa: E402

from tests.sandboxproc import SandboxProcess  # noqa: E402

DAY = "2025-10-09"
PRODUCTION_SHARE = 180 / 4700  # one 60 s interval at 3 req/s, over a 700,000-offer crawl


def searches(sb: SandboxProcess) -> int:
    return sum(sb.stats()["requests"].get("search", {}).values())


LOG_LEVEL = "INFO"  # --log-level DEBUG: every request in the logs, for a breakdown


def crawl(sb: SandboxProcess, work: Path, rate: int, interval: float, name: str,
          kill_at: int | None = None) -> tuple[int, bool, float]:
    """One run; SIGKILL once the sandbox has answered `kill_at` search requests in all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFRES_", "SCRAPY_"))}
    env.update(PYTHONPATH=str(ROOT), SCRAPY_SETTINGS_MODULE="offres_crawler.settings",
               OFFRES_CLIENT_ID=sb.client_id, OFFRES_CLIENT_SECRET=sb.client_secret)
    settings = {"OFFRES_API_URL": sb.api_url, "OFFRES_TOKEN_URL": sb.token_url,
                "OFFRES_RATE_LIMIT": rate, "OFFRES_SNAPSHOT": 1, "OFFRES_SNAPSHOT_DATE": DAY,
                "OFFRES_SNAPSHOT_DIR": work / "offres", "OFFRES_DELTAS_ENABLED": 0,
                "OFFRES_SEARCH_REPORT": work / "reports" / "%(time)s.json",
                "JOBDIR": work / "job", "OFFRES_CHECKPOINT_INTERVAL": interval,
                "LOG_FILE": work / f"{name}.log", "LOG_LEVEL": LOG_LEVEL}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "offres_search"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = False
    while proc.poll() is None:
        if kill_at is not None and searches(sb) >= kill_at:
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.02)
    proc.wait()
    return proc.returncode, killed, time.monotonic() - started


def scenario(sb: SandboxProcess, base: Path, name: str, rate: int, interval: float,
             kills: list[int]) -> dict:
    work = base / name
    work.mkdir()
    before = searches(sb)
    runs = 0
    for n, share in enumerate(kills):
        _, killed, _ = crawl(sb, work, rate, interval, f"killed{n}", kill_at=before + share)
        runs += 1
        if not killed:
            break
    code, _, _ = crawl(sb, work, rate, interval, "last")
    runs += 1
    ids = [i for path in sorted((work / "offres" / f"snapshot_date={DAY}").glob("part-*.parquet"))
           for i in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
    alive = set(sb.control("alive")["ids"])
    result = {"name": name, "exit_code": code, "runs": runs, "requests": searches(sb) - before,
              "complete": set(ids) == alive, "duplicates": len(ids) - len(set(ids))}
    shutil.rmtree(work / "offres", ignore_errors=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=60, help="the sandbox's limit (crawler: 5/6 of it)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--interval", type=float, default=None,
                        help="OFFRES_CHECKPOINT_INTERVAL (default: T0 x 180 / 4,700)")
    parser.add_argument("--keep", type=Path, help="write logs, JOBDIRs and reports here and keep them")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args()
    global LOG_LEVEL
    LOG_LEVEL = args.log_level
    rate = max(1, args.rate * 5 // 6)
    sb = SandboxProcess(args=["--offers", str(args.offers), "--seed", str(args.seed),
                              "--rate-limit", str(args.rate)]).start(timeout=300)
    try:
        with tempfile.TemporaryDirectory(prefix="resume_bench_") as tmp:
            base = args.keep or Path(tmp)
            base.mkdir(parents=True, exist_ok=True)
            (base / "whole").mkdir()
            before = searches(sb)
            code, _, t0 = crawl(sb, base / "whole", rate, args.interval or 60.0, "whole")
            r0 = searches(sb) - before
            interval = args.interval or round(t0 * PRODUCTION_SHARE, 2)
            print(f"market: {args.offers} offers; crawler at {rate} req/s; uninterrupted: "
                  f"{r0} search requests in {t0:.1f} s (exit code {code})")
            print(f"checkpoint interval: {interval} s (= {interval / t0:.1%} of the crawl; "
                  f"production: 60 s = {PRODUCTION_SHARE:.1%} of a 700,000-offer crawl)")
            plans = [(f"killed at {p} %", [round(r0 * p / 100)]) for p in (25, 50, 75)]
            plans.append(("killed at 25, 50 and 75 %", [round(r0 * p / 100) for p in (25, 50, 75)]))
            worst = 0.0
            for name, kills in plans:
                r = scenario(sb, base, name.replace(" ", "_").replace(",", ""), rate, interval, kills)
                ratio = r["requests"] / r0
                worst = max(worst, ratio)
                print(f"  {name:28s} {r['runs']} runs, {r['requests']:5d} requests, ratio "
                      f"{ratio:.3f}, complete {r['complete']}, duplicates {r['duplicates']}, "
                      f"exit code {r['exit_code']}")
            print(f"worst ratio {worst:.3f} (target <= 1.05)")
    finally:
        sb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
