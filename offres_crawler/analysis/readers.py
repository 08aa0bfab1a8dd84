"""Helpers for analysts, carried over from the api-offres-emploi wrapper (`offres_emploi.utils`).

- `dt_to_str_iso(datetime)`: the `minCreationDate` / `maxCreationDate` format (harvest/dates.py).
- `filters_to_df(filtres)`: the facet counts (`filtresPossibles`) as a pandas DataFrame with the
  wrapper's columns `filtre`, `valeur_possible`, `nb_resultats`, from the list itself, a search
  response, a run report, a snapshot manifest, or the path of any of them (or of a snapshot).
- `load_snapshot(path)`: the offers of a snapshot (or of the whole snapshot history, or of one
  Parquet / JSONL feed file) as a pandas DataFrame; `engine="duckdb" | "polars" | "arrow"` for a
  DuckDB relation, a polars DataFrame or a pyarrow Table.

`snapshot_date` is a date in every engine, as DuckDB's and Spark's own Hive readers infer it from
`snapshot_date=2026-11-27` directories: Arrow `date32`, DuckDB `DATE`, polars `Date`, and in pandas
a `datetime64[us]` column (midnight, no time zone: what DuckDB's `.df()` gives).

pandas, duckdb and polars are imported on first use (so importing this module stays cheap); a
missing one is an ImportError naming the pip command that installs it.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from offres_crawler.extras import require
from offres_crawler.harvest.dates import dt_to_str_iso
from offres_crawler.offers.arrow_rows import offers_to_batch
from offres_crawler.offers.arrow_schema import EXTRA_COLUMN, OFFRE_SCHEMA

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["dt_to_str_iso", "filters_to_df", "load_snapshot", "snapshot_manifest", "snapshot_dirs"]

FILTER_COLUMNS = ("filtre", "valeur_possible", "nb_resultats")
MANIFEST = "_manifest.json"  # as written by extensions/snapshot.py
PARTITION = re.compile(r"^snapshot_date=(\d{4}-\d{2}-\d{2})$")
ENGINES = ("pandas", "duckdb", "polars", "arrow")
DATE_COLUMN = "snapshot_date"
_JSONL_CHUNK = 5000
# -- filtresPossibles ---------------------------------------------------------------------------

def _find_filtres(data: Any) -> list:
    """The filtresPossibles of a list (itself), a search response (at its root), a run report
    (`root.filtresPossibles`, those of the unfiltered root query) or a snapshot manifest (its
    `run_report`)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for holder in (data, data.get("root"), data.get("run_report"),
                       (data.get("run_report") or {}).get("root") if isinstance(data.get("run_report"), dict)
                       else None):
            if isinstance(holder, dict) and "filtresPossibles" in holder:
                return holder["filtresPossibles"] or []
    raise ValueError("no filtresPossibles here: expected a list of {filtre, agregation}, or a "
                     "search response, run report or snapshot manifest carrying one")


def _read_json(path: Path) -> Any:
    if path.is_dir():
        path = path / MANIFEST
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def filters_to_df(filtres: Any) -> pd.DataFrame:
    """`filtresPossibles` as a DataFrame: one row per (filter, value) with its count, in the
    API's order. Accepts the list, a dict carrying it (search response, run report, snapshot
    manifest) or the path of a JSON file or snapshot directory holding one."""
    pd = require("pandas", "filters_to_df", extra="analysis")

    if isinstance(filtres, (str, Path)):
        filtres = _read_json(Path(filtres))
    rows = [(f["filtre"], str(a["valeurPossible"]), int(a["nbResultats"]))
            for f in _find_filtres(filtres) for a in f.get("agregation") or []]
    df = pd.DataFrame(rows, columns=list(FILTER_COLUMNS))
    return df.astype({"filtre": "object", "valeur_possible": "object", "nb_resultats": "int64"})


# -- snapshots ----------------------------------------------------------------------------------

def snapshot_dirs(root: str | Path) -> list[Path]:
    """The published snapshots under a root (`output/offres`), oldest first."""
    root = Path(root)
    return sorted(p for p in root.iterdir() if p.is_dir() and PARTITION.match(p.name))


def snapshot_manifest(path: str | Path) -> dict | None:
    """The manifest of a snapshot directory (or of the latest one under a root), None if absent."""
    path = Path(path)
    if path.is_dir() and not (path / MANIFEST).is_file() and not PARTITION.match(path.name):
        dirs = snapshot_dirs(path)
        path = dirs[-1] if dirs else path
    candidate = path / MANIFEST if path.is_dir() else None
    if candidate is None or not candidate.is_file():
        return None
    return json.loads(candidate.read_text(encoding="utf-8"))


def _jsonl_table(path: Path) -> pa.Table:
    """A JSONL (optionally gzipped) offers file, converted to the Parquet feeds' schema."""
    opener = gzip.open if path.name.endswith(".gz") else open
    batches, chunk = [], []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                chunk.append(json.loads(line))
            if len(chunk) >= _JSONL_CHUNK:
                batches.append(offers_to_batch(chunk)[0])
                chunk = []
    if chunk:
        batches.append(offers_to_batch(chunk)[0])
    return pa.Table.from_batches(batches, schema=OFFRE_SCHEMA)


