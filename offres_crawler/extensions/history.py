"""After the deltas, the history of every offer (offres_crawler/snapshot/history); a step of the end of the
run (extensions/run_end.py), not an extension of its own.

Only after a snapshot is published (OFFRES_HISTORY_ENABLED, snapshot layout). Every published
snapshot the history lacks is applied, in date order (usually just this one: a few seconds for
a full market). The counts go to the stats (`offres/history/*`), to the snapshot's manifest and
the run report (a `history` section) and to the log; gaps and snapshots published out of order
are said there too. The work runs in a thread.

A failure here never touches the snapshot: it is logged with the command that does it by hand
(`offres-crawler history`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.utils.asyncio import run_in_thread

from offres_crawler.extensions.deltas import add_section
from offres_crawler.snapshot.deltas_layout import beside_snapshots
from offres_crawler.snapshot.history.update import update_history

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from offres_crawler.snapshot.state import SnapshotState

logger = logging.getLogger(__name__)


def history_dir(configured: str | None, snapshot_dir: str) -> Path:
    """OFFRES_HISTORY_DIR, by default beside the snapshots: output/offres -> output/offres_history."""
    return beside_snapshots(snapshot_dir, "history", configured)


class History:
    def __init__(self, settings: BaseSettings, deltas_root: Path | None) -> None:
        self.root = history_dir(settings.get("OFFRES_HISTORY_DIR"), settings.get("OFFRES_SNAPSHOT_DIR"))
        self.deltas_root = deltas_root
        self.keep = settings.getint("OFFRES_HISTORY_CHECKPOINTS")
        self.compression = settings.get("OFFRES_PARQUET_COMPRESSION")

    @classmethod
    def from_settings(cls, settings: BaseSettings, deltas_root: Path | None) -> History | None:
        """None when the history is off (OFFRES_HISTORY_ENABLED) or there is no snapshot."""
        if not (settings.getbool("OFFRES_SNAPSHOT") and settings.getbool("OFFRES_HISTORY_ENABLED")):
            return None
        return cls(settings, deltas_root)

    async def update(self, snapshot: SnapshotState, stats: StatsCollector, documents: list[Path]) -> str:
        """Update the history; add its `history` section to `documents` (the manifest, the run
        report); returns the summary's line."""
        try:
            report = await run_in_thread(update_history, snapshot.root, self.root, self.deltas_root,
                                         keep=self.keep, compression=self.compression)
        except Exception:
            logger.exception("The history update failed; the snapshot itself is published. Do it "
                             "by hand with: offres-crawler history --snapshots %s --history %s",
                             snapshot.root, self.root)
            stats.set_value("offres/history/error", True)
            return "FAILED (see the error above)"
        totals = report["totals"]
        stats.set_value("offres/history/applied", len(report["applied"]))
        stats.set_value("offres/history/records", totals.get("records", 0))
        stats.set_value("offres/history/online", totals.get("online", 0))
        section = {"latest": report["latest"], "applied": [a["date"] for a in report["applied"]],
                   "notes": report["notes"], "totals": totals, "directory": report["history"]}
        for path in documents:
            await run_in_thread(add_section, path, "history", section)
        applied = ", ".join(section["applied"]) or "nothing new"
        note = (f"{applied} applied; {totals.get('records', 0):,} offers ever seen, "
                f"{totals.get('online', 0):,} online, in {report['history']}")
        return note + "".join(f"; {n}" for n in report["notes"])
