"""Whole crawls (`scrapy crawl` in a subprocess) written to JSONL and Parquet feeds."""

from __future__ import annotations

import copy
import gzip
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.offers.arrow_rows import offers_from_table, typed_offer
from offres_crawler.offers.arrow_schema import OFFRE_SCHEMA
from offres_crawler.offers.validation import inspect_offer
from tests.feeds.feeds_crawl import run_crawl, write_offers


def _jsonl(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_a_crawl_in_jsonl_and_parquet_agrees_offer_for_offer(tmp_path, market_offers):
    source = write_offers(tmp_path / "offers.json", market_offers)
    feeds = {str(tmp_path / "o.jsonl"): {"format": "jsonl"},
             str(tmp_path / "o.parquet"): {"format": "parquet"},
             str(tmp_path / "part-%(batch_id)d.parquet"): {"format": "parquet", "batch_item_count": 1000}}
    run = run_crawl(tmp_path, "offers_file", args={"files": source}, feeds=feeds,
                    settings={"OFFRES_PARQUET_ROW_GROUP_ROWS": 500})
    assert run.returncode == 0, run.stderr
    valid = [o for o in market_offers if inspect_offer(o).valid]
    broken = [o for o in market_offers if not inspect_offer(o).valid]
    assert 0 < len(broken) < 100

    # JSONL: the offers exactly as the source had them
    jsonl = _jsonl(tmp_path / "o.jsonl")
    assert jsonl == valid
    # Parquet read with pyarrow: the same offers, with the declared types
    table = pq.read_table(tmp_path / "o.parquet")
    assert table.schema.equals(OFFRE_SCHEMA, check_metadata=True)
    assert offers_from_table(table) == [typed_offer(o) for o in jsonl]
    assert pq.ParquetFile(tmp_path / "o.parquet").metadata.num_row_groups == -(-len(valid) // 500)
    # Parquet read with DuckDB: same again, and DuckDB sees typed, nested columns
    con = duckdb.connect()
    parquet = str(tmp_path / "o.parquet")
    from_duckdb = con.sql(f"SELECT * FROM read_parquet('{parquet}')").to_arrow_table()
    assert offers_from_table(from_duckdb) == [typed_offer(o) for o in jsonl]
    described = con.sql(f"DESCRIBE SELECT * FROM read_parquet('{parquet}')").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["dateCreation"] == types["dateActualisation"] == "TIMESTAMP WITH TIME ZONE"
    assert types["alternance"] == "BOOLEAN" and types["nombrePostes"] == "INTEGER"
    assert types["lieuTravail"].startswith("STRUCT(libelle VARCHAR, latitude DOUBLE, longitude DOUBLE")
    assert types["competences"] == "STRUCT(code VARCHAR, libelle VARCHAR, exigence VARCHAR)[]"
    assert types["extra_keys_json"] == "VARCHAR"
    checks = con.sql("SELECT id, dateCreation, lieuTravail.latitude, alternance "
                     f"FROM read_parquet('{parquet}')").fetchall()
    assert checks == [(o["id"], typed_offer(o)["dateCreation"], o["lieuTravail"].get("latitude"),
                       o["alternance"]) for o in jsonl]
    # batches: same rows, split
    parts = [pq.read_table(tmp_path / f"part-{n}.parquet") for n in (1, 2, 3)]
    assert [p.num_rows for p in parts] == [1000, 1000, len(valid) - 2000]
    assert pa.concat_tables(parts).column("id").to_pylist() == [o["id"] for o in valid]
    # rejects: every broken offer, raw, with its reason
    rejects = _jsonl(tmp_path / "rejects" / "run.jsonl")
    assert [r["offer"] for r in rejects] == broken
    assert [r["reason"] for r in rejects] == [inspect_offer(o).reason() for o in broken]
    stats = run.stats()
    assert stats["offres/rejects/count"] == len(broken)
    assert stats["item_scraped_count"] == stats["offres/dedup/unique"] == len(valid)


def test_overlapping_slices_keep_one_row_per_offer_the_latest(tmp_path, market_offers):
    valid = [o for o in market_offers if inspect_offer(o).valid][:2400]
    first, second = valid[:1500], copy.deepcopy(valid[1000:2400])  # 500 offers in both
    updated = {o["id"] for o in second[:40]}
    for offer in second[:40]:
        offer["dateActualisation"] = "2030-01-01T00:00:00.000Z"
        offer["intitule"] += " (mise à jour)"
    for offer in second[40:60]:  # an older copy: must not replace the one already kept
        offer["dateActualisation"] = "2001-01-01T00:00:00.000Z"
        offer["intitule"] = "ancienne"
    source = ",".join([write_offers(tmp_path / "a.json", first), write_offers(tmp_path / "b.json", second)])
    feeds = {str(tmp_path / "o.jsonl.gz"): {"format": "jsonl"},
             str(tmp_path / "o.parquet"): {"format": "parquet"},
             str(tmp_path / "p-%(batch_id)d.jsonl"): {"format": "jsonl", "batch_item_count": 700},
             str(tmp_path / "p-%(batch_id)d.parquet"): {"format": "parquet", "batch_item_count": 700}}
    run = run_crawl(tmp_path, "offers_file", args={"files": source}, feeds=feeds)
    assert run.returncode == 0, run.stderr

    latest = {o["id"]: o for o in first}
    latest.update({o["id"]: o for o in second if o["id"] not in latest or o["id"] in updated})
    expected = sorted(latest.values(), key=lambda o: o["id"])
    feeds_read = {
        "jsonl.gz": [json.loads(line) for line in gzip.open(tmp_path / "o.jsonl.gz", "rt", encoding="utf-8")],
        "parquet": offers_from_table(pq.read_table(tmp_path / "o.parquet")),
        "jsonl batches": [o for n in (1, 2, 3, 4) for o in _jsonl(tmp_path / f"p-{n}.jsonl")],
        "parquet batches": offers_from_table(pa.concat_tables(
            [pq.read_table(tmp_path / f"p-{n}.parquet") for n in (1, 2, 3, 4)])),
    }
    for name, rows in feeds_read.items():
        typed = [typed_offer(o) for o in expected] if "parquet" in name else expected
        assert sorted(rows, key=lambda o: o["id"]) == typed, name
    stats = run.stats()
    assert stats["offres/dedup/unique"] == len(latest) == 2400
    assert stats["offres/dedup/superseded"] == 40
    assert stats["offres/dedup/duplicates"] == 460
    assert stats["offres/dedup/compacted_rows"] == 4 * 40
    assert "offres/dedup/superseded_left" not in stats


def test_a_parquet_feed_is_overwritten_never_appended(tmp_path, market_offers):
    valid = [o for o in market_offers if inspect_offer(o).valid]
    feed = {str(tmp_path / "o.parquet"): {"format": "parquet", "overwrite": False}}  # like -o
    for name, offers in (("first", valid[:300]), ("second", valid[300:400])):
        source = write_offers(tmp_path / f"{name}.json", offers)
        run = run_crawl(tmp_path, "offers_file", args={"files": source}, feeds=feed, name=name)
        assert run.returncode == 0, run.stderr
        assert "cannot be appended" in run.log
    assert pq.read_table(tmp_path / "o.parquet").column("id").to_pylist() == [o["id"] for o in valid[300:400]]


def test_items_of_other_spiders_pass_unvalidated(tmp_path):
    items = [{"n": 1, "status": 200}, {"n": 2, "status": 206}]
    source = write_offers(tmp_path / "items.json", items)
    run = run_crawl(tmp_path, "offers_file", args={"files": source},
                    feeds={str(tmp_path / "o.jsonl"): {"format": "jsonl"}},
                    settings={"OFFRES_OFFER_SPIDERS": "offres_search"})
    assert run.returncode == 0, run.stderr
    assert _jsonl(tmp_path / "o.jsonl") == items
    assert not (tmp_path / "rejects").exists()


def test_remote_storages_get_clean_files_and_report_what_they_could_not(tmp_path, market_offers):
    """Through a storage that uploads a temporary file (as S3, GCS and FTP do): a single-file
    feed is cleaned before its upload; a batch uploaded before the newer copy arrived keeps its
    old row, and says so (offres/dedup/superseded_left)."""
    valid = [o for o in market_offers if inspect_offer(o).valid][:600]
    newer = [dict(o, dateActualisation="2030-01-01T00:00:00.000Z", intitule="v2") for o in valid[:5]]
    source = write_offers(tmp_path / "offers.json", valid + newer)
    feeds = {f"copy://{tmp_path}/remote/o.parquet": {"format": "parquet"},
             f"copy://{tmp_path}/remote/o.jsonl": {"format": "jsonl"},
             f"copy://{tmp_path}/remote/p-%(batch_id)d.parquet": {"format": "parquet",
                                                                  "batch_item_count": 500}}
    run = run_crawl(tmp_path, "offers_file", args={"files": source}, feeds=feeds,
                    settings={"FEED_STORAGES": json.dumps({"copy": "tests.feeds.storages.CopyFeedStorage"})})
    assert run.returncode == 0, run.stderr
    expected = sorted(newer + valid[5:], key=lambda o: o["id"])
    single = offers_from_table(pq.read_table(tmp_path / "remote" / "o.parquet"))
    assert sorted(single, key=lambda o: o["id"]) == [typed_offer(o) for o in expected]
    assert sorted(_jsonl(tmp_path / "remote" / "o.jsonl"), key=lambda o: o["id"]) == expected
    parts = [pq.read_table(tmp_path / "remote" / f"p-{n}.parquet") for n in (1, 2)]
    # the 5 old copies are in part 1, uploaded before their newer copies (in part 2) arrived
    assert [p.num_rows for p in parts] == [500, 105]
    stats = run.stats()
    assert stats["offres/dedup/superseded_left"] == 5
    assert stats["offres/dedup/compacted_rows"] == 10
    assert "superseded rows stay in remote feed files" in run.log
