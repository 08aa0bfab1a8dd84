"""The API's response shapes (REFERENCE Part 2 §1, §4): JSON bodies, 400 errors, 401, 429, 204."""

from __future__ import annotations

import json

from aiohttp import web

from offres_crawler.sandbox.ratelimit import Decision

JSON_UTF8 = "application/json;charset=UTF-8"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def dump_json(obj) -> bytes:
    # The API answers UTF-8 text, not \u escapes.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")


def json_response(obj, status: int = 200, headers: dict[str, str] | None = None,
                  content_type: str = JSON_UTF8) -> web.Response:
    body = obj if isinstance(obj, bytes) else dump_json(obj)
    return web.Response(body=body, status=status,
                        headers={"Content-Type": content_type, **NO_STORE, **(headers or {})})


def api_error(message: str, now_ms: int, status: int = 400) -> web.Response:
    """An API error body; codeErreur is a 13-digit epoch-ms string, as observed."""
    return json_response({"codeErreur": str(now_ms), "codeHttp": status, "message": message},
                         status=status)


def unauthorized() -> web.Response:
    """401 for a missing, unknown, expired or revoked token: an empty body and `WWW-Authenticate:
    Bearer` (live 2026-08-22), with the headers of France Travail's "Erreurs fréquentes" page
    (`Content-Type: application/json`, `Cache-Control: no-store`, `Pragma: no-cache`)."""
    return web.Response(status=401, headers={"WWW-Authenticate": "Bearer", "Content-Type": "application/json",
                                             **NO_STORE})


def too_many_requests(decision: Decision) -> web.Response:
    return web.Response(status=429, text="Dépassement de quota", content_type="text/plain",
                        headers={"Retry-After": str(decision.retry_after), **NO_STORE,
                                 **decision.headers()})


def no_content(headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=204, headers={**NO_STORE, **(headers or {})})
