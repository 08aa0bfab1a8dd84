"""One sandbox for the client's tests: 3,000 offers with the legacy range cap (1,150 rows a
query), so that a harvest crosses the cap in about 25 requests, at 50 requests/s (the client runs
at 40) where the rate is not what a test is about. Tests that need other limits, token lifetimes
or faults set them through the sandbox's control API and restore them after (`configured`)."""

from __future__ import annotations

import pytest

from offres_crawler.client import OffresClient, RetryPolicy
from tests.sandboxproc import SandboxProcess

ANCHOR = "2025-01-15T12:00:00Z"
CLIENT_RATE = 40  # under the sandbox's 50
# The crawl's retry rules, with short backoffs: the tests' faults are injected, not waited for.
FAST_RETRY = RetryPolicy(backoff_base=0.05, backoff_max=0.5, retry_after_max=5.0)


@pytest.fixture(scope="session")
def client_sandbox():
    sb = SandboxProcess(args=["--offers", "3000", "--seed", "11", "--anchor", ANCHOR,
                              "--range-mode", "legacy", "--rate-limit", "50"]).start()
    yield sb
    sb.stop()


def new_client(sb: SandboxProcess, **options) -> OffresClient:
    options.setdefault("rate_limit", CLIENT_RATE)
    options.setdefault("retry", FAST_RETRY)
    return OffresClient(sb.client_id, sb.client_secret, api_url=sb.api_url, token_url=sb.token_url,
                        **options)


@pytest.fixture
def client(client_sandbox):
    with new_client(client_sandbox) as c:
        yield c


def traffic(sb: SandboxProcess) -> dict:
    """What the sandbox has received so far: requests by endpoint and status (a reset has
    none), tokens issued, 429s, faults injected."""
    stats = sb.stats()
    return {"requests": stats["requests"], "tokens": stats["tokens_issued"],
            "rate_limited": stats["rate_limited"], "faults": stats["faults"]}


def new_requests(before: dict, after: dict, endpoint: str) -> dict[str, int]:
    """Requests to `endpoint` between two `traffic()` readings, by status."""
    old, new = before["requests"].get(endpoint, {}), after["requests"].get(endpoint, {})
    return {status: n - old.get(status, 0) for status, n in new.items() if n != old.get(status, 0)}
