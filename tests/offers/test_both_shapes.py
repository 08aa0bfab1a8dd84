"""The crawler takes both shapes of an offer (issue 16, deliverable 4): the 2024-25 one, and the newer
one with top-level `contexteTravail`, `entrepriseAdaptee`, `employeurHandiEngage` (plus
`trancheEffectifEtab`, `salaire.listeComplements`) that real offers carry since December 2025.

A sandbox market with half its offers in each shape goes through what the crawler does to every
offer: the validation pipeline's inspection (offers/validation.py) and the Parquet rows
(offers/arrow_rows.py). Nothing is rejected, nothing is unknown, nothing moves to the extra
column, and every value comes back."""

from __future__ import annotations

import pyarrow as pa

from offres_crawler.offers.arrow_rows import offers_from_table, offers_to_batch, typed_offer
from offres_crawler.offers.validation import inspect_offer
from tests.sandbox.market_helpers import market, rendered

NEWER = ("contexteTravail", "entrepriseAdaptee", "employeurHandiEngage")


def _offers() -> list[dict]:
    return [o for _, o in rendered(market(offers=2_000, seed=16, new_fields_share=0.5))]


def test_the_market_has_both_shapes():
    offers = _offers()
    newer = [o for o in offers if "entrepriseAdaptee" in o]
    assert 0.4 < len(newer) / len(offers) < 0.6
    assert any("contexteTravail" in o for o in newer) and any("trancheEffectifEtab" in o for o in newer)
    assert any("listeComplements" in o["salaire"] for o in newer)
    assert not any(key in o for o in offers if o not in newer for key in NEWER)


def test_the_validation_pipeline_takes_both_shapes():
    reports = [inspect_offer(o) for o in _offers()]
    assert [r.reason() for r in reports if not r.valid] == []
    assert [r.unknown for r in reports if r.unknown] == []  # every key of either shape is declared
    assert [r.nulls for r in reports if r.nulls] == []


def test_parquet_rows_keep_both_shapes_whole():
    offers = _offers()
    batch, info = offers_to_batch(offers)
    assert info.unknown_keys == {} and info.moved_values == 0 and info.nulls == 0
    table = pa.Table.from_batches([batch])
    assert offers_from_table(table) == [typed_offer(o) for o in offers]
    for key in NEWER:  # a column of its own, null exactly where the older shape lacks the key
        assert table.column(key).to_pylist().count(None) == sum(key not in o for o in offers)
