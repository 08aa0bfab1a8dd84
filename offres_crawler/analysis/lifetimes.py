"""How long offers stay online, from the history of every offer (offres_crawler/snapshot/history).

Days online. An offer is online from its creation (`created_on`, dateCreation's UTC date) to the last
snapshot that held it (`last_seen`): `days_online = last_seen - creation day`, whole days, a
lower bound (it went between `last_seen` and `withdrawn_on`). Offers withdrawn are *events*;
offers still online are *censored*: they have been online that long *so far*, and counting them
as finished would make offers look shorter-lived than they are.

Survival. The share of offers still online after t days, S(t), is estimated by Kaplan–Meier:
at each day t where offers were withdrawn, S drops by the factor 1 - d(t) / n(t), with d(t) the
offers withdrawn after t days and n(t) those *at risk* then: known to be online at age t. Censored
offers count in n(t) up to their age, then leave it without an event. Offers already online when
the history began (its first snapshot) were first seen at some age: they enter the risk set at
that age (`first_seen - creation day`), not at 0 (delayed entry, or left truncation); counting
them from 0 would over-represent long-lived offers, the ones a first snapshot catches most.
From S: the median days online (the first t with S(t) <= 0.5; null when fewer than half the
offers have been withdrawn yet, however long they have been watched) and the shares withdrawn
within 7 and 30 days (1 - S(7), 1 - S(30)).

`lifetimes(history, by=...)` gives those figures per group of any column(s) of the history
(romeCode, grand_domaine, departement, typeContrat, origine, ...) as a pandas DataFrame;
`lifetimes_duckdb` computes the same in DuckDB, in SQL, on the files; `days_online` gives the
figures per offer. Framework-free (numpy, pyarrow; pandas and duckdb where asked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from offres_crawler.extras import require

if TYPE_CHECKING:
    import pandas as pd

OFFERS_GLOB = "current/offers/*.parquet"  # under the history's root (history/store.py)
DURATION_COLUMNS = ["first_seen", "last_seen", "withdrawn_on", "created_on"]
WITHIN = (7, 30)
SUMMARY_COLUMNS = ["offers", "withdrawn", "online", "median_days", *(f"withdrawn_within_{d}_days" for d in WITHIN)]


def history_files(path: str | Path) -> list[Path]:
    """The Parquet files of a history: its root (`output/offres_history`), its `offers` directory,
    or one file."""
    path = Path(path)
    if path.is_file():
        return [path]
    for pattern in (OFFERS_GLOB, "offers/*.parquet", "*.parquet"):
        files = sorted(path.glob(pattern))
        if files:
            return files
    raise FileNotFoundError(f"no history under {path} (the OFFRES_HISTORY_DIR root, e.g. output/offres_history)")


def read_history(path: str | Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The records of a history as one Arrow table (`columns` only, if given)."""
    return pa.concat_tables(pq.read_table(f, columns=list(columns) if columns else None)
                            for f in history_files(path))


@dataclass(frozen=True)
class Durations:
    entry: np.ndarray  # days online when first seen (0 for offers seen the day they were created)
    exit: np.ndarray  # days online when last seen
    event: np.ndarray  # withdrawn (True) or still online, censored (False)


def durations(table: pa.Table) -> Durations:
    """Entry, exit (days since creation) and event of each record of a history table."""
    def days(name: str) -> np.ndarray:
        return pc.cast(table.column(name), pa.int32()).to_numpy(zero_copy_only=False)

    created = pc.fill_null(table.column("created_on"), table.column("first_seen"))
    created = pc.cast(created, pa.int32()).to_numpy(zero_copy_only=False)
    exit_ = np.maximum(days("last_seen") - created, 0)
    entry = np.minimum(np.maximum(days("first_seen") - created, 0), exit_)
    event = pc.is_valid(table.column("withdrawn_on")).to_numpy(zero_copy_only=False)
    return Durations(entry.astype(np.int64), exit_.astype(np.int64), event.astype(bool))


def kaplan_meier(d: Durations) -> tuple[np.ndarray, np.ndarray]:
    """(days t with withdrawals, S(t) just after them), the product-limit estimate with delayed
    entry: at risk at t are the offers with entry <= t <= exit."""
    times = np.unique(d.exit[d.event])
    if not len(times):
        return times, np.ones(0)
    entries, exits = np.sort(d.entry), np.sort(d.exit)
    at_risk = np.searchsorted(entries, times, side="right") - np.searchsorted(exits, times, side="left")
    withdrawn = np.bincount(np.searchsorted(times, d.exit[d.event]), minlength=len(times))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1.0 - withdrawn / np.maximum(at_risk, 1), 1.0)
    return times, np.cumprod(factor)


def survival_at(times: np.ndarray, survival: np.ndarray, day: int) -> float:
    at = np.searchsorted(times, day, side="right") - 1
    return float(survival[at]) if at >= 0 else 1.0


def summary(d: Durations) -> dict[str, Any]:
    """offers, withdrawn, online, median_days, withdrawn_within_7_days, withdrawn_within_30_days."""
    times, survival = kaplan_meier(d)
    below = np.flatnonzero(survival <= 0.5)
    out: dict[str, Any] = {"offers": len(d.exit), "withdrawn": int(d.event.sum()),
                           "online": int((~d.event).sum()),
                           "median_days": int(times[below[0]]) if len(below) else None}
    for day in WITHIN:
        out[f"withdrawn_within_{day}_days"] = 1.0 - survival_at(times, survival, day) if len(d.exit) else None
    return out


