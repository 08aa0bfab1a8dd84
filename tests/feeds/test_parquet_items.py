"""The Parquet feed holds exactly the items it is given, whatever the pipelines did before it.

Each row is converted from the item as it reaches the exporter, never from an inspection
remembered by the validation pipeline: a key a later pipeline adds or drops (in a new dict, or in
place, at any depth) is in the file exactly as it is in the item: in its typed column, or in
`extra_keys_json` when the schema does not know it.
"""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scrapy.exceptions import DropItem

from offres_crawler.exporters.parquet import ParquetItemExporter
from offres_crawler.offers.arrow_rows import offers_from_table, offers_to_batch, typed_offer
from offres_crawler.offers.arrow_schema import EXTRA_COLUMN, OFFRE_SCHEMA
from offres_crawler.offers.validation import inspect_offer
from offres_crawler.pipelines.dedup import DedupPipeline
from offres_crawler.pipelines.export_profile import ExportProfilePipeline
from offres_crawler.pipelines.salary import SalaryPipeline
from offres_crawler.pipelines.validate import ValidatePipeline
from tests.feeds.spiders import OffersFileSpider
from tests.project_settings import project_crawler


class InPlacePipeline:
    """A user's pipeline after validation that changes offers in place: to one in three, a key
    unknown to the schema added at the top and one in a struct, a known key removed; to another
    one in three, only a key added in a struct (the top-level keys are those validated)."""

    def process_item(self, item: dict) -> dict:
        kind = int(item["id"], 36) % 3
        if kind == 0:
            item["note_interne"] = 1
            item.pop("description", None)
        if kind in (0, 1):
            item.setdefault("lieuTravail", {})["pays"] = "FR"
        return item


def _unknown_keys_and_nulls(offers: list[dict]) -> list[dict]:
    out = copy.deepcopy(offers)
    for index, offer in enumerate(out):
        if index % 4 == 0:
            offer["nouveau"] = {"a": [1, "é"]}
        if index % 4 == 1:
            offer.setdefault("entreprise", {})["siret"] = "123"
        if index % 4 == 2:
            offer["salaire"] = None
    return out


PIPELINES = {
    "valid": (ValidatePipeline, DedupPipeline),
    "unknown_keys": (ValidatePipeline, DedupPipeline),
    "salary_adds_a_key": (ValidatePipeline, DedupPipeline, SalaryPipeline),
    "profile_drops_keys_after_validation": (ValidatePipeline, DedupPipeline, ExportProfilePipeline),
    "changed_in_place_after_validation": (ValidatePipeline, DedupPipeline, InPlacePipeline),
}


@pytest.fixture
def offers(market_offers):
    return copy.deepcopy([o for o in market_offers if inspect_offer(o).valid][:1500])


def _run(tmp_path, scenario: str, offers: list[dict]) -> tuple[pa.Table, list[dict]]:
    """Offers through the scenario's pipelines into a Parquet feed: (the file, the items)."""
    crawler = project_crawler(OffersFileSpider, {
        "OFFRES_OFFER_SPIDERS": ["offers_file"], "OFFRES_REJECTS_URI": str(tmp_path / "rejects.jsonl"),
        "OFFRES_SALARY_NORMALISATION": True, "OFFRES_EXPORT_PROFILE": "redistribution",
        "OFFRES_PARQUET_ROW_GROUP_ROWS": 400})
    crawler.spider = OffersFileSpider.from_crawler(crawler)
    pipelines: list[Any] = [cls() if cls is InPlacePipeline else cls.from_crawler(crawler)
                            for cls in PIPELINES[scenario]]
    for pipeline in pipelines:
        if hasattr(pipeline, "open_spider"):
            asyncio.run(pipeline.open_spider())
    items = []
    path = tmp_path / "offres.parquet"
    with open(path, "wb") as f:
        exporter = ParquetItemExporter.from_crawler(crawler, f)
        exporter.start_exporting()
        for offer in offers:
            try:
                for pipeline in pipelines:
                    offer = pipeline.process_item(offer)
            except DropItem:
                continue
            exporter.export_item(offer)
            items.append(offer)
        exporter.finish_exporting()
    return pq.read_table(path), items


def _extras(table: pa.Table) -> list[dict]:
    return [json.loads(e) if e else {} for e in table.column(EXTRA_COLUMN).to_pylist()]


@pytest.mark.parametrize("scenario", PIPELINES)
def test_the_file_is_the_items_converted_as_they_reach_the_exporter(tmp_path, offers, scenario):
    if scenario == "unknown_keys":
        offers = _unknown_keys_and_nulls(offers)
    table, items = _run(tmp_path, scenario, offers)
    assert len(items) == len(offers)
    assert table.schema.equals(OFFRE_SCHEMA, check_metadata=True)
    fresh = pa.Table.from_batches([offers_to_batch(copy.deepcopy(items[i:i + 500]))[0]
                                   for i in range(0, len(items), 500)])
    assert table.equals(fresh)  # every column, extra_keys_json included
    assert offers_from_table(table) == [typed_offer(item) for item in items]


def test_valid_offers_need_no_extra_column(tmp_path, offers):
    table, _items = _run(tmp_path, "valid", offers)
    assert table.column(EXTRA_COLUMN).null_count == table.num_rows


def test_unknown_keys_and_nulls_are_in_the_extra_column(tmp_path, offers):
    table, _items = _run(tmp_path, "unknown_keys", _unknown_keys_and_nulls(offers))
    extras = _extras(table)
    assert all(extras[i] == {"/nouveau": {"a": [1, "é"]}} for i in range(0, len(extras), 4))
    assert all(extras[i] == {"/entreprise/siret": "123"} for i in range(1, len(extras), 4))
    assert all(extras[i] == {"/salaire": None} for i in range(2, len(extras), 4))
    assert table.column("salaire").to_pylist()[2] is None


def test_a_key_added_by_the_salary_pipeline_is_kept(tmp_path, offers):
    table, items = _run(tmp_path, "salary_adds_a_key", offers)
    extras = _extras(table)
    with_salary = [i for i, item in enumerate(items) if "offres_salaire" in item]
    assert len(with_salary) > 100
    for i, item in enumerate(items):
        assert extras[i] == ({"/offres_salaire": item["offres_salaire"]} if i in with_salary else {})


def test_keys_dropped_by_the_export_profile_stay_out(tmp_path, offers):
    assert sum("contact" in o or "nom" in o.get("entreprise", {}) for o in offers) > 100
    table, _items = _run(tmp_path, "profile_drops_keys_after_validation", offers)
    assert table.column("contact").null_count == table.num_rows
    assert not [n for n in table.column("entreprise").combine_chunks().field("nom").to_pylist() if n]
    assert table.column(EXTRA_COLUMN).null_count == table.num_rows


def test_keys_changed_in_place_after_validation_are_kept_at_any_depth(tmp_path, offers):
    table, items = _run(tmp_path, "changed_in_place_after_validation", offers)
    extras, descriptions = _extras(table), table.column("description").to_pylist()
    kinds = [int(item["id"], 36) % 3 for item in items]
    assert all(kinds.count(kind) > 300 for kind in (0, 1, 2))
    for i, kind in enumerate(kinds):
        if kind == 0:
            assert extras[i] == {"/note_interne": 1, "/lieuTravail/pays": "FR"}
            assert descriptions[i] is None
        else:
            assert extras[i] == ({"/lieuTravail/pays": "FR"} if kind == 1 else {})
            assert descriptions[i] == items[i]["description"]
