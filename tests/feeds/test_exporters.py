"""The Parquet and JSONL exporters, built through from_crawler as the feed exporter builds them."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scrapy.extensions.postprocessing import PostProcessingManager

from offres_crawler.exporters.jsonl import JsonLinesItemExporter
from offres_crawler.exporters.parquet import ParquetItemExporter
from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.offers.arrow_rows import offers_from_table, typed_offer
from offres_crawler.offers.arrow_schema import OFFRE_SCHEMA
from offres_crawler.offers.id_store import IdStore, id_key
from offres_crawler.offers.validation import inspect_offer, parse_datetime_us
from tests.project_settings import project_crawler


@pytest.fixture
def valid_offers(market_offers):
    return [o for o in market_offers if inspect_offer(o).valid][:2500]


def _export(exporter_cls, file, offers, crawler=None, **kwargs):
    exporter = exporter_cls.from_crawler(crawler or project_crawler(), file, **kwargs)
    exporter.start_exporting()
    for offer in offers:
        exporter.export_item(offer)
    exporter.finish_exporting()
    return exporter


def test_parquet_rows_stream_in_bounded_row_groups(tmp_path, valid_offers):
    path = tmp_path / "o.parquet"
    crawler = project_crawler(settings={"OFFRES_PARQUET_ROW_GROUP_ROWS": 1000})
    with open(path, "wb") as f:
        exporter = ParquetItemExporter.from_crawler(crawler, f)
        exporter.start_exporting()
        for offer in valid_offers:
            exporter.export_item(offer)
            # never more than one row group of offers held, as Python objects or Arrow batches
            assert len(exporter._pending) + exporter._batched_rows <= 1000
        exporter.finish_exporting()
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [1000, 1000, 500]
    table = pq.read_table(path)
    assert table.schema.equals(OFFRE_SCHEMA, check_metadata=True)
    assert offers_from_table(table) == [typed_offer(o) for o in valid_offers]
    assert crawler.stats.get_value("offres/parquet/rows") == 2500


def test_parquet_overwrites_a_file_opened_for_appending(tmp_path, valid_offers):
    path = tmp_path / "o.parquet"
    with open(path, "wb") as f:
        _export(ParquetItemExporter, f, valid_offers[:30])
    crawler = project_crawler()
    with open(path, "ab") as f:  # what `-o o.parquet` opens
        _export(ParquetItemExporter, f, valid_offers[30:40], crawler)
    assert pq.read_table(path).column("id").to_pylist() == [o["id"] for o in valid_offers[30:40]]
    assert crawler.stats.get_value("offres/parquet/overwritten_files") == 1


class _Pipe(io.RawIOBase):
    """A write-only, unseekable stream (stdout into a pipe)."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def test_parquet_to_an_unseekable_stream(valid_offers):
    pipe = _Pipe()
    _export(ParquetItemExporter, pipe, valid_offers[:20])
    assert pq.read_table(pa.BufferReader(bytes(pipe.data))).column("id").to_pylist() == \
        [o["id"] for o in valid_offers[:20]]


def test_jsonl_is_utf8_one_compact_offer_per_line(tmp_path):
    offer = {"id": "1", "lieuTravail": {"libelle": "Île-de-France"}, "intitule": "Boulanger·ère ✓"}
    path = tmp_path / "o.jsonl"
    with open(path, "wb") as f:
        _export(JsonLinesItemExporter, f, [offer, offer])
    raw = path.read_bytes()
    line = '{"id":"1","lieuTravail":{"libelle":"Île-de-France"},"intitule":"Boulanger·ère ✓"}\n'
    assert raw.decode("utf-8") == 2 * line
    assert b"\\u" not in raw


def test_jsonl_gzip_by_file_name_or_by_scrapy_plugin(tmp_path, valid_offers):
    offers = valid_offers[:50]
    expected = [json.dumps(o, ensure_ascii=False, separators=(",", ":")) for o in offers]
    by_name = tmp_path / "a.jsonl.gz"
    with open(by_name, "wb") as f:
        _export(JsonLinesItemExporter, f, offers)
    by_plugin = tmp_path / "b.jsonl.gz"
    with open(by_plugin, "wb") as f:
        wrapped = PostProcessingManager(["scrapy.extensions.postprocessing.GzipPlugin"], f, {})
        _export(JsonLinesItemExporter, wrapped, offers)
        wrapped.close()
    for path in (by_name, by_plugin):
        assert gzip.decompress(path.read_bytes()).decode().splitlines() == expected


@pytest.mark.parametrize("exporter_cls, suffix", [(ParquetItemExporter, "parquet"),
                                                  (JsonLinesItemExporter, "jsonl")])
def test_finished_files_drop_rows_superseded_meanwhile(tmp_path, valid_offers, exporter_cls, suffix):
    crawler = project_crawler()
    store = FeedRegistry.of(crawler).store = IdStore()
    offers = valid_offers[:10]
    newer = dict(offers[3], dateActualisation="2030-01-01T00:00:00Z", intitule="v2")
    for offer in offers:
        store.offer(id_key(offer["id"]), parse_datetime_us(offer["dateActualisation"]))
    path = tmp_path / f"o.{suffix}"
    with open(path, "wb") as f:
        exporter = exporter_cls.from_crawler(crawler, f)
        exporter.start_exporting()
        for offer in offers:
            exporter.export_item(offer)
        store.offer(id_key(newer["id"]), parse_datetime_us(newer["dateActualisation"]))
        exporter.export_item(newer)
        exporter.finish_exporting()
    if suffix == "parquet":
        rows = [o["id"] + "/" + o["intitule"] for o in offers_from_table(pq.read_table(path))]
    else:
        rows = [o["id"] + "/" + o["intitule"] for o in map(json.loads, path.read_text().splitlines())]
    expected = [o["id"] + "/" + o["intitule"] for o in offers if o is not offers[3]] + [newer["id"] + "/v2"]
    assert rows == expected
    keys, _dates = exporter.records()
    assert len(keys) == 10
    assert crawler.stats.get_value("offres/dedup/compacted_rows") == 1


def test_fields_option_does_not_change_the_schema(tmp_path, valid_offers):
    path = tmp_path / "o.parquet"
    with open(path, "wb") as f:
        _export(ParquetItemExporter, f, valid_offers[:5], fields_to_export=["id"])
    assert pq.read_schema(path).equals(OFFRE_SCHEMA, check_metadata=True)
