"""Which API answers are worth another attempt: the rule the crawler's retry middleware
(transport/retry.py) and the Python client (offres_crawler.client) share.

Retried with backoff (transport/backoff.py): 408 and every 5xx (gateways answer 520-524 too),
and a 200/206 whose body is not valid JSON (cut short). 429 has its own rule (`Retry-After`,
the whole pace paused) and 401 its own (one new token, one retry); any other 4xx is final.
"""

from __future__ import annotations

RETRIED_STATUSES = frozenset({408, 500, 501, 502, 503, 504, 520, 521, 522, 523, 524})
MALFORMED_JSON = "malformed_json"  # the failure reason of a body that does not parse


def retried_status(status: int) -> bool:
    """Whether an answer with this status is retried (with backoff, within bounds)."""
    return status in RETRIED_STATUSES or status >= 500


def status_reason(status: int) -> str:
    """The failure reason of an HTTP status, as stats and the run's error list name it."""
    return f"http_{status}"
