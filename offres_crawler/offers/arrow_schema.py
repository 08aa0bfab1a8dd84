"""The Arrow schema of the Parquet feeds: one column per `Offre` key, typed, nested.

Built once from `offer_schema.OFFRE`, so it is the same for every run whatever keys a run met:
- string -> string; boolean -> bool; integer/int32 -> int32; number/double -> float64
  (latitude, longitude);
- date-time -> timestamp[us, tz=UTC] (dateCreation, dateActualisation): instants, comparable
  and filterable as such in pandas, polars, DuckDB and Spark;
- a nested object -> struct (lieuTravail, entreprise, salaire, ...), an array -> list, so
  `lieuTravail.latitude` or `competences[].libelle` are columns, not JSON strings;
- plus EXTRA_COLUMN, a JSON text column that keeps what the schema cannot: keys the spec does
  not know (at any depth) and explicit nulls, as {JSON pointer: value} (null when there is none).

Columns are nullable: a key absent from the offer is null. An object that is present but empty
(`"salaire": {}`, frequent) is a non-null struct whose fields are all null, and an empty array
is an empty list, so absent and empty stay distinct.
"""

from __future__ import annotations

import pyarrow as pa

from offres_crawler.offers.schema import OFFRE, ListOf, Scalar, Shape, Struct

EXTRA_COLUMN = "extra_keys_json"
SCHEMA_VERSION = "1"
TIMESTAMP = pa.timestamp("us", tz="UTC")

_SCALARS = {
    ("string", None): pa.string(),
    ("string", "date-time"): TIMESTAMP,
    ("integer", "int32"): pa.int32(),
    ("integer", None): pa.int64(),
    ("number", "double"): pa.float64(),
    ("number", None): pa.float64(),
    ("boolean", None): pa.bool_(),
}


def arrow_type(shape: Shape) -> pa.DataType:
    """The Arrow type of one shape of `offer_schema`."""
    if isinstance(shape, Struct):
        return pa.struct([pa.field(key, arrow_type(sub)) for key, sub in shape.fields])
    if isinstance(shape, ListOf):
        # "element" is the name Parquet's compliant LIST layout reads back, so a file's schema
        # read back equals this one exactly.
        return pa.list_(pa.field("element", arrow_type(shape.item)))
    if isinstance(shape, Scalar):
        return _SCALARS[(shape.type, shape.format)]
    raise TypeError(f"not a shape: {shape!r}")


OFFRE_TYPE: pa.StructType = arrow_type(OFFRE)
OFFRE_SCHEMA: pa.Schema = pa.schema(
    [*OFFRE_TYPE, pa.field(EXTRA_COLUMN, pa.string())],
    metadata={"offres_crawler.schema": f"Offre v{SCHEMA_VERSION}",
              "offres_crawler.extra": f"{EXTRA_COLUMN}: JSON object {{JSON pointer: value}} of "
                                      "keys unknown to the schema and explicit nulls"},
)
