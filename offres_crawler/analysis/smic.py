"""The French minimum wage (SMIC), to turn "Mensuel de 43% à 100% du SMIC" into euros.

Values are the gross hourly SMIC of metropolitan France fixed by decree (Mayotte has its own,
lower SMIC: not handled). An offer's percentage is applied to the SMIC in force on its creation
date, so older snapshots keep their meaning. The latest value used is SMIC_HOURLY_EUR, in force
since SMIC_SINCE; add a row to SMIC_HISTORY when a new decree raises it (or override with the
OFFRES_SMIC_HOURLY setting, or `smic_hourly=` in the functions of analysis/salary.py).

Monthly SMIC = hourly x 35 h x 52 weeks / 12 months (151.67 h), as the administration computes it.
Framework-free.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

HOURS_PER_WEEK = 35.0  # legal full-time working week
HOURS_PER_YEAR = HOURS_PER_WEEK * 52  # 1,820 h: what "annual, full-time equivalent" means here
HOURS_PER_MONTH = HOURS_PER_YEAR / 12  # 151.67 h

# (in force from, gross hourly SMIC in euros), oldest first.
SMIC_HISTORY: tuple[tuple[date, float], ...] = (
    (date(2023, 1, 1), 11.27),
    (date(2023, 5, 1), 11.52),
    (date(2024, 1, 1), 11.65),
    (date(2024, 11, 1), 11.88),
    (date(2026, 1, 1), 12.02),
)
SMIC_SINCE, SMIC_HOURLY_EUR = SMIC_HISTORY[-1]  # 12.02 EUR/h since 2026-01-01 (1,823.03 EUR/month)

_STARTS = [start for start, _ in SMIC_HISTORY]


def smic_hourly(on: date | None = None) -> float:
    """The gross hourly SMIC in force on that day (the latest known one when `on` is None; the
    oldest of the table for earlier days, which the crawler never meets)."""
    if on is None:
        return SMIC_HOURLY_EUR
    index = bisect_right(_STARTS, on) - 1
    return SMIC_HISTORY[max(index, 0)][1]


def smic_monthly(on: date | None = None, hourly: float | None = None) -> float:
    """The gross monthly SMIC for a full-time job, rounded to the cent like the official figure."""
    return round((hourly if hourly is not None else smic_hourly(on)) * HOURS_PER_MONTH, 2)
