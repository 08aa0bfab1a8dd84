"""`offres-crawler schedule`: start the day's full-market snapshot on scrapyd (schedule.json).

scrapyd has no scheduler of its own: cron or a systemd timer runs this command (docs/operations.md).
It asks scrapyd for one `offres_search` job whose settings make it a snapshot of one date:

    OFFRES_SNAPSHOT=1  OFFRES_SNAPSHOT_DATE=<date>      the partition snapshot_date=<date>
    OFFRES_SNAPSHOT_DIR, OFFRES_DELTAS_DIR              under --data-dir
    JOBDIR=<data-dir>/jobs/offres_search-<date>         one per date: a crashed job is resumed
    OFFRES_JOBDIR=<same>                                (kept even if scrapyd's jobs_dir is set)
    OFFRES_SEARCH_REPORT=<data-dir>/reports/...         the run report, beside the data
    OFFRES_SEARCH_OFFERS_URI=""                         the snapshot holds the offers, no extra copy

Credentials never go through here: scrapyd shows every job's settings and arguments in
listjobs.json, so they live in scrapyd's own environment (OFFRES_CLIENT_ID,
OFFRES_CLIENT_SECRET), which its jobs inherit; settings or arguments naming a credential are
refused.

With --if-needed (for a cron entry that runs every half hour) nothing is scheduled when the
date's snapshot is already published, when a job for that date is pending or running, or when
the date has already used --max-runs runs. So the first tick of the day starts the snapshot,
and after a crash or a reboot the next tick resumes it from its JOBDIR.

With --wait the command follows the job to its end, prints the OUTCOME line of its log and exits
with the same code as the crawl: 0 complete (snapshot published), 3 incomplete, 1 failed.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from offres_crawler.deltas.layout import is_published
from offres_crawler.extensions.snapshot_state import STATE_FILE

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:6800/"
DEFAULT_PROJECT = "offres_crawler"
DEFAULT_SPIDER = "offres_search"
JOB_PREFIX = "snapshot-"
VERDICT = re.compile(r"OUTCOME: .*")
# Names that look like credentials: never sent to scrapyd (listjobs.json shows them to anyone).
_CREDENTIAL = re.compile(r"SECRET|PASSWORD|PASSWD|CLIENT_ID|ACCESS_TOKEN|API_KEY", re.IGNORECASE)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INCOMPLETE = 3
EXIT_GAVE_UP = 4


class ScheduleError(Exception):
    pass


@dataclass(frozen=True)
class Layout:
    """Where the scheduled snapshots write, on the scrapyd host."""

    data_dir: Path

    @property
    def snapshots(self) -> Path:
        return self.data_dir / "offres"

    @property
    def deltas(self) -> Path:
        return self.data_dir / "offres_deltas"

    def jobdir(self, spider: str, day: str) -> Path:
        return self.data_dir / "jobs" / f"{spider}-{day}"

    def report(self, spider: str, day: str) -> Path:
        return self.data_dir / "reports" / f"{spider}-{day}_%(time)s.json"


def snapshot_settings(layout: Layout, spider: str, day: str) -> dict[str, str]:
    jobdir = str(layout.jobdir(spider, day))
    return {"OFFRES_SNAPSHOT": "1", "OFFRES_SNAPSHOT_DATE": day,
            "OFFRES_SNAPSHOT_DIR": str(layout.snapshots), "OFFRES_DELTAS_DIR": str(layout.deltas),
            "JOBDIR": jobdir, "OFFRES_JOBDIR": jobdir,
            "OFFRES_SEARCH_REPORT": str(layout.report(spider, day)),
            "OFFRES_SEARCH_OFFERS_URI": ""}


def parse_pairs(pairs: list[str], what: str) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ScheduleError(f"{what} {pair!r}: expected NAME=VALUE")
        if _CREDENTIAL.search(name):
            raise ScheduleError(
                f"{what} {name}: credentials are never passed to scrapyd (its listjobs.json shows "
                f"every job's settings and arguments); put OFFRES_CLIENT_ID and "
                f"OFFRES_CLIENT_SECRET in scrapyd's environment instead (docs/operations.md)")
        out[name] = value
    return out


class Scrapyd:
    """The few calls of scrapyd's JSON API this command needs (urllib: no dependency)."""

    def __init__(self, url: str, username: str | None = None, password: str | None = None,
                 timeout: float = 30.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.timeout = timeout
        self._auth = None
        if username:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            self._auth = f"Basic {token}"

    def _call(self, endpoint: str, params: list[tuple[str, str]] | None = None, post: bool = False) -> Any:
        data = urllib.parse.urlencode(params or []).encode()
        url = urllib.parse.urljoin(self.url, endpoint)
        if not post and params:
            url, data = f"{url}?{data.decode()}", None
        request = urllib.request.Request(url, data=data if post else None,
                                         method="POST" if post else "GET")
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ScheduleError(f"scrapyd at {self.url} did not answer {endpoint}: {exc}") from None
        if isinstance(answer, dict) and answer.get("status") == "error":
            raise ScheduleError(f"scrapyd {endpoint}: {answer.get('message')}")
        return answer

    def schedule(self, project: str, spider: str, job: str, settings: dict[str, str],
                 args: dict[str, str], version: str | None = None) -> str:
        params = [("project", project), ("spider", spider), ("jobid", job)]
        if version:
            params.append(("_version", version))
        params += [("setting", f"{k}={v}") for k, v in settings.items()]
        params += list(args.items())
        return self._call("schedule.json", params, post=True)["jobid"]

    def jobs(self, project: str) -> dict[str, list[dict[str, Any]]]:
        return self._call("listjobs.json", [("project", project)])

    def log(self, log_url: str) -> str:
        request = urllib.request.Request(urllib.parse.urljoin(self.url, log_url))
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError):
            return ""


