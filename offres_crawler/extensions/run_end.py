"""The end of every run, in one place and in one order: the project's only `engine_stopped` step.

When the engine has stopped, the spider is closed and every feed is final (compacted, snapshot
parts committed). Then, in this order:
1. the facts are read (the finish reason; from the run context, the spider's harvest ledger and
   shortfalls; the transport's failed requests; feeds Scrapy could not store) and the verdict is
   decided, once (harvest/verdict.py); stats `offres/outcome` and `offres/exit_code` follow it;
2. the run report's content is built: the spider's own, with `complete` and `verdict`;
3. in the snapshot layout, the manifest is written into the staging directory and the snapshot
   is published only if the verdict is complete. Should the publication itself fail (an I/O
   error), that is one more fact and the verdict is decided again, before anything reads it;
4. the run report and the verdict file (OFFRES_VERDICT_FILE, by default
   JOBDIR/offres_verdict.json) are written;
5. on a published snapshot, the deltas against the previous one (extensions/deltas.py), then
   the history of every offer (extensions/history.py), added to the manifest and the report;
6. the summary, then the OUTCOME line: the last line of the log.
The verdict stays in the run context (run_context.py): the `crawl` command's exit code.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.job import job_dir

from offres_crawler.addon_feeds import redact_uri
from offres_crawler.exporters.registry import FeedRegistry
from offres_crawler.extensions.deltas import Deltas, add_section, deltas_dir
from offres_crawler.extensions.history import History
from offres_crawler.extensions.snapshot import snapshot_manifest
from offres_crawler.files import write_json_atomic
from offres_crawler.harvest.outcome import Outputs, summary_lines, verdict_line
from offres_crawler.harvest.run_report import with_verdict
from offres_crawler.harvest.verdict import RunFacts, Verdict, decide
from offres_crawler.run_context import run_context
from offres_crawler.snapshot.state import MANIFEST, SnapshotState
from offres_crawler.transport.failures import run_failures

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

VERDICT_FILE = "offres_verdict.json"  # in JOBDIR, unless OFFRES_VERDICT_FILE says where
VERDICT_FORMAT = 1


def verdict_path(settings: Any) -> Path | None:
    explicit = settings.get("OFFRES_VERDICT_FILE")
    if explicit:
        return Path(explicit)
    jobdir = settings.get("JOBDIR")  # not scrapy's job_dir(): that creates the folder
    return Path(jobdir) / VERDICT_FILE if jobdir else None


class RunEnd:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.context = run_context(crawler)
        self.deltas = Deltas.from_settings(crawler.settings)
        self.history = History.from_settings(crawler.settings, deltas_dir(
            crawler.settings.get("OFFRES_DELTAS_DIR"), crawler.settings.get("OFFRES_SNAPSHOT_DIR")))
        self.verdict_file = verdict_path(crawler.settings)
        self.reason: str | None = None
        self.feeds: list[str] = []
        crawler.signals.connect(self.spider_closed, signals.spider_closed)
        crawler.signals.connect(self.feed_slot_closed, signals.feed_slot_closed)
        crawler.signals.connect(self.engine_stopped, signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunEnd:
        return cls(crawler)

    def spider_closed(self, reason: str) -> None:
        self.reason = reason

    def feed_slot_closed(self, slot: Any) -> None:
        storage = getattr(slot, "storage", None)
        where = str(storage.path) if isinstance(storage, FileFeedStorage) else redact_uri(slot.uri)
        if "_inprogress" not in where:  # snapshot parts: the snapshot directory says it all
            self.feeds.append(where)

    # -- 1. the verdict ---------------------------------------------------------------------------

    def facts(self) -> RunFacts:
        stats = self.crawler.stats.get_stats()
        harvest = self.context.harvest() if self.context.harvest is not None else None
        return RunFacts(
            finish_reason=self.reason or stats.get("finish_reason"),
            harvest=harvest,
            failures=dict(Counter(f.reason for f in run_failures(self.crawler).entries)),
            shortfalls=tuple(self.context.shortfalls),
            feeds_not_stored=sum(v for k, v in stats.items() if k.startswith("feedexport/failed_count/")),
            items=stats.get("item_scraped_count", 0))

    def _judge(self, facts: RunFacts) -> Verdict:
        verdict = decide(facts)
        self.context.verdict = verdict
        self.crawler.stats.set_value("offres/outcome", verdict.status)
        self.crawler.stats.set_value("offres/exit_code", verdict.exit_code)
        return verdict

    def _report(self, verdict: Verdict) -> dict[str, Any] | None:
        if self.context.report is None:
            return None
        try:
            report = self.context.report.content(verdict.finish_reason, self.feeds)
        except Exception:  # the data are what they are: a broken report must not hold them back
            logger.exception("The run report could not be built")
            return None
        return with_verdict(report, verdict)

    # -- the sequence -----------------------------------------------------------------------------

    async def engine_stopped(self) -> None:
        facts = self.facts()
        verdict = self._judge(facts)
        report = self._report(verdict)  # before publishing: the manifest carries it
        snapshot = FeedRegistry.of(self.crawler).snapshot
        out = Outputs(feeds=self.feeds, rejects=self.crawler.settings.get("OFFRES_REJECTS_URI"))
        if self.crawler.settings.getbool("OFFRES_SNAPSHOT") and snapshot is not None:
            error = await self._finish_snapshot(snapshot, verdict, report)
            if error is not None:  # nothing was published: the verdict must say so
                verdict = self._judge(replace(facts, publish_error=error))
                report = self._report(verdict)
                await self._finish_snapshot(snapshot, verdict, report)
            out.snapshot_date = snapshot.snapshot_date
            if snapshot.status == "published":
                out.snapshot_published = str(snapshot.published_dir)
            else:
                out.snapshot_staging = str(snapshot.staging_dir)
            out.rejects = f"{out.snapshot_published or out.snapshot_staging}/_rejects/"
        if report is not None and self.context.report is not None:
            out.report = await self._write(self.context.report.path, report, "run report")
        out.verdict_file = await self._write_verdict(verdict, out)
        if out.snapshot_published and self.deltas is not None:
            await self._deltas(snapshot, out)
        elif out.snapshot_date and self.deltas is not None:
            out.deltas_note = "not computed: the snapshot was not published"
        if out.snapshot_published and self.history is not None:
            documents = [snapshot.published_dir / MANIFEST, *([Path(out.report)] if out.report else [])]
            out.history_note = await self.history.update(snapshot, self.crawler.stats, documents)
        self._announce(verdict, out)

    async def _finish_snapshot(self, snapshot: SnapshotState, verdict: Verdict,
                               report: dict[str, Any] | None) -> str | None:
        """Manifest, then publication if complete; the error that kept a complete snapshot from
        being published (whatever it is: the verdict must then say so)."""
        jobdir = job_dir(self.crawler.settings)
        try:
            manifest = snapshot_manifest(self.crawler, snapshot, verdict=verdict.to_json(), run_report=report)
            published = await run_in_thread(snapshot.finish, manifest, Path(jobdir) if jobdir else None)
        except Exception as exc:
            if snapshot.status == "published":  # the rename happened; only the JOBDIR state failed
                logger.error("Snapshot %s is published but its state could not be saved in the "
                             "JOBDIR: %s", snapshot.snapshot_date, exc)
                return None
            logger.exception("Snapshot %s could not be finished", snapshot.snapshot_date)
            return f"{type(exc).__name__}: {exc}" if verdict.complete else None
        if published is not None:
            self.crawler.stats.set_value("offres/snapshot/published", str(published))
            logger.info("Snapshot %s published: %s (%d offers in %d parts)", snapshot.snapshot_date,
                        published, manifest["counts"]["offers"], len(manifest["parts"]))
        else:
            logger.warning("Snapshot %s is incomplete: left unpublished in %s; run again with the "
                           "same JOBDIR to resume it", snapshot.snapshot_date, snapshot.staging_dir)
        return None

    async def _write(self, path: Path, data: dict[str, Any], what: str) -> str | None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            await run_in_thread(write_json_atomic, path, data)
        except OSError:
            logger.exception("The %s could not be written to %s", what, path)
            return None
        return str(path)

    async def _write_verdict(self, verdict: Verdict, out: Outputs) -> str | None:
        if self.verdict_file is None:
            return None
        document = {
            "format": VERDICT_FORMAT,
            "spider": getattr(self.crawler.spidercls, "name", None),
            "written_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            "verdict": verdict.to_json(),
            "line": verdict_line(verdict, out),  # the OUTCOME line of the log, for people
            "snapshot": ({"date": out.snapshot_date, "published": out.snapshot_published,
                          "staging": out.snapshot_staging} if out.snapshot_date else None),
            "report": out.report,
        }
        return await self._write(self.verdict_file, document, "verdict file")

    async def _deltas(self, snapshot: SnapshotState, out: Outputs) -> None:
        assert self.deltas is not None
        result = await self.deltas.compute(snapshot, self.crawler.stats)
        out.deltas, out.deltas_note = result.report, result.note
        section = result.section()
        if section is not None:
            paths = [snapshot.published_dir / MANIFEST, *([Path(out.report)] if out.report else [])]
            for path in paths:
                await run_in_thread(add_section, path, "deltas", section)

    def _announce(self, verdict: Verdict, out: Outputs) -> None:
        for reason in verdict.reasons:
            for detail in reason.details:
                logger.warning("Why the run is %s: %s (%s)", verdict.status, reason.text, detail)
        stats = self.crawler.stats.get_stats()
        logger.info("Run summary:\n  %s", "\n  ".join(summary_lines(stats, out)))
        # a warning, not an error: whatever went wrong has been logged as an error already
        log = logger.info if verdict.complete else logger.warning
        log(verdict_line(verdict, out))
