"""The 16 reference lists of `GET /v2/referentiel/{name}` (REFERENCE Part 2 §2): their names, the
shape of their entries, choosing lists by name, and the size the API may announce.

The API answers 404 to an unknown name, and a name is easy to misspell (`naturesContrats` but
`typesContrats`, `nafs`): names are checked here, before any request, with a suggestion.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

# Name -> schema of its entries in the official spec. Every list not named here is `Referentiel`.
SHAPES: dict[str, str] = {"communes": "Commune", "departements": "Departement", "regions": "Region"}

NAMES: tuple[str, ...] = (
    "appellations", "communes", "continents", "departements", "domaines", "langues", "metiers",
    "nafs", "naturesContrats", "niveauxFormations", "pays", "permis", "regions",
    "secteursActivites", "themes", "typesContrats",
)

# Keys every entry of a schema carries, with the JSON type of their value (the spec declares no
# `required`; real dumps always have these). `region` is nested: {"code", "libelle"}.
_KEYS: dict[str, dict[str, type]] = {
    "Referentiel": {"code": str, "libelle": str},
    "Region": {"code": str, "libelle": str},
    "Commune": {"code": str, "libelle": str, "codePostal": str, "codeDepartement": str},
    "Departement": {"code": str, "libelle": str, "region": dict},
}

SHOWN, SHOWN_NAMES = 40, 5  # an unknown name is quoted cut to 40 characters; 5 names at most
_SIZE_RE = re.compile(r"^\s*(?:[A-Za-z]+\s+)?\*\s*/\s*([0-9]{1,9}|\*)\s*$")


class UnknownReferentielError(ValueError):
    """Names that are not among the 16 lists; the message suggests and lists the valid names."""

    def __init__(self, unknown: list[str]) -> None:
        self.unknown = unknown
        parts = []
        for name in unknown[:SHOWN_NAMES]:
            close = suggestion(name)
            shown = repr(name) if len(name) <= SHOWN else repr(name[:SHOWN]) + "..."
            parts.append(f"{shown} (did you mean {close!r}?)" if close else shown)
        if len(unknown) > SHOWN_NAMES:
            parts.append(f"and {len(unknown) - SHOWN_NAMES} more")
        noun = "name" if len(unknown) == 1 else "names"
        super().__init__(f"Unknown referentiel {noun}: {', '.join(parts)}. "
                         f"Valid names: {', '.join(NAMES)}")


def suggestion(name: str) -> str | None:
    """The valid name closest to `name` (case and spelling), or None when nothing is close."""
    by_lower = {n.lower(): n for n in NAMES}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def parse_names(names: str | Iterable[str] | None) -> list[str]:
    """The lists to fetch, in the given order without repeats; every list when none is given.

    `names` is a comma-separated string (`-a names=metiers,communes`) or an iterable of names.
    Names are case-sensitive, as in the API's paths; any unknown name raises
    UnknownReferentielError, so nothing is fetched when one name is wrong.
    """
    if names is None:
        return list(NAMES)
    items = names.split(",") if isinstance(names, str) else list(names)
    chosen = list(dict.fromkeys(n.strip() for n in items if n and n.strip()))
    if not chosen:
        return list(NAMES)
    unknown = [n for n in chosen if n not in NAMES]
    if unknown:
        raise UnknownReferentielError(unknown)
    return chosen


def shape_of(name: str) -> str:
    """The spec's schema name of the entries of list `name`."""
    return SHAPES.get(name, "Referentiel")


def entry_problems(name: str, entry: Any) -> list[str]:
    """What is missing or mistyped in one entry of list `name` (empty when it has the expected
    shape). Extra keys are not problems: the API may add fields, they are kept as they are."""
    if not isinstance(entry, Mapping):
        return [f"entry is {type(entry).__name__}, not an object"]
    shape = shape_of(name)
    problems = [_key_problem(key, entry, expected) for key, expected in _KEYS[shape].items()]
    if shape == "Departement" and isinstance(entry.get("region"), Mapping):
        problems += [_key_problem(f"region.{key}", entry["region"], str, key)
                     for key in ("code", "libelle")]
    return [p for p in problems if p]


def _key_problem(label: str, entry: Mapping[str, Any], expected: type, key: str | None = None) -> str:
    value = entry.get(key or label)
    if value is None:
        return f"no {label!r}"
    if not isinstance(value, expected):
        return f"{label!r} is {type(value).__name__}, not {expected.__name__}"
    return ""


def announced_size(content_range: str | bytes | None) -> int | None:
    """The number of entries the API says a list has, from `Content-Range: <name> */<size>` as
    the spec describes it (never observed live); None when absent, unknown (`*`) or unreadable."""
    if content_range is None:
        return None
    if isinstance(content_range, bytes):
        content_range = content_range.decode("latin-1")
    match = _SIZE_RE.match(content_range)
    if match is None or match.group(1) == "*":
        return None
    return int(match.group(1))
