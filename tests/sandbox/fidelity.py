"""Field-by-field frequencies of offers, by origine and year of creation, and the forms of their
salary libellés: measured the same way on the real samples (France Travail data, read from
../shared at test time, never copied) and on a sandbox market.

`python -m tests.sandbox.fidelity` prints both side by side as the Markdown tables of
docs/sandbox-fidelity.md (`--write` rewrites them there); tests/sandbox/test_fidelity.py checks
that the document, the samples and the sandbox agree.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ORIGINES = ("1", "2")
YEARS = (2024, 2025)  # offers of 2023 (3 partner ones) count with 2024, later ones with 2025
GROUPS = tuple((o, y) for o in ORIGINES for y in YEARS)
DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox-fidelity.md"
REFERENCE_ANCHOR = "2025-01-15T12:00:00Z"  # the reference market spans late 2024 and early 2025, like the samples
REFERENCE_OFFERS = 20_000

# Keys that may be absent (top level), then sub-keys ("a.b": key b of object a; "a[].b": some item of list a has b).
FIELDS = (
    "experienceCommentaire", "formations", "langues", "permis", "outilsBureautiques", "competences",
    "dureeTravailLibelle", "dureeTravailLibelleConverti", "complementExercice", "conditionExercice",
    "contact", "agence", "deplacementCode", "deplacementLibelle", "qualificationCode", "qualificationLibelle",
    "codeNAF", "secteurActivite", "secteurActiviteLibelle", "qualitesProfessionnelles", "trancheEffectifEtab",
    "offresManqueCandidats", "contexteTravail", "entrepriseAdaptee", "employeurHandiEngage",
    "entreprise.nom", "entreprise.description", "entreprise.logo", "entreprise.url",
    "salaire.libelle", "salaire.commentaire", "salaire.complement1", "salaire.complement2",
    "salaire.listeComplements", "lieuTravail.commune", "lieuTravail.codePostal", "lieuTravail.latitude",
    "contact.nom", "contact.coordonnees1", "contact.coordonnees2", "contact.coordonnees3", "contact.courriel",
    "contact.urlPostulation", "agence.courriel", "formations[].codeFormation", "formations[].commentaire",
    "competences[].code", "origineOffre.partenaires",
)
# The other keys that may be absent, each always present exactly when a key of the table is (on every
# real sample offer and every offer of the reference market: tests/sandbox/test_fidelity.py checks it).
COMPANIONS = {
    "lieuTravail.longitude": "lieuTravail.latitude",
    "formations[].domaineLibelle": "formations[].codeFormation",
    **{f"{key}[].{sub}": key for key, subs in (
        ("formations", ("niveauLibelle", "exigence")), ("langues", ("libelle", "exigence")),
        ("permis", ("libelle", "exigence")), ("competences", ("libelle", "exigence")),
        ("qualitesProfessionnelles", ("libelle", "description"))) for sub in subs},
}


def tolerance(p: float, n: int) -> float:
    """How far the reference market's share may be from the samples' share p, over n market offers:
    0.01 (the tables' rounding and the renderer's approximations) plus four standard errors of the
    market's own draw."""
    return 0.01 + 4 * (p * (1 - p) / n) ** 0.5

