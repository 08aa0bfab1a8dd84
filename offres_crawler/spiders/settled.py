"""Know when every item of an answer has been through the item pipelines and the feeds.

Scrapy hands a callback's items to the pipelines concurrently (up to CONCURRENT_ITEMS, from a
queue the callback fills), so the code after a callback's last `yield` may run before its items
are written. A spider whose checkpoints (extensions/checkpoint.py) say "this answer is done" must
say it only once each of its items is written, or dropped: `Settling.expect(response, n, done)`
calls `done()` once the `n` items the callback yields for `response` have each been scraped,
dropped or failed (the item signals carry the response they come from).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler
    from scrapy.http import Response


class Settling:
    def __init__(self, crawler: Crawler) -> None:
        self._waiting: dict[Response, list[Any]] = {}  # response -> [items left, done]
        self._crawler = crawler
        self._connected = False

    def connect(self) -> None:
        """Listen to the item signals; call it once the crawl has started (in `start()`), so
        that the feed exporter, connected when it was built, has written an item first."""
        if not self._connected:
            for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
                self._crawler.signals.connect(self._item_done, signal)
            self._connected = True

    def expect(self, response: Response, items: int, done: Callable[[], None]) -> None:
        """`done()` once `items` items of `response` are through (at once when there are none)."""
        if items <= 0:
            done()
        else:
            self._waiting[response] = [items, done]

    def __len__(self) -> int:
        return len(self._waiting)

    def _item_done(self, item: Any, response: Response | None = None, **kwargs: Any) -> None:
        entry = self._waiting.get(response) if response is not None else None
        if entry is None:
            return
        entry[0] -= 1
        if entry[0] == 0:
            del self._waiting[response]
            entry[1]()
