"""One FeedRegistry per crawler, through the project's one mechanism for per-crawler objects."""

from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.per_crawler import shared
from tests.project_settings import project_crawler


def test_one_registry_per_crawler():
    first, second = project_crawler(), project_crawler()
    registry = FeedRegistry.of(first)
    assert FeedRegistry.of(first) is registry is shared(first, FeedRegistry)
    assert FeedRegistry.of(second) is not registry
    assert registry.store is None and registry.parts == [] and registry.snapshot is None
