"""A refused argument touches no file of the user's, for every spider: `scrapy crawl` with `-O`
(overwrite) or `-o` (append) on existing JSONL and Parquet files and a bad argument exits 1 with
one error line naming the argument and the rule; the files keep their bytes and their mtime,
nothing else is written (no default feed, no report, no rejects) and not one request reaches
the sandbox (not even a token)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests import spawn
from tests.crawler.transport_crawl import ROOT, crawl_env
from tests.feeds.feeds_crawl import Run

OLD = 1_000_000_000  # 2001-09-09: an mtime no run of today can leave


def user_files(directory: Path) -> dict[str, Path]:
    """Two feeds the user already has, JSONL and Parquet, dated in the past."""
    directory.mkdir()
    files = {"jsonl": directory / "offres.jsonl", "parquet": directory / "offres.parquet"}
    files["jsonl"].write_bytes(b'{"id": "179QWXC"}\n{"id": "8521039"}\n')
    files["parquet"].write_bytes(b"PAR1 not rewritten PAR1")
    for path in files.values():
        os.utime(path, ns=(OLD * 10**9, OLD * 10**9))
    return files


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


def refused_crawl(tmp_path: Path, sandbox, spider: str, flag: str, args: dict[str, str]) -> Run:
    files = user_files(tmp_path / "mine")
    before = snapshot(tmp_path / "mine")
    out = tmp_path / "defaults"  # where every default output of the spiders would go
    log = tmp_path / "run.log"
    settings = {"OFFRES_API_URL": sandbox.api_url, "OFFRES_TOKEN_URL": sandbox.token_url,
                "LOG_FILE": str(log), "LOG_LEVEL": "DEBUG",
                "OFFRES_SEARCH_OFFERS_URI": str(out / "search.jsonl"),
                "OFFRES_SEARCH_REPORT": str(out / "search.report.json"),
                "OFFRES_REFERENTIELS_URI": str(out / "%(referentiel)s.jsonl"),
                "OFFRES_REFERENTIELS_REPORT": str(out / "_report.json"),
                "OFFRES_DETAIL_OFFERS_URI": str(out / "offres.jsonl"),
                "OFFRES_DETAIL_WITHDRAWALS_URI": str(out / "withdrawals.jsonl"),
                "OFFRES_REJECTS_URI": str(out / "rejects.jsonl")}
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, flag, str(files["jsonl"])]
    if flag == "-O":  # `-o x.parquet` is refused on its own (tests/ops/test_kill_feeds.py)
        cmd += [flag, str(files["parquet"])]
    for key, value in args.items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    requests_before = sandbox.stats()["requests"]
    proc = spawn.run(cmd, cwd=ROOT, env=crawl_env(sandbox), capture_output=True, text=True,
                          timeout=120, check=False)
    assert sandbox.stats()["requests"] == requests_before  # not one request, not even a token
    assert snapshot(tmp_path / "mine") == before  # same bytes, same mtime
    assert not out.exists()  # no default feed, report or rejects file
    run = Run(returncode=proc.returncode, log=log.read_text("utf-8"), stderr=proc.stderr)
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stats()["finish_reason"] == "offres_bad_argument"
    return run


def errors(run: Run) -> list[str]:
    return [line for line in run.log.splitlines() if "] ERROR: " in line]


# Each spider with -O and with -o (every flag on a JSONL and a Parquet file), one rule a case.
CASES = [
    ("offres_search", "-O", {"commune": "٧٥٠٥٦"},
     "offres_search: invalid argument commune: '٧٥٠٥٦' is not an INSEE commune code"),
    ("offres_search", "-o", {"commune": "75056", "distance": "１０"},
     "offres_search: invalid argument distance: '１０' is not a whole number of kilometres"),
    ("offres_search", "-O", {"minCreationDate": "0001-01-01T00:00:00Z",
                             "maxCreationDate": "2025-01-01T00:00:00Z"},
     "offres_search: invalid argument minCreationDate: '0001-01-01T00:00:00Z' is not within the "
     "years 2000 to 2100"),
    ("referentiels", "-O", {"names": "metiers,metier"},
     "Unknown referentiel name: 'metier' (did you mean 'metiers'?). Valid names: appellations"),
    ("referentiels", "-o", {"names": "../offres"},
     "Unknown referentiel name: '../offres'. Valid names: appellations"),
    ("offres_detail", "-O", {"ids": "179QWXC,.."},
     "offres_detail: ids: '..' is not an offer id (the API's ids are 7 capital letters or digits"),
    ("offres_detail", "-o", {"ids_file": "/dev/zero"},
     "offres_detail: ids_file '/dev/zero': is a character device, not a regular file or a directory"),
]


@pytest.mark.parametrize(("spider", "flag", "args", "error"), CASES,
                         ids=[f"{spider}{flag}-{'-'.join(args)}" for spider, flag, args, _ in CASES])
def test_a_refused_argument_leaves_the_users_files_alone(tmp_path, sandbox, spider, flag, args, error):
    run = refused_crawl(tmp_path, sandbox, spider, flag, args)
    [line] = errors(run)
    assert error in line


def test_a_binary_ids_file_is_one_line_naming_its_line(tmp_path, sandbox):
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"179QWXC\n8521039\n\x89PNG\r\n\x1a\n" + bytes(range(256)))
    run = refused_crawl(tmp_path, sandbox, "offres_detail", "-O", {"ids_file": str(ids)})
    [line] = errors(run)
    assert (f"offres_detail: ids_file {str(ids)!r}: ids.txt line 3: not UTF-8 text "
            "(byte 0x89 at column 1)") in line
    assert "Traceback" not in run.log and "Traceback" not in run.stderr


def jobdir_files(job: Path) -> dict[str, bytes]:
    """What a JOBDIR holds but the verdict file (each run's own, refused ones included)."""
    return {str(p.relative_to(job)): p.read_bytes() for p in job.rglob("*")
            if p.is_file() and p.name != "offres_verdict.json"}


def test_a_refused_argument_leaves_a_resumable_harvest_alone(tmp_path, sandbox):
    """A typo in the arguments of a resumed run sends no request and leaves the JOBDIR (the
    checkpointed plan, the request queue) and the feed as they were, for the next run to resume."""
    job = tmp_path / "job"
    env = crawl_env(sandbox)
    feed = tmp_path / "first.jsonl"  # appended to: the plan is checkpointed with it
    base = [sys.executable, "-m", "scrapy", "crawl", "offres_search", "-s", f"JOBDIR={job}",
            "-s", f"OFFRES_API_URL={sandbox.api_url}", "-s", f"OFFRES_TOKEN_URL={sandbox.token_url}",
            "-s", f"OFFRES_REJECTS_URI={tmp_path / 'rejects.jsonl'}", "-s", "OFFRES_RATE_LIMIT=40",
            "-o", str(feed)]
    first = spawn.run([*base, "-s", "CLOSESPIDER_PAGECOUNT=3", "-s", f"LOG_FILE={tmp_path / 'first.log'}"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "closespider_pagecount" in (tmp_path / "first.log").read_text("utf-8"), first.stderr[-2000:]
    saved = jobdir_files(job)
    checkpoint = json.loads(saved["offres_checkpoint.json"])
    assert checkpoint["spider"] == "offres_search" and checkpoint["state"]["ledger"]["requests"] > 0
    written = feed.read_bytes()
    requests_before = sandbox.stats()["requests"]

    second = spawn.run([*base, "-a", "commune=٧٥٠٥٦", "-s", f"LOG_FILE={tmp_path / 'second.log'}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert second.returncode == 1
    assert sandbox.stats()["requests"] == requests_before
    assert jobdir_files(job) == saved
    assert feed.read_bytes() == written
