"""IdStore: one entry per offer id with its latest dateActualisation, in under 64 bytes an id."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from offres_crawler.offers.id_store import (
    NO_DATE,
    IdStore,
    Outcome,
    id_key,
    load_records,
    save_records,
)


def test_short_ascii_ids_are_packed_losslessly_and_others_hashed():
    assert id_key("179LKRN") == (7 << 56) | int.from_bytes(b"179LKRN", "big")
    assert id_key("8521039") == (7 << 56) | int.from_bytes(b"8521039", "big")
    assert id_key("A") == (1 << 56) | ord("A")
    for long_or_unicode in ("12345678", "179LKRN-2", "é", ""):
        assert id_key(long_or_unicode) >= 1 << 63
    assert id_key("12345678") == id_key("12345678")
    assert len({id_key(x) for x in ("A", "\0A", "AA", "B")}) == 4


def test_first_copy_new_later_copy_newer_else_duplicate():
    store = IdStore()
    key = id_key("179LKRN")
    assert store.offer(key, 100) is Outcome.NEW
    assert store.offer(key, 100) is Outcome.DUPLICATE  # a tie keeps the first copy
    assert store.offer(key, 99) is Outcome.DUPLICATE
    assert store.offer(key, 101) is Outcome.NEWER
    assert store.offer(key, 100) is Outcome.DUPLICATE
    assert store.get(key) == 101 and len(store) == 1
    other = id_key("8521039")
    assert store.offer(other, NO_DATE) is Outcome.NEW
    assert store.offer(other, 5) is Outcome.NEWER  # any date beats a missing one
    assert store.get(id_key("nope")) is None and id_key("nope") not in store


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=9), st.integers(-5, 5)), max_size=400))
def test_outcomes_match_a_dict(copies):
    store, model = IdStore(capacity=4), {}
    for offer_id, date in copies:
        key = id_key(offer_id)
        expected = (Outcome.NEW if key not in model else
                    Outcome.NEWER if date > model[key] else Outcome.DUPLICATE)
        assert store.offer(key, date) is expected
        model[key] = max(model.get(key, date), date)
    assert len(store) == len(model)
    keys = np.array(list(model), dtype=np.uint64)
    assert store.lookup(keys).tolist() == [model[k] for k in model]


def test_growth_and_vectorised_paths_agree_with_single_inserts():
    rng = np.random.default_rng(1)
    ids = [f"{n:07d}" for n in rng.choice(10_000_000, 50_000, replace=False)]
    dates = rng.integers(0, 10**15, len(ids))
    one_by_one = IdStore(capacity=16)
    for offer_id, date in zip(ids, dates.tolist()):
        one_by_one.offer(id_key(offer_id), date)
    keys = np.array([id_key(x) for x in ids], dtype=np.uint64)
    merged = IdStore(capacity=16)
    merged.merge(keys[::2], dates[::2])
    merged.merge(keys, dates - 1)  # older copies of every id: the latest date must stay
    merged.merge(keys[1::2], dates[1::2])
    assert len(one_by_one) == len(merged) == len(ids)
    assert (one_by_one.lookup(keys) == dates).all()
    assert (merged.lookup(keys) == dates).all()
    assert (merged.lookup(np.array([id_key("absent")], dtype=np.uint64)) == NO_DATE).all()


def test_at_most_64_bytes_per_id_at_one_million_ids():
    rng = np.random.default_rng(2)
    keys = rng.choice(2**62, 1_000_000, replace=False).astype(np.uint64) + np.uint64(1)
    store = IdStore()
    store.merge(keys, rng.integers(0, 10**15, len(keys)))
    assert len(store) == 1_000_000
    assert store.nbytes / len(store) <= 64


def test_records_survive_a_save_and_load(tmp_path):
    store = IdStore()
    for n in range(1000):
        store.offer(id_key(f"{n:07d}"), n * 1000)
    store.offer(id_key("é-long-id"), NO_DATE)
    save_records(tmp_path / "state.npy", *store.records_arrays())
    restored = IdStore()
    restored.merge(*load_records(tmp_path / "state.npy"))
    keys, dates = store.records_arrays()
    assert len(restored) == len(store) == 1001
    assert (restored.lookup(keys) == dates).all()
    assert not list(tmp_path.glob("*.tmp"))
