"""Row -> Offre JSON dict, rendered lazily and deterministically.

Everything a filter can see comes from the market's columns; the rest (texts, contact, optional
keys that no filter reads) comes from a per-offer random generator seeded by the market seed and
the offer id, so an offer renders identically every time. Absent keys are omitted, never null.
Optional keys are present at the shares of facts/presence.py for the offer's origine and year of
creation; an offer in the newer shape (MarketConfig.new_fields_share) also carries the top-level
keys that appeared in 2025.
"""

from __future__ import annotations

import _random
import bisect
import functools
import random
import time
from typing import TYPE_CHECKING

from offres_crawler.sandbox import generation as gen
from offres_crawler.sandbox import offer_parts as parts
from offres_crawler.sandbox import salary_render
from offres_crawler.sandbox.facts import contracts, naf, presence, texts
from offres_crawler.sandbox.facts import geography as geo
from offres_crawler.sandbox.market_ids import id_string
from offres_crawler.sandbox.offer_parts import pick as _pick
from offres_crawler.sandbox.offer_parts import randint as _randint
from offres_crawler.sandbox.offer_parts import sample as _sample

if TYPE_CHECKING:
    from offres_crawler.sandbox.market_view import MarketView

_SHARES = presence.SHARES
_YEAR_STARTS = presence.YEAR_STARTS_MS
# The columns an offer is rendered from, in the order _render unpacks them.
_ROW_COLUMNS = ("id_key", "created", "origine", "partner", "type", "nature", "duree_contrat",
                "exp_bucket", "exp_exige", "qualif", "loc_kind", "commune", "dept", "region",
                "country", "appellation", "metier", "naf", "niveau", "permis", "langue", "temps",
                "hebdo", "sal_period", "sal_amount", "flags", "comp_mask", "malformed")
_EXIGE = ("D", "S", "E")
_TYPE = contracts.TYPES_CONTRATS
_NATURE = contracts.NATURES_CONTRATS
_seed = _random.Random.seed
# The openings around the job's name: "{m}" split out once.
_OPENINGS = tuple(tuple(opening.split("{m}")) for opening in texts.DESCRIPTION_OPENINGS)
assert all(len(parts) == 2 for parts in _OPENINGS)
# Parts of timestamps as strings, looked up rather than formatted per offer.
_HH_MM = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
_SECONDS = tuple(f"{i:02d}." for i in range(60))
_MILLIS = tuple(f"{i:03d}Z" for i in range(1000))


@functools.lru_cache(maxsize=4096)
def _day(day: int) -> str:
    t = time.gmtime(day * 86_400)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"


def iso_ms(ms: int) -> str:
    """Epoch ms -> '2024-11-28T11:57:05.591Z' (the API's format)."""
    s, milli = divmod(ms, 1000)
    day, s = divmod(s, 86_400)
    minute, sec = divmod(s, 60)
    return _day(day) + _HH_MM[minute] + _SECONDS[sec] + _MILLIS[milli]


def _dept_place_name(libelle: str) -> str:
    # lieuTravail spells département names without hyphens ("92 - Hauts de Seine").
    return libelle.replace("-", " ")


