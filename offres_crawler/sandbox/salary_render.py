"""An offer's `salaire` object, in the written forms of facts/salaries.py.

The period and the lower bound come from the market's columns (what the salaireMin filter reads);
the form, the range, the months and the other keys come from the offer's own random generator.
"""

from __future__ import annotations

import bisect
import itertools
import random

from offres_crawler.sandbox.facts import contracts
from offres_crawler.sandbox.facts import salaries as sal


def _table(pairs) -> tuple[tuple, list[float]]:
    """(values, cumulative weights normalised to 1) of (value, weight) pairs, for _weighted."""
    values, weights = zip(*pairs)
    return values, list(itertools.accumulate(w / sum(weights) for w in weights))


def _weighted(rng: random.Random, table: tuple[tuple, list[float]]):
    values, cumulative = table
    return values[min(bisect.bisect_right(cumulative, rng.random()), len(values) - 1)]


_FT_FORMS = _table(sal.FT_FORMS)
_MONTHS_FLOAT = _table(sal.MONTHS_FLOAT)
_RANGE_FACTORS = _table(sal.RANGE_FACTORS)


def _dot(x: float) -> str:
    """A decimal number as the API's France Travail libellés write it: "38000.0", "11.88", "3534.2"."""
    return repr(round(x, 2))


def _comma(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _amounts(rng: random.Random, low: float, side: int, fmt, always_range: bool = False) -> str:
    if always_range or rng.random() < sal.RANGE[side]:
        high = round(low * _weighted(rng, _RANGE_FACTORS), 2)
        return f"{fmt(low)} Euros à {fmt(high)} Euros"
    return f"{fmt(low)} Euros"


def libelle(rng: random.Random, period: int, amount: float, side: int) -> str:
    """The libellé of an offer whose columns say `period` (not SAL_NONE) and `amount`."""
    low = round(float(amount), 2)  # a float32 column: back to the cents it was drawn with
    if period == sal.SAL_PERIOD_ONLY:
        return "Annuel de"
    # "Autre de" and "De": ranges on every real one (3 and 2 of them).
    if period == sal.SAL_AUTRE:
        return "Autre de " + _amounts(rng, low, side, _comma, always_range=True)
    if period == sal.SAL_NO_PERIOD:
        return "De " + _amounts(rng, low, side, _comma, always_range=True)
    name = sal.PERIOD_NAMES[period]
    if side == 1:
        return f"{name} de {_amounts(rng, low, side, _comma)}"
    form = _weighted(rng, _FT_FORMS)
    if form == sal.FT_FLOAT_MONTHS:
        return f"{name} de {_amounts(rng, low, side, _dot)} sur {_weighted(rng, _MONTHS_FLOAT)!r} mois"
    if form == sal.FT_INT_MONTHS:
        return f"{name} de {_amounts(rng, low, side, lambda x: f'{x:.2f}')} sur 12 mois"
    return f"{name} de {_amounts(rng, low, side, lambda x: f'{x:.2f}')}"


def salaire(rng: random.Random, period: int, amount: float, side: int, p: dict[str, float], newer: bool) -> dict:
    """The `salaire` object (often {}); `p`: the shares of the offer's group (presence.SHARES);
    `newer`: the offer has the newer shape (listeComplements)."""
    s: dict = {}
    if period != sal.SAL_NONE:
        s["libelle"] = libelle(rng, period, amount, side)
    if rng.random() < p["salaire.commentaire"]:
        s["commentaire"] = rng.choice(sal.COMMENTAIRES)
    if rng.random() < p["salaire.complement1"]:
        n = 2 if rng.random() < p["salaire.complement2 | salaire.complement1"] else 1
        start = int(rng.random() * len(contracts.SALAIRE_COMPLEMENTS))
        complements = [contracts.SALAIRE_COMPLEMENTS[(start + i) % len(contracts.SALAIRE_COMPLEMENTS)]
                       for i in range(n)]
        s["complement1"] = complements[0][1]
        if n > 1:
            s["complement2"] = complements[1][1]
        if newer:
            s["listeComplements"] = [{"code": c, "libelle": lib} for c, lib in complements]
    return s
