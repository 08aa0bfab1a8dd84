"""An in-memory imitation of the search endpoint, small and fast, for driving the planner.

It keeps only what planning depends on: creation instants (ms), origine, the four facets, a live
index (offers appear and are withdrawn as its clock advances), the range cap with the API's 400
message, Content-Range / 204 / past-the-end answers, filtresPossibles, the Date header. Bound
inclusivity and the origine quirk are switches, so the planner can be shown correct either way.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from email.utils import formatdate

from offres_crawler.api.dates import epoch_to_param, param_to_epoch
from offres_crawler.api.planner import HarvestPlanner
from offres_crawler.api.search_page import SearchPage, read_search_page

TYPES = ("CDI", "CDD", "MIS", "SAI", "LIB", "FRA")
NATURES = ("E1", "E2", "FS", "NS")
EXPERIENCES = ("0", "1", "2", "3", "4")
QUALIFICATIONS = ("0", "9", "X")
EXIGENCES = ("D", "S", "E")
DUREES = ("0", "1", "2")
BASE = 1_760_000_000  # the market's "now" at start (epoch s)


@dataclass
class Offer:
    id: str
    ms: int
    origine: str
    typeContrat: str
    natureContrat: str
    experience: str
    qualification: str
    experienceExigence: str = "D"
    dureeHebdo: str = "0"
    born: float = -math.inf  # server time it appears
    died: float = math.inf  # server time it is withdrawn


@dataclass
class FakeApi:
    offers: list[Offer]
    max_start: int = 3000
    min_inclusive: bool = True
    max_inclusive: bool = True
    origine_quirk: bool = False  # unfiltered searches serve only origine 1 (REFERENCE Part 1 §3)
    past_end: str = "minus1"  # "minus1": 206 "offres -1--1/N"; "204": 204 "*/0"
    send_date: bool = True
    now: float = BASE + 0.5
    step: float = 0.34  # server seconds per request (3 req/s)
    new_per_s: float = 0.0
    withdrawn_per_s: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    requests: list[dict] = field(default_factory=list)
    _serial: int = 0

    # -- the live index --------------------------------------------------------------------------
    def alive(self, at: float | None = None) -> set[str]:
        t = self.now if at is None else at
        return {o.id for o in self.offers if o.born <= t < o.died}

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        for _ in range(self._poisson(self.new_per_s * seconds)):
            t = self.rng.uniform(self.now, end)
            self.offers.append(make_offer(self.rng, f"N{self._next_serial()}", int(t * 1000), born=t))
        for _ in range(self._poisson(self.withdrawn_per_s * seconds)):
            live = [o for o in self.offers if o.born <= self.now < o.died]
            if live:
                self.rng.choice(live).died = self.rng.uniform(self.now, end)
        self.now = end

    def _poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        n, p, limit = 0, 1.0, math.exp(-lam)
        while True:
            p *= self.rng.random()
            if p <= limit:
                return n
            n += 1

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    # -- the endpoint ----------------------------------------------------------------------------
    def search(self, params: dict[str, str]) -> SearchPage:
        self.advance(self.step)
        self.requests.append(dict(params))
        date = formatdate(self.now, usegmt=True) if self.send_date else None
        start, end = (int(x) for x in params.get("range", "0-149").split("-"))
        if end - start + 1 > 150:
            return read_search_page(400, None, date,
                                    {"message": "La plage de résultats demandée est trop importante."})
        if start > self.max_start:
            return read_search_page(400, None, date, {
                "codeErreur": "1", "codeHttp": 400,
                "message": f"La position de début doit être inférieure ou égale à {self.max_start}."})
        if ("minCreationDate" in params) != ("maxCreationDate" in params):
            return read_search_page(400, None, date, {"message": "dates must come together"})
        rows = sorted(self._match(params), key=lambda o: (o.ms, o.id), reverse=True)
        total = len(rows)
        if total == 0:
            return read_search_page(204, "*/0", date, None)
        window = rows[start:end + 1]
        if not window:
            if self.past_end == "204":
                return read_search_page(204, "*/0", date, None)
            return read_search_page(206, f"offres -1--1/{total}", date,
                                    {"resultats": [], "filtresPossibles": []})
        if self.origine_quirk and "origineOffre" not in params:
            # counts and Content-Range describe everything, the rows are France Travail's only
            served = [o for o in rows if o.origine == "1"][start:end + 1]
        else:
            served = window
        body = {"resultats": [{"id": o.id, "dateCreation": _iso_ms(o.ms)} for o in served],
                "filtresPossibles": _facets(rows)}
        last = start + len(window) - 1
        status = 200 if last >= total - 1 else 206
        return read_search_page(status, f"offres {start}-{last}/{total}", date, body)

    def _match(self, params: dict[str, str]):
        types = set(params["typeContrat"].split(",")) if "typeContrat" in params else None
        natures = set(params["natureContrat"].split(",")) if "natureContrat" in params else None
        lo = param_to_epoch(params["minCreationDate"]) if "minCreationDate" in params else None
        hi = param_to_epoch(params["maxCreationDate"]) if "maxCreationDate" in params else None
        for o in self.offers:
            if not (o.born <= self.now < o.died):
                continue
            if "origineOffre" in params and o.origine != params["origineOffre"]:
                continue
            if types is not None or natures is not None:  # ORed by the API
                if not ((types and o.typeContrat in types) or (natures and o.natureContrat in natures)):
                    continue
            if "experience" in params and o.experience != params["experience"]:
                continue
            if any(name in params and getattr(o, name) != params[name]
                   for name in ("qualification", "experienceExigence", "dureeHebdo")):
                continue
            sec = o.ms // 1000
            if lo is not None and (sec < lo or (sec == lo and not self.min_inclusive)):
                continue
            if hi is not None and (sec > hi or (sec == hi and not self.max_inclusive)):
                continue
            yield o


def _iso_ms(ms: int) -> str:
    return f"{epoch_to_param(ms // 1000)[:-1]}.{ms % 1000:03d}Z"


def _facets(rows: list[Offer]) -> list[dict]:
    out = []
    for name in ("typeContrat", "experience", "qualification", "natureContrat"):
        counts: dict[str, int] = {}
        for o in rows:
            v = getattr(o, name)
            counts[v] = counts.get(v, 0) + 1
        out.append({"filtre": name, "agregation": [{"valeurPossible": v, "nbResultats": n}
                                                   for v, n in sorted(counts.items())]})
    return out


def make_offer(rng: random.Random, oid: str, ms: int, *, origine: str | None = None,
               born: float = -math.inf) -> Offer:
    return Offer(oid, ms, origine or rng.choice("12"), rng.choice(TYPES), rng.choice(NATURES),
                 rng.choice(EXPERIENCES), rng.choice(QUALIFICATIONS), rng.choice(EXIGENCES),
                 rng.choice(DUREES), born=born)


def make_market(rng: random.Random, n: int, *, days: float = 90, bursts: list[int] = (),
                hot_seconds: int = 0) -> list[Offer]:
    """n offers spread over `days` before BASE, plus same-second bursts (partner offers, .000Z)."""
    offers = []
    span_ms = int(days * 86400 * 1000)
    for i in range(n):
        ms = BASE * 1000 - rng.randrange(span_ms)
        if hot_seconds and rng.random() < 0.3:  # crowd a few seconds without being a burst
            ms = (BASE - rng.randrange(hot_seconds) * 7) * 1000 + rng.randrange(1000)
        offers.append(make_offer(rng, f"{i:07d}", ms))
    for b, size in enumerate(bursts):
        sec = BASE - rng.randrange(int(days * 86400))
        offers.extend(make_offer(rng, f"B{b}-{j:05d}", sec * 1000, origine="2") for j in range(size))
    return offers


def drive(planner: HarvestPlanner, api: FakeApi, *, rng: random.Random | None = None,
          fail_rate: float = 0.0, max_requests: int = 100_000) -> None:
    """Run the planner to the end against the fake API. With an rng, answers to requests sent
    together come back in random order (as over concurrent connections)."""
    queue = []
    while True:
        queue.extend(planner.next_requests())
        if not queue:
            break
        assert len(api.requests) < max_requests, "the planner does not converge"
        i = rng.randrange(len(queue)) if rng else 0
        req = queue.pop(i)
        if req.delay:
            api.advance(req.delay)
        if rng and fail_rate and rng.random() < fail_rate:
            api.advance(api.step)
            planner.observe_failure(req.key, "injected")
            continue
        planner.observe(req.key, api.search(req.params))
    assert planner.done
