"""The API's error bodies: `{"codeErreur", "codeHttp", "message"}` (REFERENCE Part 2 §4)."""

from __future__ import annotations

import json
import logging

logger = logging.getLogger(__name__)

_MAX_SHOWN = 300  # an unexpected body (HTML page, ...) is shown cut to this many characters


def api_error_message(body: bytes) -> str:
    """The `message` of an API error body, else the body itself, shortened (never empty)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str) and data["message"].strip():
        return data["message"].strip()
    if not text:
        return "(empty body)"
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "..."
