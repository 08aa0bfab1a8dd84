"""Validation of the search query string: the API's own 400 messages (REFERENCE Part 2 §3-4)."""

from __future__ import annotations

import re

import pytest

from tests.sandbox.httpclient import api_get, content_range, search

GRAND_DOMAINE = ("Format du paramètre « grandDomaine » incorrect. A, B, C, C15, D, E, F, G, H, I, J, "
                 "K, L, L14, M15, M18, M, M16, M17, M13, M14 ou N attendu.")
MOTS_CLES = ("Format du paramètre « motsCles » incorrect. 7 mots-clé au maximum séparés par des "
             "virgules et d'au moins 2 caractères.")
BOOLEANS = ["tempsPlein", "inclureLimitrophes", "accesTravailleurHandicape", "offresMRS",
            "offresManqueCandidats", "entreprisesAdaptees", "employeursHandiEngages"]
DATE = "yyyy-MM-dd'T'hh:mm:ss'Z'"


@pytest.fixture(scope="module")
def codes(sb, token):
    """A valid code of each referentiel, as the sandbox serves them."""
    def first(name):
        reply = api_get(sb, f"/v2/referentiel/{name}", token)
        assert reply.status == 200
        return [entry["code"] for entry in reply.json()]

    return {name: first(name) for name in (
        "typesContrats", "naturesContrats", "departements", "communes", "regions", "domaines",
        "metiers", "themes", "secteursActivites", "nafs", "pays", "continents", "niveauxFormations",
        "permis", "appellations")}


def assert_accepted(reply) -> None:
    assert reply.status in (200, 204, 206), (reply.status, reply.body[:200])


def total_of(reply) -> int:
    assert_accepted(reply)
    return 0 if reply.status == 204 else content_range(reply)[2]


def assert_400(reply, message: str) -> None:
    assert reply.status == 400, (reply.status, reply.body[:200])
    assert reply.headers["Content-Type"] == "application/json;charset=UTF-8"
    body = reply.json()
    assert set(body) == {"codeErreur", "codeHttp", "message"}
    assert re.fullmatch(r"\d{13}", body["codeErreur"])
    assert body["codeHttp"] == 400
    assert body["message"] == message


FORMAT = "Format du paramètre « {} » incorrect. {} attendu."
VALUE = "Valeur du paramètre « {} » incorrecte."


