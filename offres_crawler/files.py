"""Files replaced atomically and durably: the one way this project writes a file in place.

A temporary file is written beside the target, flushed and fsynced, renamed over the target,
and the directory is fsynced: a crash at any instant leaves the old file or the new one, never
a mix, and once the function returns the new file survives a power cut. A failure removes the
temporary file and leaves the target as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _read_umask() -> int:
    # read once, at import: os.umask() can only be read by setting it, which races with threads
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def new_file_mode() -> int:
    """The permission bits `open()` gives a new file (0666 less the umask)."""
    return 0o666 & ~_UMASK


def fsync_dir(path: str | Path) -> None:
    """Make a directory's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(src: str | Path, dst: str | Path) -> None:
    """`os.replace(src, dst)`, then fsync the directories involved."""
    src, dst = Path(src), Path(dst)
    os.replace(src, dst)
    fsync_dir(dst.parent)
    if src.parent.resolve() != dst.parent.resolve():
        fsync_dir(src.parent)


@contextmanager
def atomic_write(path: str | Path, mode: str = "wb", *, encoding: str | None = None,
                 like: str | Path | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file to write `path`'s new content; it replaces `path` when the block
    ends without an error. `like`: an existing file whose permission bits the result takes
    (by default those of a new file, as `open` would make it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if like is not None:
            os.chmod(tmp_name, Path(like).stat().st_mode & 0o7777)
        else:  # mkstemp makes the file private; give it the mode a plain open() would
            os.chmod(tmp_name, new_file_mode())
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        replace_durably(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_write(path, "wb") as f:
        f.write(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_json_atomic(path: str | Path, data: Any, *, indent: int | None = 1) -> None:
    """JSON, UTF-8 with accents unescaped, a final newline."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=indent, default=str) + "\n")


def read_json(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def fsync_tree(directory: str | Path) -> None:
    """fsync every file under `directory`, then every directory, deepest first."""
    directory = Path(directory)
    dirs = [directory]
    for path in directory.rglob("*"):
        if path.is_dir():
            dirs.append(path)
        elif path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        fsync_dir(d)


def make_private_dir(path: str | Path) -> Path:
    """Create the directory `path` (and its parents) readable by its owner only (mode 0700).
    An existing directory is left as it is."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask
    return path


def cut_torn_line(path: str | Path) -> int:
    """Remove from a line-oriented file what follows its last newline (a line a killed writer
    left half written), so that rows appended later start on a line of their own. Returns the
    number of bytes removed (0 when the file ends with a newline, is empty or does not exist)."""
    try:
        f = open(path, "r+b")  # closed by the with below
    except FileNotFoundError:
        return 0
    with f:
        size = f.seek(0, os.SEEK_END)
        end = size
        while end > 0:
            start = max(0, end - (1 << 16))
            f.seek(start)
            chunk = f.read(end - start)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                end = start + newline + 1
                break
            end = start
        if end == size:
            return 0
        f.truncate(end)
        f.flush()
        os.fsync(f.fileno())
        return size - end


def truncate_durably(path: str | Path, size: int) -> int:
    """Cut the file `path` back to `size` bytes (rows written after a checkpoint); returns the
    number of bytes removed. ValueError when the file is shorter than `size`."""
    with open(path, "r+b") as f:
        current = f.seek(0, os.SEEK_END)
        if current < size:
            raise ValueError(f"{path} holds {current} bytes, fewer than the {size} recorded")
        if current > size:
            f.truncate(size)
            f.flush()
            os.fsync(f.fileno())
        return current - size


def publish_directory(staged: str | Path, target: str | Path, *, replaced: str | Path) -> bool:
    """Make the directory `staged` appear as `target`, durably, with renames only: its files are
    fsynced first, an existing `target` is moved to `replaced` (then deleted). Returns whether an
    older `target` was replaced."""
    staged, target, replaced = Path(staged), Path(target), Path(replaced)
    fsync_tree(staged)
    old = target.exists()
    if old:
        shutil.rmtree(replaced, ignore_errors=True)
        replace_durably(target, replaced)
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_durably(staged, target)
    if old:
        shutil.rmtree(replaced, ignore_errors=True)
    return old
