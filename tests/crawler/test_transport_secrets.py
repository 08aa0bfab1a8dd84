"""No secret anywhere: neither the client secret nor any access token in what a crawl leaves behind.

A crawl at DEBUG with short-lived tokens, a 401, faults and retries, stopped halfway (so its
JOBDIR holds serialized requests, retries among them) and resumed: every byte of its logs,
stdout/stderr, feeds, final stats and JOBDIR is searched for the secret and for every token the
sandbox issued (the probe spider notes the `Authorization` values seen on the wire, in its
record file, which is the one place they may be).
"""

from __future__ import annotations

import json
import signal
import subprocess
import time

from tests.crawler.transport_crawl import ROOT, collect, crawl_env, probe_command, search_statuses

SECRET = "s3cr3t-Only-In-The-Environment-9f8e7d"


def test_neither_secret_nor_token_in_logs_stats_feeds_or_jobdir(sandbox_factory, tmp_path):
    sandbox = sandbox_factory("--offers", "2000", "--seed", "9", "--token-lifetime", "3",
                              "--rate-limit", "10", client_secret=SECRET)
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
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
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
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
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
        "logs": first.log + second.log,
        "stdout/stderr": first.stdout + first.stderr + second.stdout + second.stderr,
        "feeds": first_files.feed.read_text() + second_files.feed.read_text(),
        "stats": json.dumps(first.stats, default=str) + json.dumps(second.stats, default=str),
        "jobdir": b"".join(p.read_bytes() for p in jobdir.rglob("*") if p.is_file()
                           ).decode("latin-1") + jobdir_bytes.decode("latin-1"),
    }
    assert "DEBUG" in artifacts["logs"] and "Crawled (206)" in artifacts["logs"]
    for name, text in artifacts.items():
        assert SECRET not in text, f"the client secret is in the {name}"
        assert "client_secret" not in text, f"the token request body is in the {name}"
        for token in tokens:
            assert token not in text, f"an access token is in the {name}"
        assert "Bearer " not in text, f"an Authorization header is in the {name}"
