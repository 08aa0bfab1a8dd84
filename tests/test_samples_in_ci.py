"""Tests that need ../shared skip on a developer's machine without it, and fail in CI (`CI` set),
where .ci/run lays it beside the checkout: a green CI has checked everything against real data.
Run in a subprocess, with the samples folder pointed at a place that does not exist."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.crawler.transport_crawl import ROOT

PROBE = '''
import tests.sandboxproc as sp, tests.conftest as conftest, tests.openapi as openapi
from pathlib import Path
from tests.conftest import samples  # the fixture itself
missing = Path("/nonexistent/shared/api/samples")
conftest.SAMPLES = sp.SAMPLES = missing
def test_samples(samples):
    pass
def test_spec():
    openapi.load_spec(missing / "openapi" / "spec.json")
'''


def run_probe(tmp_path, ci: str | None) -> subprocess.CompletedProcess:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE, "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsf",
                           "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), str(probe)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_without_ci_a_missing_samples_folder_skips(tmp_path):
    run = run_probe(tmp_path, None)
    assert run.returncode == 0, run.stdout
    assert "2 skipped" in run.stdout and "is absent" in run.stdout


def test_in_ci_a_missing_samples_folder_fails(tmp_path):
    run = run_probe(tmp_path, "true")
    assert run.returncode == 1, run.stdout
    assert "1 failed" in run.stdout and "1 error" in run.stdout and "skipped" not in run.stdout
    assert "CI is set: ../shared must be beside the checkout" in run.stdout

