"""The parts of an offer's JSON that no filter reads, drawn from the offer's own random generator:
company, contract and experience texts, education, working time, contact, context, origin.

Helpers of offer_render.py (which assembles the offer); every function takes the generator first,
and `p`, when it draws optional keys: the shares of the offer's origine and year (presence.SHARES).
"""

from __future__ import annotations

import random

from offres_crawler.sandbox import generation as gen
from offres_crawler.sandbox.facts import contracts, texts

URL_DETAIL = "https://candidat.francetravail.fr/offres/recherche/detail/"


def pick(rng: random.Random, seq):
    # random.choice costs three times more; the draw stays deterministic per offer.
    return seq[int(rng.random() * len(seq))]


def randint(rng: random.Random, a: int, b: int) -> int:
    return a + int(rng.random() * (b - a + 1))


def sample(rng: random.Random, seq, k: int) -> list:
    # k distinct items (a window from a random start, wrapping): random.sample costs five times more.
    n = len(seq)
    start = int(rng.random() * n)
    end = start + min(k, n)
    return list(seq[start:end]) if end <= n else list(seq[start:]) + list(seq[:end - n])


def _months_text(months: float) -> str:
    return "15 Jour(s)" if months < 1 else f"{int(months)} Mois"


def company(rng: random.Random, p: dict[str, float], flags: int) -> dict:
    e: dict = {}
    if rng.random() < p["entreprise.nom"]:
        e["nom"] = f"{pick(rng, texts.COMPANY_HEADS)} {pick(rng, texts.COMPANY_TAILS)}"
    if rng.random() < p["entreprise.description"]:
        e["description"] = "Entreprise de " + pick(rng, ("10", "50", "200", "1000")) + " salariés, " + \
            pick(rng, ("acteur régional", "leader national", "groupe familial", "start-up innovante")) + "."
    if rng.random() < p["entreprise.logo"]:
        e["logo"] = f"https://entreprise.francetravail.fr/static/img/logos/{rng.getrandbits(40):010x}.png"
    if rng.random() < p["entreprise.url"]:
        e["url"] = f"https://www.entreprise-{rng.getrandbits(24):06x}.fr"
    e["entrepriseAdaptee"] = bool(flags & gen.F_EA)
    return e


def type_libelle(rng: random.Random, code: str, libelle: str, months: float, ft: bool) -> str:
    short = contracts.SHORT_TYPE_LIBELLES.get(code)
    name = short if short and rng.random() < (0.2 if ft else 0.5) else libelle
    return f"{name} - {_months_text(months)}" if months > 0 else name


def experience(rng: random.Random, bucket: int, exige: int, comment: str | None) -> str:
    if bucket == 4:
        text = "Débutant accepté"
    else:
        if bucket == 0:
            amount = ""
        elif bucket == 1:
            amount = f"{pick(rng, (1, 2, 3, 6))} Mois"
        elif bucket == 2:
            amount = f"{randint(rng, 1, 3)} An(s)"
        else:
            amount = f"{randint(rng, 4, 10)} An(s)"
        word = "exigée" if exige == 2 else "souhaitée"
        if not amount:
            text = f"Expérience {word}"
        else:
            text = f"Expérience {word} de {amount}" if rng.random() < 0.7 else amount
    return f"{text} - {comment}" if comment else text


def formation(rng: random.Random, niveau: int, p: dict[str, float]) -> dict:
    f: dict = {}
    if rng.random() < p["formations[].codeFormation | formations"]:
        f["codeFormation"] = str(randint(rng, 10_000, 46_000))
        f["domaineLibelle"] = pick(rng, texts.FORMATION_DOMAINES)
    f["niveauLibelle"] = contracts.NIVEAUX_FORMATIONS[niveau][1]
    if rng.random() < p["formations[].commentaire | formations"]:
        f["commentaire"] = pick(rng, ("ou équivalent", "Diplôme exigé", "Mention appréciée"))
    f["exigence"] = pick(rng, "ES")
    return f


