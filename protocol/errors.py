"""The contract's error codes and the exceptions that carry them.

A `ProtocolError` is an expected outcome, not a bug: the server turns it into an
`error` frame with `to_map()` and keeps the connection open.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

RequestId = int | str
"""A client request's `id`: an integer or a string of at most 64 characters."""


class ErrorCode(StrEnum):
    BAD_FRAME = "bad_frame"
    UNKNOWN_TYPE = "unknown_type"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    TOO_BIG = "too_big"
    RATE_LIMITED = "rate_limited"
    CONFLICT = "conflict"
    INTERNAL = "internal"
    # HTTP-API.md adds this one for invalid bodies; it never appears on /ws.
    BAD_REQUEST = "bad_request"


def error_map(
    code: ErrorCode | str,
    message: str,
    id: RequestId | None = None,
    reason: str | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `error` frame: `{"t":"error","id":…,"code":…,"message":…}`, without `id` if None;
    with a `reason` (and its `params`) a client translates, when there is one (an
    addition of this server: `muted` with `params.until`, `slow_mode` with
    `params.wait_ms`…)."""
    m: dict[str, Any] = {"t": "error"}
    if id is not None:
        m["id"] = id
    # A plain str, so that both codecs (and equality after a round trip) see the same value.
    m["code"] = ErrorCode(code).value
    m["message"] = message
    if reason is not None:
        m["reason"] = reason
        if params:
            m["params"] = params
    return m


class ProtocolError(Exception):
    """A request the server answers with an `error` frame.

    `id` is the request's id when the frame had a valid one, so the client can
    match the error to its request; None otherwise.
    """

    def __init__(
        self,
        code: ErrorCode | str,
        message: str,
        id: RequestId | None = None,
        reason: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.code = ErrorCode(code)
        self.message = message
        self.id = id
        self.reason = reason
        self.params = params
        super().__init__(f"{self.code.value}: {message}")

    def to_map(self) -> dict[str, Any]:
        return error_map(self.code, self.message, self.id, self.reason, self.params)

    def __repr__(self) -> str:
        return f"ProtocolError({self.code.value!r}, {self.message!r}, id={self.id!r})"


class UnsupportedSubprotocol(Exception):
    """The client offered subprotocols, none of them known: refuse the upgrade."""

    def __init__(self, offered: Sequence[str]) -> None:
        self.offered = tuple(offered)
        super().__init__(f"no supported subprotocol among {list(self.offered)!r}")
