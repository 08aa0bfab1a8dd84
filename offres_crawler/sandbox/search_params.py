"""Server-side parsing and validation of `GET /v2/offres/search` query strings into a `Query`.

Every parameter of REFERENCE Part 2 §3 is checked the way the API checks it, and a bad value
raises `SearchParamError` carrying the API's own 400 message (catalogue: REFERENCE Part 2 §4).
Where the real wording is unknown, the message imitates the API's style and a comment says so.
Unknown parameter names are ignored, as the real API does (REFERENCE Part 1 §8). Empty values
count as absent. No aiohttp here: the input is a sequence of (name, value) pairs.
"""

from __future__ import annotations

import calendar
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from offres_crawler.sandbox.query import Query

logger = logging.getLogger(__name__)

MAX_SPAN = 150  # rows per window (`Accept-Range: 150`)


@dataclass(frozen=True)
class RangeCaps:
    start_max: int
    end_max: int


RANGE_CAPS = {"current": RangeCaps(3000, 3149), "legacy": RangeCaps(1000, 1149)}  # Part 1 §1


class SearchParamError(ValueError):
    """A parameter the API rejects; `message` is the body's `message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def value_error(name: str) -> SearchParamError:
    return SearchParamError(f"Valeur du paramètre « {name} » incorrecte.")


def format_error(name: str, expected: str) -> SearchParamError:
    return SearchParamError(f"Format du paramètre « {name} » incorrect. {expected} attendu.")


RANGE_TOO_LARGE = "La plage de résultats demandée est trop importante."
START_TOO_FAR = "La position de début doit être inférieure ou égale à {cap}."
MOTS_CLES = ("Format du paramètre « motsCles » incorrect. 7 mots-clé au maximum séparés par des "
             "virgules et d'au moins 2 caractères.")
# The real texts of the three "must come together" errors are unknown (REFERENCE Part 2 §9.11);
# these follow the API's French style.
CREATION_DATES_TOGETHER = ("Les paramètres « minCreationDate » et « maxCreationDate » doivent être "
                           "renseignés ensemble.")
SALAIRE_NEEDS_PERIODE = ("Le paramètre « periodeSalaire » est obligatoire lorsque le paramètre "
                         "« salaireMin » est renseigné.")
PERIODE_NEEDS_SALAIRE = ("Le paramètre « salaireMin » est obligatoire lorsque le paramètre "
                         "« periodeSalaire » est renseigné.")

# Code parameters: referentiel(s) the codes must exist in, and how many values one may send.
CODE_PARAMS: dict[str, tuple[tuple[str, ...], int]] = {
    "domaine": (("domaines",), 1),
    "codeROME": (("metiers",), 200),
    "theme": (("themes",), 1),
    "secteurActivite": (("secteursActivites",), 2),
    "codeNAF": (("nafs",), 2),
    "typeContrat": (("typesContrats",), 0),  # 0 = no limit known
    "natureContrat": (("naturesContrats",), 0),
    "commune": (("communes",), 5),
    "departement": (("departements",), 5),
    "region": (("regions",), 1),
    "paysContinent": (("pays", "continents"), 1),
    "niveauFormation": (("niveauxFormations",), 1),
    "permis": (("permis",), 1),
}
LIST_PARAMS = {"codeROME", "secteurActivite", "codeNAF", "typeContrat", "natureContrat",
               "commune", "departement"}

# Parameters with a closed set of values: (accepted values, the "... attendu." text).
ENUM_PARAMS: dict[str, tuple[tuple[str, ...], str]] = {
    "sort": (("0", "1", "2"), "0, 1 ou 2"),
    "experience": (("0", "1", "2", "3", "4"), "0, 1, 2, 3 ou 4"),
    "experienceExigence": (("D", "E", "S"), "D, E ou S"),
    "origineOffre": (("1", "2"), "1 ou 2"),
    "qualification": (("0", "9"), "0 ou 9"),
    "dureeHebdo": (("0", "1", "2"), "0, 1 ou 2"),
    "modeSelectionPartenaires": (("INCLUS", "EXCLU"), "INCLUS ou EXCLU"),
    "periodeSalaire": (("M", "A", "H", "C"), "M, A, H ou C"),
    "publieeDepuis": (("1", "3", "7", "14", "31"), "1, 3, 7, 14 ou 31"),
    # Order and wording as the API's own message (1j1s-front error list).
    "grandDomaine": (("A", "B", "C", "C15", "D", "E", "F", "G", "H", "I", "J", "K", "L", "L14",
                      "M15", "M18", "M", "M16", "M17", "M13", "M14", "N"),
                     "A, B, C, C15, D, E, F, G, H, I, J, K, L, L14, M15, M18, M, M16, M17, M13, M14 ou N"),
}
INT_ENUMS = {"sort", "experience", "origineOffre", "dureeHebdo", "publieeDepuis"}

BOOL_PARAMS = ("tempsPlein", "inclureLimitrophes", "accesTravailleurHandicape", "offresMRS",
               "offresManqueCandidats", "entreprisesAdaptees", "employeursHandiEngages")

_RANGE = re.compile(r"(\d+)-(\d+)")
_NAF = re.compile(r"\d{2}\.\d{2}[A-Z]")
_HHMM = re.compile(r"\d{1,4}")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_INTEGER = re.compile(r"\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DATE_FORMAT = "yyyy-MM-dd'T'hh:mm:ss'Z'"  # as the OpenAPI spec writes it
# motsCles characters: the documented `[aA-zZ]+[0-9]+[espace]+[@#$%^&+./-"]`, letters taken as
# Unicode letters (French keywords carry accents).
_KEYWORD_SYMBOLS = set(" @#$%^&+./-\"")
_POSTCODE = re.compile(r"\d{5}")  # a postcode-like keyword is refused (REFERENCE Part 2 §8.12)


def _group(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """One value per name; a repeated name counts as a comma-separated list. Empty = absent."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        if name == "dureeHebdo ":  # the spec's own typo (trailing space) names the same filter
            name = "dureeHebdo"
        if value != "":
            grouped.setdefault(name, []).append(value)
    return {name: ",".join(values) for name, values in grouped.items()}


