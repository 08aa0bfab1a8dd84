"""What the benchmarks measure of their own process: pinned to one core, peak RSS."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def one_core() -> None:
    """Pin this process to one core, so that CPU figures are one core's."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def peak_rss_mb() -> float:
    """This process's peak RSS. Not ru_maxrss: on Linux it keeps the high-water mark of the
    process image before exec, here the set-up's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
