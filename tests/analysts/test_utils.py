"""offres_crawler.utils: the predecessor's helpers (dt_to_str_iso, filters_to_df) and load_snapshot."""

from __future__ import annotations

import gzip
import json
import sys
from datetime import date, datetime

import pandas as pd
import pyarrow as pa
import pytest

from offres_crawler.harvest import dates
from offres_crawler.offers.arrow_schema import OFFRE_SCHEMA
from offres_crawler.utils import dt_to_str_iso, filters_to_df, load_snapshot, snapshot_manifest
from tests.analysts.snapshots import market_filtres, sandbox_market, write_snapshot

DAY1, DAY2 = "2025-10-08", "2025-10-09"


@pytest.fixture(scope="module")
def market():
    return sandbox_market(offers=1500, seed=3)


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory, market):
    offers = market.offers(list(range(market.n)))
    offers[0] = {**offers[0], "offres_salaire": {"period": "month", "annual_min": 24000.0}}
    root = tmp_path_factory.mktemp("snap") / "offres"
    write_snapshot(root, DAY1, offers[:1000], filtres=market_filtres(market), part_rows=400)
    write_snapshot(root, DAY2, offers, filtres=market_filtres(market), part_rows=600)
    return root, offers


def test_dt_to_str_iso_is_the_api_helper():
    assert dt_to_str_iso is dates.dt_to_str_iso
    assert dt_to_str_iso(datetime(2020, 3, 1, 12, 30)) == "2020-03-01T12:30:00Z"


# -- filters_to_df --------------------------------------------------------------------------------

def _expected_rows(filtres):
    return [(f["filtre"], str(a["valeurPossible"]), a["nbResultats"]) for f in filtres for a in f["agregation"]]


def test_filters_to_df_from_a_real_search_response(samples):
    response = json.loads(next((samples / "search").glob("*.json")).read_text(encoding="utf-8"))
    df = filters_to_df(response["filtresPossibles"])
    assert list(df.columns) == ["filtre", "valeur_possible", "nb_resultats"]
    assert df["nb_resultats"].dtype == "int64"
    assert list(df.itertuples(index=False, name=None)) == _expected_rows(response["filtresPossibles"])
    assert set(df["filtre"]) == {"typeContrat", "experience", "qualification", "natureContrat"}
    pd.testing.assert_frame_equal(filters_to_df(response), df)  # the whole response works too


def test_filters_to_df_from_a_run_report_or_a_snapshot(snapshots, market):
    root, _ = snapshots
    filtres = market_filtres(market)
    expected = _expected_rows(filtres)
    for source in ({"root": {"total": market.n, "filtresPossibles": filtres}, "passes": []},  # a run report
                   {"run_report": {"root": {"filtresPossibles": filtres}}},  # a manifest carrying it
                   root / f"snapshot_date={DAY2}",  # a snapshot directory (its manifest)
                   root / f"snapshot_date={DAY2}" / "_manifest.json",
                   str(root / f"snapshot_date={DAY2}" / "_manifest.json"),
                   snapshot_manifest(root)):
        df = filters_to_df(source)
        assert list(df.itertuples(index=False, name=None)) == expected, source
    # the counts of each facet add up to the market, as the API's do
    assert df.groupby("filtre")["nb_resultats"].sum()["typeContrat"] == market.n


def test_filters_to_df_edge_cases():
    empty = filters_to_df([])
    assert list(empty.columns) == ["filtre", "valeur_possible", "nb_resultats"] and empty.empty
    with pytest.raises(ValueError, match="no filtresPossibles"):
        filters_to_df({"resultats": []})


# -- load_snapshot --------------------------------------------------------------------------------

def test_load_one_snapshot_as_pandas(snapshots):
    root, offers = snapshots
    df = load_snapshot(root / f"snapshot_date={DAY2}")
    assert df["id"].tolist() == [o["id"] for o in offers]
    assert str(df["snapshot_date"].dtype) == "datetime64[us]"
    assert set(df["snapshot_date"]) == {pd.Timestamp(DAY2)}
    assert str(df["dateCreation"].dtype) == "datetime64[us, UTC]"
    first = offers[1]
    assert df["dateCreation"].iloc[1] == pd.Timestamp(first["dateCreation"])
    assert df["lieuTravail"].iloc[1]["libelle"] == first["lieuTravail"]["libelle"]
    # a key the schema does not know, kept in the JSON column, comes back as a column
    assert df["offres_salaire"].iloc[0] == {"period": "month", "annual_min": 24000.0}
    assert df["offres_salaire"].iloc[1:].isna().all()


def test_load_the_whole_history(snapshots):
    root, offers = snapshots
    df = load_snapshot(root, columns=["id", "typeContrat", "snapshot_date"])
    assert list(df.columns) == ["id", "typeContrat", "snapshot_date"]
    assert df.groupby("snapshot_date").size().to_dict() == {pd.Timestamp(DAY1): 1000,
                                                            pd.Timestamp(DAY2): len(offers)}
    con_rel = load_snapshot(root, engine="duckdb")
    counts = dict(con_rel.aggregate("snapshot_date, count(*)").fetchall())
    assert counts == {date.fromisoformat(DAY1): 1000, date.fromisoformat(DAY2): len(offers)}


