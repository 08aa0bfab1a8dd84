"""Row -> Offre JSON dict, rendered lazily and deterministically.

Everything a filter can see comes from the market's columns; the rest (texts, contact, optional
keys that no filter reads) comes from a per-offer random generator seeded by the market seed and
the offer id, so an offer renders identically every time. Absent keys are omitted, never null.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from typing import TYPE_CHECKING

from offres_crawler.sandbox import generation as gen
from offres_crawler.sandbox.facts import contracts, geography as geo, naf, presence, texts
from offres_crawler.sandbox.market_ids import id_string

if TYPE_CHECKING:
    from offres_crawler.sandbox.market import Market

logger = logging.getLogger(__name__)

URL_DETAIL = "https://candidat.francetravail.fr/offres/recherche/detail/{}"
_P = presence.PRESENCE
_ROW_COLUMNS = ("id_key", "created", "origine", "partner", "type", "nature", "duree_contrat",
                "exp_bucket", "exp_exige", "qualif", "loc_kind", "commune", "dept", "region",
                "country", "appellation", "metier", "naf", "niveau", "permis", "langue", "temps",
                "hebdo", "sal_period", "sal_amount", "flags", "comp_mask", "malformed")
_EXIGE = ("D", "S", "E")
_TYPE = contracts.TYPES_CONTRATS
_NATURE = contracts.NATURES_CONTRATS


def _pick(rng: random.Random, seq):
    # random.choice costs three times more; the draw stays deterministic per offer.
    return seq[int(rng.random() * len(seq))]


@functools.lru_cache(maxsize=4096)
def _day(day: int) -> str:
    t = time.gmtime(day * 86_400)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"


def _randint(rng: random.Random, a: int, b: int) -> int:
    return a + int(rng.random() * (b - a + 1))


def _sample(rng: random.Random, seq, k: int) -> list:
    # k distinct items (a window from a random start): random.sample costs five times more.
    n = len(seq)
    start = int(rng.random() * n)
    return [seq[(start + i) % n] for i in range(min(k, n))]


def iso_ms(ms: int) -> str:
    """Epoch ms -> '2024-11-28T11:57:05.591Z' (the API's format)."""
    s, milli = divmod(ms, 1000)
    day, sec = divmod(s, 86_400)
    hour, sec = divmod(sec, 3_600)
    minute, sec = divmod(sec, 60)
    return f"{_day(day)}{hour:02d}:{minute:02d}:{sec:02d}.{milli:03d}Z"


def _months_text(months: float) -> str:
    return "15 Jour(s)" if months < 1 else f"{int(months)} Mois"


def _dept_place_name(libelle: str) -> str:
    # lieuTravail spells département names without hyphens ("92 - Hauts de Seine").
    return libelle.replace("-", " ")


class OfferRenderer:
    def __init__(self, market: Market) -> None:
        self.m = market
        self.cat = market.catalog
        self.seed_mix = (market.config.seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF

        self._prefetched: dict[int, dict] = {}
        self._skills = [[lib for _, lib in comps] for comps in self.cat.metier_competences]

    def prefetch(self, rows: list[int]) -> None:
        """Gather the columns of a page's rows at once (the search does it for its page), so that
        rendering them one by one afterwards skips per-row numpy indexing."""
        self._prefetched = dict(zip(rows, self._gather(rows)))

    def render(self, row: int) -> dict:
        values = self._prefetched.get(row)
        if values is None:
            cols = self.m.cols
            values = {name: cols[name][row].item() for name in _ROW_COLUMNS}
        return self._render(values)

    def render_many(self, rows: list[int]) -> list[dict]:
        return [self._render(values) for values in self._gather(rows)]

    def _gather(self, rows: list[int]) -> list[dict]:
        cols = self.m.cols
        values = {name: cols[name][rows].tolist() for name in _ROW_COLUMNS}
        return [{name: v[i] for name, v in values.items()} for i in range(len(rows))]

    # -- one offer ---------------------------------------------------------------------------
    def _render(self, r: dict) -> dict:
        cat = self.cat
        key = r["id_key"]
        rng = random.Random(self.seed_mix ^ key)
        ft = r["origine"] == 1
        side = 0 if ft else 1
        oid = id_string(key)
        created = r["created"]
        metier, appellation = r["metier"], r["appellation"]
        app_libelle = cat.appellation_libelles[appellation]

        o: dict = {"id": oid}
        o["intitule"] = self._title(rng, app_libelle, ft)
        o["description"] = self._description(rng, app_libelle, metier, ft)
        o["dateCreation"] = iso_ms(created)
        o["dateActualisation"] = iso_ms(self._updated(rng, created, ft))
        o["lieuTravail"] = self._place(rng, r)
        o["romeCode"] = cat.metier_codes[metier]
        o["romeLibelle"] = cat.metier_libelles[metier]
        o["appellationlibelle"] = app_libelle
        o["entreprise"] = self._company(rng, side, r["flags"])
        type_code, type_libelle, _ = _TYPE[r["type"]]
        o["typeContrat"] = type_code
        o["typeContratLibelle"] = self._type_libelle(rng, type_code, type_libelle, r["duree_contrat"], ft)
        o["natureContrat"] = _NATURE[r["nature"]][1]
        o["experienceExige"] = _EXIGE[r["exp_exige"]]
        comment = _pick(rng, texts.FORMATION_DOMAINES) if rng.random() < _P["experienceCommentaire"][side] else None
        o["experienceLibelle"] = self._experience(rng, r["exp_bucket"], r["exp_exige"], comment)
        if comment:
            o["experienceCommentaire"] = comment
        if r["niveau"] >= 0:
            o["formations"] = [self._formation(rng, r["niveau"])]
        if r["langue"] >= 0:
            o["langues"] = [{"libelle": contracts.LANGUES[r["langue"]][1], "exigence": _pick(rng, "ES")}]
        if r["permis"] >= 0:
            o["permis"] = [{"libelle": contracts.PERMIS[r["permis"]][1], "exigence": _pick(rng, "ES")}]
        if rng.random() < _P["outilsBureautiques"][side]:
            o["outilsBureautiques"] = _sample(rng, texts.OUTILS_BUREAUTIQUES, _randint(rng, 1, 3))
        if r["comp_mask"]:
            o["competences"] = self._competences(rng, metier, r["comp_mask"])
        o["salaire"] = self._salary(rng, r["sal_period"], r["sal_amount"], ft)
        self._working_time(rng, o, r["temps"], r["hebdo"], side)
        if rng.random() < _P["complementExercice"][side]:
            o["complementExercice"] = _pick(rng, ("Temps plein", "Télétravail partiel possible", "Travail en équipe"))
        if rng.random() < _P["conditionExercice"][side]:
            o["conditionExercice"] = _pick(rng, texts.CONDITIONS_EXERCICE)
        o["alternance"] = bool(r["flags"] & gen.F_ALTERNANCE)
        if ft:
            o["contact"] = self._contact(rng, oid, o["entreprise"].get("nom"))
            o["agence"] = {"courriel": self._apply_text(oid)} if rng.random() < 0.1 else {}
        o["nombrePostes"] = 1 if rng.random() < 0.987 else _randint(rng, 2, 5)
        o["accessibleTH"] = bool(r["flags"] & gen.F_ACCESSIBLE_TH)
        if rng.random() < _P["deplacementCode"][side]:
            code, libelle = _pick(rng, contracts.DEPLACEMENTS)
            o["deplacementCode"] = code
            o["deplacementLibelle"] = libelle + ("" if code == "1" else _pick(rng, contracts.DEPLACEMENT_ZONES))
        if r["qualif"]:
            o["qualificationCode"], o["qualificationLibelle"] = contracts.QUALIFICATIONS[r["qualif"] - 1]
        if r["naf"] >= 0:
            code, libelle, _ = naf.NAFS[r["naf"]]
            o["codeNAF"], o["secteurActivite"], o["secteurActiviteLibelle"] = code, code[:2], libelle
        if rng.random() < _P["qualitesProfessionnelles"][side]:
            o["qualitesProfessionnelles"] = [{"libelle": lib, "description": d} for lib, d in
                                             _sample(rng, texts.QUALITES_PROFESSIONNELLES, 3)]
        if rng.random() < _P["trancheEffectifEtab"][side]:
            o["trancheEffectifEtab"] = _pick(rng, contracts.TRANCHES_EFFECTIF)
        o["origineOffre"] = self._origin(rng, oid, r["partner"], ft)
        if rng.random() < _P["offresManqueCandidats"][side]:
            o["offresManqueCandidats"] = bool(r["flags"] & gen.F_MANQUE)
        if rng.random() < _P["contexteTravail"][side]:
            o["contexteTravail"] = {"horaires": _sample(rng, texts.HORAIRES, 2),
                                    "conditionsExercice": _sample(rng, texts.CONDITIONS_EXERCICE, 1)}
        if rng.random() < _P["entrepriseAdaptee"][side]:
            o["entrepriseAdaptee"] = bool(r["flags"] & gen.F_EA)
        if rng.random() < _P["employeurHandiEngage"][side]:
            o["employeurHandiEngage"] = bool(r["flags"] & gen.F_HANDI)
        if r["malformed"]:
            self._break(o, r["malformed"])
        return o

    # -- parts -------------------------------------------------------------------------------
    @staticmethod
    def _title(rng: random.Random, appellation: str, ft: bool) -> str:
        if ft:
            return f"{appellation} (H/F)" if rng.random() < 0.8 else appellation
        style = rng.random()
        if style < 0.4:
            return f"{appellation.upper()} H/F"
        return f"{appellation} - H/F" if style < 0.7 else appellation

    def _description(self, rng: random.Random, appellation: str, metier: int, ft: bool) -> str:
        skills = self._skills[metier]
        lines = [_pick(rng, texts.DESCRIPTION_OPENINGS).format(m=appellation.split(" / ")[0].lower()), "",
                 _pick(rng, texts.DESCRIPTION_MISSIONS)]
        lines += [f"- {s}" for s in _sample(rng, skills, 3)]
        lines += ["", _pick(rng, texts.DESCRIPTION_PROFILES), _pick(rng, texts.DESCRIPTION_BENEFITS)]
        text = "\n".join(lines)
        return text if ft else "Description :\n\n" + text

    def _updated(self, rng: random.Random, created: int, ft: bool) -> int:
        anchor = self.m.anchor_ms
        if created >= anchor or rng.random() < 0.3:
            return created
        updated = created + int(rng.random() * min(anchor - created, 20 * gen.DAY_MS))
        return updated if ft else max(created, updated // 1000 * 1000)

    def _place(self, rng: random.Random, r: dict) -> dict:
        kind = r["loc_kind"]
        if kind == gen.LOC_COMMUNE:
            c = self.cat.communes
            i = r["commune"]
            dept = geo.DEPARTEMENTS[c.dept[i]]
            postcodes = c.postcodes[i]
            return {"libelle": f"{dept.code} - {c.names[i]}", "latitude": float(c.lat[i]),
                    "longitude": float(c.lon[i]),
                    "codePostal": postcodes[int(rng.random() * len(postcodes))], "commune": c.codes[i]}
        if kind == gen.LOC_DEPT:
            dept = geo.DEPARTEMENTS[r["dept"]]
            name = "Paris (Dept.)" if dept.code == "75" else _dept_place_name(dept.libelle)
            place = {"libelle": f"{dept.code} - {name}"}
            if rng.random() < presence.LIEU_DEPT_COORDINATES:
                place["latitude"], place["longitude"] = dept.lat, dept.lon
            return place
        if kind == gen.LOC_REGION:
            return {"libelle": geo.REGIONS[r["region"]].libelle}
        if kind == gen.LOC_FOREIGN:
            return {"libelle": geo.COUNTRIES[r["country"]][2]}
        return {"libelle": "France"}

    @staticmethod
    def _company(rng: random.Random, side: int, flags: int) -> dict:
        e: dict = {}
        if rng.random() < presence.ENTREPRISE_NOM[side]:
            e["nom"] = f"{_pick(rng, texts.COMPANY_HEADS)} {_pick(rng, texts.COMPANY_TAILS)}"
        if rng.random() < presence.ENTREPRISE_DESCRIPTION[side]:
            e["description"] = "Entreprise de " + _pick(rng, ("10", "50", "200", "1000")) + " salariés, " + \
                _pick(rng, ("acteur régional", "leader national", "groupe familial", "start-up innovante")) + "."
        if side == 0 and rng.random() < 0.07:
            e["logo"] = f"https://entreprise.francetravail.fr/static/img/logos/{rng.getrandbits(40):010x}.png"
        if side == 0 and rng.random() < 0.05:
            e["url"] = f"https://www.entreprise-{rng.getrandbits(24):06x}.fr"
        e["entrepriseAdaptee"] = bool(flags & gen.F_EA)
        return e

    @staticmethod
    def _type_libelle(rng: random.Random, code: str, libelle: str, months: float, ft: bool) -> str:
        short = contracts.SHORT_TYPE_LIBELLES.get(code)
        name = short if short and rng.random() < (0.2 if ft else 0.5) else libelle
        return f"{name} - {_months_text(months)}" if months > 0 else name

    @staticmethod
    def _experience(rng: random.Random, bucket: int, exige: int, comment: str | None) -> str:
        if bucket == 4:
            text = "Débutant accepté"
        else:
            if bucket == 0:
                amount = ""
            elif bucket == 1:
                amount = f"{_pick(rng, (1, 2, 3, 6))} Mois"
            elif bucket == 2:
                amount = f"{_randint(rng, 1, 3)} An(s)"
            else:
                amount = f"{_randint(rng, 4, 10)} An(s)"
            word = "exigée" if exige == 2 else "souhaitée"
            if not amount:
                text = f"Expérience {word}"
            else:
                text = f"Expérience {word} de {amount}" if rng.random() < 0.7 else amount
        return f"{text} - {comment}" if comment else text

    @staticmethod
    def _formation(rng: random.Random, niveau: int) -> dict:
        f: dict = {}
        if rng.random() < 0.9:
            f["codeFormation"] = str(_randint(rng, 10_000, 46_000))
            f["domaineLibelle"] = _pick(rng, texts.FORMATION_DOMAINES)
        f["niveauLibelle"] = contracts.NIVEAUX_FORMATIONS[niveau][1]
        if rng.random() < 0.3:
            f["commentaire"] = _pick(rng, ("ou équivalent", "Diplôme exigé", "Mention appréciée"))
        f["exigence"] = _pick(rng, "ES")
        return f

    def _competences(self, rng: random.Random, metier: int, mask: int) -> list[dict]:
        out = []
        for bit, (code, libelle) in enumerate(self.cat.metier_competences[metier]):
            if mask >> bit & 1:
                c = {"code": code, "libelle": libelle} if code else {"libelle": libelle}
                c["exigence"] = "E" if rng.random() < 0.4 else "S"
                out.append(c)
        return out

    @staticmethod
    def _salary(rng: random.Random, period: int, amount: float, ft: bool) -> dict:
        s: dict = {}
        if period == gen.SAL_NONE:
            if rng.random() < 0.07:
                s["commentaire"] = _pick(rng, ("Selon profil", "Selon expérience", "A négocier"))
            return s
        low = float(amount)
        name = {gen.SAL_M: "Mensuel", gen.SAL_A: "Annuel", gen.SAL_H: "Horaire", gen.SAL_C: "Cachet"}[period]
        high = round(low * _pick(rng, (1.0, 1.1, 1.2, 1.3)), 2)
        if not ft and rng.random() < 0.6:  # partner style: comma decimals, no "sur N mois"
            lo_s, hi_s = f"{low:.2f}".replace(".", ","), f"{high:.2f}".replace(".", ",")
            s["libelle"] = f"{name} de {lo_s} Euros à {hi_s} Euros" if high > low else f"{name} de {lo_s} Euros"
        else:
            tail = " sur 12 mois" if period != gen.SAL_C else ""
            s["libelle"] = (f"{name} de {low:.2f} Euros à {high:.2f} Euros{tail}" if high > low
                            else f"{name} de {low:.2f} Euros{tail}")
        if rng.random() < 0.3:
            s["commentaire"] = _pick(rng, ("Selon expérience", "Heures supplémentaires majorées", "Plus primes"))
        if ft and rng.random() < 0.6:
            complements = _sample(rng, contracts.SALAIRE_COMPLEMENTS, _randint(rng, 1, 3))
            s["complement1"] = complements[0][1]
            if len(complements) > 1:
                s["complement2"] = complements[1][1]
            if rng.random() < 0.3:
                s["listeComplements"] = [{"code": c, "libelle": lib} for c, lib in complements]
        return s

    @staticmethod
    def _working_time(rng: random.Random, o: dict, temps: int, minutes: int, side: int) -> None:
        if temps:
            hours, rest = divmod(minutes, 60)
            hh = f"{hours}H{rest:02d}" if rest else f"{hours}H"
            prefix = "Temps partiel - " if temps == 2 else ""
            o["dureeTravailLibelle"] = prefix + hh + _pick(rng, ("/semaine\n", "\n", " ")) + \
                _pick(rng, ("Travail en journée", "Travail en horaires décalés", "Travail en équipe"))
            o["dureeTravailLibelleConverti"] = "Temps plein" if temps == 1 else "Temps partiel"
        else:
            # Some partner offers state a working time the API does not convert.
            extra = _P["dureeTravailLibelle"][side] - _P["dureeTravailLibelleConverti"][side]
            if rng.random() < extra / max(1e-9, 1 - _P["dureeTravailLibelleConverti"][side]):
                o["dureeTravailLibelle"] = _pick(rng, ("Temps plein", "Horaires variables", "Non précisé"))

    @staticmethod
    def _apply_text(oid: str) -> str:
        return "Pour postuler, utiliser le lien suivant : " + URL_DETAIL.format(oid)

    def _contact(self, rng: random.Random, oid: str, company: str | None) -> dict:
        if rng.random() < 0.18:
            return {}
        c: dict = {}
        if company and rng.random() < 0.6:
            c["nom"] = f"{company} - M. {_pick(rng, texts.COMPANY_TAILS).title()}"
        c["coordonnees1"] = self._apply_text(oid) if rng.random() < 0.5 else f"{_randint(rng, 1, 120)} RUE DE LA PAIX"
        if rng.random() < 0.12:
            c["coordonnees2"] = "BP 12"
            c["coordonnees3"] = self._apply_text(oid)
        if rng.random() < 0.4:
            c["courriel"] = self._apply_text(oid)
        if rng.random() < 0.35:
            c["urlPostulation"] = f"https://recrutement.example.fr/offre/{oid}"
        return c

    @staticmethod
    def _origin(rng: random.Random, oid: str, partner: int, ft: bool) -> dict:
        origin = {"origine": "1" if ft else "2", "urlOrigine": URL_DETAIL.format(oid)}
        if not ft:
            name = texts.PARTNERS[partner][0]
            slug = name.lower().replace(" ", "").replace("_", "")
            origin["partenaires"] = [{"nom": name, "url": f"https://www.{slug}.fr/offre/{rng.getrandbits(32)}",
                                      "logo": texts.PARTNER_LOGO.format(slug)}]
        return origin

    @staticmethod
    def _break(o: dict, kind: int) -> None:
        """Malformed offers for validation tests: a wrong type, or no id."""
        if kind == 1:
            o["nombrePostes"] = str(o["nombrePostes"])
        elif kind == 2 and "latitude" in o["lieuTravail"]:
            o["lieuTravail"]["latitude"] = str(o["lieuTravail"]["latitude"])
        elif kind == 2:
            o["alternance"] = "false" if not o["alternance"] else "true"
        else:
            del o["id"]
