"""Where the offres_search run report goes, and what it never shows."""
from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from offres_crawler.addon_feeds import redact_uri
from offres_crawler.spiders.search_report import report_path

STARTED = 1_760_000_000.0


def test_the_report_goes_beside_the_first_file_feed():
    settings = Settings({"OFFRES_SEARCH_REPORT": ""})
    assert report_path(settings, {"out/offres.jsonl": {}}, STARTED) == Path("out/offres.report.json")
    assert report_path(settings, {"file:///data/x.parquet": {}}, STARTED) == Path("/data/x.report.json")


def test_without_a_file_feed_it_goes_under_output():
    settings = Settings({"OFFRES_SEARCH_REPORT": ""})
    path = report_path(settings, {"s3://bucket/offres.jsonl": {}}, STARTED)
    assert path == Path("output/offres_search/report_2025-10-09T08-53-20.json")


def test_an_explicit_path_wins():
    settings = Settings({"OFFRES_SEARCH_REPORT": "reports/search_%(time)s.json"})
    assert report_path(settings, {"out/offres.jsonl": {}}, STARTED) == \
        Path("reports/search_2025-10-09T08-53-20.json")


def test_a_password_in_a_feed_uri_is_never_written():
    assert redact_uri("ftp://user:hunter2@example.org/offres.jsonl") == \
        "ftp://user:***@example.org/offres.jsonl"
    assert redact_uri("output/offres.jsonl") == "output/offres.jsonl"
