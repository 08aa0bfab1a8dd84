"""Offers to Arrow and back: declared types, a fixed schema, nothing lost."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.offers.arrow_rows import offers_from_table, offers_to_batch, typed_offer
from offres_crawler.offers.arrow_schema import EXTRA_COLUMN, OFFRE_SCHEMA, TIMESTAMP
from offres_crawler.offers.schema import OFFRE

OFFER = {
    "id": "179LKRN", "intitule": "Boulangère", "dateCreation": "2024-11-28T11:57:05.591Z",
    "dateActualisation": "2024-11-28T12:57:06+01:00",
    "lieuTravail": {"libelle": "69 - LYON 03", "latitude": 45, "longitude": 4.85},
    "entreprise": {"entrepriseAdaptee": False}, "nombrePostes": 2, "alternance": True,
    "competences": [{"libelle": "Pétrir", "exigence": "E"}], "salaire": {}, "langues": [],
    "origineOffre": {"origine": "2", "partenaires": [{"nom": "INDEED"}]},
    "contexteTravail": {"horaires": ["Jour", None]},
}


def _roundtrip(offers, tmp_path):
    batch, info = offers_to_batch(offers)
    pq.write_table(pa.Table.from_batches([batch]), tmp_path / "t.parquet")
    table = pq.read_table(tmp_path / "t.parquet")
    return table, offers_from_table(table), info


def test_columns_have_the_declared_types():
    schema = OFFRE_SCHEMA
    assert schema.names == [*OFFRE.keys(), EXTRA_COLUMN]
    assert schema.field("dateCreation").type == schema.field("dateActualisation").type == TIMESTAMP
    assert TIMESTAMP == pa.timestamp("us", tz="UTC")
    assert schema.field("lieuTravail").type.field("latitude").type == pa.float64()
    assert schema.field("alternance").type == pa.bool_()
    assert schema.field("nombrePostes").type == pa.int32()
    competences = schema.field("competences").type
    assert pa.types.is_list(competences) and pa.types.is_struct(competences.value_type)
    assert competences.value_type.field("libelle").type == pa.string()
    horaires = schema.field("contexteTravail").type.field("horaires").type
    assert horaires == pa.list_(pa.field("element", pa.string()))
    assert schema.field(EXTRA_COLUMN).type == pa.string()


def test_an_offer_round_trips_with_typed_values(tmp_path):
    table, (back,), info = _roundtrip([OFFER], tmp_path)
    assert table.schema.equals(OFFRE_SCHEMA, check_metadata=True)
    assert back == typed_offer(OFFER)
    assert back["dateActualisation"] == datetime(2024, 11, 28, 11, 57, 6, tzinfo=UTC)
    assert back["lieuTravail"]["latitude"] == 45.0 and isinstance(back["lieuTravail"]["latitude"], float)
    assert back["salaire"] == {} and back["langues"] == []  # empty, not absent
    assert "permis" not in back  # absent, not empty
    assert table.column(EXTRA_COLUMN).to_pylist() == [None]
    assert info.moved_values == info.nulls == 0 and info.unknown_keys == {}


def test_every_real_sample_offer_round_trips(samples, tmp_path):
    offers = []
    for path in sorted((samples / "offres").glob("*.json")):
        offers += json.loads(path.read_text("utf-8"))
    _table, back, _info = _roundtrip(offers, tmp_path)
    assert len(back) == len(offers)
    assert [typed_offer(o) for o in offers] == back


def test_unknown_keys_and_nulls_travel_in_the_extra_column(tmp_path):
    offer = copy.deepcopy(OFFER)
    offer["nouveau"] = {"a": [1, "é"]}
    offer["lieuTravail"]["pays"] = "FR"
    offer["competences"][0]["niveau"] = 3
    offer["salaire"] = None
    table, (back,), info = _roundtrip([offer], tmp_path)
    assert back == typed_offer(offer)
    assert json.loads(table.column(EXTRA_COLUMN)[0].as_py()) == {
        "/nouveau": {"a": [1, "é"]}, "/lieuTravail/pays": "FR", "/competences/0/niveau": 3,
        "/salaire": None}
    assert info.unknown_keys == {"nouveau": 1, "lieuTravail.pays": 1, "competences[].niveau": 1}


def test_wrong_types_are_moved_out_never_coerced(tmp_path):
    offer = copy.deepcopy(OFFER)
    offer["nombrePostes"] = 1.5  # Arrow alone would store 1
    offer["lieuTravail"]["latitude"] = True  # Arrow alone would store 1.0
    offer["dateCreation"] = "hier"
    table, (back,), info = _roundtrip([offer], tmp_path)
    assert table.column("nombrePostes").to_pylist() == [None]
    assert table.column("dateCreation").to_pylist() == [None]
    assert back["nombrePostes"] == 1.5 and back["lieuTravail"]["latitude"] is True
    assert back["dateCreation"] == "hier"
    assert info.moved_values == 3
    assert offer["nombrePostes"] == 1.5  # the item itself is untouched


def test_the_schema_does_not_depend_on_the_keys_met():
    sparse, _ = offers_to_batch([{"id": "1"}])
    full, _ = offers_to_batch([OFFER, {"id": "2", "zzz": 1}])
    assert sparse.schema.equals(full.schema, check_metadata=True)
    assert sparse.schema.equals(OFFRE_SCHEMA, check_metadata=True)


def test_odd_unknown_keys_round_trip(tmp_path):
    offer = copy.deepcopy(OFFER)
    offer["123"] = "numeric key"
    offer["a/b~c"] = {"0": [1, {"x": None}]}
    offer["lieuTravail"]["7"] = 7
    _table, (back,), _info = _roundtrip([offer], tmp_path)
    assert back == typed_offer(offer)


def test_values_arrow_refuses_are_moved_even_past_a_wrong_report(monkeypatch):
    from offres_crawler.offers import arrow_rows
    from offres_crawler.offers.validation import Report
    offer = dict(OFFER, intitule=5, nombrePostes="2")
    monkeypatch.setattr(arrow_rows, "inspect_offer", lambda _offer: Report())  # (wrongly) saw nothing
    batch, info = offers_to_batch([offer])
    assert batch.column("intitule").to_pylist() == [None]
    assert json.loads(batch.column(EXTRA_COLUMN)[0].as_py()) == {"/intitule": 5, "/nombrePostes": "2"}
    assert offers_from_table(pa.Table.from_batches([batch])) == [typed_offer(offer)]
    assert info.moved_values == 2
