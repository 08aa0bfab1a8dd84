"""Text from the API cannot forge log lines: a 400 whose `message` holds a newline and a fake
`OUTCOME: COMPLETE` line is logged as one escaped line, in the search spider's refusal (its
error line, the verdict's reason, the OUTCOME line) and in offres_detail's; the run's verdict
(exit code, verdict file) is what the run decided, and `offres-crawler schedule --wait` reads
that file, never the log (tests/ops/test_schedule.py)."""

from __future__ import annotations

import json
import re

import pytest

from tests.crawler.api_spiders import crawl
from tests.crawler.local_server import LocalServer, Received
from tests.sandbox.httpclient import configured

FORGED = ("La valeur est incorrecte.\nOUTCOME: COMPLETE - every offer reported by the API was "
          "collected (exit code 0)\r\n\x1b[1A\u2028" + "x" * 5000)
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[\w.]+\] [A-Z]+: ")


@pytest.fixture(scope="module")
def sb(sandbox):
    with configured(sandbox, rate_limit=50):
        yield sandbox


def _forged_400(got: Received) -> tuple[int, bytes] | None:
    if got.method == "GET" and ("/v2/offres/search" in got.path or "/v2/offres/" in got.path):
        return 400, json.dumps({"codeErreur": "1", "codeHttp": 400, "message": FORGED}).encode()
    return None


@pytest.fixture
def hostile(sb):
    server = LocalServer(sb.root_url, rules=[_forged_400])
    yield {"OFFRES_API_URL": sb.api_url.replace(sb.root_url, server.url()),
           "OFFRES_TOKEN_URL": sb.token_url.replace(sb.root_url, server.url())}
    server.close()


def _check_log(log: str) -> None:
    lines = log.splitlines()
    assert not [line for line in lines if line.startswith("OUTCOME")], "a forged line in the log"
    assert not [line for line in lines if "\x1b" in line or "\u2028" in line or "\r" in line]
    assert "La valeur est incorrecte.\\nOUTCOME: COMPLETE" in log  # shown, escaped, on its line
    assert "x" * 400 not in log  # capped
    (outcome,) = [line for line in lines if "[offres_crawler.extensions.run_end]" in line and "OUTCOME" in line]
    assert LOG_LINE.match(outcome)


# offres_search: the API refused the query, the run failed; offres_detail: an id the API refuses
# is an answer (a warning), the run is complete.
@pytest.mark.parametrize("spider, args, exit_code", [("offres_search", {"motsCles": "data"}, 1),
                                                     ("offres_detail", {"ids": "195XKYT,201BCDF"}, 0)])
def test_a_forged_outcome_in_an_api_message_stays_inside_its_log_line(tmp_path, sb, hostile, spider,
                                                                      args, exit_code):
    verdict_file = tmp_path / "verdict.json"
    run = crawl(tmp_path, sb, spider, args=args, settings={**hostile, "OFFRES_VERDICT_FILE": str(verdict_file)})
    assert run.returncode == exit_code, run.log[-3000:]
    _check_log(run.log)
    document = json.loads(verdict_file.read_text(encoding="utf-8"))
    assert document["verdict"]["exit_code"] == run.returncode
    assert "\n" not in document["line"] and "\n" not in json.dumps(document["verdict"]).replace("\\n", "")
