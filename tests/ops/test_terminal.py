"""A crawl on a terminal (extensions/terminal.py): when the bar is drawn and the log lowered to
WARNING, log records above the bar, the summary printed when the log hides it; and a real crawl
under a pseudo-terminal (python's pty): the bar, no INFO lines, the summary. Without a terminal
nothing changes: tests/ops/test_progress.py checks the progress lines of a crawl logging to a file."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest
from scrapy.settings import Settings

from offres_crawler.extensions.terminal import (
    AboveTheBar,
    RunEndPrinter,
    TerminalBar,
    bar_enabled,
    bar_mode,
    log_level_asked,
    terminal_log_level,
    wants_bar,
)
from offres_crawler.harvest.progress_meter import Reading
from offres_crawler.settings import LOG_LEVEL as PROJECT_LOG_LEVEL
from tests.ops.crawlproc import crawl_env


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def project_settings(**cmdline: object) -> Settings:
    """The project's settings (LOG_LEVEL at project priority), then `-s` ones."""
    settings = Settings()
    settings.setmodule("offres_crawler.settings", priority="project")
    settings.setdict(cmdline, priority="cmdline")
    return settings


TTY, PIPE = Stream(True), Stream(False)


@pytest.mark.parametrize(("value", "mode"), [("auto", "auto"), ("AUTO", "auto"), ("on", "on"), (True, "on"),
                                             ("1", "on"), ("off", "off"), (False, "off"), ("0", "off")])
def test_bar_mode(value, mode):
    assert bar_mode(value) == mode


def test_bar_mode_refuses_nonsense():
    with pytest.raises(ValueError, match="OFFRES_PROGRESS_BAR must be one of auto, on, off"):
        bar_mode("sometimes")


@pytest.mark.parametrize(("mode", "facts", "bar"), [
    ("auto", {}, True),
    ("auto", {"is_tty": False}, False),  # cron, a pipe, CI
    ("auto", {"log_file": True}, False),  # the log goes to a file
    ("auto", {"scrapyd": True}, False),  # a scrapyd job
    ("auto", {"term": "dumb"}, False),
    ("on", {"is_tty": False, "log_file": True}, True),
    ("off", {}, False),
])
def test_wants_bar(mode, facts, bar):
    given = {"is_tty": True, "log_file": False, "scrapyd": False, "term": "xterm-256color", **facts}
    assert wants_bar(mode, **given) is bar


def test_bar_enabled_from_the_settings_and_the_environment():
    assert bar_enabled(project_settings(), stream=TTY, environ={})
    assert not bar_enabled(project_settings(), stream=PIPE, environ={})
    assert not bar_enabled(project_settings(LOG_FILE="crawl.log"), stream=TTY, environ={})
    assert not bar_enabled(project_settings(), stream=TTY, environ={"SCRAPY_PROJECT": "offres"})
    assert not bar_enabled(project_settings(OFFRES_PROGRESS_BAR="off"), stream=TTY, environ={})
    assert not bar_enabled(project_settings(OFFRES_PROGRESS_ENABLED=False), stream=TTY, environ={})
    assert bar_enabled(project_settings(OFFRES_PROGRESS_BAR="on"), stream=PIPE, environ={})


def test_the_log_level_on_a_terminal():
    assert PROJECT_LOG_LEVEL == "INFO"
    assert terminal_log_level(project_settings(), stream=TTY, environ={}) == "WARNING"
    assert terminal_log_level(project_settings(OFFRES_TERMINAL_LOG_LEVEL="error"), stream=TTY,
                              environ={}) == "ERROR"
    # asked for: -L INFO / -s LOG_LEVEL=INFO (command-line priority), the environment, a spider
    assert terminal_log_level(project_settings(LOG_LEVEL="INFO"), stream=TTY, environ={}) is None
    assert terminal_log_level(project_settings(), stream=TTY, environ={"SCRAPY_LOG_LEVEL": "DEBUG"}) is None
    spider = project_settings()
    spider.set("LOG_LEVEL", "DEBUG", priority="spider")
    assert log_level_asked(spider, environ={})
    assert not log_level_asked(project_settings(), environ={})
    # no bar, no change
    assert terminal_log_level(project_settings(), stream=PIPE, environ={}) is None
    assert terminal_log_level(project_settings(LOG_FILE="x.log"), stream=TTY, environ={}) is None


