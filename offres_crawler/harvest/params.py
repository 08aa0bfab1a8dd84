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
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from offres_crawler.harvest.dates import PARAM_YEARS, param_in_years, param_to_epoch
from offres_crawler.harvest.param_values import (
    ASCII_DIGITS,
    BOOLEAN,
    DECIMAL_NUMBER,
    DECIMALS,
    DEPARTEMENTS,
    DISTANCE_MAX_KM,
    DUREE_CONTRAT_MAX,
    GRANDS_DOMAINES,
    MOT_CLE_LENGTH,
    MOT_CLE_SYMBOLS,
    MOTS_CLES_MAX,
    NATURES_CONTRAT,
    NIVEAUX_FORMATION,
    PARTENAIRE_LENGTH,
    PUBLIEE_DEPUIS,
    REGIONS,
    SALAIRE_MAX,
    TYPES_CONTRAT,
)


class ParamError(ValueError):
    """One invalid argument: `str()` is the one-line message for the user."""

    def __init__(self, name: str, rule: str):
        self.name, self.rule = name, rule
        shown = name if name.isidentifier() and len(name) <= SHOWN else _show(name)  # one line
        super().__init__(f"{shown}: {rule}")


SHOWN = 40  # characters of a refused value quoted in the message


def _show(value: str) -> str:
    """A value as quoted in a message: repr (control characters escaped), cut to SHOWN characters."""
    return repr(value) if len(value) <= SHOWN else repr(value[:SHOWN]) + f"... ({len(value)} characters)"


def _same(value: str) -> str:
    return value


@dataclass(frozen=True)
class Param:
    """One search parameter: how many comma-separated values, and what each value must be."""

    name: str
    max_values: int  # 1 = single value; n = up to n comma-separated values
    check: Callable[[str], str | None]  # returns None when the value is fine, else the rule broken
    doc: str
    canonical: Callable[[str], str] = _same  # the form a value is checked and sent in


def _one_of(values: Iterable[str], what: str = "", shown: str = "") -> Callable[[str], str | None]:
    allowed = tuple(values)
    shown = shown or ", ".join(allowed)

    def check(v: str) -> str | None:
        return None if v in allowed else f"{_show(v)} is not {what or 'an allowed value'} (one of {shown})"
    return check


def _pattern(regex: str, described: str) -> Callable[[str], str | None]:
    compiled = re.compile(regex, re.ASCII)  # \d = [0-9], not every script's digits

    def check(v: str) -> str | None:
        return None if compiled.fullmatch(v) else f"{_show(v)} is not {described}"
    return check


def _number(hi: int, described: str, decimals: int = 0) -> Callable[[str], str | None]:
    """A non-negative number in ASCII digits from 0 to `hi` (both allowed), with at most
    `decimals` digits after a '.'. `described` says what it counts: "a whole number of
    kilometres from 0 to 20 000"."""

    def check(v: str) -> str | None:
        m = DECIMAL_NUMBER.fullmatch(v)
        if not m or (m[2] is not None and not decimals):
            return f"{_show(v)} is not {described}"
        if m[2] is not None and len(m[2]) > decimals:
            return f"{_show(v)} has more than {decimals} decimals: {described}"
        if len(m[1]) > len(str(hi)) or float(v) > hi:  # length first: no 400-digit float
            return f"{_show(v)} is out of range: {described}"
        return None
    return check


def _hhmm(v: str) -> str | None:
    if not re.fullmatch(r"[0-9]{1,4}", v) or int(v) % 100 >= 60:
        return f"{_show(v)} is not a duration in HHMM (8h -> 800, 35h30 -> 3530; minutes 00 to 59)"
    return None


def _creation_date(v: str) -> str | None:
    try:
        epoch = param_to_epoch(v)
    except ValueError:
        return f"{_show(v)} is not a UTC instant in the format yyyy-MM-ddTHH:mm:ssZ (e.g. 2022-03-25T14:52:00Z)"
    if not param_in_years(epoch):
        return f"{_show(v)} is not within the years {PARAM_YEARS[0]} to {PARAM_YEARS[1]}"
    return None


def _nfc(v: str) -> str:
    return unicodedata.normalize("NFC", v)


def _lower(v: str) -> str:
    return v.lower()


def _mot_cle(v: str) -> str | None:
    if len(v) < MOT_CLE_LENGTH[0]:
        return f"keyword {_show(v)} is shorter than {MOT_CLE_LENGTH[0]} characters"
    if len(v) > MOT_CLE_LENGTH[1]:
        return f"keyword {_show(v)} is longer than {MOT_CLE_LENGTH[1]} characters"
    if not all(c.isalpha() or c in ASCII_DIGITS or c in MOT_CLE_SYMBOLS for c in v):
        return f'keyword {_show(v)} has characters outside letters, digits 0-9, space and @#$%^&+./-"'
    if re.fullmatch(r"[0-9]{5}", v):  # the API answers 400 for postcode-like keywords (REFERENCE §8.12)
        return f"keyword {_show(v)} looks like a postcode, which the API refuses: use commune or departement"
    return None


def _partenaire(v: str) -> str | None:
    if len(v) > PARTENAIRE_LENGTH:
        return f"partner code {_show(v)} is longer than {PARTENAIRE_LENGTH} characters"
    return _pattern(r"[A-Za-z0-9_ .\-]+", "a partner code")(v)


_MONTHS = f"a number of months from 0 to {DUREE_CONTRAT_MAX} ('.' decimal, up to {DECIMALS} decimals)"


