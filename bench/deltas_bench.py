"""Benchmark of the daily deltas (issue 7, item 3). A script, not a test: prints figures.

Two snapshots of N offers (default 1,000,000) written as Parquet parts of 100,000 rows, the way
the Snapshot extension writes them; the second one has 5 % of the offers withdrawn, 5 % new ones
and 2 % changed (half with a new dateActualisation, half with only their text changed). Then,
in a fresh process on one core, `write_deltas` (index both snapshots, compare, write the three
kinds as Parquet and JSONL.gz): wall time, offers per second, and peak RSS, to show the
comparison is memory-bounded (about 32 bytes an offer of index, whatever the offers' size).

Sandbox offers are generated once (--distinct, default 100,000) and repeated under new ids to
reach N, which keeps the set-up quick; the work measured does not depend on it.

    .venv/bin/python bench/deltas_bench.py [--offers 1000000] [--distinct 100000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.process_figures import one_core, peak_rss_mb  # noqa: E402

PART_ROWS = 100_000
ANCHOR_MS = 1_760_000_000_000



def build(root: Path, offers: int, distinct: int) -> dict[str, int]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from offres_crawler.offers.arrow_rows import offers_to_batch
    from offres_crawler.sandbox.market import Market, MarketConfig

    market = Market(MarketConfig(offers=distinct, seed=9, anchor_ms=ANCHOR_MS))
    base = pa.Table.from_batches([offers_to_batch(market.offers(list(range(distinct))))[0]])
    rng = np.random.default_rng(1)
    withdrawn = rng.random(offers) < 0.05
    changed = (rng.random(offers) < 0.02) & ~withdrawn
    new = int(offers * 0.05)

    def copy(number: int, suffix: str) -> pa.Table:
        ids = pc.binary_join_element_wise(base.column("id"), pa.scalar(f"{suffix}{number}"), "")
        return base.set_column(base.schema.get_field_index("id"), "id", ids)

    def write(day: str, tables) -> None:
        directory = root / "offres" / f"snapshot_date={day}"
        directory.mkdir(parents=True)
        rows, part, buffered = 0, 0, []
        for table in tables:
            buffered.append(table)
            rows += table.num_rows
            if rows >= PART_ROWS:
                part += 1
                pq.write_table(pa.concat_tables(buffered), directory / f"part-r01-{part:05d}.parquet",
                               row_group_size=10_000, compression="zstd")
                rows, buffered = 0, []
        if buffered:
            pq.write_table(pa.concat_tables(buffered), directory / f"part-r01-{part + 1:05d}.parquet",
                           row_group_size=10_000, compression="zstd")
        parts = [{"file": p.name, "format": "parquet", "rows": pq.ParquetFile(p).metadata.num_rows}
                 for p in sorted(directory.glob("part-*.parquet"))]
        (directory / "_manifest.json").write_text(json.dumps({"complete": True, "parts": parts}))

    copies = -(-offers // distinct)
    write("2025-10-09", (copy(i, "-")[: min(distinct, offers - i * distinct)] for i in range(copies)))

    def second():
        date_col = base.schema.get_field_index("dateActualisation")
        title_col = base.schema.get_field_index("intitule")
        for i in range(copies):
            table = copy(i, "-")[: min(distinct, offers - i * distinct)]
            span = slice(i * distinct, i * distinct + table.num_rows)
            keep, change = ~withdrawn[span], changed[span]
            half = change & (np.arange(table.num_rows) % 2 == 0)
            later = pc.add(table.column(date_col).cast(pa.int64()), pa.array(half.astype(np.int64) * 1_000_000))
            table = table.set_column(date_col, "dateActualisation", later.cast(table.schema.field(date_col).type))
            titles = pc.if_else(pa.array(change & ~half), pc.binary_join_element_wise(
                table.column(title_col), pa.scalar(" (urgent)"), ""), table.column(title_col))
            table = table.set_column(title_col, "intitule", titles)
            yield table.filter(pa.array(keep))
        for j in range(-(-new // distinct)):
            yield copy(j, "+")[: min(distinct, new - j * distinct)]

    write("2025-10-10", second())
    return {"withdrawn": int(withdrawn.sum()), "updated": int(changed.sum()), "created": new}



def measure(root: Path) -> None:
    """In its own process: the figures of one write_deltas."""
    one_core()
    from offres_crawler.snapshot.deltas_writer import write_deltas

    started = time.perf_counter()
    report = write_deltas(root / "offres", "2025-10-10", root / "deltas")
    seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_mb, "counts": report["counts"],
                      "offers": report["offers"]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=100_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.measure:
        measure(opts.measure)
        return
    with tempfile.TemporaryDirectory(prefix="deltas-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        expected = build(root, opts.offers, min(opts.distinct, opts.offers))
        print(f"set-up: two snapshots of {opts.offers:,} offers in {time.perf_counter() - started:.0f} s")
        out = subprocess.run([sys.executable, __file__, "--measure", str(root)], check=True,
                             capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        counts = result["counts"]
        assert counts["created"] == expected["created"] and counts["withdrawn"] == expected["withdrawn"]
        assert counts["updated"] == expected["updated"], (counts, expected)
        total = result["offers"]["previous"] + result["offers"]["current"]
        print(f"deltas of {opts.offers:,} offers vs {result['offers']['current']:,}: "
              f"{counts['created']:,} created, {counts['updated']:,} updated "
              f"({counts['updated_content_only']:,} on content only), {counts['withdrawn']:,} withdrawn")
        print(f"one core: {result['seconds']:.1f} s, {total / result['seconds']:,.0f} offers/s read "
              f"and compared, peak RSS {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
