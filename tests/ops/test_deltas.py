"""Comparing two snapshots: created, updated (dateActualisation or content) and withdrawn."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from offres_crawler.offers.arrow_rows import offers_from_table, offers_to_batch, typed_offer
from offres_crawler.offers.id_store import id_key
from offres_crawler.snapshot.deltas import compare, index_batches, index_files, select_rows
from offres_crawler.snapshot.deltas_layout import snapshot_files
from tests.ops.snapshots import market_offers, touched, write_snapshot

OFFERS = market_offers(1500, seed=11)


def _keys(ids) -> np.ndarray:
    return np.sort(np.array([id_key(i) for i in ids], dtype=np.uint64))


def _later(offer: dict) -> str:
    """dateActualisation one second later, in the API's form."""
    date = typed_offer(offer)["dateActualisation"]
    return date.replace(second=(date.second + 1) % 60).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _scenario():
    """Yesterday: offers 0..1199. Today: 100..1199 with some changed, plus 1200..1499."""
    previous = OFFERS[:1200]
    current = list(OFFERS[100:])
    by_date = {100, 250, 999}
    by_content = {101, 400, 1100}
    for i in by_date:
        current[i - 100] = touched(OFFERS[i], dateActualisation=_later(OFFERS[i]))
    for i in by_content:  # same dateActualisation, another text (the API does this too)
        current[i - 100] = touched(OFFERS[i], intitule=OFFERS[i]["intitule"] + " - urgent")
    return previous, current, by_date, by_content


def test_compare_classifies_every_offer(tmp_path):
    previous, current, by_date, by_content = _scenario()
    prev_dir = write_snapshot(tmp_path, "2025-10-09", previous)
    cur_dir = write_snapshot(tmp_path, "2025-10-10", current)
    prev_index, cur_index = index_files(snapshot_files(prev_dir)), index_files(snapshot_files(cur_dir))
    assert len(prev_index) == 1200 and len(cur_index) == 1400
    changes = compare(prev_index, cur_index)
    assert changes.content_compared
    assert (changes.created == _keys(o["id"] for o in OFFERS[1200:])).all()
    assert (changes.withdrawn == _keys(o["id"] for o in OFFERS[:100])).all()
    assert (changes.updated == _keys(OFFERS[i]["id"] for i in by_date | by_content)).all()
    assert changes.counts() == {"created": 300, "updated": 6, "withdrawn": 100, "unchanged": 1094,
                                "updated_dateActualisation": 3, "updated_content_only": 3}


def test_select_rows_reads_back_exactly_the_wanted_rows(tmp_path):
    previous, current, by_date, by_content = _scenario()
    cur_dir = write_snapshot(tmp_path, "2025-10-10", current, part_rows=333, row_group_rows=50)
    files = snapshot_files(cur_dir)
    index = index_files(files, batch_rows=128)
    wanted_ids = [current[i]["id"] for i in (0, 1, 49, 50, 332, 333, 1000, 1399)]
    tables = list(select_rows(files, index, _keys(wanted_ids)))
    rows = [o for t in tables for o in offers_from_table(t)]
    assert sorted(o["id"] for o in rows) == sorted(wanted_ids)
    by_id = {o["id"]: o for o in current}
    assert all(o == typed_offer(by_id[o["id"]]) for o in rows)
    assert list(select_rows(files, index, np.zeros(0, np.uint64))) == []


def test_a_repeated_id_counts_as_its_latest_copy():
    first = OFFERS[0]
    newer = touched(first, dateActualisation=_later(first), intitule="nouvelle version")
    older_last = OFFERS[1]
    batch, _ = offers_to_batch([first, newer, OFFERS[1], touched(older_last, intitule="même date")])
    index = index_batches([(0, 0, batch)])
    assert len(index) == 2 and index.rows_read == 4
    # the newer copy of OFFERS[0] (row 1), the last copy of OFFERS[1] among equal dates (row 3)
    assert sorted((index.locations & 0xFFFF).tolist()) == [1, 3]


def test_first_snapshot_everything_created_and_empty_snapshot_everything_withdrawn():
    batch, _ = offers_to_batch(OFFERS[:10])
    full = index_batches([(0, 0, batch)])
    empty = index_batches([])
    assert len(compare(empty, full).created) == 10
    gone = compare(full, empty)
    assert len(gone.withdrawn) == 10 and len(gone.created) == 0 and gone.unchanged == 0


def test_other_schema_compares_on_dates_only(caplog):
    batch, _ = offers_to_batch(OFFERS[:5])
    previous = index_batches([(0, 0, batch)])
    changed = [touched(OFFERS[0], intitule="autre"), touched(OFFERS[1], dateActualisation=_later(OFFERS[1])),
               *OFFERS[2:5]]
    new_batch, _ = offers_to_batch(changed)
    extended = pa.RecordBatch.from_arrays([*new_batch.columns, pa.array([1] * 5)],
                                          names=[*new_batch.schema.names, "nouvelle_colonne"])
    changes = compare(previous, index_batches([(0, 0, extended)]))
    assert not changes.content_compared
    assert (changes.updated == _keys([OFFERS[1]["id"]])).all()
    assert "different schemas" in caplog.text


def test_rows_without_id_are_counted_not_indexed(tmp_path):
    batch, _ = offers_to_batch([OFFERS[0], {k: v for k, v in OFFERS[1].items() if k != "id"}])
    path = tmp_path / "x.parquet"
    pq.write_table(pa.Table.from_batches([batch]), path)
    index = index_files([path])
    assert len(index) == 1 and index.rows_without_id == 1
