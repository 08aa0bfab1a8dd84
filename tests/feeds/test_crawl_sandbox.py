"""A crawl against the sandbox over HTTP, written to JSONL and Parquet.

TODO(offres_search): run `scrapy crawl offres_search` here once that spider exists; the test
spider `sandbox_pages` stands in for it (overlapping search windows, offers as the API sent them).
"""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq

from offres_crawler.offers.arrow_rows import offers_from_table, typed_offer
from offres_crawler.offers.validation import inspect_offer
from tests.feeds.feeds_crawl import run_crawl


def test_a_sandbox_crawl_with_broken_offers_and_overlaps(tmp_path, sandbox_factory):
    sandbox = sandbox_factory("--offers", "1000", "--seed", "3", "--malformed-share", "0.05",
                              "--rate-limit", "20")
    windows = ",".join(f"{start}-{start + 149}" for start in range(0, 1000, 100))  # 50 rows overlap
    settings = {"OFFRES_API_URL": sandbox.api_url, "OFFRES_TOKEN_URL": sandbox.token_url,
                "OFFRES_RATE_LIMIT": 10, "JOBDIR": str(tmp_path / "job")}
    run = run_crawl(tmp_path, "sandbox_pages", args={"windows": windows}, settings=settings,
                    env={"OFFRES_CLIENT_ID": sandbox.client_id,
                         "OFFRES_CLIENT_SECRET": sandbox.client_secret},
                    feeds={str(tmp_path / "o.jsonl"): {"format": "jsonl"},
                           str(tmp_path / "o.parquet"): {"format": "parquet"}})
    assert run.returncode == 0, run.stderr

    jsonl = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text("utf-8").splitlines()]
    rejects = [json.loads(line)
               for line in (tmp_path / "rejects" / "run.jsonl").read_text("utf-8").splitlines()]
    assert len({o["id"] for o in jsonl}) == len(jsonl)  # one row per offer despite the overlaps
    assert all(inspect_offer(o).valid for o in jsonl)
    assert rejects and all(not inspect_offer(r["offer"]).valid and r["reason"] for r in rejects)
    # nothing dropped without a trace: every offer of the market is in the feed or the rejects
    assert len(jsonl) + len(rejects) == sandbox.control("alive")["count"] == 1000
    alive = set(sandbox.control("alive")["ids"])
    assert {o["id"] for o in jsonl} | {r["offer"]["id"] for r in rejects if "id" in r["offer"]} <= alive

    typed = [typed_offer(o) for o in jsonl]
    assert offers_from_table(pq.read_table(tmp_path / "o.parquet")) == typed
    from_duckdb = duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path / 'o.parquet'}')").to_arrow_table()
    assert offers_from_table(from_duckdb) == typed

    stats = run.stats()
    assert stats["offres/dedup/duplicates"] > 0 and stats["offres/rejects/duplicates"] > 0
    assert stats["offres/rejects/count"] == len(rejects)
    # no secret in anything the feeds or their state wrote
    secret = sandbox.client_secret.encode()
    written = [tmp_path / "o.jsonl", tmp_path / "o.parquet", tmp_path / "rejects" / "run.jsonl",
               *(tmp_path / "job" / "offres_dedup").rglob("*")]
    assert (tmp_path / "job" / "offres_dedup" / "state.npy") in written
    for path in written:
        if path.is_file():
            assert secret not in path.read_bytes(), path
