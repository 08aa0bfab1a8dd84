"""`offres-crawler report SNAPSHOT -o report.html`: the snapshot report as one HTML file."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from offres_crawler.extras import MissingExtra

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
    parser.add_argument("--history", type=Path, default=None,
                        help="the history of every offer, for the days online (default: beside the "
                             "snapshot root, output/offres -> output/offres_history)")
    parser.add_argument("--referentiels", type=Path, default=None,
                        help="the reference lists naming départements, métiers and contract types: a "
                             "directory written by `scrapy crawl referentiels` (output/referentiels/"
                             "<date>) or one JSONL feed of them (default: the latest under "
                             "output/referentiels, if any; else built-in names and the offers' labels)")
    parser.add_argument("--title", default=None, help="the page's title")
    parser.add_argument("--smic-hourly", type=float, default=None,
                        help="gross hourly SMIC in euros for '%% du SMIC' salaries (default: the "
                             "one in force on each offer's creation date)")


def run(args: argparse.Namespace) -> int:
    try:  # matplotlib and pandas: only when used, and a clear line when they are not installed
        from offres_crawler.analysis.report.page import write_report
    except MissingExtra as exc:
        logger.error("%s", exc)
        return 1
    from offres_crawler.analysis.report.names import latest_referentiels

    if not args.snapshot.exists():
        logger.error("No snapshot at %s", args.snapshot)
        return 1
    referentiels = args.referentiels
    if referentiels is not None and not referentiels.exists():
        logger.error("No reference lists at %s (--referentiels: a directory of <name>.jsonl files "
                     "or one JSONL feed)", referentiels)
        return 1
    if referentiels is not None and referentiels.is_dir():
        referentiels = latest_referentiels(referentiels) or referentiels  # a root of dated directories
    if referentiels is None:
        referentiels = latest_referentiels()
    if referentiels is not None:
        logger.info("Names from the reference lists in %s", referentiels)
    started = time.monotonic()
    try:
        output = write_report(args.snapshot, args.output, deltas_dir=args.deltas, title=args.title,
                              smic_hourly_eur=args.smic_hourly, referentiels=referentiels,
                              history_dir=args.history)
    except FileNotFoundError as exc:
        logger.error("%s", exc)
        return 1
    logger.info("Report written to %s in %.1f s", output, time.monotonic() - started)
    return 0
