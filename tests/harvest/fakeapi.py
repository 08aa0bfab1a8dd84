"""An in-memory imitation of the search endpoint, small and fast, for driving the planner.

It keeps only what planning depends on: creation instants (ms), origine, the four facets and the
two parameters filtresPossibles does not count, the ROME code (`codeROME`, up to 200 ORed, and
the list of `/v2/referentiel/metiers`, `referentiel()`), a live
index (offers appear and are withdrawn as its clock advances), the range cap with the API's 400
message, Content-Range / 204 / past-the-end answers, filtresPossibles, the Date header. Bound
inclusivity and the origine quirk are switches, so the planner can be shown correct either way.

The sandbox's four reality modes (sandbox/reality.py) are here too:
`tie_order="shuffle"` (offers of one creation instant in a new order at every
request), `replica_lag` (each answer computed from the index as it was a random 0..S seconds
earlier, consistent within the answer), `total_noise` (the Content-Range total off by -K..K,
never below the rows served; rows and filtresPossibles right), `lying_totals` (every total after
the first answer multiplied by a factor).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import math
import operator
import random
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate

from offres_crawler.harvest.dates import epoch_to_param, param_to_epoch
from offres_crawler.harvest.planner import HarvestPlanner
from offres_crawler.harvest.search_page import SearchPage, read_search_page

TYPES = ("CDI", "CDD", "MIS", "SAI", "LIB", "FRA")
NATURES = ("E1", "E2", "FS", "NS")
EXPERIENCES = ("0", "1", "2", "3", "4")
QUALIFICATIONS = ("0", "9", "X")
EXIGENCES = ("D", "S", "E")
DUREES = ("0", "1", "2")
BASE = 1_760_000_000  # the market's "now" at start (epoch s)
# 60 codes, a few common and a long tail, as in the sandbox's market (sandbox/rome_list.py)
ROMES = tuple(f"M{1800 + i:04d}" for i in range(60))
ROME_WEIGHTS = tuple(1.0 / (1 + i) for i in range(len(ROMES)))
ROME_CUM = tuple(itertools.accumulate(ROME_WEIGHTS))


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
    romeCode: str = ROMES[0]
    born: float = -math.inf  # server time it appears
    died: float = math.inf  # server time it is withdrawn
    rank: int = 0  # order among offers of the same instant when ties are stable (higher first)

    @functools.cached_property
    def iso(self) -> str:
        """dateCreation as the API writes it."""
        return _iso_ms(self.ms)


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
    tie_order: str = "stable"  # or "shuffle"
    replica_lag: float = 0.0  # seconds
    total_noise: int = 0
    lying_totals: float | None = None
    romes: tuple[str, ...] = ROMES  # the codes /v2/referentiel/metiers lists
    reality_rng: random.Random = field(default_factory=lambda: random.Random(1))
    requests: list[dict] = field(default_factory=list)  # searches
    list_requests: list[str] = field(default_factory=list)  # reference lists
    served: set[str] = field(default_factory=set)  # every offer id an answer carried
    _serial: int = 0
    _asc: list[Offer] = field(default_factory=list)  # offers in ascending sort=1 key (_in_order)
    _keys: list[tuple[int, int, str]] = field(default_factory=list)
    _answers: int = 0  # answers with a total (lying_totals spares the first)

    # -- the live index --------------------------------------------------------------------------
    def alive(self, at: float | None = None) -> set[str]:
        """Offers alive at `at` (default: now)."""
        t = self.now if at is None else at
        return {o.id for o in self.offers if o.born <= t < o.died}

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        for _ in range(self._poisson(self.new_per_s * seconds)):
            t = self.rng.uniform(self.now, end)
            self.offers.append(make_offer(self.rng, f"N{self._next_serial()}", int(t * 1000), born=t))
        for _ in range(self._poisson(self.withdrawn_per_s * seconds)):
            victim = self._live_one()
            if victim is not None:
                victim.died = self.rng.uniform(self.now, end)
        self.now = end

    def _live_one(self) -> Offer | None:
        """An offer alive now, uniformly (drawn among all until one is alive: most are)."""
        for _ in range(50):
            o = self.rng.choice(self.offers) if self.offers else None
            if o is None or o.born <= self.now < o.died:
                return o
        live = [o for o in self.offers if o.born <= self.now < o.died]
        return self.rng.choice(live) if live else None

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

    # -- the endpoints ---------------------------------------------------------------------------
    def referentiel(self, name: str) -> list[dict]:
        """`GET /v2/referentiel/{name}` (only `metiers` is known here)."""
        self.advance(self.step)
        self.list_requests.append(name)
        assert name == "metiers", name
        return [{"code": c, "libelle": f"métier {c}"} for c in self.romes]

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
        if "codeROME" in params and (len(params["codeROME"].split(",")) > 200
                                     or not set(params["codeROME"].split(",")) <= set(self.romes)):
            return read_search_page(400, None, date, {"message": "codeROME: valeur inconnue ou trop de valeurs"})
        view = self.now - self.reality_rng.uniform(0, self.replica_lag) if self.replica_lag else self.now
        rows = self._shuffled(list(self._match(params, at=view)))
        total = len(rows)
        if total == 0:
            return read_search_page(204, "*/0", date, None)
        window = rows[start:end + 1]
        if not window:
            if self.past_end == "204":
                return read_search_page(204, "*/0", date, None)
            return read_search_page(206, f"offres -1--1/{self._reported(total, 0)}", date,
                                    {"resultats": [], "filtresPossibles": []})
        if self.origine_quirk and "origineOffre" not in params:
            # counts and Content-Range describe everything, the rows are France Travail's only
            served = [o for o in rows if o.origine == "1"][start:end + 1]
        else:
            served = window
        self.served.update(o.id for o in served)
        body = {"resultats": [{"id": o.id, "dateCreation": o.iso, "romeCode": o.romeCode}
                              for o in served],
                "filtresPossibles": _facets(rows)}
        last = start + len(window) - 1
        reported = self._reported(total, last + 1)
        status = 200 if last >= reported - 1 else 206
        return read_search_page(status, f"offres {start}-{last}/{reported}", date, body)

    def ordered(self, offers) -> list[Offer]:
        """sort=1: creation instant descending; offers of one instant in rank order, or shuffled
        anew (tie_order="shuffle")."""
        return self._shuffled(sorted(offers, key=lambda o: (o.ms, o.rank, o.id), reverse=True))

    def _shuffled(self, rows: list[Offer]) -> list[Offer]:
        """Rows in sort=1 order, their ties shuffled anew when tie_order="shuffle"."""
        if self.tie_order != "shuffle":
            return rows
        out: list[Offer] = []
        for _, group in itertools.groupby(rows, key=lambda o: o.ms):
            members = list(group)
            if len(members) > 1:
                self.reality_rng.shuffle(members)
            out.extend(members)
        return out

    def _in_order(self) -> list[Offer]:
        """Every offer in sort=1 order (stable ties), kept sorted as offers are born."""
        if len(self.offers) < len(self._asc):
            self._asc, self._keys = [], []
        for o in self.offers[len(self._asc):]:
            key = (o.ms, o.rank, o.id)
            i = bisect.bisect(self._keys, key)
            self._keys.insert(i, key)
            self._asc.insert(i, o)
        return self._asc[::-1]

    def _reported(self, total: int, served: int) -> int:
        """The Content-Range total as the reality modes make it (`served`: rows up to the last one
        of this answer, which a noisy total never goes below)."""
        if self.total_noise:
            total = max(served, total + self.reality_rng.randint(-self.total_noise, self.total_noise))
        if self.lying_totals is not None and self._answers > 0:
            total = max(served, round(total * self.lying_totals))
        self._answers += 1
        return total

    def _match(self, params: dict[str, str], at: float | None = None):
        types = set(params["typeContrat"].split(",")) if "typeContrat" in params else None
        natures = set(params["natureContrat"].split(",")) if "natureContrat" in params else None
        codes = set(params["codeROME"].split(",")) if "codeROME" in params else None
        lo = param_to_epoch(params["minCreationDate"]) if "minCreationDate" in params else None
        hi = param_to_epoch(params["maxCreationDate"]) if "maxCreationDate" in params else None
        now = self.now if at is None else at
        exact = [(_ATTR.get(name, name), params[name]) for name in (
            "origineOffre", "experience", "qualification", "experienceExigence", "dureeHebdo") if name in params]
        get = operator.attrgetter(*(a for a, _ in exact)) if exact else None
        wanted = tuple(v for _, v in exact) if len(exact) > 1 else (exact[0][1] if exact else None)
        for o in self._in_order():  # in sort=1 order
            if not (o.born <= now < o.died):
                continue
            if types is not None or natures is not None:  # ORed by the API
                if not ((types and o.typeContrat in types) or (natures and o.natureContrat in natures)):
                    continue
            if codes is not None and o.romeCode not in codes:
                continue
            if get is not None and get(o) != wanted:
                continue
            sec = o.ms // 1000
            if lo is not None and (sec < lo or (sec == lo and not self.min_inclusive)):
                continue
            if hi is not None and (sec > hi or (sec == hi and not self.max_inclusive)):
                continue
            yield o


_ATTR = {"origineOffre": "origine"}  # parameter -> Offer attribute, where they differ


def _iso_ms(ms: int) -> str:
    return f"{epoch_to_param(ms // 1000)[:-1]}.{ms % 1000:03d}Z"


def _facets(rows: list[Offer]) -> list[dict]:
    out = []
    for name in ("typeContrat", "experience", "qualification", "natureContrat"):
        counts = Counter(map(operator.attrgetter(name), rows))
        out.append({"filtre": name, "agregation": [{"valeurPossible": v, "nbResultats": n}
                                                   for v, n in sorted(counts.items())]})
    return out


def make_offer(rng: random.Random, oid: str, ms: int, *, origine: str | None = None,
               born: float = -math.inf) -> Offer:
    return Offer(oid, ms, origine or rng.choice("12"), rng.choice(TYPES), rng.choice(NATURES),
                 rng.choice(EXPERIENCES), rng.choice(QUALIFICATIONS), rng.choice(EXIGENCES),
                 rng.choice(DUREES), rng.choices(ROMES, cum_weights=ROME_CUM)[0], born=born)


def make_market(rng: random.Random, n: int, *, days: float = 90, bursts: list[int] = (),
                hot_seconds: int = 0, imports: float = 0.0) -> list[Offer]:
    """n offers spread over `days` before BASE, plus same-second bursts (partner offers, .000Z).
    With `imports`, partner offers (origine 2) arrive as the sandbox's do: in bulk imports of
    about that many offers sharing one whole second (ties of sort=1)."""
    offers = []
    span_ms = int(days * 86400 * 1000)
    seconds = [BASE - rng.randrange(span_ms // 1000) for _ in range(max(1, int(n * 0.7 / imports)))] \
        if imports else []
    for i in range(n):
        ms = BASE * 1000 - rng.randrange(span_ms)
        if hot_seconds and rng.random() < 0.3:  # crowd a few seconds without being a burst
            ms = (BASE - rng.randrange(hot_seconds) * 7) * 1000 + rng.randrange(1000)
        origine = None
        if imports and rng.random() < 0.7:
            origine, ms = "2", rng.choice(seconds) * 1000
        offers.append(make_offer(rng, f"{i:07d}", ms, origine=origine))
    for b, size in enumerate(bursts):
        sec = BASE - rng.randrange(int(days * 86400))
        offers.extend(make_offer(rng, f"B{b}-{j:05d}", sec * 1000, origine="2") for j in range(size))
    return offers


def drive(planner: HarvestPlanner, api: FakeApi, *, rng: random.Random | None = None,
          fail_rate: float = 0.0, max_requests: int = 100_000,
          restore_at: int | None = None) -> HarvestPlanner:
    """Run the planner to the end against the fake API. With an rng, answers to requests sent
    together come back in random order (as over concurrent connections). With `restore_at`, the
    planner is saved as JSON text before that many answers have come back, and the run goes on
    with the planner restored from it (the requests in flight come back to it). Returns the
    planner that finished."""
    queue = []
    answers = 0
    while True:
        queue.extend(planner.next_requests())
        if not queue:
            break
        assert len(api.requests) < max_requests, "the planner does not converge"
        if answers == restore_at:
            planner = restored(planner)
            assert sorted(planner.in_flight_keys()) == sorted(r.key for r in queue)
        answers += 1
        i = rng.randrange(len(queue)) if rng else 0
        req = queue.pop(i)
        if req.delay:
            api.advance(req.delay)
        if rng and fail_rate and rng.random() < fail_rate:
            api.advance(api.step)
            planner.observe_failure(req.key, "injected")
            continue
        if req.referentiel is not None:
            planner.observe_list(req.key, 200, api.referentiel(req.referentiel))
            continue
        planner.observe(req.key, api.search(req.params))
    assert planner.done
    assert restore_at is None or answers > restore_at, "never restored"
    return planner


def restored(planner: HarvestPlanner) -> HarvestPlanner:
    """The planner saved as JSON text and read back, checked to describe the same state."""
    text = json.dumps(planner.to_dict())
    copy = HarvestPlanner.from_dict(json.loads(text))
    assert json.dumps(copy.to_dict()) == text
    return copy


def collected(planner: HarvestPlanner, api: FakeApi) -> set[str]:
    """The offers the planner's requests brought (what the spider yields), once it is checked that
    the planner counted exactly those."""
    assert len(planner.keys) == len(api.served) and all(k in planner.keys for k in api.served)
    return api.served
