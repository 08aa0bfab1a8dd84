"""One day applied to the history: the records a snapshot's changes make (framework-free).

From the generation of the previous snapshot (history/store.py) and the day's changes
(history/changes.py):
- withdrawn offers leave the online records for the day's withdrawn file, with `last_seen` the
  previous snapshot's date and `withdrawn_on` this one's;
- updated offers take their newer copy (history/records.py: `refreshed`);
- created offers are new records, unless the withdrawal index knows them: then they re-appear,
  their record taken back from the file of the day they were withdrawn (which is rewritten
  without it), so that each offer keeps one record, online or withdrawn;
- every online record gets `last_seen` = this day.
What does not fit (an updated or withdrawn offer the history does not hold online, a created one
it does) comes from a history built on another chain of snapshots: it is repaired the sensible
way and counted in `inconsistent`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from offres_crawler.snapshot.history import closed_index
from offres_crawler.snapshot.history.changes import DayChanges
from offres_crawler.snapshot.history.records import (
    HISTORY_SCHEMA,
    OfferReader,
    closed,
    day_number,
    new_records,
    refreshed,
    with_last_seen,
)
from offres_crawler.snapshot.history.store import Builder, Generation, withdrawn_file

_EPOCH = date(1970, 1, 1)


def day_text(number: int) -> str:
    return (_EPOCH + timedelta(days=int(number))).isoformat()


@dataclass
class Applied:
    online: pa.Table
    keys: np.ndarray
    runs: list[closed_index.Run]
    counts: Counter = field(default_factory=Counter)


def _positions(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each key is in `sorted_keys`, and whether it is there."""
    if not len(sorted_keys):
        return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
    at = np.searchsorted(sorted_keys, keys)
    safe = np.minimum(at, len(sorted_keys) - 1)
    return safe, sorted_keys[safe] == keys


