"""Check one offer (a decoded JSON object) against the `Offre` shape of `offer_schema`.

One walk over the offer reports three things:
- problems: what makes the offer invalid (not an object, no usable `id`, a known key whose
  value has the wrong JSON type, an unparseable date). An invalid offer goes to the rejects feed.
- unknown keys: keys the spec does not declare, at any depth. They are kept (the API evolves),
  counted per key, and carried by the Parquet feed in its JSON text column.
- explicit nulls under known keys: the spec allows none, the API sends none; accepted and
  recorded, so that the Parquet feed can tell them from absent keys.

Types are JSON types: "integer" is an int (not a bool, within int32 for int32 fields), "number"
an int or a float (not a bool), "date-time" an ISO 8601 string with seconds and a UTC offset
(`2024-11-28T11:57:05.591Z`), up to microseconds. Framework-free and allocation-light on the
common path (a valid offer without surprises), since every offer of a crawl goes through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from offres_crawler.offers.schema import OFFRE, REQUIRED_KEYS, ListOf, Scalar, Shape, Struct

# The codes of `Problem.code`, also the suffixes of the `offres/rejects/<code>` stats.
NOT_AN_OBJECT = "not_an_object"
MISSING_ID = "missing_id"
BAD_ID = "bad_id"
BAD_TYPE = "bad_type"
BAD_DATE = "bad_date"

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})\Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_INT32 = (-(2**31), 2**31 - 1)


def parse_datetime_us(value: Any) -> int | None:
    """Microseconds since the epoch (UTC) of an ISO 8601 date-time, or None if it is not one."""
    return _parse_datetime_us(value) if type(value) is str else None


# Memoised by value (a pure function): the validation, the dedup pipeline, the JSONL exporter and
# the Parquet conversion each read the same dates of an offer, a few items apart at most.
@lru_cache(maxsize=4096)
def _parse_datetime_us(value: str) -> int | None:
    if not _DATE_RE.match(value):
        return None
    try:
        return (datetime.fromisoformat(value) - _EPOCH) // _MICROSECOND
    except ValueError:  # well-formed but impossible, e.g. February 30th
        return None


@dataclass(frozen=True)
class Problem:
    code: str
    path: str  # dotted path with indexes, e.g. "competences[2].libelle"; "" for the offer itself
    message: str
    pointer: str = ""  # the same place as a JSON pointer, e.g. "/competences/2/libelle"

    def __str__(self) -> str:
        return f"{self.code}: {self.path + ' ' if self.path else ''}{self.message}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    # (JSON pointer, stat path, value): "/lieuTravail/x", "lieuTravail.x"; "competences[].x" for lists
    unknown: list[tuple[str, str, Any]] = field(default_factory=list)
    nulls: list[str] = field(default_factory=list)  # JSON pointers of known keys set to null

    @property
    def valid(self) -> bool:
        return not self.problems

    def reason(self) -> str:
        """One line naming every problem (what the rejects feed and the log show)."""
        return "; ".join(str(p) for p in self.problems)


# -- paths: kept as tuples of segments while walking, rendered only when something is reported --

def _pointer(path: tuple) -> str:
    return "".join("/" + str(seg).replace("~", "~0").replace("/", "~1") for seg in path)


def _dotted(path: tuple, with_index: bool = True) -> str:
    out = ""
    for seg in path:
        if isinstance(seg, int):
            out += f"[{seg}]" if with_index else "[]"
        else:
            out += ("." if out else "") + seg
    return out


def _type_name(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)


# -- the walker, compiled once from the schema into closures ----------------------------------
# A checker gets (value, parent path, key, report): the value's own path, a tuple, is only built
# when something is reported or a nested value needs it, which keeps valid offers cheap.

Checker = Callable[[Any, tuple, Any, Report], None]


def _path(parent: tuple, key: Any) -> tuple:
    return parent if key is None else (*parent, key)


def _bad_type(report: Report, path: tuple, expected: str, value: Any) -> None:
    report.problems.append(Problem(BAD_TYPE, _dotted(path),
                                   f"expected {expected}, got {_type_name(value)}", _pointer(path)))


def _scalar_checker(shape: Scalar) -> Checker:
    if shape.format == "date-time":
        def check(value: Any, parent: tuple, key: Any, report: Report) -> None:
            if type(value) is not str:
                _bad_type(report, _path(parent, key), "date-time string", value)
            elif parse_datetime_us(value) is None:
                path = _path(parent, key)
                report.problems.append(Problem(BAD_DATE, _dotted(path), f"unparseable date {value!r}",
                                               _pointer(path)))
        return check
    if shape.type in _EXACT_TYPES:
        expected = _EXACT_TYPES[shape.type]

        def check(value: Any, parent: tuple, key: Any, report: Report) -> None:
            if type(value) is not expected:
                _bad_type(report, _path(parent, key), shape.type, value)
        return check
    if shape.type == "number":
        def check(value: Any, parent: tuple, key: Any, report: Report) -> None:
            if type(value) is not float and type(value) is not int:
                _bad_type(report, _path(parent, key), "number", value)
        return check
    if shape.type == "integer":
        low, high = _INT32 if shape.format == "int32" else (-(2**63), 2**63 - 1)

        def check(value: Any, parent: tuple, key: Any, report: Report) -> None:
            if type(value) is not int:
                _bad_type(report, _path(parent, key), "integer", value)
            elif not low <= value <= high:
                _bad_type(report, _path(parent, key), f"integer in [{low}, {high}]", value)
        return check
    raise ValueError(f"no checker for {shape!r}")


def _list_checker(shape: ListOf) -> Checker:
    check_item = _checker(shape.item)

    def check(value: Any, parent: tuple, key: Any, report: Report) -> None:
        if type(value) is not list:
            _bad_type(report, _path(parent, key), "array", value)
            return
        path = _path(parent, key)
        for index, item in enumerate(value):
            if item is not None:  # a null element is kept as a null element everywhere
                check_item(item, path, index, report)
    return check


_EXACT_TYPES = {"string": str, "boolean": bool}  # checked inline: most keys of an offer are these


def _struct_checker(shape: Struct) -> Checker:
    exact: dict[str, tuple[type, str]] = {}
    nested: dict[str, Checker] = {}
    for key, sub in shape.fields:
        if isinstance(sub, Scalar) and sub.format is None and sub.type in _EXACT_TYPES:
            exact[key] = (_EXACT_TYPES[sub.type], sub.type)
        else:
            nested[key] = _checker(sub)
    known = frozenset(shape.keys())
    exact_get, nested_get = exact.get, nested.get

    def check(value: Any, parent: tuple, key: Any, report: Report) -> None:
        if type(value) is not dict:
            _bad_type(report, _path(parent, key), f"object ({shape.name})", value)
            return
        path = None
        if not known.issuperset(value):
            path = _path(parent, key)
            for name in value.keys() - known:
                report.unknown.append((_pointer((*path, name)), _dotted((*path, name), False), value[name]))
        for name, item in value.items():
            expected = exact_get(name)
            if expected is not None:
                if type(item) is not expected[0]:
                    if path is None:
                        path = _path(parent, key)
                    if item is None:
                        report.nulls.append(_pointer((*path, name)))
                    else:
                        _bad_type(report, (*path, name), expected[1], item)
                continue
            sub = nested_get(name)
            if sub is None:
                continue
            if path is None:
                path = _path(parent, key)
            if item is None:
                report.nulls.append(_pointer((*path, name)))
            else:
                sub(item, path, name, report)
    return check


def _checker(shape: Shape) -> Checker:
    if isinstance(shape, Struct):
        return _struct_checker(shape)
    if isinstance(shape, ListOf):
        return _list_checker(shape)
    return _scalar_checker(shape)


_check_offre = _struct_checker(OFFRE)
_REQUIRED_POINTERS = frozenset("/" + key for key in REQUIRED_KEYS)


def inspect_offer(offer: Any) -> Report:
    """Walk `offer` once; see the module docstring for what the report holds."""
    report = Report()
    if type(offer) is not dict:
        report.problems.append(Problem(NOT_AN_OBJECT, "", f"expected an object, got {_type_name(offer)}"))
        return report
    for key in REQUIRED_KEYS:
        value = offer.get(key)
        if key not in offer or value is None:
            report.problems.append(Problem(MISSING_ID, key, "is missing", "/" + key))
        elif type(value) is not str or not value.strip():
            report.problems.append(Problem(BAD_ID, key, f"must be a non-empty string, got {value!r}",
                                           "/" + key))
    _check_offre(offer, (), None, report)
    # A bad id is reported once, as missing_id/bad_id, not a second time as a null or bad type.
    if report.nulls:
        report.nulls = [p for p in report.nulls if p not in _REQUIRED_POINTERS]
    if report.problems:
        report.problems = [p for p in report.problems
                           if not (p.code == BAD_TYPE and p.path in REQUIRED_KEYS)]
    return report