@pytest.mark.parametrize("params, message", [
    ({"range": "abc"}, FORMAT.format("range", "<entier>-<entier>")),
    ({"range": "0-"}, FORMAT.format("range", "<entier>-<entier>")),
    ({"range": "-1-5"}, FORMAT.format("range", "<entier>-<entier>")),
    ({"range": "20-10"}, FORMAT.format("range", "<entier>-<entier>")),
    ({"range": "0-150"}, "La plage de résultats demandée est trop importante."),
    ({"range": "100-400"}, "La plage de résultats demandée est trop importante."),
    ({"range": "3001-3010"}, "La position de début doit être inférieure ou égale à 3000."),
    ({"range": "3100-3149"}, "La position de début doit être inférieure ou égale à 3000."),
    ({"sort": "3"}, FORMAT.format("sort", "0, 1 ou 2")),
    ({"experience": "5"}, "Format du paramètre « experience » incorrect. 0, 1, 2, 3 ou 4 attendu."),
    ({"experienceExigence": "X"}, "Format du paramètre « experienceExigence » incorrect. D, E ou S attendu."),
    ({"publieeDepuis": "2"}, "Format du paramètre « publieeDepuis » incorrect. 1, 3, 7, 14 ou 31 attendu."),
    ({"publieeDepuis": "30"}, "Format du paramètre « publieeDepuis » incorrect. 1, 3, 7, 14 ou 31 attendu."),
    ({"grandDomaine": "Z"}, GRAND_DOMAINE),
    ({"origineOffre": "3"}, FORMAT.format("origineOffre", "1 ou 2")),
    ({"qualification": "X"}, FORMAT.format("qualification", "0 ou 9")),
    ({"dureeHebdo": "3"}, FORMAT.format("dureeHebdo", "0, 1 ou 2")),
    ({"modeSelectionPartenaires": "TOUS"}, FORMAT.format("modeSelectionPartenaires", "INCLUS ou EXCLU")),
    ({"dureeHebdoMin": "8h"}, FORMAT.format("dureeHebdoMin", "HHMM")),
    ({"dureeHebdoMax": "0875"}, FORMAT.format("dureeHebdoMax", "HHMM")),
    ({"dureeContratMin": "100"}, FORMAT.format("dureeContratMin", "Nombre décimal de 0 à 99")),
    ({"dureeContratMax": "1,5"}, FORMAT.format("dureeContratMax", "Nombre décimal de 0 à 99")),
    ({"motsCles": "a"}, MOTS_CLES),
    ({"motsCles": "python,sql,java,scala,rust,go,perl,ruby"}, MOTS_CLES),
    ({"motsCles": "python,,sql"}, MOTS_CLES),
    ({"motsCles": "75001"}, MOTS_CLES),
    ({"motsCles": "chef<script>"}, MOTS_CLES),
    ({"salaireMin": "1800"}, "Le paramètre « periodeSalaire » est obligatoire lorsque le paramètre « salaireMin » est renseigné."),
    ({"periodeSalaire": "M"}, "Le paramètre « salaireMin » est obligatoire lorsque le paramètre « periodeSalaire » est renseigné."),
    ({"salaireMin": "beaucoup", "periodeSalaire": "M"}, FORMAT.format("salaireMin", "Nombre")),
    ({"salaireMin": "1800", "periodeSalaire": "X"}, FORMAT.format("periodeSalaire", "M, A, H ou C")),
    ({"minCreationDate": "2024-01-01T00:00:00Z"},
     "Les paramètres « minCreationDate » et « maxCreationDate » doivent être renseignés ensemble."),
    ({"maxCreationDate": "2024-01-01T00:00:00Z"},
     "Les paramètres « minCreationDate » et « maxCreationDate » doivent être renseignés ensemble."),
    ({"minCreationDate": "2024-01-01", "maxCreationDate": "2024-01-02T00:00:00Z"}, FORMAT.format("minCreationDate", DATE)),
    ({"minCreationDate": "2024-01-01T00:00:00Z", "maxCreationDate": "2024-13-01T00:00:00Z"}, FORMAT.format("maxCreationDate", DATE)),
    ({"minCreationDate": "2024-01-01T00:00:00.000Z", "maxCreationDate": "2024-01-02T00:00:00Z"}, FORMAT.format("minCreationDate", DATE)),
    ({"codeNAF": "7820Z"}, FORMAT.format("codeNAF", "99.99X")),
])
def test_format_errors(sb, token, params, message):
    assert_400(search(sb, token, params), message)


@pytest.mark.parametrize("name", BOOLEANS)
@pytest.mark.parametrize("value", ["yes", "1", "vrai"])
def test_booleans(sb, token, name, value):
    assert_400(search(sb, token, {name: value}), FORMAT.format(name, "Booléen"))


@pytest.mark.parametrize("name", BOOLEANS)
def test_booleans_accepted(sb, token, name):
    assert_accepted(search(sb, token, {name: "true", "range": "0-0"}))
    assert_accepted(search(sb, token, {name: "false", "range": "0-0"}))


@pytest.mark.parametrize("name, bad", [
    ("typeContrat", "XXX"), ("natureContrat", "ZZ"), ("departement", "00"), ("commune", "00000"),
    ("region", "99"), ("domaine", "Z99"), ("codeROME", "Z9999"), ("theme", "999"),
    ("secteurActivite", "00"), ("codeNAF", "00.00Z"), ("paysContinent", "ZZ"),
    ("niveauFormation", "NV9"), ("permis", "ZZ"), ("appellation", "000000"),
])
def test_codes_must_exist_in_their_referentiel(sb, token, codes, name, bad):
    assert_400(search(sb, token, {name: bad}), VALUE.format(name))


