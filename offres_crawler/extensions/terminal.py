"""A crawl on a terminal: a live progress bar instead of progress lines, Scrapy's log at WARNING
unless asked, and the run's summary at the end. Under scrapyd or cron (no terminal, or a
LOG_FILE) nothing changes: the progress lines of extensions/progress.py, the whole log.

The decision (`bar_enabled`), made alike by the `crawl` command (which sets the log level before
Scrapy configures logging) and by the Progress extension (which draws the bar):
- OFFRES_PROGRESS_BAR = "auto" (default): a bar when stderr is a terminal, no LOG_FILE is set,
  the process is not a scrapyd job and TERM is not "dumb"; "on": always; "off": never;
- and OFFRES_PROGRESS_ENABLED is true.
With the bar, Scrapy's log level is OFFRES_TERMINAL_LOG_LEVEL (WARNING) unless the level was
asked for: `-L INFO`, `-s LOG_LEVEL=...`, SCRAPY_LOG_LEVEL in the environment, or a spider's
custom settings. Log records still shown are written above the bar, and the records of the end
of the run (extensions/run_end.py: summary, OUTCOME line) that the level hides are printed
as they are, so the terminal always ends with the summary.

The bar is tqdm's, updated from the reactor every REFRESH_S seconds with the progress meter's
reading (offers / expected, requests/s, ETA over the OFFRES_PROGRESS_WINDOW).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import IO, Any

from scrapy.settings import SETTINGS_PRIORITIES

from offres_crawler.harvest.outcome import VERDICT_PREFIX
from offres_crawler.harvest.progress_meter import Reading, format_duration

BAR_SETTING = "OFFRES_PROGRESS_BAR"
LEVEL_SETTING = "OFFRES_TERMINAL_LOG_LEVEL"
MODES = ("auto", "on", "off")
REFRESH_S = 0.5
DEFAULT_SIZE = (100, 24)
RUN_END_LOGGER = "offres_crawler.extensions.run_end"
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def bar_mode(value: Any) -> str:
    """"auto", "on" or "off" from the setting's value (booleans and their spellings too)."""
    text = str(value).strip().lower()
    if text == "auto":
        return "auto"
    if text in _TRUE:
        return "on"
    if text in _FALSE:
        return "off"
    raise ValueError(f"{BAR_SETTING} must be one of {', '.join(MODES)}, not {value!r}")


def wants_bar(mode: str, *, is_tty: bool, log_file: bool, scrapyd: bool, term: str | None) -> bool:
    """The decision itself, from plain facts."""
    if mode != "auto":
        return mode == "on"
    return is_tty and not log_file and not scrapyd and term != "dumb"