def _catalogue() -> dict[str, Param]:
    params = [
        Param("sort", 1, _one_of(("0", "1", "2")), "0 pertinence, 1 creation date, 2 distance"),
        Param("domaine", 1, _pattern(r"[A-Z0-9]{1,5}", "a domaine code (e.g. G17)"), "domaine code"),
        Param("codeROME", 200, _pattern(r"[A-Z]\d{4}", "a ROME code (letter + 4 digits, e.g. M1805)"),
              "ROME codes, up to 200"),
        Param("appellation", 1, _pattern(r"\d{5,6}", "an appellation code (5 or 6 digits)"),
              "appellation code (the API reads only the first of several, so one is allowed)"),
        Param("theme", 1, _pattern(r"\d{1,2}", "a theme code (1 or 2 digits)"), "theme code"),
        Param("secteurActivite", 2, _pattern(r"\d{2}", "a NAF division (2 digits)"),
              "NAF divisions, up to 2"),
        Param("codeNAF", 2, _pattern(r"\d{2}\.\d{2}[A-Z]", "a NAF code in the format 99.99X"),
              "NAF codes, up to 2"),
        Param("experience", 1, _one_of(("0", "1", "2", "3", "4")),
              "0 unspecified, 1 < 1 year, 2 1-3 years, 3 > 3 years (the API also accepts 4)"),
        Param("experienceExigence", 1, _one_of(("D", "S", "E")), "D beginner, S wished, E required"),
        Param("typeContrat", len(TYPES_CONTRAT), _one_of(TYPES_CONTRAT, "a typesContrats code"),
              "contract types (ORed with natureContrat by the API)"),
        Param("natureContrat", len(NATURES_CONTRAT), _one_of(NATURES_CONTRAT, "a naturesContrats code"),
              "contract natures (ORed with typeContrat by the API)"),
        Param("origineOffre", 1, _one_of(("1", "2")), "1 France Travail, 2 partner"),
        Param("partenaires", 100, _partenaire, "partner codes, with modeSelectionPartenaires"),
        Param("modeSelectionPartenaires", 1, _one_of(("INCLUS", "EXCLU")), "INCLUS or EXCLU"),
        Param("qualification", 1, _one_of(("0", "9")), "0 non-cadre, 9 cadre"),
        Param("tempsPlein", 1, _one_of(BOOLEAN, "a boolean"), "true or false", _lower),
        Param("dureeHebdo", 1, _one_of(("0", "1", "2")), "0 unspecified, 1 full time, 2 part time"),
        Param("dureeHebdoMin", 1, _hhmm, "minimum weekly hours, HHMM"),
        Param("dureeHebdoMax", 1, _hhmm, "maximum weekly hours, HHMM"),
        Param("dureeContratMin", 1, _number(DUREE_CONTRAT_MAX, _MONTHS, DECIMALS),
              "minimum contract length in months"),
        Param("dureeContratMax", 1, _number(DUREE_CONTRAT_MAX, _MONTHS, DECIMALS),
              "maximum contract length in months"),
        Param("commune", 5, _pattern(r"\d{5}|2[AB]\d{3}", "an INSEE commune code (5 characters)"),
              "INSEE commune codes, up to 5"),
        Param("distance", 1, _number(DISTANCE_MAX_KM, f"a whole number of kilometres from 0 to "
                                                      f"{DISTANCE_MAX_KM}"), "radius in km around commune"),
        Param("departement", 5, _one_of(DEPARTEMENTS, "a département code", "01 to 95 without 20, 2A, 2B, "
                                                                          "971, 972, 973, 974, 976"),
              "départements, up to 5"),
        Param("inclureLimitrophes", 1, _one_of(BOOLEAN, "a boolean"), "true or false", _lower),
        Param("region", 1, _one_of(REGIONS, "a region code"), "region code"),
        Param("paysContinent", 1, _pattern(r"[0-9A-Z]{2}|99\d{3}", "a country or continent code"),
              "country or continent code"),
        Param("niveauFormation", 1, _one_of(NIVEAUX_FORMATION, "a niveauxFormations code"),
              "education level code"),
        Param("permis", 1, _pattern(r"[A-Z0-9]{1,4}", "a permis code (e.g. B)"), "driving licence code"),
        Param("motsCles", MOTS_CLES_MAX, _mot_cle, "keywords, ANDed, up to 7, each >= 2 characters",
              _nfc),
        Param("salaireMin", 1, _number(SALAIRE_MAX, f"an amount in euros from 0 to {SALAIRE_MAX} ('.' "
                                                    f"decimal, up to {DECIMALS} decimals)", DECIMALS),
              "minimum salary, with periodeSalaire"),
        Param("periodeSalaire", 1, _one_of(("M", "A", "H", "C")),
              "M monthly, A yearly, H hourly, C per engagement; with salaireMin"),
        Param("accesTravailleurHandicape", 1, _one_of(BOOLEAN, "a boolean"), "true or false", _lower),
        Param("publieeDepuis", 1, _one_of(PUBLIEE_DEPUIS, "an accepted number of days"),
              "published within 1, 3, 7, 14 or 31 days"),
        Param("minCreationDate", 1, _creation_date, "created at or after, yyyy-MM-ddTHH:mm:ssZ"),
        Param("maxCreationDate", 1, _creation_date, "created at or before, yyyy-MM-ddTHH:mm:ssZ"),
        Param("offresMRS", 1, _one_of(BOOLEAN, "a boolean"), "true or false", _lower),
        Param("offresManqueCandidats", 1, _one_of(BOOLEAN, "a boolean"), "true or false", _lower),
        Param("entreprisesAdaptees", 1, _one_of(BOOLEAN, "a boolean"), "true or false", _lower),
        Param("employeursHandiEngages", 1, _one_of(BOOLEAN, "a boolean"), "true or false", _lower),
        Param("grandDomaine", 1, _one_of(GRANDS_DOMAINES, "a grandDomaine code"), "grand domaine code"),
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
