"""The history's record of one offer, and how it is read from offer rows (framework-free).

One row per offer ever seen in a published snapshot:

    id                        the offer's id
    first_seen, last_seen     dates of the first and the last snapshot that held it
    withdrawn_on              date of the first snapshot without it after last_seen; null while online
    versions                  1 + the dateActualisation changes seen from one snapshot to the next
    changes                   times it was in a day's `updated` deltas (new dateActualisation or content)
    reappeared                times it came back after being withdrawn
    dateCreation, created_on  as the API gives it, and its UTC date (the offer's own age, older
                              than first_seen for offers already online when the history began)
    first_dateActualisation, last_dateActualisation
    romeCode, grand_domaine   the ROME métier and its first letter
    departement               from lieuTravail (analysis/places.py); null for offers placed by
                              region, country or "France" only
    typeContrat, origine      contract type; 1 France Travail, 2 partners
    salary_annual_min, salary_annual_max, salary_plausible
                              the normalised annual gross salary (analysis/salary.py)

The descriptive fields are those of the offer's latest copy. Dates are UTC calendar dates
(`date32`), instants `timestamp[us, UTC]`, as in the snapshots.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from offres_crawler.analysis.places import departement
from offres_crawler.analysis.salary import normalise_salary
from offres_crawler.analysis.smic import smic_hourly
from offres_crawler.offers.arrow_schema import TIMESTAMP
from offres_crawler.offers.id_store import id_key

# The columns of a snapshot or delta file the history reads (nothing else is loaded).
OFFER_COLUMNS = ["id", "dateCreation", "dateActualisation", "romeCode", "typeContrat",
                 "lieuTravail", "salaire", "origineOffre"]

HISTORY_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("first_seen", pa.date32()),
    ("last_seen", pa.date32()),
    ("withdrawn_on", pa.date32()),
    ("versions", pa.int32()),
    ("changes", pa.int32()),
    ("reappeared", pa.int32()),
    ("dateCreation", TIMESTAMP),
    ("created_on", pa.date32()),
    ("first_dateActualisation", TIMESTAMP),
    ("last_dateActualisation", TIMESTAMP),
    ("romeCode", pa.string()),
    ("grand_domaine", pa.string()),
    ("departement", pa.string()),
    ("typeContrat", pa.string()),
    ("origine", pa.string()),
    ("salary_annual_min", pa.float64()),
    ("salary_annual_max", pa.float64()),
    ("salary_plausible", pa.bool_()),
], metadata={"offres_crawler.history": "one record per offer ever seen in a published snapshot"})

# What a newer copy of an offer replaces in its record.
DESCRIPTIVE = ["dateCreation", "created_on", "romeCode", "grand_domaine", "departement", "typeContrat", "origine",
               "salary_annual_min", "salary_annual_max", "salary_plausible"]


def day_number(day: str | date) -> int:
    """Days since 1970-01-01 (the storage of date32)."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return (d - date(1970, 1, 1)).days


def _text(table: pa.Table, name: str) -> pa.Array:
    """A text column, blank values as null; all null when the files lack it."""
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    column = table.column(name).combine_chunks()
    return pc.if_else(pc.equal(pc.utf8_trim_whitespace(column), ""), pa.scalar(None, pa.string()), column)


def _timestamps(table: pa.Table, name: str) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(table.num_rows, TIMESTAMP)
    return table.column(name).combine_chunks().cast(TIMESTAMP)


