"""Vectorised generation of offer attributes and creation instants (numpy, seeded).

`attributes()` draws every column of a batch of offers at once; the renderer later turns one row
into JSON. Every draw here comes from the generator passed in, so a market is a function of its seed.
Optional attributes are present at the shares of facts/presence.py, by origine and year of creation.
"""

from __future__ import annotations

import numpy as np

from offres_crawler.sandbox.catalog import Catalog
from offres_crawler.sandbox.facts import contracts, presence, salaries, texts
from offres_crawler.sandbox.facts import geography as geo
from offres_crawler.sandbox.facts.salaries import SAL_A, SAL_C, SAL_H, SAL_M, SAL_NONE

DAY_MS = 86_400_000
FT_SHARE = 0.30  # share of France Travail offers outside bursts (partners dominate the market)
PARTNERS_PER_IMPORT = 6.0  # partner offers arrive in bulk imports sharing one second

# Location kinds (column loc_kind).
LOC_COMMUNE, LOC_DEPT, LOC_REGION, LOC_FRANCE, LOC_FOREIGN = range(5)
# How the offers without commune nor département split when MarketConfig.no_location_share sets
# their share: "France", a region, a foreign country (with DEPT_ONLY_SHARE département-only ones).
NO_LOCATION_SPLIT = (0.76, 0.15, 0.09)
DEPT_ONLY_SHARE = 0.04

# Flags (column flags).
F_ALTERNANCE, F_ACCESSIBLE_TH, F_MRS, F_MANQUE, F_EA, F_HANDI = (1, 2, 4, 8, 16, 32)

PERIOD_CODES = {"M": SAL_M, "A": SAL_A, "H": SAL_H, "C": SAL_C}
HOURS_PER_MONTH = 151.67

# Time of day (local hour, UTC+1) and day of week weights of creation instants.
_HOUR_W = np.array([.05, .03, .03, .03, .05, .1, .3, .7, 1, 1, 1, 1, .7, .7, .95, .95, .95, .9, .6,
                    .35, .35, .2, .15, .1])
_WEEKDAY_W = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.3, 0.15])  # Monday .. Sunday
_MEAN_AGE_DAYS = 30.0

COLUMNS: dict[str, str] = {
    "created": "i8", "withdrawn": "i8", "score": "u2", "id_key": "i8", "origine": "u1",
    "partner": "i1", "type": "u1", "nature": "u1", "duree_contrat": "f4", "exp_bucket": "u1",
    "exp_exige": "u1", "qualif": "u1", "loc_kind": "u1", "commune": "i4", "dept": "i2",
    "region": "i1", "country": "i1", "appellation": "i2", "metier": "i2", "naf": "i2",
    "niveau": "i1", "permis": "i1", "langue": "i1", "temps": "u1", "hebdo": "i2",
    "sal_period": "u1", "sal_amount": "f4", "flags": "u1", "comp_mask": "u2", "malformed": "u1",
    "facet": "u2",  # the four facets' values in one code (facet_code): one count gives all four
}
# Sizes of the facets' value ranges, in the order facet_code mixes them: type, nature, exp_bucket,
# qualif (0 = none, 1..9).
FACET_SIZES = (len(contracts.TYPES_CONTRATS), len(contracts.NATURES_CONTRATS), 5, 10)
_SHARES = {key: np.array(pairs, dtype=np.float64) for key, pairs in presence.PRESENCE.items()}  # [year, side]
_LOCATION = np.array(presence.LOCATION, dtype=np.float64)  # [year, side, kind]
assert _LOCATION.shape[1] == 2  # the group index below is year * 2 + side


def year_indexes(created_ms: np.ndarray) -> np.ndarray:
    """The year index (presence.YEAR_STARTS_MS) of each creation instant."""
    return np.searchsorted(np.array(presence.YEAR_STARTS_MS, dtype=np.int64), created_ms, side="right").astype(np.int8)


def _share_p(pairs) -> np.ndarray:
    p = np.array([x[-1] for x in pairs], dtype=np.float64)
    return p / p.sum()