def working_time(rng: random.Random, o: dict, temps: int, minutes: int, p: dict[str, float]) -> None:
    if temps:
        hours, rest = divmod(minutes, 60)
        hh = f"{hours}H{rest:02d}" if rest else f"{hours}H"
        prefix = "Temps partiel - " if temps == 2 else ""
        o["dureeTravailLibelle"] = prefix + hh + pick(rng, ("/semaine\n", "\n", " ")) + \
            pick(rng, ("Travail en journée", "Travail en horaires décalés", "Travail en équipe"))
        o["dureeTravailLibelleConverti"] = "Temps plein" if temps == 1 else "Temps partiel"
    else:
        # Some partner offers state a working time the API does not convert.
        converted = p["dureeTravailLibelleConverti"]
        extra = p["dureeTravailLibelle"] - converted
        if rng.random() < extra / max(1e-9, 1 - converted):
            o["dureeTravailLibelle"] = pick(rng, ("Temps plein", "Horaires variables", "Non précisé"))


def apply_text(oid: str) -> str:
    return "Pour postuler, utiliser le lien suivant : " + URL_DETAIL + oid


def contact(rng: random.Random, oid: str, company: str | None, p: dict[str, float]) -> dict:
    c: dict = {}
    if rng.random() < p["contact.nom"]:
        c["nom"] = f"{company or pick(rng, texts.COMPANY_TAILS)} - M. {pick(rng, texts.COMPANY_TAILS).title()}"
    if rng.random() < p["contact.coordonnees1"]:
        c["coordonnees1"] = apply_text(oid) if rng.random() < 0.5 else \
            f"{randint(rng, 1, 120)} RUE DE LA PAIX"
    if rng.random() < p["contact.coordonnees2"]:
        c["coordonnees2"] = "BP 12"
        c["coordonnees3"] = apply_text(oid)
    if rng.random() < p["contact.courriel"]:
        c["courriel"] = apply_text(oid)
    if rng.random() < p["contact.urlPostulation"]:
        c["urlPostulation"] = f"https://recrutement.example.fr/offre/{oid}"
    return c


def context(rng: random.Random, working_time: str | None) -> dict:
    """contexteTravail as 2026 offers write it: the working time first, then further items
    with a leading space; working conditions now and then."""
    horaires = [working_time or pick(rng, texts.HORAIRES)]
    horaires += [" " + h for h in sample(rng, texts.HORAIRES, randint(rng, 0, 2))]
    context: dict = {"horaires": horaires}
    if rng.random() < 0.3:
        context["conditionsExercice"] = sample(rng, texts.CONDITIONS_EXERCICE, randint(rng, 1, 2))
    return context


def _partner_parts(name: str) -> tuple[str, str, str]:
    slug = name.lower().replace(" ", "").replace("_", "")
    return name, f"https://www.{slug}.fr/offre/", texts.PARTNER_LOGO.format(slug)


_PARTNER_PARTS = tuple(_partner_parts(name) for name, _ in texts.PARTNERS)


def origin(rng: random.Random, oid: str, partner: int, ft: bool) -> dict:
    origin = {"origine": "1" if ft else "2", "urlOrigine": URL_DETAIL + oid}
    if not ft:
        name, url, logo = _PARTNER_PARTS[partner]
        origin["partenaires"] = [{"nom": name, "url": f"{url}{rng.getrandbits(32)}", "logo": logo}]
    return origin


def break_offer(o: dict, kind: int) -> None:
    """Malformed offers for validation tests: a wrong type, or no id."""
    if kind == 1:
        o["nombrePostes"] = str(o["nombrePostes"])
    elif kind == 2 and "latitude" in o["lieuTravail"]:
        o["lieuTravail"]["latitude"] = str(o["lieuTravail"]["latitude"])
    elif kind == 2:
        o["alternance"] = "false" if not o["alternance"] else "true"
    else:
        del o["id"]
