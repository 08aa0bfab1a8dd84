"""`offres-crawler report SNAPSHOT -o report.html`: the snapshot report as one HTML file."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)

HELP = "write a self-contained HTML report (charts) on a snapshot"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("snapshot", type=Path,
                        help="a snapshot directory (output/offres/snapshot_date=YYYY-MM-DD), the root "
                             "of several (the latest is used), or a Parquet / JSONL offers file")
    parser.add_argument("-o", "--output", type=Path, default=Path("report.html"),
                        help="the HTML file to write (default: report.html)")
    parser.add_argument("--deltas", type=Path, default=None,
                        help="where the deltas live (default: beside the snapshot root, "
                             "output/offres -> output/offres_deltas)")
    parser.add_argument("--title", default=None, help="the page's title")
    parser.add_argument("--smic-hourly", type=float, default=None,
                        help="gross hourly SMIC in euros for '%% du SMIC' salaries (default: the "
                             "one in force on each offer's creation date)")


def run(args: argparse.Namespace) -> int:
    from offres_crawler.report.page import write_report  # matplotlib and pandas: only when used

    if not args.snapshot.exists():
        logger.error("No snapshot at %s", args.snapshot)
        return 1
    started = time.monotonic()
    try:
        output = write_report(args.snapshot, args.output, deltas_dir=args.deltas, title=args.title,
                              smic_hourly_eur=args.smic_hourly)
    except FileNotFoundError as exc:
        logger.error("%s", exc)
        return 1
    logger.info("Report written to %s in %.1f s", output, time.monotonic() - started)
    return 0