def _present(rng: np.random.Generator, key: str, year: np.ndarray, side: np.ndarray) -> np.ndarray:
    return rng.random(len(side)) < _SHARES[key][year, side]


def _pick_in_groups(rng, group: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                    flat: np.ndarray | None = None) -> np.ndarray:
    """One random member per row from the variable-length group of that row."""
    k = starts[group] + (rng.random(len(group)) * lengths[group]).astype(np.int64)
    return k if flat is None else flat[k]


def instants(rng: np.random.Generator, n: int, anchor_ms: int, days: float) -> np.ndarray:
    """n creation instants (epoch ms) over `days` before the anchor: more recent offers are more
    numerous (older ones were withdrawn), weekdays and office hours dominate. At least 1 s old."""
    out = np.empty(0, dtype=np.int64)
    span_ms = int(days * DAY_MS)
    while len(out) < n:
        m = int((n - len(out)) * 3) + 64
        # Truncated exponential age, then thinning by hour and weekday.
        u = rng.random(m)
        scale = _MEAN_AGE_DAYS / days
        age_frac = -scale * np.log1p(-u * (1 - np.exp(-1 / scale)))
        t = anchor_ms - 1000 - (age_frac * (span_ms - 1000)).astype(np.int64)
        local = t + 3_600_000
        hour = (local // 3_600_000) % 24
        weekday = ((local // DAY_MS) + 3) % 7  # 1970-01-01 was a Thursday
        keep = rng.random(m) < _HOUR_W[hour] * _WEEKDAY_W[weekday]
        out = np.concatenate([out, t[keep]])
    return out[:n]


def attributes(rng: np.random.Generator, cat: Catalog, origine: np.ndarray, year: np.ndarray,
               no_location_share: float | None, malformed_share: float) -> dict[str, np.ndarray]:
    """Every column except created/withdrawn/id_key for offers of the given origines, created in
    the given years (year_indexes)."""
    n = len(origine)
    ft = origine == 1
    side = (~ft).astype(np.int8)  # 0 France Travail, 1 partner
    year = np.broadcast_to(year, (n,))
    cols: dict[str, np.ndarray] = {"origine": origine.astype(np.uint8)}
    cols["score"] = rng.integers(0, 65_536, n, dtype=np.uint16)
    cols["partner"] = np.where(ft, -1, rng.choice(len(texts.PARTNERS), n, p=_share_p(texts.PARTNERS))).astype(np.int8)

    # Contract: type, nature, duration.
    type_codes = [c for c, _, _ in contracts.TYPES_CONTRATS]
    nature_codes = [c for c, _, _ in contracts.NATURES_CONTRATS]
    typ = rng.choice(len(type_codes), n, p=_share_p(contracts.TYPES_CONTRATS))
    p_nat = _share_p(contracts.NATURES_CONTRATS).copy()
    ns = nature_codes.index("NS")
    p_nat[ns] = 0.0
    nature = rng.choice(len(nature_codes), n, p=p_nat / p_nat.sum())
    self_employed = np.isin(typ, [type_codes.index(c) for c in contracts.SELF_EMPLOYED_TYPES])
    nature = np.where(self_employed & (rng.random(n) < 0.9), ns, nature)
    cols["type"], cols["nature"] = typ.astype(np.uint8), nature.astype(np.uint8)
    with_duration = np.isin(typ, [type_codes.index(c) for c in contracts.TYPES_WITH_DURATION])
    months = np.array([0.5, 1, 2, 3, 4, 6, 9, 12, 18, 24, 36], dtype=np.float32)
    p_months = np.array([.04, .12, .1, .14, .08, .2, .07, .15, .04, .04, .02])
    cols["duree_contrat"] = np.where(with_duration, rng.choice(months, n, p=p_months), 0).astype(np.float32)

    # Experience.
    bucket = rng.choice(5, n, p=np.array(contracts.EXPERIENCE_SHARES) / sum(contracts.EXPERIENCE_SHARES))
    exige = np.where(bucket == 4, 0, np.where(rng.random(n) < 0.8, 2, 1))  # 0 D, 1 S, 2 E
    cols["exp_bucket"], cols["exp_exige"] = bucket.astype(np.uint8), exige.astype(np.uint8)

    has_qualif = _present(rng, "qualificationCode", year, side)
    q = rng.choice(9, n, p=np.array(contracts.QUALIFICATION_SHARES) / sum(contracts.QUALIFICATION_SHARES)) + 1
    cols["qualif"] = np.where(has_qualif, q, 0).astype(np.uint8)

    # Workplace: without a commune at the measured shares, or at no_location_share when set.
    if no_location_share is None:
        bounds, group = np.cumsum(_LOCATION, axis=-1).reshape(-1, 4), year * np.int8(2) + side
    else:
        split = [no_location_share * s for s in NO_LOCATION_SPLIT] + [DEPT_ONLY_SHARE]
        bounds, group = np.cumsum(split).reshape(1, 4), np.zeros(n, dtype=np.int8)
    u = rng.random(n)
    kind = np.select([u < bounds[group, k] for k in range(4)],  # one bound per row at a time: small temporaries
                     [LOC_FRANCE, LOC_REGION, LOC_FOREIGN, LOC_DEPT], LOC_COMMUNE)
    c = cat.communes
    commune = rng.choice(len(c), n, p=c.weight)
    dept_w = np.array([d.weight for d in geo.DEPARTEMENTS])
    dept_only = rng.choice(len(dept_w), n, p=dept_w / dept_w.sum())
    dept = np.where(kind == LOC_COMMUNE, c.dept[commune], np.where(kind == LOC_DEPT, dept_only, -1))
    region_only = cat.dept_region[rng.choice(len(dept_w), n, p=dept_w / dept_w.sum())]
    region = np.where(dept >= 0, cat.dept_region[np.maximum(dept, 0)], np.where(kind == LOC_REGION, region_only, -1))
    country_w = np.array([x[4] for x in geo.COUNTRIES])
    country = np.where(kind == LOC_FOREIGN, rng.choice(len(country_w), n, p=country_w / country_w.sum()), 0)
    cols["loc_kind"] = kind.astype(np.uint8)
    cols["commune"] = np.where(kind == LOC_COMMUNE, commune, -1).astype(np.int32)
    cols["dept"], cols["region"] = dept.astype(np.int16), region.astype(np.int8)
    cols["country"] = country.astype(np.int8)

    # Job: métier, appellation, sector.
    metier = rng.choice(len(cat.metier_codes), n, p=cat.metier_weight)
    app_len = np.array([len(a) for a in cat.metier_appellations])
    app_start = np.array([a[0] for a in cat.metier_appellations])
    cols["metier"] = metier.astype(np.int16)
    cols["appellation"] = _pick_in_groups(rng, metier, app_start, app_len).astype(np.int16)
    naf_len = np.array([len(x) for x in cat.metier_nafs])
    naf_start = np.concatenate([[0], np.cumsum(naf_len)[:-1]])
    naf_flat = np.concatenate(cat.metier_nafs)
    has_naf = _present(rng, "codeNAF", year, side)
    cols["naf"] = np.where(has_naf, _pick_in_groups(rng, metier, naf_start, naf_len, naf_flat), -1).astype(np.int16)

    # Requirements.
    def optional(key, shares):
        has = _present(rng, key, year, side)
        return np.where(has, rng.choice(len(shares), n, p=np.array(shares) / sum(shares)), -1).astype(np.int8)

    cols["niveau"] = optional("formations", contracts.NIVEAU_SHARES)
    cols["permis"] = optional("permis", contracts.PERMIS_SHARES)
    cols["langue"] = optional("langues", contracts.LANGUE_SHARES)
    comp_len = np.array([len(x) for x in cat.metier_competences])
    has_comp = _present(rng, "competences", year, side)
    full = (1 << comp_len[metier]) - 1
    mask = rng.integers(1, 1 << 16, n) & full
    mask = np.where(mask == 0, 1, mask)
    cols["comp_mask"] = np.where(has_comp, mask, 0).astype(np.uint16)

    # Working time: 1 temps plein, 2 temps partiel, 0 not said; weekly hours in minutes.
    has_time = _present(rng, "dureeTravailLibelleConverti", year, side)
    partial = rng.random(n) < 0.15
    full_minutes = rng.choice(np.array([2100, 2160, 2250, 2280, 2340]), n, p=[.7, .05, .12, .05, .08])
    part_minutes = rng.integers(10, 31, n) * 60
    cols["temps"] = np.where(has_time, np.where(partial, 2, 1), 0).astype(np.uint8)
    cols["hebdo"] = np.where(has_time, np.where(partial, part_minutes, full_minutes), 0).astype(np.int16)

    cols["sal_period"], cols["sal_amount"] = _salaries(rng, year, side)

    alternance = np.isin(nature, [nature_codes.index(c) for c in contracts.ALTERNANCE_NATURES])
    flags = (alternance * F_ALTERNANCE
             | (rng.random(n) < 0.02) * F_ACCESSIBLE_TH
             | (rng.random(n) < 0.02) * F_MRS
             | (ft & (rng.random(n) < 0.13)) * F_MANQUE
             | (rng.random(n) < 0.01) * F_EA
             | (rng.random(n) < 0.04) * F_HANDI)
    cols["flags"] = flags.astype(np.uint8)
    broken = rng.random(n) < malformed_share
    cols["malformed"] = np.where(broken, rng.integers(1, 4, n), 0).astype(np.uint8)
    cols["facet"] = facet_code(cols)
    return cols


def facet_code(cols: dict[str, np.ndarray]) -> np.ndarray:
    """typeContrat, natureContrat, experience and qualification of each row in one uint16 code."""
    code = cols["type"].astype(np.uint16)
    for name, size in zip(("nature", "exp_bucket", "qualif"), FACET_SIZES[1:]):
        code *= size
        code += cols[name]
    return code


def _salaries(rng: np.random.Generator, year: np.ndarray, side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Period code (facts/salaries.py) and lower bound in that period of each offer's libellé.
    Drawn group by group into the final arrays: at 1,000,000 offers, whole-market temporaries of
    every kind of amount would raise the sandbox's peak memory by tens of MB."""
    n = len(side)
    has = _present(rng, "salaire.libelle", year, side)
    codes, shares = zip(*salaries.PERIOD_SHARES)
    period = rng.choice(np.array(codes, dtype=np.uint8), n, p=np.array(shares) / sum(shares))
    amount = np.zeros(n, dtype=np.float32)

    def annual(k: int) -> np.ndarray:
        return (rng.uniform(22, 70, k) * 1000).round(-2)

    draws = {SAL_M: lambda k: rng.uniform(1_766, 4_500, k).round(0), SAL_A: annual,
             SAL_H: lambda k: rng.uniform(11.65, 25, k).round(2), SAL_C: lambda k: rng.uniform(100, 400, k).round(0)}
    for code, draw in draws.items():
        rows = np.flatnonzero(period == code)
        amount[rows] = draw(len(rows))
    monthly = np.flatnonzero(period == SAL_M)
    swapped = monthly[rng.random(len(monthly)) < np.take(salaries.MONTHLY_WITH_ANNUAL_AMOUNT, side[monthly])]
    amount[swapped] = annual(len(swapped))
    # Partner forms that state no period or no amount ("Autre de ...", "Annuel de").
    partners = np.flatnonzero(side == 1)
    u = rng.random(len(partners))
    low = 0.0
    for code, share in salaries.PARTNER_ODD_FORMS:
        rows = partners[(u >= low) & (u < low + share)]
        low += share
        period[rows] = code
        amount[rows] = 0 if code == salaries.SAL_PERIOD_ONLY else annual(len(rows))
    period[~has] = SAL_NONE
    amount[~has] = 0
    return period, amount
