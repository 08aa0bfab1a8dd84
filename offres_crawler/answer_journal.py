"""The answers a crawl received, journaled in its JOBDIR so that a resumed run replays them
rather than asking them again (framework-free; the Scrapy glue: extensions/answer_replay.py).

Why: a checkpoint (jobdir.py) claims a result page only once its offers are in a committed
part, and parts are committed every OFFRES_CHECKPOINT_INTERVAL seconds. Without the journal a
kill costs every page answered since the last checkpoint: those in flight at it (up to the API
slot's concurrency, 16) and those answered after. With it, a resumed run takes up the last
checkpoint, then is answered from the journal for every request it asks again whose answer
came before the kill; only the requests the kill caught on the wire are asked again.

A cache, never a record: nothing is claimed from it, an entry missing (a power cut that lost
the file's tail, a segment pruned, a plan that went another way) costs one request and nothing
else. So it is appended to without fsync (a SIGKILL keeps what was written; a power cut may
not, and each entry's checksum tells a torn one). Its consumer decides which entries are still
worth replaying (`take_up(keep)`): an answer whose page the checkpoint already claims must not
answer a later request for the same URL (a count asked again at the end is asked for its
freshness).

Files: JOBDIR/offres_answers/answers-NNNNNN.bin, a new segment at each checkpoint written, the
last KEEP_SEGMENTS kept (an answer in flight at a checkpoint may have come one segment before
it). Each entry: a frame header (struct `<III`: head length, body length, CRC32 of both), the
head (JSON: tag, key, url, status, headers, size) and the body, zstd-compressed (about an
eighth of a search page's JSON, 0.7 ms a page).
"""

from __future__ import annotations

import json
import logging
import shutil
import struct
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

logger = logging.getLogger(__name__)

ANSWERS_DIR = "offres_answers"
KEEP_SEGMENTS = 3
_FRAME = struct.Struct("<III")
_CODEC = "zstd"


@dataclass
class Answer:
    tag: str  # whose request: offres_search's plan id
    key: int  # which request of it
    url: str
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)


def _codec() -> pa.Codec:
    return pa.Codec(_CODEC, compression_level=1)


def encode(answer: Answer, codec: pa.Codec | None = None) -> bytes:
    body = (codec or _codec()).compress(answer.body, asbytes=True) if answer.body else b""
    head = json.dumps({"tag": answer.tag, "key": answer.key, "url": answer.url,
                       "status": answer.status, "headers": answer.headers,
                       "size": len(answer.body)}, separators=(",", ":")).encode()
    crc = zlib.crc32(body, zlib.crc32(head))
    return _FRAME.pack(len(head), len(body), crc) + head + body


def decode_all(data: bytes, codec: pa.Codec | None = None) -> Iterator[Answer]:
    """The whole entries of a segment, in order; it stops at the first torn or damaged one."""
    codec = codec or _codec()
    at = 0
    while at + _FRAME.size <= len(data):
        head_len, body_len, crc = _FRAME.unpack_from(data, at)
        start = at + _FRAME.size
        end = start + head_len + body_len
        if end > len(data):
            return
        head, body = data[start:start + head_len], data[start + head_len:end]
        if zlib.crc32(body, zlib.crc32(head)) != crc:
            return
        try:
            meta = json.loads(head)
            raw = codec.decompress(body, decompressed_size=meta["size"], asbytes=True) if body else b""
            yield Answer(str(meta["tag"]), int(meta["key"]), str(meta["url"]), int(meta["status"]),
                         {str(k): str(v) for k, v in meta["headers"].items()}, raw)
        except (ValueError, KeyError, TypeError, OSError, pa.ArrowException):
            return
        at = end


class AnswerJournal:
    """The segments of one JOBDIR: written by one crawl, read back by the next."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._file: IO[bytes] | None = None
        self._codec = _codec()
        self.written = 0  # entries written by this process

    def segments(self) -> list[Path]:
        return sorted(self.directory.glob("answers-*.bin")) if self.directory.is_dir() else []

    def record(self, answer: Answer) -> None:
        if self._file is None:
            self._file = self._open_next()
        self._file.write(encode(answer, self._codec))
        self._file.flush()  # in the OS's hands: a SIGKILL keeps it
        self.written += 1

    def rotate(self) -> None:
        """A checkpoint was written: later answers go to a new segment; old ones are pruned."""
        self.close()
        for old in self.segments()[:-KEEP_SEGMENTS]:
            old.unlink(missing_ok=True)

    def take_up(self, keep: Callable[[Answer], bool]) -> list[Answer]:
        """The answers of the segments left by earlier runs that `keep` accepts, in the order
        they came; the segments are removed (the answers replayed are journaled again, under
        the keys this run gives them)."""
        self.close()
        found = []
        for path in self.segments():
            try:
                data = path.read_bytes()
            except OSError as exc:
                logger.warning("Answer journal %s cannot be read (%s): its answers are asked again",
                               path, exc)
                continue
            found += [a for a in decode_all(data, self._codec) if keep(a)]
        self.clear()
        return found

    def clear(self) -> None:
        self.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _open_next(self) -> IO[bytes]:
        self.directory.mkdir(parents=True, exist_ok=True)
        last = self.segments()
        number = int(last[-1].stem.rpartition("-")[2]) + 1 if last else 1
        return (self.directory / f"answers-{number:06d}.bin").open("ab")


class Replay:
    """Answers waiting to be replayed, by URL, each given once, in the order they came (a URL
    asked twice by the killed run had two answers)."""

    def __init__(self, answers: list[Answer] | None = None) -> None:
        self._by_url: dict[str, deque[Answer]] = {}
        for answer in answers or []:
            self._by_url.setdefault(answer.url, deque()).append(answer)

    def take(self, url: str) -> Answer | None:
        waiting = self._by_url.get(url)
        if not waiting:
            return None
        answer = waiting.popleft()
        if not waiting:
            del self._by_url[url]
        return answer

    def __len__(self) -> int:
        return sum(len(q) for q in self._by_url.values())
