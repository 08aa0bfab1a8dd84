"""offres_crawler.utils: the predecessor's helpers (dt_to_str_iso, filters_to_df) and load_snapshot."""

from __future__ import annotations

import gzip
import json
from datetime import datetime

import pandas as pd
import pyarrow as pa
import pytest

from offres_crawler.api import dates
from offres_crawler.api.arrow_schema import OFFRE_SCHEMA
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
    assert set(df["snapshot_date"]) == {DAY2}
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
    assert df.groupby("snapshot_date").size().to_dict() == {DAY1: 1000, DAY2: len(offers)}
    con_rel = load_snapshot(root, engine="duckdb")
    counts = dict(con_rel.aggregate("snapshot_date, count(*)").fetchall())
    assert counts == {DAY1: 1000, DAY2: len(offers)}


def test_engines_agree(snapshots):
    root, offers = snapshots
    day = root / f"snapshot_date={DAY2}"
    table = load_snapshot(day, engine="arrow")
    assert table.schema.remove_metadata() == pa.schema(
        [*OFFRE_SCHEMA, pa.field("snapshot_date", pa.string())]).remove_metadata()
    relation = load_snapshot(day, engine="duckdb", columns=["id", "snapshot_date"])
    rows = relation.order("id").fetchall()
    assert rows == sorted((o["id"], DAY2) for o in offers)
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
