"""Offer ids for the detail spider: cleaning, formats, the detail path, the `ids` argument,
reading ids files (errors of ids files: test_ids_file_errors.py)."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from offres_crawler.offers.ids import (
    FRANCE_TRAVAIL,
    PARTENAIRE,
    IdsError,
    clean_id,
    detail_path,
    id_format,
    ids_from_argument,
    is_offer_id,
    parse_ids_argument,
)
from offres_crawler.offers.ids_file import Skipped, check_ids_file, feed_files, read_ids, sniff_format


def ids_and_skips(path):
    values = list(read_ids(path))
    return ([v for v in values if isinstance(v, str)],
            [(v.where, v.why) for v in values if isinstance(v, Skipped)])


@pytest.mark.parametrize(("raw", "clean"), [
    ("179QWXC", "179QWXC"), ("  179QWXC\t", "179QWXC"), ("\ufeff8521039", "8521039"),
    ("", None), ("   ", None), (None, None), (1234567, None),
])
def test_clean_id(raw, clean):
    assert clean_id(raw) == clean


@pytest.mark.parametrize(("offer_id", "kind"), [
    ("179QWXC", FRANCE_TRAVAIL), ("207ABCD", FRANCE_TRAVAIL), ("8521039", PARTENAIRE),
    ("179qwxc", None), ("179QWX", None), ("85210391", None), ("179QWXC-1", None), ("abc", None),
])
def test_id_format(offer_id, kind):
    assert id_format(offer_id) == kind


@pytest.mark.parametrize(("offer_id", "valid"), [
    ("179QWXC", True), ("8521039", True), ("0000000", True), ("ZZZZZZZ", True), ("12AB345", True),
    ("179QWX", False), ("179QWXCD", False), ("179qwxc", False), ("179QWX.", False), ("", False),
    (".", False), ("..", False), ("../sear", False), ("179QWX\n", False), ("１７９QWXC", False),
    ("179QWXÇ", False), (" 179QWXC", False), (None, False), (1234567, False),
])
def test_the_apis_id_format(offer_id, valid):
    assert is_offer_id(offer_id) is valid


@pytest.mark.parametrize(("offer_id", "path"), [("179QWXC", "/v2/offres/179QWXC"),
                                                ("8521039", "/v2/offres/8521039")])
def test_detail_path(offer_id, path):
    assert detail_path(offer_id) == path


@pytest.mark.parametrize("offer_id", ["..", ".", "../search", "a?range=0-1#x", "12 34", "é", "", "179QWX"])
def test_detail_path_never_builds_another_resource(offer_id):
    with pytest.raises(ValueError, match="is not an offer id"):
        detail_path(offer_id)


def test_the_ids_argument_is_refused_at_its_first_malformed_id():
    assert parse_ids_argument(" 179QWXC , ,8521039,,") == ["179QWXC", "8521039"]
    assert parse_ids_argument("") == []
    for value, bad in (("179QWXC,..", ".."), (".", "."), ("179QWXC,abc,..", "abc"),
                       ("179QWXC/x", "179QWXC/x"), ("8521039 " + "9" * 500, "9" * 40)):
        with pytest.raises(IdsError) as exc:
            parse_ids_argument(value)
        message = str(exc.value)
        assert message.startswith(f"ids: {bad!r}") and "is not an offer id" in message
        assert "7 capital letters or digits" in message and "\n" not in message and len(message) < 200


def test_ids_from_argument():
    assert list(ids_from_argument("179QWXC,8521039")) == ["179QWXC", "8521039"]
    assert list(ids_from_argument(" 179QWXC , ,8521039,,abc ")) == ["179QWXC", "8521039", "abc"]
    assert list(ids_from_argument("179QWXC 8521039\n207ABCD")) == ["179QWXC", "8521039", "207ABCD"]
    assert list(ids_from_argument("")) == []
    assert list(ids_from_argument(" , ")) == []


@pytest.mark.parametrize(("head", "kind"), [
    (b"PAR1\x15\x04", "parquet"), (b'{"id": "179QWXC"}\n', "jsonl"),
    (b'\xef\xbb\xbf\n  {"id": 1}', "jsonl"), (b'[\n{"id": "x"}\n]', "json"),
    (b"179QWXC\n8521039\n", "text"), (b"", "text"), (b"# ids\n179QWXC", "text"),
])
def test_sniff_format(head, kind):
    assert sniff_format(head) == kind


def test_text_file_one_id_per_line(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("# offers to check\n179QWXC\n\n  8521039  \r\nabc\n179QWXC\n..\n", "utf-8")
    assert ids_and_skips(path) == (["179QWXC", "8521039", "179QWXC"], [
        ("ids.txt line 5", "'abc' is not an offer id (the API's ids are 7 capital letters or digits, "
                           "e.g. 179QWXC or 8521039)"),
        ("ids.txt line 7", "'..' is not an offer id (the API's ids are 7 capital letters or digits, "
                           "e.g. 179QWXC or 8521039)")])
    assert check_ids_file(path) == (3, 2)


def test_jsonl_feed_of_offers(tmp_path):
    path = tmp_path / "offres.jsonl"
    lines = [json.dumps({"id": "179QWXC", "intitule": "Développeur"}), "",
             json.dumps({"intitule": "sans id"}), "{broken", json.dumps({"id": ""}),
             json.dumps(["179QWXC"]), json.dumps({"id": " 8521039 ", "salaire": {}})]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    ids, skips = ids_and_skips(path)
    assert ids == ["179QWXC", "8521039"]
    assert [where for where, _ in skips] == ["offres.jsonl line 3", "offres.jsonl line 4",
                                             "offres.jsonl line 5", "offres.jsonl line 6"]
    assert skips[0][1] == "no 'id'"
    assert skips[1][1].startswith("not JSON")
    assert skips[2][1] == "unusable id ''"
    assert skips[3][1] == "a JSON list, not an offer"


def test_gzipped_jsonl_feed(tmp_path):
    path = tmp_path / "part-r01-00001.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for offer_id in ("179QWXC", "8521039", "207ABCD"):
            f.write(json.dumps({"id": offer_id}) + "\n")
    assert ids_and_skips(path) == (["179QWXC", "8521039", "207ABCD"], [])


def test_json_array_of_offers_or_of_ids(tmp_path):
    offers = tmp_path / "offres.json"
    offers.write_text(json.dumps([{"id": "179QWXC"}, {"id": "8521039"}, {"x": 1}]), "utf-8")
    assert ids_and_skips(offers) == (["179QWXC", "8521039"], [("offres.json item 2", "no 'id'")])
    plain = tmp_path / "ids.json"
    plain.write_text(json.dumps(["179QWXC", " ", "8521039"]), "utf-8")
    assert ids_and_skips(plain) == (["179QWXC", "8521039"], [("ids.json item 1", "empty id")])


def test_parquet_feed_reads_only_the_id_column(tmp_path):
    path = tmp_path / "offres.parquet"
    table = pa.table({"id": ["179QWXC", None, "8521039", " "],
                      "intitule": ["a", "b", "c", "d"]})
    pq.write_table(table, path, row_group_size=2)
    assert ids_and_skips(path) == (["179QWXC", "8521039"], [
        ("offres.parquet row 1", "unusable id None"), ("offres.parquet row 3", "unusable id ' '")])


def test_parquet_without_an_id_column(tmp_path):
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"code": ["M1805"]}), path)
    assert ids_and_skips(path) == ([], [("other.parquet", "no 'id' column")])


def test_a_snapshot_directory_reads_its_parquet_parts_once(tmp_path):
    part = tmp_path / "snapshot_date=2026-11-27"
    (part / "_rejects").mkdir(parents=True)
    pq.write_table(pa.table({"id": ["179QWXC", "8521039"]}), part / "part-r01-00001.parquet")
    pq.write_table(pa.table({"id": ["207ABCD"]}), part / "part-r01-00002.parquet")
    with gzip.open(part / "part-r01-00001.jsonl.gz", "wt") as f:  # the same rows as JSONL
        f.write('{"id": "179QWXC"}\n{"id": "8521039"}\n')
    (part / "_manifest.json").write_text('{"parts": 2}', "utf-8")
    (part / "_rejects" / "rejects-r01.jsonl").write_text('{"offer": {"id": "9999999"}}\n', "utf-8")
    assert [p.name for p in feed_files(tmp_path)] == ["part-r01-00001.parquet",
                                                      "part-r01-00002.parquet"]
    assert ids_and_skips(tmp_path) == (["179QWXC", "8521039", "207ABCD"], [])


def test_a_directory_without_parquet_reads_its_other_feeds(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "179QWXC"}\n', "utf-8")
    (tmp_path / "b.txt").write_text("8521039\n", "utf-8")
    (tmp_path / ".hidden.txt").write_text("0000000\n", "utf-8")
    assert ids_and_skips(tmp_path) == (["179QWXC", "8521039"], [])


def test_real_offer_files_give_every_id_of_a_known_format(samples):
    files = sorted((samples / "offres").glob("*.json"))
    assert files
    for path in files:
        offers = json.loads(path.read_text("utf-8"))
        ids, skips = ids_and_skips(path)
        assert skips == []
        assert ids == [offer["id"] for offer in offers]
        assert {id_format(offer_id) for offer_id in ids} <= {FRANCE_TRAVAIL, PARTENAIRE}, path.name
