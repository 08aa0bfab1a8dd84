"""TLS for the client: https everywhere, plain http only to this machine (the sandbox).

`requests` verifies certificates by default and the client never turns that off. oauthlib
refuses plain http outright unless the environment variable OAUTHLIB_INSECURE_TRANSPORT is set;
for a loopback URL (127.0.0.0/8, ::1, localhost) the client sets it for the duration of its own
call and restores it after, so that nothing else in the process is relaxed for longer than that
call, and never for another host.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from offres_crawler.transport.endpoints import endpoint_problem

INSECURE_TRANSPORT = "OAUTHLIB_INSECURE_TRANSPORT"
_lock = threading.Lock()
_depth = 0  # calls currently inside plain_http_allowed()
_saved: str | None = None  # the variable's value before the first of them


def plain_http(url: str, what: str) -> bool:
    """True for an http:// URL on this machine, False for https://; ValueError (the crawl's
    own message, transport/endpoints.py) for anything else."""
    problem = endpoint_problem(what, url)
    if problem is not None:
        raise ValueError(problem)
    return urlsplit(url.strip()).scheme.lower() == "http"


def check_ca_bundle(path: str | os.PathLike[str]) -> str:
    """The path of a readable PEM file with at least one certificate; ValueError otherwise."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"ca_bundle={str(path)!r} cannot be read: {exc.strerror or exc}") from None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise ValueError(f"ca_bundle={str(path)!r} holds no PEM certificate (-----BEGIN CERTIFICATE----- ...)")
    return str(path)


@contextmanager
def plain_http_allowed(allowed: bool) -> Iterator[None]:
    """Let oauthlib talk plain http for the duration of the block, when `allowed`."""
    global _depth, _saved
    if not allowed:
        yield
        return
    with _lock:
        if _depth == 0:
            _saved = os.environ.get(INSECURE_TRANSPORT)
            os.environ[INSECURE_TRANSPORT] = "1"
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _saved is None:
                    os.environ.pop(INSECURE_TRANSPORT, None)
                else:
                    os.environ[INSECURE_TRANSPORT] = _saved
