"""The checkpoint a crawl leaves in its JOBDIR, read and written (framework-free).

One JSON file, JOBDIR/offres_checkpoint.json, replaced atomically: it is the commit point of a
checkpoint, and what it names was written durably before it. It says what a run killed at that
instant had safely done:
- `state`: the spider's own (offres_search: its planner, `HarvestPlanner.to_dict()`;
  referentiels: the lists written);
- `files`: local feed files appended to, each with its length at the checkpoint: a resumed run
  cuts them back to it, so that rows written after the checkpoint (whose work the state does
  not claim, and which are fetched again) are not there twice;
- `dedup`: the (id, dateActualisation) records of the offers written by then, in
  JOBDIR/offres_dedup/checkpoint-NNNNNN.npy (null in the snapshot layout, whose commit records
  are the dedup state: extensions/snapshot.py);
- `part`: in the snapshot layout, the last part committed at the checkpoint;
- `done`: the state of a harvest with nothing left to do, kept in the snapshot layout from the
  end of the harvest to the publication: a run killed in between publishes without asking
  anything again (unless that run had found the snapshot incomplete: then it is planned afresh);
- `replaced`: files overwritten (`-O`) by the run that closed with this checkpoint: they hold
  rows its state claims, so a run that would overwrite one of them again does not take it up.
Ids, dates, lengths and paths only: nothing secret. Its `version` changes when its meaning does.

`resume(crawler)` is what a spider and the dedup pipeline exchange with the checkpoints
(extensions/checkpoint.py): the spider's state provider, the state and records taken up.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from offres_crawler.files import read_json, truncate_durably, write_text_atomic
from offres_crawler.offers.id_store import load_records, save_records
from offres_crawler.per_crawler import shared

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CHECKPOINT_FILE = "offres_checkpoint.json"
DEDUP_DIR = "offres_dedup"  # shared with the dedup pipeline's own files
FORMAT = "offres_crawler.checkpoint"
VERSION = 1


State = dict[str, Any]


class Resume:
    """What a spider and the dedup pipeline exchange with the checkpoints (one per crawler)."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.state: Callable[[], State | None] | None = None  # None from it: nothing left to do
        # the state of a spider that has nothing left to do, kept in the snapshot layout until
        # the snapshot is published (a kill before that must not plan the harvest again)
        self.done_state: Callable[[], State | None] = lambda: None
        # true while an answer's rows are half written to the feeds and no dedup record would
        # drop them when fetched again (referentiels): a plain checkpoint waits
        self.busy: Callable[[], bool] = lambda: False
        self.restored: State | None = None  # the state of the checkpoint taken up
        self.dedup: tuple[np.ndarray, np.ndarray] | None = None  # its dedup records
        self.active = False  # checkpoints are kept (JOBDIR, and a spider that takes part)
        self.checkpoint_now: Callable[[], None] = lambda: None

    def provide(self, state: Callable[[], State | None],
                done_state: Callable[[], State | None] | None = None) -> None:
        self.state = state
        if done_state is not None:
            self.done_state = done_state


def resume(crawler: Crawler) -> Resume:
    return shared(crawler, Resume)


class CheckpointError(ValueError):
    """A checkpoint this run cannot take up (another format, or its files are not as recorded)."""


@dataclass(frozen=True)
class FileMark:
    path: str  # absolute
    offset: int  # bytes safely written at the checkpoint


