"""JSON Lines feed exporter for offers, registered as `jsonl` and `jsonlines`.

One offer per line, every key as the API sent it, UTF-8 with accents unescaped ("Île-de-France",
not "\\u00cele-de-France"), compact separators. Gzip on request, two ways:
- Scrapy's own post-processing plugin, per feed:
  FEEDS = {"offres.jsonl.gz": {"format": "jsonl",
                               "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]}}
- or simply a target whose name ends in `.gz` (`-O offres.jsonl.gz:jsonl`), compressed here
  when no post-processing is configured.
"""

from __future__ import annotations

import json
import logging
from gzip import GzipFile
from typing import IO, TYPE_CHECKING, Any

from scrapy.extensions.postprocessing import PostProcessingManager
from scrapy.utils.serialize import ScrapyJSONEncoder

from offres_crawler.exporters.base import OfferExporter, as_offer
from offres_crawler.offers.id_store import NO_DATE
from offres_crawler.offers.validation import parse_datetime_us

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# Offers are plain JSON; anything else (another spider's items) goes through Scrapy's encoder.
_encode_any = ScrapyJSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class JsonLinesItemExporter(OfferExporter):
    format = "jsonl"

    def __init__(self, file: IO[bytes], *, crawler: Crawler | None = None,
                 gzip: bool | None = None, gzip_compresslevel: int = 6, **kwargs: Any) -> None:
        super().__init__(file, crawler=crawler, **kwargs)
        if self.encoding and self.encoding.replace("-", "").lower() != "utf8":
            logger.warning("JSONL offer feeds are always UTF-8 (FEED_EXPORT_ENCODING=%s ignored)",
                           self.encoding)
        name = getattr(file, "name", "")
        if gzip is None:
            gzip = (isinstance(name, str) and name.endswith(".gz")
                    and not isinstance(file, PostProcessingManager))
        self._gzip = (GzipFile(fileobj=file, mode="wb", mtime=0, compresslevel=gzip_compresslevel)
                      if gzip else None)
        self._out = self._gzip or file

    def export_item(self, item: Any) -> None:
        offer = as_offer(item)
        try:
            line = _encode(offer)
        except TypeError:
            line = _encode_any(offer)
        self._out.write((line + "\n").encode("utf-8"))
        date = parse_datetime_us(offer.get("dateActualisation"))
        self._record(offer, NO_DATE if date is None else date)

    def finish_exporting(self) -> None:
        if self._gzip is not None:
            self._gzip.close()  # writes the gzip trailer; leaves the underlying file open
        self.file.flush()
        self.compact_finished_file()