def _active_jobs(jobs: dict[str, list[dict[str, Any]]], spider: str, day: str) -> list[str]:
    prefix = f"{JOB_PREFIX}{day}-"
    return [job["id"] for state in ("pending", "running") for job in jobs.get(state, [])
            if job.get("spider") == spider and str(job.get("id", "")).startswith(prefix)]


def runs_so_far(jobdir: Path) -> int:
    """How many runs the unfinished snapshot of this JOBDIR has had (0: none)."""
    try:
        state = json.loads((jobdir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return int(state.get("run", 0)) if state.get("status") == "running" else 0


def _wait(client: Scrapyd, project: str, job: str, poll: float, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for finished in client.jobs(project).get("finished", []):
            if finished.get("id") == job:
                return finished
        time.sleep(poll)
    raise ScheduleError(f"job {job} still not finished after {timeout:.0f} s")


HELP = "start the day's full-market snapshot on scrapyd (schedule.json)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=os.environ.get("SCRAPYD_URL", DEFAULT_URL),
                        help="scrapyd's URL (env SCRAPYD_URL; default %(default)s)")
    parser.add_argument("--project", default=DEFAULT_PROJECT)
    parser.add_argument("--spider", default=DEFAULT_SPIDER)
    parser.add_argument("--version", default=None, help="egg version (default: the latest)")
    parser.add_argument("--date", default=None,
                        help="snapshot date YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--data-dir", default=os.environ.get("OFFRES_DATA_DIR", "output"),
                        help="where snapshots, deltas, reports and job dirs go, on the scrapyd "
                             "host (env OFFRES_DATA_DIR; default %(default)s, made absolute)")
    parser.add_argument("--if-needed", action="store_true",
                        help="do nothing if the date's snapshot is published or its job is "
                             "pending or running")
    parser.add_argument("--max-runs", type=int, default=3,
                        help="with --if-needed: runs of one date's snapshot before giving up")
    parser.add_argument("--wait", action="store_true",
                        help="wait for the job and exit with its outcome (0 complete, 3 "
                             "incomplete, 1 failed)")
    parser.add_argument("--poll", type=float, default=10.0, help="seconds between checks with --wait")
    parser.add_argument("--timeout", type=float, default=24 * 3600.0, help="seconds, with --wait")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE", help="an extra Scrapy setting (never a credential)")
    parser.add_argument("-a", dest="args", action="append", default=[], metavar="NAME=VALUE",
                        help="a spider argument (a search parameter)")


def run(opts: argparse.Namespace) -> int:
    day = opts.date or datetime.now(tz=timezone.utc).date().isoformat()
    try:
        datetime.strptime(day, "%Y-%m-%d")
        layout = Layout(Path(opts.data_dir).resolve())
        settings = {**snapshot_settings(layout, opts.spider, day),
                    **parse_pairs(opts.settings, "setting")}
        args = parse_pairs(opts.args, "argument")
        client = Scrapyd(opts.url, os.environ.get("SCRAPYD_USERNAME"), os.environ.get("SCRAPYD_PASSWORD"))
        if opts.if_needed:
            if is_published(layout.snapshots, day):
                print(f"snapshot {day} is already published in {layout.snapshots}: nothing to do")
                return EXIT_OK
            active = _active_jobs(client.jobs(opts.project), opts.spider, day)
            if active:
                print(f"snapshot {day} is already being made by job {', '.join(active)}: nothing to do")
                return EXIT_OK
            runs = runs_so_far(layout.jobdir(opts.spider, day))
            if runs >= opts.max_runs:
                print(f"snapshot {day} is still incomplete after {runs} runs: giving up "
                      f"(see the job logs; JOBDIR {layout.jobdir(opts.spider, day)})", file=sys.stderr)
                return EXIT_GAVE_UP
        job = f"{JOB_PREFIX}{day}-{datetime.now(tz=timezone.utc):%H%M%S}"
        job = client.schedule(opts.project, opts.spider, job, settings, args, opts.version)
        print(f"scheduled job {job}: snapshot {day} of {opts.project}/{opts.spider} on {client.url}")
        if not opts.wait:
            return EXIT_OK
        finished = _wait(client, opts.project, job, opts.poll, opts.timeout)
    except (ScheduleError, ValueError) as exc:
        print(f"offres-crawler schedule: {exc}", file=sys.stderr)
        return EXIT_ERROR
    log = client.log(finished["log_url"]) if finished.get("log_url") else ""
    verdicts = VERDICT.findall(log)
    if not verdicts:
        print(f"job {job} ended without an OUTCOME line: it was killed or could not start "
              f"(see its log)", file=sys.stderr)
        return EXIT_ERROR
    print(verdicts[-1])
    if verdicts[-1].startswith("OUTCOME: COMPLETE"):
        return EXIT_OK
    return EXIT_ERROR if verdicts[-1].startswith("OUTCOME: FAILED") else EXIT_INCOMPLETE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="offres-crawler schedule", description=HELP)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