@dataclass
class Checkpoint:
    spider: str
    state: dict[str, Any] | None
    files: list[FileMark] = field(default_factory=list)
    dedup: str | None = None  # relative to the JOBDIR
    part: str | None = None
    final: bool = False  # taken when the run closed, every feed stored
    done: bool = False  # its state has nothing left to do (snapshot layout, until published)
    replaced: list[str] = field(default_factory=list)  # overwritten files holding claimed rows
    generation: int = 0
    taken_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CheckpointError("not a checkpoint of this project")
        if data.get("version") != VERSION:
            raise CheckpointError(f"checkpoint version {data.get('version')!r}, this code reads {VERSION}")
        try:
            return cls(spider=data["spider"], state=data["state"],
                       files=[FileMark(str(f["path"]), int(f["offset"])) for f in data["files"]],
                       dedup=data["dedup"], part=data["part"], final=bool(data["final"]),
                       done=bool(data.get("done", False)),
                       generation=int(data["generation"]), taken_at=data["taken_at"],
                       replaced=[str(p) for p in data.get("replaced", [])])
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"malformed checkpoint ({exc!r})") from exc


def load(jobdir: Path) -> Checkpoint | None:
    """The JOBDIR's checkpoint; None when there is none. CheckpointError when unreadable."""
    path = jobdir / CHECKPOINT_FILE
    if not path.is_file():
        return None
    try:
        data = read_json(path)
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path} cannot be read ({exc})") from exc
    return Checkpoint.from_json(data)


def save(jobdir: Path, checkpoint: Checkpoint, dedup: tuple[np.ndarray, np.ndarray] | None,
         state_json: str | None = None) -> None:
    """Write the dedup records (if any), then the checkpoint that names them, then forget the
    records of earlier checkpoints. A crash at any point leaves a complete checkpoint.
    `state_json`: the state already as JSON text (it is taken at an instant, written later)."""
    checkpoint.taken_at = datetime.now(tz=UTC).isoformat(timespec="seconds")
    if dedup is not None:
        checkpoint.dedup = f"{DEDUP_DIR}/checkpoint-{checkpoint.generation:06d}.npy"
        (jobdir / DEDUP_DIR).mkdir(parents=True, exist_ok=True)
        save_records(jobdir / checkpoint.dedup, *dedup)
    data = checkpoint.to_json()
    if state_json is None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    else:  # spliced in as it is: no second encoding of a large state
        data["state"] = None
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        text = text.replace(',"state":null,', f',"state":{state_json},', 1)
    write_text_atomic(jobdir / CHECKPOINT_FILE, text + "\n")
    _forget_records(jobdir, keep=checkpoint.dedup)


def remove(jobdir: Path) -> None:
    """No checkpoint any more (the work is done): the next run starts afresh."""
    (jobdir / CHECKPOINT_FILE).unlink(missing_ok=True)
    _forget_records(jobdir, keep=None)


def _forget_records(jobdir: Path, keep: str | None) -> None:
    for old in (jobdir / DEDUP_DIR).glob("checkpoint-*.npy"):
        if keep is None or old != jobdir / keep:
            old.unlink(missing_ok=True)


def take_up(jobdir: Path, checkpoint: Checkpoint) -> tuple[np.ndarray, np.ndarray] | None:
    """Bring the files back to the checkpoint: each file appended to is cut back to its
    recorded length (CheckpointError, files untouched, if one is missing or shorter: rows the
    checkpoint vouches for are not there). Returns the dedup records to restore."""
    for mark in checkpoint.files:
        path = Path(mark.path)
        size = path.stat().st_size if path.is_file() else (0 if mark.offset == 0 else -1)
        if size < mark.offset:
            raise CheckpointError(f"{path} holds {max(size, 0)} bytes, fewer than the {mark.offset} "
                                  f"the checkpoint recorded (moved, replaced or cut since)")
    dedup = None
    if checkpoint.dedup is not None:
        try:
            dedup = load_records(jobdir / checkpoint.dedup)
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"{checkpoint.dedup} cannot be read ({exc})") from exc
    for mark in checkpoint.files:
        if not Path(mark.path).is_file():  # empty at the checkpoint, not created since
            continue
        cut = truncate_durably(mark.path, mark.offset)
        if cut:
            logger.info("Resuming: %s cut back to its checkpoint (%d bytes written after it "
                        "are written again)", mark.path, cut)
    return dedup
