"""What the feeds hold at a checkpoint (extensions/checkpoint.py): which feed files keep their
rows through a kill, their lengths once flushed and fsynced, which files a run overwrites, and
what a staged snapshot's manifest says of the run that wrote it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from offres_crawler.exporters.storage import DurableFileFeedStorage, is_plain_lines
from offres_crawler.files import read_json
from offres_crawler.jobdir import FileMark
from offres_crawler.snapshot.state import MANIFEST, SnapshotState


def overwritten(settings: Any) -> set[str]:
    """The local files this run's feeds overwrite (as far as their URIs name them already)."""
    paths = set()
    for uri, options in settings.getdict("FEEDS").items():
        uri = str(uri)
        if options.get("overwrite") and "%(" not in uri and "://" not in uri.removeprefix("file://"):
            paths.add(str(Path(uri.removeprefix("file://")).resolve()))
    return paths


def slot_path(slot: Any) -> Path | None:
    storage = getattr(slot, "storage", None)
    return Path(storage.path).resolve() if isinstance(storage, DurableFileFeedStorage) else None


def durable(slot: Any) -> bool:
    """A feed whose rows, once flushed, survive a kill: a local plain-lines file appended to."""
    storage = slot.storage
    return (isinstance(storage, DurableFileFeedStorage) and storage.appends
            and is_plain_lines(storage.path, slot.feed_options))


def flush(slot: Any) -> FileMark | None:
    """Flush and fsync a durable feed's file: its length now (None for other feeds)."""
    if not durable(slot):
        return None
    path = slot_path(slot)
    assert path is not None
    if slot.file is None:  # not opened in this run: what it holds is the earlier runs'
        return FileMark(str(path), path.stat().st_size if path.exists() else 0)
    slot.file.flush()
    os.fsync(slot.file.fileno())
    return FileMark(str(path), slot.file.tell())


def replaced_whole(slot: Any) -> bool:
    """A local file overwritten (`-O`): renamed into place, whole, when stored."""
    return isinstance(slot.storage, DurableFileFeedStorage) and not slot.storage.appends


def stored(slot: Any) -> FileMark | None:
    if not durable(slot):
        return None
    path = slot_path(slot)
    return FileMark(str(path), path.stat().st_size) if path and path.exists() else None


def found_incomplete(snapshot: SnapshotState) -> bool:
    """Whether the previous run of this snapshot went to its end and found it incomplete (its
    manifest says so), rather than being killed before publishing it."""
    try:
        manifest = read_json(snapshot.staging_dir / MANIFEST)
        return manifest["complete"] is False and manifest["crawl"]["runs"] == snapshot.run - 1
    except (OSError, ValueError, KeyError, TypeError):
        return False
