"""`scrapy crawl offres_detail` with a JOBDIR, killed with SIGKILL while requests are in flight and
started again: every id of the input is answered exactly once across both runs, nothing secret
is left in the JOBDIR."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from offres_crawler import settings as project_settings
from tests.crawler.api_spiders import FAST_RATE, requests_by_status
from tests.crawler.transport_crawl import crawl_env
from tests.feeds.feeds_crawl import ROOT, Run

MALFORMED = "abc"


def rows(path: Path) -> list[dict]:
    """The complete lines of a JSONL feed (a killed run may leave a torn last one)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines(keepends=True)
            if line.endswith("\n")]


def recorded_ids(path: Path) -> list[str]:
    """The ids of the record of answered ids (offers/answer_log.py), complete lines only."""
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines(keepends=True)
               if line.endswith("\n")]
    return [r[0] if isinstance(r, list) else r for r in records if not isinstance(r, dict)]


def detail_command(sb, tmp_path: Path, ids_file: Path, name: str) -> tuple[list[str], Path]:
    log = tmp_path / f"{name}.log"
    options = {"SPIDER_MODULES": "offres_crawler.spiders",
               "OFFRES_OFFER_SPIDERS": ",".join(project_settings.OFFRES_OFFER_SPIDERS),
               "OFFRES_API_URL": sb.api_url, "OFFRES_TOKEN_URL": sb.token_url,
               "OFFRES_RATE_LIMIT": FAST_RATE, "JOBDIR": str(tmp_path / "job"),
               "OFFRES_DETAIL_OFFERS_URI": str(tmp_path / "out" / "offres.jsonl"),
               "OFFRES_DETAIL_WITHDRAWALS_URI": str(tmp_path / "out" / "withdrawals.jsonl"),
               "OFFRES_REJECTS_URI": str(tmp_path / "out" / "rejects.jsonl"),
               "LOG_FILE": str(log), "LOG_LEVEL": "INFO"}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "offres_detail", "-a", f"ids_file={ids_file}"]
    for key, value in options.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd, log


def run_detail(sb, tmp_path: Path, ids_file: Path, name: str, *, kill_after_rows: int = 0,
               timeout: float = 60.0) -> tuple[Run, bool]:
    """The crawl in a subprocess; SIGKILL once the offers feed has `kill_after_rows` rows."""
    cmd, log = detail_command(sb, tmp_path, ids_file, name)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=crawl_env(sb), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    killed = False
    deadline = time.monotonic() + timeout
    try:
        while kill_after_rows and proc.poll() is None and time.monotonic() < deadline:
            if len(rows(tmp_path / "out" / "offres.jsonl")) >= kill_after_rows:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.02)
        _, stderr = proc.communicate(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text("utf-8", errors="replace") if log.exists() else ""
    return Run(returncode=proc.returncode, log=text, stderr=stderr or ""), killed


def test_a_killed_detail_crawl_resumes_without_losing_or_repeating_an_id(tmp_path, sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--seed", "13", "--churn-withdrawn", "2",
                         "--rate-limit", "50", "--latency", "200-600")
    market = sorted(sb.control("alive")["ids"])
    sb.control("faults", {"clock_skew": 30})  # about 15 % of them withdrawn at once
    ids = market[::3]  # about 330 ids, live and withdrawn ones
    ids_file = tmp_path / "ids.txt"
    # A malformed id first (skipped by every run, never sent), a repeat last.
    ids_file.write_text("\n".join([MALFORMED, *ids, ids[0]]) + "\n", encoding="utf-8")
    before = requests_by_status(sb, "detail")

    first, killed = run_detail(sb, tmp_path, ids_file, "first", kill_after_rows=60)
    assert killed, first.log[-3000:]
    offers_first = rows(tmp_path / "out" / "offres.jsonl")
    withdrawn_first = rows(tmp_path / "out" / "withdrawals.jsonl")
    answered_before = len(offers_first) + len(withdrawn_first)
    assert 60 <= len(offers_first) and answered_before < len(ids)
    record = tmp_path / "job" / "offres_detail" / "answered.jsonl"
    recorded_first = recorded_ids(record)
    assert len(set(recorded_first)) == len(recorded_first)
    # every id recorded has its row; at most the one row being written at the kill has none
    # yet (the resumed run cuts it off and asks that id again)
    assert set(recorded_first) <= {r["id"] for r in offers_first + withdrawn_first}
    assert answered_before - 1 <= len(recorded_first) <= answered_before
    # What a kill between a row and its record leaves, made certain: a whole row whose id is not
    # recorded, then half a line. The resumed run must cut both (the id is asked again).
    unrecorded = next(i for i in ids if i not in recorded_first
                      and i not in {r["id"] for r in offers_first + withdrawn_first})
    with (tmp_path / "out" / "offres.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": unrecorded, "intitule": "left by the kill"}) + '\n{"id": "12')

    second, killed = run_detail(sb, tmp_path, ids_file, "second")
    assert not killed and second.returncode == 0, second.log[-3000:] + second.stderr

    offer_ids = [o["id"] for o in rows(tmp_path / "out" / "offres.jsonl")]
    withdrawn_ids = [w["id"] for w in rows(tmp_path / "out" / "withdrawals.jsonl")]
    every = Counter(offer_ids + withdrawn_ids)
    assert set(every) == set(ids)  # none missing, nothing else
    assert [i for i, n in every.items() if n > 1] == []  # and none written twice

    stats = second.stats()
    assert stats["offres/detail/resumed_skipped"] == len(recorded_first)
    assert stats["offres/detail/resumed_skipped"] == stats["offres/detail/resumed_answered"]
    assert stats["offres/detail/repeated"] == 1
    assert stats["offres/detail/skipped"] == 1 and "offres/detail/malformed" not in stats
    assert "Resuming: " in second.log
    assert "cut back to the last answer recorded" in second.log
    assert "left by the kill" not in (tmp_path / "out" / "offres.jsonl").read_text("utf-8")
    assert sorted(recorded_ids(record)) == sorted(ids)

    sent = Counter(requests_by_status(sb, "detail"))
    sent.subtract(before)
    assert "400" not in sent  # the malformed id was never sent
    # Only the requests in flight (or waiting in the scheduler) at the kill were asked twice;
    # 16 is the API slot's concurrency.
    assert len(ids) <= sum(sent.values()) <= len(ids) + 2 * 16

    secret = sb.client_secret.encode()
    for path in (tmp_path / "job").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert secret not in content, path
            assert b"Bearer" not in content and b"Authorization" not in content, path


def test_feeds_a_kill_would_lose_make_the_next_run_ask_every_id(tmp_path, sandbox_factory):
    sb = sandbox_factory("--offers", "1000", "--seed", "17", "--rate-limit", "50")
    ids = sorted(sb.control("alive")["ids"])[:5]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids), encoding="utf-8")
    record = tmp_path / "job" / "offres_detail" / "answered.jsonl"
    record.parent.mkdir(parents=True)
    record.write_text("".join(json.dumps(i) + "\n" for i in ids), encoding="utf-8")

    cmd, log = detail_command(sb, tmp_path, ids_file, "overwrite")
    cmd += ["-O", str(tmp_path / "out" / "now.parquet")]  # a Parquet file is written at close
    run = subprocess.run(cmd, cwd=ROOT, env=crawl_env(sb), capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    text = log.read_text("utf-8")
    assert "do not keep their rows if the crawl is killed" in text
    stats = Run(run.returncode, text, run.stderr).stats()
    assert stats["offres/detail/offers"] == 5 and "offres/detail/resumed_skipped" not in stats
    assert not record.exists()  # this run's output cannot vouch for it
