"""The reuse licence of the offers, applied: what a redistributed derived database must drop.

France Travail's "Licence Offres d'emploi", art. 7 (REFERENCE Part 1 §12 and §5): a derived
database made available to others must drop the employer's identity (name, description, URL),
contact data (names, phone numbers, e-mail addresses), the offers' URLs and the workplace commune
(postcode, INSEE code, label). `redistributable(offer)` returns a copy of an offer without them:

- removed keys (REMOVED): entreprise.nom / description / logo / url, the whole `contact` and
  `agence` objects, origineOffre.urlOrigine, origineOffre.partenaires[].url (the offer on the
  partner's site), lieuTravail.commune / codePostal / latitude / longitude (coordinates locate the
  commune more precisely than its name);
- lieuTravail.libelle "69 - LYON 03" becomes "69": the département stays, the commune goes
  (labels naming no commune, "75 - Paris (Dept.)", "Ile-de-France", "France", are kept);
- free text (intitule, description, salaire.commentaire, ... see SCRUBBED_TEXT) loses, best
  effort, web addresses (bare domains such as acme.fr included), e-mail addresses, French phone
  numbers and the employer's name (entreprise.nom, 3 characters or more), replaced by
  "[url]", "[courriel]", "[téléphone]", "[employeur]". Free text can still name people or
  places in ways no pattern catches: review before publishing.

Kept on purpose: `id` (needed to propagate deletions, which the licence requires; the offer's URL
is not published), the partner platform's name (not the employer), every other field.
Verify the current licence text before publishing anything. Framework-free.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from offres_crawler.analysis import attribution

PROFILES = ("full", "redistribution")

REMOVED: dict[str, tuple[str, ...]] = {
    "entreprise": ("nom", "description", "logo", "url"),
    "lieuTravail": ("commune", "codePostal", "latitude", "longitude"),
    "origineOffre": ("urlOrigine",),
}
REMOVED_OBJECTS = ("contact", "agence")
REMOVED_POINTERS = tuple(
    [f"/{obj}/{key}" for obj, keys in REMOVED.items() for key in keys]
    + [f"/{obj}" for obj in REMOVED_OBJECTS]
    + ["/origineOffre/partenaires/*/url", "/lieuTravail/libelle (commune part)"])
SCRUBBED_TEXT = ("intitule", "description", "complementExercice", "conditionExercice",
                 "experienceCommentaire", "salaire.commentaire", "formations[].commentaire")

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]"  # not the final "."
                  r"|\b[\w-]+(?:\.[\w-]+)*\.(?:fr|com|net|org|io|eu|info)\b(?:/[^\s<>\"')\]]*[^\s<>\"')\].,;:!?])?",
                  re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d\w])(?:\+33\s?\(?0?\)?\s?|0033\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_DEPT_LABEL = re.compile(r"^\s*(?P<code>\d{2,3}|2[AB])\s+-\s+(?P<rest>.+)$")


def _scrub(text: str, employer: str | None, counts: Counter) -> str:
    # e-mail addresses first: their domain would otherwise be taken for a URL
    for kind, pattern, token in (("courriel", _EMAIL, "[courriel]"), ("url", _URL, "[url]"),
                                 ("telephone", _PHONE, "[téléphone]")):
        text, n = pattern.subn(token, text)
        if n:
            counts[f"scrubbed/{kind}"] += n
    if employer:
        text, n = re.subn(rf"(?<!\w){re.escape(employer)}(?!\w)", "[employeur]", text, flags=re.IGNORECASE)
        if n:
            counts["scrubbed/employeur"] += n
    return text


def _employer(offer: dict) -> str | None:
    entreprise = offer.get("entreprise")
    name = entreprise.get("nom") if isinstance(entreprise, dict) else None
    # Too short a name ("A", "SA") would blank ordinary words.
    return name.strip() if isinstance(name, str) and len(name.strip()) >= 3 else None


def department_label(libelle: str) -> str:
    """"69 - LYON 03" -> "69"; labels naming no commune ("75 - Paris (Dept.)", a region,
    "France") unchanged."""
    m = _DEPT_LABEL.match(libelle)
    if m and not m.group("rest").rstrip().endswith("(Dept.)"):
        return m.group("code")
    return libelle


def redistributable(offer: dict, counts: Counter | None = None) -> dict:
    """A copy of the offer without what art. 7 forbids in a redistributed database (see the
    module docstring); `counts` (if given) receives what was removed, by kind."""
    counts = counts if counts is not None else Counter()
    employer = _employer(offer)
    out = dict(offer)
    for obj in REMOVED_OBJECTS:
        if out.pop(obj, None) is not None:
            counts[f"dropped/{obj}"] += 1
    for obj, keys in REMOVED.items():
        value = out.get(obj)
        if value is None:
            continue
        if not isinstance(value, dict):  # malformed: whatever it holds may be what must go
            del out[obj]
            counts[f"dropped/{obj}"] += 1
            continue
        kept = {k: v for k, v in value.items() if k not in keys}
        for key in value.keys() - kept.keys():
            counts[f"dropped/{obj}.{key}"] += 1
        out[obj] = kept
    lieu = out.get("lieuTravail")
    if isinstance(lieu, dict) and isinstance(lieu.get("libelle"), str):
        label = department_label(lieu["libelle"])
        if label != lieu["libelle"]:
            out["lieuTravail"] = {**lieu, "libelle": label}
            counts["dropped/lieuTravail.libelle_commune"] += 1
    origine = out.get("origineOffre")
    if isinstance(origine, dict) and isinstance(origine.get("partenaires"), list):
        partners = []
        for partner in origine["partenaires"]:
            if isinstance(partner, dict) and "url" in partner:
                partner = {k: v for k, v in partner.items() if k != "url"}
                counts["dropped/origineOffre.partenaires.url"] += 1
            partners.append(partner)
        out["origineOffre"] = {**origine, "partenaires": partners}
    for key in ("intitule", "description", "complementExercice", "conditionExercice",
                "experienceCommentaire"):
        if isinstance(out.get(key), str):
            out[key] = _scrub(out[key], employer, counts)
    salaire = out.get("salaire")
    if isinstance(salaire, dict) and isinstance(salaire.get("commentaire"), str):
        out["salaire"] = {**salaire, "commentaire": _scrub(salaire["commentaire"], employer, counts)}
    formations = out.get("formations")
    if isinstance(formations, list):
        out["formations"] = [
            {**f, "commentaire": _scrub(f["commentaire"], employer, counts)}
            if isinstance(f, dict) and isinstance(f.get("commentaire"), str) else f
            for f in formations]
    return out


def manifest(*, last_update: str | None, profile: str, rows: int | None = None,
             generated_at: str | None = None, api_url: str | None = None) -> dict[str, Any]:
    """What must accompany a file of offers: the source, the date of its last update and the
    licence, plus what the export profile removed."""
    out: dict[str, Any] = {
        "source": {"name": attribution.SOURCE_NAME, "api": attribution.SOURCE_API,
                   "attribution": attribution.attribution(last_update)},
        "last_update": last_update,
        "licence": {"name": attribution.LICENCE_NAME, "notes": attribution.LICENCE_NOTES},
        "export_profile": profile,
    }
    if api_url:
        out["source"]["url"] = api_url
    if profile == "redistribution":
        out["removed"] = {"fields": list(REMOVED_POINTERS),
                          "scrubbed_text": list(SCRUBBED_TEXT),
                          "why": "Licence Offres d'emploi, art. 7: employer identity, contact "
                                 "data, offer URLs and the workplace commune"}
    if rows is not None:
        out["rows"] = rows
    if generated_at:
        out["generated_at"] = generated_at
    return out
