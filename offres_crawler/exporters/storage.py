"""Local feed files that a crash cannot corrupt: the `file` feed storage of this project
(FEED_STORAGES, wired by the add-on), Scrapy's FileFeedStorage made crash-safe.

- Overwrite (`-O FILE`, `overwrite: True`): rows go to a hidden temporary file beside FILE
  (`.FILE.<random>.tmp`, `.tmp.gz` for a `.gz` FILE), which is fsynced and renamed over FILE
  when the feed is stored: a run that is killed, or refused, leaves the previous FILE exactly
  as it was, and readers never see a half-written one (Scrapy's own storage empties FILE when
  the crawl starts). A killed run's temporary file is removed by the next run that writes FILE.
- Append (`-o FILE`): rows are appended to FILE itself, so that what is flushed survives a
  kill. A line a killed run left half written is cut first (line formats), so that the next row
  starts on a line of its own; a resumed crawl cuts further, back to its last checkpoint
  (extensions/checkpoint.py). The file is fsynced when stored.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.extensions.feedexport import FileFeedStorage

from offres_crawler.files import cut_torn_line, new_file_mode, replace_durably

if TYPE_CHECKING:
    from scrapy import Spider

logger = logging.getLogger(__name__)

LINE_FORMATS = ("jsonl", "jsonlines", "csv")
TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def is_plain_lines(path: str | Path, feed_options: dict[str, Any]) -> bool:
    """A feed written as plain lines (not compressed, not post-processed): a row flushed is a
    line of the file, and the file can be cut back to any line boundary."""
    return (feed_options.get("format") in LINE_FORMATS and not feed_options.get("postprocessing")
            and not str(path).endswith(".gz"))


class DurableFileFeedStorage(FileFeedStorage):
    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.feed_options = dict(feed_options or {})
        self.temp_path: Path | None = None

    @property
    def appends(self) -> bool:
        return self.write_mode == "ab"

    def open(self, spider: Spider) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.appends:
            if is_plain_lines(path, self.feed_options):
                cut = cut_torn_line(path)
                if cut:
                    logger.warning("%s ended with a line left half written (%d bytes, a killed "
                                   "run): removed before appending", path, cut)
            return path.open("ab")
        for stale in path.parent.glob(f"{temp_prefix(path)}*{TEMP_SUFFIX}*"):
            stale.unlink(missing_ok=True)  # a killed run's unfinished file
        # ".gz" kept last: the JSONL exporter compresses a file whose name ends with it
        suffix = TEMP_SUFFIX + (".gz" if path.name.endswith(".gz") else "")
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path), suffix=suffix)
        os.chmod(name, path.stat().st_mode & 0o7777 if path.exists() else new_file_mode())
        self.temp_path = Path(name)
        os.close(fd)
        return open(name, "wb")  # by name, not fd: the exporter reads `.name` (gzip)

    def store(self, file: IO[bytes]) -> None:
        if not file.closed:
            file.flush()
            os.fsync(file.fileno())
            file.close()
        if self.temp_path is not None:
            replace_durably(self.temp_path, self.path)
            self.temp_path = None
