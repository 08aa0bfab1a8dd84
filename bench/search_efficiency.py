"""Efficiency of the search harvest (issue 4, item 6). A script, not a test: prints figures.

For each range cap (current 3000, then legacy 1000) it starts a sandbox market of 200,000 offers
with three same-second bursts of 4,000 partner offers and churn (2 offers created and 1 withdrawn
per second), notes which offers are alive, runs `scrapy crawl offres_search -O ...` over the
whole market, notes again which are alive, and prints:

    N (the total the API reported), requests (as the sandbox counted them), the lower bound
    ceil(N/150), the ratio, the requests the crowded seconds cost beyond their pages (the facet
    splits), and completeness: the share of offers alive during the whole crawl that are in the
    feed.

Target: requests <= 1.05 x ceil(N/150) + facet splits, completeness 100 %.

Without replica lag the request count does not depend on the rate, so by default both sides run
at a raised limit (sandbox 60/s, crawler 50/s) to keep the run to a minute or two; `--rate 3`
measures at the API's real pace (about 8 minutes per cap). With `--replica-lag`, measure at
`--rate 3`: every answer computed from an index up to 5 s behind may describe an earlier moment
than the read before it, and at 50 requests/s far more reads fall within those seconds (about 170
pages read again, ratio 1.14, where the real pace reads 11 again, ratio 1.02).

    .venv/bin/python bench/search_efficiency.py [--offers 200000] [--rate 60] [--caps current,legacy]

Reality modes (issue 12; sandbox/reality.py) are passed to the sandbox with `--reality`, e.g.
`--reality "--tie-order shuffle"`, `--reality "--replica-lag 5 --total-noise 3"`,
`--reality "--lying-totals 0.5"`; the line then also gives the verdict and its reasons.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sandboxproc import SandboxProcess  # noqa: E402


def alive(sb: SandboxProcess) -> set[str]:
    with urllib.request.urlopen(f"{sb.root_url}/_sandbox/alive", timeout=120) as resp:
        return set(json.loads(resp.read())["ids"])


def run_cap(mode: str, args: argparse.Namespace, workdir: Path) -> dict:
    sb = SandboxProcess(args=["--offers", str(args.offers), "--seed", str(args.seed),
                              "--bursts", args.bursts, "--churn-new", str(args.churn_new),
                              "--churn-withdrawn", str(args.churn_withdrawn),
                              "--rate-limit", str(args.rate), "--range-mode", mode,
                              *args.reality.split()]).start(timeout=300)
    try:
        feed, log = workdir / f"{mode}.jsonl", workdir / f"{mode}.log"
        at_start = alive(sb)
        started = time.monotonic()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFRES_", "SCRAPY_"))}
        env.update(PYTHONPATH=str(ROOT), OFFRES_CLIENT_ID=sb.client_id,
                   OFFRES_CLIENT_SECRET=sb.client_secret)
        crawler_rate = max(1, int(args.rate * 5 / 6)) if args.rate > 3 else args.rate
        cmd = [sys.executable, "-m", "scrapy", "crawl", "offres_search", "-O", str(feed),
               "-s", f"OFFRES_API_URL={sb.api_url}", "-s", f"OFFRES_TOKEN_URL={sb.token_url}",
               "-s", f"OFFRES_RATE_LIMIT={crawler_rate}", "-s", f"LOG_FILE={log}",
               "-s", f"OFFRES_REJECTS_URI={workdir / (mode + '.rejects.jsonl')}"]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        at_end = alive(sb)
        stats = sb.stats()
    finally:
        sb.stop()
    report = json.loads((workdir / f"{mode}.report.json").read_text())
    collected = set()
    with feed.open(encoding="utf-8") as f:
        for line in f:
            collected.add(json.loads(line).get("id"))
    throughout = at_start & at_end
    n = report["root"]["total"]
    # every request the API served the harvest: searches, and the list of ROME codes when asked
    requests = sum(stats["requests"]["search"].values()) + sum(stats["requests"].get("referentiel", {}).values())
    lower = math.ceil(n / 150)
    facet = report["requests"]["facet_split_overhead"]
    return {"cap": mode, "exit_code": proc.returncode, "N": n, "requests": requests,
            "planner_requests": report["requests"]["total"], "lower_bound": lower,
            "ratio": requests / lower, "facet_split_requests": facet,
            "ratio_without_facet_splits": (requests - facet) / lower,
            "target_met": requests <= 1.05 * lower + facet,
            "alive_throughout": len(throughout), "collected": len(collected),
            "completeness": len(throughout & collected) / len(throughout),
            "report_completeness": report["completeness"]["ratio"],
            "429": stats["rate_limited"], "seconds": round(elapsed, 1),
            "learned_cap": report["cap"]["max_start"], "facet_splits": len(report["facet_splits"]),
            "verdict": report["verdict"]["status"],
            "reasons": [r["code"] for r in report["verdict"]["reasons"]],
            "published_would_be": report["verdict"]["status"] == "complete",
            "by_purpose": report["requests"]["by_purpose"],
            "unreachable": len(report["unreachable"]), "reality_cost": report["reality"]["cost_in_requests"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=200_000)
    parser.add_argument("--bursts", default="3x4000")
    parser.add_argument("--churn-new", type=float, default=2.0)
    parser.add_argument("--churn-withdrawn", type=float, default=1.0)
    parser.add_argument("--rate", type=int, default=60, help="the sandbox's limit (crawler: 5/6 of it)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--caps", default="current,legacy")
    parser.add_argument("--reality", default="", help='sandbox reality flags, e.g. "--tie-order shuffle"')
    parser.add_argument("--keep", type=Path, help="write feeds, logs and run reports here and keep them")
    args = parser.parse_args()
    print(f"market: {args.offers} offers, bursts {args.bursts}, churn +{args.churn_new}/s "
          f"-{args.churn_withdrawn}/s; reality {args.reality or 'none'}; rate limit {args.rate}/s on the sandbox "
          f"(the request count does not depend on it)")
    with tempfile.TemporaryDirectory(prefix="search_efficiency_") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for mode in args.caps.split(","):
            r = run_cap(mode, args, workdir)
            print(f"\n[{r['cap']} cap, learned start cap {r['learned_cap']}] exit code {r['exit_code']}, "
                  f"{r['seconds']} s, {r['429']} x 429")
            print(f"  N = {r['N']}  requests = {r['requests']}  lower bound = {r['lower_bound']}  "
                  f"ratio = {r['ratio']:.4f}")
            print(f"  facet splits: {r['facet_splits']} splits, {r['facet_split_requests']} requests "
                  f"beyond their pages; ratio without them = {r['ratio_without_facet_splits']:.4f}; "
                  f"target (<= 1.05 x lower bound + facet splits) {'met' if r['target_met'] else 'MISSED'}")
            print(f"  completeness = {r['completeness']:.4%} of {r['alive_throughout']} offers alive "
                  f"throughout ({r['collected']} collected; the run report says "
                  f"{r['report_completeness']:.4%})")
            print("  " + json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
