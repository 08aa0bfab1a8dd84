"""Take back a snapshot published by a run that turned out incomplete (framework-free).

The Snapshot extension publishes when the crawl finished without `offres/missing` offers; the
run's exit code also counts other signs of trouble (`offres/incomplete`: a request that failed
for good, a planner left with work it could not send). When the two disagree, the exit code
wins: the snapshot goes back to `_staging/`, its manifest says `"complete": false`, and the
JOBDIR's state says "running" again, so that the next run with that JOBDIR resumes it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from offres_crawler.extensions.snapshot_state import MANIFEST, SnapshotState

logger = logging.getLogger(__name__)


def take_back(state: SnapshotState, jobdir: Path | None, why: str) -> Path:
    """Move the published snapshot of `state` back to its staging directory; returns it."""
    staging = state.staging_dir
    staging.parent.mkdir(parents=True, exist_ok=True)
    os.replace(state.published_dir, staging)
    manifest = staging / MANIFEST
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data.update(complete=False, taken_back=why)
        tmp = manifest.with_name(MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, manifest)
    state.status = "running"
    state.save(jobdir)
    return staging
