"""Many `scrapy crawl` runs in a row, each killed at its own instant (tests/ops/killchain.py):
each is forked by the tests' zygote (tests/spawn.py, tests/zygote.py), which has Scrapy,
Twisted, pyarrow and the project imported already, so that a kill costs a few tenths of a CPU
second, not a Python start. The run is a real process that the test kills with a real SIGKILL.

    with ForkServer() as server:
        pid = server.start(argv, cwd=..., env=...)   # argv: ["scrapy", "crawl", ...]
        ... os.kill(pid, signal.SIGKILL) ...
        code = server.wait()  # the child's exit code, -9 when killed
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests import spawn


class ForkServer:
    """One run at a time."""

    def __init__(self) -> None:
        self.proc: Any = None

    def start(self, argv: list[str], *, cwd: Path, env: dict[str, str]) -> int:
        self.proc = spawn.Popen([sys.executable, "-m", *argv], cwd=cwd, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(self.proc.pid)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait(self) -> int:
        return int(self.proc.wait())

    def close(self) -> None:
        if self.running():
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
