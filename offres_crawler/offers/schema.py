"""The shape of an `Offre`, as the official OpenAPI spec of "Offres d'emploi v2" declares it.

Written out by hand from `components.schemas` of the spec (OAS 3.0.1, 2025/26): every key of
`Offre` and of the structures it nests, in the spec's order, with the spec's type and format.
`tests/offers/test_offer_schema.py` derives the same tree from the spec file and checks that they
agree, so a new spec shows up as a failing test rather than as silently dropped data.

The spec declares no `required` keys and no `nullable` values; the project adds one rule of its
own: an offer must carry a non-empty string `id` (REQUIRED_KEYS). Everything else may be absent,
as in real data (absent keys are omitted by the API, never sent as null).

Framework-free: used by the validation pipeline, the Arrow schema and the Parquet exporter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scalar:
    """A leaf value: the spec's `type` and, when it gives one, its `format`."""

    type: str  # "string" | "integer" | "number" | "boolean"
    format: str | None = None  # "date-time" | "int32" | "double" | None


@dataclass(frozen=True)
class ListOf:
    """A JSON array whose elements all have the same shape."""

    item: Shape


@dataclass(frozen=True)
class Struct:
    """A JSON object with known keys (the spec's named schema), in the spec's order."""

    name: str
    fields: tuple[tuple[str, Shape], ...]

    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.fields)

    def field(self, key: str) -> Shape:
        return dict(self.fields)[key]


Shape = Scalar | ListOf | Struct

STRING = Scalar("string")
DATE_TIME = Scalar("string", "date-time")
INT32 = Scalar("integer", "int32")
DOUBLE = Scalar("number", "double")
BOOLEAN = Scalar("boolean")

LIEU_TRAVAIL = Struct("LieuTravail", (
    ("libelle", STRING), ("latitude", DOUBLE), ("longitude", DOUBLE), ("codePostal", STRING),
    ("commune", STRING),
))
ENTREPRISE = Struct("Entreprise", (
    ("nom", STRING), ("description", STRING), ("logo", STRING), ("url", STRING),
    ("entrepriseAdaptee", BOOLEAN),
))
FORMATION = Struct("Formation", (
    ("codeFormation", STRING), ("domaineLibelle", STRING), ("niveauLibelle", STRING),
    ("commentaire", STRING), ("exigence", STRING),
))
LANGUE = Struct("Langue", (("libelle", STRING), ("exigence", STRING)))
PERMIS = Struct("Permis", (("libelle", STRING), ("exigence", STRING)))
COMPETENCE = Struct("Competence", (("code", STRING), ("libelle", STRING), ("exigence", STRING)))
COMPLEMENT_SALAIRE = Struct("ComplementSalaire", (("code", STRING), ("libelle", STRING)))
SALAIRE = Struct("Salaire", (
    ("libelle", STRING), ("commentaire", STRING), ("complement1", STRING), ("complement2", STRING),
    ("listeComplements", ListOf(COMPLEMENT_SALAIRE)),
))
CONTACT = Struct("Contact", (
    ("nom", STRING), ("coordonnees1", STRING), ("coordonnees2", STRING), ("coordonnees3", STRING),
    ("telephone", STRING), ("courriel", STRING), ("commentaire", STRING), ("urlRecruteur", STRING),
    ("urlPostulation", STRING),
))
AGENCE = Struct("Agence", (("telephone", STRING), ("courriel", STRING)))
QUALITE_PRO = Struct("QualitePro", (("libelle", STRING), ("description", STRING)))
PARTENAIRE_OFFRE = Struct("PartenaireOffre", (("nom", STRING), ("url", STRING), ("logo", STRING)))
ORIGINE_OFFRE = Struct("OrigineOffre", (
    ("origine", STRING), ("urlOrigine", STRING), ("partenaires", ListOf(PARTENAIRE_OFFRE)),
))
CONTEXTE_TRAVAIL = Struct("ContexteTravail", (
    ("horaires", ListOf(STRING)), ("conditionsExercice", ListOf(STRING)),
))

OFFRE = Struct("Offre", (
    ("id", STRING),
    ("intitule", STRING),
    ("description", STRING),
    ("dateCreation", DATE_TIME),
    ("dateActualisation", DATE_TIME),
    ("lieuTravail", LIEU_TRAVAIL),
    ("romeCode", STRING),
    ("romeLibelle", STRING),
    ("appellationlibelle", STRING),  # sic: lower-case "l", as the API spells it
    ("entreprise", ENTREPRISE),
    ("typeContrat", STRING),
    ("typeContratLibelle", STRING),
    ("natureContrat", STRING),
    ("experienceExige", STRING),
    ("experienceLibelle", STRING),
    ("experienceCommentaire", STRING),
    ("formations", ListOf(FORMATION)),
    ("langues", ListOf(LANGUE)),
    ("permis", ListOf(PERMIS)),
    ("outilsBureautiques", ListOf(STRING)),
    ("competences", ListOf(COMPETENCE)),
    ("salaire", SALAIRE),
    ("dureeTravailLibelle", STRING),
    ("dureeTravailLibelleConverti", STRING),
    ("complementExercice", STRING),
    ("conditionExercice", STRING),
    ("alternance", BOOLEAN),
    ("contact", CONTACT),
    ("agence", AGENCE),
    ("nombrePostes", INT32),
    ("accessibleTH", BOOLEAN),
    ("deplacementCode", STRING),
    ("deplacementLibelle", STRING),
    ("qualificationCode", STRING),
    ("qualificationLibelle", STRING),
    ("codeNAF", STRING),
    ("secteurActivite", STRING),
    ("secteurActiviteLibelle", STRING),
    ("qualitesProfessionnelles", ListOf(QUALITE_PRO)),
    ("trancheEffectifEtab", STRING),
    ("origineOffre", ORIGINE_OFFRE),
    ("offresManqueCandidats", BOOLEAN),
    ("contexteTravail", CONTEXTE_TRAVAIL),
    ("entrepriseAdaptee", BOOLEAN),
    ("employeurHandiEngage", BOOLEAN),
))

# The project's own rule (the spec marks nothing required): dedup and every feed key on `id`.
REQUIRED_KEYS = ("id",)
# The key "latest wins" compares when two copies of one offer differ.
VERSION_KEY = "dateActualisation"