def _record(message: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("offres_crawler.extensions.run_end", level, __file__, 1, message, None, None)


def test_the_end_of_the_run_is_printed_when_the_log_hides_it():
    out = Stream(True)
    printer = RunEndPrinter(out, logging.WARNING)
    printer.attach()
    assert printer in printer.logger.handlers
    for record in (_record("Run summary:\n  offers: 3"), _record("Why the run is incomplete: x", logging.WARNING),
                   _record("OUTCOME: COMPLETE - every offer (exit code 0)")):
        printer.handle(record)
    # the warning is the log's to show (it shows WARNING): printed once, by the log, not here
    assert out.getvalue() == "Run summary:\n  offers: 3\nOUTCOME: COMPLETE - every offer (exit code 0)\n"
    assert printer not in printer.logger.handlers  # the OUTCOME line is the last: it goes away
    shown = Stream(True)
    RunEndPrinter(shown, logging.INFO).handle(_record("Run summary: ..."))  # the log shows INFO itself
    assert shown.getvalue() == ""
    silent = Stream(True)
    RunEndPrinter(silent, None).handle(_record("OUTCOME: FAILED - x", logging.WARNING))  # --nolog
    assert silent.getvalue() == "OUTCOME: FAILED - x\n"


def test_log_records_go_above_the_bar_and_the_handler_comes_back():
    out = Stream(True)
    console = logging.StreamHandler(out)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("[%(name)s] %(levelname)s: %(message)s"))
    logging.root.addHandler(console)
    bar = TerminalBar(out, project_settings(LOG_LEVEL="WARNING"), "offres_search")
    try:
        bar.start()
        assert console not in logging.root.handlers
        assert any(isinstance(h, AboveTheBar) and h.level == logging.WARNING for h in logging.root.handlers)
        bar.update(Reading(collected=1500, expected=3000, requests=12, rate=300.0, request_rate=2.9, eta_s=5.0))
        logging.getLogger("offres_crawler.test").warning("a warning")
        logging.getLogger("offres_crawler.test").info("an info line")
        bar.update(Reading(collected=3000, expected=3000, requests=22, rate=300.0, request_rate=2.9, eta_s=0.0))
    finally:
        bar.close()
        bar.printer.logger.removeHandler(bar.printer)
        logging.root.removeHandler(console)
    text = out.getvalue()
    assert "[offres_crawler.test] WARNING: a warning\n" in text and "an info line" not in text
    assert re.search(r"offres_search:  50\.0%\|.*\| 1500/3000 offers \[\S+, 12 requests, 2\.90 req/s, ETA 5\.0s\]",
                     text)
    assert "offres_search: 100.0%" in text
    assert not any(isinstance(h, AboveTheBar) for h in logging.root.handlers)


# -- a real crawl on a pseudo-terminal -------------------------------------------------------------

def _crawl_on_a_terminal(sb, work, *options: str, timeout: float = 120.0) -> tuple[int, str]:
    """`scrapy crawl offres_search` with stdout and stderr on a pseudo-terminal of 120 x 40; all
    it wrote there, and its exit code."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    cmd = [sys.executable, "-m", "scrapy", "crawl", "offres_search", "-O", str(work / "offres.jsonl"),
           "-s", f"OFFRES_API_URL={sb.api_url}", "-s", f"OFFRES_TOKEN_URL={sb.token_url}",
           "-s", "OFFRES_RATE_LIMIT=12", "-s", f"OFFRES_SEARCH_REPORT={work / 'report.json'}", *options]
    env = {**crawl_env(sb), "TERM": "xterm-256color"}
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=child, stderr=child,
                            close_fds=True)
    os.close(child)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    data = os.read(main, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        proc.wait(max(deadline - time.monotonic(), 1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    return proc.returncode, b"".join(chunks).decode("utf-8", errors="replace")


BAR = re.compile(r"offres_search: +(\d+\.\d)%\|[^|]*\| (\d+)/3000 offers \[\d\d:\d\d, \d+ requests, [\d.]+ req/s, "
                 r"ETA [^\]]+\]")


def test_a_crawl_on_a_terminal_shows_a_bar_and_its_summary(sandbox_factory, tmp_path):
    sb = sandbox_factory("--offers", "3000", "--seed", "2", "--rate-limit", "50")
    code, screen = _crawl_on_a_terminal(sb, tmp_path)
    assert code == 0, screen[-3000:]
    bars = BAR.findall(screen)
    assert bars, screen[-3000:]
    assert bars[-1] == ("100.0", "3000")
    assert " INFO: " not in screen and "[scrapy" not in screen  # Scrapy's INFO lines: not shown
    lines = screen.replace("\r\n", "\n").split("\n")
    summary = lines[next(i for i, line in enumerate(lines) if line.startswith("Run summary:")):]
    assert any(s.startswith("  offers: 3,000 collected of 3,000 reported (100.0 %), 0 missing") for s in summary)
    assert screen.rindex("offres_search: 100.0%") < screen.index("Run summary:")  # the bar, then the summary
    assert [s for s in summary if s.strip()][-1] == \
        "OUTCOME: COMPLETE - every offer reported by the API was collected (exit code 0)"
    assert screen.count("OUTCOME:") == 1
    assert (tmp_path / "offres.jsonl").read_text(encoding="utf-8").count("\n") == 3000


def test_asked_for_the_log_level_on_a_terminal_gives_it_with_the_bar(sandbox_factory, tmp_path):
    sb = sandbox_factory("--offers", "3000", "--seed", "2", "--rate-limit", "50")
    code, screen = _crawl_on_a_terminal(sb, tmp_path, "-L", "INFO")
    assert code == 0, screen[-3000:]
    assert BAR.search(screen)
    assert "[scrapy.core.engine] INFO: Spider closed (finished)" in screen
    assert "Progress: " not in screen  # the bar stands for the progress lines
    assert screen.count("Run summary:") == 1 and screen.count("OUTCOME:") == 1  # by the log, once
