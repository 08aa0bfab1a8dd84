"""Ids files that cannot be read: one IdsFileError naming the file, the line and the rule, never
a traceback, a hang or unbounded memory; every cap tested on both sides."""

from __future__ import annotations

import gzip
import json
import os
import threading

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from offres_crawler.offers import ids_file
from offres_crawler.offers.ids_file import IdsFileError, check_ids_file, read_ids


def refusal(path) -> str:
    with pytest.raises(IdsFileError) as exc:
        check_ids_file(path)
    message = str(exc.value)
    assert "\n" not in message and len(message) < 300, message
    return message


def test_a_binary_file_is_refused_at_its_first_undecodable_line(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_bytes(b"179QWXC\n8521039\n20\xffABCD\n" + bytes(range(256)))
    assert refusal(path) == "ids.txt line 3: not UTF-8 text (byte 0xff at column 3)"


def test_an_image_is_refused_on_its_first_line(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    assert refusal(path) == "photo.png line 1: not UTF-8 text (byte 0x89 at column 1)"


def test_utf16_is_not_utf8(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("179QWXC\n8521039\n", "utf-16")
    assert refusal(path) == "ids.txt line 1: not UTF-8 text (byte 0xff at column 1)"


def test_control_characters_are_refused_but_tabs_and_crlf_are_text(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_bytes(b"\t179QWXC\r\n8521039\n")
    assert check_ids_file(path) == (2, 0)
    path.write_bytes(b"179QWXC\n85\x0021039\n")
    assert refusal(path) == "ids.txt line 2: control character '\\x00' (not a text file?)"


def test_the_line_length_cap_on_both_sides(tmp_path, monkeypatch):
    monkeypatch.setattr(ids_file, "MAX_LINE_BYTES", 64)
    path = tmp_path / "ids.txt"
    at_cap = "179QWXC".ljust(63) + "\n"  # 64 bytes with its newline
    path.write_text("8521039\n" + at_cap, "utf-8")
    assert check_ids_file(path) == (2, 0)
    path.write_text("8521039\n" + "179QWXC".ljust(64) + "\n", "utf-8")
    assert refusal(path) == "ids.txt line 2: longer than 64 bytes (not an ids file?)"
    path.write_text("179QWXC".ljust(65), "utf-8")  # no newline at all
    assert refusal(path) == "ids.txt line 1: longer than 64 bytes (not an ids file?)"


def test_a_file_of_zeros_without_newline_stops_at_the_cap(tmp_path):
    path = tmp_path / "zeros"
    with path.open("wb") as f:
        f.truncate(3 * ids_file.MAX_LINE_BYTES)  # sparse: 3 MiB of NUL bytes, no newline
    assert refusal(path) == f"zeros line 1: longer than {ids_file.MAX_LINE_BYTES} bytes (not an ids file?)"


@pytest.mark.parametrize(("path", "what"), [("/dev/zero", "a character device"),
                                            ("/dev/null", "a character device")])
def test_devices_are_not_read(path, what):
    assert refusal(path) == f"is {what}, not a regular file or a directory"


def test_a_symlink_to_a_device_is_a_device(tmp_path):
    link = tmp_path / "ids.txt"
    link.symlink_to("/dev/zero")
    assert refusal(link) == "is a character device, not a regular file or a directory"


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "ids.fifo"
    os.mkfifo(fifo)
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(refusal(fifo)), daemon=True)
    reader.start()
    reader.join(10)
    assert result == ["is a FIFO, not a regular file or a directory"]


def test_a_directory_reads_only_its_regular_files(tmp_path):
    (tmp_path / "a.txt").write_text("179QWXC\n", "utf-8")
    os.mkfifo(tmp_path / "b.txt")  # would block a reader forever
    (tmp_path / "c.txt").symlink_to("/dev/zero")  # would never end
    assert check_ids_file(tmp_path) == (1, 0)


def test_a_missing_file():
    assert refusal("/nonexistent/ids.txt") == "does not exist"


def test_a_broken_json_array_names_its_line(tmp_path):
    path = tmp_path / "offres.json"
    path.write_text('[\n{"id": "179QWXC"},\n{"id": \n]\n', "utf-8")
    assert refusal(path) == "offres.json line 4: not JSON (Expecting value)"
    path.write_text('{"id": "179QWXC"}', "utf-8")  # an object alone is a JSONL line
    assert check_ids_file(path) == (1, 0)
    path.write_text('  ["179QWXC"', "utf-8")
    assert refusal(path) == "offres.json line 1: not JSON (Expecting ',' delimiter)"


def test_a_json_array_with_a_bad_byte_names_its_line(tmp_path):
    path = tmp_path / "offres.json"
    path.write_bytes(b'[\n{"id": "179QWXC"},\n{"id": "20\xe9ABCD"}\n]')
    assert refusal(path) == "offres.json line 3: not UTF-8 text (byte 0xe9 at column 11)"


def test_the_json_array_size_cap_on_both_sides(tmp_path, monkeypatch):
    monkeypatch.setattr(ids_file, "MAX_JSON_BYTES", 1 << 20)
    path = tmp_path / "ids.json"
    ids = ["179QWXC"] * 20
    text = json.dumps(ids)
    path.write_text(text.ljust(1 << 20), "utf-8")  # exactly 1 MiB
    assert check_ids_file(path) == (20, 0)
    path.write_text(text.ljust((1 << 20) + 1), "utf-8")
    assert refusal(path) == "ids.json: a JSON array larger than 1 MiB (write it as JSONL or Parquet)"


def test_json_that_is_not_an_array_of_offers_or_ids(tmp_path):
    path = tmp_path / "ids.json"
    path.write_text("[[[[" * 100_000, "utf-8")
    message = refusal(path)
    assert message.startswith("ids.json") and ("nested too deep" in message or "not JSON" in message)


def test_a_corrupt_gzip_file(tmp_path):
    path = tmp_path / "part.jsonl.gz"
    data = gzip.compress(b"".join(b'{"id": "179QWXC"}\n' for _ in range(5000)))
    path.write_bytes(data[: len(data) // 2])  # cut short
    assert refusal(path).startswith("part.jsonl.gz line ")
    path.write_bytes(b"\x1f\x8b" + os.urandom(500))
    assert "cannot be read" in refusal(path)


def test_a_corrupt_or_compressed_parquet_file(tmp_path):
    path = tmp_path / "offres.parquet"
    path.write_bytes(b"PAR1" + os.urandom(300))
    assert refusal(path).startswith("offres.parquet: not a readable Parquet file (")
    pq.write_table(pa.table({"id": ["179QWXC"]}), path)
    compressed = tmp_path / "offres.parquet.gz"
    compressed.write_bytes(gzip.compress(path.read_bytes()))
    assert refusal(compressed) == "offres.parquet.gz: a compressed Parquet file (decompress it first)"


def test_parquet_ids_of_another_format_are_skipped(tmp_path):
    path = tmp_path / "offres.parquet"
    pq.write_table(pa.table({"id": ["179QWXC", "..", "8521039"]}), path)
    values = list(read_ids(path))
    assert values[0] == "179QWXC" and values[2] == "8521039"
    assert values[1].where == "offres.parquet row 1" and "'..' is not an offer id" in values[1].why


def test_an_unusable_id_is_quoted_in_a_few_dozen_characters(tmp_path):
    path = tmp_path / "offres.jsonl"
    huge = list(range(100_000))
    path.write_text("\n".join(json.dumps({"id": value}) for value in
                              (huge, {"a\nOUTCOME: COMPLETE": "x" * 10_000}, 12, "179QWXC")), "utf-8")
    *skipped, good = read_ids(path)
    assert good == "179QWXC"
    assert [s.why for s in skipped] == ["unusable id [0, 1, 2, 3, 4, 5, ...]",
                                        "unusable id {'a\\nOUTCOME: COMPLETE': 'xxxxxxxxxxxx...xxxxxxxxxxxxx'}",
                                        "unusable id 12"]
