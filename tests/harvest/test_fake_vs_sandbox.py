"""The in-memory API of the planner's property tests (fakeapi.py) against the sandbox, so that what
the properties prove of the planner on the fake holds on the sandbox too (docs/offres_search.md,
"What the verdict proves").

The fake is built from what the sandbox answers (never from its internals): every offer's id,
creation instant, ROME code and order from the whole market read with sort=1, its origine and
facet values from the searches that fix them. Then the same queries go to both, in process (no
server, no Scrapy: about a second of CPU), and every answer must agree: status, Content-Range
(first row and total), the ids and their order (stable ties), the filtresPossibles counts the
planner splits on, and the refusals (the range rules, unknown codes) with the cap they teach.
"""

from __future__ import annotations

import functools
import json
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import make_mocked_request

from offres_crawler.harvest.content_range import format_range
from offres_crawler.harvest.dates import epoch_to_param
from offres_crawler.harvest.search_page import SearchPage, read_search_page
from offres_crawler.sandbox.market import Market, MarketConfig
from offres_crawler.sandbox.server import Sandbox, SandboxOptions
from tests.harvest.fakeapi import DUREES, EXIGENCES, FakeApi, Offer
from tests.sandbox.market_helpers import ANCHOR_MS

FACETS = ("typeContrat", "natureContrat", "experience", "qualification")  # counted by the API
COUNTED_BY_FAKE = ("typeContrat", "experience", "qualification", "natureContrat")


class Pair:
    def __init__(self, market: Market, range_mode: str, offers: list[Offer] | None = None) -> None:
        self.sb = Sandbox(market, SandboxOptions(range_mode=range_mode), ANCHOR_MS)
        self.cap = 3000 if range_mode == "current" else 1000
        self.fake = FakeApi(offers or self._offers(), max_start=self.cap, romes=tuple(self._codes()),
                            past_end="204")

    def sandbox(self, params: dict[str, str]) -> tuple[SearchPage, object]:
        request = make_mocked_request("GET", "/v2/offres/search?" + urlencode(params, safe=",:"))
        resp = self.sb.search(request, ANCHOR_MS)
        body = json.loads(resp.body) if resp.body else None
        asked = tuple(int(x) for x in params.get("range", "0-149").split("-"))
        page = read_search_page(resp.status, resp.headers.get("Content-Range"), None, body, asked=asked)
        return page, body

    def _all(self, params: dict[str, str]) -> list[dict]:
        out, start = [], 0
        while True:
            _, body = self.sandbox({**params, "sort": "1", "range": format_range(start, start + 149)})
            rows = body["resultats"] if isinstance(body, dict) else []
            out += rows
            if len(rows) < 150:
                return out
            start += 150

    def _ids(self, params: dict[str, str]) -> set[str]:
        return {o["id"] for o in self._all(params)}

    def _codes(self) -> list[str]:
        return [e["code"] for e in self.sb.market.referentiels["metiers"]]

    def _offers(self) -> list[Offer]:
        every = self._all({})
        root, _ = self.sandbox({"sort": "1"})
        values = {f: [a["valeurPossible"] for a in _facet(root.filtres, f)] for f in FACETS}
        values.update(experienceExigence=list(EXIGENCES), dureeHebdo=list(DUREES), origineOffre=["1", "2"])
        of: dict[str, dict[str, str]] = {o["id"]: {} for o in every}
        for name, vals in values.items():
            for v in vals:
                if name == "qualification" and v == "X":
                    continue  # cannot be asked for: what 0 and 9 leave
                for oid in self._ids({name: v}):
                    of[oid][name] = v
        return [Offer(o["id"], _ms(o["dateCreation"]), of[o["id"]]["origineOffre"],
                      of[o["id"]].get("typeContrat", ""), of[o["id"]].get("natureContrat", ""),
                      of[o["id"]]["experience"], of[o["id"]].get("qualification", "X"),
                      of[o["id"]]["experienceExigence"], of[o["id"]]["dureeHebdo"], o["romeCode"],
                      rank=-i)  # stable ties: the sandbox's own order
                for i, o in enumerate(every)]


def _facet(filtres, name):
    return next((f["agregation"] for f in filtres or [] if f["filtre"] == name), [])


def _ms(iso: str) -> int:
    from offres_crawler.harvest.dates import parse_api_timestamp
    return round(parse_api_timestamp(iso).timestamp() * 1000)


@functools.lru_cache(maxsize=1)
def pairs() -> dict[str, Pair]:
    """One market, read once into a fake, for both caps."""
    m = Market(MarketConfig(offers=1000, seed=21, anchor_ms=ANCHOR_MS, days=2.0, bursts=((1, 180),)))
    current = Pair(m, "current")
    return {"current": current, "legacy": Pair(m, "legacy", current.fake.offers)}


def _queries(p: Pair) -> list[dict[str, str]]:
    burst = max(p.fake.offers, key=lambda o: sum(x.ms == o.ms for x in p.fake.offers[:400])).ms // 1000
    codes = sorted({o.romeCode for o in p.fake.offers})
    ft = [o for o in p.fake.offers if o.origine == "1"][5].ms // 1000
    day = {"minCreationDate": epoch_to_param(burst - 3600), "maxCreationDate": epoch_to_param(burst + 3600)}
    return [
        {}, {"range": "150-299"}, {"range": "900-1049"}, {"range": "1200-1349"},
        {"origineOffre": "2", "range": "150-299"}, {"typeContrat": "CDI,CDD"},
        {"typeContrat": "MIS", "natureContrat": "E1"},  # ORed by the API
        {"experience": "2", "qualification": "9"}, {"experienceExigence": "E", "dureeHebdo": "1"},
        {"codeROME": ",".join(codes[::3])}, {"codeROME": codes[1], "origineOffre": "1"},
        {"minCreationDate": epoch_to_param(burst), "maxCreationDate": epoch_to_param(burst)},
        {"minCreationDate": epoch_to_param(ft), "maxCreationDate": epoch_to_param(ft + 1)},
        {**day, "range": "0-149"}, {**day, "range": "150-299"}, {**day, "typeContrat": "CDI"},
        {"range": "0-150"},  # more than 150 rows asked for
        {"range": f"{p.cap + 1}-{p.cap + 150}"},  # beyond the cap: the 400 that teaches it
        {"codeROME": "Z9999"},  # not in the list
        {"minCreationDate": epoch_to_param(burst)},  # without its pair
    ]


@pytest.mark.parametrize("range_mode", ["current", "legacy"])
def test_the_fake_answers_as_the_sandbox_does(range_mode):
    p = pairs()[range_mode]
    assert p.fake.referentiel("metiers") == [{"code": c, "libelle": f"métier {c}"} for c in p._codes()]
    for q in _queries(p):
        params = {"sort": "1", "range": "0-149", **q}
        real, _ = p.sandbox(params)
        fake = p.fake.search(params)
        where = f"{range_mode} {q}"
        assert (real.status, real.total, real.first) == (fake.status, fake.total, fake.first), where
        assert [k for k, _ in real.rows] == [k for k, _ in fake.rows], where  # same offers, same order
        assert real.instants == fake.instants and real.romes == fake.romes, where
        assert (real.error is None) == (fake.error is None) and real.learned_cap == fake.learned_cap, where
        for name in COUNTED_BY_FAKE:
            counts = {a["valeurPossible"]: a["nbResultats"] for a in _facet(real.filtres, name) if a["nbResultats"]}
            mine = {a["valeurPossible"]: a["nbResultats"] for a in _facet(fake.filtres, name)}
            assert counts == {v: n for v, n in mine.items() if v}, (where, name)
