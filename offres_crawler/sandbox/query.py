"""The contract between the HTTP layer (which parses and validates query strings) and the market
(which filters, sorts, pages and counts).

The HTTP layer turns a valid query string into a `Query`; the market answers it with a
`SearchResult`. Filters are keyed by the API's own parameter names, with parsed values:

- list[str]: codeROME, secteurActivite, codeNAF, typeContrat, natureContrat, partenaires,
  commune, departement, motsCles
- str: domaine, appellation, theme, experienceExigence, modeSelectionPartenaires, region,
  paysContinent, niveauFormation, permis, grandDomaine, periodeSalaire, qualification
- int: experience, origineOffre, dureeHebdo, dureeHebdoMin, dureeHebdoMax (HHMM), distance,
  publieeDepuis (days)
- float: dureeContratMin, dureeContratMax (months), salaireMin (euros)
- bool: tempsPlein, inclureLimitrophes, accesTravailleurHandicape, offresMRS,
  offresManqueCandidats, entreprisesAdaptees, employeursHandiEngages
- int epoch seconds (UTC): minCreationDate, maxCreationDate (both bounds inclusive, compared
  with the offer's creation instant truncated to the second)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FACETS = ("typeContrat", "experience", "qualification", "natureContrat")


@dataclass(frozen=True)
class Query:
    filters: dict[str, Any] = field(default_factory=dict)
    sort: int = 0  # 0 pertinence, 1 creation date descending, 2 distance
    start: int = 0  # first row index (inclusive)
    end: int = 149  # last row index (inclusive); end - start < 150 is checked by the HTTP layer


@dataclass
class SearchResult:
    total: int  # rows matching the filters (what Content-Range reports after the slash)
    rows: list[int]  # market row numbers of the window start..end (clamped), in sort order
    # facet name -> list of (valeurPossible, nbResultats) in the API's order, values with >= 1 hit
    facets: dict[str, list[tuple[str, int]]]
