"""Every rule of every search parameter, at its boundary, on both sides: the last value accepted
and the first one refused (a mutation of a bound, `>=` for `>`, `\\d` for `[0-9]`, is caught).
A parameter added to the catalogue without its row here fails `test_every_parameter_has_its_bounds`."""

from __future__ import annotations

import pytest

from offres_crawler.harvest.params import CATALOGUE, ParamError, validate_search_params

# Companions a parameter needs to be accepted at all.
NEEDS = {"distance": {"commune": "75056"}, "salaireMin": {"periodeSalaire": "M"},
         "periodeSalaire": {"salaireMin": "1800"},
         "minCreationDate": {"maxCreationDate": "2100-12-31T23:59:59Z"},
         "maxCreationDate": {"minCreationDate": "2000-01-01T00:00:00Z"}}

BOOLEANS = {"tempsPlein", "inclureLimitrophes", "accesTravailleurHandicape", "offresMRS",
            "offresManqueCandidats", "entreprisesAdaptees", "employeursHandiEngages"}
NATURES = "E1,E2,FA,FJ,FS,FT,FU,I1,NS,FV,FW,FX,FY,PS,PR,CC,CU,EE,ER,CI"
TYPES = "CDI,CDD,MIS,SAI,CCE,FRA,LIB,REP,TTI,DDI,DIN"
ROMES = ",".join(f"M{n:04d}" for n in range(1, 201))
PARTNERS = ",".join(f"P{n}" for n in range(100))
DEPTS = "01,02,2A,2B,976"

