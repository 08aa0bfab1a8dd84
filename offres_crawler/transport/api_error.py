"""The API's error bodies: `{"codeErreur", "codeHttp", "message"}` (REFERENCE Part 2 §4)."""

from __future__ import annotations

import json

from offres_crawler.redaction import safe_text


def api_error_message(body: bytes) -> str:
    """The `message` of an API error body, else the body itself (never empty), safe to log:
    one line (control characters escaped: a message cannot forge a log line), secrets masked,
    capped (offres_crawler/redaction.py)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        data = None
    message = data.get("message") if isinstance(data, dict) else None
    if isinstance(message, str) and message.strip():
        return safe_text(message.strip())
    if not text:
        return "(empty body)"
    return safe_text(text)
