"""The test-only control API under /_sandbox/ (never part of the imitated API).

GET  /_sandbox/stats   requests by endpoint and status, 429s, most requests in any one-second
                       window per client id, tokens issued, faults, CPU seconds, clock, offers alive
GET  /_sandbox/faults  the current run-time configuration
POST /_sandbox/faults  change fault/latency/rate/reality options at once (snake_case CLI names:
                       tie_order, replica_lag, total_noise, lying_totals, ...), or queue exact
                       faults with {"fail_next": [{"kind": ..., "count": n}]}; setting
                       lying_totals makes the next search answer the honest first one
POST /_sandbox/revoke  revoke every token issued so far
POST /_sandbox/reset   zero the stats
GET  /_sandbox/alive?at=EPOCH_MS   ids of the offers alive at that instant (default now)

Counting conventions: `requests` counts answers sent, by status (a reset sends none: it shows in
`faults.reset` only); `rate_limited` counts every 429 (API, token endpoint, injected);
`faults.revoked` counts API requests refused because their token was revoked (early, with
--revoke-after, or here); `max_requests_per_second` counts authenticated API arrivals, 429s
included. A queued "truncate" is spent on the next answer that has a JSON body (200/206).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from typing import Any, Protocol

from aiohttp import web

from offres_crawler.sandbox.faults import FaultInjector
from offres_crawler.sandbox.ratelimit import SlidingWindowLimiter, WindowMeter
from offres_crawler.sandbox.reality import TIE_ORDERS
from offres_crawler.sandbox.search_params import RANGE_CAPS
from offres_crawler.sandbox.tokens import TokenStore

logger = logging.getLogger(__name__)

PREFIX = "/_sandbox/"


class Sandbox(Protocol):
    """What the control API reads and changes of the server (server.Sandbox builds these routes:
    typing against this Protocol keeps the import one way, server -> control)."""

    market: Any
    faults: FaultInjector
    limiter: SlidingWindowLimiter
    token_limiter: SlidingWindowLimiter
    meter: WindowMeter
    tokens: TokenStore
    requests: dict[str, Counter[int]]
    range_mode: str
    origine_quirk: bool
    clock_skew: float
    rate_limited: int
    tokens_issued_base: int

    def now_ms(self) -> int: ...

    def reset_stats(self) -> None: ...


def _probability(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError("a probability between 0 and 1")
    return float(value)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("a non-negative integer")
    return value


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError("a positive number of seconds")
    return float(value)


def _optional_seconds(value: Any) -> float | None:
    return None if value is None else _seconds(value)


def _skew(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("a number of seconds")
    return float(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _range_mode(value: Any) -> str:
    if value not in RANGE_CAPS:
        raise ValueError(" or ".join(RANGE_CAPS))
    return value


def _tie_order(value: Any) -> str:
    if value not in TIE_ORDERS:
        raise ValueError(" or ".join(TIE_ORDERS))
    return str(value)


def _lag(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("a non-negative number of seconds")
    return float(value)


def _factor(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError("a positive factor, or null for honest totals")
    return float(value)


def parse_latency(value: Any) -> tuple[float, float]:
    """[MIN, MAX] or "MIN-MAX" in milliseconds."""
    if isinstance(value, str):
        low, sep, high = value.partition("-")
        if not sep:
            raise ValueError("MIN-MAX in milliseconds")
        value = [low, high]
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError("[MIN, MAX] or \"MIN-MAX\" in milliseconds") from None
    if not 0 <= low <= high:
        raise ValueError("0 <= MIN <= MAX")
    return low, high


PARSERS = {
    "fault_5xx": _probability, "fault_reset": _probability, "fault_truncate": _probability,
    "latency": parse_latency, "rate_limit": _count, "token_rate_limit": _count,
    "token_lifetime": _seconds, "revoke_after": _optional_seconds, "range_mode": _range_mode,
    "origine_quirk": _flag, "clock_skew": _skew,
    "tie_order": _tie_order, "replica_lag": _lag, "total_noise": _count, "lying_totals": _factor,
}
REALITY = ("tie_order", "replica_lag", "total_noise", "lying_totals")  # sb.reality (reality.py)


def current_config(sb: Sandbox) -> dict[str, Any]:
    faults = sb.faults.config
    return {
        "fault_5xx": faults.p_5xx, "fault_reset": faults.p_reset, "fault_truncate": faults.p_truncate,
        "latency": list(faults.latency_ms), "rate_limit": sb.limiter.limit,
        "token_rate_limit": sb.token_limiter.limit, "token_lifetime": sb.tokens.lifetime_s,
        "revoke_after": sb.tokens.revoke_after_s, "range_mode": sb.range_mode,
        "origine_quirk": sb.origine_quirk, "clock_skew": sb.clock_skew, **sb.reality.config(),
        "fail_next": sb.faults.pending(),
    }


def apply_options(sb: Sandbox, options: dict[str, Any]) -> None:
    """Validate everything first, then apply at once: a bad request changes nothing."""
    unknown = sorted(set(options) - set(PARSERS) - {"fail_next"})
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; known: {sorted(PARSERS) + ['fail_next']}")
    parsed = {}
    for name, value in options.items():
        if name == "fail_next":
            continue
        try:
            parsed[name] = PARSERS[name](value)
        except ValueError as exc:
            raise ValueError(f"{name}: expected {exc}") from None
    faults = sb.faults.config
    total = sum(parsed.get(f"fault_{k}", getattr(faults, f"p_{k}")) for k in ("5xx", "reset", "truncate"))
    if total > 1:
        raise ValueError("fault_5xx + fault_reset + fault_truncate must not exceed 1")
    fail_next = options.get("fail_next")
    if fail_next is not None and not (isinstance(fail_next, list) and all(isinstance(i, dict) for i in fail_next)):
        raise ValueError('fail_next: expected [{"kind": ..., "count": n}, ...]')
    if fail_next:
        sb.faults.queue(fail_next)  # validates kinds and counts before queueing any
    for name, value in parsed.items():
        if name.startswith("fault_"):
            setattr(faults, "p_" + name.removeprefix("fault_"), value)
        elif name == "latency":
            faults.latency_ms = value
        elif name == "rate_limit":
            sb.limiter.limit = value
        elif name == "token_rate_limit":
            sb.token_limiter.limit = value
        elif name == "token_lifetime":
            sb.tokens.lifetime_s = value
        elif name == "revoke_after":
            sb.tokens.revoke_after_s = value
        elif name in REALITY:
            setattr(sb.reality, name, value)
            if name == "lying_totals":
                sb.reality.answers = 0  # the next answer is the honest first one
        else:  # range_mode, origine_quirk, clock_skew
            setattr(sb, name, value)
    if parsed:
        logger.debug("sandbox options changed: %s", ", ".join(f"{k}={v}" for k, v in parsed.items()))


def _json(obj: Any, status: int = 200) -> web.Response:
    return web.json_response(obj, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class Control:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox

    async def stats(self, request: web.Request) -> web.Response:
        sb = self.sb
        now = sb.now_ms()
        sb.market.advance(now)
        return _json({
            "requests": {kind: dict(counts) for kind, counts in sb.requests.items()},
            "rate_limited": sb.rate_limited,
            "max_requests_per_second": dict(sb.meter.max_per_second),
            "tokens_issued": sb.tokens.issued - sb.tokens_issued_base,
            "faults": dict(sb.faults.counts),
            "cpu_seconds": time.process_time(),
            "now_ms": now,
            "offers_alive": sb.market.alive_count(now),
        })

    async def get_faults(self, request: web.Request) -> web.Response:
        return _json(current_config(self.sb))

    async def set_faults(self, request: web.Request) -> web.Response:
        try:
            options = await request.json()
        except ValueError:
            return _json({"error": "expected a JSON object"}, status=400)
        if not isinstance(options, dict):
            return _json({"error": "expected a JSON object"}, status=400)
        try:
            apply_options(self.sb, options)
        except ValueError as exc:
            return _json({"error": str(exc)}, status=400)
        return _json(current_config(self.sb))

    async def revoke(self, request: web.Request) -> web.Response:
        return _json({"revoked": self.sb.tokens.revoke_all()})

    async def reset(self, request: web.Request) -> web.Response:
        self.sb.reset_stats()
        return _json({"reset": True})

    async def alive(self, request: web.Request) -> web.Response:
        now = self.sb.now_ms()
        self.sb.market.advance(now)
        at = request.query.get("at", "")
        if at and not at.lstrip("-").isdigit():
            return _json({"error": "at: expected an epoch time in milliseconds"}, status=400)
        ids = self.sb.market.alive_ids(int(at) if at else now)
        return _json({"count": len(ids), "ids": ids})


def add_routes(app: web.Application, sandbox: Sandbox) -> None:
    c = Control(sandbox)
    app.router.add_get(PREFIX + "stats", c.stats)
    app.router.add_get(PREFIX + "faults", c.get_faults)
    app.router.add_post(PREFIX + "faults", c.set_faults)
    app.router.add_post(PREFIX + "revoke", c.revoke)
    app.router.add_post(PREFIX + "reset", c.reset)
    app.router.add_get(PREFIX + "alive", c.alive)
