"""The ids a detail crawl has answered for good, kept in its JOBDIR so that a run killed at any
moment (SIGKILL included) and started again asks every other id, and only those.

On disk: one JSON value per line, appended and flushed per answer: `[id, [length, ...]]`, the
id (any character, a newline too) with the length of each output file once its row was written,
in the order of the last `{"files": [path, ...]}` line (written when the files change). A
resumed run cuts each file back to the length the last record gives it (`marks`): a row written
after that record (its id asked again) is not there twice. Ids, lengths and paths only: nothing
secret. A kill can leave a last line half written: it is not a record, and is ignored when the
file is read back (that id is asked again). A bare JSON string is an id without lengths.

In memory: an IdStore of the ids answered (read back, or answered in this run), about 34 bytes
an id, so a whole market's record stays small.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING

from offres_crawler.offers.id_store import NO_DATE, IdStore, Outcome, id_key

if TYPE_CHECKING:
    from pathlib import Path


class AnswerLog:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path  # None: in memory only (no JOBDIR, or feeds a kill would not keep)
        self._answered = IdStore()
        self._file: IO[str] | None = None
        self._files: list[str] = []  # the paths the records' lengths are those of
        self.restored = 0  # ids read back from a previous run
        self.marks: dict[str, int] = {}  # path -> length at the last record (restored)

    def restore(self) -> int:
        """Read the ids recorded by previous runs, and the files' lengths at the last record;
        a torn last line is left out."""
        if self.path is None or not self.path.is_file():
            return 0
        files: list[str] = []
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if not line.endswith("\n"):
                    continue
                if isinstance(record, dict) and isinstance(record.get("files"), list):
                    files = [str(p) for p in record["files"]]
                    continue
                if isinstance(record, list) and len(record) == 2 and isinstance(record[1], list):
                    offer_id, lengths = record
                    self.marks.update(zip(files, (int(n) for n in lengths)))
                else:
                    offer_id = record
                if isinstance(offer_id, str):
                    self.restored += self._answered.offer(id_key(offer_id), NO_DATE) is Outcome.NEW
        return self.restored

    def __contains__(self, offer_id: str) -> bool:
        return id_key(offer_id) in self._answered

    def claim(self, offer_id: str) -> bool:
        """Mark `offer_id` answered in memory; False when it already was (a second answer)."""
        return self._answered.offer(id_key(offer_id), NO_DATE) is Outcome.NEW

    def persist(self, offer_id: str, lengths: dict[str, int] | None = None) -> None:
        """Append `offer_id` to the record, flushed, with the output files' `lengths` (path ->
        bytes) once its row is written and flushed."""
        if self.path is None:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        lengths = lengths or {}
        if sorted(lengths) != self._files:
            self._files = sorted(lengths)
            self._file.write(json.dumps({"files": self._files}, ensure_ascii=False) + "\n")
        record = [offer_id, [lengths[p] for p in self._files]]
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def discard(self) -> None:
        """Remove the record: this run's output cannot vouch for it (see the spider)."""
        self.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        self.path = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
