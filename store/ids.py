"""Opaque ids, access codes and the clock."""

from __future__ import annotations

import secrets
import time

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
