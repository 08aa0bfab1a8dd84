"""One instance per crawler of the transport's shared state.

The token, the pace and the failure list are each used by a downloader middleware *and* by the
download handler, which Scrapy builds separately; `shared(crawler, cls)` gives every one of them
the same `cls(crawler)`. It lives as long as the crawler.
"""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

T = TypeVar("T")

_instances: weakref.WeakKeyDictionary[Crawler, dict[type, object]] = weakref.WeakKeyDictionary()


def shared(crawler: Crawler, cls: Callable[[Crawler], T]) -> T:
    per_class = _instances.setdefault(crawler, {})
    if cls not in per_class:
        per_class[cls] = cls(crawler)
    return per_class[cls]  # type: ignore[return-value]
