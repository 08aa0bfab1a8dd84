"""Which API and token URLs the crawler accepts to send credentials to (framework-free).

The token request carries the client secret and every API request an access token: over plain
HTTP anyone on the path reads them. So `OFFRES_API_URL` and `OFFRES_TOKEN_URL` must be
`https://`, except on a loopback host (127.0.0.0/8, ::1, `localhost`), where the traffic never
leaves the machine: the local sandbox. Anything else is refused before any request, with one
line naming the setting and the rule (transport/endpoint_check.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

ENDPOINT_SETTINGS = ("OFFRES_API_URL", "OFFRES_TOKEN_URL")


def is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown(url: str) -> str:
    """The URL as it may be shown: scheme, host and port only (its path or query could hold
    anything, a user:password part certainly does)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/..."


def endpoint_problem(name: str, url: object) -> str | None:
    """Why the setting `name` = `url` is refused, in one line; None when it is accepted (or
    not set: settings.py always sets both)."""
    if url is None or url == "":
        return None
    if not isinstance(url, str):
        return f"{name} must be an https:// URL (got {type(url).__name__})"
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return f"{name} is not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        return f"{name} must be an https:// URL with a host name (got {scheme or 'no'} scheme)"
    if scheme == "http" and not is_loopback(host):
        return (f"{name}={_shown(url)} is refused: plain http would send the client secret and "
                f"the access tokens in clear; use https:// (http:// is accepted for a loopback "
                f"host only: 127.0.0.1, ::1, localhost)")
    return None


def endpoint_problems(settings: Mapping[str, Any]) -> list[str]:
    """The problems of the API and token URLs among `settings` (a mapping of setting names)."""
    problems = (endpoint_problem(name, settings.get(name)) for name in ENDPOINT_SETTINGS)
    return [problem for problem in problems if problem]
