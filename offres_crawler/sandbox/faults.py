"""Faults on demand: latency, 5xx, connection resets, truncated JSON bodies, injected 401/429.

Random faults are drawn per API request with the configured probabilities; `fail_next`
queues exact faults for the next API requests (deterministic tests). Early token revocation
lives in the token store; its 401s are counted here as `revoked`.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from collections import deque
from dataclasses import dataclass

from aiohttp import web

FAIL_NEXT_KINDS = ("5xx", "reset", "truncate", "429", "401")
COUNTED = ("5xx", "reset", "truncate", "revoked")

_HTML_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
}


@dataclass
class FaultConfig:
    latency_ms: tuple[float, float] = (0.0, 0.0)  # uniform between the two bounds
    p_5xx: float = 0.0
    p_reset: float = 0.0
    p_truncate: float = 0.0


class FaultInjector:
    def __init__(self, config: FaultConfig, seed: int | None = None) -> None:
        self.config = config
        self._rng = random.Random(seed)
        self._queue: deque[list] = deque()  # [kind, remaining]
        self.counts = dict.fromkeys(COUNTED, 0)

    # -- choosing ------------------------------------------------------------------------------
    def queue(self, injections: list[dict]) -> None:
        """Queue `[{"kind": ..., "count": n}, ...]`, served in order on the next API requests."""
        parsed = []
        for item in injections:
            kind, count = item.get("kind"), item.get("count", 1)
            if kind not in FAIL_NEXT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAIL_NEXT_KINDS}")
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ValueError(f"fault count must be a non-negative integer, got {count!r}")
            parsed.append([kind, count])
        self._queue.extend(p for p in parsed if p[1])

    def pending(self) -> list[dict]:
        return [{"kind": k, "count": n} for k, n in self._queue]

    def draw(self) -> tuple[str | None, bool]:
        """The fault for this API request and whether it was queued: a queued one first, else a
        random one (or None)."""
        if self._queue:
            head = self._queue[0]
            head[1] -= 1
            if head[1] <= 0:
                self._queue.popleft()
            return head[0], True
        roll = self._rng.random()
        for kind, p in (("5xx", self.config.p_5xx), ("reset", self.config.p_reset),
                        ("truncate", self.config.p_truncate)):
            if roll < p:
                return kind, False
            roll -= p
        return None, False

    def put_back(self, kind: str) -> None:
        """Return an unused queued fault to the head of the queue (a truncation drawn for an
        answer without a JSON body waits for the next one that has it)."""
        if self._queue and self._queue[0][0] == kind:
            self._queue[0][1] += 1
        else:
            self._queue.appendleft([kind, 1])

    # -- applying ------------------------------------------------------------------------------
    async def delay(self) -> None:
        low, high = self.config.latency_ms
        if high > 0:
            # asyncio.sleep: a slow answer never holds up other requests.
            await asyncio.sleep(self._rng.uniform(low, high) / 1000.0)

    def server_error(self) -> web.Response:
        self.counts["5xx"] += 1
        status = self._rng.choice(tuple(_HTML_ERRORS))
        if self._rng.random() < 0.5:
            return web.Response(status=status)  # empty body, as a gateway sometimes answers
        title = f"{status} {_HTML_ERRORS[status]}"
        html = f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center></body></html>\n"
        return web.Response(status=status, text=html, content_type="text/html")

    def reset(self, request: web.Request) -> None:
        """Drop the connection without an answer: a TCP RST, not a clean close."""
        self.counts["reset"] += 1
        transport = request.transport
        if transport is None:
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:  # linger 0: close() sends RST
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        transport.abort()

    @staticmethod
    def can_truncate(response: web.Response) -> bool:
        body = response.body
        return response.status in (200, 206) and isinstance(body, bytes) and len(body) >= 2

    def truncate(self, response: web.Response) -> web.Response:
        """The same answer with its JSON body cut short; Content-Length matches what is sent.

        A proper prefix of a JSON object or array is never valid JSON (its closing bracket is
        missing), so the client reads a complete HTTP response with a malformed body.
        """
        if not self.can_truncate(response):
            return response
        body = response.body
        self.counts["truncate"] += 1
        cut = body[: self._rng.randint(1, len(body) - 1)]
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return web.Response(body=cut, status=response.status, headers=headers)

    def reset_counts(self) -> None:
        self.counts = dict.fromkeys(COUNTED, 0)