def test_engines_agree(snapshots):
    root, offers = snapshots
    day = root / f"snapshot_date={DAY2}"
    table = load_snapshot(day, engine="arrow")
    assert table.schema.remove_metadata() == pa.schema(
        [*OFFRE_SCHEMA, pa.field("snapshot_date", pa.date32())]).remove_metadata()
    relation = load_snapshot(day, engine="duckdb", columns=["id", "snapshot_date"])
    rows = relation.order("id").fetchall()
    assert rows == sorted((o["id"], date.fromisoformat(DAY2)) for o in offers)
    single = load_snapshot(next(day.glob("part-*.parquet")), engine="arrow")
    assert single.num_rows == 600 and "snapshot_date" in single.column_names


def test_polars_engine(snapshots):
    pl = pytest.importorskip("polars", reason="polars is optional and not installed")
    root, offers = snapshots
    frame = load_snapshot(root / f"snapshot_date={DAY2}", engine="polars")
    assert isinstance(frame, pl.DataFrame) and frame.height == len(offers)


def test_load_a_jsonl_feed_like_its_parquet(tmp_path, snapshots):
    root, offers = snapshots
    path = tmp_path / "offres.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for offer in offers[:300]:
            f.write(json.dumps(offer, ensure_ascii=False) + "\n")
    from_jsonl = load_snapshot(path)
    from_parquet = load_snapshot(root / f"snapshot_date={DAY2}").head(300).drop(columns=["snapshot_date"])
    pd.testing.assert_frame_equal(from_jsonl, from_parquet)


def test_load_snapshot_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_snapshot(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="no Parquet offers"):
        load_snapshot(tmp_path)
    with pytest.raises(ValueError, match="engine"):
        load_snapshot(tmp_path, engine="spark")


# -- snapshot_date: a date in every reader, as the engines' own Hive readers see it ---------------

def _native_duckdb_type(root) -> str:
    import duckdb

    glob = str(root / "snapshot_date=*" / "*.parquet")
    # DuckDB's own Hive reader with its default hive_types_autocast: what a DuckDB user gets
    return duckdb.connect().sql(f"SELECT typeof(snapshot_date) FROM read_parquet('{glob}', "
                                "hive_partitioning = true) LIMIT 1").fetchall()[0][0]


@pytest.mark.parametrize("where", ["root", "partition", "part file", "jsonl in a partition"])
def test_snapshot_date_is_a_date_in_every_engine(snapshots, where, tmp_path):
    import duckdb
    import polars as pl

    root, offers = snapshots
    day = root / f"snapshot_date={DAY2}"
    if where == "jsonl in a partition":  # a JSONL part, named like the snapshot's, in its partition
        partition = tmp_path / f"snapshot_date={DAY2}"
        partition.mkdir()
        path = partition / "part-r01-00001.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.writelines(json.dumps(o, ensure_ascii=False) + "\n" for o in offers[:50])
    else:
        path = {"root": root, "partition": day, "part file": next(day.glob("part-*.parquet"))}[where]
    expected_days = {date.fromisoformat(DAY1), date.fromisoformat(DAY2)} if where == "root" else \
        {date.fromisoformat(DAY2)}

    table = load_snapshot(path, engine="arrow", columns=None)
    assert table.schema.field("snapshot_date").type == pa.date32()
    assert set(table.column("snapshot_date").to_pylist()) == expected_days

    relation = load_snapshot(path, engine="duckdb", connection=duckdb.connect())
    assert dict(zip(relation.columns, relation.types))["snapshot_date"] == "DATE"
    assert {row[0] for row in relation.aggregate("snapshot_date").fetchall()} == expected_days

    frame = load_snapshot(path, engine="polars")
    assert frame.schema["snapshot_date"] == pl.Date
    assert set(frame["snapshot_date"].to_list()) == expected_days

    df = load_snapshot(path)
    assert str(df["snapshot_date"].dtype) == "datetime64[us]"
    assert {d.date() for d in df["snapshot_date"]} == expected_days
    # pandas agrees with DuckDB's own conversion of a DATE column
    assert str(relation.aggregate("snapshot_date").df()["snapshot_date"].dtype) == "datetime64[us]"


def test_our_readers_agree_with_the_engines_own_hive_readers(snapshots):
    import polars as pl

    root, _ = snapshots
    assert _native_duckdb_type(root) == "DATE"
    native = pl.scan_parquet(str(root / "**" / "*.parquet"), hive_partitioning=True).select("snapshot_date")
    assert native.collect_schema()["snapshot_date"] == pl.Date
    ours = load_snapshot(root, engine="polars", columns=["snapshot_date"])
    assert ours.schema["snapshot_date"] == pl.Date
    assert sorted(ours["snapshot_date"].to_list()) == sorted(native.collect()["snapshot_date"].to_list())


@pytest.mark.parametrize(("engine", "module", "extra"), [
    ("duckdb", "duckdb", "analysis"), ("polars", "polars", "analysis"), ("pandas", "pandas", "analysis")])
def test_a_missing_engine_gets_an_install_hint(snapshots, monkeypatch, engine, module, extra):
    root, _ = snapshots
    monkeypatch.setitem(sys.modules, module, None)  # import now fails as if it were not installed
    with pytest.raises(ImportError, match=rf"pip install 'offres-crawler\[{extra}\]'") as exc:
        load_snapshot(root, engine=engine)
    assert f"engine={engine!r}" in str(exc.value) and module in str(exc.value)
    if module == "pandas":
        with pytest.raises(ImportError, match=r"filters_to_df needs pandas"):
            filters_to_df([])
