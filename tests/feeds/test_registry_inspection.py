"""The Parquet exporter reuses the validation's inspection of an offer only while the offer still has
the keys that were validated: a later pipeline adding a key in place must not lose it."""

from offres_crawler.exporters.registry import FeedRegistry


def test_inspection_reused_for_the_same_unchanged_offer():
    registry = FeedRegistry()
    offer = {"id": "123ABCD", "intitule": "x"}
    registry.remember_inspection(offer, "report")
    assert registry.recall_inspection(offer) == "report"


def test_inspection_dropped_when_a_key_was_added_in_place():
    registry = FeedRegistry()
    offer = {"id": "123ABCD", "intitule": "x"}
    registry.remember_inspection(offer, "report")
    offer["offres_salaire"] = {"min": 1}
    assert registry.recall_inspection(offer) is None


def test_inspection_not_reused_for_an_equal_but_distinct_offer():
    registry = FeedRegistry()
    registry.remember_inspection({"id": "123ABCD"}, "report")
    assert registry.recall_inspection({"id": "123ABCD"}) is None