SALARY_FORMS = (
    ("dot, sur N.0 mois", "Annuel de 38000.0 Euros à 45000.0 Euros sur 12.0 mois"),
    ("dot, sur N mois", "Mensuel de 1824.00 Euros sur 12 mois"),
    ("dot, no months", "Horaire de 11.88 Euros"),
    ("comma", "Annuel de 35000,00 Euros à 45000,00 Euros"),
    ("period only", "Annuel de"),
    ("Autre", "Autre de 30000,00 Euros à 40000,00 Euros"),
    ("no period", "De 25000,00 Euros à 25000,00 Euros"),
)
_AMOUNT = r"\d+(?:[.,]\d+)?"
_FORM_PATTERNS = (
    ("dot, sur N.0 mois", re.compile(rf"^(Annuel|Mensuel|Horaire|Cachet) de {_AMOUNT} Euros( à {_AMOUNT} Euros)? "
                                     r"sur \d+\.\d+ mois$")),
    ("dot, sur N mois", re.compile(rf"^(Annuel|Mensuel|Horaire|Cachet) de {_AMOUNT} Euros( à {_AMOUNT} Euros)? "
                                   r"sur \d+ mois$")),
    ("dot, no months", re.compile(r"^(Annuel|Mensuel|Horaire|Cachet) de \d+(\.\d+)? Euros( à \d+(\.\d+)? Euros)?$")),
    ("comma", re.compile(r"^(Annuel|Mensuel|Horaire|Cachet) de \d+,\d\d Euros( à \d+,\d\d Euros)?$")),
    ("period only", re.compile(r"^(Annuel|Mensuel|Horaire|Cachet) de$")),
    ("Autre", re.compile(r"^Autre de \d+,\d\d Euros( à \d+,\d\d Euros)?$")),
    ("no period", re.compile(r"^De \d+,\d\d Euros à \d+,\d\d Euros$")),
)


def group_of(offer: dict) -> tuple[str, int]:
    year = int(offer["dateCreation"][:4])
    return offer["origineOffre"]["origine"], min(max(year, YEARS[0]), YEARS[-1])


def has(offer: dict, path: str) -> bool:
    head, sep, rest = path.partition(".")
    if not sep:
        return head in offer
    if head.endswith("[]"):
        return any(rest in item for item in offer.get(head[:-2], ()))
    return rest in offer.get(head, {})


def key_paths(offer: dict) -> set[str]:
    """The keys of an offer as FIELDS names them: top level, of its objects, of its lists' objects."""
    paths = set()
    for key, value in offer.items():
        paths.add(key)
        if isinstance(value, dict):
            paths.update(f"{key}.{sub}" for sub in value)
        elif isinstance(value, list):
            paths.update(f"{key}[].{sub}" for item in value if isinstance(item, dict) for sub in item)
    return paths


def optional_paths(offers: list[dict]) -> set[str]:
    """The key paths that some of the offers have and others lack."""
    seen = [key_paths(o) for o in offers]
    return set().union(*seen) - set.intersection(*seen)


def presence(offers: Iterable[dict]) -> tuple[dict[str, dict[tuple[str, int], float]], Counter]:
    """({field: {group: share of the group's offers that have it}}, offers per group)."""
    counts: Counter = Counter()
    hits: dict[str, Counter] = {f: Counter() for f in FIELDS}
    for offer in offers:
        group = group_of(offer)
        counts[group] += 1
        for f in FIELDS:
            hits[f][group] += has(offer, f)
    return {f: {g: hits[f][g] / counts[g] for g in GROUPS if counts[g]} for f in FIELDS}, counts


def salary_form(libelle: str) -> str:
    for name, pattern in _FORM_PATTERNS:
        if pattern.match(libelle):
            return name
    return "other"


def salary_forms(offers: Iterable[dict]) -> dict[str, dict[str, float]]:
    """{origine: {form: share of that origine's salary libellés}}, plus the share of ranges ("à")
    among libellés that state amounts, and of "sur N mois" with N other than 12."""
    forms: dict[str, Counter] = {o: Counter() for o in ORIGINES}
    for offer in offers:
        libelle = offer["salaire"].get("libelle")
        if libelle is None:
            continue
        c = forms[offer["origineOffre"]["origine"]]
        c["libellés"] += 1
        c[salary_form(libelle)] += 1
        if "Euros" in libelle:
            c["with amounts"] += 1
            c["range"] += " à " in libelle
        months = re.search(r"sur (\d+(?:\.\d+)?) mois$", libelle)
        if months:
            c["with months"] += 1
            c["months not 12"] += float(months.group(1)) != 12.0
    out = {}
    for origine, c in forms.items():
        shares = {name: c[name] / c["libellés"] for name, _ in (*SALARY_FORMS, ("other", ""))} if c["libellés"] else {}
        shares["range"] = c["range"] / c["with amounts"] if c["with amounts"] else 0.0
        shares["months not 12"] = c["months not 12"] / c["with months"] if c["with months"] else 0.0
        out[origine] = shares
    return out