def _keyword_ok(word: str) -> bool:
    return (len(word) >= 2 and not _POSTCODE.fullmatch(word)
            and all(c.isalnum() or c in _KEYWORD_SYMBOLS for c in word))


class SearchParams:
    """Validates query strings against the market's referentiels."""

    def __init__(self, referentiels: Mapping[str, list[dict]]) -> None:
        self._codes = {name: frozenset(str(e["code"]) for e in entries)
                       for name, entries in referentiels.items()}
        needed = {n for lists, _ in CODE_PARAMS.values() for n in lists} | {"appellations"}
        if missing := sorted(needed - set(self._codes)):
            logger.warning("referentiels missing, their codes go unchecked: %s", ", ".join(missing))

    def parse(self, pairs: Iterable[tuple[str, str]], caps: RangeCaps = RANGE_CAPS["current"]) -> Query:
        params = _group(pairs)
        start, end = self._range(params.get("range"), caps)
        filters: dict[str, Any] = {}

        for name, (lists, limit) in CODE_PARAMS.items():
            if name in params:
                filters[name] = self._codes_of(name, params[name], lists, limit)
        if "appellation" in params:
            # "404278,10438" gives the same result as the first value alone (REFERENCE §3).
            code = params["appellation"].split(",")[0]
            self._check_codes("appellation", [code], ("appellations",))
            filters["appellation"] = code

        for name, (allowed, expected) in ENUM_PARAMS.items():
            if name in params:
                if params[name] not in allowed:
                    raise format_error(name, expected)
                filters[name] = int(params[name]) if name in INT_ENUMS else params[name]
        sort = filters.pop("sort", 0)  # the default sort is undocumented (Part 2 §9.17): 0

        for name in BOOL_PARAMS:
            if name in params:
                filters[name] = self._boolean(name, params[name])

        for name in ("dureeHebdoMin", "dureeHebdoMax"):
            if name in params:
                filters[name] = self._hhmm(name, params[name])
        for name in ("dureeContratMin", "dureeContratMax"):
            if name in params:
                value = params[name]
                if not _DECIMAL.fullmatch(value) or not 0 <= float(value) <= 99:
                    raise format_error(name, "Nombre décimal de 0 à 99")
                filters[name] = float(value)

        if "salaireMin" in params:
            if not _DECIMAL.fullmatch(params["salaireMin"]):
                raise format_error("salaireMin", "Nombre")
            filters["salaireMin"] = float(params["salaireMin"])
        if "salaireMin" in filters and "periodeSalaire" not in filters:
            raise SearchParamError(SALAIRE_NEEDS_PERIODE)
        if "periodeSalaire" in filters and "salaireMin" not in filters:
            raise SearchParamError(PERIODE_NEEDS_SALAIRE)

        if "distance" in params:
            if not _INTEGER.fullmatch(params["distance"]):
                raise format_error("distance", "Entier")
        if "commune" in filters:
            # Default radius 10 km (REFERENCE §3). Without a commune, distance is not taken into
            # account ("pris en compte uniquement si une commune est renseignée", OpenAPI spec).
            filters["distance"] = int(params.get("distance", 10))

        if "motsCles" in params:
            words = params["motsCles"].split(",")
            if len(words) > 7 or not all(_keyword_ok(w) for w in words):
                raise SearchParamError(MOTS_CLES)
            filters["motsCles"] = words

        if "partenaires" in params:
            filters["partenaires"] = params["partenaires"].split(",")

        dates = [n for n in ("minCreationDate", "maxCreationDate") if n in params]
        for name in dates:
            filters[name] = self._instant(name, params[name])
        if len(dates) == 1:
            raise SearchParamError(CREATION_DATES_TOGETHER)

        return Query(filters=filters, sort=sort, start=start, end=end)

    # -- pieces ------------------------------------------------------------------------------------
    @staticmethod
    def _range(value: str | None, caps: RangeCaps) -> tuple[int, int]:
        if value is None:
            return 0, MAX_SPAN - 1
        match = _RANGE.fullmatch(value)
        if not match or int(match[1]) > int(match[2]):
            raise format_error("range", "<entier>-<entier>")
        start, end = int(match[1]), int(match[2])
        if end - start + 1 > MAX_SPAN:
            raise SearchParamError(RANGE_TOO_LARGE)
        if start > caps.start_max:
            raise SearchParamError(START_TOO_FAR.format(cap=caps.start_max))
        # start <= start_max and span <= 150 imply end <= end_max (3149 / 1149).
        return start, end

    def _codes_of(self, name: str, value: str, lists: tuple[str, ...], limit: int) -> list[str] | str:
        codes = value.split(",")
        if name == "codeNAF" and not all(_NAF.fullmatch(c) for c in codes):
            raise format_error(name, "99.99X")
        if limit and len(codes) > limit:
            raise value_error(name)
        self._check_codes(name, codes, lists)
        return codes if name in LIST_PARAMS else codes[0]

    def _check_codes(self, name: str, codes: list[str], lists: tuple[str, ...]) -> None:
        known = [self._codes[n] for n in lists if n in self._codes]
        if not known:  # the market lacks that referentiel (warned once, at start)
            return
        for code in codes:
            if not any(code in k for k in known):
                raise value_error(name)

    @staticmethod
    def _boolean(name: str, value: str) -> bool:
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise format_error(name, "Booléen")
        return lowered == "true"

    @staticmethod
    def _hhmm(name: str, value: str) -> int:
        if not _HHMM.fullmatch(value) or int(value) % 100 >= 60:
            raise format_error(name, "HHMM")
        return int(value)

    @staticmethod
    def _instant(name: str, value: str) -> int:
        if not _DATE.fullmatch(value):
            raise format_error(name, _DATE_FORMAT)
        try:
            parsed = time.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise format_error(name, _DATE_FORMAT) from None
        return calendar.timegm(parsed)
