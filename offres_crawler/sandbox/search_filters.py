"""The filters of a search, each a boolean mask over the candidate rows (search_engine.py).

Semantics (REFERENCE §3 and Part 1): values of one parameter are ORed, parameters are ANDed, except
typeContrat and natureContrat which are ORed together, and entreprisesAdaptees with
employeursHandiEngages. A location filter excludes offers without that attribute. Boolean flags
select offers whose flag equals the value given (tempsPlein=false selects part-time offers).
Each filter reads the window's columns through small lookup tables indexed by the offers'
integer codes.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from offres_crawler.sandbox import generation as gen
from offres_crawler.sandbox.communes import haversine_km
from offres_crawler.sandbox.facts import geography as geo

if TYPE_CHECKING:
    from offres_crawler.sandbox.catalog import Catalog

DEFAULT_DISTANCE_KM = 10
DIST_UNIT_KM = 0.1
DIST_MAX = (1 << 17) - 1
_EXIGENCE = {"D": 0, "S": 1, "E": 2}


def table(size: int, indexes, offset: int = 0) -> np.ndarray:
    """A boolean lookup table over codes (shifted by `offset` so that -1 = "none" maps to 0)."""
    t = np.zeros(size + offset, dtype=bool)
    for i in indexes:
        if i is not None:
            t[i + offset] = True
    return t


class Filters:
    """Every filter but the creation dates (the window) and the keywords (search_engine.py)."""

    def __init__(self, catalog: Catalog) -> None:
        self.cat = catalog
        self.country_continent = catalog.country_continent

    def mask(self, w: Window, f: dict[str, Any], now_ms: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Rows of the window alive at `now_ms` that every filter keeps, and the distance of each
        commune (0.1 km units, by commune index + 1) when the query is around communes."""
        mask = w["withdrawn"] > now_ms
        for cond in (self._contract, self._origin, self._job, self._requirements, self._working_time,
                     self._flags, self._location):
            part = cond(w, f)
            if part is not None:
                mask &= part
        distance = None
        if f.get("commune"):
            in_radius, distance = self._communes(tuple(f["commune"]), f.get("distance"))
            mask &= in_radius[w["commune"] + 1]
        return mask, distance

    def _contract(self, w: Window, f: dict[str, Any]) -> np.ndarray | None:
        idx = self.cat.index
        types, natures = f.get("typeContrat"), f.get("natureContrat")
        if not types and not natures:
            return None
        sel = np.zeros(w.size, dtype=bool)
        if types:
            sel |= table(len(idx["typesContrats"]), (idx["typesContrats"].get(c) for c in types))[w["type"]]
        if natures:
            sel |= table(len(idx["naturesContrats"]), (idx["naturesContrats"].get(c) for c in natures))[w["nature"]]
        return sel

    def _origin(self, w: Window, f: dict[str, Any]) -> np.ndarray | None:
        origine = f.get("origineOffre")
        partners = f.get("partenaires")
        if origine is not None and int(origine) == 1:
            return w["origine"] == 1
        if partners:
            # modeSelectionPartenaires: INCLUS (the default here) keeps the listed partners,
            # EXCLU the others; France Travail offers stay unless origineOffre=2.
            known = self.cat.index["partenaires"]
            listed = table(len(known), (known.get(p) for p in partners), offset=1)[w["partner"] + 1]
            sel = listed if f.get("modeSelectionPartenaires", "INCLUS") == "INCLUS" else (w["origine"] == 2) & ~listed
            return sel if origine is not None else sel | (w["origine"] == 1)
        if origine is not None:
            return w["origine"] == int(origine)
        return None

    def _job(self, w: Window, f: dict[str, Any]) -> np.ndarray | None:
        cat, idx = self.cat, self.cat.index
        n_met = len(cat.metier_codes)
        metier_ok = None

        def narrow(table):
            nonlocal metier_ok
            metier_ok = table if metier_ok is None else metier_ok & table

        if f.get("grandDomaine"):
            narrow(cat.metier_grand_domaine == idx["grandsDomaines"].get(f["grandDomaine"], -1))
        if f.get("domaine"):
            narrow(cat.metier_domaine == idx["domaines"].get(f["domaine"], -1))
        if f.get("theme"):
            narrow(cat.metier_theme == idx["themes"].get(str(f["theme"]), -1))
        if f.get("codeROME"):
            narrow(table(n_met, (idx["metiers"].get(c) for c in f["codeROME"])))
        sel = None if metier_ok is None else metier_ok[w["metier"]]
        if f.get("appellation"):
            a = w["appellation"] == idx["appellations"].get(str(f["appellation"]), -1)
            sel = a if sel is None else sel & a
        naf_ok = None
        if f.get("secteurActivite"):
            divisions = {idx["secteursActivites"].get(s) for s in f["secteurActivite"]}
            naf_ok = np.concatenate([[False], np.isin(cat.naf_division, list(divisions - {None}))])
        if f.get("codeNAF"):
            t = table(len(idx["nafs"]), (idx["nafs"].get(c) for c in f["codeNAF"]), offset=1)
            naf_ok = t if naf_ok is None else naf_ok & t
        if naf_ok is not None:
            s = naf_ok[w["naf"] + 1]
            sel = s if sel is None else sel & s
        return sel

    def _requirements(self, w: Window, f: dict[str, Any]) -> np.ndarray | None:
        idx = self.cat.index
        conds = []
        if f.get("experience") is not None:
            conds.append(w["exp_bucket"] == int(f["experience"]))
        if f.get("experienceExigence"):
            conds.append(w["exp_exige"] == _EXIGENCE.get(f["experienceExigence"], -1))
        q = f.get("qualification")
        if q is not None:
            q = str(q)
            qual = w["qualif"]
            conds.append(qual == 9 if q == "9" else (qual == 0 if q == "X" else (qual >= 1) & (qual <= 8)))
        if f.get("niveauFormation"):
            conds.append(w["niveau"] == idx["niveauxFormations"].get(f["niveauFormation"], -2))
        if f.get("permis"):
            conds.append(w["permis"] == idx["permis"].get(f["permis"], -2))
        return all_of(conds)

    def _working_time(self, w: Window, f: dict[str, Any]) -> np.ndarray | None:
        conds = []
        if f.get("tempsPlein") is not None:
            conds.append(w["temps"] == (1 if f["tempsPlein"] else 2))
        if f.get("dureeHebdo") is not None:
            conds.append(w["temps"] == int(f["dureeHebdo"]))
        for key, op in (("dureeHebdoMin", np.greater_equal), ("dureeHebdoMax", np.less_equal)):
            if f.get(key) is not None:
                hhmm = int(f[key])
                conds.append((w["hebdo"] > 0) & op(w["hebdo"], hhmm // 100 * 60 + hhmm % 100))
        # Contract durations in months (0.5 = 15 days); offers without a duration (CDI) never match.
        if f.get("dureeContratMin") is not None:
            conds.append((w["duree_contrat"] > 0) & (w["duree_contrat"] >= float(f["dureeContratMin"]) - 1e-6))
        if f.get("dureeContratMax") is not None:
            conds.append((w["duree_contrat"] > 0) & (w["duree_contrat"] <= float(f["dureeContratMax"]) + 1e-6))
        if f.get("salaireMin") is not None:
            conds.append(self._salary(w, float(f["salaireMin"]), f.get("periodeSalaire") or "M"))
        return all_of(conds)

    @staticmethod
    def _salary(w: Window, minimum: float, period: str) -> np.ndarray:
        """Offers whose lower salary bound, converted to the requested period, reaches minimum.
        Cachets only compare with cachets."""
        p = w["sal_period"]
        amount = np.round(w["sal_amount"].astype(np.float64), 2)  # the cents the offer shows
        if period == "C":
            return (p == gen.SAL_C) & (amount >= minimum)
        monthly = np.select([p == gen.SAL_M, p == gen.SAL_A, p == gen.SAL_H],
                            [amount, amount / 12.0, amount * gen.HOURS_PER_MONTH], np.nan)
        value = {"M": monthly, "A": monthly * 12.0, "H": monthly / gen.HOURS_PER_MONTH}[period]
        with np.errstate(invalid="ignore"):
            return value >= minimum

    def _flags(self, w: Window, f: dict[str, Any]) -> np.ndarray | None:
        conds = []
        flags = w["flags"]
        for key, bit in (("accesTravailleurHandicape", gen.F_ACCESSIBLE_TH), ("offresMRS", gen.F_MRS),
                         ("offresManqueCandidats", gen.F_MANQUE)):
            if f.get(key) is not None:
                conds.append(((flags & bit) != 0) == bool(f[key]))
        ea, he = f.get("entreprisesAdaptees"), f.get("employeursHandiEngages")
        either = []
        if ea is not None:
            either.append(((flags & gen.F_EA) != 0) == bool(ea))
        if he is not None:
            either.append(((flags & gen.F_HANDI) != 0) == bool(he))
        if either:
            conds.append(either[0] | either[1] if len(either) == 2 else either[0])
        return all_of(conds)

    def _location(self, w: Window, f: dict[str, Any]) -> np.ndarray | None:
        cat, idx = self.cat, self.cat.index
        conds = []
        if f.get("departement"):
            depts = {idx["departements"].get(d) for d in f["departement"]} - {None}
            if f.get("inclureLimitrophes"):
                depts = {int(n) for d in depts for n in cat.dept_neighbours[d]}
            conds.append(table(len(cat.dept_codes), depts, offset=1)[w["dept"] + 1])
        if f.get("region"):
            conds.append(w["region"] == idx["regions"].get(f["region"], -2))
        if f.get("paysContinent"):
            code = str(f["paysContinent"])
            if code in idx["pays"]:
                conds.append(w["country"] == idx["pays"][code])
            else:
                conds.append(self.country_continent[w["country"]] == idx["continents"].get(code, -2))
        return all_of(conds)

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one engine per process, lives as long)
    def _communes(self, codes: tuple[str, ...], distance) -> tuple[np.ndarray, np.ndarray]:
        """(in-radius table over commune index + 1, distance in 0.1 km per commune index + 1).
        Paris, Marseille and Lyon count as one town: reaching one arrondissement (or giving the
        town's own code) brings all of them."""
        c = self.cat.communes
        km = DEFAULT_DISTANCE_KM if distance is None else int(distance)
        index = self.cat.index["communes"]
        city_codes = {city[0]: i for i, city in enumerate(geo.ARRONDISSEMENT_CITIES)}
        centres = []
        for code in codes:
            if code in index:
                centres.append(index[code])
            elif code in city_codes:
                centres.extend(np.flatnonzero(c.city_of == city_codes[code]).tolist())
        dist = np.full(len(c), np.inf)
        for i in centres:
            dist = np.minimum(dist, haversine_km(c.lat[i], c.lon[i], c.lat, c.lon))
        dist[centres] = 0.0
        inside = dist <= km if km > 0 else np.isin(np.arange(len(c)), centres)
        for city in np.unique(c.city_of[inside]):
            if city >= 0:
                inside |= c.city_of == city
        in_radius = np.concatenate([[False], inside])
        units = np.minimum(np.nan_to_num(dist / DIST_UNIT_KM, posinf=DIST_MAX), DIST_MAX)
        return in_radius, np.concatenate([[DIST_MAX], units]).astype(np.int64)


class Window:
    """Column slices of the candidate row range, sliced lazily."""

    __slots__ = ("cols", "lo", "hi", "size", "_cache")

    def __init__(self, cols: dict[str, np.ndarray], lo: int, hi: int) -> None:
        self.cols, self.lo, self.hi, self.size = cols, lo, hi, hi - lo
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        col = self._cache.get(name)
        if col is None:
            col = self._cache[name] = self.cols[name][self.lo:self.hi]
        return col


def all_of(conds: list[np.ndarray]) -> np.ndarray | None:
    if not conds:
        return None
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out
