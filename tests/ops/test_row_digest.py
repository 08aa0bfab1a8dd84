"""Row digests: equal rows give equal digests whatever the layout; any change gives another."""

from __future__ import annotations

import copy
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offres_crawler.offers.arrow_rows import offers_to_batch
from offres_crawler.offers.row_digest import digests, row_digests
from tests.ops.snapshots import market_offers

OFFERS = market_offers(600, seed=3)
BATCH, _ = offers_to_batch(OFFERS)
DIGESTS = row_digests(BATCH)


def _digest_of(offer: dict) -> int:
    batch, _ = offers_to_batch([offer])
    return int(row_digests(batch)[0])


def test_distinct_offers_have_distinct_digests():
    assert DIGESTS.dtype == np.uint64
    assert len(set(DIGESTS.tolist())) == len(OFFERS)


def test_digest_does_not_depend_on_slicing_chunking_or_files(tmp_path):
    sliced = np.concatenate([row_digests(BATCH.slice(start, 37)) for start in range(0, BATCH.num_rows, 37)])
    assert (sliced == DIGESTS).all()
    chunked = pa.Table.from_batches([BATCH.slice(0, 100), BATCH.slice(100)])
    assert (row_digests(chunked) == DIGESTS).all()
    path = tmp_path / "offers.parquet"
    pq.write_table(pa.Table.from_batches([BATCH]), path, row_group_size=64)
    read = np.concatenate([row_digests(b) for b in pq.ParquetFile(path).iter_batches(batch_size=50)])
    assert (read == DIGESTS).all()
    # the same offer alone in a batch, or built again from its dict
    assert _digest_of(OFFERS[17]) == DIGESTS[17]


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _leaves(sub, (*path, i))
    else:
        yield path, value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.5
    return value + "x"


def _set(offer, path, value):
    target = offer
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(OFFERS) - 1), st.integers(0, 10_000))
def test_any_leaf_change_changes_the_digest(row, pick):
    leaves = [(p, v) for p, v in _leaves(OFFERS[row]) if v is not None]
    path, value = leaves[pick % len(leaves)]
    offer = copy.deepcopy(OFFERS[row])
    _set(offer, path, _changed(value))
    assert _digest_of(offer) != DIGESTS[row], path


def test_order_inside_lists_counts():
    row = next(i for i, o in enumerate(OFFERS) if len(o.get("competences", [])) >= 2
               and o["competences"][0] != o["competences"][1])
    offer = copy.deepcopy(OFFERS[row])
    offer["competences"][0], offer["competences"][1] = offer["competences"][1], offer["competences"][0]
    assert _digest_of(offer) != DIGESTS[row]


@pytest.mark.parametrize("key, empty", [("salaire", {}), ("competences", []), ("complementExercice", "")])
def test_absent_empty_and_present_differ(key, empty):
    base = {k: v for k, v in OFFERS[0].items() if k != key}
    with_empty = {**base, key: empty}
    assert len({_digest_of(base), _digest_of(with_empty)}) == 2


def test_unknown_keys_are_part_of_the_content():
    offer = copy.deepcopy(OFFERS[5])
    offer["nouvelleCle"] = {"a": 1}
    assert _digest_of(offer) != DIGESTS[5]


def test_scalar_columns_and_nulls():
    values = pa.array([1, None, 0, 2], pa.int32())
    d = digests(values)
    assert len(set(d.tolist())) == 4
    assert (digests(pa.array([None, 0], pa.int32())) == d[1:3]).all()
    floats = digests(pa.array([0.0, -0.0, 1.5], pa.float64()))
    assert len(set(floats.tolist())) == 3


def test_real_offers_survive_a_parquet_round_trip(samples, tmp_path):
    offers = [o for path in sorted((samples / "offres").glob("*.json"))
              for o in json.loads(path.read_text(encoding="utf-8"))]
    unique = list({o["id"]: o for o in offers}.values())
    batch, _ = offers_to_batch(unique)
    expected = row_digests(batch)
    assert len(set(expected.tolist())) == len(unique)
    path = tmp_path / "real.parquet"
    pq.write_table(pa.Table.from_batches([batch]), path, row_group_size=500)
    assert (row_digests(pq.read_table(path)) == expected).all()
