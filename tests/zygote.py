"""A process that has already imported Scrapy, Twisted, pyarrow and aiohttp, and forks a child per
`python -m MODULE ...` command the tests run (tests/spawn.py is the other end).

Why: the suite runs hundreds of crawls and sandboxes, each a real process, and about a second of
each one's CPU went to importing the same libraries again; the suite is CPU-bound on two cores.
A forked child is still a separate process with its own reactor, files and exit code, started
from a clean state: modules are imported here but nothing is run (the project's modules read
their environment when called, never on import), no reactor is installed, no thread runs.

Protocol, over the Unix socket whose fd is its argument: the client sends a JSON request with three file
descriptors (the child's stdin, stdout, stderr); the zygote answers `{"pid": N}`, and later
`{"exit": N, "status": S}` (a raw wait status) when that child ends.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS thread pool to fork over

import atexit
import io
import json
import runpy
import selectors
import signal
import socket
import sys
import threading
import traceback

PRELOAD = ("scrapy", "scrapy.cmdline", "scrapy.crawler", "scrapy.core.downloader.handlers.http11",
           "scrapy.extensions.feedexport", "scrapy.pipelines", "twisted.internet.asyncioreactor",
           "twisted.web.client", "OpenSSL", "cryptography.x509", "lxml.etree", "numpy", "pyarrow",
           "pyarrow.parquet", "aiohttp", "aiohttp.web", "itemadapter", "requests",
           # the project's own modules read their environment when called, never on import
           "offres_crawler.settings", "offres_crawler.addon", "offres_crawler.commands.crawl",
           "offres_crawler.spiders.offres_search", "offres_crawler.spiders.offres_detail",
           "offres_crawler.spiders.referentiels", "offres_crawler.sandbox.server",
           "tests.feeds.spiders")


def preload() -> None:
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:  # an optional extra not installed: the child imports what it has
            pass
    assert "twisted.internet.reactor" not in sys.modules, "a reactor must not be installed here"
    assert threading.active_count() == 1, "no thread may run in a process that forks"


def child(request: dict, fds: list[int], base_path: list[str]) -> None:
    """In the forked child: become `python -m MODULE ARGS` in the request's cwd and environment."""
    code = 1
    try:
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in set(fds):
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                      line_buffering=unbuffered, write_through=unbuffered)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace", line_buffering=True)
        extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:] = [request["cwd"], *extra, *base_path]
        sys.argv = [request["module"], *request["args"]]
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:  # as CPython does: die of the signal
        _finish()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        traceback.print_exc()
    _finish()
    os._exit(code)


def _finish() -> None:
    try:
        threading._shutdown()  # type: ignore[attr-defined]  # join non-daemon threads, as at exit
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def serve(sock: socket.socket) -> None:
    base_path = sys.path[1:]
    children: set[int] = set()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a group's Ctrl-C is for the children
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is sock:
                data, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 3)
                if not data:
                    if os.environ.get("OFFRES_TEST_ZYGOTE_USAGE"):  # CPU of the children, for measuring
                        import resource
                        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
                        with open(os.environ["OFFRES_TEST_ZYGOTE_USAGE"], "a") as f:
                            f.write(f"{usage.ru_utime + usage.ru_stime:.2f}\n")
                    return  # the client is gone
                request = json.loads(data)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    sock.close()
                    selector.close()
                    os.close(wake_r)
                    os.close(wake_w)
                    child(request, fds, base_path)
                for fd in fds:
                    os.close(fd)
                children.add(pid)
                sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            else:
                os.read(wake_r, 512)
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                sock.sendall(json.dumps({"exit": pid, "status": status}).encode() + b"\n")


if __name__ == "__main__":
    preload()
    serve(socket.socket(fileno=int(sys.argv[1])))