def _isatty(stream: IO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def bar_enabled(settings: Any, *, stream: IO | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether this crawl shows the bar (see the module docstring); `stream`: stderr."""
    if not settings.getbool("OFFRES_PROGRESS_ENABLED", True):
        return False
    environ = os.environ if environ is None else environ
    return wants_bar(bar_mode(settings.get(BAR_SETTING, "auto")),
                     is_tty=_isatty(sys.stderr if stream is None else stream),
                     log_file=bool(settings.get("LOG_FILE")), scrapyd=bool(environ.get("SCRAPY_PROJECT")),
                     term=environ.get("TERM"))


def log_level_asked(settings: Any, environ: Mapping[str, str] | None = None) -> bool:
    """LOG_LEVEL given on the command line or by a spider (above the project's settings), or in
    the environment."""
    environ = os.environ if environ is None else environ
    return (settings.getpriority("LOG_LEVEL") or 0) > SETTINGS_PRIORITIES["project"] \
        or "SCRAPY_LOG_LEVEL" in environ


def terminal_log_level(settings: Any, *, stream: IO | None = None,
                       environ: Mapping[str, str] | None = None) -> str | None:
    """The log level a crawl on a terminal gets; None: leave LOG_LEVEL as it is."""
    if not bar_enabled(settings, stream=stream, environ=environ) or log_level_asked(settings, environ):
        return None
    return str(settings.get(LEVEL_SETTING) or "WARNING").upper()


# -- the bar ------------------------------------------------------------------------------------

def _level(value: Any) -> int | None:
    """A log level's number ("WARNING", "warning", 30, "30"); None if it is none."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    number = logging.getLevelName(text.upper())
    return number if isinstance(number, int) else None


class AboveTheBar(logging.Handler):
    """Stands in for a console handler while the bar is drawn: same level, format and filters,
    each record written above the bar (tqdm.write) instead of through it."""

    def __init__(self, replaced: logging.StreamHandler, bar: Any) -> None:
        super().__init__(replaced.level)
        self.replaced, self.bar = replaced, bar
        self.setFormatter(replaced.formatter)
        for log_filter in replaced.filters:
            self.addFilter(log_filter)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.bar.write(self.format(record), file=self.replaced.stream)
        except Exception:
            self.handleError(record)


class RunEndPrinter(logging.Handler):
    """The end-of-run records the log does not show (below its level, or no log at all), printed
    bare; removes itself after the OUTCOME line, the last of the run."""

    def __init__(self, stream: IO, shown_from: int | None) -> None:
        super().__init__(logging.INFO)
        self.stream, self.shown_from = stream, shown_from  # None: the log shows nothing
        self.logger = logging.getLogger(RUN_END_LOGGER)

    def attach(self) -> None:
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.shown_from is None or record.levelno < self.shown_from:
            self.stream.write(message + "\n")
            self.stream.flush()
        if message.startswith(VERDICT_PREFIX):
            self.logger.removeHandler(self)


class TerminalBar:
    def __init__(self, stream: IO, settings: Any, name: str) -> None:
        self.stream, self.name = stream, name
        shown_from = _level(settings.get("LOG_LEVEL", "DEBUG")) if settings.getbool("LOG_ENABLED", True) else None
        self.printer = RunEndPrinter(stream, shown_from)
        self.bar: Any = None
        self._swapped: list[tuple[logging.Handler, logging.Handler]] = []

    def start(self) -> None:
        from tqdm import tqdm

        columns, lines = self._size()
        self.bar = tqdm(total=None, desc=self.name, file=self.stream, ncols=columns, nrows=lines, mininterval=0,
                        leave=True, unit="offers", bar_format=self._format(None))
        for handler in list(logging.root.handlers):  # Scrapy's console handler, writing to our stream
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler) \
                    and getattr(handler, "stream", None) is self.stream:
                above = AboveTheBar(handler, tqdm)
                logging.root.removeHandler(handler)
                logging.root.addHandler(above)
                self._swapped.append((handler, above))
        self.printer.attach()

    def _size(self) -> tuple[int, int]:
        """The terminal's columns and lines, read at each update (it may be resized); a terminal
        that says 0 (a pseudo-terminal nobody sized: tqdm would then draw nothing) gets
        DEFAULT_SIZE."""
        try:
            columns, lines = os.get_terminal_size(self.stream.fileno())
        except (AttributeError, OSError, ValueError):
            columns = lines = 0
        return (columns if columns > 0 else DEFAULT_SIZE[0], lines if lines > 0 else DEFAULT_SIZE[1])

    @staticmethod
    def _format(expected: int | None) -> str:
        if expected is None:
            return "{desc}: {n} items [{elapsed}{postfix}]"
        return "{desc}: {percentage:5.1f}%|{bar}| {n}/{total} offers [{elapsed}{postfix}]"

    def update(self, reading: Reading) -> None:
        if self.bar is None:
            return
        if reading.expected is not None and self.bar.total != reading.expected:
            self.bar.total = reading.expected
            self.bar.bar_format = self._format(reading.expected)
        self.bar.n = reading.collected
        self.bar.ncols, self.bar.nrows = self._size()
        rate = f"{reading.request_rate:.2f} req/s" if reading.request_rate is not None else "? req/s"
        self.bar.set_postfix_str(f"{reading.requests:,} requests, {rate}, ETA {format_duration(reading.eta_s)}",
                                 refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        for handler, above in self._swapped:
            logging.root.removeHandler(above)
            logging.root.addHandler(handler)
        self._swapped = []
