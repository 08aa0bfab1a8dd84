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
    parser.add_argument("--history", default=None,
                        help="OFFRES_HISTORY_DIR (default: beside the snapshots, as the crawl puts it: "
                             "output/offres -> output/offres_history)")
    parser.add_argument("--deltas", default=None,
                        help="OFFRES_DELTAS_DIR (default: beside the snapshots, SNAPSHOTS_deltas)")
    parser.add_argument("--start", default=None, metavar="YYYY-MM-DD",
                        help="the history's first snapshot, for a new or rebuilt history (default: the oldest)")
    parser.add_argument("--rebuild", action="store_true",
                        help="rebuild the history from its first snapshot (or --start)")
    parser.add_argument("--keep", type=int, default=7,
                        help="checkpoints kept (OFFRES_HISTORY_CHECKPOINTS, default %(default)s)")


def _refused(message: str) -> int:
    print(f"offres-crawler history: {message}", file=sys.stderr)
    return 1


def run(opts: argparse.Namespace) -> int:
    from datetime import date

    from offres_crawler.snapshot.deltas_layout import beside_snapshots, published_snapshots
    from offres_crawler.snapshot.history.store import HistoryStore  # pyarrow: only now
    from offres_crawler.snapshot.history.update import update_history

    snapshots = Path(opts.snapshots)
    deltas = beside_snapshots(snapshots, "deltas", opts.deltas)
    history = beside_snapshots(snapshots, "history", opts.history)
    if opts.keep < 2:
        return _refused(f"--keep {opts.keep}: at least 2 checkpoints (the previous day's is what a "
                        "snapshot published again starts from)")
    if opts.start is not None:
        try:
            date.fromisoformat(opts.start)
        except ValueError:
            return _refused(f"--start {opts.start!r} is not a date YYYY-MM-DD")
    published = published_snapshots(snapshots)
    if not published:
        return _refused(f"no published snapshot in {snapshots}")
    if opts.start is not None:
        if not any(d >= opts.start for d in published):
            return _refused(f"--start {opts.start}: no published snapshot on or after it in {snapshots} "
                            f"(the latest is {next(reversed(published))})")
        current = HistoryStore(history).current()
        first = current.state()["applied"][0]["date"] if current is not None else None
        if first is not None and first != opts.start and not opts.rebuild:
            return _refused(f"--start {opts.start}: the history in {history} already starts at {first}; "
                            "add --rebuild to begin it again there")
    report = update_history(snapshots, history, deltas, keep=opts.keep, start=opts.start,
                            rebuild=opts.rebuild)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="offres-crawler history", description=HELP)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
