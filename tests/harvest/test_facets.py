from __future__ import annotations

from offres_crawler.harvest.facets import choose_split, splittable_facets


def filtres(**facets):
    return [{"filtre": name, "agregation": [{"valeurPossible": v, "nbResultats": n}
                                             for v, n in counts.items()]}
            for name, counts in facets.items()]


def test_type_contrat_first_when_it_adds_up():
    split = choose_split({}, (), filtres(typeContrat={"CDI": 3000, "CDD": 1000},
                                         experience={"0": 4000}), 4000)
    assert split.facet == "typeContrat" and split.counts == {"CDI": 3000, "CDD": 1000}
    assert split.shortfall == 0 and split.as_report()["sum_check"] is True


def test_a_facet_that_does_not_add_up_gives_way_to_one_that_does():
    split = choose_split({}, (), filtres(typeContrat={"CDI": 3990},
                                         natureContrat={"E1": 2000, "E2": 2000}), 4000)
    assert split.facet == "natureContrat"


def test_when_no_count_adds_up_a_covering_facet_the_api_does_not_count_is_used():
    split = choose_split({}, (), filtres(typeContrat={"CDI": 2000, "CDD": 1987},
                                         experience={"1": 1000, "2": 2900}), 4000)
    assert split.facet == "experienceExigence" and not split.counted
    assert split.counts == {"D": None, "S": None, "E": None}


def test_when_nothing_covers_the_best_count_is_used_and_the_shortfall_reported():
    split = choose_split({"experienceExigence": "E", "dureeHebdo": "1"}, (),
                         filtres(typeContrat={"CDI": 2000, "CDD": 1987},
                                 experience={"1": 1000, "2": 2900}), 4000)
    assert split.facet == "typeContrat" and split.shortfall == 13
    assert split.as_report()["sum_check"] is False


def test_qualification_x_cannot_be_asked_for():
    split = choose_split({"typeContrat": "CDI", "natureContrat": "E1", "experienceExigence": "D"},
                         ("dureeHebdo",), filtres(qualification={"0": 10, "9": 10, "X": 5}), 25)
    assert split.counts == {"0": 10, "9": 10} and split.shortfall == 5


def test_type_and_nature_are_never_combined():
    assert "natureContrat" not in splittable_facets({"typeContrat": "CDI,CDD"}, ())
    assert "typeContrat" not in splittable_facets({}, ("natureContrat",))
    assert splittable_facets({"typeContrat": "CDI", "natureContrat": "E1"}, ()) == \
        ["experience", "qualification", "experienceExigence", "dureeHebdo"]


def test_a_users_multi_value_facet_is_split_within_its_values():
    split = choose_split({"typeContrat": "CDI,CDD"}, (),
                         filtres(typeContrat={"CDI": 5, "CDD": 5, "MIS": 3}), 10)
    assert split.counts == {"CDI": 5, "CDD": 5}


def test_a_facet_with_one_value_divides_nothing():
    split = choose_split({}, (), filtres(typeContrat={"CDI": 4000}, experience={"0": 1, "1": 3999}), 4000)
    assert split.facet == "experience" and split.counted


def test_no_facet_left():
    assert choose_split({"experience": "1", "qualification": "9", "dureeHebdo": "2"},
                        ("typeContrat", "experienceExigence"),
                        filtres(typeContrat={"CDI": 4000}), 4000) is None


def test_rare_values_share_a_slice_when_that_saves_a_page():
    from offres_crawler.harvest.facets import pack
    groups = pack({"CDI": 2053, "MIS": 1099, "CDD": 642, "SAI": 89, "LIB": 70, "CCE": 19, "FRA": 19,
                   "DIN": 4, "DDI": 3, "REP": 1, "TTI": 1}, capacity=3150)
    assert sum(groups.values()) == 4000
    assert all(n <= 3150 for n in groups.values())
    assert sorted(v for g in groups for v in g.split(",")) == sorted(
        ["CDI", "MIS", "CDD", "SAI", "LIB", "CCE", "FRA", "DIN", "DDI", "REP", "TTI"])
    pages = sum(-(-n // 150) for n in groups.values())
    assert pages <= -(-4000 // 150) + 1  # 11 values would cost 37 pages one by one
    assert len(groups) < 11


def test_a_value_over_the_capacity_stays_alone():
    from offres_crawler.harvest.facets import pack
    assert pack({"CDI": 5000, "CDD": 10}, capacity=3150) == {"CDI": 5000, "CDD": 10}


def test_packed_split_names_its_groups_by_the_values():
    split = choose_split({}, (), filtres(typeContrat={"CDI": 100, "CDD": 20, "MIS": 10}), 130,
                         capacity=450)
    assert split.counts == {"CDD,CDI,MIS": 130}
