"""`offres-crawler schedule`: start the day's full-market snapshot on scrapyd (schedule.json).

scrapyd has no scheduler of its own: cron or a systemd timer runs this command (docs/operations.md).
It asks scrapyd for one `offres_search` job whose settings make it a snapshot of one date:

    OFFRES_SNAPSHOT=1  OFFRES_SNAPSHOT_DATE=<date>      the partition snapshot_date=<date>
    OFFRES_SNAPSHOT_DIR, OFFRES_DELTAS_DIR              under --data-dir
    JOBDIR=<data-dir>/jobs/offres_search-<date>         one per date: a crashed job is resumed
    OFFRES_JOBDIR=<same>                                (kept even if scrapyd's jobs_dir is set)
    OFFRES_SEARCH_REPORT=<data-dir>/reports/...         the run report, beside the data
    OFFRES_VERDICT_FILE=<data-dir>/verdicts/<job>.json  the job's verdict (JSON), for --wait
(the snapshot holds the offers: no other feed is written).

Credentials never go through here: scrapyd shows every job's settings and arguments in
listjobs.json, so they live in scrapyd's own environment (OFFRES_CLIENT_ID,
OFFRES_CLIENT_SECRET), which its jobs inherit; settings or arguments naming a credential are
refused.

With --if-needed (for a cron entry that runs every half hour) nothing is scheduled when the
date's snapshot is already published, when a job for that date is pending or running, or when
the date has already used --max-runs runs. So the first tick of the day starts the snapshot,
and after a crash or a reboot the next tick resumes it from its JOBDIR.

With --fresh it schedules instead the fresh offers since the latest published snapshot
(OFFRES_SINCE=latest, snapshot/fresh.py), job `fresh-<date>-<HHMMSS>`, for an hourly cron entry;
with --if-needed nothing is scheduled before the first snapshot is published, nor while any job
of this spider is pending or running (scrapyd runs one at a time: they would pile up behind the
day's snapshot).

With --wait the command follows the job to its end and exits with the same code as the crawl:
0 complete (snapshot published), 3 incomplete, 1 failed. It reads them from the verdict file the
job wrote (its exit code is a number in a JSON document), never from the job's log: a log holds
text from the API, and a job killed before its verdict leaves no verdict file (exit code 1). It
prints the verdict's line for people, the same as the last line of the job's log.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from offres_crawler.cli.scrapyd_api import ScheduleError, Scrapyd
from offres_crawler.redaction import safe_text
from offres_crawler.snapshot.deltas_layout import is_published, published_snapshots
from offres_crawler.snapshot.state import STATE_FILE

DEFAULT_URL = "http://127.0.0.1:6800/"
DEFAULT_PROJECT = "offres_crawler"
DEFAULT_SPIDER = "offres_search"
JOB_PREFIX = "snapshot-"
FRESH_PREFIX = "fresh-"
VERDICT_EXIT_CODES = (0, 1, 3)
# Names that look like credentials: never sent to scrapyd (listjobs.json shows them to anyone).
_CREDENTIAL = re.compile(r"SECRET|PASSWORD|PASSWD|CLIENT_ID|ACCESS_TOKEN|API_KEY", re.IGNORECASE)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INCOMPLETE = 3
EXIT_GAVE_UP = 4


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

    def verdict(self, job: str) -> Path:
        return self.data_dir / "verdicts" / f"{job}.json"


def snapshot_settings(layout: Layout, spider: str, day: str, job: str) -> dict[str, str]:
    jobdir = str(layout.jobdir(spider, day))
    return {"OFFRES_SNAPSHOT": "1", "OFFRES_SNAPSHOT_DATE": day,
            "OFFRES_SNAPSHOT_DIR": str(layout.snapshots), "OFFRES_DELTAS_DIR": str(layout.deltas),
            "JOBDIR": jobdir, "OFFRES_JOBDIR": jobdir,
            "OFFRES_SEARCH_REPORT": str(layout.report(spider, day)),
            "OFFRES_VERDICT_FILE": str(layout.verdict(job))}


def fresh_settings(layout: Layout, job: str) -> dict[str, str]:
    return {"OFFRES_SINCE": "latest", "OFFRES_SNAPSHOT_DIR": str(layout.snapshots),
            "OFFRES_SEARCH_REPORT": str(layout.data_dir / "reports" / "fresh_%(time)s.json"),
            "OFFRES_VERDICT_FILE": str(layout.verdict(job))}


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


def _active_jobs(jobs: dict[str, list[dict[str, Any]]], spider: str, *prefixes: str) -> list[str]:
    return [job["id"] for state in ("pending", "running") for job in jobs.get(state, [])
            if job.get("spider") == spider and str(job.get("id", "")).startswith(prefixes)]


def runs_so_far(jobdir: Path) -> int:
    """How many runs the unfinished snapshot of this JOBDIR has had (0: none)."""
    try:
        state = json.loads((jobdir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return int(state.get("run", 0)) if state.get("status") == "running" else 0


def job_verdict(path: Path) -> dict[str, Any] | None:
    """The verdict file a job wrote (extensions/run_end.py), None when there is none usable."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    verdict = document.get("verdict") if isinstance(document, dict) else None
    if not isinstance(verdict, dict) or verdict.get("exit_code") not in VERDICT_EXIT_CODES:
        return None
    return document


