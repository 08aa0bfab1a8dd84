"""offer_schema.OFFRE is the official spec's `Offre`, key for key and type for type."""

from __future__ import annotations

import json

from offres_crawler.offers.schema import (
    DATE_TIME,
    OFFRE,
    REQUIRED_KEYS,
    VERSION_KEY,
    ListOf,
    Scalar,
    Struct,
)


def _shape_from_spec(schema: dict, schemas: dict, name: str | None = None):
    """The offer_schema shape the spec describes, built independently of offer_schema."""
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        return _shape_from_spec(schemas[ref], schemas, ref)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return Struct(name, tuple((key, _shape_from_spec(sub, schemas))
                                  for key, sub in schema["properties"].items()))
    if kind == "array":
        return ListOf(_shape_from_spec(schema["items"], schemas))
    return Scalar(kind, schema.get("format"))


def test_offre_matches_the_official_spec(samples):
    spec = json.loads((samples / "openapi" / "offres-emploi-v2.openapi.json").read_text("utf-8"))
    schemas = spec["components"]["schemas"]
    assert _shape_from_spec(schemas["Offre"], schemas, "Offre") == OFFRE


def test_search_results_are_lists_of_offre(samples):
    spec = json.loads((samples / "openapi" / "offres-emploi-v2.openapi.json").read_text("utf-8"))
    results = spec["components"]["schemas"]["ResultatRecherche"]["properties"]["resultats"]
    assert (results["type"], results["items"]) == ("array", {"$ref": "#/components/schemas/Offre"})


def test_project_rules_name_declared_keys():
    assert set(REQUIRED_KEYS) == {"id"}
    assert OFFRE.field("id") == Scalar("string")
    assert OFFRE.field(VERSION_KEY) == DATE_TIME
    assert OFFRE.field("dateCreation") == DATE_TIME
