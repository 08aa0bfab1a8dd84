"""The delta files of a day: Parquet and JSONL per kind, a `_deltas.json`, published at once."""

from __future__ import annotations

import gzip
import json

import duckdb
import pyarrow.parquet as pq
import pytest

from offres_crawler.offers.arrow_rows import offers_from_table, typed_offer
from offres_crawler.snapshot.deltas_layout import SnapshotDamaged, previous_snapshot, published_snapshots
from offres_crawler.snapshot.deltas_writer import SnapshotNotPublished, write_deltas
from tests.ops.snapshots import market_offers, touched, write_snapshot

OFFERS = market_offers(900, seed=21)


def _jsonl(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _three_days(root):
    write_snapshot(root, "2025-10-08", OFFERS[:300])
    write_snapshot(root, "2025-10-09", OFFERS[:600])
    today = [touched(o, intitule=o["intitule"] + " (CDI)") if i % 100 == 7 else o
             for i, o in enumerate(OFFERS[200:], 200)]
    write_snapshot(root, "2025-10-10", today)
    return today


def test_deltas_files_hold_the_offers(tmp_path):
    snapshots, deltas = tmp_path / "offres", tmp_path / "deltas"
    today = _three_days(snapshots)
    report = write_deltas(snapshots, "2025-10-10", deltas)
    day = deltas / "snapshot_date=2025-10-10"
    assert report["directory"] == str(day)
    assert sorted(p.name for p in day.iterdir()) == [
        "_deltas.json", "created.jsonl.gz", "created.parquet", "updated.jsonl.gz",
        "updated.parquet", "withdrawn.jsonl.gz", "withdrawn.parquet"]
    assert not (deltas / "_staging").exists()

    created, withdrawn = today[400:], OFFERS[:200]  # today[i - 200] is offer i
    updated = [o for i, o in enumerate(today, 200) if i % 100 == 7 and i < 600]
    expected = {"created": created, "updated": updated, "withdrawn": withdrawn}
    for kind, offers in expected.items():
        by_id = sorted(offers, key=lambda o: o["id"])
        # JSONL: the offers as the API sends them (date-times in its own form)
        assert sorted(_jsonl(day / f"{kind}.jsonl.gz"), key=lambda o: o["id"]) == by_id, kind
        parquet = offers_from_table(pq.read_table(day / f"{kind}.parquet"))
        assert sorted(parquet, key=lambda o: o["id"]) == [typed_offer(o) for o in by_id], kind

    saved = json.loads((day / "_deltas.json").read_text(encoding="utf-8"))
    assert saved["previous_snapshot_date"] == "2025-10-09" and saved["snapshot_date"] == "2025-10-10"
    assert saved["counts"] == {"created": 300, "updated": 4, "withdrawn": 200, "unchanged": 396,
                               "updated_dateActualisation": 0, "updated_content_only": 4}
    assert saved["offers"] == {"previous": 600, "current": 700}
    assert saved["files"]["withdrawn"] == {"rows": 200, "parquet": "withdrawn.parquet",
                                           "jsonl": "withdrawn.jsonl.gz"}
    assert {k: v for k, v in report.items() if k != "directory"} == saved

    # the history of withdrawals reads as one partitioned dataset
    rows = duckdb.sql(f"select snapshot_date, count(*) from read_parquet("
                      f"'{deltas}/snapshot_date=*/withdrawn.parquet', hive_partitioning = true) "
                      f"group by all").fetchall()
    assert [(str(d), n) for d, n in rows] == [("2025-10-10", 200)]


def test_running_again_replaces_the_day_and_plain_jsonl(tmp_path):
    snapshots, deltas = tmp_path / "offres", tmp_path / "deltas"
    _three_days(snapshots)
    write_deltas(snapshots, "2025-10-10", deltas)
    (deltas / "snapshot_date=2025-10-10" / "stale.txt").write_text("from an earlier run")
    report = write_deltas(snapshots, "2025-10-10", deltas, gzip_jsonl=False)
    day = deltas / "snapshot_date=2025-10-10"
    assert not (day / "stale.txt").exists() and not (day / "created.jsonl.gz").exists()
    assert len(_jsonl(day / "created.jsonl")) == report["counts"]["created"] == 300
    # the day before against the first day
    earlier = write_deltas(snapshots, "2025-10-09", deltas)
    assert earlier["counts"]["created"] == 300 and earlier["counts"]["withdrawn"] == 0


def test_first_unpublished_and_incomplete_snapshots(tmp_path):
    snapshots, deltas = tmp_path / "offres", tmp_path / "deltas"
    write_snapshot(snapshots, "2025-10-08", OFFERS[:10])
    assert write_deltas(snapshots, "2025-10-08", deltas) is None
    assert not deltas.exists()
    with pytest.raises(SnapshotNotPublished):
        write_deltas(snapshots, "2025-10-09", deltas)
    # an incomplete snapshot is never a "previous" one, nor compared
    write_snapshot(snapshots, "2025-10-09", OFFERS[:20], complete=False)
    write_snapshot(snapshots, "2025-10-10", OFFERS[5:30])
    assert list(published_snapshots(snapshots)) == ["2025-10-08", "2025-10-10"]
    assert previous_snapshot(snapshots, "2025-10-10")[0] == "2025-10-08"
    report = write_deltas(snapshots, "2025-10-10", deltas)
    assert report["previous_snapshot_date"] == "2025-10-08"
    assert report["counts"]["created"] == 20 and report["counts"]["withdrawn"] == 5
    (snapshots / "_staging" / "snapshot_date=2025-10-11").mkdir(parents=True)
    assert "2025-10-11" not in published_snapshots(snapshots)


def test_empty_snapshot_writes_empty_files(tmp_path):
    snapshots, deltas = tmp_path / "offres", tmp_path / "deltas"
    write_snapshot(snapshots, "2025-10-08", OFFERS[:10])
    write_snapshot(snapshots, "2025-10-09", [])
    report = write_deltas(snapshots, "2025-10-09", deltas)
    assert report["counts"]["withdrawn"] == 10 and report["counts"]["created"] == 0
    day = deltas / "snapshot_date=2025-10-09"
    assert pq.read_table(day / "created.parquet").num_rows == 0
    assert _jsonl(day / "created.jsonl.gz") == []


def test_the_deltas_command(tmp_path, capsys):
    from offres_crawler.cli.deltas import main

    snapshots, deltas = tmp_path / "offres", tmp_path / "deltas"
    assert main(["--snapshots", str(snapshots), "--deltas", str(deltas)]) == 1
    assert "no published snapshot" in capsys.readouterr().err
    _three_days(snapshots)
    assert main(["--snapshots", str(snapshots), "--deltas", str(deltas)]) == 0  # the latest day
    printed = json.loads(capsys.readouterr().out)
    assert printed["snapshot_date"] == "2025-10-10" and printed["counts"]["withdrawn"] == 200
    assert main(["--snapshots", str(snapshots), "--deltas", str(deltas), "--date", "2025-10-08"]) == 0
    assert "first published one: no deltas" in capsys.readouterr().out
    assert main(["--snapshots", str(snapshots), "--deltas", str(deltas), "--date", "2025-10-11"]) == 1


def test_the_deltas_command_writes_beside_the_snapshots_it_is_given(tmp_path, capsys, monkeypatch):
    """As the crawl does: `--snapshots x/snapshots` alone writes x/snapshots_deltas, never the
    fixed output/offres_deltas of another set of snapshots."""
    from offres_crawler.cli.deltas import main

    monkeypatch.chdir(tmp_path)
    snapshots = tmp_path / "x" / "snapshots"
    _three_days(snapshots)
    assert main(["--snapshots", str(snapshots)]) == 0
    assert json.loads(capsys.readouterr().out)["snapshot_date"] == "2025-10-10"
    assert (tmp_path / "x" / "snapshots_deltas" / "snapshot_date=2025-10-10" / "_deltas.json").is_file()
    assert not (tmp_path / "output").exists()


def test_deltas_live_beside_the_snapshots_by_default(tmp_path, monkeypatch):
    from offres_crawler.extensions.deltas import deltas_dir

    monkeypatch.chdir(tmp_path)
    assert deltas_dir("", "output/offres") == tmp_path / "output" / "offres_deltas"
    assert deltas_dir("", str(tmp_path / "x" / "snapshots")) == tmp_path / "x" / "snapshots_deltas"
    assert deltas_dir("elsewhere", "output/offres") == tmp_path / "elsewhere"


@pytest.mark.parametrize("damage, said", [
    (lambda part: part.unlink(), "part-r01-00002.parquet (200 rows in its manifest) is missing"),
    (lambda part: part.write_bytes(part.read_bytes()[:-100]), "part-r01-00002.parquet cannot be read"),
    (lambda part: pq_rows(part, 10), "part-r01-00002.parquet holds 10 rows, its manifest says 200"),
], ids=["missing", "truncated", "other_rows"])
def test_a_damaged_previous_snapshot_is_an_error_and_no_deltas_are_written(tmp_path, capsys, damage, said):
    """Deltas are read through the manifests: a part missing or cut is never "offers created"."""
    from offres_crawler.cli.deltas import main

    snapshots, deltas = tmp_path / "offres", tmp_path / "deltas"
    _three_days(snapshots)
    damage(snapshots / "snapshot_date=2025-10-09" / "part-r01-00002.parquet")
    with pytest.raises(SnapshotDamaged, match=said.replace("(", r"\(").replace(")", r"\)")):
        write_deltas(snapshots, "2025-10-10", deltas)
    assert not deltas.exists()  # nothing staged, nothing published
    assert main(["--snapshots", str(snapshots), "--deltas", str(deltas), "--date", "2025-10-10"]) == 1
    assert said in capsys.readouterr().err
    assert not deltas.exists()


def pq_rows(path, rows: int) -> None:
    """Replace the Parquet file `path` by one holding its first `rows` rows."""
    table = pq.read_table(path).slice(0, rows)
    pq.write_table(table, path)