class OfferRenderer:
    def __init__(self, market: MarketView) -> None:
        self.m = market
        self.cat = market.catalog
        self.seed_mix = (market.config.seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF
        self.new_fields_share = market.config.new_fields_share

        self._prefetched: dict[int, tuple] = {}
        # "- skill" lines of each métier's description, and each appellation as the opening
        # sentence names it: built once, not per offer.
        self._skill_lines = [[f"- {lib}" for _, lib in comps] for comps in self.cat.metier_competences]
        self._job_names = [a.split(" / ")[0].lower() for a in self.cat.appellation_libelles]
        # One generator, re-seeded per offer: the C seed is what random.Random(x) runs for an int x,
        # without building a generator each time.
        self._rng = random.Random()
        self._communes: dict[int, tuple] = {}  # commune index -> what lieuTravail shows of it, built on first use

    def prefetch(self, rows: list[int]) -> None:
        """Gather the columns of a page's rows at once (the search does it for its page), so that
        rendering them one by one afterwards skips per-row numpy indexing."""
        self._prefetched = dict(zip(rows, self._gather(rows)))

    def render(self, row: int) -> dict:
        values = self._prefetched.get(row)
        if values is None:
            values = self._gather([row])[0]
        return self._render(values)

    def render_many(self, rows: list[int]) -> list[dict]:
        return [self._render(values) for values in self._gather(rows)]

    def _gather(self, rows: list[int]) -> list[tuple]:
        """One tuple of values (in _ROW_COLUMNS order) per row."""
        cols = self.m.cols
        return list(zip(*[cols[name][rows].tolist() for name in _ROW_COLUMNS]))

    # -- one offer ---------------------------------------------------------------------------
    def _render(self, r: tuple) -> dict:
        (key, created, origine, partner, typ, nature, duree_contrat, exp_bucket, exp_exige, qualif,
         loc_kind, commune, dept, region, country, appellation, metier, naf_i, niveau, permis, langue,
         temps, hebdo, sal_period, sal_amount, flags, comp_mask, malformed) = r
        cat = self.cat
        rng = self._rng
        _seed(rng, self.seed_mix ^ key)
        ft = origine == 1
        side = 0 if ft else 1
        oid = id_string(key)
        year = bisect.bisect_right(_YEAR_STARTS, created)  # which shares of presence.SHARES
        p = _SHARES[year][side]
        newer = rng.random() < self.new_fields_share
        app_libelle = cat.appellation_libelles[appellation]

        type_code, type_libelle, _ = _TYPE[typ]
        # One display for the keys every offer has (values are evaluated, and drawn, in this order).
        o: dict = {
            "id": oid,
            "intitule": self._title(rng, app_libelle, ft),
            "description": self._description(rng, appellation, metier, ft),
            "dateCreation": iso_ms(created),
            "dateActualisation": iso_ms(self._updated(rng, created, ft)),
            "lieuTravail": self._place(rng, loc_kind, commune, dept, region, country, ft),
            "romeCode": cat.metier_codes[metier],
            "romeLibelle": cat.metier_libelles[metier],
            "appellationlibelle": app_libelle,
            "entreprise": parts.company(rng, p, flags),
            "typeContrat": type_code,
            "typeContratLibelle": parts.type_libelle(rng, type_code, type_libelle, duree_contrat, ft),
            "natureContrat": _NATURE[nature][1],
            "experienceExige": _EXIGE[exp_exige],
        }
        comment = _pick(rng, texts.FORMATION_DOMAINES) if rng.random() < p["experienceCommentaire"] \
            else None
        o["experienceLibelle"] = parts.experience(rng, exp_bucket, exp_exige, comment)
        if comment:
            o["experienceCommentaire"] = comment
        if niveau >= 0:
            o["formations"] = [parts.formation(rng, niveau, p)]
        if langue >= 0:
            o["langues"] = [{"libelle": contracts.LANGUES[langue][1], "exigence": _pick(rng, "ES")}]
        if permis >= 0:
            o["permis"] = [{"libelle": contracts.PERMIS[permis][1], "exigence": _pick(rng, "ES")}]
        if rng.random() < p["outilsBureautiques"]:
            o["outilsBureautiques"] = _sample(rng, texts.OUTILS_BUREAUTIQUES, _randint(rng, 1, 3))
        if comp_mask:
            o["competences"] = self._competences(rng, metier, comp_mask)
        o["salaire"] = salary_render.salaire(rng, sal_period, sal_amount, side, p, newer)
        parts.working_time(rng, o, temps, hebdo, p)
        if rng.random() < p["complementExercice"]:
            o["complementExercice"] = _pick(rng, ("Temps plein", "Télétravail partiel possible", "Travail en équipe"))
        if rng.random() < p["conditionExercice"]:
            o["conditionExercice"] = _pick(rng, texts.CONDITIONS_EXERCICE)
        o["alternance"] = bool(flags & gen.F_ALTERNANCE)
        if ft:
            o["contact"] = parts.contact(rng, oid, o["entreprise"].get("nom"), p)
            o["agence"] = {"courriel": parts.apply_text(oid)} if rng.random() < p["agence.courriel"] \
                else {}
        o["nombrePostes"] = 1 if rng.random() < 0.987 else _randint(rng, 2, 5)
        o["accessibleTH"] = bool(flags & gen.F_ACCESSIBLE_TH)
        if rng.random() < p["deplacementCode"]:
            code, libelle = _pick(rng, contracts.DEPLACEMENTS)
            o["deplacementCode"] = code
            o["deplacementLibelle"] = libelle + ("" if code == "1" else _pick(rng, contracts.DEPLACEMENT_ZONES))
        if qualif:
            o["qualificationCode"], o["qualificationLibelle"] = contracts.QUALIFICATIONS[qualif - 1]
        if naf_i >= 0:
            code, libelle, _ = naf.NAFS[naf_i]
            o["codeNAF"], o["secteurActivite"], o["secteurActiviteLibelle"] = code, code[:2], libelle
        if rng.random() < p["qualitesProfessionnelles"]:
            o["qualitesProfessionnelles"] = [{"libelle": lib, "description": d} for lib, d in
                                             _sample(rng, texts.QUALITES_PROFESSIONNELLES, 3)]
        if newer and ft and rng.random() < presence.NEW_TRANCHE_EFFECTIF:
            o["trancheEffectifEtab"] = _pick(rng, contracts.TRANCHES_EFFECTIF)
        o["origineOffre"] = parts.origin(rng, oid, partner, ft)
        if rng.random() < p["offresManqueCandidats"]:
            o["offresManqueCandidats"] = bool(flags & gen.F_MANQUE)
        if newer:
            if ft:
                o["contexteTravail"] = parts.context(rng, o.get("dureeTravailLibelle"))
            o["entrepriseAdaptee"] = bool(flags & gen.F_EA)
            o["employeurHandiEngage"] = bool(flags & gen.F_HANDI)
        if malformed:
            parts.break_offer(o, malformed)
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

    def _description(self, rng: random.Random, appellation: int, metier: int, ft: bool) -> str:
        head, tail = _pick(rng, _OPENINGS)
        lines = [head + self._job_names[appellation] + tail, "", _pick(rng, texts.DESCRIPTION_MISSIONS),
                 *_sample(rng, self._skill_lines[metier], 3),
                 "", _pick(rng, texts.DESCRIPTION_PROFILES), _pick(rng, texts.DESCRIPTION_BENEFITS)]
        text = "\n".join(lines)
        return text if ft else "Description :\n\n" + text

    def _updated(self, rng: random.Random, created: int, ft: bool) -> int:
        anchor = self.m.anchor_ms
        if created >= anchor or rng.random() < 0.3:
            return created
        updated = created + int(rng.random() * min(anchor - created, 20 * gen.DAY_MS))
        return updated if ft else max(created, updated // 1000 * 1000)

    def _place(self, rng: random.Random, kind: int, i: int, dept_i: int, region: int, country: int,
               ft: bool) -> dict:
        if kind == gen.LOC_COMMUNE:
            known = self._communes.get(i)
            if known is None:
                c = self.cat.communes
                known = self._communes[i] = (f"{geo.DEPARTEMENTS[c.dept[i]].code} - {c.names[i]}", float(c.lat[i]),
                                             float(c.lon[i]), c.postcodes[i], c.codes[i])
            libelle, lat, lon, postcodes, code = known
            return {"libelle": libelle, "latitude": lat, "longitude": lon,
                    "codePostal": postcodes[int(rng.random() * len(postcodes))], "commune": code}
        if kind == gen.LOC_DEPT:
            dept = geo.DEPARTEMENTS[dept_i]
            name = "Paris (Dept.)" if dept.code == "75" else _dept_place_name(dept.libelle)
            place: dict = {"libelle": f"{dept.code} - {name}"}
            if rng.random() < presence.LIEU_DEPT_COORDINATES[0 if ft else 1]:
                place["latitude"], place["longitude"] = dept.lat, dept.lon
            return place
        if kind == gen.LOC_REGION:
            return {"libelle": geo.REGIONS[region].libelle}
        if kind == gen.LOC_FOREIGN:
            return {"libelle": geo.COUNTRIES[country][2]}
        return {"libelle": "France"}

    def _competences(self, rng: random.Random, metier: int, mask: int) -> list[dict]:
        out = []
        for bit, (code, libelle) in enumerate(self.cat.metier_competences[metier]):
            if mask >> bit & 1:
                c = {"code": code, "libelle": libelle} if code else {"libelle": libelle}
                c["exigence"] = "E" if rng.random() < 0.4 else "S"
                out.append(c)
        return out

