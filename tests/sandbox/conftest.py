from __future__ import annotations

import pytest

from tests.sandbox.httpclient import configured, get_token


@pytest.fixture(scope="module")
def sb(sandbox):
    """The shared sandbox with its rate limit lifted, for modules that test other rules."""
    with configured(sandbox, rate_limit=1000):
        yield sandbox


@pytest.fixture(scope="module")
def token(sb):
    return get_token(sb)
