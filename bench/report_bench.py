"""Benchmark of the HTML report on a hostile snapshot (issue 14, item 6). A script, not a test.

The snapshot (tests/analysts/hostile.py): `--categories` distinct values (default 5,000) in every
charted column (contract type, ROME code and label, origin, creation day), labels with `$...$`
math text and `<script>`, empty and missing fields, 4 offers a category. The report is built in
a fresh process: wall time, peak RSS and page size are printed, and whether the page holds raw
`<script>` from the data.

    .venv/bin/python bench/report_bench.py [--categories 5000] [--code DIR]

`--code DIR` runs the report of another checkout (e.g. `git archive <commit> | tar -x -C DIR`)
on the same snapshot, for before/after figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEASURE = """
import json, resource, sys, time
from offres_crawler.analysis.report.page import build_report
started = time.perf_counter()
try:
    page = build_report(sys.argv[1])
    error = None
except Exception as exc:
    page, error = "", f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
print(json.dumps({"seconds": time.perf_counter() - started, "error": error,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "page_mb": len(page.encode()) / 1e6, "raw_script": "<script>" in page}))
"""


def measure(snapshot: Path, code: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", MEASURE, str(snapshot)], env=env, cwd=code,
                         capture_output=True, text=True, check=False, timeout=1800)
    if run.returncode:
        raise SystemExit(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--categories", type=int, default=5000)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose report is measured")
    args = parser.parse_args()
    from tests.analysts.hostile import write_hostile_snapshot

    with tempfile.TemporaryDirectory() as tmp:
        snapshot = write_hostile_snapshot(Path(tmp) / "offres", categories=args.categories)
        figures = measure(snapshot, args.code.resolve())
    print(f"report on a hostile snapshot: {args.categories:,} categories, {4 * args.categories:,} offers "
          f"(code: {args.code})")
    if figures["error"]:
        print(f"  FAILED after {figures['seconds']:.1f} s: {figures['error']}")
    else:
        print(f"  {figures['seconds']:.1f} s, peak RSS {figures['peak_rss_mb']:.0f} MB, page "
              f"{figures['page_mb']:.2f} MB, raw <script> from the data: {figures['raw_script']}")


if __name__ == "__main__":
    main()
