"""Validation of decoded client maps into client frames.

Every way a map can be wrong ends in a `ProtocolError` with the contract's code,
and nothing else: the server answers it with an `error` frame and keeps the
connection. Unknown extra fields are ignored so that a newer client can talk to
an older server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from .client_frames import (
    ClientFrame,
    Hello,
    History,
    Join,
    Leave,
    Ping,
    Read,
    Say,
    Star,
    Typing,
    Unstar,
)
from .codec import Codec
from .errors import ErrorCode, ProtocolError, RequestId

ID_MAX_CHARS: Final = 64
CIRCLE_MAX_CHARS: Final = 64
GROUP_MAX_CHARS: Final = 64
NONCE_MAX_CHARS: Final = 64
# Attachments one chat message carries (ids from the HTTP uploads route).
ATTACHMENTS_MAX: Final = 9
ATTACHMENT_MAX_CHARS: Final = 32
HISTORY_LIMIT_MAX: Final = 200
HISTORY_LIMIT_DEFAULT: Final = 50
# Seqs are stored as signed 64-bit integers; a bigger one (msgpack carries up
# to 2**64-1) could never match and would overflow the database driver.
SEQ_MAX: Final = 2**63 - 1


def _as_int(value: object) -> int | None:
    # bool is an int subclass in Python, but `true` is not a number on the wire.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _request_id(m: dict[object, object]) -> RequestId | None:
    value = m.get("id")
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= ID_MAX_CHARS:
        return value
    n = _as_int(value)
    if n is not None:
        return n
    # Not echoed: an id the client cannot have meant is no help in matching.
    raise ProtocolError(
        ErrorCode.BAD_FRAME,
        f"id must be an integer or a string of at most {ID_MAX_CHARS} characters",
    )


def _short(value: str, limit: int = 32) -> str:
    # Error messages never reflect a large chunk of the client's input back.
    return value if len(value) <= limit else value[:limit] + "…"


class _Fields:
    """Typed access to one frame's fields; each failure names the field."""

    __slots__ = ("m", "id")

    def __init__(self, m: dict[object, object], id: RequestId | None) -> None:
        self.m = m
        self.id = id

    def _bad(self, name: str, expected: str) -> ProtocolError:
        if self.m.get(name) is None:
            return ProtocolError(ErrorCode.BAD_FRAME, f"missing field {name!r}", self.id)
        return ProtocolError(ErrorCode.BAD_FRAME, f"{name!r} must be {expected}", self.id)

    def short_str(self, name: str, max_chars: int) -> str:
        value = self.m.get(name)
        if isinstance(value, str) and 0 < len(value) <= max_chars:
            return value
        raise self._bad(name, f"a non-empty string of at most {max_chars} characters")

    def nonempty_str(self, name: str) -> str:
        value = self.m.get(name)
        if isinstance(value, str) and value:
            return value
        raise self._bad(name, "a non-empty string")

    def text(self, name: str) -> str:
        # Its length is checked by the server against `text_chars` (too_big).
        value = self.m.get(name)
        if isinstance(value, str):
            return value
        raise self._bad(name, "a string")

    def seq(self, name: str) -> int:
        n = _as_int(self.m.get(name))
        if n is not None and 0 <= n <= SEQ_MAX:
            return n
        raise self._bad(name, "a non-negative integer")

    def optional_seq(self, name: str) -> int | None:
        return None if self.m.get(name) is None else self.seq(name)

    def optional_limit(self, name: str) -> int | None:
        if self.m.get(name) is None:
            return None
        n = _as_int(self.m.get(name))
        if n is not None and 1 <= n <= HISTORY_LIMIT_MAX:
            return n
        raise self._bad(name, f"an integer from 1 to {HISTORY_LIMIT_MAX}")

    def attachment_ids(self, name: str) -> tuple[str, ...]:
        """Absent or null: none. Else a list of at most ``ATTACHMENTS_MAX`` distinct ids."""
        value = self.m.get(name)
        if value is None:
            return ()
        if (
            isinstance(value, list)
            and len(value) <= ATTACHMENTS_MAX
            and all(isinstance(v, str) and 0 < len(v) <= ATTACHMENT_MAX_CHARS for v in value)
            and len(set(value)) == len(value)
        ):
            return tuple(value)
        raise self._bad(name, f"a list of at most {ATTACHMENTS_MAX} distinct attachment ids")

    def circle(self) -> str:
        return self.short_str("circle", CIRCLE_MAX_CHARS)

    def group(self) -> str | None:
        return None if self.m.get("group") is None else self.short_str("group", GROUP_MAX_CHARS)


def _hello(f: _Fields) -> Hello:
    return Hello(f.id, token=f.nonempty_str("token"))


def _join(f: _Fields) -> Join:
    return Join(f.id, circle=f.circle(), since=f.optional_seq("since"), group=f.group())


def _leave(f: _Fields) -> Leave:
    return Leave(f.id, circle=f.circle(), group=f.group())


def _say(f: _Fields) -> Say:
    return Say(
        f.id,
        circle=f.circle(),
        text=f.text("text"),
        nonce=f.short_str("nonce", NONCE_MAX_CHARS),
        reply_to=f.optional_seq("reply_to"),
        group=f.group(),
        attachments=f.attachment_ids("attachments"),
    )


def _history(f: _Fields) -> History:
    return History(
        f.id,
        circle=f.circle(),
        before=f.optional_seq("before"),
        limit=f.optional_limit("limit"),
        group=f.group(),
    )


def _star(f: _Fields) -> Star:
    return Star(f.id, circle=f.circle(), seq=f.seq("seq"), group=f.group())


def _unstar(f: _Fields) -> Unstar:
    return Unstar(f.id, circle=f.circle(), seq=f.seq("seq"), group=f.group())


def _read(f: _Fields) -> Read:
    return Read(f.id, circle=f.circle(), seq=f.seq("seq"), group=f.group())


def _typing(f: _Fields) -> Typing:
    return Typing(f.id, circle=f.circle(), group=f.group())


def _ping(f: _Fields) -> Ping:
    return Ping(f.id)


_PARSERS: Final[dict[str, Callable[[_Fields], ClientFrame]]] = {
    Hello.t: _hello,
    Join.t: _join,
    Leave.t: _leave,
    Say.t: _say,
    History.t: _history,
    Star.t: _star,
    Unstar.t: _unstar,
    Read.t: _read,
    Typing.t: _typing,
    Ping.t: _ping,
}

CLIENT_TYPES: Final = frozenset(_PARSERS)


def parse_client(m: object) -> ClientFrame:
    """Validate a decoded map into a client frame, or raise `ProtocolError`.

    The error echoes the frame's `id` whenever that id itself was valid.
    """
    if not isinstance(m, dict):
        raise ProtocolError(ErrorCode.BAD_FRAME, "frame is not a map")
    id = _request_id(m)
    t = m.get("t")
    if not isinstance(t, str):
        raise ProtocolError(ErrorCode.BAD_FRAME, "missing or non-string field 't'", id)
    parser = _PARSERS.get(t)
    if parser is None:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown frame type {_short(t)!r}", id)
    return parser(_Fields(m, id))


def decode_client(codec: Codec, data: bytes | str) -> ClientFrame:
    """Bytes (or text) off the wire to a client frame, or raise `ProtocolError`."""
    return parse_client(codec.decode(data))
