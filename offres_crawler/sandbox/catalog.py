"""Every code the market uses, indexed: the facts turned into arrays and lookup tables.

Offers store small integer indexes into these tables; the referentiels, the search engine and the
renderer read the same tables, so every code an offer carries exists in its referentiel.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np

from offres_crawler.sandbox import rome_list
from offres_crawler.sandbox.communes import Communes, build_communes, haversine_km
from offres_crawler.sandbox.facts import contracts, naf, rome, texts
from offres_crawler.sandbox.facts import geography as geo


@dataclass
class Catalog:
    communes: Communes
    dept_codes: list[str]
    dept_region: np.ndarray  # int8 region index per département
    dept_neighbours: list[np.ndarray]  # département indexes, itself included
    region_codes: list[str]
    rome_source: str  # where the métiers come from (rome_list.py)
    metier_codes: list[str]
    metier_libelles: list[str]
    metier_domaine: np.ndarray  # int16 index into rome.DOMAINES
    metier_grand_domaine: np.ndarray  # int8 index into rome.GRANDS_DOMAINES
    metier_theme: np.ndarray  # int8 index into rome.THEMES
    metier_weight: np.ndarray
    metier_competences: list[list[tuple[str | None, str]]]  # (code or None for free text, libellé)
    metier_nafs: list[np.ndarray]  # NAF indexes likely for that métier
    appellation_codes: list[str]
    appellation_libelles: list[str]
    appellation_metier: np.ndarray  # int16
    metier_appellations: list[np.ndarray]
    naf_division: np.ndarray  # int8 index into naf.DIVISIONS
    country_continent: np.ndarray  # int8 index into geo.CONTINENTS
    index: dict[str, dict[str, int]] = field(default_factory=dict)  # referentiel name -> code -> index


_NAF_HINT = re.compile(r"[A-Z]\d+|[A-Z]")


def _naf_domains(hint: str) -> set[str]:
    out: set[str] = set()
    for part in hint.split():
        if any(ch.isdigit() for ch in part):
            out.add(part)
        else:
            out.update(part)
    return out


def _appellation_code(i: int) -> str:
    # Real appellation codes are 5 or 6 digits ("10438", "404278"); these are spread out so they look
    # like them, distinct by construction (two disjoint ranges, each increasing with i < 2,400).
    return str(10_000 + i * 37 if i % 3 else 100_000 + i * 293)


def _competence_code(letter: str, k: int) -> str:
    return str(100_000 + (ord(letter) - 64) * 7_919 + k * 131)


def _neighbours(depts: tuple[geo.Departement, ...]) -> list[np.ndarray]:
    """Départements limitrophes, approximated from chef-lieu distances (<= 110 km, at least the
    three nearest on the same land mass); overseas départements have none."""
    lat = np.array([d.lat for d in depts])
    lon = np.array([d.lon for d in depts])
    mainland = np.array([len(d.code) == 2 and d.code not in ("2A", "2B") for d in depts])
    corsica = np.array([d.code in ("2A", "2B") for d in depts])
    near = [set([i]) for i in range(len(depts))]
    for i, d in enumerate(depts):
        group = mainland if mainland[i] else corsica if corsica[i] else None
        if group is None:
            continue
        dist = haversine_km(d.lat, d.lon, lat, lon)
        dist[~group] = np.inf
        dist[i] = np.inf
        order = np.argsort(dist)
        chosen = set(np.flatnonzero(dist <= 110.0).tolist()) | set(order[:3].tolist())
        chosen = {j for j in chosen if np.isfinite(dist[j])}
        for j in chosen:
            near[i].add(j)
            near[j].add(i)
    return [np.array(sorted(s), dtype=np.int16) for s in near]


@functools.lru_cache(maxsize=2)
def get_catalog(rome_mode: str = "auto") -> Catalog:
    """The catalog over the métiers of `rome_mode` (see rome_list.MODES), built once per process."""
    metiers = rome_list.metiers(rome_mode)
    communes = build_communes()
    region_codes = [r.code for r in geo.REGIONS]
    region_idx = {c: i for i, c in enumerate(region_codes)}
    dept_codes = [d.code for d in geo.DEPARTEMENTS]
    dept_region = np.array([region_idx[d.region] for d in geo.DEPARTEMENTS], dtype=np.int8)

    domaine_idx = {c: i for i, (c, _) in enumerate(rome.DOMAINES)}
    gd_idx = {c: i for i, (c, _) in enumerate(rome.GRANDS_DOMAINES)}
    theme_of_gd = {gd: t for t, (_, _, gds) in enumerate(rome.THEMES) for gd in gds}
    naf_domains = [_naf_domains(hint) for _, _, hint in naf.NAFS]
    division_idx = {c: i for i, (c, _) in enumerate(naf.DIVISIONS)}

    metier_codes, metier_libelles, m_dom, m_gd, m_theme, m_w, m_comp, m_nafs = [], [], [], [], [], [], [], []
    app_codes, app_libelles, app_metier, metier_apps = [], [], [], []
    comps_of: dict[str, list[tuple[str | None, str]]] = {}
    nafs_of: dict[str, np.ndarray] = {}
    for m_i, (code, libelle, weight, appellations) in enumerate(
            zip(metiers.codes, metiers.libelles, metiers.weights, metiers.appellations)):
        gd = rome.grand_domaine_of(code)
        metier_codes.append(code)
        metier_libelles.append(libelle)
        m_dom.append(domaine_idx[code[:3]])
        m_gd.append(gd_idx[gd])
        m_theme.append(theme_of_gd[gd])
        m_w.append(weight)
        letter = code[0]
        if letter not in comps_of:
            comps_of[letter] = [(_competence_code(letter, k), lib) for k, lib in enumerate(texts.COMPETENCES[letter])]
            comps_of[letter] += [(None, lib) for lib in texts.COMPETENCES["*"]]  # free-text skills carry no code
        m_comp.append(comps_of[letter])
        if gd not in nafs_of:  # 22 grands domaines for 1,584 métiers: once each
            likely = [i for i, doms in enumerate(naf_domains) if gd in doms or letter in doms]
            nafs_of[gd] = np.array(likely or range(len(naf.NAFS)), dtype=np.int16)
        m_nafs.append(nafs_of[gd])
        first = len(app_codes)
        for app in appellations:
            app_codes.append(_appellation_code(len(app_codes)))
            app_libelles.append(app)
            app_metier.append(m_i)
        metier_apps.append(np.arange(first, len(app_codes), dtype=np.int16))
    assert len(set(app_codes)) == len(app_codes), "appellation codes must be unique"
    continent_idx = {c: i for i, (c, _) in enumerate(geo.CONTINENTS)}

    cat = Catalog(
        communes=communes,
        dept_codes=dept_codes,
        dept_region=dept_region,
        dept_neighbours=_neighbours(geo.DEPARTEMENTS),
        region_codes=region_codes,
        rome_source=metiers.source,
        metier_codes=metier_codes,
        metier_libelles=metier_libelles,
        metier_domaine=np.array(m_dom, dtype=np.int16),
        metier_grand_domaine=np.array(m_gd, dtype=np.int8),
        metier_theme=np.array(m_theme, dtype=np.int8),
        metier_weight=np.array(m_w) / sum(m_w),
        metier_competences=m_comp,
        metier_nafs=m_nafs,
        appellation_codes=app_codes,
        appellation_libelles=app_libelles,
        appellation_metier=np.array(app_metier, dtype=np.int16),
        metier_appellations=metier_apps,
        naf_division=np.array([division_idx[c[:2]] for c, _, _ in naf.NAFS], dtype=np.int8),
        country_continent=np.array([continent_idx[c[3]] for c in geo.COUNTRIES], dtype=np.int8),
    )

    def idx(codes):
        return {c: i for i, c in enumerate(codes)}

    cat.index = {
        "typesContrats": idx(c for c, _, _ in contracts.TYPES_CONTRATS),
        "naturesContrats": idx(c for c, _, _ in contracts.NATURES_CONTRATS),
        "departements": idx(dept_codes),
        "regions": idx(region_codes),
        "communes": idx(communes.codes),
        "metiers": idx(metier_codes),
        "appellations": idx(app_codes),
        "domaines": idx(c for c, _ in rome.DOMAINES),
        "grandsDomaines": idx(c for c, _ in rome.GRANDS_DOMAINES),
        "themes": idx(c for c, _, _ in rome.THEMES),
        "nafs": idx(c for c, _, _ in naf.NAFS),
        "secteursActivites": idx(c for c, _ in naf.DIVISIONS),
        "niveauxFormations": idx(c for c, _ in contracts.NIVEAUX_FORMATIONS),
        "permis": idx(c for c, _ in contracts.PERMIS),
        "langues": idx(c for c, _ in contracts.LANGUES),
        "pays": idx(c[0] for c in geo.COUNTRIES),
        "continents": idx(c for c, _ in geo.CONTINENTS),
        "partenaires": idx(n for n, _ in texts.PARTNERS),
    }
    return cat
