"""The tests' forked processes (tests/spawn.py) behave as `subprocess` ones for what the tests
use: exit codes, pipes, environment and working directory, signals."""

from __future__ import annotations

import signal
import sys

from tests import spawn


def test_a_forked_command_has_its_own_arguments_environment_directory_and_exit_code(tmp_path):
    (tmp_path / "probe.py").write_text(
        "import os, sys\nprint(sys.argv[1:], os.environ['PROBE'], os.getcwd())\n"
        "print('to stderr', file=sys.stderr)\nsys.exit(int(sys.argv[1]))\n")
    run = spawn.run([sys.executable, "-m", "probe", "3", "x"], cwd=tmp_path, env={"PROBE": "p"},
                    capture_output=True, text=True, timeout=60)
    assert run.returncode == 3
    assert run.stdout == f"['3', 'x'] p {tmp_path}\n"
    assert run.stderr == "to stderr\n"


def test_a_forked_process_dies_of_the_signal_it_is_sent(tmp_path):
    (tmp_path / "sleeper.py").write_text("import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    proc = spawn.Popen([sys.executable, "-m", "sleeper"], cwd=tmp_path, stdout=spawn.PIPE, text=True)
    assert isinstance(proc, spawn.ForkedProcess) == spawn.ENABLED
    assert proc.stdout.readline() == "up\n"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    proc.stdout.close()


def test_an_uncaught_exception_is_printed_and_exits_1(tmp_path):
    (tmp_path / "boom.py").write_text("raise ValueError('boom')\n")
    run = spawn.run([sys.executable, "-m", "boom"], cwd=tmp_path, capture_output=True, text=True,
                    timeout=60)
    assert run.returncode == 1
    assert "ValueError: boom" in run.stderr
