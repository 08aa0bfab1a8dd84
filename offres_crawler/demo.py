"""`make demo`: the main job in one command.

With OFFRES_CLIENT_ID and OFFRES_CLIENT_SECRET in the environment it harvests the real API; without
them it starts the embedded sandbox (a separate process, talked to over HTTP only) and runs the same
job against it, then prints a short summary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

# The sandbox's public defaults, repeated here: the crawler package never imports the sandbox.
SANDBOX_CLIENT_ID = "PAR_sandbox_demo"
SANDBOX_CLIENT_SECRET = "sandbox-secret-do-not-use-in-production"
DEMO_OFFERS = 20_000


def start_sandbox(*args: str) -> tuple[subprocess.Popen, dict[str, str]]:
    cmd = [sys.executable, "-m", "offres_crawler.sandbox", "--host", "127.0.0.1", "--port", "0",
           "--client-id", SANDBOX_CLIENT_ID, "--client-secret", SANDBOX_CLIENT_SECRET, *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    urls: dict[str, str] = {}
    while len(urls) < 2:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the sandbox did not start (see its messages above)")
        key, sep, value = line.strip().partition("=")
        if sep and key.startswith("OFFRES_"):
            urls[key] = value
    return proc, urls


def crawl_command(*settings: str) -> list[str]:
    """The full-market snapshot: every offer, Parquet and JSONL parts, manifest with the run report."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "offres_search",
           "-s", "OFFRES_SNAPSHOT=1", "-s", "OFFRES_SNAPSHOT_JSONL=1",
           "-s", "OFFRES_SEARCH_OFFERS_URI=", "-s", "OFFRES_PROGRESS_INTERVAL=10"]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def latest_manifest(root: Path) -> dict | None:
    manifests = sorted(root.glob("snapshot_date=*/_manifest.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(manifests[-1].read_text(encoding="utf-8")) if manifests else None


def summary(root: Path, exit_code: int, sandbox_stats: dict | None) -> None:
    manifest = latest_manifest(root)
    print("\n=== summary ===")
    print(f"scrapy crawl exit code: {exit_code} (0 complete, 3 incomplete, 1 failed)")
    if manifest is None:
        print(f"no published snapshot under {root} (see the crawl's OUTCOME line above)")
        return
    report = manifest.get("run_report") or {}
    completeness = report.get("completeness", {})
    requests = report.get("requests", {})
    print(f"snapshot: {root}/snapshot_date={manifest.get('snapshot_date')}/ "
          f"({manifest.get('counts', {}).get('offers')} offers, {len(manifest.get('parts', []))} parts)")
    print(f"completeness: {completeness}")
    print(f"requests: {requests.get('total')} for a lower bound of {requests.get('lower_bound')}; "
          f"duration {report.get('duration_s')} s")
    if sandbox_stats is not None:
        print(f"sandbox saw: 429s={sandbox_stats.get('rate_limited')}, most requests in any second="
              f"{sandbox_stats.get('max_requests_per_second')}")


def sandbox_stats(api_url: str) -> dict:
    root = api_url.split("/partenaire/")[0]
    with urllib.request.urlopen(f"{root}/_sandbox/stats", timeout=30) as resp:
        return json.loads(resp.read())


def main() -> int:
    if os.environ.get("OFFRES_CLIENT_ID") and os.environ.get("OFFRES_CLIENT_SECRET"):
        root = Path("output/offres")
        print("Credentials found: harvesting the real API (the whole market takes hours at 3 req/s).")
        code = subprocess.call(crawl_command(f"OFFRES_SNAPSHOT_DIR={root}",
                                             f"OFFRES_SEARCH_REPORT={root.parent}/run_report_%(time)s.json"))
        summary(root, code, None)
        return code
    # The sandbox's snapshots live apart from real ones: synthetic data must never join the history.
    root = Path("output/sandbox-demo/offres")
    proc, urls = start_sandbox("--offers", str(DEMO_OFFERS))
    try:
        print(f"sandbox: {DEMO_OFFERS} synthetic offers at {urls['OFFRES_API_URL']} (3 requests/s)")
        env = {**os.environ, "OFFRES_CLIENT_ID": SANDBOX_CLIENT_ID,
               "OFFRES_CLIENT_SECRET": SANDBOX_CLIENT_SECRET}
        code = subprocess.call(crawl_command(
            f"OFFRES_SNAPSHOT_DIR={root}", f"OFFRES_SEARCH_REPORT={root.parent}/run_report.json",
            f"OFFRES_API_URL={urls['OFFRES_API_URL']}",
            f"OFFRES_TOKEN_URL={urls['OFFRES_TOKEN_URL']}"), env=env)
        summary(root, code, sandbox_stats(urls["OFFRES_API_URL"]))
        published = sorted(root.glob("snapshot_date=*"))
        if code == 0 and published:
            report = root.parent / "report.html"
            subprocess.call([sys.executable, "-m", "offres_crawler.cli", "report", str(published[-1]),
                             "-o", str(report)])
            print(f"HTML report: {report}")
    finally:
        proc.terminate()
        proc.wait(10)
    return code


if __name__ == "__main__":
    sys.exit(main())