# name: (accepted, refused): each at the edge of a rule
BOUNDS: dict[str, tuple[list[str], list[str]]] = {
    "sort": (["1"], ["0", "2", "3", "01", "١"]),
    "domaine": (["G", "G1703", "M18"], ["", "G17034", "g17", "G 17", "Ｇ17"]),
    "codeROME": (["M1805", ROMES], ["M180", "M18055", "m1805", "MM805", "M١٨٠٥", ROMES + ",M9999"]),
    "appellation": (["10438", "404278"], ["1043", "4042781", "1043a", "٤٠٤٢٧٨"]),
    "theme": (["1", "12"], ["123", "a", "１"]),
    "secteurActivite": (["01", "01,99"], ["1", "123", "01,02,03", "٠١"]),
    "codeNAF": (["78.20Z", "78.20Z,01.11A"], ["78.20", "7820Z", "78.20z", "78.20ZZ", "٧٨.20Z",
                                               "78.20Z,01.11A,02.10Z"]),
    "experience": (["0", "4"], ["5", "-1", "00"]),
    "experienceExigence": (["D", "S", "E"], ["d", "X"]),
    "typeContrat": (["CDI", TYPES], ["cdi", "CDX", "CDI,CDI"]),
    "natureContrat": (["E1", NATURES], ["e1", "E3", "E1,E1"]),
    "origineOffre": (["1", "2"], ["0", "3", "１"]),
    "partenaires": (["A", "LABONNEALTERNANCE", "a b.c-d_e", "P" * 100, PARTNERS],
                    ["P" * 101, "A,B;C", PARTNERS + ",P100", "é"]),
    "modeSelectionPartenaires": (["INCLUS", "EXCLU"], ["inclus", "EXCLUS"]),
    "qualification": (["0", "9"], ["1", "X"]),
    "tempsPlein": (["true", "false", "TRUE", "False"], ["1", "yes", "vrai"]),
    "dureeHebdo": (["0", "2"], ["3", "-1"]),
    "dureeHebdoMin": (["0", "59", "800", "859", "9959"], ["60", "860", "99", "10000", "8:00", "８00", "-1"]),
    "dureeHebdoMax": (["0", "3559", "9959"], ["3560", "10000", "3٥00"]),
    "dureeContratMin": (["0", "99", "0.5", "98.99", "99.00", "0.01"],
                        ["99.01", "100", "-1", "1,5", "1.", ".5", "1.555", "1e1", "٩", "007"]),
    "dureeContratMax": (["0", "99"], ["99.01", "100"]),
    "commune": (["75056", "2A004", "2B033", "75056,13055,69123,31555,06088"],
                ["7505", "750566", "2C004", "2a004", "٧٥٠٥٦", "75056,13055,69123,31555,06088,33063"]),
    "distance": (["0", "10", "20000"], ["20001", "1.5", "-1", "１０", "000000"]),
    "departement": (["01", "95", "2A", "2B", "971", "976", DEPTS],
                    ["00", "20", "96", "975", "2C", "٧٥", DEPTS + ",75"]),
    "inclureLimitrophes": (["true"], ["oui"]),
    "region": (["01", "94"], ["05", "95", "1"]),
    "paysContinent": (["01", "FR", "99127"], ["1", "991", "9912", "991270", "fr", "٩٩١٢٧"]),
    "niveauFormation": (["NV1", "AFS"], ["NV6", "nv1"]),
    "permis": (["B", "BE", "C1E", "ABCD"], ["ABCDE", "b", ""]),
    "motsCles": (["data", "dé", "C++", "R&D", ".net", 'a"b', "data science", "x" * 100, "2024",
                  "1234", "123456", "a,b,c,d,e,f,g".replace(",", "x,") + "x"],
                 ["d", "x" * 101, "75001", "data²", "٧٥", "un_mot", "c'est", "tab\tbed",
                  "ax,bx,cx,dx,ex,fx,gx,hx"]),
    "salaireMin": (["0", "1800", "1800.5", "1800.55", "10000000", "10000000.00"],
                   ["10000000.01", "100000000", "1800.555", "-1", "1,800", "1e3", "１８００", "9" * 400]),
    "periodeSalaire": (["M", "A", "H", "C"], ["m", "X"]),
    "accesTravailleurHandicape": (["false"], ["no"]),
    "publieeDepuis": (["1", "3", "7", "14", "31"], ["2", "30", "32", "0", "１"]),
    "minCreationDate": (["2000-01-01T00:00:00Z", "2024-02-29T12:00:00Z", "2100-12-31T23:59:59Z"],
                        ["1999-12-31T23:59:59Z", "2101-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
                         "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T23:59:60Z",
                         "2024-01-01T00:00:00", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.000Z",
                         "２０２４-01-01T00:00:00Z", "20240-01-01T00:00:00Z"]),
    "maxCreationDate": (["2000-01-01T00:00:00Z", "2100-12-31T23:59:59Z"],
                        ["1999-12-31T23:59:59Z", "2101-01-01T00:00:00Z"]),
    "offresMRS": (["true"], ["t"]),
    "offresManqueCandidats": (["false"], ["f"]),
    "entreprisesAdaptees": (["true"], ["1"]),
    "employeursHandiEngages": (["false"], ["0"]),
    "grandDomaine": (["A", "C15", "M18", "N"], ["O", "c15", "M19"]),
}


def test_every_parameter_has_its_bounds():
    assert set(BOUNDS) == set(CATALOGUE)


def cases(accepted: bool):
    return [(name, value) for name, (ok, bad) in BOUNDS.items() for value in (ok if accepted else bad)]


@pytest.mark.parametrize(("name", "value"), cases(True))
def test_accepted_at_the_edge(name, value):
    out = validate_search_params({name: value, **NEEDS.get(name, {})})
    assert out[name] == (value.lower() if name in BOOLEANS else value)  # booleans sent in lower case


@pytest.mark.parametrize(("name", "value"), cases(False))
def test_refused_past_the_edge(name, value):
    with pytest.raises(ParamError) as exc:
        validate_search_params({name: value, **NEEDS.get(name, {})})
    assert exc.value.name == name
    message = str(exc.value)
    assert message.startswith(f"{name}: ") and "\n" not in message and len(message) < 400


def test_a_value_is_quoted_cut_short():
    with pytest.raises(ParamError) as exc:
        validate_search_params({"salaireMin": "9" * 400, "periodeSalaire": "M"})
    assert str(exc.value) == ("salaireMin: '9999999999999999999999999999999999999999'... (400 characters) "
                              "is out of range: an amount in euros from 0 to 10000000 ('.' decimal, up "
                              "to 2 decimals)")


