"""Input checks shared by the write paths; each failure is an ``Invalid`` naming the field.

The store re-checks what the server may already have checked: it is the last
line before the database, and bad input must never become a 500.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from .errors import Invalid

# The largest value of a BIGINT (seqs, revs, ms): past it SQLite's driver raises
# OverflowError and asyncpg a DataError, so a larger number is bad input, never a query.
INT64_MAX = 2**63 - 1


def text(value: object, field: str, min_len: int, max_len: int, *, strip: bool = True) -> str:
    """A string whose length (after stripping, by default) is within bounds, without
    NUL: PostgreSQL's text cannot hold one, and one such say in a group commit would
    fail everyone else's messages of the batch with it."""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string")
    if "\x00" in value:
        raise Invalid(f"{field} must not contain a NUL character")
    if strip:
        value = value.strip()
    if not min_len <= len(value) <= max_len:
        if min_len == 0:
            raise Invalid(f"{field} must be at most {max_len} characters")
        raise Invalid(f"{field} must be {min_len} to {max_len} characters")
    return value


# In a person's name, what is not visible text: C0 and C1 controls and line or
# paragraph separators (a name is one line), bidirectional embeddings, overrides
# and isolates (they reorder what follows: "\u202enimda" shows as "admin"), and
# zero-width characters (two names that look the same but are not). Each group
# with the words the error message uses.
_NOT_IN_NAMES = (
    (re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]"), "control characters or line breaks"),
    (re.compile("[\u202a-\u202e\u2066-\u2069]"), "bidirectional control characters"),
    (re.compile("[\u200b-\u200d\u2060\ufeff]"), "zero-width characters"),
)
_ZWJ = "\u200d"
# The zero-width joiner also builds emoji (👩‍💻, 🏳️‍🌈): allowed between an emoji
# (or its variation selector or skin tone) and an emoji, nowhere else.
_EMOJI_BEFORE_ZWJ = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]")


def display_name(value: object, field: str, max_len: int, *, min_len: int = 1) -> str:
    """A person's name — an account's name, a nickname in a circle — as NFC, stripped:
    one line of visible text. Chinese names, accents and emoji pass unchanged."""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string")
    value = unicodedata.normalize("NFC", value).strip()
    for pattern, what in _NOT_IN_NAMES:
        for found in pattern.finditer(value):
            if not _joins_emoji(value, found.start()):
                raise Invalid(f"{field} must not contain {what} (U+{ord(found.group()):04X})")
    return text(value, field, min_len, max_len)


def _joins_emoji(value: str, at: int) -> bool:
    if value[at] != _ZWJ or at == 0 or at + 1 == len(value):
        return False
    before, after = value[at - 1], value[at + 1]
    return (
        unicodedata.category(before) == "So" or _EMOJI_BEFORE_ZWJ.match(before) is not None
    ) and unicodedata.category(after) == "So"


def integer(value: object, field: str, low: int, high: int | None = None) -> int:
    """An int within bounds; without ``high``, at most ``INT64_MAX``. ``bool`` is
    an int subclass and is refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{field} must be an integer")
    if high is not None and not low <= value <= high:
        raise Invalid(f"{field} must be {low} to {high}")
    if value < low:
        raise Invalid(f"{field} must be at least {low}")
    if value > INT64_MAX:
        raise Invalid(f"{field} must be at most {INT64_MAX}")
    return value


def optional_integer(value: object, field: str, low: int, high: int | None = None) -> int | None:
    return None if value is None else integer(value, field, low, high)


def boolean(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{field} must be true or false")
    return value


def choice(value: object, field: str, options: Collection[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise Invalid(f"{field} must be one of {', '.join(sorted(options))}")
    return value


def limit(value: object, field: str = "limit", high: int = 1000) -> int:
    """A page size."""
    return integer(value, field, 1, high)
