"""Offer ids given to the detail spider: cleaning, their known formats, the detail path, and
reading them from a file (one id per line, a JSONL / JSON feed of offers, a Parquet feed, or a
directory of such files such as a snapshot).

Ids are not refused for their format: the API is the judge of what a malformed id is (400 with
its message) and formats have changed before. Only an empty id is never sent (it would ask
`/v2/offres/`, another resource). The known formats (REFERENCE Part 2 §6) are only counted.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

logger = logging.getLogger(__name__)

FRANCE_TRAVAIL = "france_travail"  # 3 digits + 4 upper-case letters: 179QWXC
PARTENAIRE = "partenaire"  # 7 digits: 8521039
_FORMATS = ((FRANCE_TRAVAIL, re.compile(r"\d{3}[A-Z]{4}")), (PARTENAIRE, re.compile(r"\d{7}")))

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
PARQUET_BATCH_ROWS = 65_536  # ids read from a Parquet file at a time: memory stays small
# In a directory: files whose name or folder starts with one of these are not feeds
# (snapshot `_manifest.json`, `_rejects/`, `_inprogress/`, `_staging/`, hidden files).
_SKIPPED_PREFIXES = ("_", ".")


@dataclass(frozen=True)
class Skipped:
    """A line or row of an ids file that holds no usable id."""

    where: str  # "offres.jsonl line 12", "part-r01-00001.parquet row 7"
    why: str


def clean_id(raw: Any) -> str | None:
    """The id as the API expects it (surrounding blanks removed), None when nothing is left."""
    if not isinstance(raw, str):
        return None
    value = raw.strip().lstrip("\ufeff").strip()
    return value or None


def id_format(offer_id: str) -> str | None:
    """FRANCE_TRAVAIL, PARTENAIRE, or None for an id of neither known format (sent anyway)."""
    for name, pattern in _FORMATS:
        if pattern.fullmatch(offer_id):
            return name
    return None


def detail_path(offer_id: str) -> str:
    """`/v2/offres/{id}` with the id as one path segment: `/`, `?`, `#`, spaces are escaped, so
    an odd id can only ever ask for an offer, never another resource."""
    return f"/v2/offres/{quote(offer_id, safe='')}"


def ids_from_argument(value: str) -> Iterator[str]:
    """The ids of `-a ids=ID1,ID2` (commas or blanks between them), empty ones left out."""
    for raw in re.split(r"[,\s]+", value or ""):
        offer_id = clean_id(raw)
        if offer_id is not None:
            yield offer_id


def read_ids(path: str | Path) -> Iterator[str | Skipped]:
    """Every id in `path`, in file order (repeats included), and a Skipped for each line or row
    without one. `path` is a text file (one id per line; blank lines and `#` comments ignored),
    a JSONL feed of offers (an `id` per line; gzip allowed), a JSON array of offers or ids, a
    Parquet feed (its `id` column), or a directory: its Parquet files if it has any (a snapshot
    holds the same rows as Parquet and JSONL), else its other files; `_`/`.` names skipped."""
    path = Path(path)
    if path.is_dir():
        for file in feed_files(path):
            yield from _read_file(file)
    else:
        yield from _read_file(path)


def feed_files(directory: Path) -> list[Path]:
    """The files of `directory` (recursively) read by `read_ids`, in name order."""
    files = sorted(p for p in directory.rglob("*") if p.is_file()
                   and not any(part.startswith(_SKIPPED_PREFIXES)
                               for part in p.relative_to(directory).parts))
    parquet = [p for p in files if p.name.endswith(".parquet")]
    return parquet or files


def sniff_format(head: bytes) -> str:
    """"parquet", "json" (an array), "jsonl" or "text", from the first bytes of a file (after
    gzip decompression)."""
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first == b"[":
        return "json"
    if first == b"{":
        return "jsonl"
    return "text"


def _read_file(path: Path) -> Iterator[str | Skipped]:
    with path.open("rb") as raw:
        gzipped = raw.read(2) == _GZIP_MAGIC
    opener = gzip.open if gzipped else open
    with opener(path, "rb") as f:
        kind = sniff_format(f.read(4096))
    if kind == "parquet":
        yield from _read_parquet(path)
        return
    with opener(path, "rt", encoding="utf-8-sig") as f:
        if kind == "json":
            yield from _read_json_array(f, path.name)
        else:
            yield from _read_lines(f, path.name, jsonl=kind == "jsonl")


def _read_lines(f: IO[str], name: str, *, jsonl: bool) -> Iterator[str | Skipped]:
    for number, line in enumerate(f, 1):
        text = line.strip()
        if not text or (not jsonl and text.startswith("#")):
            continue
        where = f"{name} line {number}"
        if not jsonl:
            yield clean_id(text) or Skipped(where, "empty id")
            continue
        try:
            record = json.loads(text)
        except ValueError as exc:
            yield Skipped(where, f"not JSON ({exc.msg})")
            continue
        yield _id_of(record, where)


def _read_json_array(f: IO[str], name: str) -> Iterator[str | Skipped]:
    try:
        records = json.load(f)
    except ValueError as exc:
        yield Skipped(name, f"not JSON ({exc})")
        return
    if not isinstance(records, list):
        yield Skipped(name, "not a JSON array")
        return
    for index, record in enumerate(records):
        where = f"{name} item {index}"
        if isinstance(record, str):  # a list of ids
            yield clean_id(record) or Skipped(where, "empty id")
        else:
            yield _id_of(record, where)


def _id_of(record: Any, where: str) -> str | Skipped:
    if not isinstance(record, dict):
        return Skipped(where, f"a JSON {type(record).__name__}, not an offer")
    if "id" not in record:
        return Skipped(where, "no 'id'")
    return clean_id(record["id"]) or Skipped(where, f"unusable id {record['id']!r}")


def _read_parquet(path: Path) -> Iterator[str | Skipped]:
    import pyarrow.parquet as pq  # only when a Parquet file is read: keeps imports light

    parquet = pq.ParquetFile(path)
    if "id" not in parquet.schema_arrow.names:
        yield Skipped(path.name, "no 'id' column")
        return
    row = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=["id"]):
        for value in batch.column(0).to_pylist():
            yield clean_id(value) or Skipped(f"{path.name} row {row}", f"unusable id {value!r}")
            row += 1
