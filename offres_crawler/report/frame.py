"""The report's data: one flat row per offer with the few columns the plots need.

Only those columns are read from the snapshot (descriptions are never loaded), so a full-market
snapshot of 500,000 offers fits in a few hundred MB. Salaries are normalised here with
api/salary.py whether or not the crawl ran the salary pipeline, once per distinct
(libellé, commentaire, creation day).
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from offres_crawler.api.salary import normalise_salary
from offres_crawler.utils import load_snapshot

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

COLUMNS = ["id", "typeContrat", "lieuTravail", "romeCode", "dateCreation", "salaire", "origineOffre"]
_DEPT = re.compile(r"^\s*(\d{2,3}|2[AB])\s+-\s")


def departement(libelle: str | None, code_postal: str | None, commune: str | None) -> str | None:
    """The département of a workplace: the prefix of its label ("69 - LYON 03", "2A - AJACCIO",
    "971 - LE GOSIER", "75 - Paris (Dept.)"), else its postcode or INSEE code; None for offers
    located only by region, country or "France"."""
    if libelle:
        m = _DEPT.match(libelle)
        if m:
            return m.group(1)
    for code, is_postcode in ((commune, False), (code_postal, True)):
        if code and len(code) == 5:
            if code.startswith("97"):
                return code[:3]
            if is_postcode and code.startswith("20"):  # Corsica: 2A or 2B, not told by postcode
                continue
            return code[:2]
    return None


def _column(table: pa.Table, name: str) -> list:
    return table.column(name).to_pylist() if name in table.column_names else [None] * table.num_rows


def offers_frame(path: str | Path, *, smic_hourly_eur: float | None = None) -> pd.DataFrame:
    """id, typeContrat, departement, rome_code, grand_domaine, date_creation (UTC), origine, and
    the normalised salary: salary_period, annual_min, annual_max, annual_mid, salary_plausible,
    salary_source."""
    import pandas as pd

    table = load_snapshot(path, engine="arrow", columns=COLUMNS).flatten()
    libelles = _column(table, "lieuTravail.libelle")
    postcodes = _column(table, "lieuTravail.codePostal")
    communes = _column(table, "lieuTravail.commune")
    rome = _column(table, "romeCode")
    created = table.column("dateCreation").to_pandas()
    days = [d.date() if not pd.isna(d) else None for d in created]
    salary_keys = zip(_column(table, "salaire.libelle"), _column(table, "salaire.commentaire"), days)
    cache: dict[tuple, object] = {}
    salaries = []
    for key in salary_keys:
        if key not in cache:
            libelle, commentaire, day = key
            cache[key] = normalise_salary({"libelle": libelle, "commentaire": commentaire}, on=day,
                                          smic_hourly_eur=smic_hourly_eur)
        salaries.append(cache[key])
    frame = pd.DataFrame({
        "id": _column(table, "id"),
        "typeContrat": _column(table, "typeContrat"),
        "departement": [departement(*row) for row in zip(libelles, postcodes, communes)],
        "rome_code": rome,
        "grand_domaine": [code[0] if isinstance(code, str) and code else None for code in rome],
        "date_creation": created,
        "origine": _column(table, "origineOffre.origine"),
        "salary_period": [s.period if s else None for s in salaries],
        "annual_min": [s.annual_min if s else None for s in salaries],
        "annual_max": [s.annual_max if s else None for s in salaries],
        "salary_plausible": [s.plausible if s else None for s in salaries],
        "salary_source": [s.source if s else None for s in salaries],
    })
    frame["annual_min"] = frame["annual_min"].astype("float64")
    frame["annual_max"] = frame["annual_max"].astype("float64")
    frame["annual_mid"] = frame[["annual_min", "annual_max"]].mean(axis=1, skipna=True)
    return frame


def creation_days(frame: pd.DataFrame) -> list[date]:
    return sorted({d.date() for d in frame["date_creation"].dropna()})
