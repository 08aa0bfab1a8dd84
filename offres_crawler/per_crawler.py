"""One instance per crawler of state shared by components that Scrapy builds separately.

The token, the pace and the failure list are each used by a downloader middleware *and* by the
download handler; the feeds' registry (`FeedRegistry.of`) by the offer pipelines, the exporters
and the feed extensions. `shared(crawler, cls)` gives every one of them the same `cls(crawler)`.
It lives as long as the crawler.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler

T = TypeVar("T")

_instances: weakref.WeakKeyDictionary[Crawler, dict[Callable[[Crawler], object], object]] = (
    weakref.WeakKeyDictionary())


def shared(crawler: Crawler, cls: Callable[[Crawler], T]) -> T:
    per_class = _instances.setdefault(crawler, {})
    if cls not in per_class:
        per_class[cls] = cls(crawler)
    return cast("T", per_class[cls])  # built by `cls(crawler)` above
