"""A plain urllib client for the sandbox HTTP tests: status, headers and raw body of any answer."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

from tests.sandboxproc import SandboxProcess

SCOPE = "api_offresdemploiv2 o2dsoffre"


@dataclass
class Reply:
    status: int
    headers: Message  # case-insensitive lookups
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(method: str, url: str, data: bytes | None = None, headers: dict | None = None,
            timeout: float = 30) -> Reply:
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        with contextlib.closing(err):
            return Reply(err.code, err.headers, err.read())


def token_request(sb: SandboxProcess, form: dict | None = None, url: str | None = None) -> Reply:
    fields = {"grant_type": "client_credentials", "client_id": sb.client_id,
              "client_secret": sb.client_secret, "scope": SCOPE}
    fields.update(form or {})
    fields = {k: v for k, v in fields.items() if v is not None}
    return request("POST", url or sb.token_url, urllib.parse.urlencode(fields).encode(),
                   {"Content-Type": "application/x-www-form-urlencoded"})


def get_token(sb: SandboxProcess) -> str:
    """A fresh access token; waits out the token endpoint's own rate limit if needed."""
    for _ in range(5):
        reply = token_request(sb)
        if reply.status == 200:
            return reply.json()["access_token"]
        assert reply.status == 429, (reply.status, reply.body)
        time.sleep(int(reply.headers["Retry-After"]))
    raise AssertionError("no token after 5 attempts")


def api_get(sb: SandboxProcess, path: str, token: str | None, params: dict | list | None = None,
            timeout: float = 30) -> Reply:
    url = f"{sb.api_url}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return request("GET", url, headers=headers, timeout=timeout)


def search(sb: SandboxProcess, token: str, params: dict | list | None = None) -> Reply:
    return api_get(sb, "/v2/offres/search", token, params)


def content_range(reply: Reply) -> tuple[int, int, int]:
    """(first, last, total) of `Content-Range: offres p-d/t`."""
    unit, _, spec = reply.headers["Content-Range"].partition(" ")
    assert unit == "offres", reply.headers["Content-Range"]
    window, _, total = spec.partition("/")
    first, _, last = window.partition("-")
    return int(first), int(last), int(total)


@contextlib.contextmanager
def configured(sb: SandboxProcess, **options):
    """Apply run-time options through /_sandbox/faults, and restore the previous ones after."""
    before = sb.control("faults")
    sb.control("faults", options)
    try:
        yield
    finally:
        sb.control("faults", {k: before[k] for k in options})