def _table(history: Any, columns: list[str]) -> pa.Table:
    if isinstance(history, pa.Table):
        return history
    return read_history(history, columns)


def lifetimes(history: Any, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Survival figures (module docstring) for all offers of `history` (a history path or an
    Arrow table of its records), or per group of the columns `by`, largest groups first."""
    pd = require("pandas", "lifetimes()", extra="analysis")
    keys = [by] if isinstance(by, str) else list(by or [])
    table = _table(history, [*DURATION_COLUMNS, *keys])
    d = durations(table)
    if not keys:
        return pd.DataFrame([summary(d)])
    groups = table.select(keys).to_pandas().astype(object).where(lambda f: f.notna(), None)
    codes = groups.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    rows = []
    for members in np.split(order, bounds):
        part = Durations(d.entry[members], d.exit[members], d.event[members])
        rows.append({**groups.iloc[members[0]].to_dict(), **summary(part)})
    frame = pd.DataFrame(rows, columns=[*keys, *SUMMARY_COLUMNS])
    return frame.sort_values("offers", ascending=False, kind="stable").reset_index(drop=True)


def days_online(history: Any) -> pd.DataFrame:
    """One row per offer: its record, with `days_online` (creation to last seen, in days),
    `observed_from` (days online when first seen) and `withdrawn`."""
    require("pandas", "days_online()", extra="analysis")
    table = _table(history, [])
    d = durations(table)
    frame: pd.DataFrame = table.to_pandas()
    frame["days_online"], frame["observed_from"], frame["withdrawn"] = d.exit, d.entry, d.event
    return frame


def lifetimes_sql(source: str, by: str | Sequence[str] | None = None) -> str:
    """The same figures as `lifetimes`, as one DuckDB query over `source` (a FROM clause:
    `read_parquet('output/offres_history/current/offers/*.parquet')`, a table, a view)."""
    keys = [by] if isinstance(by, str) else list(by or [])
    cols = ", ".join(f'"{k}"' for k in keys)
    group = f"{cols}, " if keys else ""
    part = f"PARTITION BY {cols} " if keys else ""
    on = " AND ".join(f'a."{k}" IS NOT DISTINCT FROM b."{k}"' for k in keys) or "TRUE"
    # dates only (created_on is dateCreation's UTC date): a TIMESTAMPTZ cast to a DATE would
    # take the session's time zone, and the timestamps cost more to read
    return f"""
WITH r AS (
  SELECT {group}greatest(last_seen - coalesce(created_on, first_seen), 0) AS exit_d,
         least(greatest(first_seen - coalesce(created_on, first_seen), 0), exit_d) AS entry_d,
         withdrawn_on IS NOT NULL AS ev
  FROM {source}),
a AS MATERIALIZED (SELECT {group}entry_d, exit_d, ev, count(*) AS n FROM r GROUP BY ALL),
c AS (
  SELECT {group}t, sum(n_in) AS n_in, sum(n_out) AS n_out, sum(d) AS d FROM (
    SELECT {group}entry_d AS t, n AS n_in, 0 AS n_out, 0 AS d FROM a
    UNION ALL SELECT {group}exit_d + 1, 0, n, 0 FROM a
    UNION ALL SELECT {group}exit_d, 0, 0, n FROM a WHERE ev) GROUP BY ALL),
k AS (SELECT {group}t, d, sum(n_in - n_out) OVER ({part}ORDER BY t) AS at_risk FROM c),
s AS (
  SELECT {group}t, exp(sum(CASE WHEN d = 0 THEN 0 WHEN d >= at_risk THEN -1e4
                                ELSE ln(1 - d / at_risk) END) OVER ({part}ORDER BY t)) AS surv
  FROM k WHERE d > 0),
m AS (
  SELECT {group}min(t) FILTER (WHERE surv <= 0.5) AS median_days,
         1 - coalesce(min(surv) FILTER (WHERE t <= 7), 1) AS withdrawn_within_7_days,
         1 - coalesce(min(surv) FILTER (WHERE t <= 30), 1) AS withdrawn_within_30_days
  FROM s {"GROUP BY ALL" if keys else ""}),
n AS (SELECT {group}sum(n)::BIGINT AS offers, sum(n) FILTER (WHERE ev)::BIGINT AS withdrawn,
             sum(n) FILTER (WHERE NOT ev)::BIGINT AS online FROM a {"GROUP BY ALL" if keys else ""})
SELECT {", ".join(f'b."{k}"' for k in keys) + ", " if keys else ""}b.offers,
       coalesce(b.withdrawn, 0) AS withdrawn, coalesce(b.online, 0) AS online,
       a.median_days::BIGINT AS median_days,
       coalesce(a.withdrawn_within_7_days, 0) AS withdrawn_within_7_days,
       coalesce(a.withdrawn_within_30_days, 0) AS withdrawn_within_30_days
FROM n AS b LEFT JOIN m AS a ON {on}
ORDER BY b.offers DESC"""


def lifetimes_duckdb(history: str | Path, by: str | Sequence[str] | None = None, *,
                     connection: Any = None) -> Any:
    """`lifetimes` computed by DuckDB on the history's files: a DuckDB relation."""
    duckdb = require("duckdb", "lifetimes_duckdb()", extra="analysis")
    files = ", ".join("'" + str(f).replace("'", "''") + "'" for f in history_files(history))
    con = connection or duckdb.default_connection()
    return con.sql(lifetimes_sql(f"read_parquet([{files}])", by))
