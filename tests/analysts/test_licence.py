"""The redistribution profile (reuse licence art. 7) on hand-made and real offers."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter

import pytest

from offres_crawler.analysis import attribution
from offres_crawler.analysis.licence import department_label, manifest, redistributable
from tests.analysts.real_offers import latest_offers

URL = re.compile(r"https?://|www\.", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"(?<!\d)0[1-9](?:[\s.-]?\d{2}){4}(?!\d)")

OFFER = {
    "id": "207ABCD",
    "intitule": "Technicien de maintenance H/F - Acme Robotique",
    "description": "Acme Robotique recrute ! Écrivez à jobs.rh@acme-robotique.fr ou appelez le "
                   "04 72 10 20 30 (+33 6 12 34 56 78). Détails : https://acme-robotique.fr/jobs/42 "
                   "et www.acme-robotique.fr. Poste en 3x8, 2 000 postes de travail.",
    "dateCreation": "2026-11-20T09:00:00.000Z",
    "dateActualisation": "2026-11-21T09:00:00.000Z",
    "lieuTravail": {"libelle": "69 - LYON 03", "latitude": 45.76, "longitude": 4.85,
                    "codePostal": "69003", "commune": "69383"},
    "entreprise": {"nom": "Acme Robotique", "description": "Leader de la robotique", "logo": "https://x/l.png",
                   "url": "https://acme-robotique.fr", "entrepriseAdaptee": False},
    "salaire": {"libelle": "Annuel de 30000,00 Euros", "commentaire": "Voir acme-robotique.fr/salaires"},
    "contact": {"nom": "Mme Dupont", "telephone": "0472102030", "courriel": "dupont@acme-robotique.fr",
                "urlPostulation": "https://acme-robotique.fr/postuler"},
    "agence": {"courriel": "agence@francetravail.fr"},
    "origineOffre": {"origine": "2", "urlOrigine": "https://candidat.francetravail.fr/offres/recherche/detail/207ABCD",
                     "partenaires": [{"nom": "SOFTY", "url": "https://acme.softy.pro/offre/42",
                                      "logo": "https://www.francetravail.fr/logos/img/partenaires/softy80.png"}]},
    "typeContrat": "CDI",
    "formations": [{"niveauLibelle": "Bac+2", "commentaire": "BTS, contact: 06 11 22 33 44"}],
}


def test_a_hand_made_offer():
    original = copy.deepcopy(OFFER)
    counts = Counter()
    out = redistributable(OFFER, counts)
    assert OFFER == original  # a copy: the crawler's item is not modified behind its back
    assert "contact" not in out and "agence" not in out
    assert out["entreprise"] == {"entrepriseAdaptee": False}
    assert out["lieuTravail"] == {"libelle": "69"}
    assert out["origineOffre"] == {"origine": "2", "partenaires": [
        {"nom": "SOFTY", "logo": "https://www.francetravail.fr/logos/img/partenaires/softy80.png"}]}
    assert out["intitule"] == "Technicien de maintenance H/F - [employeur]"
    assert out["description"] == (
        "[employeur] recrute ! Écrivez à [courriel] ou appelez le [téléphone] ([téléphone]). "
        "Détails : [url] et [url]. Poste en 3x8, 2 000 postes de travail.")
    assert out["formations"] == [{"niveauLibelle": "Bac+2", "commentaire": "BTS, contact: [téléphone]"}]
    assert out["salaire"] == {"libelle": "Annuel de 30000,00 Euros", "commentaire": "Voir [url]"}
    assert (out["id"], out["typeContrat"], out["dateActualisation"]) == ("207ABCD", "CDI", OFFER["dateActualisation"])
    assert counts["dropped/contact"] == 1 and counts["dropped/entreprise.nom"] == 1
    assert counts["scrubbed/telephone"] == 3 and counts["scrubbed/courriel"] == 1
    assert counts["scrubbed/url"] == 3 and counts["scrubbed/employeur"] == 2


@pytest.mark.parametrize(("label", "expected"), [
    ("69 - LYON 03", "69"), ("2A - AJACCIO", "2A"), ("971 - LE GOSIER", "971"),
    ("75 - Paris (Dept.)", "75 - Paris (Dept.)"), ("Ile-de-France", "Ile-de-France"), ("France", "France"),
])
def test_department_label(label, expected):
    assert department_label(label) == expected


def test_malformed_objects_are_dropped_whole():
    out = redistributable({"id": "X", "entreprise": "ACME SA", "lieuTravail": ["Lyon"], "contact": "06 12 34 56 78"})
    assert out == {"id": "X"}


def _text_fields(offer):
    yield from (offer.get(k) for k in ("intitule", "description", "complementExercice",
                                         "conditionExercice", "experienceCommentaire"))
    yield offer.get("salaire", {}).get("commentaire")
    yield from (f.get("commentaire") for f in offer.get("formations", []))


def test_every_real_offer(samples):
    offers = latest_offers(samples)
    commune_labels = 0
    for offer in offers:
        original = copy.deepcopy(offer)
        out = redistributable(offer)
        assert offer == original
        assert "contact" not in out and "agence" not in out
        assert set(out["entreprise"]) <= {"entrepriseAdaptee"}
        assert "urlOrigine" not in out["origineOffre"]
        assert all("url" not in p for p in out["origineOffre"].get("partenaires", []))
        assert not {"commune", "codePostal", "latitude", "longitude"} & set(out["lieuTravail"])
        lieu = original["lieuTravail"]
        if "commune" in lieu or "codePostal" in lieu:
            if re.match(r"^(\d{2,3}|2[AB]) - ", lieu["libelle"]) and not lieu["libelle"].endswith("(Dept.)"):
                assert out["lieuTravail"]["libelle"] == lieu["libelle"].split(" - ")[0]
                commune_labels += 1
        employer = original["entreprise"].get("nom", "")
        for text in filter(None, _text_fields(out)):
            assert not URL.search(text) and not EMAIL.search(text) and not PHONE.search(text), text[:200]
            if len(employer.strip()) >= 3:
                assert not re.search(rf"(?<!\w){re.escape(employer.strip())}(?!\w)", text, re.IGNORECASE)
        # what the licence does not forbid is kept as it was
        for key in ("id", "dateCreation", "dateActualisation", "romeCode", "typeContrat", "salaire"):
            if key == "salaire":
                assert out[key].get("libelle") == original[key].get("libelle")
            else:
                assert out[key] == original[key]
    assert commune_labels > 1000


def test_manifest():
    data = manifest(last_update="2026-11-21T09:00:00.000Z", profile="redistribution", rows=12)
    assert data["source"]["name"] == attribution.SOURCE_NAME
    assert data["source"]["attribution"] == attribution.attribution("2026-11-21T09:00:00.000Z")
    assert data["licence"]["name"] == attribution.LICENCE_NAME
    assert data["last_update"] == "2026-11-21T09:00:00.000Z" and data["rows"] == 12
    assert "/contact" in data["removed"]["fields"] and "/entreprise/nom" in data["removed"]["fields"]
    assert "removed" not in manifest(last_update=None, profile="full")
    json.dumps(data)  # serialisable as is
