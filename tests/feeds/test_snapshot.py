"""The snapshot layout: partitioned parts, a manifest, publication only when complete, and a
crawl killed (SIGKILL) at various moments that resumes from its JOBDIR to a snapshot holding
every offer once, the latest copy of each."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from offres_crawler.offers.arrow_rows import offers_from_table, typed_offer
from offres_crawler.offers.validation import inspect_offer
from tests.feeds.feeds_crawl import run_crawl, write_offers

KILL_SWITCH = json.dumps({"tests.feeds.spiders.KillSwitch": 100})


def _settings(tmp_path, **more):
    return {"OFFRES_SNAPSHOT": 1, "OFFRES_SNAPSHOT_DIR": str(tmp_path / "offres"),
            "OFFRES_SNAPSHOT_JSONL": 1, "OFFRES_SNAPSHOT_PART_ITEMS": 1000,
            "OFFRES_SNAPSHOT_DATE": "2025-10-09", **more}


def _by_id(offer):
    return offer["id"]


def _published(tmp_path, day="2025-10-09") -> Path:
    return tmp_path / "offres" / f"snapshot_date={day}"


def _read_snapshot(directory: Path):
    # file by file: a dataset read would add the `snapshot_date` partition column
    parquet = [o for path in sorted(directory.glob("part-*.parquet"))
               for o in offers_from_table(pq.ParquetFile(path).read())]
    jsonl = [json.loads(line) for path in sorted(directory.glob("part-*.jsonl.gz"))
             for line in gzip.open(path, "rt", encoding="utf-8")]
    return parquet, jsonl


def test_snapshot_layout_manifest_and_partitioned_reading(tmp_path, market_offers):
    valid = [o for o in market_offers if inspect_offer(o).valid]
    broken = [o for o in market_offers if not inspect_offer(o).valid]
    source = write_offers(tmp_path / "offers.json", market_offers)
    run = run_crawl(tmp_path, "offers_file", args={"files": source}, settings=_settings(tmp_path))
    assert run.returncode == 0, run.stderr
    day = _published(tmp_path)
    assert sorted(p.name for p in day.iterdir()) == [
        "_manifest.json", "_rejects",
        "part-r01-00001.jsonl.gz", "part-r01-00001.parquet", "part-r01-00002.jsonl.gz",
        "part-r01-00002.parquet", "part-r01-00003.jsonl.gz", "part-r01-00003.parquet"]
    assert not (tmp_path / "offres" / "_staging").exists()
    parquet, jsonl = _read_snapshot(day)
    assert jsonl == valid
    assert parquet == [typed_offer(o) for o in valid]
    rejects = [json.loads(line)
               for line in (day / "_rejects" / "rejects-r01.jsonl").read_text("utf-8").splitlines()]
    assert [r["offer"] for r in rejects] == broken

    manifest = json.loads((day / "_manifest.json").read_text("utf-8"))
    last_update = max(typed_offer(o)["dateActualisation"] for o in valid)
    assert manifest["complete"] is True and manifest["snapshot_date"] == "2025-10-09"
    assert manifest["source"]["name"] == "France Travail"
    assert manifest["source"]["attribution"].startswith("Source : France Travail, API Offres d'emploi v2")
    assert manifest["licence"]["name"] == "Licence Offres d'emploi (France Travail)"
    assert manifest["last_update"] == last_update.isoformat(timespec="milliseconds")
    assert manifest["crawl"]["runs"] == 1 and manifest["crawl"]["finish_reason"] == "finished"
    assert manifest["crawl"]["started_at"][:4] >= "2025"
    assert manifest["counts"] == {"offers": len(valid), "rejects": len(broken),
                                  "duplicates_dropped": 0, "superseded_rows_dropped": 0}
    assert [(p["file"], p["rows"]) for p in manifest["parts"] if p["format"] == "parquet"] == [
        ("part-r01-00001.parquet", 1000), ("part-r01-00002.parquet", 1000),
        ("part-r01-00003.parquet", len(valid) - 2000)]

    # a second day, then both read as one partitioned dataset
    later = write_offers(tmp_path / "later.json", valid[:100])
    run = run_crawl(tmp_path, "offers_file", args={"files": later}, name="day2",
                    settings=_settings(tmp_path, OFFRES_SNAPSHOT_DATE="2025-10-10", OFFRES_SNAPSHOT_JSONL=0))
    assert run.returncode == 0, run.stderr
    rows = duckdb.sql(
        f"SELECT snapshot_date, count(*), count(DISTINCT id) FROM read_parquet("
        f"'{tmp_path}/offres/snapshot_date=*/*.parquet', hive_partitioning = true) "
        f"GROUP BY ALL ORDER BY 1").fetchall()
    assert [(str(d), n, u) for d, n, u in rows] == [("2025-10-09", len(valid), len(valid)),
                                                    ("2025-10-10", 100, 100)]


@pytest.mark.parametrize("kills", [
    [{"OFFRES_TEST_KILL_AT_ITEM": 1500}],  # in the middle of part 2
    [{"OFFRES_TEST_KILL_AT_ITEM": 1000}],  # part 1 full, not yet stored
    [{"OFFRES_TEST_KILL_AT_PART": 2}],  # part 2 stored, not committed
    [{"OFFRES_TEST_KILL_AT_ITEM": 700}, {"OFFRES_TEST_KILL_AT_PART": 1}],  # killed twice
], ids=["mid-part", "part-full", "before-commit", "twice"])
def test_a_killed_snapshot_resumes_to_every_offer_once(tmp_path, market_offers, kills):
    valid = [o for o in market_offers if inspect_offer(o).valid]
    source = write_offers(tmp_path / "offers.json", market_offers)
    # Resumed runs see 30 early offers updated: the newer copies must replace committed rows.
    updated = copy.deepcopy(market_offers)
    changed = [o for o in updated if inspect_offer(o).valid][:30]
    for offer in changed:
        offer["dateActualisation"] = "2030-01-01T00:00:00.000Z"
        offer["intitule"] = "mise à jour"
    resumed_source = write_offers(tmp_path / "updated.json", updated)
    settings = _settings(tmp_path, JOBDIR=str(tmp_path / "job"), EXTENSIONS=KILL_SWITCH)
    for n, kill in enumerate(kills):
        run = run_crawl(tmp_path, "offers_file", args={"files": source if n == 0 else resumed_source},
                        settings={**settings, **kill}, name=f"killed{n}")
        assert run.returncode == -9, run.log[-2000:]
        assert not _published(tmp_path).exists()
    run = run_crawl(tmp_path, "offers_file", args={"files": resumed_source}, settings=settings,
                    name="last")
    assert run.returncode == 0, run.stderr

    day = _published(tmp_path)
    expected = [o for o in updated if inspect_offer(o).valid]
    parquet, jsonl = _read_snapshot(day)
    for rows in (jsonl, parquet):  # every offer once
        assert len(rows) == len({o["id"] for o in rows}) == len(valid)
    assert sorted(jsonl, key=_by_id) == sorted(expected, key=_by_id)  # the latest copies
    assert sorted(parquet, key=_by_id) == sorted((typed_offer(o) for o in expected), key=_by_id)
    manifest = json.loads((day / "_manifest.json").read_text("utf-8"))
    assert manifest["complete"] and manifest["crawl"]["runs"] == len(kills) + 1
    assert manifest["counts"]["offers"] == len(valid)
    assert sum(p["rows"] for p in manifest["parts"] if p["format"] == "jsonl") == len(valid)
    assert not list(day.rglob("_inprogress"))


def test_an_incomplete_snapshot_is_never_published(tmp_path, market_offers):
    valid = [o for o in market_offers if inspect_offer(o).valid]
    source = write_offers(tmp_path / "offers.json", market_offers)
    settings = _settings(tmp_path, JOBDIR=str(tmp_path / "job"))
    run = run_crawl(tmp_path, "offers_file", args={"files": source, "missing": 7}, name="short",
                    settings=settings)
    assert "is incomplete" in run.log
    assert not _published(tmp_path).exists()
    staged = tmp_path / "offres" / "_staging" / "snapshot_date=2025-10-09"
    manifest = json.loads((staged / "_manifest.json").read_text("utf-8"))
    assert manifest["complete"] is False
    assert manifest["stats"]["offres/missing"] == 7

    run = run_crawl(tmp_path, "offers_file", args={"files": source}, settings=settings, name="resumed")
    assert run.returncode == 0, run.stderr
    parquet, _jsonl = _read_snapshot(_published(tmp_path))
    assert sorted(o["id"] for o in parquet) == sorted(o["id"] for o in valid)
    assert json.loads((_published(tmp_path) / "_manifest.json").read_text("utf-8"))["complete"] is True
