"""Many `scrapy crawl` runs for the price of one start: a fork server for the kill tests.

A crawl in a fresh subprocess spends 1.5-2 s of CPU importing Scrapy, Twisted, pyarrow and the
project before its first request; a test that kills a crawl at 20 instants and resumes it each
time would spend most of its CPU there. The server is one subprocess that imports all that once,
then forks a child per run: the child sets its working directory and environment and runs
`scrapy crawl ...` exactly as the command line would (scrapy.cmdline.execute: the project's
crawl command, its exit code), in a process of its own that the test kills with a real SIGKILL.
No reactor is installed before the fork (each child installs its own), and nothing of pytest
(warnings filters, log capture) is inherited: the server is not the pytest process.

    with ForkServer() as server:
        pid = server.start(argv, cwd=..., env=...)
        ... os.kill(pid, signal.SIGKILL) ...
        code = server.wait()  # the child's exit code, -9 when killed

Protocol on the server's stdin / stdout: one JSON line per run ({"argv", "cwd", "env"}), then
{"pid": N} once forked and {"code": C} once it has ended.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

PRELOAD = ("scrapy.cmdline", "scrapy.crawler", "scrapy.extensions.feedexport", "pyarrow.parquet",
           "numpy", "offres_crawler.addon", "offres_crawler.commands.crawl",
           "offres_crawler.spiders.offres_search", "offres_crawler.spiders.offres_detail",
           "offres_crawler.spiders.referentiels", "offres_crawler.settings",
           "twisted.internet.asyncioreactor", "tests.feeds.spiders")


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become `scrapy crawl` in `cwd` with `env`; never returns."""
    code = 70
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        from scrapy.cmdline import execute

        execute(request["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # any other end is a failure of the run
        code = 70
    finally:
        os._exit(code)


def serve() -> None:
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()
        _, status = os.waitpid(pid, 0)
        out.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
        out.flush()


class ForkServer:
    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFRES_", "SCRAPY_"))}
        env["PYTHONPATH"] = str(ROOT)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.ops.forkserver"], cwd=ROOT,
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)

    def start(self, argv: list[str], *, cwd: Path, env: dict[str, str]) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd), "env": env}) + "\n")
        return int(self._read()["pid"])

    def wait(self) -> int:
        return int(self._read()["code"])

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server ended (exit code {self.proc.wait()})")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    serve()
