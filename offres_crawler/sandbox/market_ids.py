"""Offer ids: France Travail `NNNLLLL` (3 digits, 4 upper-case letters), partner 7-digit numbers.

Ids are stored as one int64 key per offer; the key orders nothing, it only has to be unique and
convertible both ways.
"""

from __future__ import annotations

import re

import numpy as np

LETTERS = 26 ** 4
PARTNER_KEY = 1_000_000_000  # partner keys are PARTNER_KEY + the 7-digit number
_FT_ID = re.compile(r"^(\d{3})([A-Z]{4})$")
_PARTNER_ID = re.compile(r"^\d{7}$")


def ft_letters(k: np.ndarray | int, prefix: np.ndarray | int, seed: int):
    """A bijection of the sequence number k within one prefix: ids look random, never collide."""
    return (k * 7_919 + prefix * 104_729 + seed * 31) % LETTERS


# Two letters of an id from a number below 26 * 26 (AA, AB, ...): looked up, not built per offer.
_PAIRS = tuple(chr(65 + i // 26) + chr(65 + i % 26) for i in range(26 * 26))


def id_string(key: int) -> str:
    if key >= PARTNER_KEY:
        return f"{key - PARTNER_KEY:07d}"
    prefix, letters = divmod(key, LETTERS)
    high, low = divmod(letters, 26 * 26)
    return f"{prefix:03d}" + _PAIRS[high] + _PAIRS[low]


def id_key(offer_id: str) -> int | None:
    """The key of a well-formed id, None for a malformed one."""
    m = _FT_ID.match(offer_id)
    if m:
        value = 0
        for ch in m.group(2):
            value = value * 26 + ord(ch) - 65
        return int(m.group(1)) * LETTERS + value
    if _PARTNER_ID.match(offer_id):
        return PARTNER_KEY + int(offer_id)
    return None
