from __future__ import annotations

import pytest

from tests.sandboxproc import SAMPLES, SandboxProcess, missing_samples


@pytest.fixture
def sandbox_factory():
    """Start sandboxes with given CLI options: `sandbox_factory("--offers", "5000")`."""
    started: list[SandboxProcess] = []

    def start(*args: str, **kwargs) -> SandboxProcess:
        sb = SandboxProcess(args=[str(a) for a in args], **kwargs).start()
        started.append(sb)
        return sb

    yield start
    for sb in started:
        sb.stop()


@pytest.fixture(scope="session")
def sandbox():
    """One shared, fault-free sandbox of 5,000 offers for tests that do not change it."""
    sb = SandboxProcess(args=["--offers", "5000", "--seed", "1"]).start()
    yield sb
    sb.stop()


@pytest.fixture(scope="session")
def samples():
    """The real sample data in ../shared/api/samples (France Travail data: read, never copied);
    skipped without it, failed in CI."""
    if not SAMPLES.is_dir():
        missing_samples(f"real samples not available: {SAMPLES} is absent")
    return SAMPLES
