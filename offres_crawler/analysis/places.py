"""Where an offer's workplace is, in the units analysts group by (framework-free, no pandas).

The report (report/frame.py) and the history (offres_crawler/snapshot/history) both use it: a
département from `lieuTravail`, which the API does not give as a field of its own.
"""

from __future__ import annotations

import re

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
