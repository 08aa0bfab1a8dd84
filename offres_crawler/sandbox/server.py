"""The sandbox's aiohttp application: the API, the token endpoint and the test-only control API.

Every API request goes through the same gate, in the order a real gateway applies it:
token check (401) -> arrival recorded for the one-second measurement -> rate limit (429) ->
queued or random fault -> latency -> the endpoint (market.advance first: churn) -> truncation.
The market is queried inline: its searches cost milliseconds, and latency is an asyncio sleep,
so one slow answer never holds up another request.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, replace

from aiohttp import web

from offres_crawler.sandbox import control
from offres_crawler.sandbox.faults import FaultConfig, FaultInjector
from offres_crawler.sandbox.query import FACETS
from offres_crawler.sandbox.ratelimit import Decision, SlidingWindowLimiter, WindowMeter
from offres_crawler.sandbox.reality import Reality
from offres_crawler.sandbox.responses import (
    api_error,
    dump_json,
    json_response,
    no_content,
    too_many_requests,
    unauthorized,
)
from offres_crawler.sandbox.search_params import MAX_SPAN, RANGE_CAPS, SearchParamError, SearchParams
from offres_crawler.sandbox.tokens import TokenEndpoint, TokenStore

API_PREFIX = "/partenaire/offresdemploi"
TOKEN_PATH = "/connexion/oauth2/access_token"
TOKEN_QUERY = "realm=%2Fpartenaire"
DEFAULT_CLIENT_ID = "PAR_sandbox_demo"
DEFAULT_CLIENT_SECRET = "sandbox-secret-do-not-use-in-production"
ENDPOINT_KINDS = ("search", "detail", "referentiel", "token", "other")
# France Travail ids are NNNLLLL, partner ids 7 digits: 7 characters of [0-9A-Z].
OFFER_ID = re.compile(r"[0-9A-Z]{7}")
BAD_OFFER_ID = "Le format de l'id de l'offre recherchée est incorrect."


@dataclass
class SandboxOptions:
    """Run-time behaviour (the CLI's options other than the market's); most change via /_sandbox/faults."""

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    token_lifetime: float = 1499
    token_rate_limit: int = 5
    rate_limit: int = 3
    range_mode: str = "current"
    origine_quirk: bool = False
    latency: tuple[float, float] = (0.0, 0.0)
    fault_5xx: float = 0.0
    fault_reset: float = 0.0
    fault_truncate: float = 0.0
    revoke_after: float | None = None
    clock_skew: float = 0.0
    tie_order: str = "stable"
    replica_lag: float = 0.0
    total_noise: int = 0
    lying_totals: float | None = None
    seed: int = 0


class _ConnectionDropped(Exception):
    """Raised after a reset fault aborted the connection: there is nothing left to answer."""


class Sandbox:
    def __init__(self, market, options: SandboxOptions, anchor_ms: int, anchor_monotonic: float | None = None) -> None:
        self.market = market
        self.client_id = options.client_id
        self.range_mode = options.range_mode
        self.origine_quirk = options.origine_quirk
        self.clock_skew = options.clock_skew
        # The market's clock: `anchor_ms` at `anchor_monotonic` (default: now, when the sandbox is
        # built), then real time. A wall-clock anchor read before the market's build passes the
        # instant it was read, so that the server's clock is the wall clock, not the build time late.
        self._anchor_ms = anchor_ms
        self._t0 = time.monotonic() if anchor_monotonic is None else anchor_monotonic
        self.tokens = TokenStore(options.token_lifetime, options.revoke_after)
        self.limiter = SlidingWindowLimiter(options.rate_limit)
        self.token_limiter = SlidingWindowLimiter(options.token_rate_limit)
        self.meter = WindowMeter()
        self.faults = FaultInjector(FaultConfig(options.latency, options.fault_5xx,
                                                options.fault_reset, options.fault_truncate),
                                    seed=options.seed)
        self.reality = Reality(options.tie_order, options.replica_lag, options.total_noise,
                               options.lying_totals, seed=options.seed)
        self.params = SearchParams(market.referentiels)
        self.token_endpoint = TokenEndpoint(options.client_id, options.client_secret, self.tokens,
                                            self.token_limiter, self.mono_ms, self._count_429)
        self._referentiel_bodies: dict[str, bytes] = {}
        self.reset_stats()

    # -- clocks and stats --------------------------------------------------------------------------
    @staticmethod
    def mono_ms() -> float:
        return time.monotonic() * 1000.0

    def now_ms(self) -> int:
        """The server's clock (epoch ms): what creation instants and churn are measured on."""
        return int(self._anchor_ms + (time.monotonic() - self._t0 + self.clock_skew) * 1000.0)

    def reset_stats(self) -> None:
        self.requests = {kind: Counter() for kind in ENDPOINT_KINDS}
        self.rate_limited = 0
        self.tokens_issued_base = self.tokens.issued
        self.meter.reset()
        self.faults.reset_counts()

    def _count_429(self) -> None:
        self.rate_limited += 1

    # -- application -----------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._count_requests])
        app.router.add_post(TOKEN_PATH, self.token_endpoint.handle)
        app.router.add_get(f"{API_PREFIX}/v2/offres/search", self._gate(self.search))
        app.router.add_get(f"{API_PREFIX}/v2/offres/{{id}}", self._gate(self.detail))
        app.router.add_get(f"{API_PREFIX}/v2/referentiel/{{name}}", self._gate(self.referentiel))
        control.add_routes(app, self)
        return app

    @web.middleware
    async def _count_requests(self, request: web.Request, handler):
        path = request.path
        if path.startswith(control.PREFIX):
            return await handler(request)
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # 404 and 405 from the router
            response = exc
        except _ConnectionDropped:
            # The transport is already aborted; aiohttp drops whatever we return now.
            return web.Response(status=499)
        self.requests[self._kind(path)][str(response.status)] += 1
        return response

    @staticmethod
    def _kind(path: str) -> str:
        if path == TOKEN_PATH:
            return "token"
        if path.startswith(f"{API_PREFIX}/v2/referentiel/"):
            return "referentiel"
        if path == f"{API_PREFIX}/v2/offres/search":
            return "search"
        if path.startswith(f"{API_PREFIX}/v2/offres/"):
            return "detail"
        return "other"

    def _gate(self, endpoint):
        async def handle(request: web.Request) -> web.StreamResponse:
            arrival = self.mono_ms()  # the limiter judges arrival, before any simulated latency
            client_id = self._authenticate(request, arrival)
            if client_id is None:
                return unauthorized()
            self.meter.record(client_id, arrival)
            decision = self.limiter.check(client_id, arrival)
            if not decision.accepted:
                self.rate_limited += 1
                return too_many_requests(decision)
            fault, queued = self.faults.draw()
            if fault == "429":
                self.rate_limited += 1
                return too_many_requests(Decision(False, decision.limit, 0, 1))
            if fault == "401":
                return unauthorized()
            await self.faults.delay()
            if fault == "5xx":
                return self.faults.server_error()
            if fault == "reset":
                self.faults.reset(request)
                raise _ConnectionDropped
            now = self.now_ms()
            self.market.advance(now)
            response = endpoint(request, now)
            response.headers.update(decision.headers())
            if fault == "truncate":
                if self.faults.can_truncate(response):
                    response = self.faults.truncate(response)
                elif queued:
                    self.faults.put_back("truncate")
            return response

        return handle

    def _authenticate(self, request: web.Request, now_ms: float) -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        client_id, reason = self.tokens.check(token.strip(), now_ms)
        if reason == "revoked":
            self.faults.counts["revoked"] += 1
        return client_id

    # -- endpoints -------------------------------------------------------------------------------
    def search(self, request: web.Request, now_ms: int) -> web.Response:
        try:
            query = self.params.parse(request.query.items(), RANGE_CAPS[self.range_mode])
        except SearchParamError as exc:
            return api_error(exc.message, now_ms)
        at_ms, shuffle = self.reality.moment(now_ms), self.reality.shuffler()  # reality.py
        result = self.market.search(query, now_ms, at_ms, shuffle)
        if result.total == 0 or query.start >= result.total:
            # No result, or a window starting past the total (REFERENCE Part 1 §4).
            return no_content({"Content-Range": "*/0"})
        rows = result.rows
        if self.origine_quirk and "origineOffre" not in query.filters:
            # REFERENCE Part 1 §3: the full total and facets, but only France Travail's own rows.
            own = replace(query, filters={**query.filters, "origineOffre": 1})
            rows = self.market.search(own, now_ms, at_ms, shuffle).rows
        last = min(query.end, result.total - 1)
        total = self.reality.reported_total(result.total, last + 1)
        body = {
            "resultats": [self.market.offer(row) for row in rows],
            "filtresPossibles": [
                {"filtre": name, "agregation": [{"valeurPossible": value, "nbResultats": count}
                                                for value, count in result.facets[name]]}
                for name in FACETS if result.facets.get(name)
            ],
        }
        return json_response(body, status=206 if last < total - 1 else 200, headers={
            "Content-Range": f"offres {query.start}-{last}/{total}",
            "Accept-Range": str(MAX_SPAN),
        })

    def detail(self, request: web.Request, now_ms: int) -> web.Response:
        offer_id = request.match_info["id"]
        if not OFFER_ID.fullmatch(offer_id):
            return api_error(BAD_OFFER_ID, now_ms)
        row = self.market.row_of_id(offer_id)
        if row is None or not self.market.is_alive(row, now_ms):
            return no_content()  # unknown or withdrawn: 204, not 404 (REFERENCE Part 1 §4)
        return json_response(self.market.offer(row))

    def referentiel(self, request: web.Request, now_ms: int) -> web.Response:
        name = request.match_info["name"]
        if name not in self.market.referentiels:
            return web.Response(status=404)
        body = self._referentiel_bodies.get(name)
        if body is None:
            body = self._referentiel_bodies[name] = dump_json(self.market.referentiels[name])
        return json_response(body)
