"""Where published snapshots and their deltas live (framework-free).

A published snapshot is a directory `snapshot_date=YYYY-MM-DD` under the snapshot root whose
`_manifest.json` says `"complete": true` (extensions/snapshot_state.py); anything under
`_staging/` is unfinished and never compared.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

from offres_crawler.extensions.snapshot_state import MANIFEST, STAGING

logger = logging.getLogger(__name__)

PARTITION = "snapshot_date="
PARTS_GLOB = "part-*.parquet"


def partition(day: str) -> str:
    return f"{PARTITION}{day}"


def _manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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
    """The Parquet parts of a snapshot, in order."""
    return sorted(directory.glob(PARTS_GLOB))


def staging_dir(deltas_root: Path, day: str) -> Path:
    return deltas_root / STAGING / partition(day)
