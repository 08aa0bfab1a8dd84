"""Files of offer ids for the detail spider: one id per line, a JSONL / JSON feed of offers, a
Parquet feed, or a directory of such files such as a snapshot.

Read only from a regular file or a directory (never a FIFO or a device, which could block or
never end), line by line with a length cap, as UTF-8 text without control characters: the first
line that breaks a rule ends the reading with one `IdsFileError` naming the file, the line and
the rule. A line or row without a usable id (none, empty, or not of the API's format) is a
`Skipped`, counted and named by the spider. `check_ids_file` reads the whole input once, so
that the spider refuses a bad file before any request.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import reprlib
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from offres_crawler.offers.ids import IdsError, clean_id, is_offer_id, not_an_id

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
PARQUET_BATCH_ROWS = 65_536  # ids read from a Parquet file at a time: memory stays small
MAX_LINE_BYTES = 1 << 20  # one line (a JSONL offer is a few kB, an id 7 bytes): 1 MiB
MAX_JSON_BYTES = 1 << 28  # a JSON array is read whole: 256 MiB (JSONL or Parquet beyond)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not in text: a binary file
# In a directory: files whose name or folder starts with one of these are not feeds
# (snapshot `_manifest.json`, `_rejects/`, `_inprogress/`, `_staging/`, hidden files).
_SKIPPED_PREFIXES = ("_", ".")


class IdsFileError(IdsError):
    """An ids file that cannot be read: where (file, line) and why, in one line."""


@dataclass(frozen=True)
class Skipped:
    """A line or row of an ids file that holds no usable id."""

    where: str  # "offres.jsonl line 12", "part-r01-00001.parquet row 7"
    why: str


def read_ids(path: str | Path) -> Iterator[str | Skipped]:
    """Every id in `path`, in file order (repeats included), and a Skipped for each line or row
    without one. `path` is a text file (one id per line; blank lines and `#` comments ignored),
    a JSONL feed of offers (an `id` per line; gzip allowed), a JSON array of offers or ids, a
    Parquet feed (its `id` column), or a directory: its Parquet files if it has any (a snapshot
    holds the same rows as Parquet and JSONL), else its other files; `_`/`.` names skipped.
    IdsFileError when it cannot be read (see the module's docstring)."""
    path = Path(path)
    if _kind(path) == "directory":
        for file in feed_files(path):
            yield from _read_file(file)
    else:
        yield from _read_file(path)


def check_ids_file(path: str | Path) -> tuple[int, int]:
    """Read the whole input once, before any request: (ids, lines or rows skipped), or the
    first IdsFileError."""
    ids = skipped = 0
    for value in read_ids(path):
        if isinstance(value, Skipped):
            skipped += 1
        else:
            ids += 1
    return ids, skipped


def _kind(path: Path) -> str:
    """"directory" or "file" (a regular one); IdsFileError for anything else."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise IdsFileError("does not exist") from None
    except OSError as exc:
        raise IdsFileError(f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        return "directory"
    if not stat.S_ISREG(mode):
        raise IdsFileError(f"is {_what(mode)}, not a regular file or a directory")
    return "file"


def _what(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _open_regular(path: Path) -> IO[bytes]:
    """`path` opened for reading if it is a regular file: O_NONBLOCK so that a FIFO put there
    meanwhile cannot block the open, then fstat on what was opened."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise IdsFileError(f"{path.name}: cannot be read ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise IdsFileError(f"{path.name}: is {_what(mode)}, not a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def feed_files(directory: Path) -> list[Path]:
    """The regular files of `directory` (recursively) read by `read_ids`, in name order."""
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
    with _open_regular(path) as raw:
        gzipped = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        reader = _Lines(stream, path.name)
        try:
            kind = sniff_format(reader.head())
            if kind == "parquet":
                if gzipped:
                    raise IdsFileError(f"{path.name}: a compressed Parquet file (decompress it first)")
                yield from _read_parquet(raw, path.name)
            elif kind == "json":
                yield from _read_json_array(reader, path.name)
            else:
                yield from _read_lines(reader, path.name, jsonl=kind == "jsonl")
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise IdsFileError(f"{reader.where()}: cannot be read ({exc})") from None


class _Lines:
    """The lines of a binary stream, each at most MAX_LINE_BYTES, decoded as UTF-8; every
    breach is one IdsFileError naming the line."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self.stream, self.name, self.number = stream, name, 0
        self._head = b""

    def where(self) -> str:
        return f"{self.name} line {max(self.number, 1)}"

    def head(self) -> bytes:
        """The first bytes (up to 4 kB), kept to be read again as lines."""
        self._head = self.stream.read(4096)
        return self._head

    def _readline(self) -> bytes:
        if not self._head:
            return self.stream.readline(MAX_LINE_BYTES + 1)
        cut = self._head.find(b"\n") + 1
        if cut:
            line, self._head = self._head[:cut], self._head[cut:]
            return line
        line, self._head = self._head, b""
        return line + self.stream.readline(MAX_LINE_BYTES + 1 - len(line))

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self._readline()
            if not line:
                return
            self.number += 1
            if len(line) > MAX_LINE_BYTES:
                raise IdsFileError(f"{self.where()}: longer than {MAX_LINE_BYTES} bytes (not an ids file?)")
            yield self.decode(line)

    def decode(self, data: bytes, offset_lines: bool = False) -> str:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1 if offset_lines else self.number
            column = exc.start - data.rfind(b"\n", 0, exc.start)
            raise IdsFileError(f"{self.name} line {line}: not UTF-8 text (byte "
                               f"0x{data[exc.start]:02x} at column {column})") from None
        if self.number <= 1:
            text = text.removeprefix("\ufeff")
        control = _CONTROL.search(text)
        if control and not offset_lines:
            raise IdsFileError(f"{self.where()}: control character {control.group()!r} (not a text file?)")
        return text

    def whole(self, limit: int) -> str:
        """The rest of the stream as one text of at most `limit` bytes."""
        data = self._head + self.stream.read(limit + 1 - len(self._head))
        self._head = b""
        if len(data) > limit:
            raise IdsFileError(f"{self.name}: a JSON array larger than {limit >> 20} MiB "
                               "(write it as JSONL or Parquet)")
        return self.decode(data, offset_lines=True)


def _read_lines(lines: _Lines, name: str, *, jsonl: bool) -> Iterator[str | Skipped]:
    for line in lines:
        text = line.strip()
        if not text or (not jsonl and text.startswith("#")):
            continue
        where = f"{name} line {lines.number}"
        if not jsonl:
            yield _checked(clean_id(text), text, where)
            continue
        try:
            record = json.loads(text)
        except ValueError as exc:
            yield Skipped(where, f"not JSON ({getattr(exc, 'msg', exc)})")
            continue
        yield _id_of(record, where)


def _read_json_array(lines: _Lines, name: str) -> Iterator[str | Skipped]:
    try:
        records = json.loads(lines.whole(MAX_JSON_BYTES))
    except json.JSONDecodeError as exc:
        raise IdsFileError(f"{name} line {exc.lineno}: not JSON ({exc.msg})") from None
    except RecursionError:
        raise IdsFileError(f"{name}: JSON nested too deep") from None
    if not isinstance(records, list):
        raise IdsFileError(f"{name}: not a JSON array")
    for index, record in enumerate(records):
        where = f"{name} item {index}"
        if isinstance(record, str):  # a list of ids
            yield _checked(clean_id(record), record, where)
        else:
            yield _id_of(record, where)


def _checked(offer_id: str | None, raw: Any, where: str) -> str | Skipped:
    if offer_id is None:
        return Skipped(where, "empty id" if isinstance(raw, str) else _unusable(raw))
    return offer_id if is_offer_id(offer_id) else Skipped(where, not_an_id(offer_id))


def _unusable(value: Any) -> str:
    """Why `value` is no id, quoting it in a few dozen characters (a JSON `id` may be a list of
    a million items: its warning stays one short line)."""
    return f"unusable id {reprlib.repr(value)}"


def _id_of(record: Any, where: str) -> str | Skipped:
    if not isinstance(record, dict):
        return Skipped(where, f"a JSON {type(record).__name__}, not an offer")
    if "id" not in record:
        return Skipped(where, "no 'id'")
    offer_id = clean_id(record["id"])
    if offer_id is None:
        return Skipped(where, _unusable(record["id"]))
    return _checked(offer_id, record["id"], where)


def _read_parquet(raw: IO[bytes], name: str) -> Iterator[str | Skipped]:
    import pyarrow as pa  # only when a Parquet file is read: keeps imports light
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(raw)
        if "id" not in parquet.schema_arrow.names:
            yield Skipped(name, "no 'id' column")
            return
        row = 0
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=["id"]):
            for value in batch.column(0).to_pylist():
                offer_id = clean_id(value)
                yield (_checked(offer_id, value, f"{name} row {row}") if offer_id is not None
                       else Skipped(f"{name} row {row}", _unusable(value)))
                row += 1
    except pa.ArrowException as exc:
        raise IdsFileError(f"{name}: not a readable Parquet file ({str(exc).splitlines()[0][:200]})") from None
