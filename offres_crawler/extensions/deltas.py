"""After a snapshot is published, what changed since the previous one (deltas/); a step of the end
of the run (extensions/run_end.py), not an extension of its own.

Only a published snapshot is compared, always with the latest published one before it. The
counts go to the stats (`offres/deltas/created|updated|withdrawn|unchanged`,
`offres/deltas/previous`), to the snapshot's `_manifest.json` and to the run report (a `deltas`
section in each), and to the log. The work (about 35 s for two snapshots of a million offers)
runs in a thread.

A failure here never touches the snapshot: it is logged with the command that computes the
deltas again by hand (`offres-crawler deltas --date YYYY-MM-DD`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.asyncio import run_in_thread

from offres_crawler.files import read_json, write_json_atomic
from offres_crawler.snapshot.deltas_layout import SnapshotDamaged, beside_snapshots
from offres_crawler.snapshot.deltas_writer import write_deltas

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from offres_crawler.snapshot.state import SnapshotState

logger = logging.getLogger(__name__)


def deltas_dir(configured: str | None, snapshot_dir: str) -> Path:
    """OFFRES_DELTAS_DIR, by default beside the snapshots: output/offres -> output/offres_deltas."""
    return beside_snapshots(snapshot_dir, "deltas", configured)


def add_section(path: Path, name: str, value: Any) -> None:
    """Add a top-level section to a JSON file, atomically (a warning if it cannot be done)."""
    try:
        data = read_json(path)
        data[name] = value
        write_json_atomic(path, data)
    except (OSError, ValueError):
        logger.warning("Could not add the %s section to %s", name, path, exc_info=True)


@dataclass
class DeltasResult:
    report: dict[str, Any] | None = None  # what snapshot/deltas_writer.py returned
    note: str | None = None  # why there is none

    def section(self) -> dict[str, Any] | None:
        """The `deltas` section of the manifest and of the run report."""
        if self.report is None:
            return None
        return {k: self.report[k] for k in ("previous_snapshot_date", "counts", "content_compared",
                                            "directory")}


class Deltas:
    def __init__(self, settings: BaseSettings) -> None:
        self.root = deltas_dir(settings.get("OFFRES_DELTAS_DIR"), settings.get("OFFRES_SNAPSHOT_DIR"))
        self.gzip = settings.getbool("OFFRES_DELTAS_JSONL_GZIP")
        self.compression = settings.get("OFFRES_PARQUET_COMPRESSION")

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Deltas | None:
        """None when the deltas are off (OFFRES_DELTAS_ENABLED) or there is no snapshot."""
        if not (settings.getbool("OFFRES_SNAPSHOT") and settings.getbool("OFFRES_DELTAS_ENABLED")):
            return None
        return cls(settings)

    async def compute(self, snapshot: SnapshotState, stats: StatsCollector) -> DeltasResult:
        """The deltas of the published `snapshot` against the latest published one before it."""
        day = snapshot.snapshot_date
        try:
            report = await run_in_thread(write_deltas, snapshot.root, day, self.root,
                                         gzip_jsonl=self.gzip, compression=self.compression)
        except SnapshotDamaged as exc:  # no deltas rather than wrong ones
            logger.error("No deltas for snapshot %s (the snapshot itself is published): %s",
                         day, exc)
            stats.set_value("offres/deltas/error", True)
            return DeltasResult(note=f"FAILED: {exc}")
        except Exception:
            logger.exception("Deltas of snapshot %s failed; the snapshot itself is published. "
                             "Compute them again with: offres-crawler deltas --date %s "
                             "--snapshots %s --deltas %s", day, day, snapshot.root, self.root)
            stats.set_value("offres/deltas/error", True)
            return DeltasResult(note="FAILED (see the error above)")
        if report is None:
            return DeltasResult(note=f"none: {day} is the first published snapshot")
        for kind, count in report["counts"].items():
            stats.set_value(f"offres/deltas/{kind}", count)
        stats.set_value("offres/deltas/previous", report["previous_snapshot_date"])
        c = report["counts"]
        logger.info("Deltas %s -> %s: %d created, %d updated, %d withdrawn (%d unchanged) in %s",
                    report["previous_snapshot_date"], day, c["created"], c["updated"],
                    c["withdrawn"], c["unchanged"], report["directory"])
        return DeltasResult(report=report)
