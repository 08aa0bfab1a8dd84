"""`Popen` and `run` for the tests' `python -m MODULE ...` commands (crawls, sandboxes), forked
from a zygote that has the libraries imported already (tests/zygote.py says why); any other
command goes to `subprocess` as it is. The child is a real process: its own pid, signals (a
SIGKILL kills it at any instant), files and exit code; what differs is only who forked it.

OFFRES_TEST_ZYGOTE=0 turns it off (every command through `subprocess`).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
PIPE, DEVNULL, STDOUT = subprocess.PIPE, subprocess.DEVNULL, subprocess.STDOUT
ENABLED = os.environ.get("OFFRES_TEST_ZYGOTE", "1") != "0"


class _Zygote:
    """One per test process, started at first use."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.zygote", str(theirs.fileno())],
                                     cwd=ROOT, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()  # one request at a time: its answer is the next pid
        self.pids: dict[int, ForkedProcess] = {}
        self.early: dict[int, int] = {}  # exit statuses of children not registered yet
        self.answers: list[int] = []
        self.answered = threading.Condition()
        threading.Thread(target=self._listen, daemon=True).start()
        atexit.register(self.close)

    def fork(self, process: ForkedProcess, request: dict, fds: list[int]) -> int:
        with self.lock:
            socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
            with self.answered:
                while not self.answers:
                    if not self.answered.wait(60) and self.proc.poll() is not None:
                        raise RuntimeError("the test zygote died")
                pid = self.answers.pop(0)
                self.pids[pid] = process
                if pid in self.early:
                    process._exited(self.early.pop(pid))
        return pid

    def _listen(self) -> None:
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            message = json.loads(data)
            if "pid" in message:
                with self.answered:
                    self.answers.append(message["pid"])
                    self.answered.notify_all()
            else:
                with self.answered:
                    process = self.pids.pop(message["exit"], None)
                    if process is None:
                        self.early[message["exit"]] = message["status"]
                if process is not None:
                    process._exited(message["status"])

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # close() alone would not end the listener's recv
        except OSError:
            pass
        self.sock.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def _the_zygote() -> _Zygote:
    global _zygote
    with _zygote_lock:
        if _zygote is None or _zygote.proc.poll() is not None:
            _zygote = _Zygote()
        return _zygote


class ForkedProcess:
    """The part of `subprocess.Popen`'s interface the tests use."""

    def __init__(self, args: list[str], *, cwd: str | Path | None = None, env: dict | None = None,
                 stdin: Any = None, stdout: Any = None, stderr: Any = None, text: bool = False,
                 encoding: str | None = None) -> None:
        self.args = list(args)
        self.returncode: int | None = None
        self._done = threading.Event()
        text = text or encoding is not None
        mine: list[int] = []  # fds opened here for the child, closed once it has them
        self.stdin = None
        self.stdout: IO | None = None
        self.stderr: IO | None = None

        def child_end(spec: Any, default_fd: int, reading: bool) -> tuple[int, IO | None]:
            if spec == PIPE:
                r, w = os.pipe()
                ours, theirs = (w, r) if reading else (r, w)
                mine.append(theirs)
                return theirs, open(ours, ("w" if reading else "r") + ("" if text else "b"),
                                    encoding="utf-8" if text else None)
            if spec == DEVNULL or (spec is None and reading):
                fd = os.open(os.devnull, os.O_RDWR)
                mine.append(fd)
                return fd, None
            if spec is None:
                return default_fd, None
            return (spec if isinstance(spec, int) else spec.fileno()), None

        fd0, self.stdin = child_end(stdin, 0, True)
        fd1, self.stdout = child_end(stdout, 1, False)
        fd2, self.stderr = (fd1, None) if stderr == STDOUT else child_end(stderr, 2, False)
        request = {"module": args[2], "args": list(args[3:]), "cwd": str(cwd or os.getcwd()),
                   "env": dict(os.environ if env is None else env)}
        try:
            self.pid = _the_zygote().fork(self, request, [fd0, fd1, fd2])
        finally:
            for fd in mine:
                os.close(fd)

    def _exited(self, status: int) -> None:
        self.returncode = os.waitstatus_to_exitcode(status)
        self._done.set()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._done.wait(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
        if input is not None and self.stdin is not None:
            self.stdin.write(input)
        if self.stdin is not None:
            self.stdin.close()
        outputs: dict[str, Any] = {}
        readers = []
        for name in ("stdout", "stderr"):
            stream = getattr(self, name)
            if stream is not None:
                reader = threading.Thread(target=lambda n=name, s=stream: outputs.__setitem__(n, s.read()),
                                          daemon=True)
                reader.start()
                readers.append(reader)
        self.wait(timeout)
        for reader in readers:
            reader.join()
        for name in ("stdout", "stderr"):
            stream = getattr(self, name)
            if stream is not None:
                stream.close()
        return outputs.get("stdout"), outputs.get("stderr")

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __enter__(self) -> ForkedProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (self.stdout, self.stderr, self.stdin):
            if stream is not None:
                stream.close()
        self.wait()


def forkable(args: Any) -> bool:
    return (ENABLED and isinstance(args, (list, tuple)) and len(args) >= 3
            and args[0] == sys.executable and args[1] == "-m")


def Popen(args: Any, **kwargs: Any) -> Any:
    if forkable(args) and set(kwargs) <= {"cwd", "env", "stdin", "stdout", "stderr", "text",
                                          "encoding"}:
        return ForkedProcess(args, **kwargs)
    return subprocess.Popen(args, **kwargs)


def run(args: Any, *, capture_output: bool = False, timeout: float | None = None,
        check: bool = False, input: Any = None, **kwargs: Any) -> subprocess.CompletedProcess:
    """subprocess.run for the forkable commands."""
    if not forkable(args):
        return subprocess.run(args, capture_output=capture_output, timeout=timeout, check=check,
                              input=input, **kwargs)
    if capture_output:
        kwargs.update(stdout=PIPE, stderr=PIPE)
    if input is not None:
        kwargs["stdin"] = PIPE
    proc = Popen(args, **kwargs)
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    if check and proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, args, out, err)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)