def _latest_per_key(table: pa.Table, keys: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """One row per key (the latest dateActualisation), sorted by key."""
    if not len(keys):
        return table, keys
    dates = pc.fill_null(table.column("dateActualisation").cast(pa.int64()), np.iinfo(np.int64).min)
    order = np.lexsort((np.arange(len(keys)), dates.to_numpy(), keys))
    keys = keys[order]
    last = np.ones(len(keys), bool)
    last[:-1] = keys[1:] != keys[:-1]
    return table.take(order[last]), keys[last]


def _records(fields: dict[str, pa.Array], rows: np.ndarray) -> dict[str, pa.Array]:
    index = pa.array(rows)
    return {name: column.take(index) for name, column in fields.items()}


def first_day(reader: OfferReader, offers: pa.Table, day: str) -> tuple[pa.Table, np.ndarray]:
    """Online records from the first snapshot of the history."""
    offers, keys = _latest_per_key(offers, reader.keys(offers))
    return new_records(reader.fields(offers), day), keys


def apply_day(reader: OfferReader, base: Generation, builder: Builder, changes: DayChanges) -> Applied:
    day, previous = changes.day, changes.previous
    online, online_keys = base.online()
    counts: Counter = Counter()

    # withdrawn: out of the online records, into the day's file
    at, held = _positions(online_keys, changes.withdrawn)
    counts["withdrawn"] = int(held.sum())
    counts["inconsistent"] += int((~held).sum())  # gone, but not online here: nothing to close
    leaving = np.zeros(len(online_keys), bool)
    leaving[at[held]] = True
    gone = closed(online.filter(pa.array(leaving)), last_seen=previous, withdrawn_on=day)
    gone_keys = online_keys[leaving]

    # newer copies: updated offers, and created ones the history holds online (another chain)
    created, created_keys = _latest_per_key(changes.created, reader.keys(changes.created))
    updated, updated_keys = _latest_per_key(changes.updated, reader.keys(changes.updated))
    created_keys_only = ~np.isin(created_keys, updated_keys)
    created, created_keys = created.filter(pa.array(created_keys_only)), created_keys[created_keys_only]
    rows = pa.concat_tables([created, updated.cast(created.schema)]) if created.num_rows else updated
    fields = reader.fields(rows)
    is_update = np.r_[np.zeros(len(created_keys), bool), np.ones(len(updated_keys), bool)]
    keys = np.concatenate([created_keys, updated_keys])
    at, found = _positions(online_keys, keys)
    held = found & ~leaving[at]
    counts["updated"] = int((held & is_update).sum())
    counts["inconsistent"] += int((held & ~is_update).sum()) + int((found & ~held).sum())
    counts["inconsistent"] += int((~found & is_update).sum())
    touched_at = at[held]
    touched = refreshed(online.take(pa.array(touched_at)), _records(fields, np.flatnonzero(held)),
                        day=day, counted=True)

    # arriving (not online): records taken back from a withdrawn file, or new ones
    arriving = np.flatnonzero(~found)
    back, back_at = _reappeared(base, builder, keys[arriving], fields["id"].take(pa.array(arriving)), counts)
    back_rows = arriving[back_at]
    returning = refreshed(back, _records(fields, back_rows), day=day, counted=False)
    returning = returning.set_column(HISTORY_SCHEMA.get_field_index("reappeared"), "reappeared",
                                     pc.add(returning.column("reappeared"), pa.scalar(1, pa.int32())))
    new_rows = np.setdiff1d(arriving, back_rows, assume_unique=True)
    counts["created"] = len(new_rows)
    counts["reappeared"] = back.num_rows
    born = new_records(_records(fields, new_rows), day)

    keep = ~leaving
    keep[touched_at] = False
    parts = [with_last_seen(online.filter(pa.array(keep)), day), touched, returning, born]
    all_keys = np.concatenate([online_keys[keep], online_keys[touched_at], keys[back_rows], keys[new_rows]])
    order = np.argsort(all_keys, kind="stable")
    table = pa.concat_tables([p.cast(HISTORY_SCHEMA) for p in parts]).take(pa.array(order))

    builder.replace_withdrawn(day, gone)
    runs = closed_index.add(builder.index, base.runs(), gone_keys, day_number(day), f"r{builder.seq:06d}")
    counts["online"] = table.num_rows
    return Applied(table, all_keys[order], runs, counts)


def _reappeared(base: Generation, builder: Builder, keys: np.ndarray, ids: pa.Array,
                counts: Counter) -> tuple[pa.Table, np.ndarray]:
    """The withdrawn records of `keys` (whose ids are `ids`) that the index knows, taken out of
    their day's file in the generation being built. Returns them and the positions in `keys`
    they belong to. A day's file is matched on the ids themselves (Arrow's hash lookup), not on
    keys computed for its every row: that file is the bulk of the cost of an offer coming back."""
    days = closed_index.lookup(base.index, base.runs(), keys)
    tables, rows = [], []
    for number in np.unique(days[days != closed_index.NONE]):
        withdrawn_on = day_text(number)
        path = builder.offers / withdrawn_file(withdrawn_on)
        if not path.exists():
            continue
        file_table = pq.read_table(path)
        wanted = np.flatnonzero(days == number)
        found = pc.is_in(file_table.column("id"), value_set=ids.take(pa.array(wanted)))
        taken = file_table.filter(found)
        if not taken.num_rows:
            continue
        builder.replace_withdrawn(withdrawn_on, file_table.filter(pc.invert(found)))
        counts["withdrawn_files_rewritten"] += 1
        position = {offer_id: i for i, offer_id in zip(wanted, ids.take(pa.array(wanted)).to_pylist())}
        tables.append(taken)
        rows.extend(position[offer_id] for offer_id in taken.column("id").to_pylist())
    if not tables:
        return HISTORY_SCHEMA.empty_table(), np.zeros(0, np.int64)
    return pa.concat_tables(tables), np.array(rows, np.int64)
