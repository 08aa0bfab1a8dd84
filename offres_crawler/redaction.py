"""Text that leaves the crawler made safe to write: secrets masked in every form they can take,
and text from outside (the API's messages, ids, labels) made one bounded line (framework-free).

- `secret_forms(secret, client_id)`: the ways a secret can show up in text: as is; URL-encoded
  (`quote`, `quote_plus`, either case of hex digits); JSON-, HTML- and repr-escaped; in base64
  (standard or URL-safe, alone, as `client_id:secret` in a Basic `Authorization`, or anywhere
  inside a longer base64 text: every alignment is covered).
- `SECRETS`: the secrets of the live crawls (client secrets and access tokens), each kept as
  long as its owner (the crawler) lives. `SECRETS.mask(text)` replaces every form of every one
  of them with `***`.
- `protect_logs()` installs, once per process, a log record factory that masks every record
  (its message, the traceback of its exception, its stack) when it is created: whatever logger
  it comes from (Scrapy's, Twisted's, ours) and whatever handler writes it (a log file, stderr,
  scrapyd's log, a test's capture), including handlers installed after it.
- `safe_text(text)`: for text from outside before it is logged or stored: secrets masked,
  control characters (newlines included) escaped, so that an answer cannot forge a log line,
  and the length capped.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import traceback
import weakref
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_FORM = 6  # shorter forms are not masked: they would hide ordinary words, and guard nothing
SAFE_TEXT_LIMIT = 300  # characters kept of a text from outside (the API's messages, ...)
PRECUT_MARGIN = 4096  # characters masked past the limit before the cut
# C0 and C1 controls (newlines, escape sequences...), and the Unicode characters that break or
# reorder a line on a terminal: line/paragraph separators, bidirectional overrides, zero widths.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HEX = re.compile(r"%[0-9A-F]{2}")
_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")


def _base64_cores(data: bytes) -> set[str]:
    """What base64 text holding `data` always contains, whatever comes before and after it:
    for each of the three alignments, the characters of the groups made of `data` only."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode()
        start = 4 if shift else 0  # the first group mixes the bytes before with ours
        end = len(encoded) - (4 if (shift + len(data)) % 3 else 0)  # a padded group is unstable
        if end - start >= 8:
            core = encoded[start:end]
            cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


@dataclass(frozen=True)
class Forms:
    """The forms of a secret: `exact` ones, and base64 `cores`, which stand for the whole run of
    base64 characters around them (the encoding of the secret and of whatever is next to it)."""

    exact: frozenset[str] = frozenset()
    cores: frozenset[str] = frozenset()

    def __or__(self, other: Forms) -> Forms:
        return Forms(self.exact | other.exact, self.cores | other.cores)


def secret_forms(secret: str, client_id: str = "") -> Forms:
    """Every form of `secret` to mask (see the module docstring); none for an empty secret."""
    if not secret:
        return Forms()
    raw = secret.encode("utf-8")
    exact = {
        secret,
        quote(secret, safe=""), quote(secret), quote_plus(secret),
        quote(secret, safe="", encoding="latin-1", errors="ignore"),
        json.dumps(secret)[1:-1], json.dumps(secret)[1:-1].replace("/", "\\/"),
        html.escape(secret), repr(secret)[1:-1], repr(raw)[2:-1],
        base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode(),
    }
    cores = _base64_cores(raw)
    exact |= {quote(core, safe="") for core in cores} - cores  # base64 then URL-encoded
    if client_id:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        exact |= {basic, basic.rstrip("=")}
    return Forms(frozenset(f for f in exact if len(f) >= MIN_FORM),
                 frozenset(c for c in cores if len(c) >= MIN_FORM))


def _pattern(form: str) -> str:
    """A regular expression for `form`; percent-escapes match in either case (%2B and %2b)."""
    if not _HEX.search(form):
        return re.escape(form)
    parts, last = [], 0
    for match in _HEX.finditer(form):
        parts += [re.escape(form[last:match.start()]), f"(?i:{re.escape(match.group())})"]
        last = match.end()
    parts.append(re.escape(form[last:]))
    return "".join(parts)


def _alternation(forms: frozenset[str]) -> re.Pattern[str] | None:
    # longest first: a form inside another (the base64 of `id:secret`) is masked whole
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(_pattern(f) for f in ordered)) if ordered else None


