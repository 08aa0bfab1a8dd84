"""The 16 referentiels of /v2/referentiel/{name}, built from the catalog in the API's shapes."""

from __future__ import annotations

from offres_crawler.sandbox.catalog import Catalog
from offres_crawler.sandbox.facts import contracts, naf, rome, texts
from offres_crawler.sandbox.facts import geography as geo

NAMES = ("appellations", "communes", "continents", "departements", "domaines", "langues", "metiers",
         "naturesContrats", "nafs", "niveauxFormations", "pays", "permis", "regions",
         "secteursActivites", "themes", "typesContrats")


def _ref(pairs) -> list[dict]:
    return [{"code": code, "libelle": libelle} for code, libelle in pairs]


def _departements() -> list[dict]:
    regions = {r.code: r for r in geo.REGIONS}
    order = {code: i for i, code in enumerate(geo.REGION_ORDER_OF_DEPARTEMENTS)}
    # Not sorted by code, like the real list: grouped by region in a fixed, odd order.
    depts = sorted(geo.DEPARTEMENTS, key=lambda d: (order[d.region], d.code))
    return [{"code": d.code, "libelle": d.libelle,
             "region": {"code": d.region, "libelle": regions[d.region].nested_libelle}} for d in depts]


def _communes(cat: Catalog) -> list[dict]:
    c = cat.communes
    rows = []
    for i, code in enumerate(c.codes):
        dept = cat.dept_codes[c.dept[i]]
        for cp in c.postcodes[i]:
            rows.append({"code": code, "libelle": c.names[i], "codePostal": cp, "codeDepartement": dept})
    return rows


def build_referentiels(cat: Catalog) -> dict[str, list[dict]]:
    refs = {
        "appellations": _ref(zip(cat.appellation_codes, cat.appellation_libelles)),
        "communes": _communes(cat),
        "continents": _ref(geo.CONTINENTS),
        "departements": _departements(),
        "domaines": _ref(rome.DOMAINES),
        "langues": _ref(contracts.LANGUES),
        "metiers": _ref(zip(cat.metier_codes, cat.metier_libelles)),
        "naturesContrats": _ref((c, lib) for c, lib, _ in contracts.NATURES_CONTRATS),
        "nafs": _ref((c, lib) for c, lib, _ in naf.NAFS),
        "niveauxFormations": _ref(contracts.NIVEAUX_FORMATIONS),
        "pays": _ref((c[0], c[1]) for c in geo.COUNTRIES),
        "permis": _ref(contracts.PERMIS),
        "regions": _ref((r.code, r.libelle) for r in geo.REGIONS),
        "secteursActivites": _ref(naf.DIVISIONS),
        "themes": _ref((c, lib) for c, lib, _ in rome.THEMES),
        "typesContrats": _ref((c, lib) for c, lib, _ in contracts.TYPES_CONTRATS),
    }
    assert tuple(sorted(refs)) == tuple(sorted(NAMES))
    return refs


# Codes accepted by filters whose values are not in any referentiel list.
GRANDS_DOMAINES = tuple(code for code, _ in rome.GRANDS_DOMAINES)
PARTENAIRES = tuple(name for name, _ in texts.PARTNERS)
