"""Which answers are retried (transport/retry_rules.py, shared by the crawl and the client), and
what the environment may set (transport/environment.py)."""

from __future__ import annotations

from offres_crawler.transport.environment import from_environment
from offres_crawler.transport.retry_rules import retried_status, status_reason


def test_408_and_every_5xx_are_retried_other_answers_are_final():
    assert all(retried_status(s) for s in (408, 500, 502, 503, 504, 520, 524, 599))
    assert not any(retried_status(s) for s in (200, 204, 206, 301, 400, 401, 403, 404, 429))
    assert status_reason(503) == "http_503"


def test_a_blank_environment_value_is_unset_and_blanks_are_dropped():
    env = {"OFFRES_API_URL": "  http://127.0.0.1:8765/x\n", "OFFRES_TOKEN_URL": " ", "OFFRES_CLIENT_ID": ""}
    assert from_environment("OFFRES_API_URL", env) == "http://127.0.0.1:8765/x"
    assert from_environment("OFFRES_TOKEN_URL", env) is None
    assert from_environment("OFFRES_CLIENT_ID", env) is None
    assert from_environment("OFFRES_CLIENT_SECRET", env) is None