def _dataset_files(path: Path) -> tuple[list[Path], str | None, bool]:
    """(files, snapshot date of a single partition, whether the path is a root of partitions)."""
    if path.is_file():
        m = PARTITION.match(path.parent.name)
        return [path], (m.group(1) if m else None), False
    m = PARTITION.match(path.name)
    if m:
        return sorted(path.glob("part-*.parquet")), m.group(1), False
    dirs = snapshot_dirs(path)
    if dirs:
        return [f for d in dirs for f in sorted(d.glob("part-*.parquet"))], None, True
    return sorted(p for p in path.glob("*.parquet") if not p.name.startswith(("_", "."))), None, False


def _with_date(table: pa.Table, day: str | None) -> pa.Table:
    if day is None:
        return table
    value = pa.scalar(day).cast(pa.date32())
    return table.append_column(DATE_COLUMN, pa.repeat(value, table.num_rows))


def _arrow(path: Path, columns: list[str] | None) -> pa.Table:
    files, day, is_root = _dataset_files(path)
    if path.is_file() and not path.name.endswith(".parquet"):
        table = _jsonl_table(path)
    elif not files:
        raise FileNotFoundError(f"no Parquet offers under {path} (a snapshot_date=... directory, "
                                "a root of them, or a .parquet / .jsonl[.gz] file)")
    elif is_root:
        partitioning = ds.partitioning(pa.schema([(DATE_COLUMN, pa.date32())]), flavor="hive")
        dataset = ds.dataset([str(f) for f in files], format="parquet", partitioning=partitioning,
                             partition_base_dir=str(path))
        return dataset.to_table(columns=columns)
    else:
        table = pa.concat_tables(pq.read_table(f) for f in files) if len(files) > 1 else pq.read_table(files[0])
    table = _with_date(table, day)
    if columns is not None:
        table = table.select(columns)
    return table


def _expand_extra(df: pd.DataFrame, extras: list[str | None]) -> pd.DataFrame:
    """Top-level keys kept in the JSON column (keys the schema does not know, such as the
    salary pipeline's `offres_salaire`) become columns of their own."""
    found: dict[str, dict[int, Any]] = {}
    for row, text in enumerate(extras):
        if not text:
            continue
        for pointer, value in json.loads(text).items():
            key = pointer[1:].replace("~1", "/").replace("~0", "~")
            if pointer.count("/") == 1 and key not in df.columns:
                found.setdefault(key, {})[row] = value
    for key, values in found.items():
        df[key] = [values.get(row) for row in range(len(df))]
    return df


def load_snapshot(path: str | Path, *, engine: str = "pandas", columns: list[str] | None = None,
                  expand_extra: bool = True, connection: Any = None) -> Any:
    """The offers of `path`: a snapshot directory (`output/offres/snapshot_date=2026-11-27`),
    the root of several (`output/offres`, every snapshot with a `snapshot_date` column), or one
    Parquet or JSONL(.gz) feed file.

    engine="pandas" (default): a DataFrame; nested objects (lieuTravail, salaire, ...) are dicts,
    lists are lists, dateCreation / dateActualisation are UTC timestamps; with `expand_extra`,
    top-level keys unknown to the schema get their own column. "duckdb": a DuckDB relation
    (on `connection`, default DuckDB's own). "polars": a polars DataFrame. "arrow": a pyarrow
    Table. `columns` restricts what is read (top-level names). `snapshot_date` is a date in each
    (see the module docstring). duckdb and polars are the `[analysis]` extra, pandas the
    `[report]` one: a missing one raises ImportError with the pip command.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no snapshot at {path}")
    if engine == "duckdb":
        return _duckdb(path, columns, connection)
    if engine == "arrow":
        return _arrow(path, columns)
    # before reading: a missing engine is said at once, not after minutes of reading
    module = require(engine, f"engine={engine!r}", extra="analysis")
    table = _arrow(path, columns)
    if engine == "polars":
        return module.from_arrow(table)
    df = table.to_pandas()
    if DATE_COLUMN in df.columns:  # datetime.date objects from Arrow: a datetime64 column instead
        df[DATE_COLUMN] = module.to_datetime(df[DATE_COLUMN]).astype("datetime64[us]")
    if expand_extra and EXTRA_COLUMN in table.column_names:
        df = _expand_extra(df, table.column(EXTRA_COLUMN).to_pylist())
    return df


def _duckdb(path: Path, columns: list[str] | None, connection: Any) -> Any:
    duckdb = require("duckdb", "engine='duckdb'", extra="analysis")
    con = connection or duckdb.default_connection()
    files, day, is_root = _dataset_files(path)
    select = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    if path.is_file() and not path.name.endswith(".parquet"):
        return con.from_arrow(_arrow(path, columns))
    if not files:
        raise FileNotFoundError(f"no Parquet offers under {path}")
    file_list = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
    if is_root:
        source = (f"read_parquet({file_list}, hive_partitioning = true, "
                  f"hive_types = {{'{DATE_COLUMN}': DATE}})")
    else:  # one partition: its date as a column, like a read of the root would give
        date_column = f", DATE '{day}' AS {DATE_COLUMN}" if day else ""
        source = f"(SELECT *{date_column} FROM read_parquet({file_list}, hive_partitioning = false))"
    return con.sql(f"SELECT {select} FROM {source}")
