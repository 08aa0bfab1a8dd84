"""Benchmark of the history of every offer (issue 17, item 4). A script, not a test: prints figures.

A year of daily snapshots of a market of N live offers (default 700,000) with D new and D
withdrawn offers a day (default 40,000): the history as it stands after day 364 is written
synthetically, then the real update applies day 365 from its deltas, in a fresh process on one
core: wall time and peak RSS. Then "median days online by ROME grand domaine over the year" is
asked of DuckDB on the history's files (`analysis.lifetimes.lifetimes_duckdb`: Kaplan–Meier with
censoring, in SQL): wall time, best of 3, DuckDB's default threads (the machine's cores).

The synthetic year: each day D offers, drawn at random among those online, are withdrawn and D
new ones arrive (so days online are about exponential, mean N / D = 17.5 days). Every attribute
of an offer is a hash of its number, so no year of snapshots is kept in memory or on disk: the
day's withdrawn records are written as the update writes them (one Parquet file a day), and the
withdrawal index is built with the update's own code (history/closed_index.py). Day 365's
deltas hold real sandbox offers (full rows, as snapshot/deltas_writer.py writes them) under the
ids of the synthetic market: D created, D withdrawn, U updated (default 20,000), and with
--reappeared R, R offers withdrawn earlier that come back (80 % withdrawn in the last two weeks,
20 % on any day of the year: each day's file they come from is rewritten without them).

    .venv/bin/python bench/history_bench.py [--offers 700000] [--daily 40000] [--days 365] [--reappeared 0]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.process_figures import one_core, peak_rss_mb  # noqa: E402

FIRST_DAY = date(2025, 1, 1)
ROMES = [f"{letter}{n:04d}" for letter in "ABCDEFGHIJKLMN" for n in range(1101, 1141)]
DEPTS = [f"{n:02d}" for n in range(1, 96)] + ["2A", "2B", "971", "972", "973", "974", "976", None]
CONTRATS = ["CDI", "CDD", "MIS", "SAI", "LIB", "CCE"]
_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)



def _hash(x: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of the offer numbers: their attributes, reproducible without storing them."""
    z = (x.astype(np.uint64) + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def ids_and_keys(numbers: np.ndarray) -> tuple[object, np.ndarray]:
    """7-character ids (base 36) and their id keys (offers/id_store.id_key), vectorised."""
    import pyarrow as pa

    x = numbers.astype(np.int64) + 36**6  # always 7 digits
    chars = np.empty((len(x), 7), dtype=np.uint8)
    for j in range(6, -1, -1):
        chars[:, j] = _ALPHABET[x % 36]
        x //= 36
    keys = np.full(len(numbers), np.uint64(7) << np.uint64(56), dtype=np.uint64)
    for j in range(7):
        keys |= chars[:, j].astype(np.uint64) << np.uint64(8 * (6 - j))
    ids = pa.array(chars.view("S7").ravel(), pa.binary()).cast(pa.string())
    return ids, keys


class Market:
    """Offer numbers 0..N-1 are online on day 1; day d >= 2 brings numbers N + (d-2) D + [0, D)."""

    def __init__(self, offers: int, daily: int) -> None:
        self.n, self.d = offers, daily

    def first_seen(self, numbers: np.ndarray) -> np.ndarray:
        return np.where(numbers < self.n, 1, 2 + (numbers - self.n) // self.d)

    def records(self, numbers: np.ndarray, last_seen: int, withdrawn_on: int | None):
        """History records (HISTORY_SCHEMA) of these offers, sorted by id key."""
        import pyarrow as pa

        from offres_crawler.snapshot.history.records import HISTORY_SCHEMA, day_number

        ids, keys = ids_and_keys(numbers)
        order = np.argsort(keys)
        numbers, keys = numbers[order], keys[order]
        ids = ids.take(pa.array(order))
        h = _hash(numbers, 1)
        seen = self.first_seen(numbers)
        base = day_number(FIRST_DAY) - 1
        age_us = np.where(numbers < self.n, (h % np.uint64(90 * 86_400)) * np.uint64(1_000_000),
                          (h % np.uint64(86_400)) * np.uint64(1_000_000)).astype(np.int64)
        created = (base + seen).astype(np.int64) * 86_400_000_000 + 7_200_000_000 - age_us
        rome = np.array(ROMES, dtype=object)[(h >> np.uint64(8)) % np.uint64(len(ROMES))]
        salary = np.where((h >> np.uint64(20)) % np.uint64(5) < 2,
                          20_000.0 + ((h >> np.uint64(24)) % np.uint64(30_000)).astype(float), np.nan)
        versions = 1 + ((h >> np.uint64(40)) % np.uint64(4) == 0).astype(np.int32)
        n = len(numbers)

        def day_array(values):
            return pa.array(np.asarray(values, dtype=np.int32), pa.date32())

        def pick(values: list, shift: int) -> object:
            return pa.array(np.array(values, dtype=object)[(h >> np.uint64(shift)) % np.uint64(len(values))],
                            pa.string())

        def instants(us: np.ndarray) -> object:
            return pa.array(us, pa.timestamp("us", tz="UTC"))

        columns = {
            "id": ids, "first_seen": day_array(base + seen), "last_seen": day_array(np.full(n, base + last_seen)),
            "withdrawn_on": (day_array(np.full(n, base + withdrawn_on)) if withdrawn_on else pa.nulls(n, pa.date32())),
            "versions": pa.array(versions), "changes": pa.array(versions - 1),
            "reappeared": pa.array(np.zeros(n, np.int32)),
            "dateCreation": instants(created), "created_on": day_array(created // 86_400_000_000),
            "first_dateActualisation": instants(created),
            "last_dateActualisation": instants(created + (versions - 1).astype(np.int64) * 86_400_000_000),
            "romeCode": pa.array(rome, pa.string()),
            "grand_domaine": pa.array([r[0] for r in rome], pa.string()),
            "departement": pick(DEPTS, 12), "typeContrat": pick(CONTRATS, 16), "origine": pick(["1", "1", "2"], 18),
            "salary_annual_min": pa.array(salary), "salary_annual_max": pa.array(salary * 1.1),
            "salary_plausible": pa.array(np.where(np.isnan(salary), None, True), pa.bool_()),
        }
        return pa.table([columns[f.name] for f in HISTORY_SCHEMA], schema=HISTORY_SCHEMA), keys


def day_text(day: int) -> str:
    return (FIRST_DAY + timedelta(days=day - 1)).isoformat()


def build_history(root: Path, market: Market, days: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """The history as the update leaves it after day `days`; returns the numbers online, and
    some of the numbers withdrawn each day."""
    from offres_crawler.snapshot.history import closed_index
    from offres_crawler.snapshot.history.records import day_number
    from offres_crawler.snapshot.history.store import GENERATIONS, INDEX, OFFERS, ONLINE_KEYS, STATE, write_records

    generation = root / "history" / GENERATIONS / f"g{days:06d}-{day_text(days)}"
    (generation / OFFERS).mkdir(parents=True)
    (generation / INDEX).mkdir()
    pool = np.arange(market.n, dtype=np.int64)
    gone: dict[int, np.ndarray] = {}
    runs: list = []
    withdrawn_total = 0
    for day in range(2, days + 1):
        leaving = rng.choice(len(pool), market.d, replace=False)
        gone[day] = pool[leaving[:1000]]
        table, keys = market.records(pool[leaving], last_seen=day - 1, withdrawn_on=day)
        write_records(generation / OFFERS / f"withdrawn-{day_text(day)}.parquet", table)
        runs = closed_index.add(generation / INDEX, runs, keys, day_number(day_text(day)), f"r{day:06d}")
        pool[leaving] = market.n + (day - 2) * market.d + np.arange(market.d)
        withdrawn_total += market.d
    table, keys = market.records(pool, last_seen=days, withdrawn_on=None)
    write_records(generation / OFFERS / "online.parquet", table)
    np.save(generation / INDEX / ONLINE_KEYS, keys)
    fingerprint = {"finished_at": f"{day_text(days)}T03:00:00+00:00", "runs": 1, "offers": market.n}
    applied = [{"date": day_text(d), "previous": day_text(d - 1) if d > 1 else None, "source": "deltas",
                "counts": {}, "gap_days": 0, "fingerprint": fingerprint if d == days else {}}
               for d in range(1, days + 1)]
    (generation / STATE).write_text(json.dumps({
        "format": 1, "latest": day_text(days), "applied": applied,
        "totals": {"records": market.n + withdrawn_total, "online": market.n, "withdrawn": withdrawn_total},
        "index_runs": [{"name": r.name, "rows": r.rows} for r in runs]}))
    os.symlink(Path(GENERATIONS) / generation.name, root / "history" / "current")
    return pool, gone


def _returning(gone: dict[int, np.ndarray], count: int, rng: np.random.Generator) -> np.ndarray:
    """Offers withdrawn earlier that come back: most withdrawn in the last two weeks, some at
    any time of the year."""
    days = sorted(gone)
    recent = rng.choice(days[-14:], int(count * 0.8))
    anytime = rng.choice(days, count - len(recent))
    picked = [gone[d][rng.integers(len(gone[d]))] for d in np.concatenate([recent, anytime])]
    return np.unique(np.array(picked, dtype=np.int64))


def build_day(root: Path, market: Market, pool: np.ndarray, gone: dict, day: int, updated: int,
              reappearing: int, rng: np.random.Generator) -> dict[str, int]:
    """Day `day`'s published snapshot (its manifest) and its deltas against the day before."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from offres_crawler.offers.arrow_rows import offers_to_batch
    from offres_crawler.sandbox.market import Market as Sandbox
    from offres_crawler.sandbox.market import MarketConfig

    for d in (day - 1, day):
        directory = root / "offres" / f"snapshot_date={day_text(d)}"
        directory.mkdir(parents=True)
        (directory / "_manifest.json").write_text(json.dumps({
            "snapshot_date": day_text(d), "complete": True, "counts": {"offers": market.n},
            "crawl": {"finished_at": f"{day_text(d)}T03:00:00+00:00", "runs": 1}}))
    back = _returning(gone, reappearing, rng) if reappearing else np.zeros(0, np.int64)
    sandbox = Sandbox(MarketConfig(offers=market.d + len(back), seed=17, anchor_ms=1_760_000_000_000))
    offers = pa.Table.from_batches([offers_to_batch(sandbox.offers(list(range(market.d + len(back)))))[0]])
    chosen = rng.choice(len(pool), market.d + updated, replace=False)
    numbers = {"created": np.concatenate([market.n + (day - 2) * market.d + np.arange(market.d), back]),
               "withdrawn": pool[chosen[:market.d]], "updated": pool[chosen[market.d:]]}
    deltas = root / "deltas" / f"snapshot_date={day_text(day)}"
    deltas.mkdir(parents=True)
    for kind, wanted in numbers.items():
        ids, _ = ids_and_keys(wanted)
        rows = offers.slice(0, len(wanted))
        rows = rows.set_column(rows.schema.get_field_index("id"), "id", ids)
        if kind == "updated":  # a later dateActualisation
            column = rows.schema.get_field_index("dateActualisation")
            later = pc.add(rows.column(column).cast(pa.int64()), pa.scalar(3_600_000_000))
            rows = rows.set_column(column, "dateActualisation", later.cast(rows.schema.field(column).type))
        pq.write_table(rows, deltas / f"{kind}.parquet", compression="zstd")
    (deltas / "_deltas.json").write_text(json.dumps({
        "snapshot_date": day_text(day), "previous_snapshot_date": day_text(day - 1),
        "computed_at": f"{day_text(day)}T04:00:00+00:00"}))
    counts = {kind: len(v) for kind, v in numbers.items()}
    return {**counts, "created": counts["created"] - len(back), "reappeared": len(back)}



def measure(root: Path) -> None:
    """In its own process, on one core: one day's update, as the crawl's end runs it."""
    one_core()
    from offres_crawler.snapshot.history.update import update_history

    started = time.perf_counter()
    report = update_history(root / "offres", root / "history", root / "deltas")
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(), "report": report}))


def query(root: Path) -> tuple[list[float], list]:
    import duckdb

    from offres_crawler.analysis.lifetimes import lifetimes_duckdb

    times, rows = [], []
    for _ in range(3):
        con = duckdb.connect()
        started = time.perf_counter()
        rows = lifetimes_duckdb(root / "history", by="grand_domaine", connection=con).fetchall()
        times.append(time.perf_counter() - started)
        con.close()
    return times, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=700_000)
    parser.add_argument("--daily", type=int, default=40_000)
    parser.add_argument("--updated", type=int, default=20_000)
    parser.add_argument("--reappeared", type=int, default=0,
                        help="withdrawn offers that come back that day (80 %% withdrawn in the last two weeks)")
    parser.add_argument("--days", type=int, default=365, help="the day applied (the history holds the days before)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="build there and keep it (default: a temporary directory, removed)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.measure:
        measure(opts.measure)
        return
    with tempfile.TemporaryDirectory(prefix="history-bench-") as tmp:
        root = opts.workdir or Path(tmp)
        if opts.workdir:
            opts.workdir.mkdir(parents=True)  # a new one: the set-up writes everything
        rng = np.random.default_rng(365)
        market = Market(opts.offers, opts.daily)
        started = time.perf_counter()
        pool, gone = build_history(root, market, opts.days - 1, rng)
        expected = build_day(root, market, pool, gone, opts.days, opts.updated, opts.reappeared, rng)
        size = sum(f.stat().st_size for f in (root / "history").rglob("*") if f.is_file()) / 2**20
        print(f"set-up: {opts.days - 1} days of history ({market.n + (opts.days - 2) * market.d:,} "
              f"records, {size:,.0f} MB) and day {opts.days}'s deltas in {time.perf_counter() - started:.0f} s")
        out = subprocess.run([sys.executable, __file__, "--measure", str(root)], check=True,
                             capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        (entry,) = result["report"]["applied"]
        counts = entry["counts"]
        assert (counts["created"], counts["withdrawn"], counts["updated"], counts["reappeared"]) == (
            expected["created"], expected["withdrawn"], expected["updated"], expected["reappeared"]), counts
        print(f"update of day {opts.days} ({entry['date']}) from its deltas: {counts['created']:,} created, "
              f"{counts['updated']:,} updated, {counts['withdrawn']:,} withdrawn, {counts['reappeared']:,} "
              f"re-appeared (from {counts.get('withdrawn_files_rewritten', 0)} days' files, rewritten); "
              f"{result['report']['totals']['records']:,} records, {counts['online']:,} online")
        print(f"one core: {result['seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB")
        times, rows = query(root)
        print(f"DuckDB, median days online by ROME grand domaine over the year (Kaplan-Meier, "
              f"{os.cpu_count()} cores): {min(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})")
        for row in rows[:3]:
            print(f"  {row[0]}: {row[1]:,} offers, median {row[4]} days, "
                  f"withdrawn within 7 days {row[5]:.0%}, within 30 days {row[6]:.0%}")


if __name__ == "__main__":
    main()