@pytest.mark.parametrize("name, referentiel", [
    ("typeContrat", "typesContrats"), ("natureContrat", "naturesContrats"),
    ("departement", "departements"), ("commune", "communes"), ("region", "regions"),
    ("domaine", "domaines"), ("codeROME", "metiers"), ("theme", "themes"),
    ("secteurActivite", "secteursActivites"), ("codeNAF", "nafs"), ("paysContinent", "pays"),
    ("paysContinent", "continents"), ("niveauFormation", "niveauxFormations"), ("permis", "permis"),
    ("appellation", "appellations"),
])
def test_codes_of_the_referentiel_are_accepted(sb, token, codes, name, referentiel):
    for code in (codes[referentiel][0], codes[referentiel][-1]):
        assert_accepted(search(sb, token, {name: code, "range": "0-0"}))


def test_one_bad_code_in_a_list_is_refused(sb, token, codes):
    assert_400(search(sb, token, {"typeContrat": f"{codes['typesContrats'][0]},XXX"}),
               VALUE.format("typeContrat"))


@pytest.mark.parametrize("name, referentiel, limit", [
    ("departement", "departements", 5), ("commune", "communes", 5),
    ("secteurActivite", "secteursActivites", 2), ("codeNAF", "nafs", 2),
])
def test_list_lengths(sb, token, codes, name, referentiel, limit):
    assert len(codes[referentiel]) > limit
    allowed = ",".join(codes[referentiel][:limit])
    assert_accepted(search(sb, token, {name: allowed, "range": "0-0"}))
    too_many = ",".join(codes[referentiel][:limit + 1])
    assert_400(search(sb, token, {name: too_many}), VALUE.format(name))


def test_distance_must_be_an_integer(sb, token, codes):
    assert_400(search(sb, token, {"commune": codes["communes"][0], "distance": "dix"}),
               FORMAT.format("distance", "Entier"))


def test_every_valid_value_is_accepted(sb, token):
    params = {"sort": "2", "experience": "4", "experienceExigence": "D", "publieeDepuis": "31",
              "grandDomaine": "M18", "origineOffre": "1", "qualification": "9", "dureeHebdo": "1",
              "dureeHebdoMin": "0800", "dureeHebdoMax": "2430", "dureeContratMin": "0.5",
              "dureeContratMax": "99", "motsCles": "développeur,c++,data-engineer", "salaireMin": "1800.5",
              "periodeSalaire": "A", "modeSelectionPartenaires": "EXCLU", "partenaires": "INDEED,METEOJOB",
              "minCreationDate": "2020-01-01T00:00:00Z", "maxCreationDate": "2030-01-01T00:00:00Z",
              "range": "0-0"}
    assert_accepted(search(sb, token, params))


# -- names the API does not know, empty values, repeated names ---------------------------------
@pytest.fixture(scope="module")
def unfiltered(sb, token):
    return total_of(search(sb, token, {"range": "0-0"}))


def test_unknown_parameter_names_are_ignored(sb, token, unfiltered):
    assert unfiltered > 0
    params = {"pays": "01", "paysContinents": "01", "page": "2", "size": "10", "typeContrats": "XXX",
              "range": "0-0"}
    assert total_of(search(sb, token, params)) == unfiltered


def test_distance_without_commune_is_not_taken_into_account(sb, token, unfiltered):
    assert total_of(search(sb, token, {"distance": "5", "range": "0-0"})) == unfiltered


def test_empty_values_count_as_absent(sb, token, unfiltered):
    assert total_of(search(sb, token, {"typeContrat": "", "departement": "", "range": "0-0"})) == unfiltered


def test_repeated_names_combine_like_a_list(sb, token, codes):
    a, b = codes["typesContrats"][:2]
    joined = total_of(search(sb, token, {"typeContrat": f"{a},{b}", "range": "0-0"}))
    repeated = total_of(search(sb, token, [("typeContrat", a), ("typeContrat", b), ("range", "0-0")]))
    assert repeated == joined


def test_dureeHebdo_also_answers_to_the_specs_misspelt_name(sb, token):
    # The OpenAPI spec declares "dureeHebdo " with a trailing space.
    spelt = total_of(search(sb, token, {"dureeHebdo": "2", "range": "0-0"}))
    misspelt = total_of(search(sb, token, {"dureeHebdo ": "2", "range": "0-0"}))
    assert misspelt == spelt