@pytest.mark.parametrize(("lo", "hi", "equal", "more"), [
    ("dureeHebdoMin", "dureeHebdoMax", ("800", "800"), ("801", "800")),
    ("dureeContratMin", "dureeContratMax", ("6.5", "6.50"), ("6.51", "6.5")),
    ("minCreationDate", "maxCreationDate", ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
     ("2024-01-01T00:00:01Z", "2024-01-01T00:00:00Z")),
])
def test_a_minimum_may_equal_its_maximum_not_exceed_it(lo, hi, equal, more):
    out = validate_search_params({lo: equal[0], hi: equal[1]})
    assert (out[lo], out[hi]) == equal
    with pytest.raises(ParamError) as exc:
        validate_search_params({lo: more[0], hi: more[1]})
    assert exc.value.name == lo and hi in str(exc.value)


@pytest.mark.parametrize("companion", ["commune", "minCreationDate"])
def test_pairs_need_each_other(companion):
    if companion == "commune":
        assert validate_search_params({"distance": "0", "commune": "75056"})["distance"] == "0"
        with pytest.raises(ParamError, match="give commune as well"):
            validate_search_params({"distance": "0"})
    else:
        with pytest.raises(ParamError, match="needs maxCreationDate"):
            validate_search_params({"minCreationDate": "2024-01-01T00:00:00Z"})


def test_keywords_are_sent_in_nfc():
    decomposed = "de\u0301veloppeur"  # é as e + combining acute (macOS input)
    assert validate_search_params({"motsCles": decomposed})["motsCles"] == "développeur"


def test_values_from_python():
    out = validate_search_params({"typeContrat": ["CDI", "CDD"], "tempsPlein": True,
                                  "commune": "75056", "distance": 10})
    assert out == {"typeContrat": "CDI,CDD", "tempsPlein": "true", "commune": "75056", "distance": "10"}


@pytest.mark.parametrize(("name", "shown"), [
    ("motcles", "motcles"), ("a\nOUTCOME: COMPLETE", "'a\\nOUTCOME: COMPLETE'"),
    ("x" * 40, "x" * 40), ("x" * 41, "'" + "x" * 40 + "'... (41 characters)")])
def test_an_unknown_name_is_quoted_on_one_line(name, shown):
    with pytest.raises(ParamError) as exc:
        validate_search_params({name: "1"})
    assert str(exc.value).startswith(f"{shown}: unknown search parameter") and "\n" not in str(exc.value)


# REFERENCE §3: how many comma-separated values each parameter takes (1 when not listed).
MAX_VALUES = {"codeROME": 200, "secteurActivite": 2, "codeNAF": 2, "typeContrat": 11, "natureContrat": 20,
              "partenaires": 100, "commune": 5, "departement": 5, "motsCles": 7}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_the_number_of_values_on_both_sides(name):
    """As many values as allowed pass the count (a repeat is refused after it); one more is refused."""
    most = MAX_VALUES.get(name, 1)
    value = BOUNDS[name][0][0]
    with pytest.raises(ParamError) as exc:
        validate_search_params({name: ",".join([value] * (most + 1)), **NEEDS.get(name, {})})
    if most == 1:
        assert str(exc.value).endswith("takes a single value, got 2")
    else:
        what = "keywords" if name == "motsCles" else "comma-separated values"
        assert str(exc.value).endswith(f"at most {most} {what}, got {most + 1}")
    if most > 1:
        with pytest.raises(ParamError, match="a value is repeated"):
            validate_search_params({name: ",".join([value] * most), **NEEDS.get(name, {})})


@pytest.mark.parametrize(("value", "quoted"), [("A" * 40, repr("A" * 40)),
                                               ("A" * 41, repr("A" * 40) + "... (41 characters)")])
def test_a_value_is_quoted_whole_up_to_40_characters(value, quoted):
    with pytest.raises(ParamError) as exc:
        validate_search_params({"permis": value})
    assert str(exc.value) == f"permis: {quoted} is not a permis code (e.g. B)"
