"""Every search parameter of `GET /v2/offres/search` (REFERENCE §3) and the rules a value must
follow, checked before any request is sent.

The API silently ignores a parameter name it does not know (a typo returns the whole market,
REFERENCE Part 1 §8), so unknown names are refused here with a suggestion. Each refusal is one
`ParamError` whose message names the parameter and the rule it breaks.

Value lists come from the reference's fact sheet. Where the API's list is open or not known
(ROME, appellations, communes, partners...) only the format is checked and the API has the last
word (its 400 message is shown).

Strict on form, so that what is sent is what the user meant: digits are ASCII `0-9` only (`\\d`,
`int()` and `float()` also take `٧` or `１`), every number and every text has a bound, dates lie
in 2000..2100, and values are written back in one canonical form (booleans in lower case,
keywords in Unicode NFC). Anything accepted here is accepted by the sandbox's validator, which
checks the API's way (tests/harvest/test_params_fuzz.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from offres_crawler.harvest.dates import param_to_epoch
from offres_crawler.harvest.param_rules import (
    Param,
    creation_date,
    hhmm,
    lower,
    mot_cle,
    nfc,
    number,
    one_of,
    partenaire,
    pattern,
)
from offres_crawler.harvest.param_values import (
    BOOLEAN,
    DECIMALS,
    DEPARTEMENTS,
    DISTANCE_MAX_KM,
    DUREE_CONTRAT_MAX,
    GRANDS_DOMAINES,
    MOTS_CLES_MAX,
    NATURES_CONTRAT,
    NIVEAUX_FORMATION,
    PUBLIEE_DEPUIS,
    REGIONS,
    SALAIRE_MAX,
    TYPES_CONTRAT,
)
from offres_crawler.redaction import QUOTED_LIMIT
from offres_crawler.redaction import quoted as show


class ParamError(ValueError):
    """One invalid argument: `str()` is the one-line message for the user."""

    def __init__(self, name: str, rule: str):
        self.name, self.rule = name, rule
        shown = name if name.isidentifier() and len(name) <= QUOTED_LIMIT else show(name)  # one line
        super().__init__(f"{shown}: {rule}")


_MONTHS = f"a number of months from 0 to {DUREE_CONTRAT_MAX} ('.' decimal, up to {DECIMALS} decimals)"


def _catalogue() -> dict[str, Param]:
    params = [
        Param("sort", 1, one_of(("0", "1", "2")), "0 pertinence, 1 creation date, 2 distance"),
        Param("domaine", 1, pattern(r"[A-Z0-9]{1,5}", "a domaine code (e.g. G17)"), "domaine code"),
        Param("codeROME", 200, pattern(r"[A-Z]\d{4}", "a ROME code (letter + 4 digits, e.g. M1805)"),
              "ROME codes, up to 200"),
        Param("appellation", 1, pattern(r"\d{5,6}", "an appellation code (5 or 6 digits)"),
              "appellation code (the API reads only the first of several, so one is allowed)"),
        Param("theme", 1, pattern(r"\d{1,2}", "a theme code (1 or 2 digits)"), "theme code"),
        Param("secteurActivite", 2, pattern(r"\d{2}", "a NAF division (2 digits)"),
              "NAF divisions, up to 2"),
        Param("codeNAF", 2, pattern(r"\d{2}\.\d{2}[A-Z]", "a NAF code in the format 99.99X"),
              "NAF codes, up to 2"),
        Param("experience", 1, one_of(("0", "1", "2", "3", "4")),
              "0 unspecified, 1 < 1 year, 2 1-3 years, 3 > 3 years (the API also accepts 4)"),
        Param("experienceExigence", 1, one_of(("D", "S", "E")), "D beginner, S wished, E required"),
        Param("typeContrat", len(TYPES_CONTRAT), one_of(TYPES_CONTRAT, "a typesContrats code"),
              "contract types (ORed with natureContrat by the API)"),
        Param("natureContrat", len(NATURES_CONTRAT), one_of(NATURES_CONTRAT, "a naturesContrats code"),
              "contract natures (ORed with typeContrat by the API)"),
        Param("origineOffre", 1, one_of(("1", "2")), "1 France Travail, 2 partner"),
        Param("partenaires", 100, partenaire, "partner codes, with modeSelectionPartenaires"),
        Param("modeSelectionPartenaires", 1, one_of(("INCLUS", "EXCLU")), "INCLUS or EXCLU"),
        Param("qualification", 1, one_of(("0", "9")), "0 non-cadre, 9 cadre"),
        Param("tempsPlein", 1, one_of(BOOLEAN, "a boolean"), "true or false", lower),
        Param("dureeHebdo", 1, one_of(("0", "1", "2")), "0 unspecified, 1 full time, 2 part time"),
        Param("dureeHebdoMin", 1, hhmm, "minimum weekly hours, HHMM"),
        Param("dureeHebdoMax", 1, hhmm, "maximum weekly hours, HHMM"),
        Param("dureeContratMin", 1, number(DUREE_CONTRAT_MAX, _MONTHS, DECIMALS),
              "minimum contract length in months"),
        Param("dureeContratMax", 1, number(DUREE_CONTRAT_MAX, _MONTHS, DECIMALS),
              "maximum contract length in months"),
        Param("commune", 5, pattern(r"\d{5}|2[AB]\d{3}", "an INSEE commune code (5 characters)"),
              "INSEE commune codes, up to 5"),
        Param("distance", 1, number(DISTANCE_MAX_KM, f"a whole number of kilometres from 0 to "
                                                      f"{DISTANCE_MAX_KM}"), "radius in km around commune"),
        Param("departement", 5, one_of(DEPARTEMENTS, "a département code", "01 to 95 without 20, 2A, 2B, "
                                                                          "971, 972, 973, 974, 976"),
              "départements, up to 5"),
        Param("inclureLimitrophes", 1, one_of(BOOLEAN, "a boolean"), "true or false", lower),
        Param("region", 1, one_of(REGIONS, "a region code"), "region code"),
        Param("paysContinent", 1, pattern(r"[0-9A-Z]{2}|99\d{3}", "a country or continent code"),
              "country or continent code"),
        Param("niveauFormation", 1, one_of(NIVEAUX_FORMATION, "a niveauxFormations code"),
              "education level code"),
        Param("permis", 1, pattern(r"[A-Z0-9]{1,4}", "a permis code (e.g. B)"), "driving licence code"),
        Param("motsCles", MOTS_CLES_MAX, mot_cle, "keywords, ANDed, up to 7, each >= 2 characters",
              nfc),
        Param("salaireMin", 1, number(SALAIRE_MAX, f"an amount in euros from 0 to {SALAIRE_MAX} ('.' "
                                                    f"decimal, up to {DECIMALS} decimals)", DECIMALS),
              "minimum salary, with periodeSalaire"),
        Param("periodeSalaire", 1, one_of(("M", "A", "H", "C")),
              "M monthly, A yearly, H hourly, C per engagement; with salaireMin"),
        Param("accesTravailleurHandicape", 1, one_of(BOOLEAN, "a boolean"), "true or false", lower),
        Param("publieeDepuis", 1, one_of(PUBLIEE_DEPUIS, "an accepted number of days"),
              "published within 1, 3, 7, 14 or 31 days"),
        Param("minCreationDate", 1, creation_date, "created at or after, yyyy-MM-ddTHH:mm:ssZ"),
        Param("maxCreationDate", 1, creation_date, "created at or before, yyyy-MM-ddTHH:mm:ssZ"),
        Param("offresMRS", 1, one_of(BOOLEAN, "a boolean"), "true or false", lower),
        Param("offresManqueCandidats", 1, one_of(BOOLEAN, "a boolean"), "true or false", lower),
        Param("entreprisesAdaptees", 1, one_of(BOOLEAN, "a boolean"), "true or false", lower),
        Param("employeursHandiEngages", 1, one_of(BOOLEAN, "a boolean"), "true or false", lower),
        Param("grandDomaine", 1, one_of(GRANDS_DOMAINES, "a grandDomaine code"), "grand domaine code"),
    ]
    return {p.name: p for p in params}


CATALOGUE: dict[str, Param] = _catalogue()

# Names the harvest owns; each refusal says why.
_OWNED = {
    "range": "range is chosen by the harvest itself: it pages every slice in windows of 150 up to "
             "the cap and splits the query so that every matching offer is reached; remove it",
}
_SORT_RULE = ("the harvest reads every slice in creation-date order (sort=1) so that a changing "
              "index cannot hide offers; the output is not ranked, so only sort=1 is accepted")
# Pairs that the API needs together (REFERENCE §3).
_BOTH_OR_NEITHER = (("salaireMin", "periodeSalaire"), ("minCreationDate", "maxCreationDate"))


def suggest(name: str) -> str | None:
    """The known parameter closest to a misspelt name, if any is close."""
    known = list(CATALOGUE) + list(_OWNED)
    by_lower = {k.lower(): k for k in known}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    hits = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[hits[0]] if hits else None


def split_values(raw: object) -> list[str]:
    """`a, b,c` -> ['a', 'b', 'c'] (spaces around commas dropped). From Python, a list or tuple
    of values, a number or a boolean (`True` -> 'True', checked in any case) is taken too."""
    if isinstance(raw, (list, tuple)):
        return [str(v).strip() for v in raw]
    return [v.strip() for v in str(raw).split(",")]


def validate_search_params(args: Mapping[str, object]) -> dict[str, str]:
    """Check user arguments against the catalogue and return them as the API expects them
    (values joined by commas, no spaces). Raises ParamError on the first problem found."""
    out: dict[str, str] = {}
    for name in sorted(args):  # sorted: the same arguments always give the same first error
        raw = args[name]
        if name in _OWNED:
            raise ParamError(name, _OWNED[name])
        if name not in CATALOGUE:
            hint = suggest(name)
            tail = f"; did you mean {hint}?" if hint else "; see REFERENCE §3 for the list"
            raise ParamError(name, "unknown search parameter (the API would silently ignore it "
                                   f"and return the whole market){tail}")
        spec = CATALOGUE[name]
        values = [spec.canonical(v) for v in split_values("" if raw is None else raw)]
        if any(v == "" for v in values):
            raise ParamError(name, "empty value (give a value, or leave the parameter out)")
        if len(values) > spec.max_values:
            if spec.max_values == 1:
                raise ParamError(name, f"takes a single value, got {len(values)}")
            if name == "motsCles":
                raise ParamError(name, f"at most {spec.max_values} keywords, got {len(values)}")
            raise ParamError(name, f"at most {spec.max_values} comma-separated values, got {len(values)}")
        if len(set(values)) != len(values):
            raise ParamError(name, "a value is repeated")
        for v in values:
            problem = spec.check(v)
            if problem:
                raise ParamError(name, problem)
        out[name] = ",".join(values)
    _check_relations(out)
    return out


def _check_relations(p: dict[str, str]) -> None:
    if "sort" in p and p["sort"] != "1":
        raise ParamError("sort", _SORT_RULE)
    for a, b in _BOTH_OR_NEITHER:
        if (a in p) != (b in p):
            have, missing = (a, b) if a in p else (b, a)
            raise ParamError(have, f"needs {missing} as well (the API takes them together)")
    if "distance" in p and "commune" not in p:
        raise ParamError("distance", "only applies around a commune: give commune as well")
    if "minCreationDate" in p and param_to_epoch(p["minCreationDate"]) > param_to_epoch(p["maxCreationDate"]):
        raise ParamError("minCreationDate", "is later than maxCreationDate")
    for lo, hi, to_num in (("dureeHebdoMin", "dureeHebdoMax", int),
                           ("dureeContratMin", "dureeContratMax", float)):
        if lo in p and hi in p and to_num(p[lo]) > to_num(p[hi]):
            raise ParamError(lo, f"is greater than {hi}")