def sample_offers(samples: Path) -> list[dict]:
    from tests.analysts.real_offers import latest_offers

    return latest_offers(samples)


def reference_offers(**options) -> list[dict]:
    """Every offer of the reference market (its era: the samples'; no newer top-level fields)."""
    from offres_crawler.sandbox.market import Market, MarketConfig
    from tests.sandbox.market_helpers import epoch_ms

    config = {"offers": REFERENCE_OFFERS, "seed": 0, "anchor_ms": epoch_ms(REFERENCE_ANCHOR), "new_fields_share": 0.0,
              **options}
    m = Market(MarketConfig(**config))
    return m.offers(list(range(m.n)))


# -- the document's tables ------------------------------------------------------------------------

def _cell(real: float | None, sandbox: float | None) -> str:
    fmt = "–" if real is None else f"{real:.3f}"
    return f"{fmt} / {'–' if sandbox is None else f'{sandbox:.3f}'}"


def presence_table(real: dict, real_n: Counter, sandbox: dict, sandbox_n: Counter) -> list[str]:
    head = " | ".join(f"{'FT' if o == '1' else 'partner'} {'≤' if y == YEARS[0] else '≥'}{y}" for o, y in GROUPS)
    lines = [f"| field | {head} |", "|---|" + "---|" * len(GROUPS),
             "| offers (samples / sandbox) | " + " | ".join(f"{real_n[g]} / {sandbox_n[g]}" for g in GROUPS) + " |"]
    for f in FIELDS:
        lines.append(f"| `{f}` | " + " | ".join(_cell(real[f].get(g), sandbox[f].get(g)) for g in GROUPS) + " |")
    return lines


def salary_table(real: dict, sandbox: dict) -> list[str]:
    lines = ["| form (example) | FT | partner |", "|---|---|---|"]
    rows = [(f"{name} (`{example}`)" if example else name, name) for name, example in (*SALARY_FORMS, ("other", ""))]
    for label, name in (*rows, ("range", "range"), ("months not 12", "months not 12")):
        cells = (_cell(real[o].get(name), sandbox[o].get(name)) for o in ORIGINES)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def tables(samples: Path) -> dict[str, list[str]]:
    real_offers, market_offers = sample_offers(samples), reference_offers()
    real, real_n = presence(real_offers)
    sandbox, sandbox_n = presence(market_offers)
    return {"presence": presence_table(real, real_n, sandbox, sandbox_n),
            "salary": salary_table(salary_forms(real_offers), salary_forms(market_offers))}


def rewrite(doc: str, name: str, lines: list[str]) -> str:
    """The document with the table between `<!-- table:NAME -->` and `<!-- /table -->` replaced."""
    pattern = re.compile(rf"(<!-- table:{name} -->\n).*?(<!-- /table -->)", re.S)
    if not pattern.search(doc):
        raise ValueError(f"no <!-- table:{name} --> block in the document")
    return pattern.sub(lambda m: m.group(1) + "\n".join(lines) + "\n" + m.group(2), doc)


def main() -> None:
    from tests.sandboxproc import SAMPLES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite the tables in {DOC}")
    args = parser.parse_args()
    found = tables(SAMPLES)
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        for name, lines in found.items():
            doc = rewrite(doc, name, lines)
        DOC.write_text(doc, encoding="utf-8")
    else:
        for lines in found.values():
            print("\n".join(lines), end="\n\n")


if __name__ == "__main__":
    main()
