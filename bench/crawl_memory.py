"""Peak memory of a full-market snapshot crawl (Architecture issue: target < 500 MB at 1,000,000).

A script, not a test: prints figures. It starts a sandbox market (1,000,000 offers by default,
rate limit lifted to 100 requests/s), runs the main job against it as a user would,

    scrapy crawl offres_search -s OFFRES_SNAPSHOT=1 -s JOBDIR=... -s OFFRES_RATE_LIMIT=80

and measures the crawler process: its peak resident memory (the kernel's own high-water mark,
`ru_maxrss` of the child as wait4() returns it; VmHWM from /proc/PID/status is sampled on the
way to show how it grows), its duration, the requests the sandbox counted, and what the run
report and the snapshot manifest say of completeness.

Memory does not depend on the rate, so the rate is lifted to keep the run to a few minutes; the
request count is the same at any rate.

    .venv/bin/python bench/crawl_memory.py [--offers 1000000] [--rate 100] [--crawler-rate 80]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sandboxproc import SandboxProcess  # noqa: E402

TARGET_MB = 500


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def sample(pid: int, out: list[tuple[float, float]], stop: threading.Event, every: float) -> None:
    """(seconds since start, VmHWM in MB) until the process is gone."""
    started = time.monotonic()
    while not stop.is_set():
        mb = vm_hwm_mb(pid)
        if mb is not None:
            out.append((time.monotonic() - started, mb))
        stop.wait(every)


def crawl(args: argparse.Namespace, sb: SandboxProcess, workdir: Path) -> dict:
    report_file, log = workdir / "run_report.json", workdir / "crawl.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFRES_", "SCRAPY_"))}
    env.update(PYTHONPATH=str(Path.cwd()), OFFRES_CLIENT_ID=sb.client_id,
               OFFRES_CLIENT_SECRET=sb.client_secret)
    python = [sys.executable]
    if args.memray:  # the allocations at the peak: `python -m memray tree FILE` (pip install memray)
        python += ["-m", "memray", "run", "--aggregate", "-f", "-o", str(args.memray)]
    cmd = [*python, "-m", "scrapy", "crawl", "offres_search",
           "-s", "OFFRES_SNAPSHOT=1", "-s", f"OFFRES_SNAPSHOT_DIR={workdir / 'offres'}",
           "-s", f"JOBDIR={workdir / 'job'}", "-s", "OFFRES_SEARCH_OFFERS_URI=",
           "-s", f"OFFRES_SEARCH_REPORT={report_file}",
           "-s", f"OFFRES_API_URL={sb.api_url}", "-s", f"OFFRES_TOKEN_URL={sb.token_url}",
           "-s", f"OFFRES_RATE_LIMIT={args.crawler_rate}", "-s", f"LOG_FILE={log}"]
    if args.jsonl:
        cmd += ["-s", "OFFRES_SNAPSHOT_JSONL=1"]
    started = time.monotonic()
    # run from the current directory: the same script measures another checkout (its .venv)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    sampler = threading.Thread(target=sample, args=(proc.pid, samples, stop, args.every), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    manifests = sorted((workdir / "offres").glob("snapshot_date=*/_manifest.json"))
    manifest = json.loads(manifests[-1].read_text()) if manifests else {}
    return {"exit_code": proc.returncode, "seconds": round(elapsed, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "samples": samples,
            "report": report, "manifest": manifest, "log": log}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=int, default=100, help="the sandbox's rate limit (requests/s)")
    parser.add_argument("--crawler-rate", type=int, default=80, help="OFFRES_RATE_LIMIT of the crawl")
    parser.add_argument("--jsonl", action="store_true", help="JSONL parts besides Parquet")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between VmHWM samples")
    parser.add_argument("--keep", type=Path, default=None, help="keep the work directory here")
    parser.add_argument("--memray", type=Path, default=None, metavar="FILE",
                        help="profile the crawler with memray into FILE (slower; peak figures include it)")
    args = parser.parse_args()
    print(f"market: {args.offers:,} offers; sandbox limit {args.rate}/s, crawler "
          f"OFFRES_RATE_LIMIT={args.crawler_rate}; code under test: {Path.cwd()}")
    sb = SandboxProcess(args=["--offers", str(args.offers), "--seed", str(args.seed),
                              "--rate-limit", str(args.rate)]).start(timeout=600)
    try:
        with tempfile.TemporaryDirectory(prefix="crawl_memory_") as tmp:
            workdir = args.keep or Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            r = crawl(args, sb, workdir)
            stats = sb.stats()
            if r["exit_code"] != 0:
                print(f"crawl log tail ({r['log']}):")
                print("\n".join(r["log"].read_text(errors="replace").splitlines()[-20:]))
    finally:
        sb.stop()
    report, manifest = r["report"], r["manifest"]
    completeness = report.get("completeness", {})
    requests = sum(stats["requests"]["search"].values())
    lower = report.get("requests", {}).get("lower_bound")
    peak = r["peak_rss_mb"]
    print(f"exit code {r['exit_code']}, {r['seconds']} s, {requests} search requests "
          f"(lower bound {lower}), {stats['rate_limited']} x 429")
    print(f"completeness: expected {completeness.get('expected')}, collected "
          f"{completeness.get('collected_unique')}, missing {completeness.get('missing')}, ratio "
          f"{completeness.get('ratio')}; snapshot offers {manifest.get('counts', {}).get('offers')}")
    growth = ", ".join(f"{t:.0f}s {mb:.0f}" for t, mb in r["samples"][:: max(1, len(r["samples"]) // 12)])
    print(f"VmHWM over time (MB): {growth}")
    print(f"peak RSS of the crawler: {peak:.0f} MB (target < {TARGET_MB} MB: "
          f"{'met' if peak < TARGET_MB else 'NOT MET'})")
    print("  " + json.dumps({"offers": args.offers, "exit_code": r["exit_code"], "seconds": r["seconds"],
                             "requests": requests, "lower_bound": lower, "429": stats["rate_limited"],
                             "expected": completeness.get("expected"),
                             "collected": completeness.get("collected_unique"),
                             "missing": completeness.get("missing"),
                             "snapshot_offers": manifest.get("counts", {}).get("offers"),
                             "peak_rss_mb": peak}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
