"""Filters, sorts and facets over the market's columns.

The candidate rows are a contiguous range of the creation-ordered rows (narrowed by binary search
when the query bounds the creation date); every filter then narrows a boolean mask over that range
only, through small lookup tables indexed by the offers' integer codes.

Semantics (REFERENCE §3 and Part 1): values of one parameter are ORed, parameters are ANDed, except
typeContrat and natureContrat which are ORed together, and entreprisesAdaptees with
employeursHandiEngages. A location filter excludes offers without that attribute. Boolean flags
select offers whose flag equals the value given (tempsPlein=false selects part-time offers).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from offres_crawler.sandbox import generation as gen
from offres_crawler.sandbox.communes import haversine_km
from offres_crawler.sandbox.facts import contracts
from offres_crawler.sandbox.facts import geography as geo
from offres_crawler.sandbox.query import Query, SearchResult
from offres_crawler.sandbox.reality import shuffle_ties

if TYPE_CHECKING:
    from offres_crawler.sandbox.market_view import MarketView

DEFAULT_DISTANCE_KM = 10
_ROW_BITS = 24  # rows are below 16.7 M
_SCORE_BITS = 16
_KW_MAX = 31  # keyword score cap (5 bits)
_DIST_UNIT_KM = 0.1
_DIST_MAX = (1 << 17) - 1
_EXIGENCE = {"D": 0, "S": 1, "E": 2}


def _table(size: int, indexes, offset: int = 0) -> np.ndarray:
    """A boolean lookup table over codes (shifted by `offset` so that -1 = "none" maps to 0)."""
    t = np.zeros(size + offset, dtype=bool)
    for i in indexes:
        if i is not None:
            t[i + offset] = True
    return t


class SearchEngine:
    def __init__(self, market: MarketView) -> None:
        self.market = market
        cat = market.catalog
        self.cat = cat
        self.type_order = np.argsort([c for c, _, _ in contracts.TYPES_CONTRATS])
        self.type_codes = [c for c, _, _ in contracts.TYPES_CONTRATS]
        self.nature_order = np.argsort([c for c, _, _ in contracts.NATURES_CONTRATS])
        self.nature_codes = [c for c, _, _ in contracts.NATURES_CONTRATS]
        self.country_continent = cat.country_continent

    # -- entry point -------------------------------------------------------------------------
    def search(self, query: Query, now_ms: int, shuffle: np.random.Generator | None = None) -> SearchResult:
        """The result of `query` on the market as it is at `now_ms`; `shuffle`: put ties of sort=1
        in a random order (reality.py)."""
        m = self.market
        f = query.filters
        created = m.cols["created"][: m.n]
        lo, hi = 0, int(np.searchsorted(created, now_ms, side="right"))
        if f.get("minCreationDate") is not None:
            lo = max(lo, int(np.searchsorted(created, int(f["minCreationDate"]) * 1000, side="left")))
        if f.get("maxCreationDate") is not None:
            hi = min(hi, int(np.searchsorted(created, (int(f["maxCreationDate"]) + 1) * 1000, side="left")))
        if f.get("publieeDepuis") is not None:
            since = now_ms - int(f["publieeDepuis"]) * gen.DAY_MS
            lo = max(lo, int(np.searchsorted(created, since, side="left")))
        if lo >= hi:
            return SearchResult(total=0, rows=[], facets={})
        window = _Window(m.cols, lo, hi)
        mask = window["withdrawn"] > now_ms
        for cond in (self._contract, self._origin, self._job, self._requirements, self._working_time, self._flags,
                     self._location):
            part = cond(window, f)
            if part is not None:
                mask &= part
        distance = None
        if f.get("commune"):
            in_radius, distance = self._communes(tuple(f["commune"]), f.get("distance"))
            mask &= in_radius[window["commune"] + 1]
        rows = np.flatnonzero(mask)
        kw_score = None
        if f.get("motsCles"):
            rows, kw_score = self._keywords(window, rows, f["motsCles"])
        rows_abs = rows + lo
        total = len(rows_abs)
        if total == 0:
            return SearchResult(total=0, rows=[], facets={})
        facets = self._facets(window, rows)
        page = self._sort(query, window, rows, rows_abs, kw_score, distance, shuffle)
        return SearchResult(total=total, rows=page, facets=facets)

    # -- filters -----------------------------------------------------------------------------
    def _contract(self, w: _Window, f: dict[str, Any]) -> np.ndarray | None:
        idx = self.cat.index
        types, natures = f.get("typeContrat"), f.get("natureContrat")
        if not types and not natures:
            return None
        sel = np.zeros(w.size, dtype=bool)
        if types:
            sel |= _table(len(idx["typesContrats"]), (idx["typesContrats"].get(c) for c in types))[w["type"]]
        if natures:
            sel |= _table(len(idx["naturesContrats"]), (idx["naturesContrats"].get(c) for c in natures))[w["nature"]]
        return sel

    def _origin(self, w: _Window, f: dict[str, Any]) -> np.ndarray | None:
        origine = f.get("origineOffre")
        partners = f.get("partenaires")
        if origine is not None and int(origine) == 1:
            return w["origine"] == 1
        if partners:
            # modeSelectionPartenaires: INCLUS (the default here) keeps the listed partners,
            # EXCLU the others; France Travail offers stay unless origineOffre=2.
            known = self.cat.index["partenaires"]
            listed = _table(len(known), (known.get(p) for p in partners), offset=1)[w["partner"] + 1]
            sel = listed if f.get("modeSelectionPartenaires", "INCLUS") == "INCLUS" else (w["origine"] == 2) & ~listed
            return sel if origine is not None else sel | (w["origine"] == 1)
        if origine is not None:
            return w["origine"] == int(origine)
        return None

    def _job(self, w: _Window, f: dict[str, Any]) -> np.ndarray | None:
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
            narrow(_table(n_met, (idx["metiers"].get(c) for c in f["codeROME"])))
        sel = None if metier_ok is None else metier_ok[w["metier"]]
        if f.get("appellation"):
            a = w["appellation"] == idx["appellations"].get(str(f["appellation"]), -1)
            sel = a if sel is None else sel & a
        naf_ok = None
        if f.get("secteurActivite"):
            divisions = {idx["secteursActivites"].get(s) for s in f["secteurActivite"]}
            naf_ok = np.concatenate([[False], np.isin(cat.naf_division, list(divisions - {None}))])
        if f.get("codeNAF"):
            t = _table(len(idx["nafs"]), (idx["nafs"].get(c) for c in f["codeNAF"]), offset=1)
            naf_ok = t if naf_ok is None else naf_ok & t
        if naf_ok is not None:
            s = naf_ok[w["naf"] + 1]
            sel = s if sel is None else sel & s
        return sel

    def _requirements(self, w: _Window, f: dict[str, Any]) -> np.ndarray | None:
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
        return _all(conds)

    def _working_time(self, w: _Window, f: dict[str, Any]) -> np.ndarray | None:
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
        return _all(conds)

    @staticmethod
    def _salary(w: _Window, minimum: float, period: str) -> np.ndarray:
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

    def _flags(self, w: _Window, f: dict[str, Any]) -> np.ndarray | None:
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
        return _all(conds)

    def _location(self, w: _Window, f: dict[str, Any]) -> np.ndarray | None:
        cat, idx = self.cat, self.cat.index
        conds = []
        if f.get("departement"):
            depts = {idx["departements"].get(d) for d in f["departement"]} - {None}
            if f.get("inclureLimitrophes"):
                depts = {int(n) for d in depts for n in cat.dept_neighbours[d]}
            conds.append(_table(len(cat.dept_codes), depts, offset=1)[w["dept"] + 1])
        if f.get("region"):
            conds.append(w["region"] == idx["regions"].get(f["region"], -2))
        if f.get("paysContinent"):
            code = str(f["paysContinent"])
            if code in idx["pays"]:
                conds.append(w["country"] == idx["pays"][code])
            else:
                conds.append(self.country_continent[w["country"]] == idx["continents"].get(code, -2))
        return _all(conds)

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
        units = np.minimum(np.nan_to_num(dist / _DIST_UNIT_KM, posinf=_DIST_MAX), _DIST_MAX)
        return in_radius, np.concatenate([[_DIST_MAX], units]).astype(np.int64)

    def _keywords(self, w: _Window, rows: np.ndarray, keywords: list[str]) -> tuple[np.ndarray, np.ndarray]:
        app = w["appellation"][rows]
        met = w["metier"][rows]
        comp = w["comp_mask"][rows]
        keep = np.ones(len(rows), dtype=bool)
        score = np.zeros(len(rows), dtype=np.int64)
        for kw in keywords:
            matched, s = self.market.keywords.match(kw, app, met, comp)
            keep &= matched
            score += s
        return rows[keep], np.minimum(score[keep], _KW_MAX)

    # -- facets and sorts --------------------------------------------------------------------
    def _facets(self, w: _Window, rows: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        types = np.bincount(w["type"][rows], minlength=len(self.type_codes))
        natures = np.bincount(w["nature"][rows], minlength=len(self.nature_codes))
        exp = np.bincount(w["exp_bucket"][rows], minlength=5)
        qual = np.bincount(w["qualif"][rows], minlength=10)
        qual_counts = (("0", int(qual[1:9].sum())), ("9", int(qual[9])), ("X", int(qual[0])))
        return {
            "typeContrat": [(self.type_codes[i], int(types[i])) for i in self.type_order if types[i]],
            "experience": [(b, int(exp[int(b)])) for b in contracts.EXPERIENCE_FACET_ORDER if exp[int(b)]],
            "qualification": [(v, n) for v, n in qual_counts if n],
            "natureContrat": [(self.nature_codes[i], int(natures[i])) for i in self.nature_order if natures[i]],
        }

    def _sort(self, query: Query, w: _Window, rows: np.ndarray, rows_abs: np.ndarray,
              kw_score: np.ndarray | None, distance: np.ndarray | None,
              shuffle: np.random.Generator | None = None) -> list[int]:
        start, end = query.start, min(query.end, len(rows_abs) - 1)
        if start > end:
            return []
        if query.sort == 1 and shuffle is not None:
            ordered = rows_abs[::-1]
            return shuffle_ties(ordered, self.market.cols["created"][ordered], start, end, shuffle).tolist()
        if query.sort == 1:
            # Rows are in creation order, ties by ascending pertinence: descending rows = sort 1.
            return rows_abs[::-1][start:end + 1].tolist()
        pertinence = w["score"][rows].astype(np.int64)
        if kw_score is not None:
            pertinence = pertinence | (kw_score << _SCORE_BITS)
        if query.sort == 2 and distance is not None:
            d = distance[w["commune"][rows] + 1]
            pert_bits = _SCORE_BITS + 5
            key = (d << (pert_bits + _ROW_BITS)) | (((1 << pert_bits) - 1 - pertinence) << _ROW_BITS) \
                | ((1 << _ROW_BITS) - 1 - rows_abs)
        else:
            # Pertinence descending, then creation descending (= row descending): negate for asc.
            key = -((pertinence << _ROW_BITS) | rows_abs)
        k = end + 1
        if k < len(key):
            top = np.argpartition(key, k - 1)[:k]
            top = top[np.argsort(key[top])]
        else:
            top = np.argsort(key)
        return rows_abs[top[start:]].tolist()


class _Window:
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


def _all(conds: list[np.ndarray]) -> np.ndarray | None:
    if not conds:
        return None
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out
