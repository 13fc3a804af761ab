"""Opaque ids, access codes, page cursors and the clock."""

from __future__ import annotations

import base64
import binascii
import secrets
import time

from .errors import Invalid

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


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
    """``(created, id)`` back from ``encode_cursor``; ``Invalid`` for anything else."""
    if not isinstance(cursor, str) or not cursor or len(cursor) > 200:
        raise Invalid("bad cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, last_id = raw.split(":", 1)
        return int(created), last_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Invalid("bad cursor") from None
