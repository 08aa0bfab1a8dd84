"""Secrets masked in every form, in every log record; text from outside made one bounded line."""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from urllib.parse import quote, quote_plus, urlencode

import pytest

from offres_crawler.redaction import SecretMask, mask_forms, protect_logs, safe_text, secret_forms

SECRET = "Zq+9/x=Y&w!é"  # characters that every encoding writes differently
CLIENT_ID = "PAR_test_0123"


class Owner:
    """Stands for a crawler: its secrets are masked while it lives."""


def lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def encodings(secret: str, client_id: str) -> dict[str, str]:
    """The forms a secret takes in text, written out here independently of the code under test."""
    raw = secret.encode()
    return {
        "raw": secret,
        "quote": quote(secret, safe=""), "quote /": quote(secret), "quote_plus": quote_plus(secret),
        "quote lower-case hex": lower_hex(quote(secret, safe="")),
        "form body": urlencode({"client_secret": secret}),
        "base64": base64.b64encode(raw).decode(), "urlsafe base64": base64.urlsafe_b64encode(raw).decode(),
        "base64 unpadded": base64.b64encode(raw).decode().rstrip("="),
        "basic auth": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
        "base64 inside": base64.b64encode(b"k=" + raw + b"&more").decode(),
        "base64 inside, shifted": base64.b64encode(b"key=" + raw).decode(),
        "json": json.dumps({"s": secret}), "json ascii": json.dumps({"s": secret}, ensure_ascii=True),
        "json slash": json.dumps(secret).replace("/", "\\/"),
        "html": html.escape(secret), "repr of bytes": repr(raw), "repr": repr(secret),
        "echoed body": json.dumps({"error": "invalid_client",
                                   "error_description": "bad form " + urlencode({"client_secret": secret})}),
    }


def leaked(text: str, secret: str) -> list[str]:
    """Which forms of `secret` are still in `text` (the raw secret and its URL/base64/JSON forms)."""
    raw = secret.encode()
    probes = {secret, quote(secret, safe=""), quote_plus(secret), lower_hex(quote(secret, safe="")),
              base64.b64encode(raw).decode().rstrip("="), json.dumps(secret)[1:-1], html.escape(secret)}
    return [p for p in probes if p in text]


@pytest.mark.parametrize("name", list(encodings(SECRET, CLIENT_ID)))
def test_every_form_is_masked(name):
    text = f"before {encodings(SECRET, CLIENT_ID)[name]} after"
    masked = mask_forms(text, SECRET, CLIENT_ID)
    assert "***" in masked and masked.startswith("before ") and masked.endswith(" after")
    assert not leaked(masked, SECRET), masked
    if name.startswith(("basic auth", "base64")):  # the whole base64 word goes, not just its middle
        assert masked == f"before {'Basic ' if name == 'basic auth' else ''}*** after", masked


def test_the_base64_cores_catch_the_secret_at_any_offset():
    for prefix in range(6):
        encoded = base64.b64encode(b"x" * prefix + SECRET.encode() + b"tail").decode()
        assert mask_forms(f"data={encoded}; next", SECRET) == "data=***; next", prefix


def test_short_or_empty_secrets_mask_nothing_but_themselves_when_long_enough():
    assert not secret_forms("").exact and not secret_forms("").cores
    assert mask_forms("a b c", "a") == "a b c"  # a one-letter secret would blank the log
    assert mask_forms("token s3cr3t!", "s3cr3t") == "token ***!"


def test_the_mask_lives_as_long_as_its_owner():
    mask = SecretMask()
    owner = Owner()
    mask.add(owner, SECRET, CLIENT_ID)
    assert mask.mask(f"x {quote_plus(SECRET)} y") == "x *** y"
    mask.add(owner, "tok3nAbCdEfGhIjKlMnOpQrStU")
    assert mask.mask("Bearer tok3nAbCdEfGhIjKlMnOpQrStU") == "Bearer ***"
    del owner
    import gc
    gc.collect()
    assert mask.mask(SECRET) == SECRET  # that crawler is gone: nothing of it is kept


def test_log_records_are_masked_whatever_logger_and_handler(caplog):
    from offres_crawler.redaction import SECRETS

    owner = Owner()
    SECRETS.add(owner, SECRET, CLIENT_ID)
    protect_logs()
    protect_logs()  # idempotent
    logger = logging.getLogger("twisted")  # any logger: Scrapy's, Twisted's, a third party's
    with caplog.at_level(logging.DEBUG):
        logger.debug("form %s", urlencode({"client_secret": SECRET}))
        logger.info("%(body)s", {"body": json.dumps({"echo": SECRET}, ensure_ascii=True)})
        try:
            raise ValueError(f"server said {quote(SECRET, safe='')}")
        except ValueError:
            logger.exception("failed")
    text = caplog.text
    assert text.count("***") >= 3 and not leaked(text, SECRET), text
    handler_output = logging.Formatter().format(caplog.records[-1])
    assert "ValueError: server said ***" in handler_output and not leaked(handler_output, SECRET)
    del owner


def test_safe_text_makes_one_bounded_line():
    forged = "bad range\nOUTCOME: COMPLETE - every offer collected (exit code 0)\r\x1b[2K\u2028\u202eok"
    text = safe_text(forged)
    assert "\n" not in text and "\r" not in text and "\x1b" not in text and "\u2028" not in text
    assert text.startswith("bad range\\nOUTCOME: COMPLETE") and "\\x1b" in text and "\\u202e" in text
    long = safe_text("é" * 1000, limit=50)
    assert long == "é" * 50 + "... (950 more characters)"
    assert safe_text(12) == "12"


def test_masking_a_long_text_is_linear():
    import time

    text = "A" * 200_000 + SECRET  # one long base64-like word: no backtracking over it
    started = time.perf_counter()
    assert mask_forms(text, SECRET).endswith("***")
    assert time.perf_counter() - started < 2.0
    started = time.perf_counter()
    assert len(safe_text("B" * 5_000_000)) < 400  # a huge body costs what its first KB cost
    assert time.perf_counter() - started < 1.0


def test_safe_text_masks_before_it_cuts():
    from offres_crawler.redaction import SECRETS

    owner = Owner()
    SECRETS.add(owner, SECRET)
    text = safe_text("x" * 295 + SECRET + "y" * 100, limit=300)
    assert SECRET[:5] not in text and text.startswith("x" * 295 + "***")
    del owner
