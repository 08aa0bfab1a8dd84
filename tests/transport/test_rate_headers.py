from __future__ import annotations

from offres_crawler.transport.rate_headers import RateHeaders, read_rate_headers


def test_reads_the_gateway_headers_case_insensitively():
    headers = {"x-ratelimit-burst-capacity-clientidlimiter": b"10",
               "x-ratelimit-remaining-clientidlimiter": b"7",
               "x-ratelimit-replenish-rate-clientidlimiter": b"10"}
    assert read_rate_headers(lambda name: headers.get(name.lower())) == RateHeaders(10, 7, 10)


def test_absent_or_garbled_values_are_none():
    headers = {"x-ratelimit-burst-capacity-clientidlimiter": "many",
               "x-ratelimit-remaining-clientidlimiter": "-1"}
    assert (read_rate_headers(lambda name: headers.get(name.lower()))
            == RateHeaders(None, None, None))
