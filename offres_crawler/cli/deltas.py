"""`offres-crawler deltas`: compute (again) the deltas of a published snapshot by hand.

The Deltas extension does this after every published snapshot; this command is for a day whose
deltas failed, or after copying older snapshots in. Prints the `_deltas.json` it wrote.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from offres_crawler.snapshot.deltas_layout import beside_snapshots, published_snapshots

HELP = "write the created/updated/withdrawn offers of a published snapshot (again)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--snapshots", default="output/offres", help="OFFRES_SNAPSHOT_DIR (default %(default)s)")
    parser.add_argument("--deltas", default=None,
                        help="OFFRES_DELTAS_DIR (default: beside the snapshots, as the crawl puts them: "
                             "output/offres -> output/offres_deltas)")
    parser.add_argument("--date", default=None, help="the snapshot's date (default: the latest published)")
    parser.add_argument("--no-gzip", action="store_true", help="plain .jsonl files")


def run(opts: argparse.Namespace) -> int:
    from offres_crawler.snapshot.deltas_layout import SnapshotDamaged  # pyarrow: only now
    from offres_crawler.snapshot.deltas_writer import SnapshotNotPublished, write_deltas

    snapshots = Path(opts.snapshots)
    day = opts.date or next(reversed(published_snapshots(snapshots)), None)
    if day is None:
        print(f"offres-crawler deltas: no published snapshot in {snapshots}", file=sys.stderr)
        return 1
    try:
        report = write_deltas(snapshots, day, beside_snapshots(snapshots, "deltas", opts.deltas),
                              gzip_jsonl=not opts.no_gzip)
    except (SnapshotNotPublished, SnapshotDamaged) as exc:  # nothing written
        print(f"offres-crawler deltas: {exc}", file=sys.stderr)
        return 1
    if report is None:
        print(f"snapshot {day} is the first published one: no deltas")
        return 0
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="offres-crawler deltas", description=HELP)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
