"""`offres-crawler history`: bring the history of every offer up to the published snapshots.

The daily crawl does this after its deltas (OFFRES_HISTORY_ENABLED); this command is for a day
whose update failed, for a history started after snapshots were already there, or to rebuild it.
Prints what it did as JSON; exit code 1 when there is nothing to start from.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "update the history of every offer (first seen, last seen, withdrawn) from the published snapshots"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--snapshots", default="output/offres", help="OFFRES_SNAPSHOT_DIR (default %(default)s)")
    parser.add_argument("--history", default="output/offres_history",
                        help="OFFRES_HISTORY_DIR (default %(default)s)")
    parser.add_argument("--deltas", default=None,
                        help="OFFRES_DELTAS_DIR (default: beside the snapshots, SNAPSHOTS_deltas)")
    parser.add_argument("--start", default=None, metavar="YYYY-MM-DD",
                        help="the history's first snapshot, for a new or rebuilt history (default: the oldest)")
    parser.add_argument("--rebuild", action="store_true",
                        help="rebuild the history from its first snapshot (or --start)")
    parser.add_argument("--keep", type=int, default=7,
                        help="checkpoints kept (OFFRES_HISTORY_CHECKPOINTS, default %(default)s)")


def run(opts: argparse.Namespace) -> int:
    from datetime import date

    from offres_crawler.snapshot.deltas_layout import beside_snapshots, published_snapshots
    from offres_crawler.snapshot.history.update import update_history  # pyarrow: only now

    snapshots = Path(opts.snapshots)
    deltas = beside_snapshots(snapshots, "deltas", opts.deltas)
    if opts.start is not None:
        try:
            date.fromisoformat(opts.start)
        except ValueError:
            print(f"offres-crawler history: --start {opts.start!r} is not a date YYYY-MM-DD", file=sys.stderr)
            return 1
    if not published_snapshots(snapshots):
        print(f"offres-crawler history: no published snapshot in {snapshots}", file=sys.stderr)
        return 1
    report = update_history(snapshots, Path(opts.history), deltas, keep=opts.keep, start=opts.start,
                            rebuild=opts.rebuild)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="offres-crawler history", description=HELP)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
