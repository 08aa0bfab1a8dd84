"""Benchmark of the offer feeds (issue 5, item 7). A script, not a test: prints figures.

1. Throughput, on one core: sandbox offers, as search pages of 150 (JSON, the way the API sends
   them; 5 % of the pages sent twice, as overlapping slices do), through the project's own
   components built with from_crawler: JSON decode (the spider's share), ValidatePipeline,
   DedupPipeline, the JSONL exporter and the Parquet exporter, files on local disk.
   Target: at least 10,000 offers/s. Compared with a floor: plain JSON decode of the pages and
   encode of each offer to a file, the least any feed of these offers could cost.
2. Peak RSS of a process that takes 1,000,000 offers (streamed in from a generator process,
   whose memory is not counted) through DedupPipeline and the Parquet exporter.
   Target: at most 500 MB.

    .venv/bin/python bench/feeds_bench.py [--offers 200000] [--rss-offers 1000000] [--skip-rss]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

logger = logging.getLogger(__name__)

PAGE = 150
ANCHOR_MS = 1_760_000_000_000


def _one_core() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import pyarrow as pa
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


# -- offers --------------------------------------------------------------------------------------

def generate(out, offers: int, seed: int, overlap: float) -> None:
    """Write search pages (one JSON document a line) of a sandbox market of `offers` offers."""
    from offres_crawler.sandbox.market import Market, MarketConfig
    market = Market(MarketConfig(offers=offers, seed=seed, anchor_ms=ANCHOR_MS, malformed_share=0.001))
    repeat_every = round(1 / overlap) if overlap else 0
    for page, start in enumerate(range(0, market.n, PAGE)):
        line = json.dumps({"resultats": market.offers(list(range(start, min(start + PAGE, market.n))))},
                          ensure_ascii=False) + "\n"
        out.write(line)
        if repeat_every and page % repeat_every == repeat_every - 1:
            out.write(line)
    out.flush()


# -- the measured processes ----------------------------------------------------------------------

def _components(workdir: Path, parts: set[str]):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from offres_crawler import settings as project
    from offres_crawler.exporters.jsonl import JsonLinesItemExporter
    from offres_crawler.exporters.parquet import ParquetItemExporter
    from offres_crawler.pipelines.dedup import DedupPipeline
    from offres_crawler.pipelines.validate import ValidatePipeline

    class BenchSpider(Spider):
        name = "bench"

    defaults = {name: value for name, value in vars(project).items() if name.startswith("OFFRES_")}
    crawler = get_crawler(BenchSpider, {**defaults, "OFFRES_OFFER_SPIDERS": ["bench"], "LOG_LEVEL": "WARNING",
                                        "OFFRES_REJECTS_URI": str(workdir / "rejects.jsonl")})
    crawler.spider = BenchSpider.from_crawler(crawler)
    pipelines, exporters, files = [], [], []
    if "validate" in parts:
        pipelines.append(ValidatePipeline.from_crawler(crawler))
    if "dedup" in parts:
        dedup = DedupPipeline.from_crawler(crawler)
        asyncio.run(dedup.open_spider())
        pipelines.append(dedup)
    for name, cls in (("jsonl", JsonLinesItemExporter), ("parquet", ParquetItemExporter)):
        if name in parts:
            files.append(open(workdir / f"offres.{name}", "wb"))
            exporters.append(cls.from_crawler(crawler, files[-1]))
    return crawler, pipelines, exporters, files


def measure(source, workdir: Path, parts: set[str]) -> dict:
    """Push every offer of `source` (pages, one a line) through the components named in `parts`."""
    from scrapy.exceptions import DropItem
    logging.getLogger("offres_crawler").setLevel(logging.ERROR)
    crawler, pipelines, exporters, files = _components(workdir, parts)
    for exporter in exporters:
        exporter.start_exporting()
    cpu, wall = time.process_time(), time.perf_counter()
    offers = kept = 0
    for line in source:
        for offer in json.loads(line)["resultats"]:
            offers += 1
            try:
                for pipeline in pipelines:
                    offer = pipeline.process_item(offer)
            except DropItem:
                continue
            kept += 1
            for exporter in exporters:
                exporter.export_item(offer)
    for exporter in exporters:
        exporter.finish_exporting()
    for f in files:
        f.close()
    for pipeline in pipelines:
        close = getattr(pipeline, "close_spider", None)
        if close is not None and asyncio.iscoroutinefunction(close):
            asyncio.run(close())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    stats = crawler.stats.get_stats()
    return {"offers": offers, "kept": kept, "cpu_s": cpu, "wall_s": wall,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "dedup_bytes_per_id": (pipelines[-1].store.nbytes / max(1, len(pipelines[-1].store))
                                   if "dedup" in parts else None),
            "rejects": stats.get("offres/rejects/count", 0),
            "duplicates": stats.get("offres/dedup/duplicates", 0),
            "files_mb": {f.name.rsplit("/", 1)[-1]: os.path.getsize(f.name) / 2**20 for f in files}}


def floor(source, workdir: Path) -> dict:
    """Decode every page, encode every offer to a file: the least a feed of them can cost."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    cpu, wall = time.process_time(), time.perf_counter()
    offers = 0
    with open(workdir / "floor.jsonl", "wb") as out:
        for line in source:
            for offer in json.loads(line)["resultats"]:
                out.write((encode(offer) + "\n").encode("utf-8"))
                offers += 1
    return {"offers": offers, "cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall}


def _child(argv: list[str]) -> None:
    """Entry point of the measured subprocesses: prints one JSON line of results."""
    mode, workdir = argv[0], Path(argv[1])
    _one_core()
    if mode == "floor":
        with open(argv[2], encoding="utf-8") as src:
            result = floor(src, workdir)
    elif mode == "stdin":
        result = measure(sys.stdin, workdir, set(argv[2].split(",")))
    else:
        with open(argv[2], encoding="utf-8") as src:
            result = measure(src, workdir, set(argv[3].split(",")))
    print(json.dumps(result))


def _run_child(*args: str, stdin=None) -> dict:
    out = subprocess.run([sys.executable, __file__, "_child", *args], stdin=stdin, capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the report ----------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=200_000)
    parser.add_argument("--rss-offers", type=int, default=1_000_000)
    parser.add_argument("--overlap", type=float, default=0.05, help="share of pages sent twice")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-rss", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    with tempfile.TemporaryDirectory(prefix="feeds-bench-") as tmp:
        work = Path(tmp)
        pages = work / "pages.jsonl"
        started = time.perf_counter()
        with open(pages, "w", encoding="utf-8") as out:
            generate(out, args.offers, args.seed, args.overlap)
        print(f"generated {args.offers:,} sandbox offers ({pages.stat().st_size / 2**20:.0f} MiB of "
              f"search pages, {args.overlap:.0%} sent twice) in {time.perf_counter() - started:.0f} s")

        base = _run_child("floor", str(work), str(pages))
        full = _run_child("file", str(work), str(pages), "validate,dedup,jsonl,parquet")
        rate, floor_rate = full["offers"] / full["cpu_s"], base["offers"] / base["cpu_s"]
        print("\nthroughput on one core (CPU seconds):")
        print(f"  floor (JSON decode + encode)            {base['offers']:>9,} offers  "
              f"{base['cpu_s']:6.1f} s  {floor_rate:9,.0f} offers/s")
        print(f"  decode + validate + dedup + JSONL + Parquet "
              f"{full['offers']:>5,} offers  {full['cpu_s']:6.1f} s  {rate:9,.0f} offers/s"
              f"  (target >= 10,000: {'met' if rate >= 10_000 else 'NOT MET'})")
        print(f"  ratio to the floor: {full['cpu_s'] / base['cpu_s']:.2f}x the floor's time "
              f"({rate / floor_rate:.0%} of its throughput); wall {full['wall_s']:.1f} s")
        sizes = ", ".join(f"{name} {mib:.0f} MiB" for name, mib in full["files_mb"].items())
        print(f"  kept {full['kept']:,}, duplicates dropped {full['duplicates']:,}, rejects "
              f"{full['rejects']:,}; files {sizes}")

        if not args.skip_rss:
            print(f"\npeak RSS, {args.rss_offers:,} offers through dedup + Parquet (offers streamed "
                  "from a generator process):")
            gen = subprocess.Popen([sys.executable, __file__, "_generate", str(args.rss_offers),
                                    str(args.seed)], stdout=subprocess.PIPE, cwd=ROOT)
            try:
                rss = _run_child("stdin", str(work), "dedup,parquet", stdin=gen.stdout)
            finally:
                gen.stdout.close()
                gen.wait(60)
            print(f"  {rss['offers']:,} offers in {rss['cpu_s']:.0f} s CPU; peak RSS "
                  f"{rss['peak_rss_mb']:.0f} MB (target <= 500: "
                  f"{'met' if rss['peak_rss_mb'] <= 500 else 'NOT MET'}); dedup store "
                  f"{rss['dedup_bytes_per_id']:.1f} bytes/id; "
                  f"Parquet {rss['files_mb']['offres.parquet']:.0f} MiB")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        _child(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "_generate":
        generate(sys.stdout, int(sys.argv[2]), int(sys.argv[3]), 0.0)
    else:
        sys.exit(main())
