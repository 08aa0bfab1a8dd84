"""Where published snapshots and their deltas live (framework-free).

A published snapshot is a directory `snapshot_date=YYYY-MM-DD` under the snapshot root whose
`_manifest.json` says `"complete": true` (snapshot/state.py); anything under
`_staging/` is unfinished and never compared. Its offers are the Parquet parts its manifest
lists, read through the manifest: a part missing, unreadable (truncated) or holding another
number of rows than the manifest says is `SnapshotDamaged`, never a smaller snapshot.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from offres_crawler.snapshot.state import MANIFEST, STAGING

PARTITION = "snapshot_date="


class SnapshotDamaged(ValueError):
    """A published snapshot whose files are not those its manifest lists."""


def partition(day: str) -> str:
    return f"{PARTITION}{day}"


def _manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def publication(directory: Path) -> dict:
    """What tells one publication of a snapshot from another of the same date (a crawl of that
    date run again): when it finished, after how many runs, with how many offers."""
    m = _manifest(directory) or {}
    crawl = m.get("crawl") if isinstance(m.get("crawl"), dict) else {}
    counts = m.get("counts") if isinstance(m.get("counts"), dict) else {}
    return {"finished_at": crawl.get("finished_at"), "runs": crawl.get("runs"),
            "offers": counts.get("offers")}


def published_snapshots(root: Path) -> dict[str, Path]:
    """{date: directory} of every complete, published snapshot under `root`, oldest first."""
    found = {}
    for directory in sorted(root.glob(PARTITION + "*")):
        day = directory.name.removeprefix(PARTITION)
        try:
            date.fromisoformat(day)
        except ValueError:
            continue
        manifest = _manifest(directory)
        if directory.is_dir() and manifest is not None and manifest.get("complete") is True:
            found[day] = directory
    return found


def is_published(root: Path, day: str) -> bool:
    return day in published_snapshots(root)


def previous_snapshot(root: Path, day: str) -> tuple[str, Path] | None:
    """The latest published snapshot strictly before `day`, if any."""
    earlier = [(d, p) for d, p in published_snapshots(root).items() if d < day]
    return earlier[-1] if earlier else None


def snapshot_files(directory: Path) -> list[Path]:
    """The Parquet parts of a published snapshot, in order, as its manifest lists them, each
    checked (there, readable, the rows the manifest says); SnapshotDamaged otherwise."""
    manifest = _manifest(directory)
    parts = manifest.get("parts") if manifest is not None else None
    if not isinstance(parts, list):
        raise SnapshotDamaged(f"snapshot {directory}: its manifest lists no parts")
    files = []
    for part in parts:
        if not isinstance(part, dict) or part.get("format") != "parquet":
            continue
        name, rows = str(part.get("file", "")), part.get("rows")
        path = directory / name
        if Path(name).name != name or not name:
            raise SnapshotDamaged(f"snapshot {directory}: its manifest names a part {name!r}")
        if not path.is_file():
            raise SnapshotDamaged(f"snapshot {directory}: {name} ({rows} rows in its manifest) "
                                  f"is missing")
        try:
            found = pq.ParquetFile(path).metadata.num_rows
        except Exception as exc:  # pyarrow raises several kinds for a cut or damaged file
            raise SnapshotDamaged(f"snapshot {directory}: {name} cannot be read ({exc})") from exc
        if found != rows:
            raise SnapshotDamaged(f"snapshot {directory}: {name} holds {found} rows, its "
                                  f"manifest says {rows}")
        files.append(path)
    return sorted(files)


def staging_dir(deltas_root: Path, day: str) -> Path:
    return deltas_root / STAGING / partition(day)


def beside_snapshots(snapshot_root: Path | str, kind: str, configured: str | None = None) -> Path:
    """Where a product of the snapshots lives: `configured` when set (OFFRES_DELTAS_DIR,
    OFFRES_HISTORY_DIR), else beside them: output/offres -> output/offres_deltas."""
    if configured:
        return Path(configured).resolve()
    snapshots = Path(snapshot_root).resolve()
    return snapshots.with_name(f"{snapshots.name}_{kind}")