class OfferReader:
    """Turns offer rows into the history's descriptive fields. Keeps caches of départements
    and salaries across calls: both are text read the same way every day."""

    def __init__(self) -> None:
        self._places: dict[tuple, str | None] = {}
        self._salaries: dict[tuple, tuple[float | None, float | None, bool | None]] = {}

    def keys(self, table: pa.Table) -> np.ndarray:
        ids = table.column("id").to_pylist()
        return np.fromiter((id_key(i) for i in ids), dtype=np.uint64, count=len(ids))

    def fields(self, table: pa.Table) -> dict[str, pa.Array]:
        """id, dateActualisation and the DESCRIPTIVE columns of these offer rows."""
        flat = table.select([c for c in OFFER_COLUMNS if c in table.column_names]).flatten()
        rome = _text(flat, "romeCode")
        out = {"id": flat.column("id").combine_chunks(),
               "dateActualisation": _timestamps(flat, "dateActualisation"),
               "dateCreation": _timestamps(flat, "dateCreation"),
               "created_on": pc.cast(_timestamps(flat, "dateCreation"), pa.date32()),
               "romeCode": rome,
               "grand_domaine": pc.utf8_slice_codeunits(rome, 0, 1),
               "departement": pa.array(self._departements(flat), pa.string()),
               "typeContrat": _text(flat, "typeContrat"),
               "origine": _text(flat, "origineOffre.origine")}
        low, high, plausible = self._salary_columns(flat, out["created_on"])
        out.update(salary_annual_min=pa.array(low, pa.float64()),
                   salary_annual_max=pa.array(high, pa.float64()),
                   salary_plausible=pa.array(plausible, pa.bool_()))
        return out

    def _departements(self, flat: pa.Table) -> list[str | None]:
        triples = zip(*(_text(flat, f"lieuTravail.{n}").to_pylist()
                        for n in ("libelle", "codePostal", "commune")))
        cache = self._places
        out = []
        for triple in triples:
            if triple not in cache:
                cache[triple] = departement(*triple)
            out.append(cache[triple])
        return out

    def _salary_columns(self, flat: pa.Table, created_on: pa.Array) -> tuple[list, list, list]:
        days = created_on.to_pylist()
        texts = zip(_text(flat, "salaire.libelle").to_pylist(),
                    _text(flat, "salaire.commentaire").to_pylist(), days)
        cache = self._salaries
        low, high, plausible = [], [], []
        for libelle, commentaire, day in texts:
            if libelle is None and commentaire is None:
                found: tuple = (None, None, None)
            else:
                smic = smic_hourly(day)  # "% du SMIC" depends on the date only through this
                key = (libelle, commentaire, smic)
                found = cache.get(key)  # type: ignore[assignment]
                if found is None:
                    s = normalise_salary({"libelle": libelle, "commentaire": commentaire},
                                         smic_hourly_eur=smic)
                    found = (s.annual_min, s.annual_max, s.plausible) if s else (None, None, None)
                    cache[key] = found
            low.append(found[0])
            high.append(found[1])
            plausible.append(found[2])
        return low, high, plausible


def new_records(fields: dict[str, pa.Array], day: str) -> pa.Table:
    """Records of offers seen for the first time in the snapshot of `day`."""
    n = len(fields["id"])
    today = pa.array(np.full(n, day_number(day), dtype=np.int32), pa.date32())
    columns = {"id": fields["id"], "first_seen": today, "last_seen": today,
               "withdrawn_on": pa.nulls(n, pa.date32()),
               "versions": pa.array(np.ones(n, np.int32)), "changes": pa.array(np.zeros(n, np.int32)),
               "reappeared": pa.array(np.zeros(n, np.int32)),
               "first_dateActualisation": fields["dateActualisation"],
               "last_dateActualisation": fields["dateActualisation"]}
    columns.update({name: fields[name] for name in DESCRIPTIVE})
    return pa.table([columns[f.name] for f in HISTORY_SCHEMA], schema=HISTORY_SCHEMA)


def refreshed(records: pa.Table, fields: dict[str, pa.Array], *, day: str, counted: bool) -> pa.Table:
    """`records` (one per row of `fields`, same order) brought up to the newer copy in `fields`,
    seen in the snapshot of `day`: descriptive fields replaced, a new dateActualisation counted as
    a version, `changes` + 1 when `counted` (an `updated` delta), online again."""
    old = records.column("last_dateActualisation").combine_chunks()
    new = fields["dateActualisation"]
    moved = pc.fill_null(pc.not_equal(old, new), pc.is_valid(new))
    versions = pc.add(records.column("versions"), pc.cast(moved, pa.int32()))
    changes = pc.add(records.column("changes"), pa.scalar(1 if counted else 0, pa.int32()))
    n = records.num_rows
    replaced = {"versions": versions, "changes": changes,
                "last_dateActualisation": pc.coalesce(new, old),
                "last_seen": pa.array(np.full(n, day_number(day), np.int32), pa.date32()),
                "withdrawn_on": pa.nulls(n, pa.date32()),
                **{name: fields[name] for name in DESCRIPTIVE}}
    for name, column in replaced.items():
        records = records.set_column(records.schema.get_field_index(name), name, column)
    return records


def closed(records: pa.Table, *, last_seen: str, withdrawn_on: str) -> pa.Table:
    """`records` of offers gone from the snapshot of `withdrawn_on`, last held by `last_seen`'s."""
    n = records.num_rows
    for name, day in (("last_seen", last_seen), ("withdrawn_on", withdrawn_on)):
        column = pa.array(np.full(n, day_number(day), np.int32), pa.date32())
        records = records.set_column(records.schema.get_field_index(name), name, column)
    return records


def with_last_seen(records: pa.Table, day: str) -> pa.Table:
    column = pa.array(np.full(records.num_rows, day_number(day), np.int32), pa.date32())
    return records.set_column(records.schema.get_field_index("last_seen"), "last_seen", column)
