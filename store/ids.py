"""Opaque ids, access codes, page cursors and the clock."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time

from .errors import Invalid
from .validation import INT64_MAX

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
# What ``encode_cursor`` writes: a time in ms (created, joined) and an id, which
# is ``new_id``'s url-safe alphabet (ids of 64 characters are far past any made).
_CURSOR = re.compile(r"(?P<created>0|[1-9][0-9]{0,18}):(?P<id>[A-Za-z0-9_-]{1,64})")


def new_id() -> str:
    """A short url-safe random id (72 bits): opaque, unguessable, no coordination."""
    return secrets.token_urlsafe(9)


def new_code() -> str:
    """An access code: 10 characters from an unambiguous alphabet (~49 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """Codes are typed by people: accept any case and stray spaces."""
    return code.strip().upper()


def now_ms() -> int:
    """Wall-clock time in ms since the Unix epoch (the contracts' time unit)."""
    return time.time_ns() // 1_000_000


def encode_cursor(created: int, last_id: str) -> str:
    """An opaque keyset cursor over ``(created, id)``, for newest-first pages."""
    raw = f"{created}:{last_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: object) -> tuple[int, str]:
    """``(created, id)`` back from ``encode_cursor``; ``Invalid`` for anything else.

    A cursor comes back from the client, who can forge one: only what
    ``encode_cursor`` makes gets through, so that nothing the database driver
    refuses does (a number past 64 bits, a NUL in the id), and nothing that is
    not a cursor pages quietly (a negative, signed or padded number).
    """
    if not isinstance(cursor, str) or not cursor or len(cursor) > 200:
        raise Invalid("bad cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Invalid("bad cursor") from None
    match = _CURSOR.fullmatch(raw)
    if match is None or int(match["created"]) > INT64_MAX:
        raise Invalid("bad cursor")
    return int(match["created"]), match["id"]