class _Masker:
    """One compiled set of forms. Exact forms are replaced by MASK; a core takes with it the
    whole run of base64 characters around it (found by a linear scan, not by the regular
    expression: a leading `[A-Za-z0-9+/]*` would backtrack over every long word of a text)."""

    def __init__(self, forms: Forms) -> None:
        self.exact = _alternation(forms.exact)
        self.cores = _alternation(forms.cores)

    def __call__(self, text: str) -> str:
        if self.cores is not None:
            text = self._mask_cores(self.cores, text)
        return self.exact.sub(MASK, text) if self.exact is not None else text

    @staticmethod
    def _mask_cores(cores: re.Pattern[str], text: str) -> str:
        out, last = [], 0
        for match in cores.finditer(text):
            start, end = match.start(), match.end()
            if start < last:
                continue
            while start > last and text[start - 1] in _BASE64:
                start -= 1
            while end < len(text) and (text[end] in _BASE64 or text[end] == "="):
                end += 1
            out += [text[last:start], MASK]
            last = end
        out.append(text[last:])
        return "".join(out)


def mask_forms(text: str, secret: str, client_id: str = "") -> str:
    """`text` with every form of this one `secret` masked (SECRETS masks those of live crawls)."""
    return _Masker(secret_forms(secret, client_id))(text)


class SecretMask:
    """The secrets to mask, each kept as long as its owner lives (a crawler: weakly held)."""

    def __init__(self) -> None:
        self._owners: weakref.WeakKeyDictionary[object, Forms] = weakref.WeakKeyDictionary()
        self._masker: _Masker | None = None
        self._stale = True
        self._owners_seen = 0  # an owner collected since: its secrets go out of the expression

    def add(self, owner: object, secret: str, client_id: str = "") -> None:
        forms = secret_forms(secret, client_id)
        if forms.exact or forms.cores:
            self._owners[owner] = self._owners.get(owner, Forms()) | forms
            self._stale = True

    def _compiled(self) -> _Masker | None:
        if self._stale or len(self._owners) != self._owners_seen:
            forms = Forms()
            for owned in self._owners.values():
                forms = forms | owned
            self._masker = _Masker(forms) if forms.exact or forms.cores else None
            self._stale, self._owners_seen = False, len(self._owners)
        return self._masker

    def mask(self, text: str) -> str:
        masker = self._compiled()
        return masker(text) if masker is not None else text

    def mask_record(self, record: logging.LogRecord) -> None:
        """Mask a log record in place: its message, its exception's traceback, its stack."""
        if self._compiled() is None:
            return
        try:
            message = record.getMessage()
        except Exception:  # a bad format: logging reports it when the record is written
            return
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and record.exc_info[1] is not None:
            try:
                text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            except Exception:  # an odd traceback object: the message at least is masked
                text = ""
            masked = self.mask(text)
            if masked != text:  # formatters use exc_text when it is set
                record.exc_text = masked
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)


SECRETS = SecretMask()
_installed = False


def protect_logs() -> None:
    """Mask every log record of this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def masking_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        SECRETS.mask_record(record)
        return record

    logging.setLogRecordFactory(masking_factory)
    _installed = True


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def safe_text(text: object, limit: int = SAFE_TEXT_LIMIT) -> str:
    """`text` from outside made safe to log: secrets masked (before the cut: no prefix of one
    is left), control characters escaped (`\\n`: one line stays one line), `limit` characters
    at most, then a note of what was cut."""
    raw = str(text)
    # masked up to a long way past the limit (farther than any secret is long): the work stays
    # bounded by the limit, and no secret can straddle this cut and the final one
    head = raw[:limit + PRECUT_MARGIN]
    value = _CONTROL.sub(_escape, SECRETS.mask(head))
    more = len(value) - limit + len(raw) - len(head)
    return value if more <= 0 else f"{value[:limit]}... ({more} more characters)"


QUOTED_LIMIT = 40  # characters of a refused value quoted in a message


def quoted(value: str) -> str:
    """A user's value as a message quotes it: repr (control characters escaped), cut to
    QUOTED_LIMIT characters with a note of the length."""
    if len(value) <= QUOTED_LIMIT:
        return repr(value)
    return repr(value[:QUOTED_LIMIT]) + f"... ({len(value)} characters)"
