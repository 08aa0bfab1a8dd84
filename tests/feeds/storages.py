"""A remote-like feed storage for tests: `copy:///abs/path` writes to a local temporary file and
"uploads" it (a copy to the path) when the feed is stored, exactly as S3/GCS/FTP storages do."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from scrapy.extensions.feedexport import BlockingFeedStorage

logger = logging.getLogger(__name__)


class CopyFeedStorage(BlockingFeedStorage):
    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        self.target = Path(urlparse(uri).path)

    def _store_in_thread(self, file: IO[bytes]) -> None:
        file.seek(0)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        with open(self.target, "wb") as out:
            shutil.copyfileobj(file, out)
        file.close()
