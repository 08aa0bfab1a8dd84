"""No secret anywhere, in any form: neither the client secret nor any access token in what a crawl
leaves behind.

The planted secret, `Zq+9/x=Y&w!é`, is written differently by every encoding (URL-encoded with
quote and quote_plus, base64 alone and as `id:secret` in Basic auth, JSON-escaped, ...); every
byte a run writes is searched for every form of it and of every token issued (`forms`).

1. The probe spider at DEBUG with short-lived tokens, a 401, faults and retries, stopped halfway
   (so its JOBDIR holds serialized requests, retries among them) and resumed: its logs,
   stdout/stderr, feeds, final stats, verdict files and JOBDIR (the probe's record file notes
   the `Authorization` values seen on the wire, and is the one place they may be).
2. Every spider of the project (offres_search, referentiels, offres_detail) at DEBUG against a
   sandbox started with that secret, with faults (5xx, resets, cut bodies, a 401, tokens that
   expire every 3 s), behind a token endpoint that echoes the form body (the secret,
   URL-encoded) in a 503 and, for one run, in a 400 refusal that is logged; and an API answer
   that echoes the `Authorization` header in its message. Each run in its own working
   directory (so every default output lands there), with a JOBDIR: every file under it
   (decompressed when gzip), stdout and stderr.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

from tests import spawn
from tests.crawler.local_server import LocalServer, Received
from tests.crawler.transport_crawl import ROOT, collect, crawl_env, probe_command, search_statuses

SECRET = "Zq+9/x=Y&w!é"
CLIENT_ID = "PAR_sandbox_demo"


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def forms(secret: str, client_id: str = CLIENT_ID) -> dict[str, bytes]:
    """The ways `secret` can be written, as bytes, named (written out here, independently of
    offres_crawler/redaction.py)."""
    raw = secret.encode()
    b64 = base64.b64encode(raw).decode()
    found = {
        "raw": secret, "quote": quote(secret, safe=""), "quote, / kept": quote(secret),
        "quote_plus": quote_plus(secret), "quote, lower-case hex": _lower_hex(quote(secret, safe="")),
        "base64": b64.rstrip("="), "urlsafe base64": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "basic auth": base64.b64encode(f"{client_id}:{secret}".encode()).decode().rstrip("="),
        "json": json.dumps(secret)[1:-1], "json, / escaped": json.dumps(secret)[1:-1].replace("/", "\\/"),
        "html": html.escape(secret), "bytes repr": repr(raw)[2:-1],
    }
    # inside longer base64 text: the characters made of the secret's bytes only, each alignment
    for shift in (1, 2):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        found[f"base64 at offset {shift}"] = encoded[4:len(encoded) - (4 if (shift + len(raw)) % 3 else 0)]
    return {name: value.encode("utf-8") for name, value in found.items()}


def assert_no_secret(artifacts: dict[str, bytes], secrets: dict[str, str]) -> None:
    """No form of any of `secrets` ({what: value}) in any of `artifacts` ({what: bytes})."""
    assert secrets
    for where, data in artifacts.items():
        for what, secret in secrets.items():
            for form, value in forms(secret).items():
                assert value not in data, f"the {what} ({form}) is in the {where}"
        assert not re.search(rb"client_secret=(?!\*\*\*)", data), f"the token request body is in the {where}"
        assert not re.search(rb"Bearer (?!\*\*\*)", data), f"an Authorization header is in the {where}"


def test_neither_secret_nor_token_in_logs_stats_feeds_or_jobdir(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "9", "--token-lifetime", "3",
                              "--rate-limit", "10", client_secret=SECRET, client_id=CLIENT_ID)
    sandbox.control("faults", {"fail_next": [{"kind": "401", "count": 1},
                                             {"kind": "5xx", "count": 1},
                                             {"kind": "reset", "count": 1},
                                             {"kind": "truncate", "count": 1}]})
    jobdir = tmp_path / "jobdir"
    settings = {"JOBDIR": str(jobdir), "OFFRES_RATE_LIMIT": "10"}
    env = crawl_env(sandbox)

    # First run, stopped halfway: pending requests stay pickled in the JOBDIR.
    cmd, first_files = probe_command(sandbox, tmp_path, "-a", "requests=45", "-a", "window=20",
                                     settings=settings, name="first")
    proc = spawn.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while sum(search_statuses(sandbox).values()) < 15 and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    first = collect(proc.returncode, out, err, first_files)
    assert first.stats["finish_reason"] == "shutdown"
    assert first.returncode == 1
    pending = [p for p in (jobdir / "requests.queue").rglob("*")
               if p.is_file() and p.stat().st_size]
    assert pending, "the interrupted crawl left no serialized request to inspect"
    jobdir_bytes = b"".join(p.read_bytes() for p in jobdir.rglob("*") if p.is_file())
    assert b"transport_probe" in jobdir_bytes or b"parse" in jobdir_bytes  # pickled requests

    # Resumed: the serialized requests carry no token and get a fresh one at send time.
    cmd, second_files = probe_command(sandbox, tmp_path, "-a", "requests=45", "-a", "window=20",
                                      settings=settings, name="second")
    proc = spawn.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    second = collect(proc.returncode, proc.stdout, proc.stderr, second_files)
    assert second.returncode == 0, second.stderr[-2000:]
    assert sorted(i["n"] for i in first.items + second.items) == list(range(45))
    assert search_statuses(sandbox).get("401") == 1  # the injected one; no stale token ever

    tokens = {s["authorization"].removeprefix("Bearer ")
              for run in (first, second) for s in run.sends if s["authorization"]}
    assert len(tokens) >= 3 and all(len(t) == 27 for t in tokens)
    assert sandbox.stats()["tokens_issued"] == len(tokens)

    artifacts = {
        "logs": (first.log + second.log).encode(),
        "stdout/stderr": (first.stdout + first.stderr + second.stdout + second.stderr).encode(),
        "feeds": first_files.feed.read_bytes() + second_files.feed.read_bytes(),
        "stats": (json.dumps(first.stats, default=str) + json.dumps(second.stats, default=str)).encode(),
        "verdict files": first_files.verdict.read_bytes() + second_files.verdict.read_bytes(),
        "jobdir": b"".join(p.read_bytes() for p in jobdir.rglob("*") if p.is_file()) + jobdir_bytes,
    }
    assert b"DEBUG" in artifacts["logs"] and b"Crawled (206)" in artifacts["logs"]
    assert_no_secret(artifacts, {"client secret": SECRET,
                                 **{f"access token {n}": t for n, t in enumerate(sorted(tokens))}})


# -- 2. every spider of the project --------------------------------------------------------------

FAULTS = [{"kind": "401", "count": 1}, {"kind": "5xx", "count": 2}, {"kind": "reset", "count": 1},
          {"kind": "truncate", "count": 1}]
ECHO_ID = "999ECHO"  # offres_detail asks for it: the API's 400 echoes the request's token


class EchoingEndpoints:
    """Rules of the LocalServer in front of the sandbox: the token endpoint echoes the form body
    it received (the secret URL-encoded, then base64 and JSON-escaped) in a 503 once per run,
    and in a 400 refusal when `refuse` is set; the API echoes the `Authorization` header."""

    def __init__(self) -> None:
        self.refuse = False
        self.echoed = 0
        self._echo_next = True

    def rearm(self) -> None:
        self._echo_next = True

    def __call__(self, got: Received) -> tuple[int, bytes] | None:
        if "access_token" in got.path and (self.refuse or self._echo_next):
            self._echo_next = False
            self.echoed += 1
            form = got.body.decode()
            echo = (f"invalid form {form} / {base64.b64encode(got.body).decode()} / "
                    f"{json.dumps(dict(p.split('=', 1) for p in form.split('&')))}")
            if self.refuse:
                return 400, json.dumps({"error": "invalid_client", "error_description": echo}).encode()
            return 503, json.dumps({"message": echo}).encode()
        if got.path.split("?")[0].endswith(f"/v2/offres/{ECHO_ID}"):
            auth = got.headers.get("Authorization", "")
            message = f"token {auth} / {base64.b64encode(auth.encode()).decode()} refused"
            return 400, json.dumps({"codeErreur": "1", "codeHttp": 400, "message": message}).encode()
        return None


def _spider_run(name: str, base: Path, sb, server: LocalServer, spider: str, *args: str,
                secret_as_setting: bool = False) -> tuple[subprocess.CompletedProcess, Path]:
    """`scrapy crawl` in `base/name` (its working directory: every default output lands
    there), at DEBUG, with a JOBDIR, the credentials in the environment (or the secret as a
    `-s` setting), the sandbox reached through `server`."""
    cwd = base / name
    cwd.mkdir(parents=True)
    settings = {"OFFRES_API_URL": sb.api_url.replace(sb.root_url, server.url()),
                "OFFRES_TOKEN_URL": sb.token_url.replace(sb.root_url, server.url()),
                "LOG_LEVEL": "DEBUG", "LOG_FILE": "crawl.log", "JOBDIR": "jobdir",
                "OFFRES_RATE_LIMIT": "40", "OFFRES_RETRY_BACKOFF_BASE": "0.05",
                "OFFRES_RETRY_BACKOFF_MAX": "0.3"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFRES_", "SCRAPY_"))}
    env.update(PYTHONPATH=str(ROOT), SCRAPY_SETTINGS_MODULE="offres_crawler.settings",
               OFFRES_CLIENT_ID=CLIENT_ID)
    if secret_as_setting:
        settings["OFFRES_CLIENT_SECRET"] = SECRET
    else:
        env["OFFRES_CLIENT_SECRET"] = SECRET
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    proc = spawn.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=180, check=False)
    return proc, cwd


def _written(cwd: Path, proc: subprocess.CompletedProcess) -> dict[str, bytes]:
    """Every byte a run wrote: each file under its directory (gzip files decompressed too),
    its stdout and stderr."""
    found = {"stdout": proc.stdout, "stderr": proc.stderr}
    for path in sorted(p for p in cwd.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found[str(path.relative_to(cwd))] = data + (gzip.decompress(data) if path.suffix == ".gz" else b"")
    return found


def test_every_spider_at_debug_with_faults_leaves_no_form_of_a_secret(sandbox_factory, tmp_path):
    sb = sandbox_factory("--offers", "1500", "--seed", "11", "--token-lifetime", "3",
                         "--rate-limit", "50", client_secret=SECRET, client_id=CLIENT_ID)
    echo = EchoingEndpoints()
    server = LocalServer(sb.root_url, rules=[echo])
    ids = sorted(sb.control("alive")["ids"])[:12]
    written: dict[str, bytes] = {}
    try:
        runs = {
            "search": ("offres_search", "-a", "departement=75"),
            "referentiels": ("referentiels",),
            "detail": ("offres_detail", "-a", f"ids={','.join([*ids, ECHO_ID, '000AAAA'])}"),
        }
        for name, command in runs.items():
            sb.control("faults", {"fail_next": FAULTS})
            echo.rearm()
            proc, cwd = _spider_run(name, tmp_path, sb, server, *command,
                                    secret_as_setting=name == "referentiels")
            log = (cwd / "crawl.log").read_text(encoding="utf-8")
            assert proc.returncode == 0, log[-3000:]
            assert "] DEBUG: " in log and "Token request failed (http_503)" in log
            written.update({f"{name}: {k}": v for k, v in _written(cwd, proc).items()})
        assert any(k.startswith("search: jobdir/") for k in written)
        assert b"token Bearer *** / *** refused" in written["detail: crawl.log"]  # the API's echo, masked

        echo.refuse = True  # a refusal is logged with the server's description: the echo, masked
        proc, cwd = _spider_run("refused", tmp_path, sb, server, "offres_detail", "-a", f"ids={ids[0]}")
        log = (cwd / "crawl.log").read_text(encoding="utf-8")
        assert proc.returncode == 1
        (refusal,) = [line for line in log.splitlines() if "invalid_client" in line and "ERROR" in line]
        assert "invalid form grant_type=client_credentials&client_id=PAR_sandbox_demo&client_secret=***" in refusal
        written.update({f"refused: {k}": v for k, v in _written(cwd, proc).items()})
    finally:
        server.close()

    assert echo.echoed == 4 and len(server.tokens) >= 4  # tokens expire every 3 s: renewed
    assert sb.stats()["tokens_issued"] == len(server.tokens)
    assert_no_secret(written, {"client secret": SECRET,
                               **{f"access token {n}": t for n, t in enumerate(sorted(server.tokens))}})
