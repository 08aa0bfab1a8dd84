"""Where a snapshot's files live, and which run of it this is (framework-free).

Layout under the root (OFFRES_SNAPSHOT_DIR, default `output/offres`):

    snapshot_date=2026-11-27/            one published snapshot per date (what readers glob)
        part-r01-00001.parquet           the offers, in parts of OFFRES_SNAPSHOT_PART_ITEMS rows
        part-r01-00001.jsonl.gz          the same rows as JSONL, when asked (OFFRES_SNAPSHOT_JSONL)
        _manifest.json                   source, licence, dates, parts, counts, the run report
        _rejects/rejects-r01.jsonl       invalid offers with their reasons, if any
    _staging/snapshot_date=2026-11-28/   a snapshot being written (same layout), published by
        _inprogress/                     one rename once the crawl ends complete; its parts
                                         are moved out of _inprogress/ as they are committed

`r01` numbers the runs of one snapshot: a crawl resumed from its JOBDIR adds parts `r02-...`
beside those of the first run. Readers: DuckDB
`read_parquet('output/offres/snapshot_date=*/*.parquet', hive_partitioning = true)`, Spark
`spark.read.parquet("output/offres")` (it skips `_`-prefixed paths).

The state (date, run, status) lives in JOBDIR/offres_snapshot.json when there is a JOBDIR.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from offres_crawler.files import publish_directory, write_json_atomic

logger = logging.getLogger(__name__)

STATE_FILE = "offres_snapshot.json"
STAGING = "_staging"
IN_PROGRESS = "_inprogress"
REJECTS = "_rejects"
MANIFEST = "_manifest.json"
FORMAT_SUFFIXES = {"parquet": ".parquet", "jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz"}


def part_name(file_name: str) -> str:
    """`part-r01-00003.jsonl.gz` -> `part-r01-00003`."""
    return file_name.split(".", 1)[0]


@dataclass
class SnapshotState:
    root: Path
    snapshot_date: str  # YYYY-MM-DD
    run: int  # 1 for a fresh snapshot, +1 for each resumed run
    status: str = "running"  # "running" | "published"
    started_at: str = ""  # ISO 8601 UTC, the first run's start
    # "since" for fresh offers between snapshots (snapshot/fresh.py): `snapshot_date` is then
    # the instant they were created after, as in since=20261128T020003Z
    partition_key: str = "snapshot_date"

    @property
    def partition(self) -> str:
        return f"{self.partition_key}={self.snapshot_date}"

    @property
    def staging_dir(self) -> Path:
        return self.root / STAGING / self.partition

    @property
    def in_progress_dir(self) -> Path:
        return self.staging_dir / IN_PROGRESS

    @property
    def published_dir(self) -> Path:
        return self.root / self.partition

    def uri_params(self) -> dict[str, str]:
        """Placeholders for FEEDS and OFFRES_REJECTS_URI templates."""
        return {"offres_snapshot_date": self.snapshot_date, "offres_run": f"{self.run:02d}",
                "offres_snapshot_dir": str(self.staging_dir)}

    # -- persistence ----------------------------------------------------------------------------

    def save(self, jobdir: Path | None) -> None:
        if jobdir is None:
            return
        data = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}
        write_json_atomic(jobdir / STATE_FILE, data)

    @classmethod
    def load(cls, jobdir: Path | None) -> SnapshotState | None:
        if jobdir is None or not (jobdir / STATE_FILE).is_file():
            return None
        data = json.loads((jobdir / STATE_FILE).read_text())
        return cls(root=Path(data["root"]), snapshot_date=data["snapshot_date"], run=data["run"],
                   status=data["status"], started_at=data.get("started_at", ""),
                   partition_key=data.get("partition_key", "snapshot_date"))

    @classmethod
    def begin(cls, root: Path, jobdir: Path | None, snapshot_date: str | None,
              now: datetime | None = None, partition_key: str = "snapshot_date") -> tuple[SnapshotState, bool]:
        """The state for this run and whether it resumes an unfinished snapshot. A fresh
        snapshot starts from an empty staging directory. `partition_key` "since": fresh offers
        since the instant `snapshot_date` (a label of snapshot/fresh.py), which must be given."""
        now = now or datetime.now(tz=UTC)
        previous = cls.load(jobdir)
        if previous is not None and previous.status == "running":
            if previous.partition_key != partition_key:
                raise ValueError(f"JOBDIR holds an unfinished {previous.partition}, not a "
                                 f"{partition_key} harvest: resume it or use another JOBDIR")
            if snapshot_date and snapshot_date != previous.snapshot_date:
                raise ValueError(f"JOBDIR holds an unfinished snapshot of {previous.snapshot_date}, "
                                 f"not {snapshot_date}: resume it or use another JOBDIR")
            if not previous.staging_dir.exists() and previous.published_dir.exists():
                # killed between publishing and recording it: take it back, finish, publish again
                previous.staging_dir.parent.mkdir(parents=True, exist_ok=True)
                os.replace(previous.published_dir, previous.staging_dir)
            previous.run += 1
            previous.save(jobdir)
            return previous, True
        day = snapshot_date or now.date().isoformat()
        if partition_key == "snapshot_date":
            date.fromisoformat(day)  # refuse a malformed OFFRES_SNAPSHOT_DATE early
        state = cls(root=root.resolve(), snapshot_date=day, run=1,
                    started_at=now.isoformat(timespec="seconds"), partition_key=partition_key)
        if state.staging_dir.exists():
            logger.info("Discarding an unfinished, unresumable snapshot in %s", state.staging_dir)
            shutil.rmtree(state.staging_dir)
        state.in_progress_dir.mkdir(parents=True, exist_ok=True)
        state.save(jobdir)
        return state, False

    # -- files ----------------------------------------------------------------------------------

    def recover_in_progress(self, committed: set[str]) -> tuple[list[Path], list[Path]]:
        """After a crash: move the files of committed parts out of _inprogress/ (their commit
        was recorded, the move may not have happened), delete the others (written after the
        last commit: their rows are not in the saved state and will be fetched again)."""
        moved, deleted = [], []
        self.in_progress_dir.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.in_progress_dir.iterdir()):
            if part_name(path.name) in committed and path.is_file():
                target = self.staging_dir / path.name
                os.replace(path, target)
                moved.append(target)
            else:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                deleted.append(path)
        return moved, deleted

    def finish(self, manifest: dict, jobdir: Path | None) -> Path | None:
        """The end of a run: the manifest goes into the staging directory, and the snapshot is
        published only if the manifest says complete (returns the published directory). An
        incomplete snapshot stays staged, to be resumed: never published and taken back."""
        write_json_atomic(self.staging_dir / MANIFEST, manifest)
        if not manifest["complete"]:
            return None
        target = self.publish()
        self.save(jobdir)
        return target

    def publish(self) -> Path:
        """Make the staged snapshot the one of its date (replacing an older one of that date)."""
        shutil.rmtree(self.in_progress_dir, ignore_errors=True)
        target = self.published_dir
        if publish_directory(self.staging_dir, target,
                             replaced=self.root / STAGING / f"replaced-{self.partition}"):
            logger.info("Replaced the earlier snapshot of %s", self.snapshot_date)
        with contextlib.suppress(OSError):  # the staging area, if nothing else is staged
            (self.root / STAGING).rmdir()
        self.status = "published"
        return target
