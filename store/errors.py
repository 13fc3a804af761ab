"""Domain exceptions: the expected outcomes of store calls.

Each carries a ``code`` from the contracts (PROTOCOL.md, HTTP-API.md) and a
human message, so the server maps them at the edge without a lookup table of
its own: ``except StoreError as e: reply_error(e.code, e.message)``. Some also
carry a ``reason`` (a finer, stable code a client translates: ``handle_taken``)
and its ``params`` (``{"min": 8}``); protocol/README.md lists them.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's expected outcomes."""

    code = "internal"

    def __init__(
        self, message: str, reason: str | None = None, params: dict[str, int] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class Invalid(StoreError):
    """The input breaks a rule (length, range, enum, type)."""

    code = "bad_request"


class Unauthenticated(StoreError):
    """Unknown handle, wrong password, or a token that is not (or no longer) valid."""

    code = "unauthenticated"


class Forbidden(StoreError):
    """The actor exists but may not do this."""

    code = "forbidden"


class NotFound(StoreError):
    """The circle, member or message does not exist."""

    code = "not_found"


class Conflict(StoreError):
    """The request clashes with the current state (taken handle, last owner)."""

    code = "conflict"


class Busy(StoreError):
    """The store cannot take this now: the database stayed locked by other
    writers past its wait (SQLite's ``busy_timeout``; nothing was written), or
    the password pool is full. Try again in ``retry_after`` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


__all__ = ["Busy", "Conflict", "Forbidden", "Invalid", "NotFound", "StoreError", "Unauthenticated"]
