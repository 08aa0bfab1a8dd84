"""Vectorised generation of offer attributes and creation instants (numpy, seeded).

`attributes()` draws every column of a batch of offers at once; the renderer later turns one row
into JSON. Every draw here comes from the generator passed in, so a market is a function of its seed.
"""

from __future__ import annotations

import logging

import numpy as np

from offres_crawler.sandbox.catalog import Catalog
from offres_crawler.sandbox.facts import contracts, geography as geo, presence, texts

logger = logging.getLogger(__name__)

DAY_MS = 86_400_000
FT_SHARE = 0.30  # share of France Travail offers outside bursts (partners dominate the market)
PARTNERS_PER_IMPORT = 6.0  # partner offers arrive in bulk imports sharing one second

# Location kinds (column loc_kind).
LOC_COMMUNE, LOC_DEPT, LOC_REGION, LOC_FRANCE, LOC_FOREIGN = range(5)
DEPT_ONLY_SHARE = 0.04  # département known, commune unknown ("75 - Paris (Dept.)")
# How the offers without commune nor département split: "France", a region, a foreign country.
NO_LOCATION_SPLIT = (0.76, 0.15, 0.09)

# Flags (column flags).
F_ALTERNANCE, F_ACCESSIBLE_TH, F_MRS, F_MANQUE, F_EA, F_HANDI = (1, 2, 4, 8, 16, 32)

# Salary periods (column sal_period): 0 = no salary libellé.
SAL_NONE, SAL_M, SAL_A, SAL_H, SAL_C = range(5)
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
}


def _share_p(pairs) -> np.ndarray:
    p = np.array([x[-1] for x in pairs], dtype=np.float64)
    return p / p.sum()


def _present(rng: np.random.Generator, origine: np.ndarray, shares: tuple[float, float]) -> np.ndarray:
    p = np.where(origine == 1, shares[0], shares[1])
    return rng.random(len(origine)) < p


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


def attributes(rng: np.random.Generator, cat: Catalog, origine: np.ndarray, no_location_share: float,
               malformed_share: float) -> dict[str, np.ndarray]:
    """Every column except created/withdrawn/id_key for offers of the given origines."""
    n = len(origine)
    ft = origine == 1
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

    has_qualif = _present(rng, origine, presence.PRESENCE["qualificationCode"])
    q = rng.choice(9, n, p=np.array(contracts.QUALIFICATION_SHARES) / sum(contracts.QUALIFICATION_SHARES)) + 1
    cols["qualif"] = np.where(has_qualif, q, 0).astype(np.uint8)

    # Workplace.
    u = rng.random(n)
    p_france, p_region, _ = (no_location_share * s for s in NO_LOCATION_SPLIT)
    kind = np.select([u < p_france, u < p_france + p_region, u < no_location_share,
                      u < no_location_share + DEPT_ONLY_SHARE],
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
    has_naf = _present(rng, origine, presence.PRESENCE["codeNAF"])
    cols["naf"] = np.where(has_naf, _pick_in_groups(rng, metier, naf_start, naf_len, naf_flat), -1).astype(np.int16)

    # Requirements.
    def optional(key, shares):
        has = _present(rng, origine, presence.PRESENCE[key])
        return np.where(has, rng.choice(len(shares), n, p=np.array(shares) / sum(shares)), -1).astype(np.int8)

    cols["niveau"] = optional("formations", contracts.NIVEAU_SHARES)
    cols["permis"] = optional("permis", contracts.PERMIS_SHARES)
    cols["langue"] = optional("langues", contracts.LANGUE_SHARES)
    comp_len = np.array([len(x) for x in cat.metier_competences])
    has_comp = _present(rng, origine, presence.PRESENCE["competences"])
    full = (1 << comp_len[metier]) - 1
    mask = rng.integers(1, 1 << 16, n) & full
    mask = np.where(mask == 0, 1, mask)
    cols["comp_mask"] = np.where(has_comp, mask, 0).astype(np.uint16)

    # Working time: 1 temps plein, 2 temps partiel, 0 not said; weekly hours in minutes.
    has_time = _present(rng, origine, presence.PRESENCE["dureeTravailLibelleConverti"])
    partial = rng.random(n) < 0.15
    full_minutes = rng.choice(np.array([2100, 2160, 2250, 2280, 2340]), n, p=[.7, .05, .12, .05, .08])
    part_minutes = rng.integers(10, 31, n) * 60
    cols["temps"] = np.where(has_time, np.where(partial, 2, 1), 0).astype(np.uint8)
    cols["hebdo"] = np.where(has_time, np.where(partial, part_minutes, full_minutes), 0).astype(np.int16)

    # Salary: period and lower bound in that period.
    has_sal = _present(rng, origine, presence.SALAIRE_LIBELLE)
    period = rng.choice(np.array([SAL_M, SAL_A, SAL_H, SAL_C]), n, p=[.74, .2, .058, .002])
    amount = np.select(
        [period == SAL_M, period == SAL_A, period == SAL_H],
        [rng.uniform(1_766, 4_500, n).round(0), (rng.uniform(22, 70, n) * 1000).round(-2),
         rng.uniform(11.65, 25, n).round(2)],
        rng.uniform(100, 400, n).round(0))
    cols["sal_period"] = np.where(has_sal, period, SAL_NONE).astype(np.uint8)
    cols["sal_amount"] = np.where(has_sal, amount, 0).astype(np.float32)

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
    return cols
