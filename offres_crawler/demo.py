"""`make demo`: the main job in one command.

With OFFRES_CLIENT_ID and OFFRES_CLIENT_SECRET in the environment it harvests the real API; without
them it starts the embedded sandbox (a separate process, talked to over HTTP only) and runs the same
job against it, then prints a short summary.

On a terminal, the crawl shows a progress bar and its own summary (extensions/terminal.py); the
sandbox's log then goes to a file and the demo adds only a few lines. Elsewhere (a pipe, CI) every
log is printed as it comes, followed by the demo's summary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from offres_crawler.extensions.terminal import wants_bar

# The sandbox's public defaults, repeated here: the crawler package never imports the sandbox.
SANDBOX_CLIENT_ID = "PAR_sandbox_demo"
SANDBOX_CLIENT_SECRET = "sandbox-secret-do-not-use-in-production"
DEMO_OFFERS = 20_000  # OFFRES_DEMO_OFFERS changes it (a smaller market for a quick try)


def demo_offers() -> int:
    value = os.environ.get("OFFRES_DEMO_OFFERS", "").strip() or str(DEMO_OFFERS)
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 2_000_000:
        raise SystemExit(f"OFFRES_DEMO_OFFERS={value[:40]!r}: a whole number from 1 to 2000000")
    return int(value)


def on_terminal() -> bool:
    """The crawl will draw a bar (the same decision as the crawl's, with its default settings)."""
    return wants_bar("auto", is_tty=sys.stderr.isatty(), log_file=False,
                     scrapyd=bool(os.environ.get("SCRAPY_PROJECT")), term=os.environ.get("TERM"))


def start_sandbox(*args: str, log: Path | None = None) -> tuple[subprocess.Popen, dict[str, str]]:
    """The sandbox process and its URLs; its log to `log` if given (else to our stderr)."""
    cmd = [sys.executable, "-m", "offres_crawler.sandbox", "--host", "127.0.0.1", "--port", "0",
           "--client-id", SANDBOX_CLIENT_ID, "--client-secret", SANDBOX_CLIENT_SECRET, *args]
    stderr = None
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        stderr = open(log, "w", encoding="utf-8")  # the child gets its own descriptor
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
    if stderr is not None:
        stderr.close()  # the child has its own descriptor
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
           "-s", "OFFRES_PROGRESS_INTERVAL=10"]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def latest_manifest(root: Path) -> dict | None:
    manifests = sorted(root.glob("snapshot_date=*/_manifest.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(manifests[-1].read_text(encoding="utf-8")) if manifests else None


def summary(root: Path, exit_code: int, sandbox_stats: dict | None, *, brief: bool = False) -> None:
    """The demo's summary; `brief` (on a terminal, after the crawl's own summary): one line."""
    if brief:
        if sandbox_stats is not None:
            print(f"sandbox saw: {sandbox_stats.get('rate_limited')} answers 429, at most "
                  f"{max((sandbox_stats.get('max_requests_per_second') or {0: 0}).values())} requests "
                  "in any second")
        return
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
        summary(root, code, None, brief=on_terminal())
        return code
    # The sandbox's snapshots live apart from real ones: synthetic data must never join the history.
    root = Path("output/sandbox-demo/offres")
    terminal = on_terminal()
    sandbox_log = root.parent / "sandbox.log" if terminal else None
    offers = demo_offers()
    proc, urls = start_sandbox("--offers", str(offers), log=sandbox_log)
    try:
        print(f"sandbox: {offers:,} synthetic offers at {urls['OFFRES_API_URL']} (3 requests/s)"
              + (f"; its log: {sandbox_log}" if sandbox_log else ""), flush=True)
        env = {**os.environ, "OFFRES_CLIENT_ID": SANDBOX_CLIENT_ID,
               "OFFRES_CLIENT_SECRET": SANDBOX_CLIENT_SECRET}
        code = subprocess.call(crawl_command(
            f"OFFRES_SNAPSHOT_DIR={root}", f"OFFRES_SEARCH_REPORT={root.parent}/run_report.json",
            f"OFFRES_API_URL={urls['OFFRES_API_URL']}",
            f"OFFRES_TOKEN_URL={urls['OFFRES_TOKEN_URL']}"), env=env)
        summary(root, code, sandbox_stats(urls["OFFRES_API_URL"]), brief=terminal)
        published = sorted(root.glob("snapshot_date=*"))
        if code == 0 and published:
            report = root.parent / "report.html"
            run = subprocess.run([sys.executable, "-m", "offres_crawler.cli", "report", str(published[-1]),
                                  "-o", str(report)], capture_output=terminal, text=True, check=False)
            if run.returncode and terminal:
                print(run.stderr, file=sys.stderr)
            print(f"HTML report: {report}" if run.returncode == 0 else "the HTML report failed (see above)")
            code = code or run.returncode  # a demo whose report failed did not succeed
    finally:
        proc.terminate()
        proc.wait(10)
    return code


if __name__ == "__main__":
    sys.exit(main())