def outcome(job: str, path: Path) -> int:
    """Print the job's verdict and return its exit code (1 when it left none)."""
    document = job_verdict(path)
    if document is None:
        print(f"job {job} ended without a verdict in {path}: it was killed or could not start "
              f"(see its log)", file=sys.stderr)
        return EXIT_ERROR
    verdict = document["verdict"]
    line = document.get("line") or f"OUTCOME: {str(verdict.get('status', '')).upper()}"
    print(safe_text(line, 2000))
    return int(verdict["exit_code"])


def _wait(client: Scrapyd, project: str, job: str, poll: float, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for finished in client.jobs(project).get("finished", []):
            if finished.get("id") == job:
                return finished
        time.sleep(poll)
    raise ScheduleError(f"job {job} still not finished after {timeout:.0f} s")


HELP = "start the day's full-market snapshot (or, --fresh, the offers since) on scrapyd (schedule.json)"


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
    parser.add_argument("--fresh", action="store_true",
                        help="schedule the offers created since the latest published snapshot "
                             "instead (OFFRES_SINCE=latest), for an hourly entry")
    parser.add_argument("--wait", action="store_true",
                        help="wait for the job and exit with its outcome (0 complete, 3 "
                             "incomplete, 1 failed)")
    parser.add_argument("--poll", type=float, default=10.0, help="seconds between checks with --wait")
    parser.add_argument("--timeout", type=float, default=24 * 3600.0, help="seconds, with --wait")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE", help="an extra Scrapy setting (never a credential)")
    parser.add_argument("-a", dest="args", action="append", default=[], metavar="NAME=VALUE",
                        help="a spider argument (a search parameter)")


def _fresh_needed(client: Scrapyd, opts: argparse.Namespace, layout: Layout) -> bool:
    if not published_snapshots(layout.snapshots):
        print(f"no snapshot published in {layout.snapshots} yet: no fresh offers to harvest")
        return False
    active = _active_jobs(client.jobs(opts.project), opts.spider, JOB_PREFIX, FRESH_PREFIX)
    if active:
        print(f"job {', '.join(active)} is pending or running: nothing to do")
        return False
    return True


def run(opts: argparse.Namespace) -> int:
    day = opts.date or datetime.now(tz=UTC).date().isoformat()
    try:
        datetime.strptime(day, "%Y-%m-%d")
        layout = Layout(Path(opts.data_dir).resolve())
        job = f"{FRESH_PREFIX if opts.fresh else JOB_PREFIX}{day}-{datetime.now(tz=UTC):%H%M%S}"
        ours = fresh_settings(layout, job) if opts.fresh else snapshot_settings(layout, opts.spider, day, job)
        settings = {**ours, **parse_pairs(opts.settings, "setting")}
        args = parse_pairs(opts.args, "argument")
        client = Scrapyd(opts.url, os.environ.get("SCRAPYD_USERNAME"), os.environ.get("SCRAPYD_PASSWORD"))
        if opts.fresh and opts.if_needed and not _fresh_needed(client, opts, layout):
            return EXIT_OK
        if opts.if_needed and not opts.fresh:
            if is_published(layout.snapshots, day):
                print(f"snapshot {day} is already published in {layout.snapshots}: nothing to do")
                return EXIT_OK
            active = _active_jobs(client.jobs(opts.project), opts.spider, f"{JOB_PREFIX}{day}-")
            if active:
                print(f"snapshot {day} is already being made by job {', '.join(active)}: nothing to do")
                return EXIT_OK
            runs = runs_so_far(layout.jobdir(opts.spider, day))
            if runs >= opts.max_runs:
                print(f"snapshot {day} is still incomplete after {runs} runs: giving up "
                      f"(see the job logs; JOBDIR {layout.jobdir(opts.spider, day)})", file=sys.stderr)
                return EXIT_GAVE_UP
        verdict_file = Path(settings["OFFRES_VERDICT_FILE"])
        verdict_file.unlink(missing_ok=True)  # whatever is there was not written by this job
        job = client.schedule(opts.project, opts.spider, job, settings, args, opts.version)
        what = "fresh offers since the latest snapshot" if opts.fresh else f"snapshot {day}"
        print(f"scheduled job {job}: {what} of {opts.project}/{opts.spider} on {client.url}")
        if not opts.wait:
            return EXIT_OK
        _wait(client, opts.project, job, opts.poll, opts.timeout)
    except (ScheduleError, ValueError, OSError) as exc:
        print(f"offres-crawler schedule: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return outcome(job, verdict_file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="offres-crawler schedule", description=HELP)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
