"""The ids a detail crawl has answered for good, kept in its JOBDIR so that a run killed at any
moment (SIGKILL included) and started again asks every other id, and only those.

On disk: one JSON string per line (an id may hold any character, a newline too), appended and
flushed per answer. Ids only: nothing secret. A kill can leave a last line half written: it is
not an id, and is ignored when the file is read back (that id is asked again).

In memory: an IdStore of the ids answered (read back, or answered in this run), about 34 bytes
an id, so a whole market's record stays small.
"""

from __future__ import annotations

import json
import logging
from typing import IO, TYPE_CHECKING

from offres_crawler.api.id_store import NO_DATE, IdStore, Outcome, id_key

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)


class AnswerLog:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path  # None: in memory only (no JOBDIR, or feeds a kill would not keep)
        self._answered = IdStore()
        self._file: IO[str] | None = None
        self.restored = 0  # ids read back from a previous run

    def restore(self) -> int:
        """Read the ids recorded by previous runs; a torn last line is left out."""
        if self.path is None or not self.path.is_file():
            return 0
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    offer_id = json.loads(line)
                except ValueError:
                    continue
                if line.endswith("\n") and isinstance(offer_id, str):
                    self.restored += self._answered.offer(id_key(offer_id), NO_DATE) is Outcome.NEW
        return self.restored

    def __contains__(self, offer_id: str) -> bool:
        return id_key(offer_id) in self._answered

    def claim(self, offer_id: str) -> bool:
        """Mark `offer_id` answered in memory; False when it already was (a second answer)."""
        return self._answered.offer(id_key(offer_id), NO_DATE) is Outcome.NEW

    def persist(self, offer_id: str) -> None:
        """Append `offer_id` to the record, flushed: call it once the answer's row is written."""
        if self.path is None:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(json.dumps(offer_id, ensure_ascii=False) + "\n")
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
