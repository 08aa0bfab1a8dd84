"""Offers (decoded JSON objects) to Arrow record batches of `OFFRE_SCHEMA`, and back.

Lossless by construction: whatever the typed columns cannot hold goes to the JSON text column
`extra_keys_json` as {JSON pointer: value}: keys unknown to the spec, explicit nulls, and (when
the offers were not validated first) values of the wrong type, which are moved there rather than
coerced (Arrow would silently turn 1.5 into 1 for an int32, or True into 1.0 for a double).
`offers_from_table` rebuilds the offers from a table read back, with date-times as aware UTC
datetimes; `typed_offer` gives an API offer the same types, so the two compare with `==`.

Framework-free (pyarrow only).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from offres_crawler.offers.arrow_schema import EXTRA_COLUMN, OFFRE_SCHEMA, OFFRE_TYPE, TIMESTAMP
from offres_crawler.offers.schema import OFFRE, Scalar, Struct
from offres_crawler.offers.validation import BAD_DATE, BAD_ID, BAD_TYPE, inspect_offer

_FIELDS = [(key, OFFRE_SCHEMA.field(key).type) for key in OFFRE.keys()]
_DATE_KEYS = frozenset(key for key, shape in OFFRE.fields if shape == Scalar("string", "date-time"))
_MOVED = frozenset({BAD_TYPE, BAD_DATE, BAD_ID})
# One conversion pass over the rows, date-times as text, then parsed column-wise by Arrow.
_ROW_TYPE = pa.struct([pa.field(f.name, pa.string()) if f.name in _DATE_KEYS else f for f in OFFRE_TYPE])
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError)


@dataclass
class BatchInfo:
    """What converting one batch met (the exporter turns these into stats)."""

    unknown_keys: dict[str, int] = field(default_factory=dict)  # stat path -> count
    moved_values: int = 0  # wrong-typed values moved to the extra column
    nulls: int = 0


def _parse_pointer(pointer: str) -> list[str]:
    return [raw.replace("~1", "/").replace("~0", "~") for raw in pointer.split("/")[1:]]


def _step(obj: Any, seg: str) -> Any:
    """A JSON pointer segment is an index in an array, a key (even "123") in an object."""
    return int(seg) if isinstance(obj, list) else seg


def _get_pointer(obj: Any, pointer: str) -> Any:
    for seg in _parse_pointer(pointer):
        obj = obj[_step(obj, seg)]
    return obj


def _remove_pointer(obj: Any, pointer: str) -> None:
    *parents, last = _parse_pointer(pointer)
    for seg in parents:
        obj = obj[_step(obj, seg)]
    if isinstance(obj, list):
        obj[int(last)] = None
    else:
        del obj[last]


def _set_pointer(obj: Any, pointer: str, value: Any) -> None:
    *parents, last = _parse_pointer(pointer)
    for seg in parents:
        obj = obj[_step(obj, seg)]
    if isinstance(obj, list):
        index = int(last)
        obj.extend([None] * (index + 1 - len(obj)))
        obj[index] = value
    else:
        obj[last] = value


def _row_and_extra(offer: dict, info: BatchInfo) -> tuple[dict, str | None]:
    report = inspect_offer(offer)
    if not (report.unknown or report.nulls or report.problems):
        return offer, None
    extra: dict[str, Any] = {}
    for pointer, stat_path, value in report.unknown:
        extra[pointer] = value
        info.unknown_keys[stat_path] = info.unknown_keys.get(stat_path, 0) + 1
    for pointer in report.nulls:
        extra[pointer] = None
    info.nulls += len(report.nulls)
    moved = [p.pointer for p in report.problems if p.code in _MOVED and p.pointer
             and not (p.code == BAD_ID and isinstance(offer.get("id"), str))]
    if moved:
        offer = copy.deepcopy(offer)
        for pointer in moved:
            extra[pointer] = _get_pointer(offer, pointer)
            _remove_pointer(offer, pointer)
        info.moved_values += len(moved)
    return offer, json.dumps(extra, ensure_ascii=False)


def _column(key: str, arrow_type: pa.DataType, values: list, extras: list, info: BatchInfo) -> pa.Array:
    try:
        if key in _DATE_KEYS:
            return pa.array(values, pa.string()).cast(TIMESTAMP)
        return pa.array(values, arrow_type)
    except _ARROW_ERRORS:
        pass
    # Some value slipped past inspection (it should not): find it row by row and move it out.
    fixed = []
    for row, value in enumerate(values):
        try:
            if key in _DATE_KEYS:
                pa.array([value], pa.string()).cast(TIMESTAMP)
            else:
                pa.array([value], arrow_type)
            fixed.append(value)
        except _ARROW_ERRORS:
            extra = json.loads(extras[row]) if extras[row] else {}
            extra["/" + key] = value
            extras[row] = json.dumps(extra, ensure_ascii=False)
            info.moved_values += 1
            fixed.append(None)
    if key in _DATE_KEYS:
        return pa.array(fixed, pa.string()).cast(TIMESTAMP)
    return pa.array(fixed, arrow_type)


def offers_to_batch(offers: list[dict]) -> tuple[pa.RecordBatch, BatchInfo]:
    """Convert offers to one record batch of OFFRE_SCHEMA (see the module docstring)."""
    info = BatchInfo()
    rows: list[dict] = []
    extras: list[str | None] = []
    for offer in offers:
        row, extra = _row_and_extra(offer, info)
        rows.append(row)
        extras.append(extra)
    try:
        struct = pa.array(rows, type=_ROW_TYPE)
        columns = [column.cast(TIMESTAMP) if key in _DATE_KEYS else column
                   for (key, _), column in zip(_FIELDS, struct.flatten())]
    except _ARROW_ERRORS:  # column by column, to find what Arrow refuses and move it out
        columns = [_column(key, arrow_type, [row.get(key) for row in rows], extras, info)
                   for key, arrow_type in _FIELDS]
    columns.append(pa.array(extras, pa.string()))
    return pa.RecordBatch.from_arrays(columns, schema=OFFRE_SCHEMA), info


# -- back from Arrow --------------------------------------------------------------------------

def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def offers_from_table(table: pa.Table | pa.RecordBatch) -> list[dict]:
    """Rebuild the offers of a table of OFFRE_SCHEMA; date-times come back as UTC datetimes."""
    offers = []
    for row in table.to_pylist():
        extra = row.pop(EXTRA_COLUMN, None)
        offer = _drop_nulls(row)
        if extra:
            for pointer, value in json.loads(extra).items():
                _set_pointer(offer, pointer, value)
        offers.append(offer)
    return offers


def typed_offer(offer: dict) -> dict:
    """An API offer with its date-times parsed (aware UTC datetimes) and its numbers as declared,
    the types a Parquet feed declares, so that it compares with `==` to `offers_from_table`."""
    out = dict(offer)
    for key in _DATE_KEYS:
        value = out.get(key)
        if isinstance(value, str):
            out[key] = datetime.fromisoformat(value).astimezone(UTC)
    return out


def _check_no_nested_dates(shape: Struct, top: bool = True) -> None:
    # offers_to_batch parses date-times column by column, which only covers top-level keys.
    for key, sub in shape.fields:
        if isinstance(sub, Struct):
            _check_no_nested_dates(sub, False)
        elif not top and sub == Scalar("string", "date-time"):
            raise AssertionError(f"nested date-time {key} needs support in arrow_rows")


_check_no_nested_dates(OFFRE)
